//! The contract scripts rely on, in one place: every verb prints JSON or YAML on request
//! (on stdout, and only there), and each exit code means one thing for every verb.

use serde_json::{Value, json};

use crate::harness::{Env, Run};

const SEED: &[&str] = &["rollout-seed-v1beta1.yaml", "deployment-nginx.yaml"];

fn with_history() -> Env {
    let env = Env::new().with(SEED);
    let uid = env
        .api
        .get("apps", "deployments", "default", "nginx")
        .unwrap()["metadata"]["uid"]
        .clone();
    for (rev, hash, image) in [
        (4, "68556bc579", "nginx:1.26"),
        (5, "d7f5d89c9", "nginx:1.27"),
    ] {
        env.api.insert(json!({
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": format!("nginx-{hash}"), "namespace": "default",
                "labels": {"app": "nginx", "pod-template-hash": hash},
                "annotations": {"deployment.kubernetes.io/revision": rev.to_string()},
                "ownerReferences": [{"uid": uid, "controller": true}]},
            "spec": {"template": {"metadata": {"labels": {"app": "nginx", "pod-template-hash": hash}},
                "spec": {"containers": [{"name": "nginx", "image": image}]}}}
        }));
    }
    env
}

fn parsed(run: &Run, format: &str) -> Value {
    run.expect_code(0);
    assert!(!run.stdout.is_empty());
    match format {
        "json" => run.json(),
        _ => serde_saphyr::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("stdout is not YAML ({e}):\n{}", run.stdout)),
    }
}

#[test]
fn every_verb_prints_json_and_yaml_on_stdout() {
    for format in ["json", "yaml"] {
        let env = with_history();
        let o = ["-o", format];
        let cases: Vec<(Vec<&str>, &str)> = vec![
            (vec!["version"], "/version"),
            (vec!["rollout", "status", "rollouts-nginx"], "/stage"),
            (
                vec![
                    "rollout",
                    "status",
                    "rollouts-nginx",
                    "--until=paused",
                    "--timeout=20s",
                ],
                "/stage",
            ),
            (vec!["rollout", "list"], "/items/0/name"),
            (
                vec!["rollout", "history", "rollouts-nginx"],
                "/revisions/1/hash",
            ),
            (
                vec!["rollout", "approve", "rollouts-nginx", "--dry-run"],
                "/status/canaryStatus/currentStepState",
            ),
            (
                vec!["rollout", "pause", "rollouts-nginx"],
                "/spec/strategy/paused",
            ),
            (
                vec!["rollout", "resume", "rollouts-nginx"],
                "/spec/strategy/paused",
            ),
            (
                vec!["rollout", "undo", "rollouts-nginx", "--dry-run=server"],
                "/spec/template/spec/containers/0/image",
            ),
        ];
        for (args, pointer) in cases {
            let mut all = args.clone();
            all.extend_from_slice(&o);
            let run = env.run(&all);
            let doc = parsed(&run, format);
            assert!(
                doc.pointer(pointer).is_some(),
                "{all:?}: no {pointer} in\n{}",
                run.stdout
            );
            // People get their messages on stderr; it never carries the document.
            assert!(
                !run.stderr.contains('{') && !run.stderr.contains("name:"),
                "{all:?}: {}",
                run.stderr
            );
        }
    }
}

#[test]
fn each_exit_code_means_one_thing_for_every_verb() {
    let env = with_history();
    let code = |args: &[&str]| env.run(args).code;
    // 0: done, the condition holds, or nothing to do.
    assert_eq!(
        code(&["rollout", "status", "rollouts-nginx", "--until=paused"]),
        0
    );
    assert_eq!(code(&["rollout", "resume", "rollouts-nginx"]), 0);
    // 1: errors: not found, forbidden, unreachable.
    assert_eq!(code(&["rollout", "approve", "ghost"]), 1);
    assert_eq!(code(&["rollout", "status", "ghost"]), 1);
    assert_eq!(code(&["rollout", "undo", "deployment/ghost"]), 1);
    // 2: the command line.
    assert_eq!(code(&["rollout", "approve", "pod/x"]), 2);
    assert_eq!(code(&["rollout", "status", "x", "--until=soon"]), 2);
    assert_eq!(code(&["rollout", "undo", "deployment/x", "--fast"]), 2);
    // 3: timed out waiting.
    assert_eq!(
        code(&[
            "rollout",
            "status",
            "rollouts-nginx",
            "--until=completed",
            "--timeout=1s"
        ]),
        3
    );
    // 4: the rollout can no longer get there.
    assert_eq!(
        code(&["rollout", "status", "rollouts-nginx", "--until=step=9"]),
        4
    );
    // 5: refused, nothing written.
    assert_eq!(
        code(&["rollout", "approve", "rollouts-nginx", "--expect-step=2"]),
        5
    );
    assert_eq!(code(&["rollout", "undo", "rollouts-nginx", "--fast"]), 5);
    assert!(env.writes().is_empty(), "{:?}", env.writes());
}
