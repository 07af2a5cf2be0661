//! kubectl's global flags, request logs, User-Agent, impersonation, warnings, field manager
//! and the audit Events.

use serde_json::json;

use crate::harness::{Env, GROUP};

const SEED: &[&str] = &["rollout-seed-v1beta1.yaml", "deployment-nginx.yaml"];

#[test]
fn every_request_says_who_sends_it() {
    let env = Env::new().with(SEED);
    env.run(&["rollout", "approve", "rollouts-nginx"])
        .expect_code(0);
    let reqs = env.api.requests();
    let ua = format!("kubectl-kruise/v{} (", env!("CARGO_PKG_VERSION"));
    assert!(!reqs.is_empty());
    for r in &reqs {
        assert!(r.user_agent.starts_with(&ua), "{}", r.user_agent);
        assert!(
            r.user_agent.contains(") kubectl-kruise/"),
            "{}",
            r.user_agent
        );
    }
    // The write is recorded as made by the plugin, on the status subresource.
    let stored = env.rollout("rollouts-nginx");
    let fields = stored["metadata"]["managedFields"].as_array().unwrap();
    assert_eq!(fields.len(), 1);
    assert_eq!(fields[0]["manager"], "kubectl-kruise");
    assert_eq!(fields[0]["subresource"], "status");
    assert_eq!(fields[0]["operation"], "Update");
}

#[test]
fn field_manager_names_the_writer() {
    let env = Env::new().with(SEED);
    env.run(&[
        "rollout",
        "pause",
        "rollouts-nginx",
        "--field-manager=ci-bot",
    ])
    .expect_code(0);
    assert!(env.writes()[0].query.contains("fieldManager=ci-bot"));
    let stored = env.rollout("rollouts-nginx");
    assert_eq!(stored["metadata"]["managedFields"][0]["manager"], "ci-bot");
    assert!(
        stored["metadata"]["managedFields"][0]
            .get("subresource")
            .is_none()
    );
}

#[test]
fn a_change_leaves_an_event_saying_what_and_who() {
    let env = Env::new().with(SEED);
    env.run(&["rollout", "approve", "rollouts-nginx"])
        .expect_code(0);
    let events = env.events();
    assert_eq!(events.len(), 1, "{events:?}");
    let ev = &events[0];
    assert_eq!(ev["reason"], "Approved");
    assert_eq!(ev["type"], "Normal");
    assert_eq!(
        ev["message"],
        "rollout.rollouts.kruise.io/rollouts-nginx approved (step 1/3 -> 2/3) by tester"
    );
    assert_eq!(ev["involvedObject"]["kind"], "Rollout");
    assert_eq!(ev["involvedObject"]["name"], "rollouts-nginx");
    assert_eq!(
        ev["involvedObject"]["uid"],
        env.rollout("rollouts-nginx")["metadata"]["uid"]
    );
    assert_eq!(ev["source"]["component"], "kubectl-kruise");

    // Nothing changed: no Event. --no-event: none. A dry run: none.
    env.run(&["rollout", "approve", "rollouts-nginx"])
        .expect_code(0);
    env.run(&["rollout", "pause", "rollouts-nginx", "--no-event"])
        .expect_code(0);
    env.run(&["rollout", "resume", "rollouts-nginx", "--dry-run=server"])
        .expect_code(0);
    assert_eq!(env.events().len(), 1);
    // Impersonating: the Event names who the write was made as.
    env.run(&["rollout", "resume", "rollouts-nginx", "--as", "alice"])
        .expect_code(0);
    let events = env.events();
    assert_eq!(events.len(), 2);
    assert!(
        events[1]["message"]
            .as_str()
            .unwrap()
            .ends_with("resumed by alice")
    );
}

#[test]
fn without_rights_to_record_events_the_command_still_succeeds() {
    let env = Env::new().with(SEED);
    env.api
        .forbid(fake_apiserver::Verb::Create, "", "events", None);
    let run = env.run(&["rollout", "pause", "rollouts-nginx"]);
    run.expect_code(0);
    assert_eq!(run.stderr, "", "quiet by default");
    assert_eq!(
        env.rollout("rollouts-nginx")["spec"]["strategy"]["paused"],
        true
    );
    let run = env.run(&["rollout", "resume", "rollouts-nginx", "-v=1"]);
    run.expect_code(0);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    run.assert_stderr("note: no audit Event recorded:")
        .assert_stderr("cannot create resource \"events\"");
    // One request for the Event, no retries.
    let posts = env
        .api
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/events"))
        .count();
    assert_eq!(posts, 2);
}

#[test]
fn request_logs_at_each_level_never_show_credentials() {
    let env = Env::new().with(SEED);
    let url = env.server.url();
    let run = env.run(&[
        "rollout",
        "status",
        "rollouts-nginx",
        "-v=6",
        "--token",
        "s3cr3t-flag-token",
    ]);
    run.expect_code(0);
    run.assert_stderr(&format!(
        "GET {url}/apis/rollouts.kruise.io/v1beta1/namespaces/default/rollouts/rollouts-nginx 200 OK in "
    ));
    assert!(!run.stderr.contains("Request Body"));
    assert!(
        !run.stderr.contains("Request Headers"),
        "headers only from 7"
    );
    let run = env.run(&["rollout", "status", "rollouts-nginx", "--v=7"]);
    run.expect_code(0)
        .assert_stderr(&format!(
            "GET {url}/apis/rollouts.kruise.io/v1beta1/namespaces/default/rollouts/rollouts-nginx\nRequest Headers:\n    User-Agent: kubectl-kruise/v"
        ));
    let run = env.run(&[
        "rollout",
        "pause",
        "rollouts-nginx",
        "--v=7",
        "--dry-run=server",
    ]);
    run.assert_stderr("    content-type: application/merge-patch+json");
    let run = env.run(&["-v", "8", "rollout", "approve", "rollouts-nginx"]);
    run.expect_code(0);
    run.assert_stderr(&format!("PATCH {url}/apis/rollouts.kruise.io/v1beta1/namespaces/default/rollouts/rollouts-nginx/status"))
        .assert_stderr("Request Body: {\"status\":{\"canaryStatus\":{\"currentStepState\":\"StepReady\"}}")
        .assert_stderr("Response Body: {");
    for level in ["0", "1", "6", "7", "8", "9"] {
        for args in [
            vec!["rollout", "status", "rollouts-nginx"],
            vec![
                "rollout",
                "status",
                "rollouts-nginx",
                "--token",
                "s3cr3t-flag-token",
            ],
            vec!["rollout", "approve", "nope"],
        ] {
            let mut a = args.clone();
            a.push("--v");
            a.push(level);
            let run = env.run(&a);
            for secret in ["fake-token", "s3cr3t-flag-token"] {
                assert!(
                    !run.stderr.contains(secret) && !run.stdout.contains(secret),
                    "-v={level} {args:?} printed {secret}:\n{}",
                    run.stderr
                );
            }
        }
    }
    // The token flag is sent in place of the kubeconfig's.
    let sent = |t: &str| {
        env.api
            .requests()
            .iter()
            .filter(|r| r.authorization.as_deref() == Some(t))
            .count()
    };
    assert!(sent("Bearer fake-token") > 0);
    assert!(sent("Bearer s3cr3t-flag-token") > 0);
}

#[test]
fn impersonation_flags_are_sent_and_named_in_refusals() {
    let env = Env::new().with(SEED);
    env.api.forbid_user(
        Some("ci-bot"),
        fake_apiserver::Verb::Patch,
        GROUP,
        "rollouts",
        Some("status"),
    );
    let run = env.run(&[
        "rollout",
        "approve",
        "rollouts-nginx",
        "--as",
        "ci-bot",
        "--as-group",
        "ci",
        "--as-group",
        "deployers",
        "--as-uid",
        "42",
    ]);
    run.expect_code(1)
        .assert_stderr("User \"ci-bot\" cannot patch resource \"rollouts/status\"");
    let r = env.api.requests().into_iter().next().unwrap();
    assert_eq!(r.impersonate_user.as_deref(), Some("ci-bot"));
    assert_eq!(r.impersonate_groups, ["ci", "deployers"]);
    assert_eq!(r.impersonate_uid.as_deref(), Some("42"));
    // Without --as the same request is allowed.
    env.run(&["rollout", "approve", "rollouts-nginx"])
        .expect_code(0);
}

#[test]
fn server_and_token_flags_work_without_a_kubeconfig() {
    let env = Env::new().with(SEED);
    let url = env.server.url();
    let mut cmd = env.command(&[
        "rollout",
        "status",
        "rollouts-nginx",
        "-s",
        &url,
        "--token",
        "t0k",
        "-n",
        "default",
        "-o",
        "json",
    ]);
    cmd.env_remove("KUBECONFIG");
    let run = crate::harness::run_command(cmd);
    run.expect_code(0);
    assert_eq!(run.json()["name"], "rollouts-nginx");
    let last = env.api.requests().pop().unwrap();
    assert_eq!(last.authorization.as_deref(), Some("Bearer t0k"));
    // --server overrides the kubeconfig's server.
    let run = env.run(&[
        "rollout",
        "list",
        "--server",
        "http://127.0.0.1:9",
        "--request-timeout=2s",
    ]);
    run.expect_code(1)
        .assert_stderr("cannot reach the Kubernetes API at http://127.0.0.1:9");
}

#[test]
fn conflicting_or_missing_tls_settings_are_refused() {
    let env = Env::new().with(SEED);
    let ca = env.dir.path().join("ca.crt");
    std::fs::write(&ca, "not a certificate").unwrap();
    let run = env.run(&[
        "rollout",
        "list",
        "--insecure-skip-tls-verify",
        "--certificate-authority",
        ca.to_str().unwrap(),
    ]);
    run.expect_code(1)
        .assert_stderr("specifying a root certificates file with the insecure flag is not allowed");
    for (flag, what) in [
        ("--certificate-authority", "ca"),
        ("--client-certificate", "cert"),
        ("--client-key", "key"),
    ] {
        let run = env.run(&[
            "rollout",
            "list",
            flag,
            "/nonexistent/file",
            "-s",
            "https://127.0.0.1:9",
        ]);
        run.expect_code(1);
        assert!(run.stderr.starts_with("error: "), "{what}: {}", run.stderr);
        assert_eq!(run.stderr.lines().count(), 1, "{what}: {}", run.stderr);
    }
    let run = env.run(&["rollout", "list", "--context", "nope"]);
    run.expect_code(1)
        .assert_stderr("context \"nope\" does not exist in the kubeconfig");
    assert!(env.api.requests().is_empty());
}

#[test]
fn server_warnings_are_shown_and_can_fail_the_command() {
    let env = Env::new().with(SEED);
    env.api
        .warn(Some("rollouts.kruise.io/v1alpha1 Rollout is deprecated"));
    let run = env.run(&["rollout", "status", "rollouts-nginx"]);
    run.expect_code(0);
    assert_eq!(
        run.stderr
            .matches("Warning: rollouts.kruise.io/v1alpha1 Rollout is deprecated\n")
            .count(),
        1,
        "once, however many responses carried it: {}",
        run.stderr
    );
    let run = env.run(&["rollout", "pause", "rollouts-nginx", "--warnings-as-errors"]);
    run.expect_code(1).assert_stderr("--warnings-as-errors");
    env.api.warn(None);
    env.run(&[
        "rollout",
        "resume",
        "rollouts-nginx",
        "--warnings-as-errors",
    ])
    .expect_code(0);
    assert_eq!(
        json!(env.rollout("rollouts-nginx")["spec"]["strategy"]["paused"]),
        json!(false)
    );
}
