//! KubeVela's batch rollouts with the same verbs: AppRollout, the `rollout` trait's Rollout
//! (rendered by an Application, or made by hand), and the Kruise Rollouts of an Application.

use std::time::Duration;

use fake_apiserver::sim_vela::VelaController;
use serde_json::{Value, json};

use crate::harness::{Env, eventually, wait};

const CORE: &str = "core.oam.dev";
const STD: &str = "standard.oam.dev";

fn vela() -> Env {
    let env = Env::new();
    env.api.serve_kubevela();
    env.with(&[
        "kubevela/approllout.yaml",
        "kubevela/trait.yaml",
        "kubevela/kruise-app.yaml",
    ])
}

fn get(env: &Env, group: &str, plural: &str, name: &str) -> Value {
    env.api.get(group, plural, "default", name).unwrap()
}

fn writes_to(env: &Env, what: &str) -> Vec<fake_apiserver::RequestRecord> {
    env.writes()
        .into_iter()
        .filter(|w| w.path.contains(what))
        .collect()
}

#[test]
fn status_shows_every_batch_as_the_controller_counts_pods() {
    let env = vela();
    let run = env.run(&["rollout", "status", "approllout/rolling-example"]);
    run.expect_code(0)
        .assert_stdout("Stage:       batch done at batch 2/3, waiting for approval of the next")
        .assert_stdout("Partition:   1")
        .assert_stdout("Revisions:   test-rolling-v1 -> test-rolling-v2")
        .assert_stdout(
            "Next:        kubectl kruise rollout approve approllout/rolling-example -n default",
        );
    // [10%, 2, 2] of 5 pods: 1, 2, 2 (percentages round up; the last takes the rest).
    let rows: Vec<&str> = run
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("BATCH"))
        .collect();
    assert_eq!(
        rows[1].split_whitespace().collect::<Vec<_>>(),
        ["1", "10%", "1", "1", "done"]
    );
    assert_eq!(
        rows[2].split_whitespace().collect::<Vec<_>>(),
        ["2", "2", "2", "3", "done"]
    );
    assert_eq!(
        rows[3].split_whitespace().collect::<Vec<_>>(),
        ["3", "2", "2", "5", "pending"]
    );

    let doc = env
        .run(&[
            "rollout",
            "status",
            "rollouts.standard.oam.dev/express-server",
            "-o",
            "json",
        ])
        .expect_code(0)
        .json();
    assert_eq!(doc["stage"], "WaitingForApproval");
    assert_eq!(doc["currentStepIndex"], 1);
    assert_eq!(doc["totalSteps"], 2);
    assert_eq!(doc["batchPartition"], 0);
    assert_eq!(doc["application"]["name"], "rollout-trait-test");
    assert_eq!(doc["application"]["component"], "express-server");
    assert_eq!(doc["pendingReapply"], Value::Null);
    assert_eq!(doc["batches"][0]["pods"], 2);
    assert_eq!(doc["batches"][1]["upgraded"], 5);
}

#[test]
fn approve_raises_the_partition_of_an_app_rollout_by_one_conditionally() {
    let env = vela();
    let rv =
        get(&env, CORE, "approllouts", "rolling-example")["metadata"]["resourceVersion"].clone();
    let run = env.run(&["rollout", "approve", "approllout/rolling-example"]);
    run.expect_code(0);
    assert_eq!(
        run.stdout,
        "approllout.core.oam.dev/rolling-example approved (batch 2/3 -> 3/3)\n"
    );
    let w = writes_to(&env, "/approllouts/rolling-example");
    assert_eq!(w.len(), 1);
    assert!(!w[0].path.ends_with("/status"), "the spec, not the status");
    let body: Value = serde_json::from_str(&w[0].body).unwrap();
    assert_eq!(
        body,
        json!({"metadata": {"resourceVersion": rv}, "spec": {"rolloutPlan": {"batchPartition": 2}}})
    );
    // Now nothing waits: approving again writes nothing.
    env.run(&["rollout", "approve", "approllout/rolling-example"])
        .expect_code(5)
        .assert_stderr("nothing to approve");
    assert_eq!(writes_to(&env, "/approllouts/").len(), 1);
}

#[test]
fn approve_of_an_app_rendered_trait_rollout_writes_the_application() {
    let env = vela();
    let run = env.run(&[
        "rollout",
        "approve",
        "rollouts.standard.oam.dev/express-server",
    ]);
    run.expect_code(0)
        .assert_stdout("rollout.standard.oam.dev/express-server approved (batch 1/2 -> 2/2)")
        .assert_stderr("written to the batchPartition property of the rollout trait of Application rollout-trait-test");
    assert!(
        writes_to(&env, "/rollouts/express-server").is_empty(),
        "the CR is left to the Application"
    );
    let w = writes_to(&env, "/applications/rollout-trait-test");
    assert_eq!(w.len(), 1);
    let ops: Value = serde_json::from_str(&w[0].body).unwrap();
    assert_eq!(
        ops,
        json!([
            {"op": "test", "path": "/spec/components/0/name", "value": "express-server"},
            {"op": "test", "path": "/spec/components/0/traits/0/type", "value": "rollout"},
            {"op": "test", "path": "/spec/components/0/traits/0/properties/batchPartition", "value": 0},
            {"op": "replace", "path": "/spec/components/0/traits/0/properties/batchPartition", "value": 1}
        ])
    );
    let app = get(&env, CORE, "applications", "rollout-trait-test");
    assert_eq!(
        app["spec"]["components"][0]["traits"][0]["properties"]["batchPartition"],
        1
    );
    // Until the Application is applied again, the Rollout still shows partition 0.
    let doc = env
        .run(&[
            "rollout",
            "status",
            "rollouts.standard.oam.dev/express-server",
            "-o",
            "json",
        ])
        .json();
    assert_eq!(
        doc["pendingReapply"],
        "the Application sets batchPartition 1; the Rollout still has 0"
    );
    // Approving again before the Application is applied: nothing more to write.
    env.run(&[
        "rollout",
        "approve",
        "rollouts.standard.oam.dev/express-server",
    ])
    .expect_code(0)
    .assert_stdout("its Application already sets batchPartition 1");
    assert_eq!(writes_to(&env, "/applications/").len(), 1);
    // Applied: the Rollout shows it and nothing waits any more.
    VelaController::trait_rollout(&env.api, "default", "express-server")
        .apply_app("rollout-trait-test", "express-server");
    let doc = env
        .run(&[
            "rollout",
            "status",
            "rollouts.standard.oam.dev/express-server",
            "-o",
            "json",
        ])
        .json();
    assert_eq!(doc["pendingReapply"], Value::Null);
    assert_eq!(doc["batchPartition"], 1);
}

#[test]
fn a_partition_set_on_the_rollout_by_hand_is_raised_there() {
    let env = vela();
    env.api
        .modify(CORE, "applications", "default", "rollout-trait-test", |o| {
            o["spec"]["components"][0]["traits"][0]["properties"]
                .as_object_mut()
                .unwrap()
                .remove("batchPartition");
        });
    env.run(&[
        "rollout",
        "approve",
        "rollouts.standard.oam.dev/express-server",
    ])
    .expect_code(0);
    assert!(writes_to(&env, "/applications/").is_empty());
    assert_eq!(
        get(&env, STD, "rollouts", "express-server")["spec"]["rolloutPlan"]["batchPartition"],
        1
    );
}

#[test]
fn a_concurrent_change_of_the_application_is_read_again() {
    let env = vela();
    // Another writer puts a new component first between our read and our write: the
    // `test` of the component's position fails (422), and the write is decided again.
    env.api.after_get(
        CORE,
        "applications",
        "default",
        "rollout-trait-test",
        1,
        Box::new(|o| {
            let comps = o["spec"]["components"].as_array_mut().unwrap();
            comps.insert(0, json!({"name": "cache", "type": "redis"}));
        }),
    );
    let run = env.run(&[
        "rollout",
        "approve",
        "rollouts.standard.oam.dev/express-server",
    ]);
    run.expect_code(0);
    let w = writes_to(&env, "/applications/rollout-trait-test");
    assert_eq!(
        w.len(),
        2,
        "422 on the first, the second on what was read again"
    );
    let app = get(&env, CORE, "applications", "rollout-trait-test");
    assert_eq!(app["spec"]["components"][0]["name"], "cache");
    assert_eq!(
        app["spec"]["components"][1]["traits"][0]["properties"]["batchPartition"],
        1
    );
}

#[test]
fn every_refusal_writes_nothing() {
    // What, how to set it up, the command, what the refusal says.
    type Case = (
        &'static str,
        Box<dyn Fn(&Env)>,
        Vec<&'static str>,
        &'static str,
    );
    // A change of AppRollout rolling-example, as its controller or a person makes it.
    fn on_rolling_example(f: fn(&mut Value)) -> Box<dyn Fn(&Env)> {
        Box::new(move |e: &Env| {
            e.api
                .modify(CORE, "approllouts", "default", "rolling-example", f);
        })
    }
    let cases: Vec<Case> = vec![
        (
            "a finished AppRollout",
            on_rolling_example(|o| o["status"]["rollingState"] = json!("rolloutSucceed")),
            vec!["approve", "approllout/rolling-example"],
            "its webhook refuses it",
        ),
        (
            "a finished AppRollout, paused",
            on_rolling_example(|o| o["status"]["rollingState"] = json!("rolloutFailed")),
            vec!["pause", "approllout/rolling-example"],
            "rolloutFailed",
        ),
        (
            "paused",
            on_rolling_example(|o| o["spec"]["rolloutPlan"]["paused"] = json!(true)),
            vec!["approve", "approllout/rolling-example"],
            "resume it first",
        ),
        (
            "not in the batch phase",
            on_rolling_example(|o| o["status"]["rollingState"] = json!("verifyingSpec")),
            vec!["approve", "approllout/rolling-example"],
            "not in the batch phase",
        ),
        (
            "a batch still rolling",
            on_rolling_example(|o| o["status"]["batchRollingState"] = json!("batchVerifying")),
            vec!["approve", "approllout/rolling-example"],
            "batchVerifying, not waiting for approval",
        ),
        (
            "a status the controller has not caught up with",
            on_rolling_example(|o| o["spec"]["targetAppRevisionName"] = json!("test-rolling-v3")),
            vec!["approve", "approllout/rolling-example"],
            "not current yet",
        ),
        (
            "an Application with a publish version",
            Box::new(|e: &Env| {
                e.api
                    .modify(CORE, "applications", "default", "rollout-trait-test", |o| {
                        o["metadata"]["annotations"] = json!({"app.oam.dev/publishVersion": "v7"})
                    });
            }),
            vec!["approve", "rollouts.standard.oam.dev/express-server"],
            "app.oam.dev/publishVersion v7",
        ),
        (
            "a scale-only AppRollout has nothing to undo",
            on_rolling_example(|o| {
                o["spec"]
                    .as_object_mut()
                    .unwrap()
                    .remove("sourceAppRevisionName");
                o["status"]
                    .as_object_mut()
                    .unwrap()
                    .remove("LastSourceAppRevision");
            }),
            vec!["undo", "approllout/rolling-example"],
            "no source revision",
        ),
        (
            "an app-owned Kruise Rollout is rolled back by KubeVela",
            Box::new(|_: &Env| {}),
            vec!["undo", "rollout/canary-demo"],
            "vela workflow rollback canary-demo",
        ),
        (
            "a Kruise Rollout a workflow step drives",
            Box::new(|e: &Env| {
                e.api.modify(
                    "rollouts.kruise.io",
                    "rollouts",
                    "default",
                    "canary-demo",
                    |o| {
                        o["metadata"]["annotations"]["controller.core.oam.dev/skip-resume"] =
                            json!("true")
                    },
                );
            }),
            vec!["approve", "rollout/canary-demo"],
            "vela workflow resume canary-demo",
        ),
        (
            "restart of a KubeVela rollout",
            Box::new(|_: &Env| {}),
            vec!["restart", "approllout/rolling-example"],
            "KubeVela renders its workload",
        ),
    ];
    for (what, setup, args, msg) in cases {
        let env = vela();
        setup(&env);
        env.api.clear_requests();
        let mut full = vec!["rollout"];
        full.extend(args);
        let run = env.run(&full);
        run.expect_code(5);
        run.assert_stderr(msg);
        assert!(env.writes().is_empty(), "{what}: {:?}", env.writes());
    }
    // The fake's webhook, as the real one: a negative partition is denied.
    let env = vela();
    let run = env.run(&["rollout", "pause", "approllout/rolling-example"]);
    run.expect_code(0);
    env.api
        .modify(CORE, "approllouts", "default", "rolling-example", |o| {
            o["spec"]["rolloutPlan"]["batchPartition"] = json!(-1)
        });
    env.run(&["rollout", "resume", "approllout/rolling-example"])
        .expect_code(1)
        .assert_stderr("the batch partition cannot be negative");
}

#[test]
fn pause_resume_and_undo_write_where_they_stick() {
    let env = vela();
    env.run(&[
        "rollout",
        "pause",
        "rollouts.standard.oam.dev/express-server",
    ])
    .expect_code(0)
    .assert_stdout("rollout.standard.oam.dev/express-server paused");
    // No trait property exists for paused: it goes on the Rollout itself.
    let r = get(&env, STD, "rollouts", "express-server");
    assert_eq!(r["spec"]["rolloutPlan"]["paused"], true);
    env.run(&[
        "rollout",
        "resume",
        "rollouts.standard.oam.dev/express-server",
    ])
    .expect_code(0);
    assert_eq!(
        get(&env, STD, "rollouts", "express-server")["spec"]["rolloutPlan"]["paused"],
        false
    );

    // AppRollout undo: swap the revisions.
    env.run(&["rollout", "undo", "approllout/rolling-example"])
        .expect_code(0)
        .assert_stdout("rolled back: test-rolling-v2 -> test-rolling-v1")
        .assert_stderr("its batchPartition 1 gates the rollback too");
    let a = get(&env, CORE, "approllouts", "rolling-example");
    assert_eq!(a["spec"]["sourceAppRevisionName"], "test-rolling-v2");
    assert_eq!(a["spec"]["targetAppRevisionName"], "test-rolling-v1");

    // App-rendered trait: targetRevision through the Application, which pins the component.
    env.run(&[
        "rollout",
        "undo",
        "rollouts.standard.oam.dev/express-server",
    ])
    .expect_code(0)
    .assert_stdout("rolled back to express-server-v1")
    .assert_stderr("pins the component");
    let app = get(&env, CORE, "applications", "rollout-trait-test");
    assert_eq!(
        app["spec"]["components"][0]["traits"][0]["properties"]["targetRevision"],
        "express-server-v1"
    );
    // A hand-made trait Rollout: on the object.
    env.run(&["rollout", "undo", "rollouts.standard.oam.dev/solo"])
        .expect_code(0);
    assert_eq!(
        get(&env, STD, "rollouts", "solo")["spec"]["targetRevisionName"],
        "solo-v2"
    );
}

#[test]
fn history_lists_the_revisions_with_source_and_target_marked() {
    let env = vela();
    let doc = env
        .run(&[
            "rollout",
            "history",
            "approllout/rolling-example",
            "-o",
            "json",
        ])
        .expect_code(0)
        .json();
    assert_eq!(
        doc["revisions"],
        json!([{"revision": 1, "name": "test-rolling-v1", "source": true, "target": false},
               {"revision": 2, "name": "test-rolling-v2", "source": false, "target": true}])
    );
    let run = env.run(&[
        "rollout",
        "history",
        "rollouts.standard.oam.dev/express-server",
    ]);
    run.expect_code(0);
    assert!(
        run.stdout.contains("express-server-v1   source"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("express-server-v2   target"),
        "{}",
        run.stdout
    );
}

#[test]
fn an_application_s_rollouts_are_acted_on_together() {
    let env = vela();
    // A Kruise Rollout the same Application renders.
    env.api.modify(
        "rollouts.kruise.io",
        "rollouts",
        "default",
        "canary-demo",
        |o| {
            o["metadata"]["labels"]["app.oam.dev/name"] = json!("rollout-trait-test");
            o["metadata"]["annotations"] = json!({});
        },
    );
    let run = env.run(&["rollout", "approve", "--app", "rollout-trait-test"]);
    run.expect_code(0);
    assert_eq!(
        run.stdout,
        "rollout.standard.oam.dev/express-server approved (batch 1/2 -> 2/2)\n\
         rollout.rollouts.kruise.io/canary-demo approved (step 1/2 -> 2/2)\n"
    );
    assert_eq!(run.stderr.lines().last(), Some("2 approved"));
    let doc = env
        .run(&[
            "rollout",
            "status",
            "application/rollout-trait-test",
            "-o",
            "json",
        ])
        .expect_code(0)
        .json();
    let kinds: Vec<&str> = doc["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap_or("Rollout (Kruise)"))
        .collect();
    assert_eq!(kinds, ["Rollout", "Rollout (Kruise)"]);
    env.run(&["rollout", "pause", "--app", "nope"])
        .expect_code(1)
        .assert_stderr("application nope has no rollouts in namespace default");
}

#[test]
fn list_shows_the_kubevela_kinds_with_a_kind_column() {
    let env = vela();
    let run = env.run(&["rollout", "list"]);
    run.expect_code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(lines[0].starts_with("KIND "), "{}", run.stdout);
    let row = |kind: &str, name: &str| {
        lines
            .iter()
            .any(|l| l.starts_with(kind) && l.split_whitespace().nth(1) == Some(name))
    };
    assert!(
        row("rollout.rollouts.kruise.io", "canary-demo"),
        "{}",
        run.stdout
    );
    assert!(
        row("approllout.core.oam.dev", "rolling-example"),
        "{}",
        run.stdout
    );
    assert!(
        row("rollout.standard.oam.dev", "express-server"),
        "{}",
        run.stdout
    );
    assert!(row("rollout.standard.oam.dev", "solo"), "{}", run.stdout);
}

#[test]
fn a_ci_gate_runs_an_app_rollout_end_to_end() {
    let env = vela();
    env.api
        .modify(CORE, "approllouts", "default", "rolling-example", |o| {
            o["spec"]["rolloutPlan"]["batchPartition"] = json!(0);
            o["status"] = json!({});
        });
    let controller = VelaController::app_rollout(&env.api, "default", "rolling-example");
    let _running = controller.spawn(Duration::from_millis(20));
    let gate = |args: &[&str]| {
        let mut a = vec!["rollout"];
        a.extend_from_slice(args);
        let child = env.spawn(&a);
        wait(child, Duration::from_secs(20))
    };
    gate(&[
        "status",
        "approllout/rolling-example",
        "--until=paused",
        "--timeout=15s",
    ])
    .expect_code(0)
    .assert_stderr("batch 1/3 is done and waits for approval");
    gate(&[
        "approve",
        "approllout/rolling-example",
        "--expect-step=1",
        "--wait=15s",
    ])
    .expect_code(0)
    .assert_stdout("approved (batch 1/3 -> 2/3)");
    gate(&[
        "status",
        "approllout/rolling-example",
        "--until=step=2",
        "--timeout=15s",
    ])
    .expect_code(0);
    // Re-run: step 1 is done already, nothing written.
    gate(&["approve", "approllout/rolling-example", "--expect-step=1"])
        .expect_code(0)
        .assert_stdout("batch 1 is done already");
    gate(&[
        "approve",
        "approllout/rolling-example",
        "--expect-step=2",
        "--wait=15s",
    ])
    .expect_code(0);
    gate(&[
        "status",
        "approllout/rolling-example",
        "--until=completed",
        "--timeout=15s",
    ])
    .expect_code(0)
    .assert_stderr("every batch is done");
    let partitions: Vec<i64> = writes_to(&env, "/approllouts/rolling-example")
        .iter()
        .filter_map(|w| {
            serde_json::from_str::<Value>(&w.body).ok()?["spec"]["rolloutPlan"]["batchPartition"]
                .as_i64()
        })
        .collect();
    assert_eq!(
        partitions,
        [1, 2],
        "exactly one raise per batch, never lower"
    );
}

#[test]
fn a_gate_fails_fast_when_the_rollout_fails() {
    let env = vela();
    let child = env.spawn(&[
        "rollout",
        "status",
        "approllout/rolling-example",
        "--until=completed",
        "--timeout=20s",
    ]);
    eventually("the watch is open", || env.api.open_watches() == 1);
    env.api
        .modify(CORE, "approllouts", "default", "rolling-example", |o| {
            o["status"]["rollingState"] = json!("rolloutFailed")
        });
    wait(child, Duration::from_secs(20))
        .expect_code(4)
        .assert_stderr("the rollout failed");
}

#[test]
fn a_hand_made_trait_rollout_is_approved_and_paused_on_itself() {
    let env = vela();
    let rv = get(&env, STD, "rollouts", "solo")["metadata"]["resourceVersion"].clone();
    env.run(&["rollout", "approve", "rollouts.standard.oam.dev/solo"])
        .expect_code(0)
        .assert_stdout("rollout.standard.oam.dev/solo approved (batch 1/2 -> 2/2)");
    let w = writes_to(&env, "/rollouts/solo");
    assert_eq!(w.len(), 1);
    let body: Value = serde_json::from_str(&w[0].body).unwrap();
    assert_eq!(
        body,
        json!({"metadata": {"resourceVersion": rv}, "spec": {"rolloutPlan": {"batchPartition": 1}}})
    );
    assert!(writes_to(&env, "/applications/").is_empty());
    env.run(&["rollout", "pause", "rollouts.standard.oam.dev/solo"])
        .expect_code(0);
    env.run(&[
        "rollout",
        "status",
        "rollouts.standard.oam.dev/solo",
        "-o",
        "json",
    ])
    .expect_code(0);
    assert_eq!(
        get(&env, STD, "rollouts", "solo")["spec"]["rolloutPlan"]["paused"],
        true
    );
    // An AppRollout pauses and resumes the same way.
    env.run(&["rollout", "pause", "approllout/rolling-example"])
        .expect_code(0);
    env.run(&["rollout", "resume", "approllout/rolling-example"])
        .expect_code(0);
    assert_eq!(
        get(&env, CORE, "approllouts", "rolling-example")["spec"]["rolloutPlan"]["paused"],
        false
    );
}
