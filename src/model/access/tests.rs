use serde_json::{Value, json};

use super::policy::{Scope, batch_validations, identity_condition, kruise_validations};
use super::*;

fn web() -> Granted {
    Granted::Kruise {
        name: "web".into(),
        workload: Some((WorkloadKind::Deployment, "nginx".into())),
    }
}

fn events() -> Options {
    Options {
        events: true,
        ..Options::default()
    }
}

fn rule(groups: &[&str], resources: &[&str], verbs: &[&str], names: &[&str]) -> Rule {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect();
    Rule {
        api_groups: s(groups),
        resources: s(resources),
        verbs: s(verbs),
        resource_names: s(names),
    }
}

#[test]
fn approve_needs_its_rollout_its_status_its_workload_and_events_only() {
    let got = rules(&requests(Verb::Approve, &web(), events()));
    assert_eq!(
        got,
        [
            rule(&[""], &["events"], &["create"], &[]),
            rule(&["apps"], &["deployments"], &["get"], &["nginx"]),
            rule(&[GROUP], &["rollouts"], &["get", "list", "watch"], &["web"]),
            rule(&[GROUP], &["rollouts/status"], &["patch"], &["web"]),
        ]
    );
    // Without the audit Event, no events rule.
    let quiet = rules(&requests(Verb::Approve, &web(), Options::default()));
    assert!(quiet.iter().all(|r| r.resources != ["events"]));
}

#[test]
fn rules_merge_names_and_a_request_without_a_name_widens_its_rule() {
    let api = Granted::Kruise {
        name: "api".into(),
        workload: Some((WorkloadKind::CloneSet, "api".into())),
    };
    let all = manifests::all_requests(&[Verb::Pause, Verb::History], &[web(), api], events());
    let got = rules(&all);
    assert!(
        got.contains(&rule(
            &[GROUP],
            &["rollouts"],
            &["get", "patch"],
            &["api", "web"]
        )),
        "{got:#?}"
    );
    assert!(
        got.contains(&rule(
            &["apps"],
            &["controllerrevisions", "replicasets"],
            &["list"],
            &[]
        )),
        "{got:#?}"
    );
    assert!(
        got.contains(&rule(&["apps"], &["deployments"], &["get"], &["nginx"])),
        "{got:#?}"
    );
    assert!(
        got.contains(&rule(
            &["apps.kruise.io"],
            &["clonesets"],
            &["get"],
            &["api"]
        )),
        "{got:#?}"
    );
    // list reads the whole namespace: no names.
    let got = rules(&manifests::all_requests(&[Verb::List], &[web()], events()));
    assert_eq!(
        got,
        [rule(&[GROUP], &["rollouts"], &["list", "watch"], &[])]
    );
}

#[test]
fn kubevela_rollouts_need_their_own_kinds_and_app_rendered_ones_their_application() {
    let app_rollout = Granted::Batch {
        kind: BatchKind::AppRollout,
        name: "rolling".into(),
        app: None,
    };
    let got = rules(&requests(Verb::Approve, &app_rollout, Options::default()));
    assert_eq!(
        got,
        [rule(
            &["core.oam.dev"],
            &["approllouts"],
            &["get", "list", "watch", "patch"],
            &["rolling"]
        )]
    );
    let trait_rollout = Granted::Batch {
        kind: BatchKind::TraitRollout,
        name: "express".into(),
        app: Some("shop".into()),
    };
    let got = requests(Verb::Approve, &trait_rollout, Options::default());
    assert!(got.contains(&req("core.oam.dev", "applications", "patch", Some("shop"))));
    assert!(requests(Verb::Restart, &trait_rollout, events()).is_empty());
}

#[test]
fn subjects_are_parsed_as_rbac_names_them() {
    assert_eq!(
        Subject::parse("serviceaccount:shop:ci-bot")
            .unwrap()
            .username()
            .as_deref(),
        Some("system:serviceaccount:shop:ci-bot")
    );
    assert_eq!(
        Subject::parse("system:serviceaccount:shop:ci-bot").unwrap(),
        Subject::ServiceAccount {
            namespace: "shop".into(),
            name: "ci-bot".into()
        }
    );
    assert_eq!(
        Subject::parse("group:release-bots").unwrap().username(),
        None
    );
    for bad in ["ci-bot", "user:", "serviceaccount:shop", "user:a'b"] {
        assert!(Subject::parse(bad).is_err(), "{bad}");
    }
    assert_eq!(
        Subject::parse("user:CI.Bot@example.com").unwrap().short(),
        "ci-bot-example-com"
    );
}

#[test]
fn the_policy_api_follows_the_server_version() {
    assert_eq!(PolicyApi::for_server(1, 33), Some(PolicyApi::V1));
    assert_eq!(PolicyApi::for_server(1, 30), Some(PolicyApi::V1));
    assert_eq!(PolicyApi::for_server(1, 29), Some(PolicyApi::V1beta1));
    assert_eq!(PolicyApi::for_server(1, 28), Some(PolicyApi::V1beta1));
    assert_eq!(PolicyApi::for_server(1, 27), None);
}

#[test]
fn manifests_hold_a_role_a_binding_and_a_policy_only_where_status_is_written() {
    let sa = [Subject::parse("serviceaccount:shop:ci-bot").unwrap()];
    let m = manifests(
        "kruise-ci-bot",
        "shop",
        &sa,
        &[Verb::Approve],
        &[web()],
        events(),
        Some(PolicyApi::V1),
    );
    let kinds: Vec<&str> = m.iter().map(|o| o["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "Role",
            "RoleBinding",
            "ValidatingAdmissionPolicy",
            "ValidatingAdmissionPolicyBinding"
        ]
    );
    assert_eq!(
        m[1]["subjects"],
        json!([{"kind": "ServiceAccount", "name": "ci-bot", "namespace": "shop"}])
    );
    assert_eq!(m[2]["apiVersion"], "admissionregistration.k8s.io/v1");
    assert_eq!(m[3]["spec"]["policyName"], m[2]["metadata"]["name"]);
    assert_eq!(
        m[3]["spec"]["matchResources"]["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"],
        "shop"
    );
    // Pause writes spec, not status: no policy.
    let m = manifests(
        "p",
        "shop",
        &sa,
        &[Verb::Pause, Verb::Status],
        &[web()],
        events(),
        Some(PolicyApi::V1),
    );
    assert_eq!(m.len(), 2);
}

// ---- The policy's expressions, evaluated as the API server evaluates them. ----

fn eval(expr: &str, old: &Value, new: &Value, user: &str, groups: &[&str]) -> bool {
    let request = json!({"operation": "UPDATE", "userInfo": {"username": user, "groups": groups}});
    // An error (a missing field) fails the validation, as failurePolicy Fail does.
    fake_apiserver::cel::eval(expr, new, old, &request).unwrap_or_else(|e| panic!("{expr}: {e}"))
        == Some(true)
}

fn admitted(validations: &[(String, String)], old: &Value, new: &Value) -> bool {
    validations.iter().all(|(e, _)| eval(e, old, new, "x", &[]))
}

fn paused_rollout(sub: &str) -> Value {
    json!({
        "apiVersion": "rollouts.kruise.io/v1beta1", "kind": "Rollout",
        "metadata": {"name": "web", "namespace": "shop"},
        "status": {
            "phase": "Progressing", "observedGeneration": 3, "canaryRevision": "5c9556986d",
            "conditions": [{"type": "Progressing", "status": "True", "reason": "InRolling"}],
            sub: {
                "currentStepIndex": 1, "currentStepState": "StepPaused", "nextStepIndex": 2,
                "canaryRevision": "5c9556986d", "podTemplateHash": "d7f5d89c9",
                "lastUpdateTime": "2026-01-01T00:00:00Z", "message": "waiting",
            },
        },
    })
}

/// The status after a merge patch, as the server stores it.
fn patched(old: &Value, patch: Value) -> Value {
    let mut new = old.clone();
    json_patch::merge(&mut new, &patch);
    new
}

#[test]
fn the_plugins_approval_is_admitted_and_every_other_status_change_is_denied() {
    let v = kruise_validations(false);
    for sub in ["canaryStatus", "blueGreenStatus"] {
        let old = paused_rollout(sub);
        // The plugin's approval: StepReady, and the controller-visible time.
        let approval = patched(
            &old,
            json!({"status": {sub: {"currentStepState": "StepReady"}}}),
        );
        assert!(admitted(&v, &old, &approval), "{sub}");
        let with_time = patched(
            &approval,
            json!({"status": {sub: {"lastUpdateTime": "2026-01-01T00:01:00Z"}}}),
        );
        assert!(admitted(&v, &old, &with_time), "{sub}");
        for change in [
            json!({"status": {sub: {"currentStepIndex": 3}}}),
            json!({"status": {sub: {"nextStepIndex": 3}}}),
            json!({"status": {"phase": "Healthy"}}),
            json!({"status": {"observedGeneration": 4}}),
            json!({"status": {sub: {"canaryRevision": "other"}}}),
            json!({"status": {sub: {"message": null}}}),
            json!({"status": {"conditions": []}}),
            json!({"status": {"extra": true}}),
            json!({"status": {"canaryStatus": null, "blueGreenStatus": null}}),
        ] {
            let both = patched(&approval, change.clone());
            assert!(!admitted(&v, &old, &both), "{sub}: approval with {change}");
        }
        // No approval at all: a rewrite of the state is not one.
        for state in ["StepUpgrade", "Completed", "StepPaused"] {
            let other = patched(&old, json!({"status": {sub: {"currentStepState": state}}}));
            assert!(!admitted(&v, &old, &other), "{sub}: {state}");
        }
        // StepReady written on a step that was not waiting.
        let upgrading = patched(
            &old,
            json!({"status": {sub: {"currentStepState": "StepUpgrade"}}}),
        );
        let ready = patched(
            &upgrading,
            json!({"status": {sub: {"currentStepState": "StepReady"}}}),
        );
        assert!(!admitted(&v, &upgrading, &ready), "{sub}");
    }
    // A status without sub-status, or none at all.
    let bare = json!({"metadata": {"name": "web"}});
    assert!(!admitted(&v, &bare, &bare));
}

#[test]
fn step_jumps_are_admitted_only_when_granted() {
    let old = paused_rollout("canaryStatus");
    let jump = patched(
        &old,
        json!({"status": {"canaryStatus": {"nextStepIndex": 3}}}),
    );
    assert!(!admitted(&kruise_validations(false), &old, &jump));
    let v = kruise_validations(true);
    assert!(admitted(&v, &old, &jump));
    let approval = patched(
        &old,
        json!({"status": {"canaryStatus": {"currentStepState": "StepReady"}}}),
    );
    assert!(admitted(&v, &old, &approval));
    let index = patched(
        &old,
        json!({"status": {"canaryStatus": {"currentStepIndex": 3}}}),
    );
    assert!(!admitted(&v, &old, &index));
    let state = patched(
        &old,
        json!({"status": {"canaryStatus": {"currentStepState": "StepUpgrade"}}}),
    );
    assert!(!admitted(&v, &old, &state));
}

#[test]
fn the_policy_matches_the_granted_identity_and_no_other() {
    let cond = identity_condition(
        &["system:serviceaccount:shop:ci-bot".into()],
        &["release-bots".into()],
    );
    let o = json!({});
    assert!(eval(
        &cond,
        &o,
        &o,
        "system:serviceaccount:shop:ci-bot",
        &[]
    ));
    assert!(eval(
        &cond,
        &o,
        &o,
        "alice",
        &["release-bots", "system:authenticated"]
    ));
    assert!(!eval(
        &cond,
        &o,
        &o,
        "system:serviceaccount:shop:other",
        &["system:serviceaccounts"]
    ));
    assert!(!eval(&cond, &o, &o, "admin", &["system:masters"]));
}

fn app_rollout() -> Value {
    json!({
        "metadata": {"name": "rolling", "labels": {"app": "shop"}},
        "spec": {
            "targetAppRevisionName": "shop-v2", "sourceAppRevisionName": "shop-v1",
            "componentList": ["web"],
            "rolloutPlan": {"batchPartition": 0, "targetSize": 5, "rolloutBatches": [{"replicas": 2}, {"replicas": 3}]},
        },
    })
}

#[test]
fn kubevela_approvals_raise_the_partition_by_one_and_change_nothing_else() {
    let v = batch_validations(&[Verb::Approve]);
    let old = app_rollout();
    let approval = patched(
        &old,
        json!({"spec": {"rolloutPlan": {"batchPartition": 1}}}),
    );
    assert!(admitted(&v, &old, &approval));
    for change in [
        json!({"spec": {"rolloutPlan": {"batchPartition": 2}}}),
        json!({"spec": {"rolloutPlan": {"batchPartition": -1}}}),
        json!({"spec": {"rolloutPlan": {"batchPartition": null}}}),
        json!({"spec": {"rolloutPlan": {"batchPartition": 1, "targetSize": 9}}}),
        json!({"spec": {"rolloutPlan": {"batchPartition": 1, "paused": true}}}),
        json!({"spec": {"targetAppRevisionName": "shop-v3"}}),
        json!({"metadata": {"labels": {"app": "other"}}}),
        json!({"metadata": {"annotations": {"x": "y"}}}),
    ] {
        assert!(
            !admitted(&v, &old, &patched(&old, change.clone())),
            "{change}"
        );
    }
    // Pause and undo, when granted, write their own fields.
    let v = batch_validations(&[Verb::Approve, Verb::Pause, Verb::Undo]);
    assert!(admitted(
        &v,
        &old,
        &patched(&old, json!({"spec": {"rolloutPlan": {"paused": true}}}))
    ));
    let swapped = patched(
        &old,
        json!({"spec": {"targetAppRevisionName": "shop-v1", "sourceAppRevisionName": "shop-v2"}}),
    );
    assert!(admitted(&v, &old, &swapped));
    assert!(!admitted(
        &v,
        &old,
        &patched(&old, json!({"spec": {"componentList": []}}))
    ));
    let _ = Scope::BatchSpec;
}
