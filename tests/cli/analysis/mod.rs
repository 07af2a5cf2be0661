//! Analysis gates against real metric sources: `rollout analyze`, `approve --analysis` and
//! `autopilot`, with Argo Rollouts' template format, a real Prometheus (skipped with a note
//! where it is not installed, never under CI=true) and stub web endpoints.

mod autopilot;
mod metrics;
mod train;

use serde_json::{Value, json};

use crate::harness::Env;
use metrics::Stub;

/// A real Prometheus over these gauges; None (with a note) where it is not installed and
/// CI is not set.
pub fn prometheus(gauges: &[(&str, f64)]) -> Option<metrics::Prometheus> {
    let bin = crate::harness::tool("prometheus", "the analysis tests against a real Prometheus")?;
    let (exporter, series) = metrics::gauges(gauges);
    Some(metrics::Prometheus::start(&bin, exporter, series))
}

pub const SEED: &[&str] = &[
    "rollout-seed-v1beta1.yaml",
    "deployment-nginx.yaml",
    "replicasets-nginx.yaml",
];

/// An AnalysisTemplate over Prometheus at `address`, written to a file of the env.
pub fn prometheus_template(env: &Env, address: &str, extra: &str) -> String {
    let text = format!(
        r#"apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: error-rate
spec:
  args:
  - name: rollout
  - name: step
  - name: max
    value: "0.01"
  metrics:
  - name: error-ratio
    successCondition: result[0] < {{{{args.max}}}}
    consecutiveErrorLimit: 0
    provider:
      prometheus:
        address: {address}
        timeout: 5
        query: error_ratio{{rollout="{{{{args.rollout}}}}",step="{{{{args.step}}}}"}}
{extra}"#
    );
    let path = env.dir.path().join("error-rate.yaml");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// A template file of the env with one web metric: `metric` holds its extra lines (indented
/// four spaces), `web` the provider's fields in flow style. Its path.
pub fn web_template(env: &Env, file: &str, metric: &str, web: &str) -> String {
    let text = format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate\nmetadata: {{name: {}}}\n\
         spec:\n  metrics:\n  - name: {}\n{metric}    provider:\n      web: {{{web}}}\n",
        file.trim_end_matches(".yaml"),
        file.trim_end_matches(".yaml"),
    );
    let path = env.dir.path().join(file);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn analyze(env: &Env, template: &str, more: &[&str]) -> crate::harness::Run {
    let mut args = vec![
        "rollout",
        "analyze",
        "rollouts-nginx",
        "--template",
        template,
    ];
    args.extend_from_slice(more);
    env.run(&args)
}

fn measurements(doc: &Value) -> Vec<(String, String)> {
    doc["metrics"][0]["measurements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["value"].as_str().unwrap_or("").to_string(),
                m["phase"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_real_prometheus_judges_each_measurement_and_the_verdict_picks_the_exit_code() {
    let Some(prom) = prometheus(&[
        ("error_ratio{rollout=\"rollouts-nginx\",step=\"1\"}", 0.002),
        ("error_ratio{rollout=\"rollouts-nginx\",step=\"2\"}", 0.5),
        ("error_ratio{rollout=\"rollouts-nginx\",step=\"3\"}", 0.05),
        (
            "error_ratio{rollout=\"rollouts-nginx\",step=\"4\"}",
            f64::NAN,
        ),
    ]) else {
        return;
    };
    let env = Env::new().with(SEED);
    let t = prometheus_template(&env, &prom.url, "    interval: 1s\n    count: 2\n");

    // Step 1 (the seed rollout waits at step 1): low error ratio, two measurements.
    let r = analyze(&env, &t, &[]);
    r.expect_code(0)
        .assert_stdout("analysis Successful (error-ratio Successful)")
        .assert_stderr("error-ratio #2: [0.002] Successful");
    let row = r
        .stdout
        .lines()
        .find(|l| l.contains("error-ratio"))
        .unwrap()
        .to_string();
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(
        cells,
        ["error-ratio", "1", "[0.002]", "Successful"],
        "{}",
        r.stdout
    );
    // The verdict is recorded on the rollout; nothing else is written.
    assert!(env.writes().is_empty(), "{:?}", env.writes());
    let ev = env.events();
    assert_eq!(ev.len(), 1, "{ev:?}");
    assert_eq!(ev[0]["reason"], "AnalysisSuccessful");
    assert!(
        ev[0]["message"]
            .as_str()
            .unwrap()
            .contains("error-ratio Successful [0.002]")
    );

    // The same template for other steps, through --arg: a failure is exit 4 and stops
    // at the first failed measurement (failureLimit 0).
    let r = analyze(&env, &t, &["--arg", "step=2", "-o", "json"]);
    r.expect_code(4).assert_stderr("analysis Failed");
    let doc = r.json();
    assert_eq!(doc["phase"], "Failed");
    assert_eq!(
        measurements(&doc),
        vec![("[0.5]".to_string(), "Failed".to_string())]
    );

    // Inconclusive: neither condition holds.
    let t3 = prometheus_template(&env, &prom.url, "    failureCondition: result[0] > 0.1\n");
    analyze(&env, &t3, &["--arg", "step=3"])
        .expect_code(6)
        .assert_stdout("analysis Inconclusive");

    // NaN is never a pass: an Error that says how to test it, or Failed when asked.
    analyze(&env, &t3, &["--arg", "step=4"])
        .expect_code(1)
        .assert_stderr("NaN cannot be compared; test it with isNaN(result[0])");
    let nan = prometheus_template(&env, &prom.url, "    failureCondition: isNaN(result[0])\n");
    analyze(&env, &nan, &["--arg", "step=4"]).expect_code(4);

    // An empty vector (no such series) is an Error, not a pass.
    analyze(&env, &t, &["--arg", "step=9"])
        .expect_code(1)
        .assert_stderr("index out of range (result is [])");
}

#[test]
fn a_failing_prometheus_gives_an_error_never_a_pass() {
    let env = Env::new().with(SEED);
    // A query Prometheus refuses: its reason is shown.
    if let Some(prom) = prometheus(&[("error_ratio", 0.0)]) {
        let path = env.dir.path().join("bad-query.yaml");
        let text = std::fs::read_to_string(prometheus_template(&env, &prom.url, ""))
            .unwrap()
            .replace("query: error_ratio{", "query: sum(error_ratio{");
        std::fs::write(&path, text).unwrap();
        analyze(&env, path.to_str().unwrap(), &[])
            .expect_code(1)
            .assert_stderr("Prometheus answered HTTP 400, bad_data");
    }
    // Down: nothing listens.
    let closed = format!("http://127.0.0.1:{}", {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    });
    let t = prometheus_template(&env, &closed, "");
    analyze(&env, &t, &[])
        .expect_code(1)
        .assert_stderr("analysis Error");
    // A 500 from a proxy in front of it.
    let broken = Stub::fixed(500, "upstream broke");
    let t = prometheus_template(&env, &broken.url, "");
    analyze(&env, &t, &[])
        .expect_code(1)
        .assert_stderr("HTTP 500 from Prometheus");
    assert!(broken.requests.lock().unwrap()[0].starts_with("POST /api/v1/query HTTP/1.1"));
}

#[test]
fn the_web_provider_reads_json_by_path_and_sends_the_headers() {
    let env = Env::new().with(SEED);
    let status = Stub::fixed(200, r#"{"data": {"ok": true, "ratio": 0.995}}"#);
    let template = json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "ClusterAnalysisTemplate",
        "metadata": {"name": "status"},
        "spec": {
            "args": [{"name": "rollout"}, {"name": "token"}],
            "metrics": [{
                "name": "status",
                "successCondition": "result.ok == true && result.ratio >= 0.99",
                "failureCondition": "result.ok == false",
                "consecutiveErrorLimit": 0,
                "provider": {"web": {
                    "url": format!("{}/check?svc={{{{ args.rollout }}}}", status.url),
                    "headers": [{"key": "Authorization", "value": "Bearer {{args.token}}"}],
                    "jsonPath": "{.data}",
                }}
            }]
        }
    });
    let path = env.dir.path().join("status.json");
    std::fs::write(&path, template.to_string()).unwrap();
    let p = path.to_str().unwrap();
    // A declared arg with no value must be given.
    analyze(&env, p, &[])
        .expect_code(2)
        .assert_stderr("argument token was not supplied: pass --arg token=VALUE");
    analyze(&env, p, &["--arg", "token=s3cret"])
        .expect_code(0)
        .assert_stdout(r#"{"ok":true,"ratio":0.995}"#);
    let req = status.requests.lock().unwrap()[0].clone();
    assert!(
        req.starts_with("GET /check?svc=rollouts-nginx HTTP/1.1"),
        "{req}"
    );
    assert!(
        req.to_lowercase().contains("authorization: bearer s3cret"),
        "{req}"
    );

    // A 503 is an Error; a body that is not JSON is judged as text, never passed.
    let down = Stub::fixed(503, "");
    let t = template.to_string().replace(&status.url, &down.url);
    std::fs::write(&path, t).unwrap();
    analyze(&env, p, &["--arg", "token=x"])
        .expect_code(1)
        .assert_stderr("HTTP 503 from");
    let text = Stub::fixed(200, "healthy");
    let t = template.to_string().replace(&status.url, &text.url);
    std::fs::write(&path, t).unwrap();
    analyze(&env, p, &["--arg", "token=x"]).expect_code(1);
}

#[test]
fn templates_come_from_the_cluster_and_what_cannot_run_is_refused_naming_the_field() {
    let env = Env::new().with(SEED);
    // The Argo CRDs are not installed: said so, with the way out.
    analyze(&env, "analysistemplate/web-ok", &[])
        .expect_code(1)
        .assert_stderr("the server does not serve analysistemplates.argoproj.io")
        .assert_stderr("--template FILE");
    env.api.serve_argo_analysis();
    let ok = Stub::fixed(200, "{\"ok\": true}");
    env.api.insert(json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisTemplate",
        "metadata": {"name": "web-ok", "namespace": "default"},
        "spec": {"metrics": [{"name": "ok", "successCondition": "result == true",
            "provider": {"web": {"url": ok.url, "jsonPath": "{$.ok}"}}}]}
    }));
    analyze(&env, "analysistemplate/web-ok", &[])
        .expect_code(0)
        .assert_stdout("analysis Successful");
    // A ClusterAnalysisTemplate from the cluster, and a template on stdin.
    let mut cluster_wide = env
        .api
        .get("argoproj.io", "analysistemplates", "default", "web-ok")
        .unwrap();
    cluster_wide["kind"] = json!("ClusterAnalysisTemplate");
    cluster_wide["metadata"] = json!({"name": "web-ok-everywhere"});
    env.api.insert(cluster_wide.clone());
    analyze(&env, "clusteranalysistemplate/web-ok-everywhere", &[])
        .expect_code(0)
        .assert_stderr("analysing rollouts-nginx with clusteranalysistemplate/web-ok-everywhere");
    let mut piped = env.command(&["rollout", "analyze", "rollouts-nginx", "--template", "-"]);
    piped.stdin(std::process::Stdio::piped());
    let mut child = piped.spawn().unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(cluster_wide.to_string().as_bytes())
            .unwrap();
    }
    crate::harness::wait(child, std::time::Duration::from_secs(30))
        .expect_code(0)
        .assert_stderr("analysing rollouts-nginx with clusteranalysistemplate/web-ok-everywhere")
        .assert_stdout("analysis Successful");
    analyze(&env, "analysistemplate/nope", &[])
        .expect_code(1)
        .assert_stderr("analysistemplates.argoproj.io \"nope\" not found");

    // Unsupported fields: exit 2, one line, the field named, nothing measured.
    let t = web_template(
        &env,
        "t.yaml",
        "    consecutiveSuccessLimit: 3\n",
        &format!("url: '{}'", ok.url),
    );
    let r = analyze(&env, &t, &[]);
    r.expect_code(2)
        .assert_stderr("analysistemplate/t: metric t: consecutiveSuccessLimit is not supported");
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert_eq!(
        ok.requests.lock().unwrap().len(),
        3,
        "only the three runs above measured"
    );
}

#[test]
fn approve_with_analysis_writes_only_on_a_successful_verdict() {
    let env = Env::new().with(SEED);
    let verdict = std::sync::Arc::new(std::sync::Mutex::new(r#"{"ratio": 0.5}"#.to_string()));
    let answer = verdict.clone();
    let stub = Stub::new(move |_| (200, answer.lock().unwrap().clone()));
    let path = web_template(
        &env,
        "ratio.yaml",
        "    successCondition: result < 0.01\n    failureCondition: result > 0.1\n",
        &format!("url: '{}', jsonPath: '{{$.ratio}}'", stub.url),
    );
    let t = path.as_str();
    let approve = |more: &[&str]| {
        let mut a = vec!["rollout", "approve", "rollouts-nginx", "--analysis", t];
        a.extend_from_slice(more);
        env.run(&a)
    };
    approve(&["--expect-step=1"]).expect_code(4).assert_stderr(
        "rollout.rollouts.kruise.io/rollouts-nginx step 1 not approved: analysis Failed",
    );
    *verdict.lock().unwrap() = r#"{"ratio": 0.05}"#.into();
    approve(&[])
        .expect_code(6)
        .assert_stderr("analysis Inconclusive");
    assert!(
        env.writes().is_empty(),
        "nothing written: {:?}",
        env.writes()
    );
    // A step not waiting is refused before anything is measured.
    let before = stub.requests.lock().unwrap().len();
    approve(&["--expect-step=2"]).expect_code(5);
    assert_eq!(stub.requests.lock().unwrap().len(), before);

    *verdict.lock().unwrap() = r#"{"ratio": 0.001}"#.into();
    approve(&["--expect-step=1"])
        .expect_code(0)
        .assert_stdout("approved (step 1/3 -> 2/3)");
    assert_eq!(
        env.rollout("rollouts-nginx")["status"]["canaryStatus"]["currentStepState"],
        "StepReady"
    );
    let reasons: Vec<Value> = env.events().iter().map(|e| e["reason"].clone()).collect();
    assert_eq!(
        reasons,
        vec![
            json!("AnalysisFailed"),
            json!("AnalysisInconclusive"),
            json!("AnalysisSuccessful"),
            json!("Approved")
        ]
    );
}

/// [`prometheus_template`] at Argo's default `consecutiveErrorLimit` (4).
fn at_default_error_limit(env: &Env, address: &str) -> String {
    let t = prometheus_template(env, address, "");
    let text = std::fs::read_to_string(&t)
        .unwrap()
        .replace("    consecutiveErrorLimit: 0\n", "");
    std::fs::write(&t, text).unwrap();
    t
}

#[test]
fn a_configuration_error_fails_at_once_and_a_provider_that_is_down_within_thirty_seconds() {
    let env = Env::new().with(SEED);
    // No address in the template and none in the environment: told before measuring.
    let path = env.dir.path().join("no-address.yaml");
    std::fs::write(
        &path,
        std::fs::read_to_string(prometheus_template(&env, "http://unused", ""))
            .unwrap()
            .replace("        address: http://unused\n", "")
            .replace("    consecutiveErrorLimit: 0\n", ""),
    )
    .unwrap();
    let started = std::time::Instant::now();
    let run = env
        .command(&[
            "rollout",
            "analyze",
            "rollouts-nginx",
            "--template",
            path.to_str().unwrap(),
        ])
        .env_remove("ARGO_ROLLOUTS_PROMETHEUS_ADDRESS")
        .output()
        .unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("metric error-ratio of analysistemplate/error-rate gives no Prometheus address and ARGO_ROLLOUTS_PROMETHEUS_ADDRESS is not set: export"),
        "{stderr}"
    );
    assert!(env.writes().is_empty(), "no Event: nothing was measured");

    // A query the provider refuses (Prometheus' bad_data), at Argo's default error limit:
    // one measurement, not five.
    let refuses = Stub::fixed(
        400,
        r#"{"status":"error","errorType":"bad_data","error":"1:9: parse error: unexpected end of input"}"#,
    );
    let t = at_default_error_limit(&env, &refuses.url);
    let started = std::time::Instant::now();
    analyze(&env, &t, &[])
        .expect_code(1)
        .assert_stderr("bad_data: 1:9: parse error")
        .assert_stderr("(fix the template's query)");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(refuses.requests.lock().unwrap().len(), 1, "never retried");

    // Down (a proxy answering 503): retried soon, given up after Argo's default of five
    // errors in a row, well within 30 s.
    let down = Stub::fixed(503, "no healthy upstream");
    let t = at_default_error_limit(&env, &down.url);
    let started = std::time::Instant::now();
    analyze(&env, &t, &[])
        .expect_code(1)
        .assert_stderr("analysis Error");
    let took = started.elapsed();
    assert!(took < std::time::Duration::from_secs(30), "{took:?}");
    assert_eq!(
        down.requests.lock().unwrap().len(),
        5,
        "the first and four retries"
    );
}
