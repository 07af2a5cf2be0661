//! `rollout pause` / `rollout resume` against the fake API server.

use serde_json::{Value, json};

use crate::harness::Env;

fn paused(obj: &Value) -> Option<bool> {
    obj.pointer("/spec/strategy/paused")
        .and_then(Value::as_bool)
}

#[test]
fn pause_then_resume_a_v1beta1_rollout() {
    let env = Env::new().with(&["rollout-seed-v1beta1.yaml"]);
    let before = env.rollout("rollouts-nginx");

    let run = env.run(&["rollout", "pause", "rollout/rollouts-nginx"]);
    run.expect_code(0);
    assert_eq!(
        run.stdout,
        "rollout.rollouts.kruise.io/rollouts-nginx paused\n"
    );
    let after = env.rollout("rollouts-nginx");
    assert_eq!(paused(&after), Some(true));
    // A spec write through the main resource: status untouched, generation moved.
    assert_eq!(after["status"], before["status"]);
    assert_eq!(
        after["metadata"]["generation"],
        json!(before["metadata"]["generation"].as_i64().unwrap() + 1)
    );
    let w = &env.writes()[0];
    assert_eq!(
        w.path,
        "/apis/rollouts.kruise.io/v1beta1/namespaces/default/rollouts/rollouts-nginx"
    );
    let body: Value = serde_json::from_str(&w.body).unwrap();
    assert_eq!(
        body["metadata"]["resourceVersion"],
        before["metadata"]["resourceVersion"]
    );
    assert_eq!(body["spec"], json!({"strategy": {"paused": true}}));

    let run = env.run(&["rollout", "resume", "rollouts-nginx"]);
    run.expect_code(0);
    assert_eq!(
        run.stdout,
        "rollout.rollouts.kruise.io/rollouts-nginx resumed\n"
    );
    assert_eq!(paused(&env.rollout("rollouts-nginx")), Some(false));
}

#[test]
fn pause_and_resume_work_on_v1alpha1_too() {
    let env = Env::serving(&["v1alpha1"]).with(&["rollout-v1alpha1-canary.yaml"]);
    env.run(&["rollout", "pause", "echo"]).expect_code(0);
    assert_eq!(paused(&env.rollout("echo")), Some(true));
    assert!(env.writes()[0].path.contains("/v1alpha1/"));
    env.run(&["rollout", "resume", "echo"]).expect_code(0);
    assert_eq!(paused(&env.rollout("echo")), Some(false));
}

#[test]
fn both_are_idempotent() {
    let env = Env::new().with(&["rollout-seed-v1beta1.yaml"]);
    let run = env.run(&["rollout", "resume", "rollouts-nginx"]);
    run.expect_code(0);
    assert_eq!(
        run.stdout,
        "rollout.rollouts.kruise.io/rollouts-nginx is not paused\n"
    );
    env.modify_rollout("rollouts-nginx", |o| {
        o["spec"]["strategy"]["paused"] = json!(true)
    });
    let run = env.run(&["rollout", "pause", "rollouts-nginx"]);
    run.expect_code(0);
    assert_eq!(
        run.stdout,
        "rollout.rollouts.kruise.io/rollouts-nginx is already paused\n"
    );
    assert!(env.writes().is_empty());
}

#[test]
fn pause_retries_a_conflict_and_keeps_the_other_write() {
    let env = Env::new().with(&["rollout-seed-v1beta1.yaml"]);
    env.race_after_get("rollouts-nginx", 1, |o| {
        o["metadata"]["labels"] = json!({"team": "payments"})
    });
    env.run(&["rollout", "pause", "rollouts-nginx"])
        .expect_code(0);
    let after = env.rollout("rollouts-nginx");
    assert_eq!(paused(&after), Some(true));
    assert_eq!(after["metadata"]["labels"]["team"], "payments");
    assert_eq!(env.writes().len(), 2);
}

#[test]
fn pausing_between_releases_says_when_it_applies() {
    let env = Env::new().with(&["rollout-seed-v1beta1.yaml"]);
    env.modify_rollout("rollouts-nginx", |o| {
        o["status"] = json!({"phase": "Healthy"})
    });
    let run = env.run(&["rollout", "pause", "rollouts-nginx"]);
    run.expect_code(0);
    run.assert_stderr("the next release will stop at its first step");
}

#[test]
fn pause_prints_the_object_on_request() {
    let env = Env::new().with(&["rollout-seed-v1beta1.yaml"]);
    let obj = env
        .run(&["rollout", "pause", "rollouts-nginx", "-o", "json"])
        .expect_code(0)
        .json();
    assert_eq!(obj["spec"]["strategy"]["paused"], true);
}
