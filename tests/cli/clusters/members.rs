//! `--member-clusters`: member clusters reached through the hub's proxy paths, as KubeVela's
//! cluster-gateway and Karmada serve them; the real kubectl through the same paths.

use fake_apiserver::FakeApi;
use fake_apiserver::hub::HubKind;
use serde_json::json;

use super::SEED;
use crate::harness::{Env, GROUP, fixture_docs};

/// A member cluster: the seed rollout, waiting at step 1.
fn member() -> FakeApi {
    let api = FakeApi::new();
    api.serve_rollouts(&["v1beta1", "v1alpha1"]);
    for f in SEED {
        for obj in fixture_docs(f) {
            api.insert(obj);
        }
    }
    api
}

/// A hub (no Kruise Rollouts of its own) over these members; `None` is a member it lists
/// but cannot reach.
fn hub(kind: HubKind, members: Vec<(&str, Option<FakeApi>)>) -> Env {
    let api = FakeApi::new();
    api.serve_members(kind, members);
    Env::on(api)
}

#[test]
fn list_reaches_every_member_of_a_cluster_gateway_hub_through_its_proxy() {
    let (eu, us) = (member(), member());
    us.modify(GROUP, "rollouts", "default", "rollouts-nginx", |r| {
        r["status"]["canaryStatus"]["currentStepIndex"] = json!(2);
    });
    let env = hub(
        HubKind::ClusterGateway,
        vec![("us", Some(us.clone())), ("eu", Some(eu.clone()))],
    );
    let run = env.run(&["rollout", "list", "--member-clusters", "all"]);
    run.expect_code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    assert!(lines[1].starts_with("eu        rollouts-nginx") && lines[1].contains("1/3"));
    assert!(lines[2].starts_with("us        rollouts-nginx") && lines[2].contains("2/3"));
    // Each member answered its own list, passed on by the hub; the hub listed its members.
    for m in [&eu, &us] {
        assert!(
            m.requests()
                .iter()
                .any(|r| r.path == "/apis/rollouts.kruise.io/v1beta1/namespaces/default/rollouts")
        );
    }
    assert!(
        env.api
            .requests()
            .iter()
            .any(|r| r.path == "/apis/cluster.core.oam.dev/v1alpha1/clustergateways")
    );
}

#[test]
fn approve_in_one_named_member_of_a_karmada_hub_leaves_the_others_alone() {
    let (eu, us) = (member(), member());
    let env = hub(
        HubKind::Karmada,
        vec![("eu", Some(eu.clone())), ("us", Some(us.clone()))],
    );
    env.run(&[
        "rollout",
        "approve",
        "rollouts-nginx",
        "--member-clusters=us",
        "-o",
        "json",
    ])
    .expect_code(0)
    .json()["items"]
        .as_array()
        .map(|items| {
            assert_eq!(items.len(), 1);
            assert_eq!(items[0]["cluster"], json!("us"));
            assert_eq!(items[0]["kind"], json!("Rollout"));
        })
        .expect("a List");
    let state = |api: &FakeApi| {
        api.get(GROUP, "rollouts", "default", "rollouts-nginx")
            .unwrap()["status"]["canaryStatus"]["currentStepState"]
            .clone()
    };
    assert_eq!(state(&us), json!("StepReady"));
    assert_eq!(state(&eu), json!("StepPaused"));
    assert!(eu.writes().is_empty());
}

#[test]
fn an_unreachable_member_costs_one_line_and_unknown_members_or_hubs_are_refused() {
    let eu = member();
    let env = hub(
        HubKind::ClusterGateway,
        vec![("eu", Some(eu)), ("down", None)],
    );
    let run = env.run(&["rollout", "list", "--member-clusters=down,eu"]);
    run.expect_code(1)
        .assert_stderr("[down] error: ")
        .assert_stderr("2 clusters: 1 error (down), 1 ok");
    assert!(
        run.stdout.contains("eu        rollouts-nginx"),
        "{}",
        run.stdout
    );

    env.run(&["rollout", "list", "--member-clusters=asia"])
        .expect_code(1)
        .assert_stderr(
            "no member cluster \"asia\" on the hub (KubeVela ClusterGateway; it has: down, eu)",
        );
    Env::new()
        .run(&["rollout", "list", "--member-clusters=all"])
        .expect_code(1)
        .assert_stderr("is not a hub: it serves neither KubeVela's ClusterGateway");
}

#[test]
fn kubectl_reaches_a_member_through_the_same_proxy_path() {
    let Some(kubectl) = crate::harness::tool("kubectl", "the hub proxy comparison") else {
        return;
    };
    let eu = member();
    let env = hub(HubKind::ClusterGateway, vec![("eu", Some(eu))]);
    let server = format!(
        "{}/apis/cluster.core.oam.dev/v1alpha1/clustergateways/eu/proxy",
        env.server.url()
    );
    // kubectl's discovery and get, all through the member's proxy path.
    let out = std::process::Command::new(kubectl)
        .args([
            "--kubeconfig",
            env.kubeconfig.to_str().unwrap(),
            "--server",
            &server,
            "get",
            "rollouts.rollouts.kruise.io",
            "-o",
            "name",
        ])
        .env("HOME", env.dir.path())
        .env_remove("KUBECONFIG")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout.trim(), "rollout.rollouts.kruise.io/rollouts-nginx");
    // The plugin, through the hub, sees the same rollout.
    let doc = env
        .run(&["rollout", "list", "--member-clusters=eu", "-o", "json"])
        .json();
    assert_eq!(doc["items"][0]["name"], json!("rollouts-nginx"));
    assert_eq!(doc["items"][0]["cluster"], json!("eu"));
}

#[test]
fn tab_completes_member_names_from_the_hub_and_context_names_from_the_kubeconfig() {
    let env = hub(
        HubKind::Karmada,
        vec![("eu-west", Some(member())), ("us-east", Some(member()))],
    );
    let complete = |words: &[&str]| crate::harness::completions(&env, words);
    assert_eq!(
        complete(&["rollout", "list", "--member-clusters", ""]),
        ["all", "eu-west", "us-east"]
    );
    // After a comma: the others, each with the words before it.
    assert_eq!(
        complete(&["rollout", "list", "--member-clusters", "us-east,"]),
        ["us-east,eu-west"]
    );
    // The harness kubeconfig has two contexts: fake and fake-ns.
    assert_eq!(
        complete(&["rollout", "list", "--contexts", "fake,"]),
        ["fake,fake-ns"]
    );
    assert_eq!(
        complete(&["rollout", "list", "--contexts", "f"]),
        ["fake", "fake-ns"]
    );
}

#[test]
fn members_share_the_connection_to_their_hub() {
    let members: Vec<FakeApi> = (0..4).map(|_| member()).collect();
    let names = ["m1", "m2", "m3", "m4"];
    let env = hub(
        HubKind::ClusterGateway,
        names
            .iter()
            .zip(&members)
            .map(|(n, m)| (*n, Some(m.clone())))
            .collect(),
    );
    // One member at a time: over HTTP/1.1 a connection is reused once free, so the members
    // need no more connections than one of them does (its list and discovery go together).
    env.run(&[
        "rollout",
        "list",
        "--member-clusters=all",
        "--max-clusters-in-flight=1",
    ])
    .expect_code(0);
    let peers: std::collections::BTreeSet<_> = members
        .iter()
        .flat_map(|m| m.requests())
        .filter_map(|r| r.peer)
        .collect();
    assert!(!peers.is_empty());
    assert!(peers.len() <= 2, "{} connections: {peers:?}", peers.len());
}

#[test]
fn a_user_who_may_not_list_the_members_reaches_those_named() {
    let eu = member();
    let env = hub(HubKind::ClusterGateway, vec![("eu", Some(eu.clone()))]);
    env.api.forbid(
        fake_apiserver::Verb::List,
        "cluster.core.oam.dev",
        "clustergateways",
        None,
    );
    env.run(&[
        "rollout",
        "approve",
        "rollouts-nginx",
        "--member-clusters=eu",
    ])
    .expect_code(0)
    .assert_stdout("[eu] rollout.rollouts.kruise.io/rollouts-nginx approved");
    assert_eq!(
        eu.writes()
            .iter()
            .filter(|w| w.path.ends_with("/status"))
            .count(),
        1
    );
    env.run(&["rollout", "list", "--member-clusters=all"])
        .expect_code(1)
        .assert_stderr("--member-clusters=all needs the right to list the hub's members");
}
