//! The real `kubectl` against the fake API server: proof that the fake behaves like
//! kube-apiserver where the plugin depends on it, and that kubectl dispatches to the plugin.
//!
//! Skipped with a note when kubectl is not installed; under `CI=true` a missing kubectl fails.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::harness::{Env, GROUP, Run, wait};

fn kubectl() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("kubectl"))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var("CI").map(|v| v != "true").unwrap_or(true),
            "CI=true but kubectl is not installed: these tests must run in CI"
        );
        eprintln!("note: kubectl not found on PATH; skipping the kubectl compatibility test");
    }
    found
}

fn kubectl_cmd(env: &Env, bin: &PathBuf, args: &[&str]) -> Command {
    let mut cmd = Command::new(bin);
    cmd.arg("--kubeconfig")
        .arg(&env.kubeconfig)
        .args(args)
        .env("HOME", env.dir.path())
        .env_remove("KUBECONFIG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

fn run_kubectl(env: &Env, bin: &PathBuf, args: &[&str]) -> Run {
    wait(
        kubectl_cmd(env, bin, args).spawn().expect("spawn kubectl"),
        Duration::from_secs(30),
    )
}

#[test]
fn kubectl_gets_patches_and_watches_rollouts_on_the_fake() {
    let Some(bin) = kubectl() else { return };
    let env = Env::new().with(&["rollout-seed-v1beta1.yaml"]);

    // get, through discovery of the CRD's group.
    let obj = run_kubectl(
        &env,
        &bin,
        &[
            "get",
            "rollouts.rollouts.kruise.io",
            "rollouts-nginx",
            "-n",
            "default",
            "-o",
            "json",
        ],
    )
    .expect_code(0)
    .json();
    assert_eq!(
        obj["status"]["canaryStatus"]["currentStepState"],
        "StepPaused"
    );
    let list = run_kubectl(&env, &bin, &["get", "rollout", "-o", "json"])
        .expect_code(0)
        .json();
    assert_eq!(list["items"][0]["metadata"]["name"], "rollouts-nginx");

    // A main-resource patch cannot change status (the status subresource is on).
    run_kubectl(
        &env,
        &bin,
        &[
            "patch",
            "rollout",
            "rollouts-nginx",
            "--type=merge",
            "-p",
            r#"{"status":{"phase":"Hacked"}}"#,
        ],
    )
    .expect_code(0);
    assert_eq!(
        env.rollout("rollouts-nginx")["status"]["phase"],
        "Progressing"
    );

    // The documented way to approve by hand: a merge patch on the status subresource.
    run_kubectl(
        &env,
        &bin,
        &[
            "patch",
            "rollout",
            "rollouts-nginx",
            "--subresource=status",
            "--type=merge",
            "-p",
            r#"{"status":{"canaryStatus":{"currentStepState":"StepReady"}}}"#,
        ],
    )
    .expect_code(0);
    assert_eq!(
        env.rollout("rollouts-nginx")["status"]["canaryStatus"]["currentStepState"],
        "StepReady"
    );

    // JSON patch on the spec.
    run_kubectl(
        &env,
        &bin,
        &[
            "patch",
            "rollout",
            "rollouts-nginx",
            "--type=json",
            "-p",
            r#"[{"op":"add","path":"/spec/strategy/paused","value":true}]"#,
        ],
    )
    .expect_code(0);
    assert_eq!(
        env.rollout("rollouts-nginx")["spec"]["strategy"]["paused"],
        true
    );

    // A stale resourceVersion is a conflict.
    let run = run_kubectl(
        &env,
        &bin,
        &[
            "patch",
            "rollout",
            "rollouts-nginx",
            "--type=merge",
            "-p",
            r#"{"metadata":{"resourceVersion":"1"},"spec":{"disabled":true}}"#,
        ],
    );
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("the object has been modified"),
        "{}",
        run.stderr
    );
    assert_eq!(env.rollout("rollouts-nginx")["spec"]["disabled"], false);

    // A missing object.
    let run = run_kubectl(&env, &bin, &["get", "rollout", "nope"]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr
            .contains(r#"rollouts.rollouts.kruise.io "nope" not found"#),
        "{}",
        run.stderr
    );

    // get --watch streams the change.
    let child = kubectl_cmd(
        &env,
        &bin,
        &[
            "get",
            "rollout",
            "rollouts-nginx",
            "--watch",
            "-o",
            "json",
            "--request-timeout=5s",
        ],
    )
    .spawn()
    .unwrap();
    crate::harness::eventually("kubectl's watch request", || {
        env.api
            .requests()
            .iter()
            .any(|r| r.query.contains("watch=true"))
    });
    env.modify_rollout("rollouts-nginx", |o| {
        o["status"]["canaryStatus"]["currentStepIndex"] = json!(2)
    });
    let run = wait(child, Duration::from_secs(20));
    let docs: Vec<Value> = serde_json::Deserializer::from_str(&run.stdout)
        .into_iter()
        .map(|d| d.unwrap())
        .collect();
    assert!(
        docs.iter()
            .any(|d| d["status"]["canaryStatus"]["currentStepIndex"] == 2),
        "the watch delivered the change:\n{}\n{}",
        run.stdout,
        run.stderr
    );
}

#[test]
fn kubectl_forbidden_is_a_403() {
    let Some(bin) = kubectl() else { return };
    let env = Env::new().with(&["rollout-seed-v1beta1.yaml"]);
    env.api
        .forbid(fake_apiserver::Verb::Get, GROUP, "rollouts", None);
    let run = run_kubectl(&env, &bin, &["get", "rollout", "rollouts-nginx"]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("Forbidden") || run.stderr.contains("forbidden"),
        "{}",
        run.stderr
    );
}

#[test]
fn kubectl_runs_the_plugin_from_path() {
    let Some(bin) = kubectl() else { return };
    let env = Env::new().with(&["rollout-seed-v1beta1.yaml", "deployment-nginx.yaml"]);
    let plugins = env.dir.path().join("plugins");
    std::fs::create_dir(&plugins).unwrap();
    std::os::unix::fs::symlink(
        env!("CARGO_BIN_EXE_kubectl-kruise"),
        plugins.join("kubectl-kruise"),
    )
    .unwrap();
    let path = std::env::join_paths(
        std::iter::once(plugins.clone()).chain(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        )),
    )
    .unwrap();

    let started = Instant::now();
    let out = Command::new(&bin)
        .args([
            "kruise",
            "rollout",
            "approve",
            "rollout/rollouts-nginx",
            "-n",
            "default",
        ])
        .env("PATH", &path)
        .env("KUBECONFIG", &env.kubeconfig)
        .env("HOME", env.dir.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "rollout.rollouts.kruise.io/rollouts-nginx approved (step 1/3 -> 2/3)\n"
    );
    assert!(started.elapsed() < Duration::from_secs(20));

    let out = Command::new(&bin)
        .args(["plugin", "list"])
        .env("PATH", &path)
        .env("HOME", env.dir.path())
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("kubectl-kruise"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
