//! `rollout list --watch`: the live fleet view, in a pipe, as JSON lines and on a terminal;
//! one list then one watch, reconnecting, relisting on 410, and nothing polled.

use std::time::Duration;

use serde_json::{Value, json};

use crate::harness::{Env, GROUP, eventually, fixture, interrupt, tool};

fn fleet() -> Env {
    let env = Env::new();
    for (ns, name, state) in [
        ("a", "web", "StepPaused"),
        ("a", "cart", "StepUpgrade"),
        ("b", "search", "StepPaused"),
    ] {
        let mut r = fixture("rollout-seed-v1beta1.yaml");
        r["metadata"]["name"] = json!(name);
        r["metadata"]["namespace"] = json!(ns);
        r["status"]["canaryStatus"]["currentStepState"] = json!(state);
        // Two days old: AGE reads 2d throughout, so only what a test changes is redrawn.
        let created = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(49);
        r["metadata"]["creationTimestamp"] = json!(created.to_string());
        env.api.insert(r);
    }
    env
}

fn lists(env: &Env) -> usize {
    env.api
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path != "/apis" && !r.query.contains("watch=true"))
        .count()
}

#[test]
fn in_a_pipe_one_line_per_change_after_one_list_then_one_watch() {
    let env = fleet();
    let child = env.spawn(&["rollout", "list", "--watch", "-A"]);
    eventually("the watch is open", || env.api.open_watches() == 1);
    env.api.modify(GROUP, "rollouts", "a", "cart", |o| {
        o["status"]["canaryStatus"]["currentStepState"] = json!("StepPaused")
    });
    env.api.delete(GROUP, "rollouts", "b", "search");
    eventually("both changes seen", || {
        env.api.requests().len() >= 2 && env.api.open_watches() == 1
    });
    std::thread::sleep(Duration::from_millis(300));
    let run = interrupt(child, Duration::from_secs(10));
    run.expect_code(130);
    let lines: Vec<&str> = run.stdout.lines().collect();
    // The listed fleet, what needs a person first, then its count.
    assert!(lines[0].contains(" LISTED a/web "), "{}", run.stdout);
    assert!(lines[1].contains(" LISTED b/search "), "{}", run.stdout);
    assert!(lines[2].contains(" LISTED a/cart "), "{}", run.stdout);
    assert!(lines[3].ends_with("3 rollouts: 2 waiting for approval, 1 progressing"));
    assert!(lines[4].contains(" MODIFIED a/cart ") && lines[4].contains("waiting for approval"));
    assert!(lines[5].contains(" DELETED b/search "), "{}", run.stdout);
    assert_eq!(lines.len(), 6);
    // One list, one discovery (which KubeVela kinds to watch too) and one watch: nothing
    // else.
    // The list and discovery go out together (either may arrive first); the watch follows.
    let reqs = env.api.requests();
    assert_eq!(reqs.len(), 3, "{reqs:?}");
    assert_eq!(reqs.iter().filter(|r| r.path == "/apis").count(), 1);
    let list = reqs
        .iter()
        .position(|r| r.path.ends_with("/rollouts") && r.query.contains("resourceVersion=0"))
        .unwrap_or_else(|| panic!("one list: {reqs:?}"));
    assert!(list < 2, "{reqs:?}");
    assert!(reqs[2].query.contains("watch=true"), "{reqs:?}");
}

#[test]
fn json_lines_carry_the_summary_and_the_event() {
    let env = fleet();
    let child = env.spawn(&["rollout", "list", "-w", "-n", "a", "-o", "json"]);
    eventually("the watch is open", || env.api.open_watches() == 1);
    env.api.modify(GROUP, "rollouts", "a", "web", |o| {
        o["spec"]["strategy"]["paused"] = json!(true)
    });
    std::thread::sleep(Duration::from_millis(300));
    let run = interrupt(child, Duration::from_secs(10));
    let docs: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(docs.len(), 3, "{}", run.stdout);
    assert_eq!(
        (docs[0]["event"].as_str(), docs[0]["name"].as_str()),
        (Some("LISTED"), Some("web"))
    );
    assert_eq!(docs[1]["name"], "cart");
    assert_eq!(docs[2]["event"], "MODIFIED");
    assert_eq!(docs[2]["stage"], "Paused");
    env.run(&["rollout", "list", "-w", "-o", "yaml"])
        .expect_code(2);
}

#[test]
fn an_idle_fleet_costs_no_requests() {
    let env = fleet();
    let child = env.spawn(&["rollout", "list", "--watch", "-A"]);
    eventually("the watch is open", || env.api.open_watches() == 1);
    let before = env.api.requests().len();
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(env.api.requests().len(), before, "requests while idle");
    interrupt(child, Duration::from_secs(10)).expect_code(130);
}

#[test]
fn a_dropped_watch_resumes_from_where_it_was_and_a_gone_one_lists_again() {
    let env = fleet();
    let child = env.spawn(&["rollout", "list", "--watch", "-A"]);
    eventually("the watch is open", || env.api.open_watches() == 1);
    // Dropped: watch again from the last resourceVersion, no new list.
    env.api.drop_watches();
    eventually("watching again", || {
        env.api.open_watches() == 1
            && env
                .api
                .requests()
                .iter()
                .filter(|r| r.query.contains("watch=true"))
                .count()
                == 2
    });
    let last_watch = env.api.requests().pop().unwrap();
    assert!(
        last_watch.query.contains("resourceVersion="),
        "{}",
        last_watch.query
    );
    assert!(!last_watch.query.contains("resourceVersion=0&"));
    assert_eq!(lists(&env), 1);
    // Dropped while the server forgot that resourceVersion: 410 Gone, so list again.
    env.api.drop_watches();
    env.api.modify(GROUP, "rollouts", "a", "cart", |o| {
        o["status"]["canaryStatus"]["currentStepState"] = json!("StepPaused")
    });
    env.api.compact();
    eventually("listed again and watching", || {
        lists(&env) == 2 && env.api.open_watches() == 1
    });
    let run = interrupt(child, Duration::from_secs(10));
    run.expect_code(130);
    // The relisted fleet shows the change made while it was not watching.
    let tail: Vec<&str> = run.stdout.lines().rev().take(4).collect();
    assert!(
        tail[0].ends_with("3 rollouts: 3 waiting for approval"),
        "{}",
        run.stdout
    );
}

#[test]
fn on_a_terminal_only_the_changed_rows_are_redrawn() {
    let Some(script) = tool("script", "the fleet terminal test") else {
        return;
    };
    let env = fleet();
    let child = env
        .on_a_terminal(&script, "rollout list --watch -A")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    eventually("the watch is open", || env.api.open_watches() == 1);
    env.api.modify(GROUP, "rollouts", "a", "cart", |o| {
        o["spec"]["strategy"]["paused"] = json!(true)
    });
    std::thread::sleep(Duration::from_millis(500));
    // Ending `script` ends the plugin with it.
    let run = interrupt(child, Duration::from_secs(10));
    let out = run.stdout;
    assert!(
        out.contains("3 rollouts: 2 waiting for approval, 1 progressing"),
        "{out}"
    );
    assert!(
        out.contains("3 rollouts: 2 waiting for approval, 1 paused"),
        "{out}"
    );
    // The redraw moves the cursor back up and rewrites only lines that changed: the
    // rows of web and search are written once.
    assert!(out.contains("\u{1b}["), "{out}");
    assert_eq!(out.matches("search").count(), 1, "{out}");
    assert_eq!(out.matches("web   ").count(), 1, "{out}");
    assert!(out.matches("cart").count() >= 2, "{out}");
}

#[test]
fn kubevela_releases_are_watched_as_list_lists_them() {
    let env = fleet();
    env.api.serve_kubevela();
    let env = env.with(&["kubevela/approllout.yaml", "kubevela/trait.yaml"]);
    let listed = env.run(&["rollout", "list", "-A"]);
    listed.expect_code(0);
    let kinds_listed = listed.stdout.lines().count() - 1;
    let child = env.spawn(&["rollout", "list", "--watch", "-A"]);
    // Kruise's rollouts, AppRollouts and trait Rollouts: one watch each.
    eventually("every kind is watched", || env.api.open_watches() == 3);
    env.api.modify(
        "core.oam.dev",
        "approllouts",
        "default",
        "rolling-example",
        |o| o["spec"]["rolloutPlan"]["paused"] = json!(true),
    );
    std::thread::sleep(Duration::from_millis(300));
    let run = interrupt(child, Duration::from_secs(10));
    run.expect_code(130);
    let out = &run.stdout;
    let listed_lines = out.lines().filter(|l| l.contains(" LISTED ")).count();
    assert_eq!(
        listed_lines, kinds_listed,
        "list and list --watch agree:\n{out}"
    );
    assert!(out.contains(" LISTED default/rolling-example "), "{out}");
    assert!(out.contains(" LISTED default/express-server "), "{out}");
    let modified: Vec<&str> = out.lines().filter(|l| l.contains(" MODIFIED ")).collect();
    assert_eq!(modified.len(), 1, "{out}");
    assert!(
        modified[0].contains("default/rolling-example  Paused"),
        "{out}"
    );
}
