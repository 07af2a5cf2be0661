//! Reaching the cluster like kubectl: kubeconfig sources, contexts, namespaces, timeouts,
//! and the plain command-line surface (help, version, usage errors).

use serde_json::json;

use crate::harness::{Env, fixture, run_command};

fn rollout_in(env: &Env, ns: &str, name: &str) {
    let mut r = fixture("rollout-seed-v1beta1.yaml");
    r["metadata"]["name"] = json!(name);
    r["metadata"]["namespace"] = json!(ns);
    env.api.insert(r);
}

fn namespace_of_last_request(env: &Env) -> String {
    let path = env.api.requests().last().unwrap().path.clone();
    path.split("/namespaces/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string()
}

#[test]
fn namespace_comes_from_the_flag_then_the_context_then_default() {
    let env = Env::new();
    rollout_in(&env, "team-a", "web");
    rollout_in(&env, "team-b", "web");
    rollout_in(&env, "default", "web");

    env.run(&["rollout", "status", "web"]).expect_code(0);
    assert_eq!(namespace_of_last_request(&env), "default");
    env.run(&["rollout", "status", "web", "--context", "fake-ns"])
        .expect_code(0);
    assert_eq!(namespace_of_last_request(&env), "team-a");
    env.run(&[
        "rollout",
        "status",
        "web",
        "--context",
        "fake-ns",
        "-n",
        "team-b",
    ])
    .expect_code(0);
    assert_eq!(namespace_of_last_request(&env), "team-b");
    env.run(&["rollout", "status", "web", "--namespace=team-b"])
        .expect_code(0);
    assert_eq!(namespace_of_last_request(&env), "team-b");
}

#[test]
fn kubeconfig_flag_and_merged_kubeconfig_list() {
    let env = Env::new();
    rollout_in(&env, "default", "web");
    // --kubeconfig wins over KUBECONFIG.
    let mut cmd = env.command(&[
        "rollout",
        "status",
        "web",
        "--kubeconfig",
        env.kubeconfig.to_str().unwrap(),
    ]);
    cmd.env("KUBECONFIG", "/nonexistent/config");
    run_command(cmd).expect_code(0);

    // KUBECONFIG as a list: the first file to set current-context wins.
    let first = env.dir.path().join("first");
    std::fs::write(
        &first,
        "apiVersion: v1\nkind: Config\ncurrent-context: fake-ns\n",
    )
    .unwrap();
    let list = std::env::join_paths([first.as_path(), env.kubeconfig.as_path()]).unwrap();
    rollout_in(&env, "team-a", "web");
    let mut cmd = env.command(&["rollout", "status", "web"]);
    cmd.env("KUBECONFIG", list);
    run_command(cmd).expect_code(0);
    assert_eq!(namespace_of_last_request(&env), "team-a");
}

#[test]
fn kubeconfig_problems_are_one_line_errors() {
    let env = Env::new();
    let run = env.run(&[
        "rollout",
        "status",
        "web",
        "--kubeconfig",
        "/nonexistent/kubeconfig",
    ]);
    run.expect_code(1);
    assert!(
        run.stderr
            .starts_with("error: cannot read kubeconfig /nonexistent/kubeconfig"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);

    let run = env.run(&["rollout", "status", "web", "--context", "nope"]);
    run.expect_code(1);
    run.assert_stderr("nope");
}

#[test]
fn an_unreachable_server_names_its_address() {
    let env = Env::new();
    let url = env.server.url();
    let kubeconfig = env.dir.path().join("dead");
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    std::fs::write(
        &kubeconfig,
        std::fs::read_to_string(&env.kubeconfig)
            .unwrap()
            .replace(&url, &format!("http://127.0.0.1:{port}")),
    )
    .unwrap();
    let run = env.run(&[
        "rollout",
        "status",
        "web",
        "--kubeconfig",
        kubeconfig.to_str().unwrap(),
        "--request-timeout",
        "5s",
    ]);
    run.expect_code(1);
    run.assert_stderr(&format!(
        "cannot reach the Kubernetes API at http://127.0.0.1:{port}"
    ));
}

#[test]
fn help_version_and_usage_errors() {
    let env = Env::new();
    let run = env.run(&["--help"]);
    run.expect_code(0);
    run.assert_stdout("Usage: kubectl kruise");
    assert!(
        run.stdout.contains("5  refused"),
        "exit codes are in --help"
    );

    // Every verb is named, and every exit code, 130 among them.
    for verb in [
        "approve",
        "pause",
        "resume",
        "undo",
        "restart",
        "status",
        "history",
        "list",
        "analyze",
        "autopilot",
        "access",
    ] {
        assert!(run.stdout.contains(verb), "{verb} in:\n{}", run.stdout);
    }
    assert!(run.stdout.contains("130  interrupted"), "{}", run.stdout);

    let run = env.run(&["rollout", "approve", "--help"]);
    run.expect_code(0);
    // What every verb shares is a topic of its own, named in one line.
    assert!(
        !run.stdout
            .contains("rollouts.v1alpha1.rollouts.kruise.io/NAME")
    );
    assert!(
        run.stdout
            .contains("kubectl kruise help targets|clusters|exit-codes")
    );
    let topic = env.run(&["help", "targets"]);
    topic.expect_code(0);
    assert!(
        topic
            .stdout
            .contains("rollouts.v1alpha1.rollouts.kruise.io/NAME")
    );
    assert!(topic.stdout.contains("Many at once"));
    env.run(&["help", "exit-codes"])
        .expect_code(0)
        .assert_stdout("130  interrupted")
        .assert_stdout("else 6, else 5, else 0");
    env.run(&["help", "clusters"])
        .expect_code(0)
        .assert_stdout("--one-by-one");
    // `help COMMAND` is the command's --help; an unknown word is a usage error.
    assert_eq!(env.run(&["help", "rollout", "approve"]).stdout, run.stdout);
    env.run(&["help", "nothing"])
        .expect_code(2)
        .assert_stderr("topics are targets, clusters, exit-codes, analysis");
    assert!(env.api.requests().is_empty(), "help asks no cluster");
    // The global flags are listed once, by `options`; each help points there.
    assert!(!run.stdout.contains("--namespace <"));
    assert!(run.stdout.contains("`kubectl kruise options`"));
    let run = env.run(&["options"]);
    run.expect_code(0)
        .assert_stdout("-n, --namespace <NAMESPACE>");

    let run = env.run(&["version"]);
    assert!(
        run.stdout.starts_with(&format!(
            "kubectl-kruise {} (commit ",
            env!("CARGO_PKG_VERSION")
        )),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("Rollout APIs rollouts.kruise.io/v1beta1, rollouts.kruise.io/v1alpha1")
    );
    let doc = env.run(&["version", "-o", "json"]).json();
    assert_eq!(doc["name"], "kubectl-kruise");
    assert_eq!(doc["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        doc["rolloutApiVersions"],
        serde_json::json!(["rollouts.kruise.io/v1beta1", "rollouts.kruise.io/v1alpha1"])
    );
    assert!(doc["gitCommit"].as_str().is_some_and(|c| !c.is_empty()));

    env.run(&["rollout", "approve"]).expect_code(2);
    env.run(&["rollout", "frobnicate"]).expect_code(2);
    env.run(&["rollout", "status", "x", "-o", "table"])
        .expect_code(2);
    let run = env.run(&["rollout", "status", "x", "--request-timeout", "soon"]);
    run.expect_code(2);
    run.assert_stderr("invalid duration");
    assert!(
        env.api.requests().is_empty(),
        "no request for help, version or usage errors"
    );
}

#[test]
fn completion_scripts_are_printed_for_each_shell() {
    let env = Env::new();
    let committed = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    for (shell, file) in [
        ("bash", "kubectl-kruise.bash"),
        ("zsh", "_kubectl-kruise"),
        ("fish", "kubectl-kruise.fish"),
        ("powershell", "_kubectl-kruise.ps1"),
        ("elvish", "kubectl-kruise.elv"),
        ("kubectl", "kubectl_complete-kruise"),
    ] {
        let run = env.run(&["completion", shell]);
        run.expect_code(0);
        assert!(
            run.stdout.contains("COMPLETE") || run.stdout.contains("__complete"),
            "{shell}"
        );
        assert_eq!(
            run.stdout,
            std::fs::read_to_string(committed.join(file)).unwrap(),
            "{shell}: the script printed is the one committed"
        );
    }
}

/// TAB in bash, with the committed script sourced as a user sources it: the binary is called
/// back and offers verbs, and the cluster's rollout, workload and namespace names.
#[test]
fn bash_tab_completion_offers_the_clusters_names() {
    let env = Env::new().with(&["rollout-seed-v1beta1.yaml", "workloads.yaml"]);
    let bin_dir = env.dir.path().join("bin");
    std::fs::create_dir(&bin_dir).unwrap();
    std::os::unix::fs::symlink(
        env!("CARGO_BIN_EXE_kubectl-kruise"),
        bin_dir.join("kubectl-kruise"),
    )
    .unwrap();
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("completions/kubectl-kruise.bash");
    let tab = |words: &[&str]| -> Vec<String> {
        let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
        let line = format!(
            "source '{}'\nCOMP_WORDS=({})\nCOMP_CWORD={}\nCOMP_TYPE=9\n\
             _clap_complete_kubectl_kruise kubectl-kruise '{}' '{}'\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
            script.display(),
            quoted.join(" "),
            words.len() - 1,
            words[words.len() - 1],
            words[words.len() - 2],
        );
        let mut cmd = std::process::Command::new("bash");
        cmd.args(["--norc", "-c", &line])
            .env("PATH", format!("{}:/usr/bin:/bin", bin_dir.display()))
            .env("KUBECONFIG", &env.kubeconfig)
            .env("HOME", env.dir.path());
        let run = run_command(cmd);
        run.expect_code(0);
        run.stdout.lines().map(str::to_string).collect()
    };
    let got = tab(&["kubectl-kruise", "rollout", "ap"]);
    assert_eq!(got, ["approve"]);
    let got = tab(&["kubectl-kruise", "rollout", "approve", ""]);
    assert!(got.contains(&"rollouts-nginx".to_string()), "{got:?}");
    let got = tab(&["kubectl-kruise", "rollout", "pause", "deployment/a"]);
    assert_eq!(got, ["deployment/api"]);
    let got = tab(&["kubectl-kruise", "-n", "def"]);
    assert_eq!(got, ["default"]);
    let got = tab(&["kubectl-kruise", "rollout", "status", "x", "--until", "c"]);
    assert_eq!(got, ["completed"]);
}

#[test]
fn a_closed_stdout_is_not_an_error() {
    let env = Env::new();
    for i in 0..50 {
        let mut r = fixture("rollout-seed-v1beta1.yaml");
        r["metadata"]["name"] = json!(format!("r{i:02}"));
        env.api.insert(r);
    }
    let mut child = env
        .command(&["rollout", "list", "--chunk-size", "1"])
        .spawn()
        .unwrap();
    // Close our end of stdout at once, like `| head -0`.
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
}

#[test]
fn a_briefly_unavailable_server_is_retried() {
    let env = Env::new();
    rollout_in(&env, "default", "web");
    env.api.fail_next(2, 503);
    env.run(&["rollout", "approve", "web"]).expect_code(0);
    assert_eq!(
        env.rollout("web")["status"]["canaryStatus"]["currentStepState"],
        "StepReady"
    );
}

#[test]
fn an_overloaded_server_fails_fast_with_its_answer() {
    let env = Env::new();
    rollout_in(&env, "default", "web");
    env.api.fail_next(usize::MAX, 429);
    let run = env.run(&["rollout", "approve", "web"]);
    run.expect_code(1);
    run.assert_stderr("429 TooManyRequests");
    // One try and three retries, then stop (kube's default would try 16 times over minutes).
    assert_eq!(env.api.requests().len(), 4);
}
