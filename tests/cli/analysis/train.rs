//! Release trains judged by their metrics: `autopilot --one-by-one` over three fake
//! clusters, each with its simulated controller and its own metric (a web endpoint that
//! answers per cluster, the template's `cluster` arg choosing), and once over a real
//! Prometheus.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use fake_apiserver::FakeApi;
use fake_apiserver::sim::{Controller, Running};
use serde_json::{Value, json};

use super::SEED;
use super::metrics::Stub;
use crate::clusters::Many;
use crate::gate::mark_released;
use crate::harness::{Run, eventually, interrupt, run_command};

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
        let mut args = vec![
            "rollout",
            "autopilot",
            "rollouts-nginx",
            "--analysis",
            &self.template,
            "--one-by-one",
        ];
        if !flags.iter().any(|f| f.starts_with("--timeout")) {
            args.push("--timeout=60s");
        }
        args.extend_from_slice(flags);
        args
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

fn last_line(r: &Run) -> &str {
    r.stderr.lines().last().unwrap_or("")
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
    r.expect_code(0);
    assert_eq!(
        last_line(&r),
        "release train completed: a, b, c",
        "{}",
        r.stderr
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
    r.expect_code(4);
    let last = last_line(&r);
    assert!(
        last.starts_with("release train stopped at b (2/3): rollout.rollouts.kruise.io/rollouts-nginx step 1: analysis Failed: error-ratio Failed 0.5; deployment.apps/nginx rolled back"),
        "{last}"
    );
    assert!(last.contains("error-ratio Failed"), "{last}");
    assert!(last.contains("0.5"), "{last}");
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
    r.expect_code(4);
    // A completed release goes back to the revision before it; the one in progress to its
    // stable revision (the fixtures' stable is older still).
    for (c, back_to) in [
        ("a", "nginx:1.27"),
        ("b", "nginx:1.27"),
        ("c", "nginx:1.26"),
    ] {
        assert_eq!(t.image(c), back_to, "{c} is undone");
    }
    let undone: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| l.contains("rolled back") || l.contains("undone") && l.starts_with('['))
        .collect();
    let b = r.stdout.find("[b] deployment").unwrap_or(usize::MAX);
    let a = r.stdout.find("[a] deployment").unwrap_or(usize::MAX);
    assert!(
        b < a && a != usize::MAX,
        "b undone before a: {undone:?}\n{}",
        r.stderr
    );
    assert!(
        last_line(&r).contains("; undone in b; undone in a; to continue"),
        "{}",
        last_line(&r)
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
    r.expect_code(4);
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    r.assert_stderr("[a] rollout.rollouts.kruise.io/rollouts-nginx: baking for 20s");
    let last = last_line(&r);
    assert!(
        last.starts_with("release train stopped at a (1/3): rollout.rollouts.kruise.io/rollouts-nginx while baking: analysis Failed: error-ratio Failed 0.5"),
        "{last}"
    );
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

#[test]
fn a_cluster_that_runs_out_of_time_stops_the_train_with_exit_3() {
    let t = train(&["a", "b", "c"], &["b"]);
    let r = t.run(&["--contexts=a,b,c", "--timeout=8s"]);
    r.expect_code(3);
    let last = last_line(&r);
    assert!(last.starts_with("release train stopped at b (2/3): autopilot of rollout.rollouts.kruise.io/rollouts-nginx timed out after 8s"), "{last}");
    assert!(completed(&t.many.env("a").api));
    // b is left where it is, c never touched.
    assert_eq!(t.image("b"), "nginx:1.28");
    assert!(t.many.env("b").writes().is_empty());
    t.untouched("c");
}

#[test]
fn a_stopped_train_resumes_only_past_clusters_that_are_complete() {
    let t = train(&["a", "b", "c"], &[]);
    t.rule.lock().unwrap().bad.push("b".into());
    t.run(&["--contexts=a,b,c", "--on-failure=none"])
        .expect_code(4);
    assert!(completed(&t.many.env("a").api));
    assert_eq!(
        crate::clusters::step_of(t.many.env("b")),
        (1, "StepPaused".into())
    );
    let writes = |c: &str| t.many.env(c).api.writes().len();
    let before = (writes("a"), writes("b"), writes("c"));

    // From c: b has not completed, so nothing is done anywhere.
    let r = t.run(&["--contexts=a,b,c", "--resume-from=c"]);
    r.expect_code(5);
    assert!(
        last_line(&r).contains("cannot resume the train from c: rollout.rollouts.kruise.io/rollouts-nginx in b is not complete: its release waits for approval at step 1/3"),
        "{}",
        r.stderr
    );
    assert_eq!((writes("a"), writes("b"), writes("c")), before);
    t.run(&["--contexts=a,b,c", "--resume-from=x"])
        .expect_code(2)
        .assert_stderr("--resume-from=x is not one of the train's clusters (a, b, c)");

    // Fixed: from b, a is checked (read, not written) and b and c are driven.
    t.rule.lock().unwrap().bad.clear();
    let r = t.run(&["--contexts=a,b,c", "--resume-from=b"]);
    r.expect_code(0).assert_stdout(
        "[a] rollout.rollouts.kruise.io/rollouts-nginx complete (checked, nothing written)",
    );
    assert_eq!(last_line(&r), "release train completed: a, b, c");
    assert_eq!(writes("a"), before.0, "nothing written to a");
    assert!(completed(&t.many.env("b").api) && completed(&t.many.env("c").api));
}

#[test]
fn an_interrupted_train_stops_where_it_is_and_says_how_to_resume() {
    let t = train(&["a", "b", "c"], &[]);
    t.rule.lock().unwrap().slow.push("b".into());
    let child = t
        .many
        .command(&t.args(&["--contexts=a,b,c"]))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    eventually("b is being measured", || {
        t.measured().contains(&"/b".to_string())
    });
    let r = interrupt(child, Duration::from_secs(20));
    r.expect_code(130);
    let last = last_line(&r);
    assert!(
        last.starts_with("release train interrupted at b (2/3)"),
        "{last}"
    );
    assert!(last.ends_with("--resume-from=b"), "{last}");
    assert!(completed(&t.many.env("a").api));
    // b: not one approval; c untouched.
    assert_eq!(t.many.approvals("b"), 0);
    t.untouched("c");
}

#[test]
fn a_train_needs_several_clusters_and_its_flags_need_a_train() {
    let t = train(&["a"], &[]);
    t.run(&[])
        .expect_code(2)
        .assert_stderr("--one-by-one drives one cluster after another");
    let r = run_command(t.many.command(&[
        "rollout",
        "autopilot",
        "rollouts-nginx",
        "--analysis",
        &t.template,
        "--resume-from=a",
    ]));
    r.expect_code(2)
        .assert_stderr("--resume-from continues a release train");
    assert!(t.many.env("a").writes().is_empty());
}

/// The end-to-end form: one Prometheus query for every region, its `cluster` label filled
/// in per cluster.
#[test]
fn a_real_prometheus_judges_each_region_by_its_own_series() {
    let Some(prom) = super::prometheus(&[
        ("error_ratio{cluster=\"a\"}", 0.001),
        ("error_ratio{cluster=\"b\"}", 0.2),
        ("error_ratio{cluster=\"c\"}", 0.001),
    ]) else {
        return;
    };
    let t = train(&["a", "b", "c"], &[]);
    let text = format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate\nmetadata: {{name: regional}}\n\
         spec:\n  args:\n  - name: cluster\n  metrics:\n  - name: error-ratio\n    \
         successCondition: result[0] < 0.01\n    provider:\n      prometheus:\n        \
         address: {}\n        query: error_ratio{{cluster=\"{{{{args.cluster}}}}\"}}\n",
        prom.url
    );
    let path = t.many.env("a").dir.path().join("regional.yaml");
    std::fs::write(&path, text).unwrap();
    let r = t.many.run(&[
        "rollout",
        "autopilot",
        "rollouts-nginx",
        "--analysis",
        path.to_str().unwrap(),
        "--contexts=a,b,c",
        "--one-by-one",
        "--timeout=60s",
    ]);
    r.expect_code(4);
    let last = last_line(&r);
    assert!(
        last.starts_with("release train stopped at b (2/3)"),
        "{last}"
    );
    assert!(last.contains("[0.2]"), "{last}");
    assert!(completed(&t.many.env("a").api));
    assert_eq!(t.image("b"), "nginx:1.26");
    t.untouched("c");
}

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

/// The same train through a hub: `--member-clusters`, each member reached through the hub's
/// proxy path, the `cluster` arg the member's name.
#[test]
fn a_train_runs_through_a_hub_s_members_too() {
    use crate::harness::Env;
    use fake_apiserver::hub::HubKind;

    let members: Vec<(String, Env)> = ["eu", "us"]
        .iter()
        .map(|n| (n.to_string(), Env::new().with(SEED)))
        .collect();
    let _controllers: Vec<_> = members.iter().map(|(_, e)| releasing(e, false)).collect();
    let hub = FakeApi::new();
    hub.serve_members(
        HubKind::ClusterGateway,
        members
            .iter()
            .map(|(n, e)| (n.as_str(), Some(e.api.clone())))
            .collect(),
    );
    let hub = Env::on(hub);
    let rule: Arc<Mutex<Rule>> = Arc::default();
    rule.lock().unwrap().bad.push("us".into());
    let apis = members
        .iter()
        .map(|(n, e)| (n.clone(), e.api.clone()))
        .collect();
    let stub = metric(rule, apis);
    let t = template(hub.dir.path(), &stub);
    let r = hub.run(&[
        "rollout",
        "autopilot",
        "rollouts-nginx",
        "--analysis",
        &t,
        "--member-clusters=eu,us",
        "--one-by-one",
        "--timeout=60s",
    ]);
    r.expect_code(4);
    let last = last_line(&r);
    assert!(
        last.starts_with("release train stopped at us (2/2)"),
        "{last}"
    );
    assert!(completed(&members[0].1.api));
    assert_eq!(image_of(&members[1].1.api), "nginx:1.26");
    let asked: Vec<String> = stub
        .requests
        .lock()
        .unwrap()
        .iter()
        .map(|r| r.split_whitespace().nth(1).unwrap_or("").to_string())
        .collect();
    assert_eq!(asked, ["/eu", "/eu", "/eu", "/us"]);
}

/// `--bake` alone (no train): the completed release is measured again until the bake is
/// over, then the command ends well.
#[test]
fn a_lone_autopilot_bakes_its_release_too() {
    let t = train(&["a"], &[]);
    let r = run_command(t.many.command(&[
        "rollout",
        "autopilot",
        "rollouts-nginx",
        "--analysis",
        &t.template,
        "--arg",
        "cluster=a",
        "--context=a",
        "--bake=2s",
        "--timeout=60s",
    ]));
    r.expect_code(0)
        .assert_stderr("rollouts-nginx: baking for 2s, measuring with analysistemplate/error-rate")
        .assert_stderr("rollouts-nginx: baked for 2s (1 round(s) of measurements passed)");
    // Three steps, then the bake's one round (the template measures once; the next round
    // would be 10 s on).
    assert_eq!(t.measured(), ["/a", "/a", "/a", "/a"]);
    assert!(completed(&t.many.env("a").api));
}
