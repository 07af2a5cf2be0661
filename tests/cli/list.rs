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
fn reads_the_watch_cache_in_one_request_and_etcd_page_by_page() {
    let env = Env::new();
    for i in 0..7 {
        let mut r = fixture("rollout-seed-v1beta1.yaml");
        r["metadata"]["name"] = json!(format!("r{i}"));
        env.api.insert(r);
    }
    // By default: one read from the watch cache, whatever the size, shown in table chunks.
    let run = env.run(&["rollout", "list", "--chunk-size", "3"]);
    run.expect_code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 8, "one header and seven rows:\n{}", run.stdout);
    assert_eq!(lines.iter().filter(|l| l.starts_with("NAME")).count(), 1);
    // One discovery request (are KubeVela's kinds served?) beside one list.
    let reqs = env.api.requests();
    assert_eq!(reqs.len(), 2, "{reqs:?}");
    assert_eq!(reqs.iter().filter(|r| r.path == "/apis").count(), 1);
    let lists: Vec<String> = reqs
        .iter()
        .filter(|r| r.path != "/apis")
        .map(|r| r.query.clone())
        .collect();
    assert!(lists[0].contains("resourceVersion=0"), "{lists:?}");
    assert!(
        lists[0].contains("resourceVersionMatch=NotOlderThan"),
        "{lists:?}"
    );
    assert!(!lists[0].contains("limit="), "{lists:?}");

    // --consistent: from etcd, page by page, never with resourceVersion=0.
    env.api.clear_requests();
    let run = env.run(&["rollout", "list", "--consistent", "--chunk-size", "3"]);
    run.expect_code(0);
    assert_eq!(run.stdout.lines().count(), 8);
    let lists: Vec<String> = env
        .api
        .requests()
        .iter()
        .filter(|r| r.path != "/apis")
        .map(|r| r.query.clone())
        .collect();
    assert_eq!(lists.len(), 3, "{lists:?}");
    assert!(
        lists
            .iter()
            .all(|q| q.contains("limit=3") && !q.contains("resourceVersion"))
    );
    assert!(lists[1].contains("continue="), "{lists:?}");
}

#[test]
fn a_cached_list_that_ignores_limit_arrives_whole_and_is_read_item_by_item() {
    let env = Env::new();
    for i in 0..40 {
        let mut r = fixture("rollout-seed-v1beta1.yaml");
        r["metadata"]["name"] = json!(format!("r{i:02}"));
        env.api.insert(r);
    }
    // The fake, like a 1.28 server, ignores limit for resourceVersion=0.
    let doc = raw_get(
        &env,
        "/apis/rollouts.kruise.io/v1beta1/rollouts?resourceVersion=0&limit=5",
    );
    assert_eq!(doc["items"].as_array().unwrap().len(), 40);
    assert!(doc["metadata"].get("continue").is_none());
    let doc = raw_get(&env, "/apis/rollouts.kruise.io/v1beta1/rollouts?limit=5");
    assert_eq!(doc["items"].as_array().unwrap().len(), 5, "etcd reads page");
    let run = env.run(&["rollout", "list", "-o", "name"]);
    assert_eq!(run.expect_code(0).stdout.lines().count(), 40);
    let run = env.run(&["rollout", "list", "-o", "json"]);
    assert_eq!(
        run.expect_code(0).json()["items"].as_array().unwrap().len(),
        40
    );
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

/// One GET to the fake, as plain HTTP/1.0: the JSON body.
fn raw_get(env: &Env, path: &str) -> Value {
    use std::io::{Read, Write};
    let mut conn = std::net::TcpStream::connect(env.server.addr).unwrap();
    write!(conn, "GET {path} HTTP/1.0\r\nHost: fake\r\n\r\n").unwrap();
    let mut text = String::new();
    conn.read_to_string(&mut text).unwrap();
    let body = text.split_once("\r\n\r\n").unwrap().1;
    serde_json::from_str(body).unwrap()
}

/// Peak memory (KiB) of `kubectl-kruise ARGS` against a fake holding `n` rollouts.
fn peak_rss(n: usize, args: &[&str]) -> Option<u64> {
    let time = crate::harness::tool("time", "the flat-memory list test")?;
    let env = Env::new();
    let mut r = fixture("rollout-seed-v1beta1.yaml");
    // Small objects keep the fake quick; the plugin's memory is what is measured.
    r["status"]["conditions"] = json!([]);
    for i in 0..n {
        r["metadata"]["name"] = json!(format!("r{i:06}"));
        r["metadata"]["namespace"] = json!(format!("ns{}", i % 50));
        env.api.insert(r.clone());
    }
    let mut cmd = env.command(&[]);
    let bin = cmd.get_program().to_owned();
    cmd = std::process::Command::new(time);
    cmd.arg("-f")
        .arg("peak %M")
        .arg(bin)
        .args(args)
        .env_clear()
        .env("KUBECONFIG", &env.kubeconfig)
        .env("HOME", env.dir.path());
    cmd.stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    // A debug build decodes many rollouts slowly; the deadline is for a hang, not speed.
    let run = crate::harness::wait(cmd.spawn().unwrap(), std::time::Duration::from_secs(180));
    run.expect_code(0);
    assert_eq!(run.stdout.lines().count(), n + 1, "a header and a row each");
    let peak = run
        .stderr
        .lines()
        .last()
        .unwrap()
        .trim_start_matches("peak ")
        .trim();
    Some(peak.parse().unwrap())
}

#[test]
fn memory_stays_flat_from_5000_to_25000_rollouts() {
    // (`bash bench/run.sh` measures 5,000 and 50,000 in a release build.)
    let Some(small) = peak_rss(5_000, &["rollout", "list", "-A"]) else {
        return;
    };
    let large = peak_rss(25_000, &["rollout", "list", "-A"]).unwrap();
    eprintln!("peak RSS: 5,000 rollouts {small} KiB, 25,000 rollouts {large} KiB");
    // Five times the rollouts, one body from the watch cache: at most a few MiB more.
    assert!(
        large < small + 4 * 1024,
        "5,000: {small} KiB, 25,000: {large} KiB"
    );
}
