//! The sandbox answers as a cluster with Kruise and KubeVela installed: every demo rollout's
//! workload exists, versions are converted as Kruise's webhook does, discovery has kubectl's
//! short names, and the simulated controller ends a release that `undo` rolled back.

use fake_apiserver::FakeApi;
use fake_apiserver::sim::Controller;
use serde_json::json;

use crate::harness::{Env, run_command, tool};

#[test]
fn every_demo_rollout_reads_whole_in_either_version() {
    let env = Env::on(FakeApi::sandbox());
    let list = env.run(&["rollout", "list", "-o", "json"]);
    list.expect_code(0);
    let items = list.json()["items"].as_array().unwrap().clone();
    assert!(items.len() >= 6, "{items:?}");
    for item in &items {
        let name = item["name"].as_str().unwrap();
        let kind = item["kind"].as_str().unwrap_or("Rollout");
        let target = match item["apiVersion"].as_str().unwrap_or_default() {
            "core.oam.dev/v1beta1" => format!("approllout/{name}"),
            "standard.oam.dev/v1alpha1" => format!("rollouts.standard.oam.dev/{name}"),
            _ => name.to_string(),
        };
        let run = env.run(&["rollout", "status", &target]);
        run.expect_code(0);
        assert!(
            !run.stderr.contains("warning"),
            "{kind} {name}: {}",
            run.stderr
        );
    }
    // The v1alpha1 rollout, through the v1beta1 API: its workload and its canary style.
    let echo = env.run(&["rollout", "status", "echo"]);
    echo.assert_stdout("Workload:   Deployment/echo")
        .assert_stdout("Strategy:   canary");
    let alpha = env.run(&[
        "rollout",
        "status",
        "rollouts.v1alpha1.rollouts.kruise.io/echo",
    ]);
    alpha
        .expect_code(0)
        .assert_stdout("Workload:   Deployment/echo");
}

#[test]
fn kubectl_finds_short_names_there() {
    let Some(kubectl) = tool("kubectl", "the sandbox's short names") else {
        return;
    };
    let env = Env::on(FakeApi::sandbox());
    for short in ["deploy", "clone", "approllout"] {
        let mut cmd = std::process::Command::new(&kubectl);
        cmd.args(["get", short, "-o", "name"])
            .env_clear()
            .env("HOME", env.dir.path())
            .env("KUBECONFIG", &env.kubeconfig);
        let run = run_command(cmd);
        run.expect_code(0);
        assert!(!run.stdout.is_empty(), "kubectl get {short}");
    }
}

#[test]
fn undo_ends_the_release_as_kruise_does() {
    let env = Env::on(FakeApi::sandbox());
    env.api
        .modify("apps", "deployments", "default", "nginx", |d| {
            d["spec"]["paused"] = json!(true);
        });
    let ctl = Controller::new(&env.api, "default", "rollouts-nginx");
    env.run(&["rollout", "undo", "rollouts-nginx"])
        .expect_code(0);
    for _ in 0..4 {
        ctl.reconcile();
    }
    let r = env.rollout("rollouts-nginx");
    assert_eq!(r["status"]["phase"], "Healthy", "{:#}", r["status"]);
    let succeeded = r["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "Succeeded")
        .cloned()
        .unwrap();
    assert_eq!(succeeded["status"], "False");
    // The controller let go of the workload.
    let d = env
        .api
        .get("apps", "deployments", "default", "nginx")
        .unwrap();
    assert_eq!(d["spec"]["paused"], json!(false));
    // Status says so, and a gate on completion fails fast instead of timing out.
    env.run(&["rollout", "status", "rollouts-nginx"])
        .expect_code(0)
        .assert_stdout("cancelled or rolled back");
    env.run(&[
        "rollout",
        "status",
        "rollouts-nginx",
        "--until=completed",
        "--timeout=5s",
    ])
    .expect_code(4);
    // It stays over: the next reconciles start no new release.
    for _ in 0..3 {
        ctl.reconcile();
    }
    assert_eq!(env.rollout("rollouts-nginx")["status"]["phase"], "Healthy");
}

#[test]
fn deployments_have_a_status_that_follows_the_release_and_kubectl_s_columns() {
    use fake_apiserver::sim_workloads::WorkloadController;
    let env = Env::on(FakeApi::sandbox());
    let workloads = WorkloadController::new(&env.api);
    workloads.reconcile();
    // Mid-release: the new-version pods the release has made, as kubectl rollout status says.
    env.run(&["rollout", "status", "deployment/nginx"])
        .expect_code(0)
        .assert_stdout("Pods:       10 desired, 1 updated, 10 ready, 10 available")
        .assert_stdout("1 out of 10 new replicas have been updated");
    // The release ends: the Deployment is rolled out and a gate on it passes.
    env.api.modify(
        "rollouts.kruise.io",
        "rollouts",
        "default",
        "rollouts-nginx",
        |r| {
            r["status"]["phase"] = json!("Healthy");
        },
    );
    workloads.reconcile();
    env.run(&[
        "rollout",
        "status",
        "deployment/nginx",
        "--until=completed",
        "--timeout=5s",
    ])
    .expect_code(0);

    // kubectl get deploy: the server's Table, with kubectl's columns.
    let Some(kubectl) = tool("kubectl", "the sandbox's Table answers") else {
        return;
    };
    let mut cmd = std::process::Command::new(&kubectl);
    cmd.args(["get", "deploy"])
        .env_clear()
        .env("HOME", env.dir.path())
        .env("KUBECONFIG", &env.kubeconfig);
    let run = run_command(cmd);
    run.expect_code(0);
    let header = run.stdout.lines().next().unwrap_or_default().to_string();
    let columns: Vec<&str> = header.split_whitespace().collect();
    assert_eq!(
        columns,
        ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"],
        "{}",
        run.stdout
    );
    let nginx = run
        .stdout
        .lines()
        .find(|l| l.starts_with("nginx "))
        .unwrap_or_else(|| panic!("{}", run.stdout));
    let cells: Vec<&str> = nginx.split_whitespace().collect();
    assert_eq!(
        &cells[..4],
        ["nginx", "10/10", "10", "10"],
        "{}",
        run.stdout
    );
}

#[test]
fn the_readme_s_analysis_release_and_template_are_there() {
    let env = Env::on(FakeApi::sandbox());
    env.run(&["rollout", "status", "web"])
        .expect_code(0)
        .assert_stdout("Workload:   Deployment/web-app")
        .assert_stdout("waiting for approval at step 1/3");
    env.run(&["rollout", "status", "web-app"])
        .expect_code(1)
        .assert_stderr("name it deployment/web-app");
    // The template is read from the cluster; here no metrics source is set (the sandbox
    // shell sets one), which it says before measuring.
    let mut cmd = env.command(&[
        "rollout",
        "analyze",
        "web",
        "--template",
        "analysistemplate/error-rate",
    ]);
    cmd.env_remove("ARGO_ROLLOUTS_PROMETHEUS_ADDRESS");
    run_command(cmd).expect_code(2).assert_stderr(
        "metric error-ratio of analysistemplate/error-rate gives no Prometheus address",
    );
}
