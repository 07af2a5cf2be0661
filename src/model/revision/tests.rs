use super::*;
use serde_json::json;

fn template(image: &str) -> Value {
    json!({"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": image}]}})
}

fn deployment(image: &str) -> Value {
    json!({
        "metadata": {"name": "web", "uid": "u1", "resourceVersion": "7",
            "annotations": {"rollouts.kruise.io/in-progressing": "{}", "kubernetes.io/change-cause": "v3"},
            "labels": {"rollouts.kruise.io/stable-revision": "h2"}},
        "spec": {"replicas": 5, "paused": true, "selector": {"matchLabels": {"app": "web"}}, "template": template(image)}
    })
}

fn replica_set(rev: i64, hash: &str, image: &str, owner: &str) -> Value {
    let mut t = template(image);
    t["metadata"]["labels"]["pod-template-hash"] = json!(hash);
    json!({
        "metadata": {"name": format!("web-{hash}"), "labels": {"app": "web", "pod-template-hash": hash},
            "annotations": {"deployment.kubernetes.io/revision": rev.to_string(), "kubernetes.io/change-cause": format!("v{rev}")},
            "ownerReferences": [{"uid": owner, "controller": true}]},
        "spec": {"template": t}
    })
}

fn history(w: &Workload, objs: &[Value], stable: Option<&str>) -> History {
    History {
        revisions: revisions(w, objs),
        stable: stable.map(str::to_string),
        canary: vec![],
    }
}

fn web(image: &str) -> Workload {
    Workload::decode(WorkloadKind::Deployment, &deployment(image)).unwrap()
}

#[test]
fn merge_diff_turns_one_document_into_the_other() {
    let cases = [
        (
            json!({"a": 1, "b": {"c": 2, "d": 3}}),
            json!({"a": 1, "b": {"c": 4}, "e": [1]}),
        ),
        (template("nginx:1"), template("nginx:2")),
        (json!({"x": [1, 2]}), json!({"x": [2]})),
    ];
    for (from, to) in cases {
        let d = merge_diff(&from, &to).expect("they differ");
        let mut applied = from.clone();
        json_patch::merge(&mut applied, &d);
        assert_eq!(applied, to, "patch {d}");
    }
    assert_eq!(merge_diff(&template("a"), &template("a")), None);
    assert_eq!(
        merge_diff(&json!({"a": 1, "b": 2}), &json!({"b": 2})),
        Some(json!({"a": null}))
    );
}

#[test]
fn replica_sets_of_other_owners_are_not_history() {
    let w = web("nginx:3");
    let h = history(
        &w,
        &[
            replica_set(2, "h2", "nginx:2", "u1"),
            replica_set(1, "h1", "nginx:1", "u1"),
            replica_set(9, "zz", "other:9", "someone-else"),
        ],
        None,
    );
    let numbers: Vec<i64> = h.revisions.iter().map(|r| r.revision).collect();
    assert_eq!(numbers, [1, 2]);
    assert_eq!(h.revisions[1].images, ["nginx:2"]);
    assert_eq!(h.revisions[1].change_cause.as_deref(), Some("v2"));
    // The hash label is not part of the template: revision 2 compares equal to a
    // Deployment running nginx:2.
    assert_eq!(h.current(&web("nginx:2")).map(|r| r.revision), Some(2));
    assert_eq!(h.current(&w), None);
}

#[test]
fn undo_restores_the_stable_revision_and_keeps_everything_else() {
    let w = web("nginx:3");
    let objs = [
        replica_set(1, "h1", "nginx:1", "u1"),
        replica_set(2, "h2", "nginx:2", "u1"),
        replica_set(3, "h3", "nginx:3", "u1"),
    ];
    let h = history(&w, &objs, Some("h2"));
    let stable = Stable {
        hash: "h2".into(),
        source: "rollout.rollouts.kruise.io/web".into(),
    };
    let u = decide_undo(&w, &h, Some(&stable), None, None).unwrap();
    assert_eq!(u.to.revision, 2);
    assert_eq!(u.why, Why::Stable("rollout.rollouts.kruise.io/web".into()));
    assert_eq!(u.from_images, ["nginx:3"]);
    assert_eq!(
        u.patch,
        json!({
            "spec": {"template": {"spec": {"containers": [{"name": "web", "image": "nginx:2"}]}}},
            "metadata": {"annotations": {"kubernetes.io/change-cause": "v2"}}
        })
    );
    let mut after = deployment("nginx:3");
    json_patch::merge(&mut after, &u.patch);
    assert_eq!(after["spec"]["template"], template("nginx:2"));
    assert_eq!(after["spec"]["paused"], json!(true));
    assert_eq!(after["spec"]["replicas"], json!(5));
    assert_eq!(
        after["metadata"]["annotations"]["rollouts.kruise.io/in-progressing"],
        json!("{}")
    );
}

#[test]
fn undo_picks_the_previous_template_without_a_stable_revision() {
    // A paused canary Deployment has no ReplicaSet for its new template yet: the newest
    // revision is the one to go back to.
    let w = web("nginx:3");
    let objs = [
        replica_set(1, "h1", "nginx:1", "u1"),
        replica_set(2, "h2", "nginx:2", "u1"),
    ];
    let u = decide_undo(&w, &history(&w, &objs, None), None, None, None).unwrap();
    assert_eq!((u.to.revision, u.why), (2, Why::Previous));

    // Running the newest revision: the one before it.
    let w2 = web("nginx:2");
    let u = decide_undo(&w2, &history(&w2, &objs, None), None, None, None).unwrap();
    assert_eq!(u.to.revision, 1);
}

#[test]
fn undo_refuses_when_there_is_nothing_to_go_back_to() {
    let w = web("nginx:2");
    let objs = [replica_set(2, "h2", "nginx:2", "u1")];
    let h = history(&w, &objs, None);
    let stable = Stable {
        hash: "h2".into(),
        source: "label".into(),
    };
    let e = decide_undo(&w, &h, Some(&stable), None, None).unwrap_err();
    assert!(e.0.contains("already runs the stable revision 2"), "{e}");
    let e = decide_undo(&w, &h, None, None, None).unwrap_err();
    assert!(e.0.contains("no earlier revision"), "{e}");
    let e = decide_undo(&w, &history(&w, &[], None), None, None, None).unwrap_err();
    assert!(e.0.contains("no revision history"), "{e}");
    let e = decide_undo(&w, &h, None, None, Some(7)).unwrap_err();
    assert_eq!(e.0, "deployment.apps/web has no revision 7 (revisions: 2)");
    let e = decide_undo(&w, &h, None, None, Some(2)).unwrap_err();
    assert!(e.0.contains("already runs revision 2"), "{e}");
    let gone = Stable {
        hash: "h0".into(),
        source: "label".into(),
    };
    let e = decide_undo(&w, &h, Some(&gone), None, None).unwrap_err();
    assert!(
        e.0.contains("stable revision h0 (from label) is not in the history"),
        "{e}"
    );
    // A release that is over: its stable revision is not what undo goes back to, and with
    // nothing earlier, the refusal says nothing is in flight and how to go further back.
    let e = decide_undo(&w, &h, Some(&gone), Some("rollout/web"), None).unwrap_err();
    assert!(
        e.0.starts_with("the release of rollout/web is over: nothing is in flight to undo"),
        "{e}"
    );
    assert!(e.0.contains("--to-revision"), "{e}");
    let e = decide_undo(
        &w,
        &history(&w, &[], None),
        Some(&gone),
        Some("rollout/web"),
        None,
    )
    .unwrap_err();
    assert!(e.0.contains("has no revision history"), "{e}");
    assert!(!e.0.contains("revisions: none"), "{e}");
    // With an earlier revision, a settled release rolls back to it, as kubectl does.
    let objs = [
        replica_set(1, "h1", "nginx:1", "u1"),
        replica_set(2, "h2", "nginx:2", "u1"),
    ];
    let h = history(&w, &objs, None);
    let u = decide_undo(&w, &h, Some(&gone), Some("rollout/web"), None).unwrap();
    assert_eq!((u.to.revision, u.why), (1, Why::Previous));
}

#[test]
fn controller_revisions_yield_their_template() {
    let sts = json!({
        "metadata": {"name": "db", "uid": "s1", "resourceVersion": "3"},
        "spec": {"template": template("pg:16")}
    });
    let w = Workload::decode(WorkloadKind::StatefulSet, &sts).unwrap();
    let mut data = json!({"spec": {"template": template("pg:15")}});
    data["spec"]["template"]["$patch"] = json!("replace");
    let cr = json!({
        "metadata": {"name": "db-7f9c", "ownerReferences": [{"uid": "s1"}]},
        "revision": 4, "data": data
    });
    let h = history(&w, &[cr], Some("db-7f9c"));
    let r = &h.revisions[0];
    assert_eq!((r.revision, r.hash.as_str()), (4, "7f9c"));
    assert_eq!(r.template, template("pg:15"));
    assert!(h.is_stable(r), "a full ControllerRevision name matches too");
    let u = decide_undo(&w, &h, None, None, None).unwrap();
    assert_eq!(
        u.patch,
        json!({"spec": {"template": {"spec": {"containers": [{"name": "web", "image": "pg:15"}]}}}})
    );
}
