//! `--contexts` and `--all-contexts`: every verb in each named kubeconfig context.

use std::time::{Duration, Instant};

use fake_apiserver::sim::Controller;
use serde_json::{Value, json};

use super::Many;

#[test]
fn list_has_a_cluster_column_and_an_unreachable_cluster_costs_one_line() {
    let many = Many::new(&["eu", "us"], &["asia"]);
    many.env("us").modify_rollout("rollouts-nginx", |r| {
        r["status"]["canaryStatus"]["currentStepIndex"] = json!(2);
    });
    let started = Instant::now();
    let run = many.run(&[
        "rollout",
        "list",
        "--contexts",
        "eu,asia",
        "--contexts=us",
        "--request-timeout=1s",
    ]);
    // The silent cluster is bounded by --request-timeout (and the short retries of reads).
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    run.expect_code(1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    assert!(lines[0].starts_with("CLUSTER   NAME"), "{}", run.stdout);
    assert!(
        lines[1].starts_with("eu        rollouts-nginx"),
        "{}",
        run.stdout
    );
    assert!(lines[1].contains("1/3"), "{}", run.stdout);
    assert!(
        lines[2].starts_with("us        rollouts-nginx"),
        "{}",
        run.stdout
    );
    assert!(lines[2].contains("2/3"), "{}", run.stdout);
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("error:"))
        .collect();
    assert_eq!(errors.len(), 1, "{}", run.stderr);
    assert!(errors[0].starts_with("[asia] error: "), "{}", run.stderr);
    run.assert_stderr("3 clusters: 2 ok, 1 error (asia)");
}

#[test]
fn list_as_json_is_one_list_whose_items_carry_their_cluster() {
    let many = Many::new(&["eu", "us"], &[]);
    for format in ["json", "yaml"] {
        let run = many.run(&["rollout", "list", "--all-contexts", "-o", format]);
        run.expect_code(0);
        let doc: Value = if format == "json" {
            run.json()
        } else {
            serde_saphyr::from_str(&run.stdout).unwrap()
        };
        assert_eq!(doc["kind"], json!("List"));
        let items = doc["items"].as_array().unwrap();
        let seen: Vec<(&str, &str)> = items
            .iter()
            .map(|i| (i["cluster"].as_str().unwrap(), i["name"].as_str().unwrap()))
            .collect();
        assert_eq!(
            seen,
            vec![("eu", "rollouts-nginx"), ("us", "rollouts-nginx")],
            "{format}"
        );
    }
}

#[test]
fn approve_acts_in_every_context_of_a_five_context_kubeconfig_at_once() {
    let names = ["c1", "c2", "c3", "c4", "c5"];
    let many = Many::new(&names, &[]);
    let run = many.run(&["rollout", "approve", "rollouts-nginx", "--all-contexts"]);
    run.expect_code(0);
    for n in names {
        assert_eq!(many.approvals(n), 1, "{n}");
        assert_eq!(super::step_of(many.env(n)), (1, "StepReady".into()));
        run.assert_stdout(&format!(
            "[{n}] rollout.rollouts.kruise.io/rollouts-nginx approved (step 1/3 -> 2/3)"
        ));
    }
    // In the kubeconfig's order, however they finished.
    let order: Vec<&str> = run.stdout.lines().map(|l| &l[..4]).collect();
    assert_eq!(order, vec!["[c1]", "[c2]", "[c3]", "[c4]", "[c5]"]);
    run.assert_stderr("5 clusters: 5 ok");
}

#[test]
fn exit_codes_combine_over_clusters_most_severe_first() {
    let many = Many::new(&["eu", "us"], &["asia"]);
    // us is not waiting for an approval: refused there, nothing written.
    many.env("us").modify_rollout("rollouts-nginx", |r| {
        r["status"]["canaryStatus"]["currentStepState"] = json!("StepUpgrade");
    });
    let run = many.run(&["rollout", "approve", "rollouts-nginx", "--contexts=eu,us"]);
    run.expect_code(5);
    assert_eq!((many.approvals("eu"), many.approvals("us")), (1, 0));
    run.assert_stderr("[us] error: ")
        .assert_stderr("2 clusters: 1 ok, 1 refused (us)");
    // An unreachable cluster outweighs a refusal.
    let run = many.run(&[
        "rollout",
        "approve",
        "rollouts-nginx",
        "--contexts=asia,us",
        "--request-timeout=1s",
    ]);
    run.expect_code(1)
        .assert_stderr("2 clusters: 1 error (asia), 1 refused (us)");
}

#[test]
fn status_until_waits_for_every_cluster_and_fails_fast() {
    let many = Many::new(&["eu", "us"], &[]);
    // Both wait at step 1: the condition holds in each.
    let run = many.run(&[
        "rollout",
        "status",
        "rollouts-nginx",
        "--contexts=eu,us",
        "--until=paused",
        "--timeout=20s",
    ]);
    run.expect_code(0)
        .assert_stderr("[eu] rollout.rollouts.kruise.io/rollouts-nginx reached paused")
        .assert_stderr("[us] rollout.rollouts.kruise.io/rollouts-nginx reached paused");

    // us never completes (no controller); eu's release is rolled back: the gate fails at
    // once, without waiting out the timeout for us.
    let eu = Controller::new(&many.env("eu").api, "default", "rollouts-nginx");
    eu.cancel();
    for _ in 0..10 {
        eu.reconcile();
    }
    let started = Instant::now();
    let run = many.run(&[
        "rollout",
        "status",
        "rollouts-nginx",
        "--contexts=eu,us",
        "--until=completed",
        "--timeout=60s",
    ]);
    assert!(started.elapsed() < Duration::from_secs(30));
    run.expect_code(4)
        .assert_stderr("[eu] error: ")
        .assert_stderr("2 clusters: 1 rollout failed (eu), 1 not waited for (us)\n");
}

#[test]
fn each_context_is_asked_in_its_namespace_or_the_one_given() {
    let many = Many::new(&["eu", "us"], &[]);
    // us's context names a namespace of its own; eu's names none (default).
    let mut kc: Value =
        serde_saphyr::from_str(&std::fs::read_to_string(&many.kubeconfig).unwrap()).unwrap();
    kc["contexts"][1]["context"]["namespace"] = json!("team-b");
    std::fs::write(&many.kubeconfig, serde_saphyr::to_string(&kc).unwrap()).unwrap();
    let asked = |name: &str, ns: &str| {
        many.env(name)
            .api
            .requests()
            .iter()
            .any(|r| r.path.contains(&format!("/namespaces/{ns}/rollouts")))
    };
    let run = many.run(&["rollout", "list", "--contexts=eu,us"]);
    run.expect_code(0)
        .assert_stdout("eu        rollouts-nginx")
        .assert_stderr("[us] No rollouts found in team-b namespace.");
    assert!(asked("eu", "default") && !asked("eu", "team-b"));
    assert!(asked("us", "team-b") && !asked("us", "default"));

    let run = many.run(&["rollout", "list", "--contexts=eu,us", "-n", "team-a"]);
    run.expect_code(0)
        .assert_stderr("[eu] No rollouts found in team-a namespace.")
        .assert_stderr("[us] No rollouts found in team-a namespace.");
    assert!(asked("eu", "team-a") && asked("us", "team-a"));
}

#[test]
fn the_cluster_flags_are_checked_before_any_cluster_is_asked() {
    let many = Many::new(&["eu", "us"], &[]);
    let cases: &[(&[&str], i32, &str)] = &[
        (
            &["rollout", "list", "--contexts=eu", "--context=us"],
            2,
            "--context names one context and --contexts several",
        ),
        (
            &["rollout", "list", "--contexts=eu", "--all-contexts"],
            2,
            "give one of them",
        ),
        (
            &["rollout", "approve", "rollouts-nginx", "--one-by-one"],
            2,
            "--one-by-one goes from cluster to cluster",
        ),
        (
            &[
                "rollout",
                "approve",
                "x",
                "--contexts=eu,us",
                "--analysis",
                "-",
            ],
            2,
            "a template from stdin (-) can be read only once",
        ),
        (
            &["rollout", "list", "--contexts=eu,nope"],
            1,
            "context \"nope\" does not exist in the kubeconfig (it has: eu, us)",
        ),
        (
            &["rollout", "list", "--contexts=eu", "--member-clusters=all"],
            2,
            "cannot be combined with --contexts",
        ),
    ];
    for (args, code, message) in cases {
        many.run(args).expect_code(*code).assert_stderr(message);
    }
    for (_, env) in &many.clusters {
        assert!(env.api.requests().is_empty(), "{:?}", env.api.requests());
    }
}

#[test]
fn access_grant_applies_one_role_per_cluster() {
    let many = Many::new(&["eu", "us"], &[]);
    for (_, env) in &many.clusters {
        env.api.serve_rbac();
    }
    many.run(&[
        "rollout",
        "access",
        "grant",
        "rollouts-nginx",
        "--subject",
        "serviceaccount:default:ci-bot",
        "--verbs",
        "approve",
        "--apply",
        "--contexts=eu,us",
    ])
    .expect_code(0)
    .assert_stderr("2 clusters: 2 ok");
    for (name, env) in &many.clusters {
        let roles = env.api.list("rbac.authorization.k8s.io", "roles");
        assert_eq!(roles.len(), 1, "{name}: {roles:?}");
    }
}

/// A `list --watch` of eu, us and asia (down), once eu and us are watched: us's release moves
/// on, asia gives up after its --request-timeout, then Ctrl-C.
fn watched(many: &Many, child: std::process::Child) -> crate::harness::Run {
    crate::harness::eventually("both watches are open", || {
        many.env("eu").api.open_watches() == 1 && many.env("us").api.open_watches() == 1
    });
    many.env("us").modify_rollout("rollouts-nginx", |r| {
        r["status"]["canaryStatus"]["currentStepState"] = json!("StepUpgrade");
    });
    std::thread::sleep(Duration::from_millis(2500));
    crate::harness::interrupt(child, Duration::from_secs(10))
}

#[test]
fn list_watch_follows_every_cluster_in_one_view() {
    let many = Many::new(&["eu", "us"], &["asia"]);
    let child = many
        .command(&[
            "rollout",
            "list",
            "--watch",
            "--contexts=eu,us,asia",
            "--request-timeout=1s",
        ])
        .spawn()
        .unwrap();
    let run = watched(&many, child);
    run.expect_code(130);
    let out = &run.stdout;
    assert!(out.contains("[eu] LISTED default/rollouts-nginx"), "{out}");
    assert!(out.contains("[us] LISTED default/rollouts-nginx"), "{out}");
    let modified: Vec<&str> = out.lines().filter(|l| l.contains("MODIFIED")).collect();
    assert_eq!(modified.len(), 1, "{out}");
    assert!(
        modified[0].contains("[us] MODIFIED default/rollouts-nginx"),
        "{out}"
    );
    // The summary: overall, then each cluster, the unreachable one saying why.
    assert!(
        out.contains("3 clusters, 2 rollouts: 1 waiting for approval, 1 progressing"),
        "{out}"
    );
    assert!(
        out.contains("  eu: 1 rollout: 1 waiting for approval"),
        "{out}"
    );
    assert!(out.contains("  asia: error: "), "{out}");
    run.assert_stderr("[asia] error: ");
    // One list, one discovery (which KubeVela kinds to watch too: none here) and one
    // watch per cluster: nothing polled.
    for n in ["eu", "us"] {
        let reqs = many.env(n).api.requests();
        assert_eq!(reqs.len(), 3, "{n}: {reqs:?}");
        assert_eq!(reqs.iter().filter(|r| r.path == "/apis").count(), 1);
    }
}

#[test]
fn list_watch_on_a_terminal_is_one_screen_of_every_cluster() {
    let Some(script) = crate::harness::tool("script", "the many-clusters terminal test") else {
        return;
    };
    let many = Many::new(&["eu", "us"], &["asia"]);
    let child = many.clusters[0]
        .1
        .on_a_terminal(
            &script,
            "rollout list --watch --contexts=eu,us,asia --request-timeout=1s",
        )
        .env("KUBECONFIG", &many.kubeconfig)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let run = watched(&many, child);
    let out = run.stdout;
    assert!(out.contains("CLUSTER   NAME"), "{out}");
    assert!(
        out.contains("3 clusters, 2 rollouts: 2 waiting for approval"),
        "{out}"
    );
    assert!(
        out.contains("3 clusters, 2 rollouts: 1 waiting for approval, 1 progressing"),
        "{out}"
    );
    assert!(out.contains("  us: 1 rollout: 1 progressing"), "{out}");
    assert!(out.contains("  asia: error: "), "{out}");
    // Redrawn in place, not printed line after line.
    assert!(out.contains("\u{1b}["), "{out}");
    assert!(!out.contains("LISTED"), "{out}");
}

#[test]
fn status_blocks_and_documents_name_their_cluster() {
    let many = Many::new(&["eu", "us"], &[]);
    let run = many.run(&["rollout", "status", "rollouts-nginx", "--contexts=us,eu"]);
    run.expect_code(0);
    // Each cluster's block whole, in the order given, every line tagged.
    let first_eu = run.stdout.find("[eu] ").unwrap();
    let last_us = run.stdout.rfind("[us] ").unwrap();
    assert!(last_us < first_eu, "{}", run.stdout);
    assert!(
        run.stdout
            .lines()
            .all(|l| l.starts_with("[us] ") || l.starts_with("[eu] ")),
        "{}",
        run.stdout
    );
    let doc = many
        .run(&[
            "rollout",
            "status",
            "rollouts-nginx",
            "--contexts=us,eu",
            "-o",
            "json",
        ])
        .json();
    let items = doc["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["cluster"], json!("us"));
    assert_eq!(items[1]["cluster"], json!("eu"));
    assert!(
        items
            .iter()
            .all(|i| i["stage"] == json!("WaitingForApproval"))
    );
}

#[test]
fn a_big_list_streamed_in_chunks_is_one_table_with_a_cluster_column_on_every_row() {
    let many = Many::new(&["eu", "us"], &[]);
    let eu = many.env("eu");
    for i in 0..5000 {
        let mut r = crate::harness::fixture("rollout-seed-v1beta1.yaml");
        r["metadata"]["name"] = json!(format!("r{i:04}"));
        eu.api.insert(r);
    }
    let run = many.run(&["rollout", "list", "-A", "--contexts=eu,us"]);
    run.expect_code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    // The seed rollout in each cluster, and eu's 5,000 (read in chunks of 500).
    assert_eq!(lines.len(), 1 + 5002, "{}", &run.stdout[..2000]);
    let headers = lines.iter().filter(|l| l.starts_with("CLUSTER")).count();
    assert_eq!(headers, 1, "one header for every cluster's rows");
    assert!(
        lines[0].starts_with("CLUSTER   NAMESPACE   NAME"),
        "{}",
        lines[0]
    );
    let eu_rows = lines.iter().filter(|l| l.starts_with("eu   ")).count();
    let us_rows = lines.iter().filter(|l| l.starts_with("us   ")).count();
    assert_eq!((eu_rows, us_rows), (5001, 1));
    run.assert_stderr("2 clusters: 2 ok\n");
}

#[test]
fn a_followed_status_tags_every_line_with_its_cluster() {
    let many = Many::new(&["a", "b"], &[]);
    // b waits for approval at step 1; a was rolled back, so the gate fails on a at once.
    let a = Controller::new(&many.env("a").api, "default", "rollouts-nginx");
    a.cancel();
    for _ in 0..10 {
        a.reconcile();
    }
    let run = many.run(&[
        "rollout",
        "status",
        "rollouts-nginx",
        "--contexts=b,a",
        "--until=paused",
        "--timeout=30s",
    ]);
    run.expect_code(4);
    assert!(!run.stdout.is_empty(), "b's status line is printed");
    for line in run.stdout.lines() {
        assert!(
            line.starts_with("[b] ") || line.starts_with("[a] "),
            "untagged: {line:?}\n{}",
            run.stdout
        );
    }
    for line in run.stderr.lines().filter(|l| !l.starts_with("2 clusters")) {
        assert!(line.starts_with('['), "untagged: {line:?}\n{}", run.stderr);
    }
    // Every cluster counted, the line ended.
    assert!(run.stderr.ends_with('\n'), "{:?}", run.stderr);
    let last = run.stderr.lines().last().unwrap_or_default();
    assert!(last.starts_with("2 clusters: "), "{}", run.stderr);
}
