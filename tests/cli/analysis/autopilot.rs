//! `autopilot` drives a release of the simulated controller by a real Prometheus's
//! answers, one step after another: to the end, back (undo), to a stop, and out of time.

use std::time::Duration;

use fake_apiserver::sim::Controller;
use serde_json::json;

use super::metrics::Prometheus;
use super::{SEED, prometheus, prometheus_template, web_template};
use crate::harness::{Env, Run, run_command};

/// The seed rollout with three steps that wait for approval, its last release done, and a
/// new one started (nginx:1.28).
fn releasing() -> (Env, Controller) {
    let (env, ctl) = crate::gate::released_with(SEED);
    env.modify_rollout("rollouts-nginx", |r| {
        r["spec"]["strategy"]["canary"]["steps"] = json!([
            {"replicas": "20%", "pause": {}},
            {"replicas": "50%", "pause": {}},
            {"replicas": "80%", "pause": {}}
        ]);
    });
    ctl.deploy("nginx:1.28");
    (env, ctl)
}

fn gauges(values: [f64; 3]) -> Vec<(String, f64)> {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            (
                format!(
                    "error_ratio{{rollout=\"rollouts-nginx\",step=\"{}\"}}",
                    i + 1
                ),
                *v,
            )
        })
        .collect()
}

fn start(values: [f64; 3]) -> Option<Prometheus> {
    let g = gauges(values);
    let refs: Vec<(&str, f64)> = g.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    prometheus(&refs)
}

fn autopilot(env: &Env, template: &str, more: &[&str]) -> Run {
    let mut args = vec![
        "rollout",
        "autopilot",
        "rollouts-nginx",
        "--analysis",
        template,
        "--timeout=60s",
    ];
    args.extend_from_slice(more);
    run_command(env.command(&args))
}

fn image(env: &Env) -> String {
    env.api
        .get("apps", "deployments", "default", "nginx")
        .unwrap()["spec"]["template"]["spec"]["containers"][0]["image"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn a_release_whose_metrics_pass_is_driven_to_its_end() {
    let Some(prom) = start([0.001, 0.002, 0.003]) else {
        return;
    };
    let (env, ctl) = releasing();
    let _running = ctl.spawn(Duration::from_millis(20));
    let t = prometheus_template(&env, &prom.url, "");
    let r = autopilot(&env, &t, &["-o", "json"]);
    r.expect_code(0).assert_stderr("the release completed");
    let report = r.json();
    assert_eq!(report["result"], "Completed");
    assert!(
        report.get("event").is_none(),
        "a train's field, not this report's"
    );
    let steps: Vec<(i64, String, String)> = report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["step"].as_i64().unwrap(),
                s["phase"].as_str().unwrap().to_string(),
                s["action"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let approved = |n| (n, "Successful".to_string(), "approved".to_string());
    assert_eq!(steps, vec![approved(1), approved(2), approved(3)]);
    assert_eq!(
        report["steps"][1]["metrics"][0]["measurements"][0]["value"],
        "[0.002]"
    );
    let r = env.rollout("rollouts-nginx");
    assert_eq!(r["status"]["phase"], "Healthy");
    assert_eq!(image(&env), "nginx:1.28");
    // Exactly one approval per step, each of the step that was judged.
    let approvals: Vec<_> = env
        .events()
        .iter()
        .filter(|e| e["reason"] == "Approved")
        .map(|e| e["message"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(approvals.len(), 3, "{approvals:?}");
    for (i, a) in approvals.iter().enumerate() {
        assert!(a.contains(&format!("(step {}/3 ->", i + 1)), "{a}");
    }
}

#[test]
fn a_failed_analysis_at_step_two_undoes_the_release() {
    let Some(prom) = start([0.001, 0.5, 0.001]) else {
        return;
    };
    let (env, ctl) = releasing();
    let _running = ctl.spawn(Duration::from_millis(20));
    let t = prometheus_template(&env, &prom.url, "");
    let r = autopilot(&env, &t, &[]);
    r.expect_code(4)
        .assert_stderr("step 1/3: analysis Successful")
        .assert_stderr("step 2/3: analysis Failed: error-ratio Failed [0.5]")
        .assert_stderr("rolled back to revision");
    // The workload is back on the stable revision, and the controller ends the release.
    let stable = image(&env);
    assert_ne!(stable, "nginx:1.28");
    crate::harness::eventually("the release is cancelled", || {
        env.rollout("rollouts-nginx")["status"]["conditions"]
            .as_array()
            .is_some_and(|c| {
                c.iter()
                    .any(|c| c["type"] == "Succeeded" && c["status"] == "False")
            })
    });
    let approvals = env
        .events()
        .iter()
        .filter(|e| e["reason"] == "Approved")
        .count();
    assert_eq!(approvals, 1, "only step 1 was approved");
}

#[test]
fn inconclusive_stops_with_the_step_waiting_and_pause_on_failure_pauses() {
    let Some(prom) = start([0.05, 0.5, 0.001]) else {
        return;
    };
    let (env, ctl) = releasing();
    let _running = ctl.spawn(Duration::from_millis(20));
    let t = prometheus_template(&env, &prom.url, "    failureCondition: result[0] > 0.1\n");
    autopilot(&env, &t, &[])
        .expect_code(6)
        .assert_stderr("step 1 still waits for approval");
    let s = env.rollout("rollouts-nginx")["status"]["canaryStatus"].clone();
    assert_eq!(
        (s["currentStepIndex"].clone(), s["currentStepState"].clone()),
        (json!(1), json!("StepPaused"))
    );
    assert_eq!(image(&env), "nginx:1.28", "nothing undone");

    // A per-step template over the default, and --on-failure=pause.
    let lenient = env.dir.path().join("lenient.yaml");
    std::fs::write(
        &lenient,
        std::fs::read_to_string(&t)
            .unwrap()
            .replace("\"0.01\"", "\"0.1\""),
    )
    .unwrap();
    let step1 = format!("1={}", lenient.display());
    autopilot(&env, &t, &["--analysis-step", &step1, "--on-failure=pause"])
        .expect_code(4)
        .assert_stderr("step 2/3: analysis Failed");
    let r = env.rollout("rollouts-nginx");
    assert_eq!(r["spec"]["strategy"]["paused"], true);
    assert_eq!(image(&env), "nginx:1.28", "paused, not undone");
}

#[test]
fn a_release_that_never_waits_times_out_and_a_bad_flag_changes_nothing() {
    let (env, _ctl) = releasing();
    // No controller runs: the release never reaches a step.
    let path = web_template(&env, "t.yaml", "", "url: 'http://127.0.0.1:9'");
    let t = path.as_str();
    let r = run_command(env.command(&[
        "rollout",
        "autopilot",
        "rollouts-nginx",
        "--analysis",
        t,
        "--timeout=1s",
    ]));
    r.expect_code(3).assert_stderr("timed out after 1s");
    env.run(&[
        "rollout",
        "autopilot",
        "rollouts-nginx",
        "--analysis",
        t,
        "--on-failure=explode",
    ])
    .expect_code(2);
    env.run(&["rollout", "autopilot", "deployment/nginx", "--analysis", t])
        .expect_code(2)
        .assert_stderr("autopilot drives a Kruise Rollout");
    assert!(env.writes().is_empty());
    // Usage errors are found before the cluster is asked anything.
    env.api.clear_requests();
    env.run(&[
        "rollout",
        "autopilot",
        "rollouts-nginx",
        "--analysis",
        t,
        "--dry-run",
    ])
    .expect_code(2)
    .assert_stderr("autopilot drives a real release and has no --dry-run");
    env.run(&["rollout", "autopilot", "deployment/nginx", "--analysis", t])
        .expect_code(2);
    env.run(&["rollout", "analyze", "deployment/nginx", "--template", t])
        .expect_code(2)
        .assert_stderr("analyze judges a rollout's release");
    assert!(env.api.requests().is_empty(), "{:?}", env.api.requests());
}

#[test]
fn ctrl_c_stops_autopilot_with_130_and_nothing_written() {
    let (env, _ctl) = releasing();
    let path = web_template(&env, "t.yaml", "", "url: 'http://127.0.0.1:9'");
    let child = env.spawn(&[
        "rollout",
        "autopilot",
        "rollouts-nginx",
        "--analysis",
        path.as_str(),
    ]);
    // Interrupted once its watch is open.
    crate::harness::eventually("autopilot watches the rollout", || {
        env.api.open_watches() > 0
    });
    crate::harness::interrupt(child, Duration::from_secs(10)).expect_code(130);
    assert!(env.writes().is_empty());
}
