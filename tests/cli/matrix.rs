//! The bad-input matrix: every case runs the real binary and must end with one clear line on
//! stderr (what is wrong, what to do), the documented exit code, and nothing written.

use std::path::PathBuf;

use serde_json::{Value, json};

use crate::harness::{Env, GROUP, run_command};

const SEED: &[&str] = &["rollout-seed-v1beta1.yaml", "deployment-nginx.yaml"];

/// What a case changes before it runs: the fake's state, a kubeconfig of its own.
struct Prep {
    kubeconfig: Option<PathBuf>,
}

struct Case {
    what: &'static str,
    prepare: Box<dyn Fn(&Env) -> Prep>,
    args: Vec<&'static str>,
    code: i32,
    says: &'static str,
}

fn case(what: &'static str, args: &[&'static str], code: i32, says: &'static str) -> Case {
    Case {
        what,
        prepare: Box::new(|_| Prep { kubeconfig: None }),
        args: args.to_vec(),
        code,
        says,
    }
}

fn with(
    what: &'static str,
    prepare: impl Fn(&Env) -> Prep + 'static,
    args: &[&'static str],
    code: i32,
    says: &'static str,
) -> Case {
    Case {
        what,
        prepare: Box::new(prepare),
        args: args.to_vec(),
        code,
        says,
    }
}

fn state(f: impl Fn(&mut Value) + 'static) -> impl Fn(&Env) -> Prep {
    move |env: &Env| {
        env.modify_rollout("rollouts-nginx", &f);
        Prep { kubeconfig: None }
    }
}

fn kubeconfig(text: &'static str) -> impl Fn(&Env) -> Prep {
    move |env: &Env| {
        let path = env.dir.path().join("case-kubeconfig");
        let text = text.replace("SERVER", &env.server.url());
        std::fs::write(&path, text).unwrap();
        Prep {
            kubeconfig: Some(path),
        }
    }
}

use fake_apiserver::certs;

/// The fake, over TLS too, with a certificate for `names`; the kubeconfig trusts `trusted`
/// (the server's CA, or another one).
fn tls(names: &'static [&'static str], trust_server_ca: bool) -> impl Fn(&Env) -> Prep {
    move |env: &Env| {
        let (ca, cert, key) = certs(names);
        let server = env.api.spawn_tls(&cert, &key);
        let trusted = if trust_server_ca { ca } else { certs(names).0 };
        let ca_path = env.dir.path().join("ca.crt");
        std::fs::write(&ca_path, trusted).unwrap();
        let path = env.dir.path().join("tls-kubeconfig");
        std::fs::write(
            &path,
            format!(
                "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: {}\n    certificate-authority: {}\n\
                 users:\n- name: u\n  user:\n    token: t\ncontexts:\n- name: x\n  context: {{cluster: c, user: u}}\ncurrent-context: x\n",
                server.url(),
                ca_path.display()
            ),
        )
        .unwrap();
        // Keep the TLS server for the rest of the test process: the case runs right after.
        std::mem::forget(server);
        Prep {
            kubeconfig: Some(path),
        }
    }
}

fn cases() -> Vec<Case> {
    let progressing = |reason: &'static str| {
        state(move |o| o["status"]["conditions"][0]["reason"] = json!(reason))
    };
    vec![
        // The kubeconfig and the connection.
        case(
            "a missing kubeconfig",
            &[
                "--kubeconfig",
                "/nonexistent/kc",
                "rollout",
                "status",
                "rollouts-nginx",
            ],
            1,
            "cannot read kubeconfig /nonexistent/kc",
        ),
        with(
            "an empty kubeconfig",
            kubeconfig(""),
            &["rollout", "status", "rollouts-nginx"],
            1,
            "no kubeconfig context is selected",
        ),
        with(
            "a malformed kubeconfig",
            kubeconfig("clusters: [\n"),
            &["rollout", "status", "rollouts-nginx"],
            1,
            "not a valid kubeconfig",
        ),
        case(
            "an unknown context",
            &["rollout", "status", "rollouts-nginx", "--context", "nope"],
            1,
            "context \"nope\" does not exist",
        ),
        case(
            "an unknown cluster",
            &["rollout", "status", "rollouts-nginx", "--cluster", "nope"],
            1,
            "cluster \"nope\" does not exist",
        ),
        case(
            "an unknown user",
            &["rollout", "status", "rollouts-nginx", "--user", "nope"],
            1,
            "user \"nope\" does not exist",
        ),
        with(
            "no current context",
            kubeconfig(
                "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: SERVER}\ncontexts:\n- name: x\n  context: {cluster: c}\n",
            ),
            &["rollout", "status", "rollouts-nginx"],
            1,
            "no kubeconfig context is selected",
        ),
        case(
            "an unreadable CA file",
            &[
                "rollout",
                "status",
                "rollouts-nginx",
                "--certificate-authority",
                "/nonexistent/ca.crt",
                "-s",
                "https://127.0.0.1:9",
            ],
            1,
            "certificate authority",
        ),
        case(
            "a server that refuses connections",
            &[
                "rollout",
                "status",
                "rollouts-nginx",
                "-s",
                "http://127.0.0.1:9",
            ],
            1,
            "cannot reach the Kubernetes API at http://127.0.0.1:9",
        ),
        with(
            "a server that never answers",
            |_env: &Env| {
                // Connections are accepted by the kernel and then nothing is ever said.
                let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
                let path = std::env::temp_dir()
                    .join(format!("blackhole-{}", l.local_addr().unwrap().port()));
                std::fs::write(&path, format!(
                "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {{server: 'http://{}'}}\ncontexts:\n- name: x\n  context: {{cluster: c}}\ncurrent-context: x\n",
                l.local_addr().unwrap())).unwrap();
                std::mem::forget(l);
                Prep {
                    kubeconfig: Some(path),
                }
            },
            &[
                "rollout",
                "status",
                "rollouts-nginx",
                "--request-timeout=1s",
            ],
            1,
            "no complete answer within 1s",
        ),
        with(
            "TLS with an unknown CA",
            tls(&["127.0.0.1"], false),
            &["rollout", "status", "rollouts-nginx"],
            1,
            "UnknownIssuer; the server's certificate is not signed by the CA the kubeconfig trusts",
        ),
        with(
            "a certificate for another host",
            tls(&["other.example"], true),
            &["rollout", "status", "rollouts-nginx"],
            1,
            "certificate not valid for name \"127.0.0.1\"; certificate is only valid for DnsName(\"other.example\"); the server's certificate is for another name",
        ),
        with(
            "an expired or invalid token (401)",
            |env: &Env| {
                env.api.fail_next(1, 401);
                Prep { kubeconfig: None }
            },
            &["rollout", "status", "rollouts-nginx"],
            1,
            "did not accept the credentials (401 Unauthorized)",
        ),
        with(
            "a missing right (403)",
            |env: &Env| {
                env.api.forbid(
                    fake_apiserver::Verb::Patch,
                    GROUP,
                    "rollouts",
                    Some("status"),
                );
                Prep { kubeconfig: None }
            },
            &["rollout", "approve", "rollouts-nginx"],
            1,
            "cannot patch resource \"rollouts/status\" in API group \"rollouts.kruise.io\" in the namespace \"default\"",
        ),
        case(
            "a rollout not found, with a near name",
            &["rollout", "status", "rollouts-ngnix"],
            1,
            "not found in namespace \"default\"; did you mean rollouts-nginx?",
        ),
        case(
            "a namespace that does not exist",
            &["rollout", "approve", "rollouts-nginx", "-n", "nope"],
            1,
            "namespace \"nope\" does not exist",
        ),
        with(
            "Kruise Rollouts not installed",
            |env: &Env| {
                let bare = Env::serving(&[]);
                let kc = env.dir.path().join("bare-kubeconfig");
                std::fs::copy(&bare.kubeconfig, &kc).unwrap();
                std::mem::forget(bare);
                Prep {
                    kubeconfig: Some(kc),
                }
            },
            &["rollout", "status", "rollouts-nginx"],
            1,
            "does not serve rollouts.rollouts.kruise.io (v1beta1 or v1alpha1) (is Kruise Rollouts installed?)",
        ),
        case(
            "a version that is not served",
            &[
                "rollout",
                "status",
                "rollouts.v1alpha2.rollouts.kruise.io/x",
            ],
            2,
            "has no API version \"v1alpha2\"",
        ),
        with(
            "a blue-green rollout through v1alpha1",
            |env: &Env| {
                let mut bg = crate::harness::fixture("rollout-v1beta1-bluegreen.yaml");
                bg["apiVersion"] = json!("rollouts.kruise.io/v1alpha1");
                bg["spec"] = json!({});
                bg["status"] = json!({});
                env.api.insert(bg);
                Prep { kubeconfig: None }
            },
            &[
                "rollout",
                "approve",
                "rollouts.v1alpha1.rollouts.kruise.io/shop",
            ],
            5,
            "reads empty through v1alpha1",
        ),
        // Each verb in a state where it does not apply.
        with(
            "approve while pods are upgrading",
            state(|o| o["status"]["canaryStatus"]["currentStepState"] = json!("StepUpgrade")),
            &["rollout", "approve", "rollouts-nginx"],
            5,
            "is in StepUpgrade, not waiting for approval",
        ),
        with(
            "approve a completed release",
            state(|o| {
                o["status"]["phase"] = json!("Healthy");
                o["status"]["conditions"] = json!([{"type": "Succeeded", "status": "True"}]);
            }),
            &["rollout", "approve", "rollouts-nginx"],
            5,
            "has already completed",
        ),
        with(
            "approve a disabled rollout",
            state(|o| o["spec"]["disabled"] = json!(true)),
            &["rollout", "approve", "rollouts-nginx"],
            5,
            "is disabled",
        ),
        with(
            "approve with no release",
            state(|o| o["status"] = json!({"phase": "Healthy"})),
            &["rollout", "approve", "rollouts-nginx"],
            5,
            "no release is in progress",
        ),
        with(
            "approve while initializing",
            progressing("Initializing"),
            &["rollout", "approve", "rollouts-nginx"],
            5,
            "initializing",
        ),
        with(
            "approve while finalising",
            progressing("Finalising"),
            &["rollout", "approve", "rollouts-nginx"],
            5,
            "finalising",
        ),
        with(
            "approve a rollback",
            progressing("Cancelling"),
            &["rollout", "approve", "rollouts-nginx"],
            5,
            "cancelled or rolled back",
        ),
        with(
            "approve while being deleted",
            state(|o| o["status"]["phase"] = json!("Terminating")),
            &["rollout", "approve", "rollouts-nginx"],
            5,
            "being deleted",
        ),
        case(
            "a step jump on a v0.5 controller",
            &["rollout", "approve", "rollouts-nginx", "--to-step=3"],
            5,
            "does not support step jumps",
        ),
        case(
            "undo --fast at the first step",
            &["rollout", "undo", "rollout/rollouts-nginx", "--fast"],
            5,
            "does not support step jumps",
        ),
        case(
            "restart a Deployment Kruise holds paused",
            &["rollout", "restart", "deployment/nginx"],
            5,
            "can't restart a paused deployment",
        ),
        case(
            "expect a step the rollout lacks",
            &["rollout", "approve", "rollouts-nginx", "--expect-step=9"],
            5,
            "there is no step 9",
        ),
        // Statuses that cannot be made sense of.
        with(
            "a negative step index",
            state(|o| o["status"]["canaryStatus"]["currentStepIndex"] = json!(-1)),
            &["rollout", "approve", "rollouts-nginx"],
            5,
            "names step -1",
        ),
        with(
            "a step index of the wrong type",
            state(|o| o["status"]["canaryStatus"]["currentStepIndex"] = json!("one")),
            &["rollout", "approve", "rollouts-nginx"],
            5,
            "is not an integer",
        ),
        with(
            "an empty step list",
            state(|o| o["spec"]["strategy"]["canary"]["steps"] = json!([])),
            &["rollout", "approve", "rollouts-nginx"],
            5,
            "no steps",
        ),
        with(
            "null everywhere",
            state(|o| {
                o["spec"] = Value::Null;
                o["status"] = Value::Null;
            }),
            &["rollout", "approve", "rollouts-nginx"],
            5,
            "no steps",
        ),
        with(
            "a huge object reads normally",
            state(|o| o["metadata"]["annotations"]["big"] = json!("x".repeat(2 * 1024 * 1024))),
            &["rollout", "status", "rollouts-nginx", "-o", "json"],
            0,
            "",
        ),
        // The command line.
        case(
            "an unknown flag",
            &["rollout", "approve", "rollouts-nginx", "--frobnicate"],
            2,
            "unexpected argument '--frobnicate'",
        ),
        case(
            "conflicting flags",
            &[
                "rollout",
                "approve",
                "rollouts-nginx",
                "--to-step=2",
                "--expect-step=1",
            ],
            2,
            "cannot be used with",
        ),
        case(
            "an invalid duration",
            &[
                "rollout",
                "status",
                "rollouts-nginx",
                "--until=completed",
                "--timeout=soon",
            ],
            2,
            "invalid duration \"soon\"",
        ),
        case(
            "an invalid step number",
            &["rollout", "approve", "rollouts-nginx", "--expect-step=0"],
            2,
            "0 is not in 1..",
        ),
        case(
            "an invalid condition",
            &["rollout", "status", "rollouts-nginx", "--until=ready"],
            2,
            "--until",
        ),
        case(
            "an invalid selector",
            &["rollout", "approve", "-l", "team in (a"],
            2,
            "invalid label selector",
        ),
        case(
            "a name with a slash",
            &["rollout", "approve", "rollout/a/b"],
            2,
            "not a valid rollout name",
        ),
        case(
            "a wrong type word",
            &["rollout", "pause", "pods/web"],
            2,
            "\"pods\" is neither a rollout nor a workload kind",
        ),
        case(
            "--wait with --dry-run",
            &[
                "rollout",
                "approve",
                "rollouts-nginx",
                "--wait",
                "--dry-run",
            ],
            2,
            "--wait waits for a real approval",
        ),
        case(
            "--timeout without following",
            &["rollout", "status", "rollouts-nginx", "--timeout=5s"],
            2,
            "--timeout limits following",
        ),
        case(
            "names and a selector",
            &["rollout", "pause", "rollouts-nginx", "-A"],
            2,
            "with -l, --all or -A give only a type",
        ),
    ]
}

#[test]
fn every_bad_input_gets_one_clear_line_the_documented_code_and_no_write() {
    let all = cases();
    assert!(all.len() >= 40, "{} cases", all.len());
    for c in all {
        let env = Env::new().with(SEED);
        let prep = (c.prepare)(&env);
        env.api.clear_requests();
        let mut cmd = env.command(&c.args);
        if let Some(kc) = &prep.kubeconfig {
            cmd.env("KUBECONFIG", kc);
        }
        let run = run_command(cmd);
        assert_eq!(run.code, c.code, "{}: exit code\n{}", c.what, run.stderr);
        if c.code == 0 {
            assert_eq!(run.stderr, "", "{}", c.what);
        } else {
            let lines: Vec<&str> = run
                .stderr
                .lines()
                .filter(|l| !l.trim().is_empty())
                .collect();
            // clap adds a usage hint under its one-line error; the error itself is one line.
            let first = lines.first().copied().unwrap_or("");
            assert!(first.starts_with("error: "), "{}: {}", c.what, run.stderr);
            assert!(
                first.contains(c.says),
                "{}: wanted {:?} in\n{}",
                c.what,
                c.says,
                run.stderr
            );
            if c.code != 2 {
                assert_eq!(lines.len(), 1, "{}: one line\n{}", c.what, run.stderr);
            }
        }
        let changed: Vec<_> = env
            .api
            .accepted_writes()
            .into_iter()
            .filter(|w| !w.path.ends_with("/events"))
            .collect();
        assert!(changed.is_empty(), "{}: wrote {changed:?}", c.what);
    }
}

#[test]
fn tls_server_name_verifies_a_certificate_for_another_name() {
    let env = Env::new().with(SEED);
    let prep = tls(&["other.example"], true)(&env);
    let mut cmd = env.command(&[
        "rollout",
        "status",
        "rollouts-nginx",
        "--tls-server-name",
        "other.example",
        "-o",
        "json",
    ]);
    cmd.env("KUBECONFIG", prep.kubeconfig.unwrap());
    let run = run_command(cmd);
    run.expect_code(0);
    assert_eq!(run.json()["name"], "rollouts-nginx");
}
