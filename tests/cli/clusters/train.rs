//! Release trains: `approve --one-by-one` approves a cluster only once the one before it
//! has taken the step and its next batch is ready; it stops at the first that fails.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;

use fake_apiserver::sim::Controller;

use super::{Many, step_of};
use crate::gate::mark_released;
use crate::harness::eventually;

/// Clusters whose release of a new image waits at step 1, each with its controller running
/// (the handles keep them running).
fn waiting(many: &Many, names: &[&str]) -> Vec<(Controller, fake_apiserver::sim::Running)> {
    names
        .iter()
        .map(|n| {
            let env = many.env(n);
            mark_released(env);
            let ctl = Controller::new(&env.api, "default", "rollouts-nginx");
            let running = ctl.spawn(Duration::from_millis(15));
            ctl.deploy("nginx:1.28");
            eventually(&format!("{n} waits at step 1"), || {
                step_of(env) == (1, "StepPaused".to_string())
            });
            (ctl, running)
        })
        .collect()
}

/// The train through a, b and c, with these flags.
fn train(many: &Many, flags: &[&str]) -> crate::harness::Run {
    let mut args = vec![
        "rollout",
        "approve",
        "rollouts-nginx",
        "--contexts=a,b,c",
        "--one-by-one",
    ];
    args.extend_from_slice(flags);
    many.run(&args)
}

/// When cluster `of` is approved, where cluster `before` stood.
fn seen_at_approval(many: &Many, of: &str, before: &str) -> Arc<Mutex<Vec<(i64, String)>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (record, earlier) = (seen.clone(), many.env(before).api.clone());
    many.env(of)
        .api
        .observe_writes(Box::new(move |_, sub, _, after| {
            if sub == Some("status")
                && after["status"]["canaryStatus"]["currentStepState"] == "StepReady"
            {
                let r = earlier
                    .get(
                        crate::harness::GROUP,
                        "rollouts",
                        "default",
                        "rollouts-nginx",
                    )
                    .unwrap();
                let s = &r["status"]["canaryStatus"];
                record.lock().unwrap().push((
                    s["currentStepIndex"].as_i64().unwrap_or(0),
                    s["currentStepState"].as_str().unwrap_or("").to_string(),
                ));
            }
        }));
    seen
}

#[test]
fn each_cluster_is_approved_once_the_one_before_has_its_next_batch_ready() {
    let many = Many::new(&["a", "b", "c"], &[]);
    let _controllers = waiting(&many, &["a", "b", "c"]);
    let at_b = seen_at_approval(&many, "b", "a");
    let at_c = seen_at_approval(&many, "c", "b");
    let run = train(&many, &["--expect-step=1", "--timeout=30s"]);
    run.expect_code(0)
        .assert_stdout("[a] rollout.rollouts.kruise.io/rollouts-nginx approved (step 1/3 -> 2/3)")
        .assert_stderr("[a] rollout.rollouts.kruise.io/rollouts-nginx reached step=2: step 2/3 is ready (StepPaused)")
        .assert_stderr("release train: approved in a, b, c");
    assert_eq!(*at_b.lock().unwrap(), vec![(2, "StepPaused".to_string())]);
    assert_eq!(*at_c.lock().unwrap(), vec![(2, "StepPaused".to_string())]);
    for n in ["a", "b", "c"] {
        assert_eq!(many.approvals(n), 1, "{n}");
    }
    // Run again (a CI retry): every cluster is past step 1, nothing more is written.
    train(&many, &["--expect-step=1", "--timeout=30s"]).expect_code(0);
    for n in ["a", "b", "c"] {
        assert_eq!(many.approvals(n), 1, "{n}");
    }
}

#[test]
fn the_train_stops_at_the_cluster_whose_release_fails() {
    let many = Many::new(&["a", "b", "c"], &[]);
    let controllers = waiting(&many, &["a", "b", "c"]);
    // b's release is rolled back right after its approval.
    let b = controllers[1].0.clone();
    many.env("b")
        .api
        .observe_writes(Box::new(move |_, sub, _, after| {
            if sub == Some("status")
                && after["status"]["canaryStatus"]["currentStepState"] == "StepReady"
            {
                b.cancel();
            }
        }));
    let run = train(&many, &["--timeout=30s", "-o", "json"]);
    run.expect_code(4)
        .assert_stderr("[b] error: ")
        .assert_stderr(
            "release train: approved in a; stopped at b (rollout failed); not approved: c",
        );
    assert_eq!(many.approvals("c"), 0);
    assert!(many.env("c").writes().is_empty());
    // -o json: one List of what was written, each object naming its cluster; b's approval
    // was written before its release failed.
    let doc = run.json();
    let clusters: Vec<&str> = doc["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["cluster"].as_str().unwrap())
        .collect();
    assert_eq!(clusters, ["a", "b"]);
}

#[test]
fn the_train_stops_at_a_cluster_that_never_takes_the_step() {
    let many = Many::new(&["a", "b", "c"], &[]);
    let _controllers = waiting(&many, &["a"]);
    // b waits at step 1 with no controller: the approval is written and never acted on.
    let run = train(&many, &["--timeout=2s"]);
    run.expect_code(3)
        .assert_stderr("[b] error: timed out after 2s")
        .assert_stderr("release train: approved in a; stopped at b (timed out); not approved: c");
    assert_eq!((many.approvals("b"), many.approvals("c")), (1, 0));
}

#[test]
fn a_train_of_kubevela_app_rollouts_waits_for_each_next_batch() {
    use fake_apiserver::sim_vela::VelaController;
    let many = Many::new(&["a", "b"], &[]);
    let mut running = Vec::new();
    for (name, env) in &many.clusters {
        env.api.serve_kubevela();
        for obj in crate::harness::fixture_docs("kubevela/approllout.yaml") {
            env.api.insert(obj);
        }
        env.api.modify(
            "core.oam.dev",
            "approllouts",
            "default",
            "rolling-example",
            |o| {
                o["spec"]["rolloutPlan"]["batchPartition"] = json!(0);
                o["status"] = json!({});
            },
        );
        let ctl = VelaController::app_rollout(&env.api, "default", "rolling-example");
        running.push(ctl.spawn(Duration::from_millis(20)));
        let api = env.api.clone();
        eventually(&format!("{name} waits after batch 1"), || {
            let o = api
                .get("core.oam.dev", "approllouts", "default", "rolling-example")
                .unwrap();
            o["status"]["batchRollingState"] == "batchReady"
        });
    }
    // When b is approved, where a's rollout stands.
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (record, a) = (seen.clone(), many.env("a").api.clone());
    many.env("b")
        .api
        .observe_writes(Box::new(move |_, _, before, after| {
            if before["spec"]["rolloutPlan"]["batchPartition"]
                != after["spec"]["rolloutPlan"]["batchPartition"]
            {
                let o = a
                    .get("core.oam.dev", "approllouts", "default", "rolling-example")
                    .unwrap();
                record.lock().unwrap().push((
                    o["status"]["currentBatch"].clone(),
                    o["status"]["batchRollingState"].clone(),
                ));
            }
        }));
    many.run(&[
        "rollout",
        "approve",
        "approllout/rolling-example",
        "--expect-step=1",
        "--contexts=a,b",
        "--one-by-one",
        "--timeout=20s",
    ])
    .expect_code(0)
    .assert_stdout("[a] approllout.core.oam.dev/rolling-example approved (batch 1/3 -> 2/3)")
    .assert_stderr("release train: approved in a, b");
    // a had its second batch out and ready before b was approved.
    assert_eq!(
        *seen.lock().unwrap(),
        vec![(json!(1), json!("batchReady"))],
        "(currentBatch counts from 0)"
    );
}
