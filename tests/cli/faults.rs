//! Defects found against a real API server, each fixed and proven: credentials in errors,
//! writes on a malformed status, a CPU hang, no deadline by default, unhelpful errors.

use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use fake_apiserver::Fault;
use serde_json::{Value, json};

use crate::harness::{Env, Run, run_command};

const SEED: &[&str] = &["rollout-seed-v1beta1.yaml", "deployment-nginx.yaml"];
const SECRETS: &[&str] = &[
    "SUPERSECRET-TOKEN-123",
    "EXEC-TOKEN-456",
    "ARG-SECRET-789",
    "ENV-SECRET-000",
];

#[track_caller]
fn no_secret(run: &Run) {
    for s in SECRETS {
        assert!(
            !run.stdout.contains(s) && !run.stderr.contains(s),
            "{s} printed:\n{}{}",
            run.stdout,
            run.stderr
        );
    }
}

#[track_caller]
fn one_line_error(run: &Run) {
    assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
}

/// A kubeconfig whose user gets its token from `plugin`, on the fake.
fn exec_kubeconfig(env: &Env, plugin: &str) -> std::path::PathBuf {
    let script = env.dir.path().join("plugin.sh");
    std::fs::write(&script, plugin).unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let kc = env.dir.path().join("exec-kubeconfig");
    std::fs::write(
        &kc,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: {}\n\
             users:\n- name: u\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n\
             \x20     command: {}\n      args: [\"--oidc-client-secret=ARG-SECRET-789\"]\n\
             \x20     env:\n      - name: MY_API_KEY\n        value: ENV-SECRET-000\n\
             \x20     interactiveMode: Never\n\
             contexts:\n- name: x\n  context: {{cluster: c, user: u, namespace: default}}\n\
             current-context: x\n",
            env.server.url(),
            script.display()
        ),
    )
    .unwrap();
    kc
}

fn with_kubeconfig(env: &Env, kc: &std::path::Path, args: &[&str]) -> Run {
    let mut cmd = env.command(args);
    cmd.env("KUBECONFIG", kc);
    run_command(cmd)
}

const CREDENTIAL: &str = r#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"EXEC-TOKEN-456"}}"#;

#[test]
fn no_credential_is_printed_when_the_kubeconfig_or_its_plugin_fails() {
    let env = Env::new().with(SEED);
    // A malformed kubeconfig: its parse error points at the place, never quotes the file.
    let bad = env.dir.path().join("bad");
    std::fs::write(
        &bad,
        "apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user:\n    token: SUPERSECRET-TOKEN-123\n  : broken\n",
    )
    .unwrap();
    let run = with_kubeconfig(&env, &bad, &["rollout", "list"]);
    run.expect_code(1).assert_stderr("at line 7, column 3");
    one_line_error(&run);
    no_secret(&run);

    // The plugin fails, after printing a token: not its env, args, or output (stdout); its
    // own message (stderr) reaches the user as it wrote it, then one line of ours.
    let kc = exec_kubeconfig(
        &env,
        &format!("#!/bin/sh\necho '{CREDENTIAL}'\necho oops >&2\nexit 3\n"),
    );
    let run = with_kubeconfig(&env, &kc, &["rollout", "status", "rollouts-nginx", "-v=9"]);
    run.expect_code(1);
    assert_eq!(
        run.stderr,
        "oops\nerror: the kubeconfig's exec credential plugin \"plugin.sh\" failed with exit \
         code 3 (its own message, if it printed one, is above)\n"
    );
    no_secret(&run);

    // The plugin prints a credential that does not parse, with the token in it.
    let kc = exec_kubeconfig(&env, &format!("#!/bin/sh\necho '{}'\n", &CREDENTIAL[..90]));
    let run = with_kubeconfig(&env, &kc, &["rollout", "approve", "rollouts-nginx"]);
    run.expect_code(1)
        .assert_stderr("printed something that is not an ExecCredential");
    one_line_error(&run);
    no_secret(&run);
    assert!(env.api.requests().is_empty());

    // A working plugin: its token is what the requests carry, and it is never printed.
    let kc = exec_kubeconfig(&env, &format!("#!/bin/sh\necho '{CREDENTIAL}'\n"));
    let run = with_kubeconfig(&env, &kc, &["rollout", "status", "rollouts-nginx", "-v=9"]);
    run.expect_code(0);
    no_secret(&run);
    let r = env.api.requests().pop().unwrap();
    assert_eq!(r.authorization.as_deref(), Some("Bearer EXEC-TOKEN-456"));
}

#[test]
fn a_status_that_cannot_be_made_sense_of_is_never_written_on() {
    let cases: Vec<(&str, Value)> = vec![
        ("/status/canaryStatus/currentStepIndex", json!(0)),
        ("/status/canaryStatus/currentStepIndex", json!(-1)),
        ("/status/canaryStatus/currentStepIndex", json!(9999)),
        ("/status/canaryStatus/currentStepIndex", json!(1u64 << 40)),
        ("/status/canaryStatus/currentStepIndex", json!("one")),
        ("/status/canaryStatus/currentStepIndex", json!(1.5)),
        ("/status/canaryStatus/currentStepIndex", json!(i64::MIN)),
        ("/status/canaryStatus/currentStepIndex", json!(u64::MAX)),
        ("/spec/strategy/canary/steps", json!([])),
        ("/spec/strategy/canary/steps", json!("3 steps")),
        ("/spec", json!(["not", "an", "object"])),
    ];
    for (ptr, value) in cases {
        let env = Env::new().with(SEED);
        env.modify_rollout("rollouts-nginx", |o| {
            let (parent, key) = ptr.rsplit_once('/').unwrap();
            o.pointer_mut(parent).unwrap()[key] = value.clone();
            o["status"]["canaryStatus"]["nextStepIndex"] = json!(2);
        });
        for args in [
            vec!["rollout", "approve", "rollouts-nginx"],
            vec!["rollout", "approve", "rollouts-nginx", "--to-step=2"],
            vec!["rollout", "approve", "rollouts-nginx", "--expect-step=1"],
            vec!["rollout", "undo", "rollout/rollouts-nginx", "--fast"],
        ] {
            let run = env.run(&args);
            run.expect_code(5);
            one_line_error(&run);
            assert!(env.writes().is_empty(), "{ptr}={value} {args:?} wrote");
        }
    }
}

#[test]
fn undo_fast_at_a_huge_step_index_is_refused_at_once() {
    let env = Env::new().with(&["rollout-v1beta1-bluegreen.yaml", "deployment-shop.yaml"]);
    env.modify_rollout("shop", |o| {
        o["status"]["blueGreenStatus"]["currentStepIndex"] = json!(1099511627776u64)
    });
    // The harness kills a command that runs over 30 s; walking 2^40 steps would.
    let run = env.run(&["rollout", "undo", "rollout/shop", "--fast"]);
    run.expect_code(5).assert_stderr("step 1099511627776");
    assert!(env.writes().is_empty());
}

#[test]
fn a_server_that_never_finishes_answering_is_given_up_on() {
    let env = Env::new().with(SEED);
    // Headers never come.
    env.api
        .fault(Some("GET"), 1, Fault::Delay(Duration::from_secs(60)));
    let run = env.run(&[
        "rollout",
        "status",
        "rollouts-nginx",
        "--request-timeout=1s",
    ]);
    run.expect_code(1)
        .assert_stderr("no complete answer within 1s (--request-timeout)");
    one_line_error(&run);
    // The body trickles in one byte every 0.2 s: the limit is on the whole answer.
    env.api
        .fault(Some("GET"), 1, Fault::Trickle(Duration::from_millis(200)));
    let run = env.run(&[
        "rollout",
        "status",
        "rollouts-nginx",
        "--request-timeout=2s",
    ]);
    run.expect_code(1)
        .assert_stderr("no complete answer within 2s");
}

#[test]
fn errors_from_proxies_and_broken_answers_are_one_clear_line() {
    let env = Env::new().with(SEED);
    env.api.fault(None, 1, Fault::Html(502));
    let run = env.run(&["rollout", "status", "rollouts-nginx"]);
    run.expect_code(1).assert_stderr(
        "502 Bad Gateway, with an HTML page instead of a Kubernetes Status (a proxy",
    );
    one_line_error(&run);
    assert!(!run.stderr.contains("<html>"));

    env.api.fault(None, 1, Fault::Bare(500));
    let run = env.run(&["rollout", "status", "rollouts-nginx"]);
    run.expect_code(1)
        .assert_stderr("500 Internal Server Error, with no Status body");
    one_line_error(&run);

    env.api.fault(Some("GET"), 1, Fault::TruncatedJson);
    let run = env.run(&["rollout", "status", "rollouts-nginx"]);
    run.expect_code(1)
        .assert_stderr("answered, but its answer could not be read")
        .assert_stderr("truncated or non-JSON");
    one_line_error(&run);
    assert!(!run.stderr.contains("cannot reach"));

    env.api.fault(Some("GET"), 1, Fault::Reset);
    let run = env.run(&["rollout", "status", "rollouts-nginx"]);
    run.expect_code(1);
    one_line_error(&run);
}

#[test]
fn a_write_whose_answer_is_lost_is_read_back_never_sent_twice() {
    let env = Env::new().with(SEED);
    // The approval is stored, then the proxy answers 504.
    env.api.fault(Some("PATCH"), 1, Fault::LostAnswer);
    let run = env.run(&["rollout", "approve", "rollouts-nginx"]);
    run.expect_code(0)
        .assert_stdout("approved (step 1/3 -> 2/3)")
        .assert_stderr("the answer to the write was lost")
        .assert_stderr("read back, the change is in place");
    assert_eq!(env.writes().len(), 1, "one write, never resent");
    assert_eq!(
        env.rollout("rollouts-nginx")["status"]["canaryStatus"]["currentStepState"],
        "StepReady"
    );

    // The write never reached the server (the proxy failed first): read back, not applied.
    let env = Env::new().with(SEED);
    env.api.fault(Some("PATCH"), 1, Fault::Html(504));
    let run = env.run(&["rollout", "approve", "rollouts-nginx"]);
    run.expect_code(1)
        .assert_stderr("was unknown")
        .assert_stderr("the change is not in place: nothing was changed, try again");
    one_line_error(&run);
    assert_eq!(
        env.rollout("rollouts-nginx")["status"]["canaryStatus"]["currentStepState"],
        "StepPaused"
    );
}

#[test]
fn a_gate_whose_watch_is_gone_lists_again_and_still_passes() {
    let env = Env::new().with(SEED);
    let child = env.spawn(&[
        "rollout",
        "status",
        "rollouts-nginx",
        "--until=completed",
        "--timeout=20s",
    ]);
    crate::harness::eventually("the watches are open", || env.api.open_watches() == 2);
    // The server forgets the resourceVersion the gate watches from: 410 Gone on reconnect.
    env.api.drop_watches();
    env.modify_rollout("rollouts-nginx", |o| {
        o["status"]["message"] = json!("moved on")
    });
    env.api.compact();
    crate::harness::eventually("watching again", || env.api.open_watches() == 2);
    env.modify_rollout("rollouts-nginx", |o| {
        o["status"]["phase"] = json!("Healthy");
        o["status"]["conditions"] = json!([
            {"type": "Progressing", "status": "False", "reason": "Completed"},
            {"type": "Succeeded", "status": "True"}]);
    });
    let run = crate::harness::wait(child, Duration::from_secs(20));
    run.expect_code(0).assert_stderr("reached completed");
    // It listed again after the 410 rather than giving up.
    let lists = env
        .api
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/rollouts") && !r.query.contains("watch=true"))
        .count();
    assert!(lists >= 2, "{lists} lists");
    assert!(env.writes().is_empty());
}

/// Busy threads beside the test for as long as the guard lives: a loaded machine.
struct Load(
    std::sync::Arc<std::sync::atomic::AtomicBool>,
    Vec<std::thread::JoinHandle<()>>,
);

impl Load {
    fn start(threads: usize) -> Load {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let handles = (0..threads)
            .map(|_| {
                let stop = stop.clone();
                std::thread::spawn(move || {
                    let mut x = 0u64;
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        x = std::hint::black_box(
                            x.wrapping_mul(6364136223846793005).wrapping_add(1),
                        );
                    }
                })
            })
            .collect();
        Load(stop, handles)
    }
}

impl Drop for Load {
    fn drop(&mut self) {
        self.0.store(true, std::sync::atomic::Ordering::Relaxed);
        for h in self.1.drain(..) {
            let _ = h.join();
        }
    }
}

#[test]
fn ctrl_c_ends_a_re_approval_whose_answer_is_held_back_on_a_loaded_machine() {
    let env = Env::new().with(SEED);
    let _load = Load::start(4);
    let child = env.spawn(&[
        "rollout",
        "approve",
        "rollouts-nginx",
        "--expect-step=1",
        "--wait=60s",
    ]);
    // The approval lands; the controller then loses it (the status is back at StepPaused),
    // so the plugin approves again, and the answer to that PATCH is held back.
    crate::harness::eventually("the first approval", || env.writes().len() == 1);
    crate::harness::eventually("the watch is open", || env.api.open_watches() == 1);
    env.api
        .fault(Some("PATCH"), 1, Fault::Delay(Duration::from_secs(30)));
    env.modify_rollout("rollouts-nginx", |r| {
        r["status"]["canaryStatus"]["currentStepState"] = json!("StepPaused")
    });
    crate::harness::eventually("the re-approval was sent", || {
        env.api
            .requests()
            .iter()
            .filter(|r| r.method == "PATCH")
            .count()
            == 2
    });
    std::thread::sleep(Duration::from_millis(200));
    let sent = std::time::Instant::now();
    let run = crate::harness::interrupt(child, Duration::from_secs(20));
    let took = sent.elapsed();
    run.expect_code(130);
    assert!(took < Duration::from_secs(2), "ended {took:?} after SIGINT");
}
