//! A train's metrics from a real Prometheus, a train through a hub's members, and
//! `--bake` without a train.

use std::sync::{Arc, Mutex};

use fake_apiserver::FakeApi;

use super::super::SEED;
use super::{Rule, autopilot, completed, ended, image_of, metric, releasing, template, train};
use crate::harness::run_command;

/// The end-to-end form: one Prometheus query for every region, its `cluster` label filled
/// in per cluster.
#[test]
fn a_real_prometheus_judges_each_region_by_its_own_series() {
    let Some(prom) = super::super::prometheus(&[
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
    let r = t
        .many
        .run(&autopilot(path.to_str().unwrap(), &["--contexts=a,b,c"]));
    let last = ended(&r, 4, "release train stopped at b (2/3)");
    assert!(last.contains("[0.2]"), "{last}");
    assert!(completed(&t.many.env("a").api));
    assert_eq!(t.image("b"), "nginx:1.26");
    t.untouched("c");
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
    let r = hub.run(&autopilot(&t, &["--member-clusters=eu,us"]));
    ended(&r, 4, "release train stopped at us (2/2)");
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
