//! `rollout access grant|check`: an identity granted verbs runs exactly those verbs (see
//! `runs.rs`: every request they make is allowed, every rule granted is used), nothing
//! else; the admission policy stops any other status write; the check reports the missing
//! rule.

mod runs;

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::harness::{Env, fixture, run_command};

const BOT: &str = "system:serviceaccount:default:ci-bot";
const SUBJECT: &str = "serviceaccount:default:ci-bot";
const RBAC: &str = "rbac.authorization.k8s.io";

/// A command line and the exit code it ends with.
type Run = (&'static [&'static str], i32);

/// A cluster with RBAC enforced for impersonated users, a three-step rollout of Deployment
/// nginx waiting at step 1, the Deployment's ReplicaSets, and a second rollout `shop`.
fn cluster() -> Env {
    let env = Env::new().with(&[
        "rollout-seed-v1beta1.yaml",
        "deployment-nginx.yaml",
        "replicasets-nginx.yaml",
        "rollout-v1beta1-bluegreen.yaml",
        "deployment-shop.yaml",
    ]);
    env.api.serve_rbac().enforce_rbac();
    env
}

fn as_bot<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec!["--as", BOT];
    v.extend_from_slice(args);
    v
}

/// `rollout access grant --subject SUBJECT ARGS...` as the fake's admin.
fn grant(env: &Env, args: &[&str]) -> crate::harness::Run {
    let mut all = vec!["rollout", "access", "grant", "--subject", SUBJECT];
    all.extend_from_slice(args);
    env.run(&all)
}

/// The documents `grant` prints with `-o json`.
fn granted(env: &Env, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["-o", "json"];
    all.extend_from_slice(args);
    let run = grant(env, &all);
    run.expect_code(0);
    run.json()["items"].as_array().unwrap().clone()
}

fn apply(env: &Env, args: &[&str]) {
    let mut all = vec!["--apply"];
    all.extend_from_slice(args);
    grant(env, &all).expect_code(0);
}

/// Every `(group, resource, verb)` the Role grants.
fn role_grants(env: &Env, name: &str) -> BTreeSet<(String, String, String)> {
    let role = env.api.get(RBAC, "roles", "default", name).unwrap();
    let mut out = BTreeSet::new();
    for rule in role["rules"].as_array().unwrap() {
        for g in rule["apiGroups"].as_array().unwrap() {
            for r in rule["resources"].as_array().unwrap() {
                for v in rule["verbs"].as_array().unwrap() {
                    out.insert((
                        g.as_str().unwrap().to_string(),
                        r.as_str().unwrap().to_string(),
                        v.as_str().unwrap().to_string(),
                    ));
                }
            }
        }
    }
    out
}

#[test]
fn grant_prints_a_role_with_exactly_the_rules_of_the_verbs_and_the_policy() {
    let env = cluster();
    let docs = granted(&env, &["rollouts-nginx"]);
    let kinds: Vec<&str> = docs.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "Role",
            "RoleBinding",
            "ValidatingAdmissionPolicy",
            "ValidatingAdmissionPolicyBinding"
        ]
    );
    // approve and status (the default verbs) of rollouts-nginx and its Deployment.
    assert_eq!(
        docs[0]["rules"],
        json!([
            {"apiGroups": [""], "resources": ["events"], "verbs": ["create"]},
            {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "list", "watch"],
             "resourceNames": ["nginx"]},
            {"apiGroups": ["rollouts.kruise.io"], "resources": ["rollouts"],
             "verbs": ["get", "list", "watch"], "resourceNames": ["rollouts-nginx"]},
            {"apiGroups": ["rollouts.kruise.io"], "resources": ["rollouts/status"],
             "verbs": ["patch"], "resourceNames": ["rollouts-nginx"]},
        ])
    );
    assert_eq!(
        docs[1]["subjects"],
        json!([{"kind": "ServiceAccount", "name": "ci-bot", "namespace": "default"}])
    );
    assert_eq!(docs[1]["roleRef"]["name"], docs[0]["metadata"]["name"]);
    // The fake says Kubernetes 1.32: the v1 policy API.
    assert_eq!(docs[2]["apiVersion"], "admissionregistration.k8s.io/v1");
    assert_eq!(
        docs[2]["spec"]["matchConditions"][0]["expression"],
        format!("request.userInfo.username == '{BOT}'")
    );
    // YAML, by default, parses to the same documents.
    let run = grant(&env, &["rollouts-nginx"]);
    run.expect_code(0);
    let yaml: Vec<Value> = serde_saphyr::from_multiple(&run.stdout).unwrap();
    assert_eq!(yaml, docs);
    // Nothing was written.
    assert!(env.writes().is_empty());
}

#[test]
fn the_policy_api_follows_the_server_or_the_flag() {
    let env = cluster();
    env.api.server_minor(29);
    let docs = granted(&env, &["rollouts-nginx"]);
    assert_eq!(
        docs[2]["apiVersion"],
        "admissionregistration.k8s.io/v1beta1"
    );
    env.api.server_minor(27);
    grant(&env, &["rollouts-nginx"])
        .expect_code(5)
        .assert_stderr("no ValidatingAdmissionPolicy (1.28+)")
        .assert_stderr("--no-policy");
    let docs = granted(&env, &["rollouts-nginx", "--no-policy"]);
    assert_eq!(docs.len(), 2);
    // Verbs that write no status need no policy, and the server's version is not asked.
    env.api.clear_requests();
    let docs = granted(&env, &["rollouts-nginx", "--verbs", "pause,status"]);
    assert_eq!(docs.len(), 2);
    assert!(env.api.requests().iter().all(|r| r.path != "/version"));
    // Given the version, the server is not asked.
    env.api.clear_requests();
    let docs = granted(&env, &["rollouts-nginx", "--policy-api", "v1"]);
    assert_eq!(docs[2]["apiVersion"], "admissionregistration.k8s.io/v1");
    assert!(env.api.requests().iter().all(|r| r.path != "/version"));
}

#[test]
fn what_was_not_granted_is_refused_and_the_error_points_at_access() {
    let env = cluster();
    apply(&env, &["rollouts-nginx", "--verbs", "approve"]);
    // Another rollout, another verb.
    for args in [
        &["rollout", "approve", "shop"][..],
        &["rollout", "pause", "rollouts-nginx"][..],
    ] {
        env.run(&as_bot(args))
            .expect_code(1)
            .assert_stderr("is forbidden: User \"system:serviceaccount:default:ci-bot\" cannot")
            .assert_stderr("`kubectl kruise rollout access check` shows what this identity may do");
    }
    // The approval itself works.
    env.run(&as_bot(&["rollout", "approve", "rollouts-nginx"]))
        .expect_code(0)
        .assert_stdout("approved (step 1/3 -> 2/3)");
}

#[test]
fn access_check_answers_per_verb_and_rollout_with_the_missing_rule() {
    let env = cluster();
    apply(&env, &["rollouts-nginx", "--verbs", "approve,status"]);
    let run = env.run(&as_bot(&[
        "rollout",
        "access",
        "check",
        "rollouts-nginx",
        "shop",
        "--verbs",
        "approve,pause",
    ]));
    run.expect_code(1);
    let rows: Vec<&str> = run.stdout.lines().collect();
    assert!(rows[0].starts_with("VERB"), "{}", run.stdout);
    let row = |verb: &str, rollout: &str| {
        rows.iter()
            .find(|r| r.starts_with(verb) && r.contains(&format!("/{rollout} ")))
            .unwrap_or_else(|| panic!("{verb} {rollout}: {}", run.stdout))
            .to_string()
    };
    assert!(row("approve", "rollouts-nginx").contains("yes"));
    assert!(
        row("pause", "rollouts-nginx").contains(
            "no        patch rollouts \"rollouts-nginx\" in API group \"rollouts.kruise.io\""
        ),
        "{}",
        run.stdout
    );
    assert!(row("approve", "shop").contains("get rollouts \"shop\""));
    run.assert_stderr("may not run every verb asked for");

    // Only what was granted: exit 0.
    env.run(&as_bot(&[
        "rollout",
        "access",
        "check",
        "rollouts-nginx",
        "--verbs",
        "approve,status",
    ]))
    .expect_code(0);

    // About someone else (SubjectAccessReview), as the admin, for scripts.
    env.api.clear_requests();
    let run = env.run(&[
        "rollout",
        "access",
        "check",
        "rollouts-nginx",
        "--subject",
        SUBJECT,
        "-o",
        "json",
    ]);
    run.expect_code(1);
    let doc = run.json();
    assert_eq!(doc["subject"], "serviceaccount default/ci-bot");
    assert_eq!(doc["allowed"], false);
    let checks = doc["checks"].as_array().unwrap();
    let approve = checks.iter().find(|c| c["verb"] == "approve").unwrap();
    assert_eq!(approve["allowed"], true);
    let undo = checks.iter().find(|c| c["verb"] == "undo").unwrap();
    let missing = undo["missing"].as_array().unwrap();
    assert!(
        missing.contains(
            &json!({"apiGroup": "apps", "resource": "replicasets", "verb": "list", "name": null})
        ),
        "{missing:?}"
    );
    assert!(missing.contains(
        &json!({"apiGroup": "apps", "resource": "deployments", "verb": "patch", "name": "nginx"})
    ));
    // One review per distinct request, whatever the number of verbs asking it.
    let reviews: Vec<_> = env
        .api
        .requests()
        .into_iter()
        .filter(|r| r.path == "/apis/authorization.k8s.io/v1/subjectaccessreviews")
        .collect();
    let distinct: BTreeSet<&str> = reviews.iter().map(|r| r.body.as_str()).collect();
    assert_eq!(reviews.len(), distinct.len());
}

#[test]
fn kubevela_rollouts_get_their_kinds_and_a_partition_policy() {
    let env = cluster();
    env.api.serve_kubevela();
    let env = env.with(&["kubevela/approllout.yaml", "kubevela/trait.yaml"]);
    let docs = granted(&env, &["approllout/rolling-example"]);
    assert!(docs[0]["rules"].as_array().unwrap().contains(&json!({
        "apiGroups": ["core.oam.dev"], "resources": ["approllouts"],
        "verbs": ["get", "list", "watch", "patch"], "resourceNames": ["rolling-example"],
    })));
    let policy = &docs[2];
    assert_eq!(
        policy["spec"]["matchConstraints"]["resourceRules"][0]["resources"],
        json!(["approllouts"])
    );
    assert!(
        policy["spec"]["validations"][0]["message"]
            .as_str()
            .unwrap()
            .contains("raise batchPartition by one")
    );
    // A trait Rollout an Application renders is approved through the Application's spec.
    grant(&env, &["rollouts.standard.oam.dev/express-server"])
        .expect_code(5)
        .assert_stderr("rendered by Application rollout-trait-test");
}

#[test]
fn all_and_selectors_name_rollouts_as_rules_can() {
    let env = cluster();
    let docs = granted(&env, &["--all", "--verbs", "pause"]);
    assert!(
        docs[0]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r.get("resourceNames").is_none()),
        "{:#?}",
        docs[0]
    );
    // -l: the names of the rollouts it matches now.
    let mut labelled = fixture("rollout-seed-v1beta1.yaml");
    labelled["metadata"]["name"] = json!("cart");
    labelled["metadata"]["labels"] = json!({"team": "shop"});
    env.api.insert(labelled);
    let docs = granted(&env, &["-l", "team=shop", "--verbs", "pause"]);
    assert!(docs[0]["rules"].as_array().unwrap().contains(&json!({
        "apiGroups": ["rollouts.kruise.io"], "resources": ["rollouts"],
        "verbs": ["get", "patch"], "resourceNames": ["cart"],
    })));
    env.run(&["rollout", "access", "grant", "--subject", SUBJECT])
        .expect_code(2)
        .assert_stderr("name the rollouts");
    env.run(&["rollout", "access", "grant", "x", "--subject", "ci-bot"])
        .expect_code(2)
        .assert_stderr("is not a subject");
    grant(&env, &["rollouts-nginx", "--name", "Bad_Name"])
        .expect_code(2)
        .assert_stderr("--name \"Bad_Name\" is not a valid name");
    grant(&env, &["missing"])
        .expect_code(1)
        .assert_stderr("not found");
}

#[test]
fn applying_again_changes_nothing_and_a_server_dry_run_stores_nothing() {
    let env = cluster();
    let run = grant(&env, &["rollouts-nginx", "--apply", "--dry-run=server"]);
    run.expect_code(0).assert_stdout(
        "role.rbac.authorization.k8s.io/kubectl-kruise-ci-bot created (server dry run)",
    );
    assert!(
        env.api
            .get(RBAC, "roles", "default", "kubectl-kruise-ci-bot")
            .is_none()
    );
    env.api.clear_requests();
    let run = grant(&env, &["rollouts-nginx", "--apply", "--dry-run=client"]);
    run.expect_code(0).assert_stdout(
        "rolebinding.rbac.authorization.k8s.io/kubectl-kruise-ci-bot created (dry run)",
    );
    assert!(env.writes().is_empty());
    apply(&env, &["rollouts-nginx"]);
    let run = grant(&env, &["rollouts-nginx", "--apply"]);
    run.expect_code(0);
    assert_eq!(
        run.stdout.matches(" unchanged").count(),
        4,
        "{}",
        run.stdout
    );
    // A wider grant updates the Role in place.
    let run = grant(
        &env,
        &[
            "rollouts-nginx",
            "--apply",
            "--verbs",
            "approve,status,pause",
        ],
    );
    run.assert_stdout("role.rbac.authorization.k8s.io/kubectl-kruise-ci-bot configured");
    let grants = role_grants(&env, "kubectl-kruise-ci-bot");
    assert!(grants.contains(&(
        "rollouts.kruise.io".into(),
        "rollouts".into(),
        "patch".into()
    )));
}

/// The real kubectl: applies the manifests, and, as the bot, meets the policy when it tries
/// to write another status field.
#[test]
fn kubectl_applies_the_manifests_and_the_policy_stops_other_status_writes() {
    let env = cluster();
    let Some(kubectl) = crate::harness::tool("kubectl", "the least-privilege kubectl test") else {
        return;
    };
    let kube = |args: &[&str], stdin: Option<&str>| {
        let mut cmd = std::process::Command::new(&kubectl);
        cmd.arg("--kubeconfig")
            .arg(&env.kubeconfig)
            .args(args)
            .env("HOME", env.dir.path())
            .env_remove("KUBECONFIG");
        if let Some(text) = stdin {
            // `-f FILE`: the printed manifests, as a reviewer saves them.
            let file = env.dir.path().join("manifests.yaml");
            std::fs::write(&file, text).unwrap();
            cmd.arg("-f").arg(file);
        }
        run_command(cmd)
    };
    // The fake serves no OpenAPI documents, so kubectl's schema validation is off.
    let printed = grant(&env, &["rollouts-nginx"]);
    printed.expect_code(0);
    let run = kube(
        &["apply", "--dry-run=client", "--validate=false"],
        Some(&printed.stdout),
    );
    run.expect_code(0)
        .assert_stdout("role.rbac.authorization.k8s.io/kubectl-kruise-ci-bot created (dry run)")
        .assert_stdout(
            "validatingadmissionpolicybinding.admissionregistration.k8s.io/kubectl-kruise-ci-bot.default.rollouts.kruise.io created (dry run)",
        );
    kube(&["apply", "--validate=false"], Some(&printed.stdout)).expect_code(0);
    // kubectl reads the status before patching it: let the bot read it, nothing more.
    env.api.insert(json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
        "metadata": {"name": "read-status", "namespace": "default"},
        "rules": [{"apiGroups": ["rollouts.kruise.io"], "resources": ["rollouts/status"], "verbs": ["get"]}],
    }));
    env.api.insert(json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
        "metadata": {"name": "read-status", "namespace": "default"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "read-status"},
        "subjects": [{"kind": "ServiceAccount", "name": "ci-bot", "namespace": "default"}],
    }));
    let status_patch = |patch: &str, who: Option<&str>| {
        let mut args = vec![
            "patch",
            "rollouts.rollouts.kruise.io",
            "rollouts-nginx",
            "--subresource=status",
            "--type=merge",
            "-p",
            patch,
        ];
        if let Some(w) = who {
            args.extend(["--as", w]);
        }
        kube(&args, None)
    };
    for patch in [
        r#"{"status":{"canaryStatus":{"currentStepState":"StepReady","currentStepIndex":3}}}"#,
        r#"{"status":{"canaryStatus":{"nextStepIndex":3}}}"#,
        r#"{"status":{"phase":"Healthy"}}"#,
    ] {
        let run = status_patch(patch, Some(BOT));
        run.expect_code(1)
            .assert_stderr(
                "ValidatingAdmissionPolicy 'kubectl-kruise-ci-bot.default.rollouts.kruise.io'",
            )
            .assert_stderr("denied request: this identity may");
    }
    assert_eq!(
        env.rollout("rollouts-nginx")["status"]["canaryStatus"]["currentStepIndex"],
        1
    );
    // The approval alone passes; an admin is not bound by the policy.
    status_patch(
        r#"{"status":{"canaryStatus":{"currentStepState":"StepReady"}}}"#,
        Some(BOT),
    )
    .expect_code(0);
    status_patch(r#"{"status":{"phase":"Progressing"}}"#, None).expect_code(0);
}
