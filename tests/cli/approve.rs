//! `rollout approve` against the fake API server.

use serde_json::{Value, json};

use crate::harness::{Env, GROUP};

const SEED: &[&str] = &["rollout-seed-v1beta1.yaml", "deployment-nginx.yaml"];
const STATUS_PATH: &str =
    "/apis/rollouts.kruise.io/v1beta1/namespaces/default/rollouts/rollouts-nginx/status";

fn state(obj: &Value) -> &str {
    obj.pointer("/status/canaryStatus/currentStepState")
        .and_then(Value::as_str)
        .unwrap_or("")
}

#[test]
fn approves_a_paused_v1beta1_step_through_the_status_subresource() {
    let env = Env::new().with(SEED);
    let before = env.rollout("rollouts-nginx");
    let run = env.run(&[
        "rollout",
        "approve",
        "rollout/rollouts-nginx",
        "-n",
        "default",
    ]);
    run.expect_code(0);
    assert_eq!(
        run.stdout,
        "rollout.rollouts.kruise.io/rollouts-nginx approved (step 1/3 -> 2/3)\n"
    );

    // One GET, one PATCH to /status: no discovery, no extra round trips.
    assert_eq!(
        env.calls("rollouts-nginx"),
        [
            "GET /apis/rollouts.kruise.io/v1beta1/namespaces/default/rollouts/rollouts-nginx"
                .to_string(),
            format!("PATCH {STATUS_PATH}"),
        ]
    );
    // The write carries the resourceVersion it read, and touches only the sub-status field.
    let patch: Value = serde_json::from_str(&env.writes()[0].body).unwrap();
    assert_eq!(
        patch,
        json!({"metadata": {"resourceVersion": before["metadata"]["resourceVersion"]},
               "status": {"canaryStatus": {"currentStepState": "StepReady"}}})
    );

    let after = env.rollout("rollouts-nginx");
    assert_eq!(state(&after), "StepReady");
    // Everything else survives, including fields this plugin does not model.
    assert_eq!(
        after["status"]["canaryStatus"]["rolloutHash"],
        before["status"]["canaryStatus"]["rolloutHash"]
    );
    assert_eq!(after["spec"], before["spec"]);
    assert!(
        after["status"].get("currentStepState").is_none(),
        "the top-level mirror is never written"
    );
}

#[test]
fn falls_back_to_v1alpha1_on_a_cluster_that_serves_only_that() {
    let env =
        Env::serving(&["v1alpha1"]).with(&["rollout-v1alpha1-canary.yaml", "deployment-echo.yaml"]);
    let run = env.run(&["rollout", "approve", "echo"]);
    run.expect_code(0);
    assert_eq!(
        run.stdout,
        "rollout.rollouts.kruise.io/echo approved (step 1/3 -> 2/3)\n"
    );
    assert_eq!(
        env.calls("echo"),
        [
            "GET /apis/rollouts.kruise.io/v1beta1/namespaces/default/rollouts/echo",
            "GET /apis/rollouts.kruise.io/v1alpha1/namespaces/default/rollouts/echo",
            "PATCH /apis/rollouts.kruise.io/v1alpha1/namespaces/default/rollouts/echo/status",
        ]
    );
    assert_eq!(state(&env.rollout("echo")), "StepReady");
}

#[test]
fn a_pinned_version_is_used_without_fallback() {
    let env = Env::serving(&["v1alpha1"]).with(&["rollout-v1alpha1-canary.yaml"]);
    let run = env.run(&[
        "rollout",
        "approve",
        "rollouts.v1beta1.rollouts.kruise.io/echo",
    ]);
    run.expect_code(1);
    run.assert_stderr("does not serve rollouts.rollouts.kruise.io (v1beta1)");
    assert!(env.writes().is_empty());
}

#[test]
fn approves_blue_green_in_its_own_status_block() {
    let env = Env::new().with(&["rollout-v1beta1-bluegreen.yaml", "deployment-shop.yaml"]);
    env.run(&["rollout", "approve", "rollout", "shop"])
        .expect_code(0);
    let after = env.rollout("shop");
    assert_eq!(
        after["status"]["blueGreenStatus"]["currentStepState"],
        "StepReady"
    );
    assert!(after["status"].get("canaryStatus").is_none());
    // The mirror is the controller's to update.
    assert_eq!(after["status"]["currentStepState"], "StepPaused");
}

#[test]
fn a_conflicting_controller_write_is_re_read_and_kept() {
    let env = Env::new().with(SEED);
    // The controller updates the batch message right after our first read.
    env.race_after_get("rollouts-nginx", 1, |o| {
        o["status"]["canaryStatus"]["message"] = json!("refreshed by controller")
    });
    let run = env.run(&["rollout", "approve", "rollouts-nginx"]);
    run.expect_code(0);
    let patches: Vec<_> = env.writes().iter().map(|w| w.path.clone()).collect();
    assert_eq!(
        patches.len(),
        2,
        "first PATCH got 409, second went through: {patches:?}"
    );
    let after = env.rollout("rollouts-nginx");
    assert_eq!(state(&after), "StepReady");
    assert_eq!(
        after["status"]["canaryStatus"]["message"],
        "refreshed by controller"
    );
}

#[test]
fn someone_else_approving_first_is_success_without_a_second_write() {
    let env = Env::new().with(SEED);
    env.race_after_get("rollouts-nginx", 1, |o| {
        o["status"]["canaryStatus"]["currentStepState"] = json!("StepReady")
    });
    let run = env.run(&["rollout", "approve", "rollouts-nginx"]);
    run.expect_code(0);
    assert_eq!(
        run.stdout,
        "rollout.rollouts.kruise.io/rollouts-nginx already approved (step 1/3)\n"
    );
    assert_eq!(env.writes().len(), 1, "only the PATCH that got 409");
}

#[test]
fn a_step_that_moved_on_meanwhile_is_not_approved_again() {
    let env = Env::new().with(SEED);
    env.race_after_get("rollouts-nginx", 1, |o| {
        o["status"]["canaryStatus"]["currentStepIndex"] = json!(2);
        o["status"]["canaryStatus"]["currentStepState"] = json!("StepPaused");
    });
    let run = env.run(&["rollout", "approve", "rollouts-nginx"]);
    run.expect_code(0);
    run.assert_stdout("step 1 was approved meanwhile; it is now at step 2/3");
    assert_eq!(
        state(&env.rollout("rollouts-nginx")),
        "StepPaused",
        "step 2 stays paused"
    );
}

#[test]
fn a_rollout_rolled_back_meanwhile_is_refused_after_the_conflict() {
    let env = Env::new().with(SEED);
    env.race_after_get("rollouts-nginx", 1, |o| {
        o["status"]["phase"] = json!("Healthy");
        o["status"]["conditions"] = json!([{"type": "Succeeded", "status": "False"}]);
    });
    let run = env.run(&["rollout", "approve", "rollouts-nginx"]);
    run.expect_code(5);
    run.assert_stderr("cancelled or rolled back");
    assert_eq!(state(&env.rollout("rollouts-nginx")), "StepPaused");
}

#[test]
fn gives_up_after_bounded_conflicts_and_writes_nothing() {
    let env = Env::new().with(SEED);
    env.race_after_get("rollouts-nginx", usize::MAX, |o| {
        o["status"]["canaryStatus"]["lastUpdateTime"] = json!("2026-11-22T00:00:00Z")
    });
    let run = env.run(&["rollout", "approve", "rollouts-nginx"]);
    run.expect_code(1);
    assert_eq!(
        run.stderr.trim(),
        "error: cannot approve rollout.rollouts.kruise.io/rollouts-nginx: it changed between every read and write \
         (5 conflicts); nothing was written, try again"
    );
    assert_eq!(env.writes().len(), 5);
    assert_eq!(state(&env.rollout("rollouts-nginx")), "StepPaused");
}

#[test]
fn refuses_with_a_reason_and_exit_5_when_nothing_waits_for_approval() {
    type Change = fn(&mut Value);
    let cases: [(&str, Change); 4] = [
        ("is in StepUpgrade, not waiting for approval", |o| {
            o["status"]["canaryStatus"]["currentStepState"] = json!("StepUpgrade")
        }),
        ("no release is in progress", |o| {
            o["status"] = json!({"phase": "Healthy"})
        }),
        ("the release has already completed", |o| {
            o["status"]["phase"] = json!("Healthy");
            o["status"]["conditions"] = json!([{"type": "Succeeded", "status": "True"}]);
        }),
        ("the rollout is disabled", |o| {
            o["spec"]["disabled"] = json!(true)
        }),
    ];
    for (why, change) in cases {
        let env = Env::new().with(SEED);
        env.modify_rollout("rollouts-nginx", change);
        let run = env.run(&["rollout", "approve", "rollouts-nginx"]);
        run.expect_code(5);
        assert_eq!(run.stderr.lines().count(), 1, "one line: {}", run.stderr);
        assert!(
            run.stderr
                .starts_with("error: cannot approve rollout.rollouts.kruise.io/rollouts-nginx: ")
                && run.stderr.contains(why),
            "{why}: {}",
            run.stderr
        );
        assert!(env.writes().is_empty(), "{why}: nothing written");
    }
}

#[test]
fn an_already_approved_step_is_a_no_op() {
    let env = Env::new().with(SEED);
    env.modify_rollout("rollouts-nginx", |o| {
        o["status"]["canaryStatus"]["currentStepState"] = json!("StepReady")
    });
    let run = env.run(&["rollout", "approve", "rollouts-nginx"]);
    run.expect_code(0);
    assert!(run.stdout.contains("already approved (step 1/3)"));
    assert!(env.writes().is_empty());
}

#[test]
fn approving_a_paused_rollout_says_it_waits_for_resume() {
    let env = Env::new().with(SEED);
    env.modify_rollout("rollouts-nginx", |o| {
        o["spec"]["strategy"]["paused"] = json!(true)
    });
    let run = env.run(&["rollout", "approve", "rollouts-nginx"]);
    run.expect_code(0);
    run.assert_stderr("takes effect when it is resumed");
    assert_eq!(state(&env.rollout("rollouts-nginx")), "StepReady");
}

#[test]
fn output_formats_print_the_updated_object() {
    let env = Env::new().with(SEED);
    let obj = env
        .run(&["rollout", "approve", "rollouts-nginx", "-o", "json"])
        .expect_code(0)
        .json();
    assert_eq!(
        obj["status"]["canaryStatus"]["currentStepState"],
        "StepReady"
    );
    assert_eq!(
        obj["metadata"]["resourceVersion"],
        env.rollout("rollouts-nginx")["metadata"]["resourceVersion"]
    );

    let env = Env::new().with(SEED);
    let run = env.run(&["rollout", "approve", "rollouts-nginx", "-o", "yaml"]);
    run.expect_code(0);
    let obj: Value = serde_saphyr::from_str(&run.stdout).unwrap();
    assert_eq!(obj["kind"], "Rollout");
    assert_eq!(
        obj["status"]["canaryStatus"]["currentStepState"],
        "StepReady"
    );

    let env = Env::new().with(SEED);
    let run = env.run(&["rollout", "approve", "rollouts-nginx", "-o", "name"]);
    assert_eq!(run.stdout, "rollout.rollouts.kruise.io/rollouts-nginx\n");
}

#[test]
fn several_rollouts_are_each_attempted_and_the_first_failure_sets_the_exit_code() {
    let env = Env::new().with(&[
        "rollout-seed-v1beta1.yaml",
        "rollout-v1beta1-bluegreen.yaml",
    ]);
    env.modify_rollout("rollouts-nginx", |o| {
        o["status"]["canaryStatus"]["currentStepState"] = json!("StepUpgrade")
    });
    let run = env.run(&["rollout", "approve", "rollouts-nginx", "rollout/shop"]);
    run.expect_code(5);
    run.assert_stderr("rollouts-nginx: step 1/3 is in StepUpgrade");
    assert_eq!(
        run.stdout,
        "rollout.rollouts.kruise.io/shop approved (step 1/3 -> 2/3)\n"
    );
    assert_eq!(
        env.rollout("shop")["status"]["blueGreenStatus"]["currentStepState"],
        "StepReady"
    );
}

#[test]
fn a_blue_green_rollout_read_through_v1alpha1_is_never_written() {
    let env = Env::new().with(&["rollout-v1beta1-bluegreen.yaml"]);
    // What a v1alpha1 client sees of a blue-green rollout: conversion leaves spec and status empty.
    env.modify_rollout("shop", |o| {
        o["spec"] = json!({});
        o["status"] = json!({});
    });
    let run = env.run(&[
        "rollout",
        "pause",
        "rollouts.v1alpha1.rollouts.kruise.io/shop",
    ]);
    run.expect_code(5);
    run.assert_stderr("reads empty through v1alpha1");
    assert!(env.writes().is_empty());
}

#[test]
fn missing_objects_and_missing_crds_are_told_apart() {
    let env = Env::new();
    let run = env.run(&["rollout", "approve", "nope"]);
    run.expect_code(1);
    assert_eq!(
        run.stderr,
        "error: rollouts.rollouts.kruise.io \"nope\" not found in namespace \"default\"\n"
    );

    let env = Env::serving(&[]);
    let run = env.run(&["rollout", "approve", "nope"]);
    run.expect_code(1);
    assert_eq!(
        run.stderr,
        "error: the server does not serve rollouts.rollouts.kruise.io (v1beta1 or v1alpha1) (is Kruise Rollouts installed?)\n"
    );
}

#[test]
fn a_forbidden_status_write_is_reported_and_changes_nothing() {
    let env = Env::new().with(SEED);
    env.api.forbid(
        fake_apiserver::Verb::Patch,
        GROUP,
        "rollouts",
        Some("status"),
    );
    let run = env.run(&["rollout", "approve", "rollouts-nginx"]);
    run.expect_code(1);
    run.assert_stderr("cannot approve rollout.rollouts.kruise.io/rollouts-nginx: forbidden:")
        .assert_stderr("cannot patch resource \"rollouts/status\"");
    assert_eq!(state(&env.rollout("rollouts-nginx")), "StepPaused");
}

#[test]
fn a_bad_resource_argument_is_a_usage_error_before_any_request() {
    let env = Env::new();
    let run = env.run(&["rollout", "approve", "deployment/nginx"]);
    run.expect_code(2);
    run.assert_stderr(
        "approve acts on rollouts, and deployment.apps/nginx is a Deployment: name its rollout",
    );
    assert!(env.api.requests().is_empty());
}

#[test]
fn dry_runs_of_approve_pause_and_resume_write_nothing() {
    let env = Env::new().with(SEED);
    let stored = env.rollout("rollouts-nginx");

    let run = env.run(&["rollout", "approve", "rollouts-nginx", "--dry-run"]);
    run.expect_code(0)
        .assert_stdout("approved (step 1/3 -> 2/3) (dry run)");
    // -o json shows the object as it would be, still without sending anything.
    let run = env.run(&[
        "rollout",
        "approve",
        "rollouts-nginx",
        "--dry-run=client",
        "-o",
        "json",
    ]);
    assert_eq!(state(&run.expect_code(0).json()), "StepReady");
    run.assert_stdout("\"resourceVersion\"");
    assert!(env.writes().is_empty(), "{:?}", env.writes());

    env.run(&["rollout", "pause", "rollouts-nginx", "--dry-run=client"])
        .expect_code(0)
        .assert_stdout("rollout.rollouts.kruise.io/rollouts-nginx paused (dry run)");
    assert!(env.writes().is_empty());

    // Server dry runs go to the server, marked dryRun=All, and store nothing.
    let run = env.run(&["rollout", "approve", "rollouts-nginx", "--dry-run=server"]);
    run.expect_code(0).assert_stdout("(server dry run)");
    env.run(&["rollout", "pause", "rollouts-nginx", "--dry-run=server"])
        .expect_code(0)
        .assert_stdout("paused (server dry run)");
    let writes = env.writes();
    assert_eq!(writes.len(), 2);
    assert!(
        writes.iter().all(|w| w.query.contains("dryRun=All")),
        "{writes:?}"
    );
    assert_eq!(env.rollout("rollouts-nginx"), stored);

    // Resume of a rollout that is not paused: nothing to do, dry run or not.
    env.run(&["rollout", "resume", "rollouts-nginx", "--dry-run=server"])
        .expect_code(0)
        .assert_stdout("is not paused");
    env.run(&["rollout", "approve", "rollouts-nginx", "--dry-run=bogus"])
        .expect_code(2);
    assert_eq!(env.writes().len(), 2);
}
