//! `rollout status` and `status --watch` against the fake API server.

use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};

use crate::harness::{Env, GROUP, interrupt, wait};

const SEED: &[&str] = &["rollout-seed-v1beta1.yaml", "deployment-nginx.yaml"];

#[test]
fn shows_the_release_with_pod_counts_from_the_workload() {
    let env = Env::new().with(SEED);
    let run = env.run(&["rollout", "status", "rollout/rollouts-nginx"]);
    run.expect_code(0);
    for line in [
        "Workload:   Deployment/nginx (10 replicas)",
        "Stage:      waiting for approval at step 1/3",
        "Batch:      [####################] 1/1 ready",
        "1      1          1      -         manual   current: StepPaused",
        "2      50%        5      -         manual   pending",
        "3      100%       10     -         none     pending",
    ] {
        assert!(
            run.stdout.contains(line),
            "missing {line:?} in\n{}",
            run.stdout
        );
    }
    // One GET of the rollout and one of its workload.
    let gets: Vec<String> = env.api.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(
        gets,
        [
            "/apis/rollouts.kruise.io/v1beta1/namespaces/default/rollouts/rollouts-nginx",
            "/apis/apps/v1/namespaces/default/deployments/nginx"
        ]
    );
    assert!(env.writes().is_empty());
}

#[test]
fn json_summary_for_scripts() {
    let env = Env::new().with(&["rollout-v1beta1-bluegreen.yaml", "deployment-shop.yaml"]);
    let s = env
        .run(&["rollout", "status", "shop", "-o", "json"])
        .expect_code(0)
        .json();
    assert_eq!(s["apiVersion"], "rollouts.kruise.io/v1beta1");
    assert_eq!(s["strategy"], "blueGreen");
    assert_eq!(s["stage"], "WaitingForApproval");
    assert_eq!(s["currentStepIndex"], 1);
    assert_eq!(s["currentStepState"], "StepPaused");
    assert_eq!(s["totalSteps"], 3);
    assert_eq!(s["batch"], json!({"ready": 2, "replicas": 2, "target": 2}));
    assert_eq!(
        s["steps"][2],
        json!({"index": 3, "replicas": "100%", "pods": 4, "traffic": "100%", "matches": 0, "pause": "60s", "status": "pending"})
    );
    assert_eq!(s["workload"]["replicas"], 4);
    assert_eq!(s["conditions"][0]["reason"], "InRolling");

    let run = env.run(&["rollout", "status", "shop", "-o", "yaml"]);
    let y: Value = serde_saphyr::from_str(&run.expect_code(0).stdout).unwrap();
    assert_eq!(y, s, "yaml and json carry the same summary");
}

#[test]
fn v1alpha1_status_reads_weights_as_traffic() {
    let env =
        Env::serving(&["v1alpha1"]).with(&["rollout-v1alpha1-canary.yaml", "deployment-echo.yaml"]);
    let s = env
        .run(&["rollout", "status", "echo", "-o", "json"])
        .expect_code(0)
        .json();
    assert_eq!(s["apiVersion"], "rollouts.kruise.io/v1alpha1");
    assert_eq!(s["strategy"], "canary");
    let traffic: Vec<&Value> = s["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| &x["traffic"])
        .collect();
    assert_eq!(traffic, [&json!("20%"), &json!("60%"), &Value::Null]);
    let pods: Vec<&Value> = s["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| &x["pods"])
        .collect();
    assert_eq!(pods, [&json!(1), &json!(3), &json!(5)]);
}

#[test]
fn a_missing_workload_costs_only_the_pod_counts() {
    let env = Env::new().with(&["rollout-seed-v1beta1.yaml"]);
    let run = env.run(&["rollout", "status", "rollouts-nginx"]);
    run.expect_code(0);
    run.assert_stderr("warning: pod counts unavailable: deployments.apps \"nginx\" not found");
    run.assert_stdout("2      50%        -      -");
}

#[test]
fn status_of_several_reports_each_one() {
    let env = Env::new().with(&["rollout-seed-v1beta1.yaml", "deployment-nginx.yaml"]);
    let run = env.run(&["rollout", "status", "a", "rollouts-nginx"]);
    run.expect_code(1)
        .assert_stderr(
            "error: rollouts.rollouts.kruise.io \"a\" not found in namespace \"default\"",
        )
        .assert_stdout("Name:       default/rollouts-nginx");
}

/// Start `status --watch` on a rollout mid-upgrade and return once its watch is open.
fn start_watch(env: &Env, extra: &[&str]) -> std::process::Child {
    let mut args = vec!["rollout", "status", "rollouts-nginx", "--watch"];
    args.extend_from_slice(extra);
    let child = env.command(&args).stdout(Stdio::piped()).spawn().unwrap();
    crate::harness::eventually("the watch request", || {
        env.api
            .requests()
            .iter()
            .any(|r| r.query.contains("watch=true"))
    });
    child
}

fn upgrading(env: &Env) {
    env.modify_rollout("rollouts-nginx", |o| {
        o["status"]["canaryStatus"]["currentStepState"] = json!("StepUpgrade");
        o["status"]["canaryStatus"]["canaryReadyReplicas"] = json!(0);
    });
}

#[test]
fn watch_follows_changes_until_the_step_waits_for_approval() {
    let env = Env::new().with(SEED);
    upgrading(&env);
    let child = start_watch(&env, &[]);
    env.modify_rollout("rollouts-nginx", |o| {
        o["status"]["canaryStatus"]["currentStepState"] = json!("StepTrafficRouting");
        o["status"]["canaryStatus"]["canaryReadyReplicas"] = json!(1);
    });
    std::thread::sleep(Duration::from_millis(100));
    env.modify_rollout("rollouts-nginx", |o| {
        o["status"]["canaryStatus"]["currentStepState"] = json!("StepPaused")
    });
    let run = wait(child, Duration::from_secs(10));
    run.expect_code(0);
    // Not a terminal: one line per change.
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(lines.len() >= 2, "{}", run.stdout);
    assert!(
        lines[0].contains("Progressing  step 1/3  ready 0/1  upgrading at step 1/3 (StepUpgrade)"),
        "{}",
        run.stdout
    );
    assert!(
        lines
            .last()
            .unwrap()
            .contains("WaitingForApproval  step 1/3  ready 1/1  waiting for approval at step 1/3"),
        "{}",
        run.stdout
    );
    run.assert_stderr("is waiting for approval at step 1/3");
    // Followed through the watch API, not by polling GETs.
    let gets = env
        .api
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/rollouts/rollouts-nginx"))
        .count();
    assert_eq!(gets, 1, "only the first read is a GET of the object");
}

#[test]
fn watch_ends_with_exit_4_when_the_release_is_cancelled() {
    let env = Env::new().with(SEED);
    upgrading(&env);
    let child = start_watch(&env, &[]);
    env.modify_rollout("rollouts-nginx", |o| {
        o["status"]["conditions"][0]["reason"] = json!("Cancelling")
    });
    let run = wait(child, Duration::from_secs(10));
    run.expect_code(4);
    run.assert_stderr("the release was cancelled or rolled back");
}

#[test]
fn watch_ends_with_exit_4_when_the_rollout_is_deleted() {
    let env = Env::new().with(SEED);
    upgrading(&env);
    let child = start_watch(&env, &[]);
    env.api
        .delete(GROUP, "rollouts", "default", "rollouts-nginx");
    let run = wait(child, Duration::from_secs(10));
    run.expect_code(4);
    run.assert_stderr("was deleted");
}

#[test]
fn watch_prints_one_json_summary_per_change() {
    let env = Env::new().with(SEED);
    upgrading(&env);
    let child = start_watch(&env, &["-o", "json"]);
    env.modify_rollout("rollouts-nginx", |o| {
        o["status"]["phase"] = json!("Healthy");
        o["status"]["conditions"] = json!([{"type": "Succeeded", "status": "True"}]);
        o["status"]["canaryStatus"]["currentStepIndex"] = json!(3);
        o["status"]["canaryStatus"]["currentStepState"] = json!("Completed");
    });
    let run = wait(child, Duration::from_secs(10));
    run.expect_code(0);
    let docs: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(docs.len(), 2, "{}", run.stdout);
    assert_eq!(docs[0]["stage"], "Progressing");
    assert_eq!(docs[1]["stage"], "Completed");
    assert!(
        docs[1]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["status"] == "done")
    );
}

#[test]
fn watch_of_a_rollout_already_waiting_returns_at_once() {
    let env = Env::new().with(SEED);
    let run = env.run(&["rollout", "status", "rollouts-nginx", "-w"]);
    run.expect_code(0);
    assert!(
        !env.api
            .requests()
            .iter()
            .any(|r| r.query.contains("watch=true"))
    );
}

#[test]
fn a_forbidden_watch_is_an_error_not_a_hang() {
    let env = Env::new().with(SEED);
    upgrading(&env);
    env.api
        .forbid(fake_apiserver::Verb::List, GROUP, "rollouts", None);
    let run = env.run(&["rollout", "status", "rollouts-nginx", "--watch"]);
    run.expect_code(1);
    run.assert_stderr("cannot watch rollout.rollouts.kruise.io/rollouts-nginx: forbidden");
}

#[test]
fn ctrl_c_ends_a_watch_quietly_with_130() {
    let env = Env::new().with(SEED);
    upgrading(&env);
    let child = start_watch(&env, &[]);
    let run = interrupt(child, Duration::from_secs(10));
    run.expect_code(130);
    assert_eq!(run.stderr, "");
    assert!(env.writes().is_empty());
}

/// The gap between the first two requests of a run: the rollout's GET and the workload's.
fn gap_between_reads(env: &Env) -> Duration {
    let reqs = env.api.requests();
    let gets: Vec<_> = reqs.iter().filter(|r| r.method == "GET").collect();
    assert!(gets.len() >= 2, "{gets:?}");
    assert!(
        gets.iter().any(|r| r.path.contains("/rollouts/")),
        "{gets:?}"
    );
    assert!(
        gets.iter().any(|r| r.path.contains("/deployments/")),
        "{gets:?}"
    );
    gets[1].at.duration_since(gets[0].at)
}

#[test]
fn a_rollout_and_its_remembered_workload_are_read_at_once() {
    let env = Env::new().with(&[
        "rollout-seed-v1beta1.yaml",
        "deployment-nginx.yaml",
        "deployment-echo.yaml",
    ]);
    let slow = || {
        env.api.clear_requests();
        env.api.fault(
            Some("GET"),
            2,
            fake_apiserver::Fault::Delay(Duration::from_millis(400)),
        );
    };
    // The first time, the workload is known only from the rollout: one read after the other.
    slow();
    env.run(&["rollout", "status", "rollouts-nginx"])
        .expect_code(0)
        .assert_stdout("Workload:   Deployment/nginx (10 replicas)");
    assert!(gap_between_reads(&env) >= Duration::from_millis(400));
    // Then it is remembered in kubectl's cache folder, and both go out together.
    let cache = env.dir.path().join(".kube/cache/kruise");
    assert!(cache.exists(), "remembered under {}", cache.display());
    slow();
    env.run(&["rollout", "status", "rollouts-nginx"])
        .expect_code(0)
        .assert_stdout("Workload:   Deployment/nginx (10 replicas)");
    // Together: the second arrives well before the first answer (held 400 ms) could.
    assert!(gap_between_reads(&env) < Duration::from_millis(300));
    // The rollout now releases another workload: what it names wins, and is remembered.
    env.modify_rollout("rollouts-nginx", |r| {
        r["spec"]["workloadRef"]["name"] = json!("echo")
    });
    env.api.clear_requests();
    env.run(&["rollout", "status", "rollouts-nginx"])
        .expect_code(0)
        .assert_stdout("Workload:   Deployment/echo");
    let read: Vec<String> = env.api.requests().iter().map(|r| r.path.clone()).collect();
    assert!(
        read.last().unwrap().ends_with("/deployments/echo"),
        "{read:?}"
    );
    env.api.clear_requests();
    env.run(&["rollout", "status", "rollouts-nginx"])
        .expect_code(0)
        .assert_stdout("Workload:   Deployment/echo");
    assert_eq!(
        env.api.requests().len(),
        2,
        "the rollout and echo, nothing else"
    );
}
