//! The dashboard over several clusters: one fleet with a CLUSTER column, a cluster that
//! does not answer named with why, and each action in its own cluster.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::Dashboard;
use crate::clusters::Many;

fn rows_by_cluster(fleet: &Value) -> Vec<(String, String)> {
    let mut v = super::rows(fleet);
    v.sort();
    v
}

#[test]
fn several_clusters_make_one_fleet_and_each_action_stays_in_its_own() {
    let many = Many::new(&["eu", "us"], &["down"]);
    let d = Dashboard::start_with(
        |a| many.command(a),
        &["--contexts", "eu,us,down", "--request-timeout=1s"],
    );
    let deadline = Instant::now() + Duration::from_secs(15);
    let fleet = loop {
        let f = d.fleet();
        let down = &f["clusters"][2];
        if f["rows"].as_array().unwrap().len() == 2 && !down["error"].is_null() {
            break f;
        }
        assert!(Instant::now() < deadline, "{f}");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(
        rows_by_cluster(&fleet),
        [
            ("eu".to_string(), "rollouts-nginx".to_string()),
            ("us".to_string(), "rollouts-nginx".to_string())
        ]
    );
    assert_eq!(fleet["many"], true);
    assert_eq!(fleet["columns"][0], "CLUSTER");
    // The CLUSTER cell is the cluster the id names.
    let (cluster, _) = &super::rows(&fleet)[0];
    assert_eq!(fleet["rows"][0][5], json!(cluster));
    assert_eq!(
        fleet["clusters"][0]["summary"],
        "1 rollout: 1 waiting for approval"
    );
    assert_eq!(fleet["clusters"][2]["name"], "down");
    assert!(
        fleet["clusters"][2]["error"]
            .as_str()
            .unwrap()
            .contains("no complete answer within 1s"),
        "{}",
        fleet["clusters"][2]
    );

    // Approve in us: written there only, by the command line the page showed.
    let a = d.act(
        &json!({"cluster": "us", "kind": "rollout.rollouts.kruise.io",
        "namespace": "default", "name": "rollouts-nginx", "verb": "approve", "step": 1}),
    );
    assert_eq!(a.status, 200, "{a:?}");
    let v: Value = serde_json::from_str(&a.body).unwrap();
    assert_eq!(
        v["command"],
        "kubectl kruise rollout approve rollout/rollouts-nginx -n default --expect-step=1 --context=us"
    );
    assert_eq!(v["ran"]["code"], 0, "{v}");
    assert_eq!((many.approvals("us"), many.approvals("eu")), (1, 0));
    // A cluster it cannot reach: the page is told why, nothing is sent.
    let a = d.act(
        &json!({"cluster": "nowhere", "kind": "rollout.rollouts.kruise.io",
        "namespace": "default", "name": "rollouts-nginx", "verb": "approve", "step": 1}),
    );
    assert_eq!(a.status, 503, "{a:?}");
}

#[test]
fn a_label_selector_and_a_namespace_narrow_the_fleet() {
    let env = super::cluster();
    env.modify_rollout("shop", |r| {
        r["metadata"]["labels"] = json!({"team": "payments"});
    });
    let d = Dashboard::start(&env, &["-l", "team=payments"]);
    let fleet = d.listed_fleet();
    let names: Vec<String> = super::rows(&fleet).into_iter().map(|(_, n)| n).collect();
    assert_eq!(names, ["shop"]);
    // The row carries its labels, for the page's label: filter.
    assert_eq!(fleet["rows"][0][4], json!({"team": "payments"}));
    let lists: Vec<String> = env
        .api
        .requests()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path.ends_with("/rollouts"))
        .map(|r| r.query)
        .collect();
    assert!(
        lists
            .iter()
            .all(|q| q.contains("labelSelector=team%3Dpayments")),
        "{lists:?}"
    );
    // -n: that namespace only, listed there (not across every namespace).
    let d = Dashboard::start(&env, &["-n", "elsewhere"]);
    assert!(d.listed_fleet()["rows"].as_array().unwrap().is_empty());
    assert!(
        env.api
            .requests()
            .iter()
            .any(|r| r.path == "/apis/rollouts.kruise.io/v1beta1/namespaces/elsewhere/rollouts"),
        "{:?}",
        env.api
            .requests()
            .iter()
            .map(|r| &r.path)
            .collect::<Vec<_>>()
    );
}
