//! `rollout undo` and `rollout history` against stored workloads and their revisions (there
//! is no controller: each test creates the ReplicaSets / ControllerRevisions it needs).

use serde_json::{Value, json};

use crate::harness::Env;

const KRUISE: &str = "apps.kruise.io";

fn body(w: &fake_apiserver::RequestRecord) -> Value {
    serde_json::from_str(&w.body).unwrap_or_else(|e| panic!("{e}: {}", w.body))
}

fn template(app: &str, image: &str) -> Value {
    json!({"metadata": {"labels": {"app": app}}, "spec": {"containers": [{"name": app, "image": image}]}})
}

impl Env {
    fn workload(&self, group: &str, plural: &str, name: &str) -> Value {
        self.api
            .get(group, plural, "default", name)
            .unwrap_or_else(|| panic!("{plural}/{name} stored"))
    }

    fn uid(&self, group: &str, plural: &str, name: &str) -> String {
        self.workload(group, plural, name)["metadata"]["uid"]
            .as_str()
            .expect("uid")
            .to_string()
    }

    /// A ReplicaSet of Deployment `deploy` for `image`, as the Deployment controller makes it.
    fn replica_set(&self, deploy: &str, revision: i64, hash: &str, image: &str) {
        let mut t = template(deploy, image);
        t["metadata"]["labels"]["pod-template-hash"] = json!(hash);
        self.api.insert(json!({
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {
                "name": format!("{deploy}-{hash}"), "namespace": "default",
                "labels": {"app": deploy, "pod-template-hash": hash},
                "annotations": {
                    "deployment.kubernetes.io/revision": revision.to_string(),
                    "kubernetes.io/change-cause": format!("release {image}")
                },
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": deploy,
                    "uid": self.uid("apps", "deployments", deploy), "controller": true}]
            },
            "spec": {"replicas": 0, "selector": {"matchLabels": {"app": deploy}}, "template": t}
        }));
    }

    /// A ControllerRevision `<name>-<hash>` of a StatefulSet/DaemonSet/CloneSet-like workload.
    fn controller_revision(
        &self,
        group: &str,
        plural: &str,
        name: &str,
        revision: i64,
        hash: &str,
        image: &str,
    ) {
        let mut t = template(name, image);
        t["$patch"] = json!("replace");
        self.api.insert(json!({
            "apiVersion": "apps/v1", "kind": "ControllerRevision",
            "metadata": {
                "name": format!("{name}-{hash}"), "namespace": "default",
                "labels": {"app": name, "controller-revision-hash": hash},
                "ownerReferences": [{"name": name, "uid": self.uid(group, plural, name), "controller": true}]
            },
            "revision": revision,
            "data": {"spec": {"template": t}}
        }));
    }

    fn image_of(&self, group: &str, plural: &str, name: &str) -> String {
        self.workload(group, plural, name)["spec"]["template"]["spec"]["containers"][0]["image"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    fn patches_of(&self, plural: &str) -> Vec<fake_apiserver::RequestRecord> {
        self.writes()
            .into_iter()
            .filter(|w| w.path.contains(&format!("/{plural}/")))
            .collect()
    }
}

/// The seed release: nginx 1.26 (revision 4, stable) -> 1.27 (revision 5), partition style,
/// paused at batch 1 of 3; the Deployment is paused by the controller.
fn seed_release() -> Env {
    let env = Env::new().with(&["rollout-seed-v1beta1.yaml", "deployment-nginx.yaml"]);
    env.replica_set("nginx", 3, "5f6c8d7b4", "nginx:1.25");
    env.replica_set("nginx", 4, "68556bc579", "nginx:1.26");
    env.replica_set("nginx", 5, "d7f5d89c9", "nginx:1.27");
    env.api.clear_requests();
    env
}

#[test]
fn undo_of_a_rollout_restores_the_stable_revision_and_keeps_the_rest() {
    let env = seed_release();
    let before = env.workload("apps", "deployments", "nginx");
    let run = env.run(&["rollout", "undo", "rollout/rollouts-nginx"]);
    run.expect_code(0);
    assert_eq!(
        run.stdout,
        "deployment.apps/nginx rolled back to revision 4 (68556bc579): nginx:1.27 -> nginx:1.26\n"
    );
    run.assert_stderr("stable revision of rollout.rollouts.kruise.io/rollouts-nginx");

    let after = env.workload("apps", "deployments", "nginx");
    assert_eq!(env.image_of("apps", "deployments", "nginx"), "nginx:1.26");
    // Only the template and the change-cause changed: replicas, paused, strategy and every
    // Kruise annotation and label are as the controller left them.
    for pointer in [
        "/spec/replicas",
        "/spec/paused",
        "/spec/selector",
        "/metadata/labels",
    ] {
        assert_eq!(after.pointer(pointer), before.pointer(pointer), "{pointer}");
    }
    for (k, v) in before["metadata"]["annotations"].as_object().unwrap() {
        if k.starts_with("rollouts.kruise.io/") || k.starts_with("deployment.kubernetes.io/") {
            assert_eq!(&after["metadata"]["annotations"][k], v, "{k}");
        }
    }
    assert_eq!(
        after["metadata"]["annotations"]["kubernetes.io/change-cause"],
        json!("release nginx:1.26")
    );

    // One conditional write to the workload; the rollout is left to its controller.
    let writes = env.writes();
    assert_eq!(writes.len(), 1, "{writes:?}");
    assert_eq!(writes[0].method, "PATCH");
    assert!(
        writes[0]
            .path
            .ends_with("/apis/apps/v1/namespaces/default/deployments/nginx")
    );
    assert_eq!(
        body(&writes[0])["metadata"]["resourceVersion"],
        before["metadata"]["resourceVersion"]
    );
}

#[test]
fn undo_of_a_v1alpha1_canary_goes_back_to_the_replica_set_before_the_paused_template() {
    // v0.4 cluster; canary style: the paused Deployment already carries echo:2, which has no
    // ReplicaSet of its own (the canary pods belong to a separate canary Deployment).
    let env =
        Env::serving(&["v1alpha1"]).with(&["rollout-v1alpha1-canary.yaml", "deployment-echo.yaml"]);
    env.replica_set("echo", 1, "6f7d5c4b9", "echo:1");
    let run = env.run(&["rollout", "undo", "echo"]);
    run.expect_code(0)
        .assert_stdout("rolled back to revision 1 (6f7d5c4b9): echo:2 -> echo:1");
    assert_eq!(env.image_of("apps", "deployments", "echo"), "echo:1");
    assert_eq!(
        env.workload("apps", "deployments", "echo")["spec"]["paused"],
        json!(true)
    );
}

#[test]
fn undo_and_history_work_for_every_kind_through_a_rollout_and_the_workload() {
    // (group, version served, kind, plural, how the rollout names it, the type word, shown)
    let kinds = [
        (
            "apps",
            "v1",
            "Deployment",
            "deployments",
            "apps/v1",
            "deployment/web",
            "deployment.apps/web",
        ),
        (
            "apps",
            "v1",
            "StatefulSet",
            "statefulsets",
            "apps/v1",
            "statefulset/web",
            "statefulset.apps/web",
        ),
        (
            "apps",
            "v1",
            "DaemonSet",
            "daemonsets",
            "apps/v1",
            "ds/web",
            "daemonset.apps/web",
        ),
        (
            KRUISE,
            "v1alpha1",
            "CloneSet",
            "clonesets",
            "apps.kruise.io/v1alpha1",
            "cloneset/web",
            "cloneset.apps.kruise.io/web",
        ),
        // Rollouts name the Advanced StatefulSet as v1alpha1 or v1beta1; either resolves.
        (
            KRUISE,
            "v1beta1",
            "StatefulSet",
            "statefulsets",
            "apps.kruise.io/v1alpha1",
            "statefulsets.apps.kruise.io/web",
            "statefulset.apps.kruise.io/web",
        ),
        (
            KRUISE,
            "v1alpha1",
            "DaemonSet",
            "daemonsets",
            "apps.kruise.io/v1alpha1",
            "ads/web",
            "daemonset.apps.kruise.io/web",
        ),
    ];
    for (group, version, kind, plural, referenced_as, arg, shown) in kinds {
        let env = Env::new();
        env.api.insert(json!({
            "apiVersion": format!("{group}/{version}"), "kind": kind,
            "metadata": {"name": "web", "namespace": "default",
                "labels": {"app": "web", "rollouts.kruise.io/workload-type": "x"},
                "annotations": {"rollouts.kruise.io/in-progressing": "{\"rolloutName\":\"web\"}"}},
            "spec": {"replicas": 4, "paused": true, "selector": {"matchLabels": {"app": "web"}},
                "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 3}},
                "template": template("web", "web:3")}
        }));
        let hashes = ["aaa111", "bbb222", "ccc333"];
        for (i, hash) in hashes.iter().enumerate() {
            let n = i as i64 + 1;
            let image = format!("web:{n}");
            if kind == "Deployment" {
                env.replica_set("web", n, hash, &image);
            } else {
                env.controller_revision(group, plural, "web", n, hash, &image);
            }
        }
        let mut rollout = crate::harness::fixture("rollout-seed-v1beta1.yaml");
        rollout["metadata"]["name"] = json!("web");
        rollout["spec"]["workloadRef"] =
            json!({"apiVersion": referenced_as, "kind": kind, "name": "web"});
        rollout["status"]["canaryStatus"]["stableRevision"] = json!("aaa111");
        rollout["status"]["canaryStatus"]["podTemplateHash"] = json!("ccc333");
        env.api.insert(rollout);
        let before = env.workload(group, plural, "web");

        // History through the rollout marks both ends of the release.
        let doc = env
            .run(&["rollout", "history", "rollout/web", "-o", "json"])
            .json();
        assert_eq!(
            (
                &doc["currentRevision"],
                &doc["stableRevision"],
                &doc["canaryRevision"]
            ),
            (&json!(3), &json!(1), &json!(3)),
            "{arg}"
        );
        env.api.clear_requests();

        // Undo through the rollout: its stable revision (1), not the previous one (2).
        let run = env.run(&["rollout", "undo", "rollout/web"]);
        run.expect_code(0);
        assert_eq!(
            run.stdout,
            format!("{shown} rolled back to revision 1 (aaa111): web:3 -> web:1\n"),
            "{arg}"
        );
        let after = env.workload(group, plural, "web");
        assert_eq!(after["spec"]["template"], template("web", "web:1"), "{arg}");
        for pointer in [
            "/spec/replicas",
            "/spec/paused",
            "/spec/updateStrategy",
            "/metadata/labels",
        ] {
            assert_eq!(
                after.pointer(pointer),
                before.pointer(pointer),
                "{arg} {pointer}"
            );
        }
        for (k, v) in before["metadata"]["annotations"].as_object().unwrap() {
            assert_eq!(&after["metadata"]["annotations"][k], v, "{arg} {k}");
        }
        let writes = env.writes();
        assert_eq!(writes.len(), 1, "{arg}: {writes:?}");
        assert!(
            writes[0].path.contains(&format!(
                "/apis/{group}/{version}/namespaces/default/{plural}/web"
            )),
            "{}",
            writes[0].path
        );

        // Through the workload itself: no rollout, no stable label, so the newest revision
        // that differs from what runs now (3).
        let doc = env.run(&["rollout", "history", arg, "-o", "json"]).json();
        assert_eq!(
            (&doc["currentRevision"], &doc["rollout"]),
            (&json!(1), &Value::Null),
            "{arg}"
        );
        env.run(&["rollout", "undo", arg])
            .expect_code(0)
            .assert_stdout(&format!(
                "{shown} rolled back to revision 3 (ccc333): web:1 -> web:3"
            ));
        assert_eq!(
            env.workload(group, plural, "web")["spec"]["template"],
            template("web", "web:3"),
            "{arg}"
        );
    }
}

#[test]
fn to_revision_picks_the_revision() {
    let env = seed_release();
    env.run(&["rollout", "undo", "deployment/nginx", "--to-revision", "3"])
        .expect_code(0)
        .assert_stdout("rolled back to revision 3 (5f6c8d7b4): nginx:1.27 -> nginx:1.25");
    assert_eq!(env.image_of("apps", "deployments", "nginx"), "nginx:1.25");

    let run = env.run(&["rollout", "undo", "deployment/nginx", "--to-revision=9"]);
    run.expect_code(5)
        .assert_stderr("deployment.apps/nginx has no revision 9 (revisions: 3, 4, 5)");
    let run = env.run(&["rollout", "undo", "deployment/nginx", "--to-revision=3"]);
    run.expect_code(5).assert_stderr("already runs revision 3");
    assert_eq!(env.writes().len(), 1, "only the first undo wrote");
}

#[test]
fn dry_runs_change_nothing() {
    let env = seed_release();
    let stored = env.workload("apps", "deployments", "nginx");

    let run = env.run(&[
        "rollout",
        "undo",
        "rollout/rollouts-nginx",
        "--dry-run=client",
        "-o",
        "json",
    ]);
    run.expect_code(0);
    assert_eq!(
        run.json()["spec"]["template"]["spec"]["containers"][0]["image"],
        json!("nginx:1.26")
    );
    assert!(
        env.writes().is_empty(),
        "a client dry run sends no write: {:?}",
        env.writes()
    );

    let run = env.run(&["rollout", "undo", "rollout/rollouts-nginx", "--dry-run"]);
    run.expect_code(0)
        .assert_stdout("nginx:1.27 -> nginx:1.26 (dry run)");
    assert!(env.writes().is_empty());

    let run = env.run(&[
        "rollout",
        "undo",
        "rollout/rollouts-nginx",
        "--dry-run=server",
    ]);
    run.expect_code(0)
        .assert_stdout("nginx:1.27 -> nginx:1.26 (server dry run)");
    let writes = env.writes();
    assert_eq!(writes.len(), 1);
    assert!(
        writes[0].query.contains("dryRun=All"),
        "{}",
        writes[0].query
    );

    assert_eq!(
        env.workload("apps", "deployments", "nginx"),
        stored,
        "nothing stored changed"
    );
}

#[test]
fn undo_refuses_when_there_is_nothing_to_roll_back() {
    // Already on the stable revision.
    let env = seed_release();
    env.api
        .modify("apps", "deployments", "default", "nginx", |d| {
            d["spec"]["template"] = template("nginx", "nginx:1.26");
        });
    env.api.clear_requests();
    env.run(&["rollout", "undo", "rollout/rollouts-nginx"])
        .expect_code(5)
        .assert_stderr("error: cannot undo deployment.apps/nginx: deployment.apps/nginx already runs the stable revision 4 (68556bc579)");
    assert!(env.writes().is_empty());

    // The blue-green release of shop completed, and its Deployment has no ReplicaSets: there
    // is nothing in flight, and no revision to offer (not "pick one with --to-revision").
    let env = Env::new().with(&["deployment-shop.yaml", "rollout-v1beta1-bluegreen.yaml"]);
    env.api
        .modify(crate::harness::GROUP, "rollouts", "default", "shop", |r| {
            r["status"]["phase"] = json!("Healthy");
            r["status"]["conditions"] =
                json!([{"type": "Succeeded", "status": "True", "reason": "Completed"}]);
        });
    let run = env.run(&["rollout", "undo", "shop"]);
    run.expect_code(5).assert_stderr(
        "the release of rollout.rollouts.kruise.io/shop is over: nothing is in flight to undo, \
         and deployment.apps/shop has no revision history; to go back to an earlier revision, \
         name it with --to-revision N",
    );
    assert!(!run.stderr.contains("revisions: none"), "{}", run.stderr);
    assert!(env.writes().is_empty());

    // No history at all.
    let env = Env::new().with(&["deployment-echo.yaml"]);
    env.run(&["rollout", "undo", "deployment/echo"])
        .expect_code(5)
        .assert_stderr("has no revision history");

    // A workload kind no rollback is known for.
    let env = Env::new();
    let mut rollout = crate::harness::fixture("rollout-seed-v1beta1.yaml");
    rollout["spec"]["workloadRef"] =
        json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "x"});
    env.api.insert(rollout);
    env.run(&["rollout", "undo", "rollouts-nginx"])
        .expect_code(5)
        .assert_stderr("controls a ReplicaSet (apps/v1), a kind this plugin cannot roll back");

    // Unknown types and bad combinations are command-line errors, before any request.
    let env = Env::new();
    env.run(&["rollout", "undo", "pod/x"])
        .expect_code(2)
        .assert_stderr("neither a rollout nor");
    env.run(&["rollout", "undo", "deployment/x", "--fast"])
        .expect_code(2)
        .assert_stderr("--fast moves a rollout's steps");
    env.run(&["rollout", "undo", "x", "--fast", "--to-revision=2"])
        .expect_code(2);
    assert!(env.api.requests().is_empty());

    // A missing workload is an error, not a refusal.
    env.run(&["rollout", "undo", "deployment/ghost"])
        .expect_code(1)
        .assert_stderr("not found");
}

#[test]
fn a_conflicting_write_is_read_again_and_kept() {
    let env = seed_release();
    // Someone scales the Deployment right after our read: our write meets a 409.
    env.api.after_get(
        "apps",
        "deployments",
        "default",
        "nginx",
        1,
        Box::new(|d| {
            d["spec"]["replicas"] = json!(12);
        }),
    );
    env.run(&["rollout", "undo", "rollout/rollouts-nginx"])
        .expect_code(0);
    let patches = env.patches_of("deployments");
    assert_eq!(patches.len(), 2, "one conflict, one retry: {patches:?}");
    let d = env.workload("apps", "deployments", "nginx");
    assert_eq!(d["spec"]["replicas"], json!(12), "the other write is kept");
    assert_eq!(env.image_of("apps", "deployments", "nginx"), "nginx:1.26");
}

/// The blue-green release at step 3 of 3 (100% traffic) on a v0.6 controller.
fn blue_green_at_last_step() -> Env {
    let env = Env::new().with(&["rollout-v1beta1-bluegreen.yaml", "deployment-shop.yaml"]);
    env.modify_rollout("shop", |r| {
        r["status"]["blueGreenStatus"]["currentStepIndex"] = json!(3);
        r["status"]["blueGreenStatus"]["nextStepIndex"] = json!(-1);
    });
    env.api.clear_requests();
    env
}

#[test]
fn fast_undo_steps_back_to_the_latest_step_without_traffic() {
    let env = blue_green_at_last_step();
    let run = env.run(&["rollout", "undo", "rollout/shop", "--fast", "--dry-run"]);
    run.expect_code(0)
        .assert_stdout("stepped back from step 3/3 to step 2/3 (dry run)");
    assert!(env.writes().is_empty());

    env.run(&["rollout", "undo", "rollout/shop", "--fast"])
        .expect_code(0)
        .assert_stdout("rollout.rollouts.kruise.io/shop stepped back from step 3/3 to step 2/3");
    let writes = env.writes();
    assert_eq!(writes.len(), 1);
    assert!(
        writes[0].path.ends_with("/rollouts/shop/status"),
        "{}",
        writes[0].path
    );
    assert_eq!(
        body(&writes[0])["status"],
        json!({"blueGreenStatus": {"nextStepIndex": 2}})
    );
    assert!(body(&writes[0])["metadata"]["resourceVersion"].is_string());
    assert_eq!(
        env.rollout("shop")["status"]["blueGreenStatus"]["nextStepIndex"],
        json!(2)
    );
    assert!(
        env.patches_of("deployments").is_empty(),
        "the template is not touched"
    );
}

#[test]
fn fast_undo_refuses_without_step_jumps_or_an_earlier_step() {
    // The seed is a v0.5 status: no nextStepIndex.
    let env = seed_release();
    env.run(&["rollout", "undo", "rollout/rollouts-nginx", "--fast"])
        .expect_code(5)
        .assert_stderr("does not support step jumps");
    let env = Env::new().with(&["rollout-v1beta1-bluegreen.yaml"]);
    env.run(&["rollout", "undo", "shop", "--fast"])
        .expect_code(5)
        .assert_stderr("at its first step");
    assert!(env.writes().is_empty());
}

#[test]
fn history_marks_the_release_and_shows_one_revision_in_full() {
    let env = seed_release();
    let run = env.run(&["rollout", "history", "rollout/rollouts-nginx"]);
    run.expect_code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{}", run.stdout);
    let cols = |l: &str| l.split_whitespace().map(str::to_string).collect::<Vec<_>>();
    assert_eq!(
        cols(lines[0]),
        [
            "REVISION",
            "HASH",
            "IMAGES",
            "AGE",
            "RELEASE",
            "CHANGE-CAUSE"
        ]
    );
    assert_eq!(cols(lines[1])[..3], ["3", "5f6c8d7b4", "nginx:1.25"]);
    assert_eq!(cols(lines[1])[4], "-");
    assert_eq!(cols(lines[2])[4], "stable");
    assert_eq!(cols(lines[3])[4], "canary,current");
    assert!(lines[3].ends_with("release nginx:1.27"), "{}", lines[3]);

    let doc = env
        .run(&["rollout", "history", "deployment/nginx", "-o", "json"])
        .json();
    assert_eq!(
        doc["workload"],
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "name": "nginx"})
    );
    assert_eq!(doc["rollout"], Value::Null);
    // Through the workload the stable revision comes from its label.
    assert_eq!(doc["stableRevision"], json!(4));
    assert_eq!(doc["currentRevision"], json!(5));
    let fields: Vec<&str> = doc["revisions"][0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        fields,
        [
            "revision",
            "hash",
            "name",
            "images",
            "created",
            "changeCause",
            "stable",
            "canary",
            "current"
        ]
    );

    let one = env.run(&[
        "rollout",
        "history",
        "rollout/rollouts-nginx",
        "--revision",
        "4",
    ]);
    one.expect_code(0)
        .assert_stdout("deployment/nginx revision 4 (68556bc579), stable")
        .assert_stdout("image: nginx:1.26");
    let y = env.run(&[
        "rollout",
        "history",
        "rollouts-nginx",
        "--revision=4",
        "-o",
        "yaml",
    ]);
    y.expect_code(0).assert_stdout("template:");
    env.run(&["rollout", "history", "rollouts-nginx", "--revision=8"])
        .expect_code(1)
        .assert_stderr("has no revision 8 (revisions: 3, 4, 5)");
    assert!(env.writes().is_empty(), "history only reads");
}

#[test]
fn history_shows_a_paused_template_that_has_no_revision_yet() {
    let env =
        Env::serving(&["v1alpha1"]).with(&["rollout-v1alpha1-canary.yaml", "deployment-echo.yaml"]);
    env.replica_set("echo", 1, "6f7d5c4b9", "echo:1");
    let run = env.run(&["rollout", "history", "echo"]);
    run.expect_code(0);
    let last = run.stdout.lines().last().unwrap_or_default().to_string();
    assert!(
        last.starts_with('-')
            && last.contains("echo:2")
            && last.contains("current (no revision yet)"),
        "{}",
        run.stdout
    );
}
