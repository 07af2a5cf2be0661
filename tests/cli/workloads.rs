//! `pause`, `resume`, `restart` and `status` on every workload kind Kruise Rollouts controls.

use serde_json::{Value, json};

use crate::harness::{Env, eventually};

const KRUISE: &str = "apps.kruise.io";

fn env() -> Env {
    Env::new().with(&[
        "workloads.yaml",
        "rollout-seed-v1beta1.yaml",
        "deployment-nginx.yaml",
        "rollout-v1beta1-bluegreen.yaml",
        "deployment-shop.yaml",
    ])
}

fn get(env: &Env, group: &str, plural: &str, name: &str) -> Value {
    env.api
        .get(group, plural, "default", name)
        .unwrap_or_else(|| panic!("{plural}/{name} stored"))
}

fn patch_body(env: &Env) -> Value {
    let w = env.writes();
    assert_eq!(w.len(), 1, "exactly one write: {w:?}");
    serde_json::from_str(&w[0].body).unwrap()
}

#[test]
fn pause_and_resume_write_each_kinds_own_switch() {
    // kind word, group, plural, name, the pointer of the switch, its value before.
    let cases = [
        (
            "deployment/api",
            "apps",
            "deployments",
            "api",
            "/spec/paused",
            false,
        ),
        (
            "cloneset/web",
            KRUISE,
            "clonesets",
            "web",
            "/spec/updateStrategy/paused",
            false,
        ),
        (
            "asts/db",
            KRUISE,
            "statefulsets",
            "db",
            "/spec/updateStrategy/rollingUpdate/paused",
            false,
        ),
        (
            "daemonsets.apps.kruise.io/agent",
            KRUISE,
            "daemonsets",
            "agent",
            "/spec/updateStrategy/rollingUpdate/paused",
            true,
        ),
    ];
    for (target, group, plural, name, ptr, before) in cases {
        let env = env();
        let verb = if before { "resume" } else { "pause" };
        let rv = get(&env, group, plural, name)["metadata"]["resourceVersion"].clone();
        let run = env.run(&["rollout", verb, target]);
        run.expect_code(0);
        let past = if before { "resumed" } else { "paused" };
        assert!(
            run.stdout.ends_with(&format!("/{name} {past}\n")),
            "{}",
            run.stdout
        );
        // One conditional merge patch of that field, recorded as written by the plugin.
        let body = patch_body(&env);
        assert_eq!(body["metadata"]["resourceVersion"], rv, "{target}");
        assert_eq!(body.pointer(ptr), Some(&json!(!before)), "{target}: {body}");
        assert!(
            env.writes()[0]
                .query
                .contains("fieldManager=kubectl-kruise")
        );
        let after = get(&env, group, plural, name);
        assert_eq!(after.pointer(ptr), Some(&json!(!before)), "{target}");
        assert_eq!(
            after["metadata"]["managedFields"][0]["manager"],
            "kubectl-kruise"
        );
        // Again: nothing to do, nothing written.
        let again = env.run(&["rollout", verb, target]);
        again.expect_code(0);
        assert_eq!(env.writes().len(), 1, "{target}: the second {verb} wrote");
    }
}

#[test]
fn native_statefulsets_and_daemonsets_cannot_be_paused() {
    let env = env();
    for target in ["statefulset/cache", "daemonset/logs"] {
        let run = env.run(&["rollout", "pause", target]);
        run.expect_code(5)
            .assert_stderr("pausing is not supported for");
    }
    assert!(env.writes().is_empty());
}

#[test]
fn a_workload_under_a_release_is_refused_with_the_rollout_to_use() {
    let env = env();
    let run = env.run(&["rollout", "resume", "deployment/nginx"]);
    run.expect_code(5)
        .assert_stderr("rollout/rollouts-nginx is releasing it")
        .assert_stderr("kubectl kruise rollout resume rollout/rollouts-nginx")
        .assert_stderr("kubectl kruise rollout approve rollout/rollouts-nginx");
    let run = env.run(&["rollout", "pause", "deploy", "nginx"]);
    run.expect_code(5)
        .assert_stderr("kubectl kruise rollout pause rollout/rollouts-nginx");
    assert!(env.writes().is_empty());
}

#[test]
fn restart_of_native_kinds_sets_the_restarted_at_annotation() {
    for (target, group, plural, name) in [
        ("deployment/api", "apps", "deployments", "api"),
        ("statefulset/cache", "apps", "statefulsets", "cache"),
        ("ds/logs", "apps", "daemonsets", "logs"),
    ] {
        let env = env();
        let before = get(&env, group, plural, name);
        let run = env.run(&["rollout", "restart", target]);
        run.expect_code(0);
        assert!(
            run.stdout.ends_with(&format!("/{name} restarted\n")),
            "{}",
            run.stdout
        );
        let body = patch_body(&env);
        let at = body
            .pointer("/spec/template/metadata/annotations/kubectl.kubernetes.io~1restartedAt")
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("{target}: {body}"));
        assert!(at.parse::<jiff::Timestamp>().is_ok(), "{at}");
        assert!(
            body.pointer("/spec/template/spec").is_none(),
            "no container change"
        );
        let after = get(&env, group, plural, name);
        assert_eq!(
            after["spec"]["template"]["spec"], before["spec"]["template"]["spec"],
            "{target}"
        );
        assert_eq!(after["spec"]["replicas"], before["spec"]["replicas"]);
    }
}

#[test]
fn restart_of_in_place_kinds_recreates_pods_through_an_env_var() {
    let env = env();
    let run = env.run(&["rollout", "restart", "cloneset/web"]);
    run.expect_code(0)
        .assert_stderr("updates pods in place where it can")
        .assert_stderr("each pod is recreated");
    let after = get(&env, KRUISE, "clonesets", "web");
    let containers = after["spec"]["template"]["spec"]["containers"]
        .as_array()
        .unwrap();
    assert_eq!(containers.len(), 2);
    // Every container gets RESTARTED_AT; what was there is kept, images untouched.
    let web_env = containers[0]["env"].as_array().unwrap();
    assert_eq!(web_env[0], json!({"name": "MODE", "value": "prod"}));
    assert_eq!(web_env[1]["name"], "RESTARTED_AT");
    assert_eq!(containers[1]["env"][0]["name"], "RESTARTED_AT");
    assert_eq!(containers[0]["image"], "web:2");
    assert_eq!(containers[1]["image"], "envoy:1.30");
    assert!(
        after["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"]
            .is_string()
    );
    // The list was written whole, so the write was conditional on what was read.
    assert!(patch_body(&env)["metadata"]["resourceVersion"].is_string());
}

#[test]
fn restart_refuses_a_paused_deployment_and_in_place_only_pods() {
    let env = env();
    env.run(&["rollout", "restart", "deployment/nginx"])
        .expect_code(5)
        .assert_stderr("can't restart a paused deployment: rollout/rollouts-nginx holds it paused");
    env.api
        .modify(KRUISE, "statefulsets", "default", "db", |o| {
            o["spec"]["updateStrategy"]["rollingUpdate"]["podUpdatePolicy"] = json!("InPlaceOnly")
        });
    env.run(&["rollout", "restart", "asts/db"])
        .expect_code(5)
        .assert_stderr("InPlaceOnly");
    assert!(env.writes().is_empty());
}

#[test]
fn restart_of_a_rollout_restarts_its_workload_as_a_new_release() {
    let env = env();
    env.api
        .modify("apps", "deployments", "default", "shop", |o| {
            o["metadata"]["annotations"] =
                json!({"rollouts.kruise.io/in-progressing": "{\"rolloutName\":\"shop\"}"})
        });
    let run = env.run(&["rollout", "restart", "rollout/shop", "--dry-run=server"]);
    run.expect_code(0)
        .assert_stdout("deployment.apps/shop restarted (server dry run)")
        .assert_stderr(
            "rollout/shop controls shop: the restart is a new release through its steps",
        );
    assert!(env.writes()[0].query.contains("dryRun=All"));
    assert!(env.events().is_empty(), "a dry run records no Event");
    let stored = get(&env, "apps", "deployments", "shop");
    assert!(
        stored["spec"]["template"]["metadata"]
            .get("annotations")
            .is_none()
    );
}

#[test]
fn status_of_a_workload_reads_like_kubectl_and_names_its_release() {
    let env = env();
    let run = env.run(&["rollout", "status", "deployment/api"]);
    run.expect_code(0)
        .assert_stdout("Pods:       3 desired, 3 updated, 3 ready, 3 available")
        .assert_stdout("Status:     deployment \"api\" successfully rolled out");
    let run = env.run(&["rollout", "status", "asts/db", "-o", "json"]);
    let doc = run.expect_code(0).json();
    assert_eq!(doc["kind"], "StatefulSet");
    assert_eq!(
        (doc["updated"].as_i64(), doc["desired"].as_i64()),
        (Some(1), Some(3))
    );
    assert_eq!(doc["done"], false);
    assert_eq!(
        doc["message"],
        "Waiting for statefulset \"db\" rollout to finish: 1 out of 3 new replicas have been updated..."
    );
    let run = env.run(&["rollout", "status", "deployment/nginx"]);
    run.expect_code(0)
        .assert_stdout("Release:    rollout/rollouts-nginx: waiting for approval at step 1/3")
        .assert_stdout("Paused:     yes");
}

#[test]
fn status_until_completed_follows_a_workload_to_the_end() {
    let env = env();
    let child = env.spawn(&[
        "rollout",
        "status",
        "asts/db",
        "--until=completed",
        "--timeout=20s",
    ]);
    eventually("the watch is open", || env.api.open_watches() > 0);
    env.api
        .modify(KRUISE, "statefulsets", "default", "db", |o| {
            o["status"]["updatedReplicas"] = json!(3);
            o["status"]["updatedReadyReplicas"] = json!(3);
        });
    let run = crate::harness::wait(child, std::time::Duration::from_secs(20));
    run.expect_code(0)
        .assert_stdout("1 out of 3 new replicas have been updated")
        .assert_stderr("statefulset.apps.kruise.io/db: statefulset \"db\" successfully rolled out");
    // Steps belong to rollouts: a workload cannot wait for one.
    env.run(&["rollout", "status", "asts/db", "--until=paused"])
        .expect_code(2)
        .assert_stderr("is a workload: use --until=completed");
    env.run(&[
        "rollout",
        "status",
        "deployment/api",
        "--until=completed",
        "--timeout=5s",
    ])
    .expect_code(0);
    let run = env.run(&["rollout", "status", "asts/db", "-w", "--timeout=1s"]);
    run.expect_code(0);
}

#[test]
fn every_kind_with_every_verb() {
    // kind word, expected exit for pause, resume, restart; status always works.
    let kinds = [
        ("deployment/api", 0, 0, 0),
        ("statefulset/cache", 5, 5, 0),
        ("daemonset/logs", 5, 5, 0),
        ("cloneset/web", 0, 0, 0),
        ("statefulsets.apps.kruise.io/db", 0, 0, 0),
        ("ads/agent", 0, 0, 0),
    ];
    for (target, pause, resume, restart) in kinds {
        let env = env();
        for (verb, code) in [("pause", pause), ("resume", resume), ("restart", restart)] {
            let run = env.run(&["rollout", verb, target, "-o", "name"]);
            run.expect_code(code);
            if code == 0 {
                assert_eq!(
                    run.stdout.trim_end(),
                    target_display(target),
                    "{verb} {target}"
                );
            } else {
                assert!(
                    run.stderr.contains("is not supported"),
                    "{verb} {target}: {}",
                    run.stderr
                );
            }
        }
        for out in ["json", "yaml"] {
            env.run(&["rollout", "status", target, "-o", out])
                .expect_code(0);
        }
        env.run(&["rollout", "status", target])
            .expect_code(0)
            .assert_stdout("Status:");
        env.run(&["rollout", "history", target]).expect_code(0);
    }
}

/// `kind.group/name` for a target typed any way.
fn target_display(target: &str) -> String {
    let (word, name) = target.split_once('/').unwrap();
    let kind = match word {
        "deployment" => "deployment.apps",
        "statefulset" => "statefulset.apps",
        "daemonset" => "daemonset.apps",
        "cloneset" => "cloneset.apps.kruise.io",
        "statefulsets.apps.kruise.io" => "statefulset.apps.kruise.io",
        "ads" => "daemonset.apps.kruise.io",
        other => panic!("{other}"),
    };
    format!("{kind}/{name}")
}
