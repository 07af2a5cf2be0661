//! The real `kubectl` against the fake API server: proof that the fake behaves like
//! kube-apiserver where the plugin depends on it, and that kubectl dispatches to the plugin.
//!
//! Skipped with a note when kubectl is not installed; under `CI=true` a missing kubectl fails.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use crate::harness::{Env, GROUP, Run, eventually, run_command, wait};

/// kubectl, pointed at one test environment.
struct Kubectl<'a> {
    bin: PathBuf,
    env: &'a Env,
}

/// kubectl for `env`, or `None` (with a note) when it is not installed.
fn kubectl(env: &Env) -> Option<Kubectl<'_>> {
    crate::harness::tool("kubectl", "the kubectl compatibility test")
        .map(|bin| Kubectl { bin, env })
}

impl Kubectl<'_> {
    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.bin);
        cmd.arg("--kubeconfig")
            .arg(&self.env.kubeconfig)
            .args(args)
            .env("HOME", self.env.dir.path())
            .env_remove("KUBECONFIG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    fn run(&self, args: &[&str]) -> Run {
        run_command(self.command(args))
    }

    /// `kubectl patch rollout rollouts-nginx FLAGS -p BODY`
    fn patch(&self, flags: &[&str], body: &str) -> Run {
        let mut args = vec!["patch", "rollout", "rollouts-nginx"];
        args.extend_from_slice(flags);
        args.extend_from_slice(&["-p", body]);
        self.run(&args)
    }
}

#[test]
fn kubectl_gets_patches_and_watches_rollouts_on_the_fake() {
    let env = Env::new().with(&["rollout-seed-v1beta1.yaml"]);
    let Some(k) = kubectl(&env) else { return };

    // get, through discovery of the CRD's group.
    let obj = k
        .run(&[
            "get",
            "rollouts.rollouts.kruise.io",
            "rollouts-nginx",
            "-n",
            "default",
            "-o",
            "json",
        ])
        .expect_code(0)
        .json();
    assert_eq!(
        obj["status"]["canaryStatus"]["currentStepState"],
        "StepPaused"
    );
    let list = k
        .run(&["get", "rollout", "-o", "json"])
        .expect_code(0)
        .json();
    assert_eq!(list["items"][0]["metadata"]["name"], "rollouts-nginx");

    // A main-resource patch cannot change status (the status subresource is on).
    k.patch(&["--type=merge"], r#"{"status":{"phase":"Hacked"}}"#)
        .expect_code(0);
    assert_eq!(
        env.rollout("rollouts-nginx")["status"]["phase"],
        "Progressing"
    );

    // The documented way to approve by hand: a merge patch on the status subresource.
    k.patch(
        &["--subresource=status", "--type=merge"],
        r#"{"status":{"canaryStatus":{"currentStepState":"StepReady"}}}"#,
    )
    .expect_code(0);
    assert_eq!(
        env.rollout("rollouts-nginx")["status"]["canaryStatus"]["currentStepState"],
        "StepReady"
    );

    // JSON patch on the spec.
    k.patch(
        &["--type=json"],
        r#"[{"op":"add","path":"/spec/strategy/paused","value":true}]"#,
    )
    .expect_code(0);
    assert_eq!(
        env.rollout("rollouts-nginx")["spec"]["strategy"]["paused"],
        true
    );

    // A stale resourceVersion is a conflict.
    let run = k.patch(
        &["--type=merge"],
        r#"{"metadata":{"resourceVersion":"1"},"spec":{"disabled":true}}"#,
    );
    assert_ne!(run.code, 0);
    run.assert_stderr("the object has been modified");
    assert_eq!(env.rollout("rollouts-nginx")["spec"]["disabled"], false);

    // A missing object.
    let run = k.run(&["get", "rollout", "nope"]);
    assert_ne!(run.code, 0);
    run.assert_stderr(r#"rollouts.rollouts.kruise.io "nope" not found"#);

    // get --watch streams the change.
    let child = k
        .command(&[
            "get",
            "rollout",
            "rollouts-nginx",
            "--watch",
            "-o",
            "json",
            "--request-timeout=5s",
        ])
        .spawn()
        .unwrap();
    eventually("kubectl's watch request", || {
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
    let env = Env::new().with(&["rollout-seed-v1beta1.yaml"]);
    let Some(k) = kubectl(&env) else { return };
    env.api
        .forbid(fake_apiserver::Verb::Get, GROUP, "rollouts", None);
    let run = k.run(&["get", "rollout", "rollouts-nginx"]);
    assert_ne!(run.code, 0);
    run.assert_stderr("Forbidden");
}

#[test]
fn kubectl_runs_the_plugin_from_path() {
    let env = Env::new().with(&["rollout-seed-v1beta1.yaml", "deployment-nginx.yaml"]);
    let Some(k) = kubectl(&env) else { return };
    let plugins = env.dir.path().join("plugins");
    std::fs::create_dir(&plugins).unwrap();
    std::os::unix::fs::symlink(
        env!("CARGO_BIN_EXE_kubectl-kruise"),
        plugins.join("kubectl-kruise"),
    )
    .unwrap();
    let path = std::env::join_paths(std::iter::once(plugins).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap();

    // As a user types it: no --kubeconfig (kubectl rejects flags before the plugin name).
    let mut approve = Command::new(&k.bin);
    approve
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
        .env("HOME", env.dir.path());
    let run = run_command(approve);
    run.expect_code(0);
    assert_eq!(
        run.stdout,
        "rollout.rollouts.kruise.io/rollouts-nginx approved (step 1/3 -> 2/3)\n"
    );

    let mut list = Command::new(&k.bin);
    list.args(["plugin", "list"])
        .env("PATH", &path)
        .env("HOME", env.dir.path());
    run_command(list)
        .expect_code(0)
        .assert_stdout("kubectl-kruise");
}

/// A PATH with `dir` first.
fn path_with(dir: &std::path::Path) -> std::ffi::OsString {
    std::env::join_paths(
        std::iter::once(dir.to_path_buf()).chain(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        )),
    )
    .unwrap()
}

#[test]
fn installed_as_kubectl_kruise_rollout_it_serves_rollout_beside_the_go_plugin() {
    let env = Env::new().with(&["rollout-seed-v1beta1.yaml", "deployment-nginx.yaml"]);
    let Some(k) = kubectl(&env) else { return };
    let plugins = env.dir.path().join("plugins");
    std::fs::create_dir(&plugins).unwrap();
    // The Go plugin, standing in: it says who it is and what it was asked.
    let go = plugins.join("kubectl-kruise");
    std::fs::write(&go, "#!/bin/sh\necho \"go plugin: $*\"\n").unwrap();
    std::fs::set_permissions(&go, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    std::os::unix::fs::symlink(
        env!("CARGO_BIN_EXE_kubectl-kruise"),
        plugins.join("kubectl-kruise-rollout"),
    )
    .unwrap();
    let path = path_with(&plugins);
    let kubectl = |args: &[&str]| {
        let mut cmd = Command::new(&k.bin);
        cmd.args(args)
            .env("PATH", &path)
            .env("KUBECONFIG", &env.kubeconfig)
            .env("HOME", env.dir.path());
        run_command(cmd)
    };
    // `kubectl kruise rollout ...` picks the longer name: this plugin.
    let run = kubectl(&[
        "kruise",
        "rollout",
        "approve",
        "rollouts-nginx",
        "-n",
        "default",
    ]);
    run.expect_code(0);
    assert_eq!(
        run.stdout,
        "rollout.rollouts.kruise.io/rollouts-nginx approved (step 1/3 -> 2/3)\n"
    );
    kubectl(&["kruise", "rollout", "--help"])
        .expect_code(0)
        .assert_stdout("Usage: kubectl kruise rollout");
    // Every other command still reaches the Go plugin.
    let run = kubectl(&["kruise", "migrate", "CloneSet", "--from", "Deployment"]);
    run.expect_code(0);
    assert_eq!(
        run.stdout,
        "go plugin: migrate CloneSet --from Deployment\n"
    );
}

#[test]
fn kubectl_label_selectors_and_impersonation_match_the_fake() {
    let env = Env::new();
    for (name, labels) in [
        ("a", json!({"team": "shop", "tier": "web"})),
        ("b", json!({"team": "shop", "tier": "db"})),
        ("c", json!({"team": "cart"})),
    ] {
        let mut r = crate::harness::fixture("rollout-seed-v1beta1.yaml");
        r["metadata"]["name"] = json!(name);
        r["metadata"]["labels"] = labels;
        env.api.insert(r);
    }
    let Some(k) = kubectl(&env) else { return };
    let names = |sel: &str| -> Vec<String> {
        let run = k.run(&[
            "get",
            "rollouts.rollouts.kruise.io",
            "-l",
            sel,
            "-o",
            "name",
        ]);
        run.expect_code(0);
        run.stdout
            .lines()
            .map(|l| l.rsplit('/').next().unwrap().to_string())
            .collect()
    };
    for (sel, want) in [
        ("team=shop", vec!["a", "b"]),
        ("team=shop,tier!=db", vec!["a"]),
        ("tier in (db,web)", vec!["a", "b"]),
        ("tier notin (web)", vec!["b", "c"]),
        ("!tier", vec!["c"]),
        ("tier", vec!["a", "b"]),
    ] {
        assert_eq!(names(sel), want, "kubectl -l {sel:?}");
        // The plugin's list, through the same server, agrees.
        let run = env.run(&["rollout", "list", "-l", sel, "-o", "name"]);
        let ours: Vec<&str> = run
            .stdout
            .lines()
            .map(|l| l.rsplit('/').next().unwrap())
            .collect();
        assert_eq!(ours, want, "kubectl kruise rollout list -l {sel:?}");
    }
    // A malformed selector: the server's 400, as kubectl prints it.
    let run = k.run(&["get", "rollouts.rollouts.kruise.io", "-l", "tier in (web"]);
    assert_ne!(run.code, 0);
    run.assert_stderr("unable to parse requirement");

    // Impersonation: the headers arrive, and a refusal names the impersonated user.
    env.api.forbid_user(
        Some("bob"),
        fake_apiserver::Verb::Get,
        GROUP,
        "rollouts",
        None,
    );
    let run = k.run(&[
        "get",
        "rollouts.rollouts.kruise.io",
        "a",
        "--as",
        "bob",
        "--as-group",
        "devs",
    ]);
    assert_ne!(run.code, 0);
    run.assert_stderr("User \"bob\" cannot get resource \"rollouts\"");
    let r = env.api.requests().pop().unwrap();
    assert_eq!(r.impersonate_user.as_deref(), Some("bob"));
    assert_eq!(r.impersonate_groups, ["devs"]);
    env.run(&["rollout", "status", "a", "--as", "bob"])
        .expect_code(1)
        .assert_stderr("User \"bob\" cannot get resource \"rollouts\"");
    k.run(&["get", "rollouts.rollouts.kruise.io", "a"])
        .expect_code(0);
}

#[test]
fn kubectl_tab_completion_offers_verbs_flags_and_the_clusters_names() {
    let env = Env::new().with(&[
        "rollout-seed-v1beta1.yaml",
        "deployment-nginx.yaml",
        "workloads.yaml",
    ]);
    let Some(k) = kubectl(&env) else { return };
    let plugins = env.dir.path().join("plugins");
    std::fs::create_dir(&plugins).unwrap();
    let bin = env!("CARGO_BIN_EXE_kubectl-kruise");
    std::os::unix::fs::symlink(bin, plugins.join("kubectl-kruise")).unwrap();
    std::os::unix::fs::symlink(bin, plugins.join("kubectl-kruise-rollout")).unwrap();
    // The shims as committed, as a user installs them.
    let completions = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    for shim in ["kubectl_complete-kruise", "kubectl_complete-kruise-rollout"] {
        let to = plugins.join(shim);
        std::fs::copy(completions.join(shim), &to).unwrap();
        std::fs::set_permissions(&to, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    }
    let path = path_with(&plugins);
    let complete = |words: &[&str]| -> Vec<String> {
        let mut cmd = Command::new(&k.bin);
        cmd.arg("__complete")
            .args(words)
            .env("PATH", &path)
            .env("KUBECONFIG", &env.kubeconfig)
            .env("HOME", env.dir.path());
        let run = run_command(cmd);
        run.expect_code(0);
        run.stdout
            .lines()
            .map(|l| l.split('\t').next().unwrap().to_string())
            .collect()
    };
    // kubectl picks the longest plugin name: kubectl-kruise-rollout, and its shim.
    let got = complete(&["kruise", "rollout", "approve", ""]);
    assert!(got.contains(&"rollouts-nginx".to_string()), "{got:?}");
    assert_eq!(got.last().map(String::as_str), Some(":4"));
    let got = complete(&["kruise", "rollout", "ap"]);
    assert!(got.contains(&"approve".to_string()), "{got:?}");
    let got = complete(&["kruise", "rollout", "pause", "deployment/a"]);
    assert!(got.contains(&"deployment/api".to_string()), "{got:?}");
    let got = complete(&["kruise", "rollout", "status", "-n", ""]);
    assert!(got.contains(&"default".to_string()), "{got:?}");
    let got = complete(&["kruise", "rollout", "approve", "x", "-o", ""]);
    assert!(
        got.contains(&"json".to_string()) && got.contains(&"name".to_string()),
        "{got:?}"
    );
    // Without the rollout-named binary, kubectl-kruise and its shim answer.
    std::fs::remove_file(plugins.join("kubectl-kruise-rollout")).unwrap();
    std::fs::remove_file(plugins.join("kubectl_complete-kruise-rollout")).unwrap();
    let got = complete(&["kruise", "rollout", "approve", ""]);
    assert!(got.contains(&"rollouts-nginx".to_string()), "{got:?}");
    let got = complete(&["kruise", "ro"]);
    assert!(got.contains(&"rollout".to_string()), "{got:?}");
    // An unreachable cluster: no names, no delay beyond the deadline, no error.
    let mut cmd = Command::new(&k.bin);
    cmd.args(["__complete", "kruise", "rollout", "approve", ""])
        .env("PATH", &path)
        .env("KUBECONFIG", "/nonexistent")
        .env("HOME", env.dir.path());
    let run = run_command(cmd);
    assert_eq!(run.stdout.trim(), ":4");
}
