//! Not-found and empty answers say what to type: the KubeVela kind that has the name, the
//! namespace where it is, what a selector was matched against; completion offers KubeVela's
//! rollouts in the forms the plugin accepts.

use crate::harness::{Env, fixture_docs};

const SEED: &[&str] = &["rollout-seed-v1beta1.yaml", "deployment-nginx.yaml"];

fn with_kubevela() -> Env {
    let env = Env::new().with(SEED);
    env.api.serve_kubevela();
    for file in ["kubevela/trait.yaml", "kubevela/approllout.yaml"] {
        for obj in fixture_docs(file) {
            env.api.insert(obj);
        }
    }
    env
}

#[test]
fn a_kubevela_name_is_named_in_the_form_that_finds_it() {
    let env = with_kubevela();
    let run = env.run(&["rollout", "approve", "express-server"]);
    run.expect_code(1).assert_stderr(
        "KubeVela's rollout trait's Rollout \"express-server\" is here: name it rollouts.standard.oam.dev/express-server",
    );
    let run = env.run(&["rollout", "status", "rolling-example"]);
    run.expect_code(1).assert_stderr(
        "KubeVela's AppRollout \"rolling-example\" is here: name it approllout/rolling-example",
    );
    // The form it suggests works.
    env.run(&["rollout", "status", "approllout/rolling-example"])
        .expect_code(0);
    assert!(env.writes().is_empty(), "nothing written on the way");
}

#[test]
fn a_name_in_another_namespace_says_which() {
    let env = Env::new().with(SEED);
    let run = env.run(&["rollout", "status", "rollouts-nginx", "-n", "kube-system"]);
    run.expect_code(1).assert_stderr(
        "not found in namespace \"kube-system\"; a rollout of that name is in namespace default (-n default)",
    );
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
}

#[test]
fn an_empty_selection_says_what_was_looked_for() {
    let env = Env::new().with(SEED);
    let run = env.run(&["rollout", "approve", "-l", "app=nothing"]);
    run.expect_code(0);
    assert_eq!(
        run.stderr,
        "No rollouts found in namespace \"default\" with labels matching app=nothing.\n"
    );
    let run = env.run(&["rollout", "pause", "deployment", "--all", "-n", "empty"]);
    run.expect_code(0);
    assert_eq!(run.stderr, "No deployments found in namespace \"empty\".\n");
}

#[test]
fn completion_offers_kubevela_rollouts_as_the_plugin_names_them() {
    let env = with_kubevela();
    let complete = |word: &str| crate::harness::completions(&env, &["rollout", "approve", word]);
    let all = complete("");
    for name in [
        "rollouts-nginx",
        "approllout/rolling-example",
        "rollouts.standard.oam.dev/express-server",
    ] {
        assert!(all.contains(&name.to_string()), "{name} in {all:?}");
    }
    assert_eq!(complete("app"), ["approllout/rolling-example"]);
    assert!(
        complete("rollouts.standard.oam.dev/")
            .iter()
            .all(|n| n.starts_with("rollouts.standard.oam.dev/"))
    );
}

#[test]
fn near_miss_flags_get_the_plugin_s_own_tip() {
    let env = Env::new().with(SEED);
    let run = env.run(&["rollout", "approve", "rollouts-nginx", "--step", "2"]);
    run.expect_code(2).assert_stderr(
        "tip: --expect-step=N approves only while step N waits; --to-step=N moves the release to step N",
    );
    assert!(!run.stderr.contains("-- --step"), "{}", run.stderr);
    // kubectl's booleans take a value after `=`.
    env.run(&["rollout", "status", "rollouts-nginx", "--watch=false"])
        .expect_code(0);
    assert!(env.writes().is_empty());
}

#[test]
fn a_workload_name_gets_the_form_to_type_and_the_hint_stays_cheap() {
    let env = Env::new().with(SEED);
    // 2,000 rollouts beside it: the hint asks by name and for one page of names, never
    // for the objects.
    for i in 0..2000 {
        let mut r = crate::harness::fixture("rollout-seed-v1beta1.yaml");
        r["metadata"]["name"] = serde_json::json!(format!("r{i:04}"));
        env.api.insert(r);
    }
    env.api.clear_requests();
    let run = env.run(&["rollout", "status", "nginx"]);
    run.expect_code(1)
        .assert_stderr("\"nginx\" is a Deployment, not a rollout: name it deployment/nginx");
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    // The form it suggests works.
    env.run(&["rollout", "status", "deployment/nginx"])
        .expect_code(0);
    let reqs: Vec<_> = env
        .api
        .requests()
        .into_iter()
        .take_while(|r| !r.path.ends_with("/deployments/nginx") || r.query.is_empty())
        .collect();
    // No list of rollouts was answered with objects: the one list in this namespace
    // asked for one page of metadata, the one across namespaces named the rollout.
    let lists: Vec<_> = reqs
        .iter()
        .filter(|r| r.path.ends_with("/rollouts") && r.method == "GET")
        .collect();
    assert_eq!(lists.len(), 2, "{lists:?}");
    for l in &lists {
        assert!(
            l.query.contains("limit=500") || l.query.contains("fieldSelector=metadata.name"),
            "{l:?}"
        );
        let accept = l.accept.as_deref().unwrap_or("");
        assert!(accept.contains("as=PartialObjectMetadataList"), "{accept}");
    }
    assert!(env.writes().is_empty(), "nothing written on the way");
}
