//! Release trains judged by their metrics: `autopilot --one-by-one` over three fake
//! clusters, each with its simulated controller and its own metric (a web endpoint that
//! answers per cluster, the template's `cluster` arg choosing). Here the fixtures and how a
//! train goes and fails; `stops.rs` how it stops and resumes; `reach.rs` a real Prometheus,
//! a hub's members, a bake alone; `views.rs` the terminal and the dashboard.

mod reach;
mod stops;
mod views;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use fake_apiserver::FakeApi;
use fake_apiserver::sim::{Controller, Running};
use serde_json::{Value, json};

use super::SEED;
use super::metrics::Stub;
use crate::clusters::Many;
use crate::gate::mark_released;
use crate::harness::Run;

/// What each cluster's metric answers.
#[derive(Default)]
struct Rule {
    /// An error ratio of 0.5 (fails), else 0.001.
    bad: Vec<String>,
    /// 0.5 once the cluster's release has completed: a regression seen only at 100%.
    bad_when_complete: Vec<String>,
    /// No answer for a minute (an analysis in progress).
    slow: Vec<String>,
}

struct Train {
    many: Many,
    rule: Arc<Mutex<Rule>>,
    stub: Stub,
    template: String,
    _controllers: Vec<(Controller, Option<Running>)>,
}

fn completed(api: &FakeApi) -> bool {
    let r = api
        .get(
            crate::harness::GROUP,
            "rollouts",
            "default",
            "rollouts-nginx",
        )
        .unwrap();
    r["status"]["canaryStatus"]["currentStepState"] == "Completed"
        && r["status"]["canaryStatus"]["currentStepIndex"] == 3
        && image_of(api) == "nginx:1.28"
}

fn image_of(api: &FakeApi) -> String {
    api.get("apps", "deployments", "default", "nginx").unwrap()["spec"]["template"]["spec"]
        ["containers"][0]["image"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The seed release in `env` made to wait at each of three steps, nginx:1.28 deployed; its
/// controller running unless `stopped`.
fn releasing(env: &crate::harness::Env, stopped: bool) -> (Controller, Option<Running>) {
    mark_released(env);
    env.modify_rollout("rollouts-nginx", |r| {
        r["spec"]["strategy"]["canary"]["steps"] = json!([
            {"replicas": "20%", "pause": {}},
            {"replicas": "50%", "pause": {}},
            {"replicas": "80%", "pause": {}}
        ]);
    });
    let ctl = Controller::new(&env.api, "default", "rollouts-nginx");
    let running = (!stopped).then(|| ctl.spawn(Duration::from_millis(20)));
    ctl.deploy("nginx:1.28");
    (ctl, running)
}

/// The metric source: `GET /CLUSTER` answers `{"ratio": R}` as `rule` says for the cluster
/// (whose API is among `apis`).
fn metric(rule: Arc<Mutex<Rule>>, apis: Vec<(String, FakeApi)>) -> Stub {
    Stub::new(move |line| {
        let cluster = line
            .split_whitespace()
            .nth(1)
            .unwrap_or("/")
            .trim_start_matches('/')
            .to_string();
        let slow = rule.lock().unwrap().slow.contains(&cluster);
        if slow {
            std::thread::sleep(Duration::from_secs(60));
        }
        let rule = rule.lock().unwrap();
        let late = rule.bad_when_complete.contains(&cluster)
            && apis.iter().any(|(n, api)| *n == cluster && completed(api));
        let ratio = if rule.bad.contains(&cluster) || late {
            0.5
        } else {
            0.001
        };
        (200, json!({ "ratio": ratio }).to_string())
    })
}

/// The template file (in `dir`) judging each cluster by the stub's answer for it.
fn template(dir: &std::path::Path, stub: &Stub) -> String {
    let text = format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate\nmetadata: {{name: error-rate}}\n\
         spec:\n  args:\n  - name: cluster\n  metrics:\n  - name: error-ratio\n    \
         successCondition: result < 0.01\n    failureCondition: result >= 0.01\n    \
         provider:\n      web: {{url: '{}/{{{{args.cluster}}}}', jsonPath: '{{$.ratio}}'}}\n",
        stub.url
    );
    let path = dir.join("error-rate.yaml");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// Clusters `names`, each releasing nginx:1.28 through three steps that wait for approval;
/// the controllers of `stopped` never run.
fn train(names: &[&str], stopped: &[&str]) -> Train {
    let many = Many::with(names, &[], SEED);
    let controllers = names
        .iter()
        .map(|n| releasing(many.env(n), stopped.contains(n)))
        .collect();
    let rule: Arc<Mutex<Rule>> = Arc::default();
    let apis = names
        .iter()
        .map(|n| (n.to_string(), many.env(n).api.clone()))
        .collect();
    let stub = metric(rule.clone(), apis);
    let template = template(many.env(names[0]).dir.path(), &stub);
    Train {
        many,
        rule,
        stub,
        template,
        _controllers: controllers,
    }
}

impl Train {
    fn args<'a>(&'a self, flags: &[&'a str]) -> Vec<&'a str> {
        autopilot(&self.template, flags)
    }

    fn run(&self, flags: &[&str]) -> Run {
        self.many.run(&self.args(flags))
    }

    fn image(&self, cluster: &str) -> String {
        image_of(&self.many.env(cluster).api)
    }

    fn untouched(&self, cluster: &str) {
        let env = self.many.env(cluster);
        assert!(env.writes().is_empty(), "{cluster}: {:?}", env.writes());
        assert!(env.events().is_empty(), "{cluster}: {:?}", env.events());
        assert_eq!(self.image(cluster), "nginx:1.28");
        assert_eq!(
            crate::clusters::step_of(env).0,
            1,
            "{cluster} still waits at step 1"
        );
    }

    /// The clusters the metric source was asked about, in order, each once per run of
    /// measurements.
    fn measured(&self) -> Vec<String> {
        self.stub
            .requests
            .lock()
            .unwrap()
            .iter()
            .map(|r| r.split_whitespace().nth(1).unwrap_or("").to_string())
            .collect()
    }

    /// The train's Events on the cluster's rollout: `REASON ACTION`.
    fn reasons(&self, cluster: &str) -> Vec<String> {
        self.many
            .env(cluster)
            .events()
            .iter()
            .filter(|e| e["reason"] == "ReleaseTrain")
            .map(|e| {
                format!(
                    "{} {}",
                    e["reason"].as_str().unwrap_or(""),
                    e["action"].as_str().unwrap_or("")
                )
            })
            .collect()
    }
}

/// The run ended with exit `code` and a last line starting `start`: that line.
fn ended<'r>(r: &'r Run, code: i32, start: &str) -> &'r str {
    r.expect_code(code);
    let last = r.stderr.lines().last().unwrap_or("");
    assert!(last.starts_with(start), "{last}");
    last
}

/// `rollout autopilot rollouts-nginx --analysis TEMPLATE --one-by-one FLAGS...`, with a
/// timeout of 60 s unless the flags give one.
fn autopilot<'a>(template: &'a str, flags: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "rollout",
        "autopilot",
        "rollouts-nginx",
        "--analysis",
        template,
        "--one-by-one",
    ];
    if !flags.iter().any(|f| f.starts_with("--timeout")) {
        args.push("--timeout=60s");
    }
    args.extend_from_slice(flags);
    args
}

#[test]
fn a_train_drives_each_cluster_to_its_end_before_the_next_is_touched() {
    let t = train(&["a", "b", "c"], &[]);
    // When b takes its first approval, a is already complete.
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (record, a) = (seen.clone(), t.many.env("a").api.clone());
    t.many
        .env("b")
        .api
        .observe_writes(Box::new(move |_, sub, _, after| {
            if sub == Some("status")
                && after["status"]["canaryStatus"]["currentStepState"] == "StepReady"
            {
                record.lock().unwrap().push(completed(&a));
            }
        }));
    let r = t.run(&["--contexts=a,b,c", "-o", "json"]);
    assert_eq!(
        ended(&r, 0, "release train completed"),
        "release train completed: a, b, c"
    );
    for c in ["a", "b", "c"] {
        assert!(completed(&t.many.env(c).api), "{c}");
        assert_eq!(
            t.reasons(c),
            ["ReleaseTrain Started", "ReleaseTrain Passed"],
            "{c}"
        );
        assert_eq!(t.many.approvals(c), 3, "{c}");
    }
    let at_b = seen.lock().unwrap().clone();
    assert!(
        !at_b.is_empty() && at_b.iter().all(|done| *done),
        "{at_b:?}"
    );
    // Each cluster judged by its own series (the template's `cluster` arg), in train order.
    assert_eq!(
        t.measured(),
        ["/a", "/a", "/a", "/b", "/b", "/b", "/c", "/c", "/c"]
    );
    // A JSON document per event, as it happened, each naming its cluster.
    let docs: Vec<Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let events: Vec<String> = docs
        .iter()
        .map(|d| {
            format!(
                "{} {}",
                d["cluster"].as_str().unwrap_or("-"),
                d["event"].as_str().unwrap()
            )
        })
        .collect();
    let per = |c: &str| {
        vec![
            format!("{c} Started"),
            format!("{c} Step"),
            format!("{c} Step"),
            format!("{c} Step"),
            format!("{c} Completed"),
            format!("{c} Finished"),
        ]
    };
    let mut want = [per("a"), per("b"), per("c")].concat();
    want.push("- TrainEnded".into());
    assert_eq!(events, want);
    assert_eq!(docs[1]["report"]["phase"], "Successful");
    assert_eq!(docs[1]["report"]["action"], "approved");
    assert_eq!(docs.last().unwrap()["code"], 0);
}

#[test]
fn a_failing_cluster_is_undone_alone_and_the_clusters_after_it_are_never_touched() {
    let t = train(&["a", "b", "c"], &[]);
    t.rule.lock().unwrap().bad.push("b".into());
    let r = t.run(&["--contexts=a,b,c"]);
    let last = ended(
        &r,
        4,
        "release train stopped at b (2/3): rollout.rollouts.kruise.io/rollouts-nginx step 1: analysis Failed: error-ratio Failed 0.5; deployment.apps/nginx rolled back",
    );
    assert!(
        last.contains("completed and left so: a; not started: c"),
        "{last}"
    );
    assert!(
        last.contains("to continue: kubectl kruise rollout autopilot rollouts-nginx"),
        "{last}"
    );
    assert!(last.ends_with("--resume-from=b"), "{last}");
    assert_eq!(t.image("a"), "nginx:1.28", "a keeps its release");
    assert!(completed(&t.many.env("a").api));
    assert_eq!(t.image("b"), "nginx:1.26", "b is undone");
    assert_eq!(
        t.reasons("b"),
        ["ReleaseTrain Started", "ReleaseTrain Stopped"]
    );
    t.untouched("c");
    assert!(!t.measured().contains(&"/c".to_string()));
    // Each cluster's result on stdout, as every many-clusters command prints them.
    assert_eq!(
        r.stdout.lines().collect::<Vec<_>>(),
        [
            "[a] rollout.rollouts.kruise.io/rollouts-nginx completed",
            "[b] rollout.rollouts.kruise.io/rollouts-nginx stopped the train (rollout failed)",
            "[c] rollout.rollouts.kruise.io/rollouts-nginx not started",
        ]
    );
}

#[test]
fn undo_train_also_undoes_the_clusters_already_done_newest_first() {
    let t = train(&["a", "b", "c"], &[]);
    t.rule.lock().unwrap().bad.push("c".into());
    let r = t.run(&["--contexts=a,b,c", "--undo-train"]);
    let last = ended(&r, 4, "release train stopped at c (3/3)");
    // A completed release goes back to the revision before it; the one in progress to its
    // stable revision (the fixtures' stable is older still).
    for (c, back_to) in [
        ("a", "nginx:1.27"),
        ("b", "nginx:1.27"),
        ("c", "nginx:1.26"),
    ] {
        assert_eq!(t.image(c), back_to, "{c} is undone");
    }
    // The undos' own lines on stdout, b's first.
    let b = r.stdout.find("[b] deployment.apps/nginx rolled back");
    let a = r.stdout.find("[a] deployment.apps/nginx rolled back");
    assert!(
        matches!((b, a), (Some(b), Some(a)) if b < a),
        "{}",
        r.stdout
    );
    assert!(
        last.contains("; undone in b; undone in a; to continue"),
        "{last}"
    );
    // Without --on-failure=undo it is refused before anything is read.
    t.run(&["--contexts=a,b,c", "--undo-train", "--on-failure=pause"])
        .expect_code(2)
        .assert_stderr("--undo-train undoes the clusters before the failing one");
}

#[test]
fn the_bake_catches_a_regression_seen_only_once_the_release_completed() {
    let t = train(&["a", "b", "c"], &[]);
    t.rule.lock().unwrap().bad_when_complete.push("a".into());
    let started = std::time::Instant::now();
    let r = t.run(&["--contexts=a,b,c", "--bake=20s"]);
    let last = ended(
        &r,
        4,
        "release train stopped at a (1/3): rollout.rollouts.kruise.io/rollouts-nginx while \
         baking: analysis Failed: error-ratio Failed 0.5",
    );
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    r.assert_stderr("[a] rollout.rollouts.kruise.io/rollouts-nginx: baking for 20s");
    assert!(last.contains("not started: b, c"), "{last}");
    // Undone at its first failing measurement (the bake did not run on for 20 s), back to
    // the revision before this release.
    assert_eq!(t.image("a"), "nginx:1.27");
    t.untouched("b");
    t.untouched("c");
    // Without a bake, the same train would have gone on to b.
    t.run(&["--contexts=a,b,c", "--bake=1m", "--timeout=30s"])
        .expect_code(2)
        .assert_stderr("--bake must be shorter than --timeout");
}
