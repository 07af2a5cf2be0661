//! Each verb run by an identity granted only that verb, through the Role and admission
//! policy `access grant` applies: no request is refused, and every right granted is used.

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::json;

use super::{BOT, Run, apply, as_bot, cluster, role_grants};
use crate::harness::{Env, interrupt};

/// `(group, resource, verb)` of a request, in RBAC's words.
fn rbac_words(r: &fake_apiserver::RequestRecord) -> Option<(String, String, String)> {
    let segs: Vec<&str> = r.path.trim_matches('/').split('/').collect();
    let (group, rest) = match segs.as_slice() {
        ["api", _, rest @ ..] => ("", rest),
        ["apis", g, _, rest @ ..] => (*g, rest),
        _ => return None,
    };
    let (resource, named) = match rest {
        ["namespaces", _, plural] => (plural.to_string(), false),
        ["namespaces", _, plural, _] => (plural.to_string(), true),
        ["namespaces", _, plural, _, sub] => (format!("{plural}/{sub}"), true),
        _ => return None,
    };
    let verb = match (r.method.as_str(), named) {
        ("GET", true) => "get",
        ("GET", false) if r.query.contains("watch=true") => "watch",
        ("GET", false) => "list",
        ("POST", _) => "create",
        ("PATCH", _) => "patch",
        ("PUT", _) => "update",
        _ => "other",
    };
    Some((group.to_string(), resource, verb.to_string()))
}

#[test]
fn an_identity_granted_a_verb_runs_it_with_every_request_allowed_and_every_rule_used() {
    // Each verb alone, with the command lines that exercise all it does.
    // (verb, [(command line, exit code)]): each verb alone, with the command lines that
    // exercise all it does; `status --until` gives up (3) after following the release.
    let cases: &[(&str, &[Run])] = &[
        (
            "approve",
            &[(
                &[
                    "rollout",
                    "approve",
                    "rollouts-nginx",
                    "--expect-step=1",
                    "--wait=20s",
                ],
                0,
            )],
        ),
        ("pause", &[(&["rollout", "pause", "rollouts-nginx"], 0)]),
        ("resume", &[(&["rollout", "resume", "rollouts-nginx"], 0)]),
        ("undo", &[(&["rollout", "undo", "rollouts-nginx"], 0)]),
        ("restart", &[(&["rollout", "restart", "rollouts-nginx"], 0)]),
        ("history", &[(&["rollout", "history", "rollouts-nginx"], 0)]),
        (
            "status",
            &[
                (&["rollout", "status", "rollouts-nginx"], 0),
                (
                    &[
                        "rollout",
                        "status",
                        "rollouts-nginx",
                        "--until=completed",
                        "--timeout=2s",
                    ],
                    3,
                ),
            ],
        ),
        ("list", &[(&["rollout", "list"], 0)]),
    ];
    for (verb, runs) in cases {
        let env = cluster();
        apply(&env, &["rollouts-nginx", "--verbs", verb]);
        // A controller moves the release once approved, slowly enough that --wait and
        // --until follow it through the watch API.
        let _controller =
            fake_apiserver::sim::Controller::new(&env.api, "default", "rollouts-nginx")
                .spawn(Duration::from_millis(700));
        if *verb == "resume" {
            // Something to resume.
            env.run(&["rollout", "pause", "rollouts-nginx"])
                .expect_code(0);
        }
        if *verb == "restart" {
            // A Deployment its release does not hold paused.
            env.api
                .modify("apps", "deployments", "default", "nginx", |d| {
                    d["spec"]["paused"] = json!(false)
                });
        }
        runs_with_exactly_its_rights(&env, verb, runs);
    }
}

/// Run `runs` as the bot granted `verb`: no request refused, every right granted used.
fn runs_with_exactly_its_rights(env: &Env, verb: &str, runs: &[Run]) {
    env.api.clear_requests();
    for (args, code) in runs {
        let run = env.run(&as_bot(args));
        assert!(
            !run.stderr.contains("forbidden"),
            "{verb}: {args:?}: {}",
            run.stderr
        );
        run.expect_code(*code);
    }
    if verb == "list" {
        let child = env.spawn(&as_bot(&["rollout", "list", "--watch"]));
        crate::harness::eventually("the watch is open", || env.api.open_watches() == 1);
        interrupt(child, Duration::from_secs(10));
    }
    let bot: Vec<_> = env
        .api
        .requests()
        .into_iter()
        .filter(|r| r.impersonate_user.as_deref() == Some(BOT))
        .collect();
    assert!(
        bot.iter().all(|r| r.status != 403),
        "{verb}: a request was refused: {:?}",
        bot.iter().filter(|r| r.status == 403).collect::<Vec<_>>()
    );
    // Nothing more than the verb needs: every right granted was used.
    let used: BTreeSet<_> = bot.iter().filter_map(rbac_words).collect();
    let grants = role_grants(env, "kubectl-kruise-ci-bot");
    let unused: Vec<_> = grants.difference(&used).collect();
    assert!(
        unused.is_empty(),
        "{verb}: granted but not used: {unused:?}"
    );
}

#[test]
fn kubevela_rollouts_too_run_with_exactly_their_rights_and_pass_the_policy() {
    let cases: &[(&str, &[Run])] = &[
        (
            "approve",
            &[(
                &[
                    "rollout",
                    "approve",
                    "approllout/rolling-example",
                    "--wait=20s",
                ],
                0,
            )],
        ),
        (
            "pause",
            &[(&["rollout", "pause", "approllout/rolling-example"], 0)],
        ),
        (
            "history",
            &[(&["rollout", "history", "approllout/rolling-example"], 0)],
        ),
        (
            "undo",
            &[(&["rollout", "undo", "approllout/rolling-example"], 0)],
        ),
        (
            "status",
            &[
                (&["rollout", "status", "approllout/rolling-example"], 0),
                (
                    &[
                        "rollout",
                        "status",
                        "approllout/rolling-example",
                        "--until=completed",
                        "--timeout=2s",
                    ],
                    3,
                ),
            ],
        ),
    ];
    for (verb, runs) in cases {
        let env = cluster();
        env.api.serve_kubevela();
        let env = env.with(&["kubevela/approllout.yaml"]);
        apply(&env, &["approllout/rolling-example", "--verbs", verb]);
        let _controller = fake_apiserver::sim_vela::VelaController::app_rollout(
            &env.api,
            "default",
            "rolling-example",
        )
        .spawn(Duration::from_millis(700));
        runs_with_exactly_its_rights(&env, verb, runs);
    }
}
