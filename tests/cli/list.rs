//! `rollout list` against the fake API server.

use serde_json::{Value, json};

use crate::harness::{Env, fixture};

fn env_with_three() -> Env {
    let env = Env::new().with(&[
        "rollout-seed-v1beta1.yaml",
        "rollout-v1beta1-bluegreen.yaml",
    ]);
    let mut other = fixture("rollout-seed-v1beta1.yaml");
    other["metadata"]["name"] = json!("api");
    other["metadata"]["namespace"] = json!("team-a");
    env.api.insert(other);
    env
}

#[test]
fn lists_the_namespace_with_kubectl_like_columns() {
    let env = env_with_three();
    let run = env.run(&["rollout", "list"]);
    run.expect_code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    let cols: Vec<&str> = lines[0].split_whitespace().collect();
    assert_eq!(
        cols,
        [
            "NAME", "WORKLOAD", "STRATEGY", "STEP", "STATE", "READY", "PHASE", "AGE"
        ]
    );
    let row: Vec<&str> = lines[1].split_whitespace().collect();
    assert_eq!(
        &row[..7],
        [
            "rollouts-nginx",
            "Deployment/nginx",
            "partition",
            "1/3",
            "WaitingForApproval",
            "1/1",
            "Progressing"
        ]
    );
    assert!(lines[2].starts_with("shop "), "{}", lines[2]);
}

#[test]
fn all_namespaces_adds_the_namespace_column() {
    let env = env_with_three();
    let run = env.run(&["rollout", "list", "-A"]);
    run.expect_code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 4);
    assert!(lines[0].starts_with("NAMESPACE "));
    run.assert_stdout("team-a      api");
}

#[test]
fn pages_through_large_lists() {
    let env = Env::new();
    for i in 0..7 {
        let mut r = fixture("rollout-seed-v1beta1.yaml");
        r["metadata"]["name"] = json!(format!("r{i}"));
        env.api.insert(r);
    }
    let run = env.run(&["rollout", "list", "--chunk-size", "3"]);
    run.expect_code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 8, "one header and seven rows:\n{}", run.stdout);
    assert_eq!(lines.iter().filter(|l| l.starts_with("NAME")).count(), 1);
    let lists: Vec<String> = env.api.requests().iter().map(|r| r.query.clone()).collect();
    assert_eq!(lists.len(), 3, "{lists:?}");
    assert!(lists.iter().all(|q| q.contains("limit=3")));
    assert!(lists[1].contains("continue="), "{lists:?}");
}

#[test]
fn json_yaml_and_name_output() {
    let env = env_with_three();
    let list = env
        .run(&["rollout", "list", "-o", "json"])
        .expect_code(0)
        .json();
    assert_eq!(list["kind"], "List");
    let names: Vec<&Value> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| &i["name"])
        .collect();
    assert_eq!(names, [&json!("rollouts-nginx"), &json!("shop")]);
    assert_eq!(list["items"][1]["strategy"], "blueGreen");

    let run = env.run(&["rollout", "list", "-A", "-o", "yaml"]);
    let y: Value = serde_saphyr::from_str(&run.expect_code(0).stdout).unwrap();
    assert_eq!(y["items"].as_array().unwrap().len(), 3);
    assert_eq!(y["items"][0]["namespace"], "default");

    let run = env.run(&["rollout", "list", "-o", "name"]);
    assert_eq!(
        run.stdout,
        "rollout.rollouts.kruise.io/rollouts-nginx\nrollout.rollouts.kruise.io/shop\n"
    );
}

#[test]
fn an_empty_namespace_says_so_on_stderr() {
    let env = Env::new();
    let run = env.run(&["rollout", "list", "-n", "empty"]);
    run.expect_code(0);
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr, "No rollouts found in empty namespace.\n");
    let list = env
        .run(&["rollout", "list", "-o", "json"])
        .expect_code(0)
        .json();
    assert_eq!(list["items"], json!([]));
}

#[test]
fn lists_on_a_v1alpha1_only_cluster() {
    let env = Env::serving(&["v1alpha1"]).with(&["rollout-v1alpha1-canary.yaml"]);
    let run = env.run(&["rollout", "ls"]);
    run.expect_code(0);
    run.assert_stdout("echo   Deployment/echo   canary");
}
