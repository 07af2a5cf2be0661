//! Many objects at once: `-l`, `-A`, `--all`, `-f`, several names; per-object results in a
//! stable order, the summary line, the exit code of mixed outcomes.

use std::io::Write;
use std::process::Stdio;

use serde_json::{Value, json};

use crate::harness::{Env, GROUP, eventually, fixture, interrupt, wait};

/// The seed rollout as `ns/name`, labelled, at step 1 in `state`.
fn rollout(env: &Env, ns: &str, name: &str, team: &str, state: &str) {
    let mut r = fixture("rollout-seed-v1beta1.yaml");
    r["metadata"]["name"] = json!(name);
    r["metadata"]["namespace"] = json!(ns);
    r["metadata"]["labels"] = json!({ "team": team });
    r["status"]["canaryStatus"]["currentStepState"] = json!(state);
    env.api.insert(r);
}

fn state(env: &Env, ns: &str, name: &str) -> String {
    env.api.get(GROUP, "rollouts", ns, name).unwrap()["status"]["canaryStatus"]["currentStepState"]
        .as_str()
        .unwrap()
        .to_string()
}

fn fleet() -> Env {
    let env = Env::new();
    rollout(&env, "a", "r1", "shop", "StepPaused");
    rollout(&env, "a", "r2", "shop", "StepReady");
    rollout(&env, "b", "r3", "shop", "StepUpgrade");
    rollout(&env, "b", "r4", "other", "StepPaused");
    rollout(&env, "c", "r5", "shop", "StepPaused");
    env
}

#[test]
fn approve_by_selector_in_all_namespaces_reports_each_and_sums_up() {
    let env = fleet();
    let run = env.run(&["rollout", "approve", "-l", "team=shop", "-A"]);
    // A refusal among successes: exit 5.
    run.expect_code(5);
    assert_eq!(
        run.stdout,
        "rollout.rollouts.kruise.io/r1 approved (step 1/3 -> 2/3)\n\
         rollout.rollouts.kruise.io/r2 already approved (step 1/3)\n\
         rollout.rollouts.kruise.io/r5 approved (step 1/3 -> 2/3)\n"
    );
    run.assert_stderr(
        "error: cannot approve rollout.rollouts.kruise.io/r3: step 1/3 is in StepUpgrade",
    );
    assert_eq!(
        run.stderr.lines().last(),
        Some("2 approved, 1 unchanged, 1 refused")
    );
    assert_eq!(state(&env, "a", "r1"), "StepReady");
    assert_eq!(state(&env, "c", "r5"), "StepReady");
    assert_eq!(state(&env, "b", "r3"), "StepUpgrade");
    assert_eq!(state(&env, "b", "r4"), "StepPaused", "not selected");
    // One list to find them (selector sent to the server), then a GET and at most one PATCH each.
    let lists: Vec<_> = env
        .api
        .requests()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path == "/apis/rollouts.kruise.io/v1beta1/rollouts")
        .collect();
    assert_eq!(lists.len(), 1);
    assert!(
        lists[0].query.contains("labelSelector=team%3Dshop"),
        "{}",
        lists[0].query
    );
    assert_eq!(env.writes().len(), 2);
}

#[test]
fn bulk_output_is_a_list_of_results() {
    let env = fleet();
    let doc = env
        .run(&["rollout", "approve", "-l", "team=shop", "-A", "-o", "json"])
        .expect_code(5)
        .json();
    assert_eq!(doc["kind"], "List");
    let items = doc["items"].as_array().unwrap();
    let results: Vec<(&str, &str, &str)> = items
        .iter()
        .map(|i| {
            (
                i["namespace"].as_str().unwrap(),
                i["name"].as_str().unwrap(),
                i["result"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        results,
        [
            ("a", "r1", "approved"),
            ("a", "r2", "unchanged"),
            ("b", "r3", "refused"),
            ("c", "r5", "approved")
        ]
    );
    assert_eq!(items[0]["kind"], "Rollout");
    assert!(
        items[2]["message"]
            .as_str()
            .unwrap()
            .contains("StepUpgrade")
    );
    let yaml = env.run(&["rollout", "pause", "-l", "team=shop", "-A", "-o", "yaml"]);
    yaml.expect_code(0);
    let doc: Value = serde_saphyr::from_str(&yaml.stdout).unwrap();
    assert_eq!(doc["items"].as_array().unwrap().len(), 4);
}

#[test]
fn expect_step_approves_that_step_wherever_it_waits() {
    let env = fleet();
    env.api.modify(GROUP, "rollouts", "c", "r5", |o| {
        o["status"]["canaryStatus"]["currentStepIndex"] = json!(2)
    });
    let run = env.run(&[
        "rollout",
        "approve",
        "-l",
        "team=shop",
        "-A",
        "--expect-step=2",
    ]);
    run.expect_code(5);
    // Step 2 waits at r5 only; r1 is still at step 1, which is refused; r2 too.
    assert_eq!(state(&env, "c", "r5"), "StepReady");
    assert_eq!(state(&env, "a", "r1"), "StepPaused");
    run.assert_stderr("r1: step 2 is not reached yet");
    let run = env.run(&[
        "rollout",
        "approve",
        "-l",
        "team=shop",
        "-A",
        "--expect-step=1",
    ]);
    // Past step 1 (r5) or already approved at it (r2) is nothing to do.
    run.assert_stdout("rollout.rollouts.kruise.io/r5 step 1 is done already")
        .assert_stdout("rollout.rollouts.kruise.io/r1 approved (step 1/3 -> 2/3)");
}

#[test]
fn a_conflict_in_a_bulk_write_is_read_again_and_the_other_write_kept() {
    let env = fleet();
    env.api.after_get(
        GROUP,
        "rollouts",
        "a",
        "r1",
        1,
        Box::new(|o| o["status"]["message"] = json!("written by the controller")),
    );
    let run = env.run(&["rollout", "approve", "-l", "team=shop", "-n", "a"]);
    run.expect_code(0);
    let r1 = env.api.get(GROUP, "rollouts", "a", "r1").unwrap();
    assert_eq!(
        r1["status"]["canaryStatus"]["currentStepState"],
        "StepReady"
    );
    assert_eq!(r1["status"]["message"], "written by the controller");
    let patches = env
        .writes()
        .into_iter()
        .filter(|w| w.path.contains("/rollouts/r1/"))
        .count();
    assert_eq!(patches, 2, "a 409, then the write on what was read again");
    assert_eq!(run.stderr.lines().last(), Some("1 approved, 1 unchanged"));
}

#[test]
fn all_in_a_namespace_and_several_names_at_once() {
    let env = fleet();
    let run = env.run(&["rollout", "pause", "--all", "-n", "b"]);
    run.expect_code(0);
    assert_eq!(run.stderr.lines().last(), Some("2 paused"));
    for n in ["r3", "r4"] {
        assert_eq!(
            env.api.get(GROUP, "rollouts", "b", n).unwrap()["spec"]["strategy"]["paused"],
            true
        );
    }
    // A missing name among present ones: the others are done, and the error sets exit 1.
    let run = env.run(&["rollout", "resume", "r3", "gone", "r4", "-n", "b"]);
    run.expect_code(1)
        .assert_stderr("error: rollouts.rollouts.kruise.io \"gone\" not found in namespace \"b\"");
    assert_eq!(run.stderr.lines().last(), Some("2 resumed, 1 failed"));
}

fn write_file(env: &Env, rel: &str, text: &str) -> String {
    let path = env.dir.path().join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

const FILE: &str = "\
apiVersion: rollouts.kruise.io/v1alpha1
kind: Rollout
metadata:
  name: rollouts-nginx
---
apiVersion: apps.kruise.io/v1alpha1
kind: CloneSet
metadata:
  name: web
  namespace: default
";

#[test]
fn objects_from_files_directories_and_stdin_are_read_again_and_acted_on() {
    let env = Env::new().with(&["rollout-seed-v1beta1.yaml", "workloads.yaml"]);
    let file = write_file(&env, "manifests/release.yaml", FILE);
    let run = env.run(&["rollout", "pause", "-f", &file]);
    run.expect_code(0);
    assert_eq!(
        run.stdout,
        "rollout.rollouts.kruise.io/rollouts-nginx paused\ncloneset.apps.kruise.io/web paused\n"
    );
    assert_eq!(run.stderr.lines().last(), Some("2 paused"));
    // Read again from the server at the version it prefers, not taken from the file.
    assert!(env.api.requests().iter().any(|r| r.method == "GET"
        && r.path
            == "/apis/rollouts.kruise.io/v1beta1/namespaces/default/rollouts/rollouts-nginx"));

    // A directory, recursively, with a JSON List in a subdirectory.
    write_file(
        &env,
        "manifests/deeper/list.json",
        r#"{"apiVersion": "v1", "kind": "List", "items": [
            {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api"}}]}"#,
    );
    let dir = env.dir.path().join("manifests").display().to_string();
    let run = env.run(&["rollout", "resume", "-f", &dir, "-R"]);
    run.expect_code(0);
    assert_eq!(run.stderr.lines().last(), Some("2 resumed, 1 unchanged"));
    // Without -R the subdirectory is not read.
    let run = env.run(&["rollout", "resume", "-f", &dir]);
    assert_eq!(run.stderr.lines().last(), Some("2 unchanged"));

    // stdin
    let mut child = env
        .command(&["rollout", "pause", "-f", "-"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(FILE.as_bytes())
        .unwrap();
    let run = wait(child, std::time::Duration::from_secs(30));
    run.expect_code(0);
    assert_eq!(run.stderr.lines().last(), Some("2 paused"));
}

#[test]
fn bad_target_flags_are_usage_errors_before_any_request() {
    let env = Env::new().with(&["workloads.yaml"]);
    let other = write_file(
        &env,
        "svc.yaml",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n",
    );
    let cases: &[(&[&str], &str)] = &[
        (&["-l", "team in (shop"], "invalid label selector"),
        (&["-l", "a=b=c"], "invalid label selector"),
        (
            &["web", "-l", "team=shop"],
            "with -l, --all or -A give only a type",
        ),
        (
            &["rollout", "web", "-l", "team=shop"],
            "names cannot be combined with -l",
        ),
        (&["rollout/web", "-A"], "names cannot be combined"),
        (
            &["-f", &other],
            "Service \"s\" (v1) is not a rollout or a workload kind",
        ),
        (
            &["-f", "/nonexistent/x.yaml"],
            "cannot read /nonexistent/x.yaml",
        ),
        (
            &["pod/web"],
            "\"pod\" is neither a rollout nor a workload kind",
        ),
        (&[], "name a target"),
    ];
    for (args, msg) in cases {
        let mut full = vec!["rollout", "pause"];
        full.extend_from_slice(args);
        env.run(&full).expect_code(2).assert_stderr(msg);
    }
    env.run(&["rollout", "list", "-l", "x in ("])
        .expect_code(2)
        .assert_stderr("invalid label selector");
    assert!(env.api.requests().is_empty(), "{:?}", env.api.requests());
    // The file's namespace must agree with -n, as kubectl requires.
    let f = write_file(&env, "ns.yaml", FILE);
    env.run(&["rollout", "pause", "-f", &f, "-n", "other"])
        .expect_code(2)
        .assert_stderr("does not match -n other");
}

#[test]
fn workloads_by_type_and_selector() {
    let env = Env::new().with(&["workloads.yaml"]);
    let run = env.run(&[
        "rollout",
        "restart",
        "deployment",
        "-l",
        "team=shop",
        "--dry-run",
    ]);
    run.expect_code(0);
    assert_eq!(run.stdout, "deployment.apps/api restarted (dry run)\n");
    let run = env.run(&["rollout", "status", "cloneset,statefulset", "--all"]);
    run.expect_code(2);
    let run = env.run(&[
        "rollout",
        "status",
        "statefulsets.apps.kruise.io",
        "-l",
        "team",
        "-o",
        "json",
    ]);
    let doc = run.expect_code(0).json();
    assert_eq!(doc["items"][0]["name"], "db");
    assert_eq!(doc["items"].as_array().unwrap().len(), 1);
}

#[test]
fn a_gate_over_many_waits_for_all_and_fails_fast() {
    let env = Env::new();
    rollout(&env, "default", "one", "shop", "StepPaused");
    rollout(&env, "default", "two", "shop", "StepPaused");
    let complete = |o: &mut Value| {
        o["status"]["phase"] = json!("Healthy");
        o["status"]["conditions"] = json!([
            {"type": "Progressing", "status": "False", "reason": "Completed"},
            {"type": "Succeeded", "status": "True"}]);
    };
    // The gate over every rollout of team shop.
    let gate = || {
        env.spawn(&[
            "rollout",
            "status",
            "-l",
            "team=shop",
            "--until=completed",
            "--timeout=20s",
        ])
    };
    let child = gate();
    eventually("both watches open", || env.api.open_watches() >= 2);
    env.api
        .modify(GROUP, "rollouts", "default", "one", complete);
    env.api
        .modify(GROUP, "rollouts", "default", "two", complete);
    let run = wait(child, std::time::Duration::from_secs(20));
    run.expect_code(0);
    assert_eq!(run.stderr.lines().last(), Some("2 done"));

    rollout(&env, "default", "three", "shop", "StepPaused");
    let child = gate();
    eventually("the watch of three is open", || env.api.open_watches() >= 1);
    env.api.modify(GROUP, "rollouts", "default", "three", |o| {
        o["status"]["conditions"][0]["reason"] = json!("Cancelling")
    });
    let run = wait(child, std::time::Duration::from_secs(20));
    run.expect_code(4)
        .assert_stderr("three can no longer reach completed");
}

#[test]
fn a_hundred_rollouts_in_one_call() {
    let env = Env::new();
    for i in 0..100 {
        rollout(&env, "fleet", &format!("r{i:03}"), "shop", "StepPaused");
    }
    let run = env.run(&["rollout", "approve", "--all", "-n", "fleet", "-o", "name"]);
    run.expect_code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 100);
    assert_eq!(lines[0], "rollout.rollouts.kruise.io/r000");
    assert_eq!(lines[99], "rollout.rollouts.kruise.io/r099");
    assert_eq!(run.stderr.lines().last(), Some("100 approved"));
    assert_eq!(env.writes().len(), 100);
}

#[test]
fn ctrl_c_during_a_bulk_write_leaves_each_object_written_or_untouched() {
    let env = Env::new();
    for i in 0..40 {
        rollout(&env, "fleet", &format!("r{i:02}"), "shop", "StepPaused");
    }
    // Every write takes a while, so the interrupt lands in the middle of the run.
    env.api.fault(
        Some("PATCH"),
        40,
        fake_apiserver::Fault::Delay(std::time::Duration::from_millis(150)),
    );
    let child = env.spawn(&["rollout", "approve", "--all", "-n", "fleet", "--no-event"]);
    eventually("some approvals made", || {
        env.api.accepted_writes().len() >= 8
    });
    let run = interrupt(child, std::time::Duration::from_secs(20));
    run.expect_code(130);
    run.assert_stderr("interrupted: ");
    // Each object is approved or untouched: never anything in between.
    let states: Vec<String> = (0..40)
        .map(|i| state(&env, "fleet", &format!("r{i:02}")))
        .collect();
    assert!(
        states.iter().all(|s| s == "StepPaused" || s == "StepReady"),
        "{states:?}"
    );
    let approved = states.iter().filter(|s| *s == "StepReady").count();
    assert!(
        (8..40).contains(&approved),
        "interrupted midway: {approved} approved"
    );
    assert_eq!(
        approved,
        env.api.accepted_writes().len(),
        "every accepted write shows, no other"
    );
}

#[test]
fn ctrl_c_during_approve_wait_keeps_the_approval_and_exits_130() {
    let env = Env::new();
    rollout(&env, "default", "web", "shop", "StepPaused");
    // No controller moves it on: --wait waits until interrupted.
    let child = env.spawn(&["rollout", "approve", "web", "--expect-step=1", "--wait"]);
    eventually("waiting on the watch", || env.api.open_watches() == 1);
    let run = interrupt(child, std::time::Duration::from_secs(10));
    run.expect_code(130);
    run.assert_stdout("approved (step 1/3 -> 2/3)");
    assert_eq!(state(&env, "default", "web"), "StepReady");
    assert_eq!(env.writes().len(), 1);
}
