//! CI gates: `status --until`, `approve --expect-step/--wait/--to-step`, against the fake API
//! with the simulated controller (`fake_apiserver::sim`) driving the release.

use std::time::Duration;

use fake_apiserver::sim::Controller;
use serde_json::{Value, json};

use crate::harness::{Env, Run, eventually, wait};

const SEED: &[&str] = &["rollout-seed-v1beta1.yaml", "deployment-nginx.yaml"];

/// The seed rollout after its previous release completed (nginx generation 36 observed);
/// nothing in flight until a new image is deployed.
fn released() -> (Env, Controller) {
    released_with(SEED)
}

/// [`released`], among the objects of these fixture files.
pub fn released_with(fixtures: &[&str]) -> (Env, Controller) {
    let env = Env::new().with(fixtures);
    mark_released(&env);
    let ctl = Controller::new(&env.api, "default", "rollouts-nginx");
    (env, ctl)
}

/// The seed rollout's previous release, complete (nginx generation 36 observed).
pub fn mark_released(env: &Env) {
    env.modify_rollout("rollouts-nginx", |r| {
        r["status"] = json!({
            "observedGeneration": 2,
            "phase": "Healthy",
            "conditions": [
                {"type": "Progressing", "status": "False", "reason": "Completed"},
                {"type": "Succeeded", "status": "True", "reason": "Completed"}
            ],
            "canaryStatus": {"currentStepIndex": 3, "currentStepState": "Completed",
                "observedWorkloadGeneration": 36, "stableRevision": "68556bc579"}
        });
    });
}

fn status(env: &Env) -> Value {
    env.rollout("rollouts-nginx")["status"].clone()
}

fn step_and_state(env: &Env) -> (i64, String) {
    let s = status(env);
    (
        s["canaryStatus"]["currentStepIndex"].as_i64().unwrap_or(0),
        s["canaryStatus"]["currentStepState"]
            .as_str()
            .unwrap_or("")
            .to_string(),
    )
}

fn gate(env: &Env, args: &[&str]) -> Run {
    let mut all = vec!["rollout"];
    all.extend_from_slice(args);
    crate::harness::run_command(env.command(&all))
}

#[test]
fn a_three_batch_release_is_driven_end_to_end_by_a_script() {
    let (env, ctl) = released();
    let _running = ctl.spawn(Duration::from_millis(15));
    ctl.deploy("nginx:1.28");

    let r = gate(
        &env,
        &[
            "status",
            "rollouts-nginx",
            "--until=paused",
            "--timeout=30s",
        ],
    );
    r.expect_code(0)
        .assert_stderr("reached paused: step 1/3 is waiting for approval");
    assert_eq!(step_and_state(&env), (1, "StepPaused".into()));

    let r = gate(
        &env,
        &["approve", "rollouts-nginx", "--expect-step=1", "--wait=30s"],
    );
    r.expect_code(0)
        .assert_stdout("approved (step 1/3 -> 2/3)")
        .assert_stderr("moved past step 1");
    // The script runs twice: the second approval of step 1 is a no-op.
    let r = gate(&env, &["approve", "rollouts-nginx", "--expect-step=1"]);
    r.expect_code(0).assert_stdout("step 1 is done already");

    gate(
        &env,
        &[
            "status",
            "rollouts-nginx",
            "--until=step=2",
            "--timeout=30s",
        ],
    )
    .expect_code(0)
    .assert_stderr("reached step=2: step 2/3 is ready (StepPaused)");
    gate(
        &env,
        &["approve", "rollouts-nginx", "--expect-step=2", "--wait"],
    )
    .expect_code(0)
    .assert_stderr("moved past step 2");
    // Step 3 releases 100%: the controller goes on without an approval.
    gate(
        &env,
        &[
            "status",
            "rollouts-nginx",
            "--until=completed",
            "--timeout=30s",
        ],
    )
    .expect_code(0)
    .assert_stderr("reached completed: the release completed");
    let doc = gate(&env, &["status", "rollouts-nginx", "-o", "json"]).json();
    assert_eq!(doc["stage"], json!("Completed"));
    assert_eq!(doc["waitingForController"], Value::Null);
    // Exactly two approvals were written, both conditional.
    let approvals: Vec<_> = env
        .writes()
        .into_iter()
        .filter(|w| w.path.ends_with("/status") && w.body.contains("StepReady"))
        .collect();
    assert_eq!(approvals.len(), 2, "{approvals:?}");
    assert!(approvals.iter().all(|w| w.body.contains("resourceVersion")));
}

#[test]
fn a_stale_status_does_not_pass_the_gate() {
    // No controller running yet: the new image is applied, the status still shows the
    // previous release as completed.
    let (env, ctl) = released();
    ctl.deploy("nginx:1.28");
    let doc = gate(&env, &["status", "rollouts-nginx", "-o", "json"]).json();
    assert_eq!(doc["stage"], json!("Progressing"));
    assert_eq!(
        doc["waitingForController"],
        json!("the controller has not yet observed the workload's generation 37 (observed 36)")
    );

    let mut child = env.spawn(&[
        "rollout",
        "status",
        "rollouts-nginx",
        "--until=completed",
        "--timeout=30s",
    ]);
    eventually("both watches open", || env.api.open_watches() >= 2);
    // Watching, not done: the previous release's Completed did not end the gate.
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        child.try_wait().expect("poll the gate").is_none(),
        "the gate passed on a stale status"
    );
    // Approving step 1 of the new release would be wrong too: refused, nothing written.
    gate(&env, &["approve", "rollouts-nginx", "--expect-step=1"])
        .expect_code(5)
        .assert_stderr("its status is not current yet");
    // The controller reacts; the gate holds through the release and passes at its end.
    for _ in 0..6 {
        ctl.reconcile();
    }
    assert_eq!(step_and_state(&env), (1, "StepPaused".into()));
    for step in 1..=2 {
        env.modify_rollout("rollouts-nginx", |r| {
            r["status"]["canaryStatus"]["currentStepState"] = json!("StepReady")
        });
        while step_and_state(&env) != (step + 1, "StepPaused".into()) && ctl.reconcile() {}
    }
    while ctl.reconcile() {}
    let run = wait(child, Duration::from_secs(10));
    run.expect_code(0).assert_stderr("reached completed");
    assert!(
        !env.writes().iter().any(|w| w.body.contains("StepReady")),
        "the gate never writes"
    );
}

#[test]
fn gates_fail_fast_when_the_condition_can_no_longer_hold() {
    // Rolled back while waiting.
    let (env, ctl) = released();
    ctl.deploy("nginx:1.28");
    while step_and_state(&env) != (1, "StepPaused".into()) && ctl.reconcile() {}
    let child = env.spawn(&["rollout", "status", "rollouts-nginx", "--until=completed"]);
    eventually("both watches open", || env.api.open_watches() >= 2);
    ctl.cancel();
    ctl.reconcile();
    let run = wait(child, Duration::from_secs(10));
    run.expect_code(4).assert_stderr(
        "error: rollout.rollouts.kruise.io/rollouts-nginx can no longer reach completed: the release was cancelled or rolled back",
    );

    // Deleted while waiting.
    let env = Env::new().with(SEED);
    let child = env.spawn(&["rollout", "status", "rollouts-nginx", "--until=step=2"]);
    eventually("the watches", || env.api.open_watches() >= 2);
    env.api.delete(
        "rollouts.kruise.io",
        "rollouts",
        "default",
        "rollouts-nginx",
    );
    wait(child, Duration::from_secs(10))
        .expect_code(4)
        .assert_stderr("was deleted");

    // Disabled, or a step that does not exist: at once.
    let env = Env::new().with(SEED);
    gate(&env, &["status", "rollouts-nginx", "--until=step=4"])
        .expect_code(4)
        .assert_stderr("it has 3 steps, so step 4 never comes");
    env.modify_rollout("rollouts-nginx", |r| r["spec"]["disabled"] = json!(true));
    gate(&env, &["status", "rollouts-nginx", "--until=paused"])
        .expect_code(4)
        .assert_stderr("the rollout is disabled");
}

#[test]
fn a_gate_that_waits_too_long_times_out() {
    let env = Env::new().with(SEED);
    let run = gate(
        &env,
        &[
            "status",
            "rollouts-nginx",
            "--until=completed",
            "--timeout=1s",
        ],
    );
    run.expect_code(3).assert_stderr(
        "error: timed out after 1s waiting for rollout.rollouts.kruise.io/rollouts-nginx to reach completed; it is waiting for approval at step 1/3",
    );
    // Nobody moves the step on: the approval's wait times out too, after approving.
    let run = gate(
        &env,
        &["approve", "rollouts-nginx", "--expect-step=1", "--wait=1s"],
    );
    run.expect_code(3)
        .assert_stdout("approved (step 1/3 -> 2/3)")
        .assert_stderr("timed out after 1s waiting for rollout.rollouts.kruise.io/rollouts-nginx to move past step 1; it is at step 1/3 (StepReady)");
}

#[test]
fn a_lost_approval_is_approved_again() {
    let (env, ctl) = released();
    ctl.deploy("nginx:1.28");
    while step_and_state(&env) != (1, "StepPaused".into()) && ctl.reconcile() {}
    // The controller overwrites the next two approvals with its cached StepPaused status.
    ctl.lose_approvals(2);
    let _running = ctl.spawn(Duration::from_millis(15));
    let run = gate(
        &env,
        &["approve", "rollouts-nginx", "--expect-step=1", "--wait=30s"],
    );
    run.expect_code(0)
        .assert_stderr("overwrote the approval of step 1; approved again (1/5)")
        .assert_stderr("approved again (2/5)")
        .assert_stderr("moved past step 1");
    assert!(step_and_state(&env).0 >= 2);
    let approvals = env
        .writes()
        .into_iter()
        .filter(|w| w.body.contains("StepReady"))
        .count();
    assert_eq!(approvals, 3, "one approval and two re-approvals");
}

#[test]
fn expect_step_in_every_position() {
    let env = Env::new().with(SEED);
    let set = |step: i64, state: &str| {
        env.modify_rollout("rollouts-nginx", |r| {
            r["status"]["canaryStatus"]["currentStepIndex"] = json!(step);
            r["status"]["canaryStatus"]["currentStepState"] = json!(state);
        });
    };
    // Before step N: refused, nothing written.
    gate(&env, &["approve", "rollouts-nginx", "--expect-step=2"])
        .expect_code(5)
        .assert_stderr("step 2 is not reached yet: the release is at step 1/3 (StepPaused)");
    // At N, not yet paused: refused.
    set(2, "StepUpgrade");
    gate(&env, &["approve", "rollouts-nginx", "--expect-step=2"])
        .expect_code(5)
        .assert_stderr("step 2/3 is in StepUpgrade, not waiting for approval");
    assert!(env.writes().is_empty());
    // At N, paused: approved.
    set(2, "StepPaused");
    gate(&env, &["approve", "rollouts-nginx", "--expect-step=2"])
        .expect_code(0)
        .assert_stdout("approved (step 2/3 -> 3/3)");
    assert_eq!(env.writes().len(), 1);
    // At N, approved already; and past N: nothing to do.
    gate(&env, &["approve", "rollouts-nginx", "--expect-step=2"])
        .expect_code(0)
        .assert_stdout("already approved (step 2/3)");
    set(3, "StepUpgrade");
    gate(&env, &["approve", "rollouts-nginx", "--expect-step=2"])
        .expect_code(0)
        .assert_stdout("step 2 is done already: the release is at step 3/3");
    gate(&env, &["approve", "rollouts-nginx", "--expect-step=4"]).expect_code(5);
    assert_eq!(env.writes().len(), 1);
}

#[test]
fn to_step_moves_the_release_on_v0_6_controllers_only() {
    let env = Env::new().with(&["rollout-v1beta1-bluegreen.yaml", "deployment-shop.yaml"]);
    gate(
        &env,
        &["approve", "shop", "--to-step=3", "--dry-run=server"],
    )
    .expect_code(0)
    .assert_stdout("moves from step 1/3 to step 3/3 (server dry run)");
    assert_eq!(
        status_of(&env, "shop")["blueGreenStatus"]["nextStepIndex"],
        json!(2)
    );
    gate(&env, &["approve", "shop", "--to-step=3"])
        .expect_code(0)
        .assert_stdout("rollout.rollouts.kruise.io/shop moves from step 1/3 to step 3/3");
    assert_eq!(
        status_of(&env, "shop")["blueGreenStatus"]["nextStepIndex"],
        json!(3)
    );
    // The next step is reached by approving the current one.
    env.modify_rollout("shop", |r| {
        r["status"]["blueGreenStatus"]["nextStepIndex"] = json!(2)
    });
    gate(&env, &["approve", "shop", "--to-step=2"])
        .expect_code(0)
        .assert_stdout("approved (step 1/3 -> 2/3)");
    assert_eq!(
        status_of(&env, "shop")["blueGreenStatus"]["currentStepState"],
        json!("StepReady")
    );
    gate(&env, &["approve", "shop", "--to-step=1"])
        .expect_code(0)
        .assert_stdout("already at step 1/3");
    gate(&env, &["approve", "shop", "--to-step=9"])
        .expect_code(5)
        .assert_stderr("no step 9");
    let writes = env.writes().len();

    // A v0.5 status has no nextStepIndex: refused.
    let env = Env::new().with(SEED);
    gate(&env, &["approve", "rollouts-nginx", "--to-step=3"])
        .expect_code(5)
        .assert_stderr("does not support step jumps");
    assert!(env.writes().is_empty());
    assert_eq!(writes, 3, "dry run, jump, approval");
}

fn status_of(env: &Env, name: &str) -> Value {
    env.rollout(name)["status"].clone()
}

#[test]
fn a_dropped_watch_is_reconnected() {
    let env = Env::new().with(SEED);
    let child = env.spawn(&[
        "rollout",
        "status",
        "rollouts-nginx",
        "--until=step=2",
        "-o",
        "json",
    ]);
    eventually("both watches open", || env.api.open_watches() >= 2);
    let watches = |env: &Env| {
        env.api
            .requests()
            .iter()
            .filter(|r| r.query.contains("watch=true"))
            .count()
    };
    let before = watches(&env);
    assert_eq!(env.api.drop_watches(), 2);
    eventually("a new watch", || watches(&env) > before);
    env.modify_rollout("rollouts-nginx", |r| {
        r["status"]["canaryStatus"]["currentStepIndex"] = json!(2);
        r["status"]["canaryStatus"]["currentStepState"] = json!("StepPaused");
    });
    let run = wait(child, Duration::from_secs(10));
    run.expect_code(0).assert_stderr("reached step=2");
    // Machine output on stdout, one JSON summary per line; messages on stderr.
    let docs: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(docs.last().unwrap()["currentStepIndex"], json!(2));
    assert!(!run.stderr.contains('{'), "{}", run.stderr);
}

#[test]
fn bad_gate_arguments_are_usage_errors() {
    let env = Env::new().with(SEED);
    gate(&env, &["status", "rollouts-nginx", "--until=done"])
        .expect_code(2)
        .assert_stderr("use paused, step=N (N from 1) or completed");
    gate(
        &env,
        &[
            "status",
            "rollouts-nginx",
            "--until=paused",
            "--timeout=soon",
        ],
    )
    .expect_code(2);
    gate(&env, &["approve", "rollouts-nginx", "--wait", "--dry-run"])
        .expect_code(2)
        .assert_stderr("cannot be combined with --dry-run");
    gate(
        &env,
        &[
            "approve",
            "rollouts-nginx",
            "--to-step=2",
            "--expect-step=1",
        ],
    )
    .expect_code(2);
    assert!(env.api.requests().is_empty());
}

#[test]
fn a_workload_that_cannot_be_watched_leaves_the_gate_to_the_rollout() {
    let env = Env::new().with(SEED);
    // RBAC allows reading the Deployment but not listing or watching it.
    env.api
        .forbid(fake_apiserver::Verb::List, "apps", "deployments", None);
    env.api
        .forbid(fake_apiserver::Verb::Watch, "apps", "deployments", None);
    let child = env.spawn(&["rollout", "status", "rollouts-nginx", "--until=step=2"]);
    eventually("the rollout watch", || {
        env.api
            .requests()
            .iter()
            .any(|r| r.path.contains("/rollouts") && r.query.contains("watch=true"))
    });
    // Long enough for the workload watch to be retried a few times.
    std::thread::sleep(Duration::from_millis(1500));
    env.modify_rollout("rollouts-nginx", |r| {
        r["status"]["canaryStatus"]["currentStepIndex"] = json!(2);
        r["status"]["canaryStatus"]["currentStepState"] = json!("StepPaused");
    });
    let run = wait(child, Duration::from_secs(10));
    run.expect_code(0).assert_stderr("reached step=2");
    assert_eq!(
        run.stderr
            .matches("warning: cannot watch the workload")
            .count(),
        1,
        "{}",
        run.stderr
    );
}
