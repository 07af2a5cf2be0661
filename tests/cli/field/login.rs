//! Cloud logins: kubeconfig exec credential helpers, as kubectl runs them. The helpers here
//! are shell scripts that count their runs, keep what they were told (KUBERNETES_EXEC_INFO,
//! whether stdin is a terminal) and hand out `tok-<run>`.

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{SEED, kubeconfig};
use crate::harness::{Env, eventually, run_command, tool, wait};

const V1BETA1: &str = "client.authentication.k8s.io/v1beta1";

/// A helper script: it counts its runs in `runs`, keeps `info-N` and `stdin-N`, runs
/// `body`, then prints `tok-N` expiring `expiry` from now (GNU date syntax; empty: never).
fn helper(env: &Env, body: &str, expiry: &str) -> PathBuf {
    let dir = env.dir.path();
    let script = r#"#!/bin/sh
d='DIR'
n=$(( $(cat "$d/runs" 2>/dev/null || echo 0) + 1 ))
echo $n > "$d/runs"
printf '%s' "$KUBERNETES_EXEC_INFO" > "$d/info-$n"
if [ -t 0 ]; then echo tty > "$d/stdin-$n"; else echo none > "$d/stdin-$n"; fi
BODY
exp='EXPIRY'
extra=''
if [ -n "$exp" ]; then
  extra=",\"expirationTimestamp\":\"$(date -u -d "$exp" +%Y-%m-%dT%H:%M:%SZ)\""
fi
printf '{"apiVersion":"VERSION","kind":"ExecCredential","status":{"token":"tok-%s"%s}}\n' "$n" "$extra"
"#
    .replace("DIR", &dir.display().to_string())
    .replace("BODY", body)
    .replace("EXPIRY", expiry)
    .replace("VERSION", V1BETA1);
    let path = dir.join("acme-login");
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// A kubeconfig whose user logs in with `helper`; `extra` adds lines to the exec entry.
fn login_kubeconfig(env: &Env, helper: &Path, extra: &str) -> PathBuf {
    kubeconfig(
        env,
        "login",
        &env.server.url(),
        "",
        &format!(
            "    exec:\n      apiVersion: {V1BETA1}\n      command: {}\n      args: [\"--secret=ARG-SECRET\"]\n{extra}",
            helper.display()
        ),
    )
}

fn runs(env: &Env) -> usize {
    std::fs::read_to_string(env.dir.path().join("runs"))
        .map(|s| s.trim().parse().unwrap_or(0))
        .unwrap_or(0)
}

fn info(env: &Env, n: usize) -> Value {
    let text = std::fs::read_to_string(env.dir.path().join(format!("info-{n}"))).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn stdin_of(env: &Env, n: usize) -> String {
    std::fs::read_to_string(env.dir.path().join(format!("stdin-{n}")))
        .unwrap()
        .trim()
        .to_string()
}

fn cmd(env: &Env, kc: &Path, args: &[&str]) -> std::process::Command {
    let mut c = env.command(args);
    c.env("KUBECONFIG", kc);
    c
}

/// `status rollouts-nginx` through `kc`, to its end.
fn status(env: &Env, kc: &Path) -> crate::harness::Run {
    run_command(cmd(env, kc, &["rollout", "status", "rollouts-nginx"]))
}

/// `status rollouts-nginx --until=UNTIL` through `kc`, once its two watches are open.
fn gate(env: &Env, kc: &Path, until: &str) -> std::process::Child {
    let until = format!("--until={until}");
    let child = cmd(env, kc, &["rollout", "status", "rollouts-nginx", &until])
        .spawn()
        .unwrap();
    eventually("both watches open", || env.api.open_watches() >= 2);
    child
}

#[test]
fn a_failing_login_shows_the_helper_s_own_words() {
    let env = Env::new().with(SEED);
    let h = helper(
        &env,
        "echo \"login expired, run 'acme login'\" >&2\necho STDOUT-SECRET\nexit 1",
        "",
    );
    let kc = login_kubeconfig(&env, &h, "");
    let run = status(&env, &kc);
    run.expect_code(1);
    assert_eq!(
        run.stderr,
        "login expired, run 'acme login'\nerror: the kubeconfig's exec credential plugin \
         \"acme-login\" failed with exit code 1 (its own message, if it printed one, is above)\n"
    );
    // Its stdout (where a credential goes) and its arguments are never shown.
    for text in [&run.stdout, &run.stderr] {
        assert!(!text.contains("STDOUT-SECRET") && !text.contains("ARG-SECRET"));
    }
    assert!(
        env.api.requests().is_empty(),
        "nothing sent without a credential"
    );

    // A helper that is not installed: its install hint, as kubectl prints it.
    let kc = kubeconfig(
        &env,
        "missing",
        &env.server.url(),
        "",
        &format!(
            "    exec:\n      apiVersion: {V1BETA1}\n      command: acme-login-not-installed\n      installHint: install it with 'brew install acme'\n"
        ),
    );
    let run = status(&env, &kc);
    run.expect_code(1).assert_stderr(
        "exec credential plugin \"acme-login-not-installed\" was not found: install it with 'brew install acme'",
    );
}

#[test]
fn a_device_code_login_reaches_the_user_and_is_waited_for() {
    let env = Env::new().with(SEED);
    let approved = env.dir.path().join("approved");
    let h = helper(
        &env,
        &format!(
            "echo 'To sign in, open https://login.example/device and enter ABCD-1234' >&2\n\
             i=0; while [ ! -e '{0}' ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done\n\
             [ -e '{0}' ] || exit 1",
            approved.display()
        ),
        "",
    );
    let kc = login_kubeconfig(&env, &h, "");
    let mut child = cmd(&env, &kc, &["rollout", "status", "rollouts-nginx"])
        .spawn()
        .unwrap();
    // The prompt reaches the user while the helper waits, not after.
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    assert_eq!(
        line,
        "To sign in, open https://login.example/device and enter ABCD-1234\n"
    );
    assert!(
        env.api.requests().is_empty(),
        "the plugin waits for the login"
    );
    std::fs::write(&approved, "").unwrap();
    // The helper gives up after 10 s without the approval, so this ends in bounded time.
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("rollouts-nginx"), "{stdout}");
    assert_eq!(runs(&env), 1);
}

#[test]
fn interactive_mode_decides_the_helper_s_stdin() {
    let env = Env::new().with(SEED);
    let h = helper(&env, "", "");
    // Without a terminal: IfAvailable gives no stdin, Always is refused before the helper runs.
    let kc = login_kubeconfig(&env, &h, "      interactiveMode: IfAvailable\n");
    status(&env, &kc).expect_code(0);
    assert_eq!(stdin_of(&env, 1), "none");
    assert_eq!(info(&env, 1)["spec"]["interactive"], json!(false));
    let kc = login_kubeconfig(&env, &h, "      interactiveMode: Always\n");
    let run = status(&env, &kc);
    run.expect_code(1)
        .assert_stderr("needs a terminal (interactiveMode: Always), and standard input is not one");
    assert_eq!(runs(&env), 1);

    let Some(script) = tool("script", "the interactive login test") else {
        return;
    };
    // On a terminal: IfAvailable and Always hand it over; Never does not.
    for (mode, stdin, interactive) in [
        ("IfAvailable", "tty", true),
        ("Always", "tty", true),
        ("Never", "none", false),
    ] {
        let kc = login_kubeconfig(&env, &h, &format!("      interactiveMode: {mode}\n"));
        let mut c = env.on_a_terminal(
            &script,
            &format!(
                "--kubeconfig {} rollout status rollouts-nginx",
                kc.display()
            ),
        );
        c.stdin(std::process::Stdio::null());
        run_command(c).expect_code(0);
        let n = runs(&env);
        assert_eq!(stdin_of(&env, n), stdin, "{mode}");
        assert_eq!(
            info(&env, n)["spec"]["interactive"],
            json!(interactive),
            "{mode}"
        );
    }
}

#[test]
fn the_helper_is_told_which_cluster_when_it_asks() {
    let env = Env::new().with(SEED);
    let h = helper(&env, "", "");
    let kc = login_kubeconfig(&env, &h, "      provideClusterInfo: true\n");
    status(&env, &kc).expect_code(0);
    let i = info(&env, 1);
    assert_eq!(i["apiVersion"], V1BETA1);
    assert_eq!(i["kind"], "ExecCredential");
    assert_eq!(i["spec"]["cluster"]["server"], json!(env.server.url()));
    let kc = login_kubeconfig(&env, &h, "");
    status(&env, &kc).expect_code(0);
    assert!(info(&env, 2)["spec"].get("cluster").is_none());
}

#[test]
fn one_credential_per_process_until_it_expires() {
    let env = Env::new().with(SEED);
    // approve: a read, a write and an Event, all on one login.
    let h = helper(&env, "", "");
    let kc = login_kubeconfig(&env, &h, "");
    run_command(cmd(&env, &kc, &["rollout", "approve", "rollouts-nginx"])).expect_code(0);
    assert_eq!(runs(&env), 1);
    let sent: Vec<_> = env
        .api
        .requests()
        .into_iter()
        .map(|r| r.authorization)
        .collect();
    assert_eq!(sent.len(), 3);
    assert!(sent.iter().all(|a| a.as_deref() == Some("Bearer tok-1")));

    // A credential that expires in 2 s: a watch that reconnects after that asks for a new one.
    std::fs::remove_file(env.dir.path().join("runs")).unwrap();
    env.modify_rollout("rollouts-nginx", |r| {
        r["status"]["canaryStatus"]["currentStepState"] = json!("StepPaused");
    });
    let h = helper(&env, "", "+2 seconds");
    let kc = login_kubeconfig(&env, &h, "");
    let started = Instant::now();
    let child = gate(&env, &kc, "step=2");
    assert_eq!(runs(&env), 1);
    std::thread::sleep(Duration::from_secs(3).saturating_sub(started.elapsed()));
    let before = env.api.requests().len();
    env.api.drop_watches();
    eventually("the watches reopened", || env.api.open_watches() >= 2);
    env.modify_rollout("rollouts-nginx", |r| {
        r["status"]["canaryStatus"]["currentStepIndex"] = json!(2);
    });
    wait(child, Duration::from_secs(20)).expect_code(0);
    assert_eq!(runs(&env), 2, "one new credential for the reconnection");
    let after: Vec<_> = env.api.requests()[before..]
        .iter()
        .map(|r| r.authorization.clone())
        .collect();
    assert!(!after.is_empty());
    assert!(
        after.iter().all(|a| a.as_deref() == Some("Bearer tok-2")),
        "{after:?}"
    );
}

#[test]
fn a_revoked_credential_is_replaced_once_during_a_watch() {
    let env = Env::new().with(SEED);
    env.api.accept_tokens(Some(&["tok-1"]));
    let h = helper(&env, "", "");
    let kc = login_kubeconfig(&env, &h, "");
    let child = gate(&env, &kc, "step=2");
    // The credential is revoked (a new login elsewhere, a rotated key): the server answers
    // 401 to the reconnecting watch; one fresh login, and the gate goes on.
    env.api.accept_tokens(Some(&["tok-2"]));
    env.api.drop_watches();
    eventually("the watches reopened", || env.api.open_watches() >= 2);
    env.modify_rollout("rollouts-nginx", |r| {
        r["status"]["canaryStatus"]["currentStepIndex"] = json!(2);
    });
    wait(child, Duration::from_secs(20)).expect_code(0);
    assert_eq!(runs(&env), 2);
    let refused = env
        .api
        .requests()
        .iter()
        .filter(|r| r.status == 401)
        .count();
    assert!(refused >= 1, "the old credential was refused");

    // If the fresh credential is refused too, the command stops with the 401, once.
    std::fs::remove_file(env.dir.path().join("runs")).unwrap();
    env.api.accept_tokens(Some(&["tok-1"]));
    let child = gate(&env, &kc, "step=3");
    env.api.accept_tokens(Some(&["none"]));
    env.api.drop_watches();
    let run = wait(child, Duration::from_secs(20));
    run.expect_code(1).assert_stderr("401 Unauthorized");
    assert_eq!(runs(&env), 2);
}
