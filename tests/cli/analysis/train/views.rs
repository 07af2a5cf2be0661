//! A train seen: its live lines on a terminal, its panel on the dashboard.

use std::time::Duration;

use serde_json::json;

use super::train;
use crate::harness::{eventually, run_command};

#[test]
fn on_a_terminal_each_cluster_has_a_live_line() {
    let Some(script) = crate::harness::tool("script", "the train's terminal test") else {
        return;
    };
    let t = train(&["a", "b", "c"], &[]);
    t.rule.lock().unwrap().bad.push("c".into());
    let words = t.args(&["--contexts=a,b,c"]).join(" ");
    let mut cmd = t.many.env("a").on_a_terminal(&script, &words);
    cmd.env("KUBECONFIG", &t.many.kubeconfig);
    let r = run_command(cmd);
    let out = &r.stdout;
    // A line per cluster, redrawn in place, left as the train left it.
    assert!(out.contains("\u{1b}["), "{out}");
    // (`a ⠁ waiting` while it spins; the spinner gone once it ended: `a   done`)
    assert!(out.contains("a   done"), "{out}");
    assert!(out.contains("b   done"), "{out}");
    assert!(out.contains("c   failed"), "{out}");
    assert!(out.contains(" waiting "), "{out}");
    // While a cluster runs, its line is its autopilot's status.
    assert!(out.contains("rollouts-nginx: analysing step 2/3"), "{out}");
    // The event lines go above the view, whole.
    assert!(out.contains("[a] step 1/3: analysis Successful"), "{out}");
    assert!(out.contains("release train stopped at c (3/3)"), "{out}");
}

/// The dashboard's train panel: each cluster's last word on the train, from the Events the
/// train recorded, live.
#[test]
fn the_dashboard_shows_the_train_cluster_by_cluster() {
    use crate::dashboard::Dashboard;
    use crate::dashboard::browser::{js, until, with_browser};

    let t = train(&["a", "b", "c"], &[]);
    t.rule.lock().unwrap().bad.push("b".into());
    let d = Dashboard::start_with(|a| t.many.command(a), &["--contexts=a,b,c"]);
    assert_eq!(d.listed_fleet()["trains"], json!([]));
    t.run(&["--contexts=a,b,c"]).expect_code(4);
    let notes = || -> Vec<(String, String)> {
        d.fleet()["trains"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| {
                (
                    format!(
                        "{} {}/{}",
                        n["cluster"].as_str().unwrap(),
                        n["namespace"].as_str().unwrap(),
                        n["rollout"].as_str().unwrap()
                    ),
                    n["action"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    eventually("the dashboard has the train's notes", || notes().len() == 2);
    assert_eq!(
        notes(),
        [
            ("a default/rollouts-nginx".to_string(), "Passed".to_string()),
            (
                "b default/rollouts-nginx".to_string(),
                "Stopped".to_string()
            )
        ]
    );
    let url = d.url.clone();
    with_browser("the dashboard's train panel", |c| async move {
        c.goto(&url).await.unwrap();
        until(
            &c,
            "the train panel",
            "return !document.getElementById('trains').hidden && \
             document.getElementById('trains').innerText.includes('b: Stopped')",
            Duration::from_secs(10),
        )
        .await;
        let text = js(&c, "return document.getElementById('trains').innerText").await;
        let text = text.as_str().unwrap();
        for want in [
            "Release trains",
            "default/rollouts-nginx",
            "a: Passed",
            "c: —",
            "release train: cluster 2/3 (b) stopped the train: ",
            "error-ratio Failed 0.5",
        ] {
            assert!(text.contains(want), "{want:?} in {text}");
        }
    });
}
