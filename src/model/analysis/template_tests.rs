use serde_json::{Value, json};

use super::*;
use crate::model::analysis::{RolloutArgs, Sample};

fn template(metrics: Value) -> Value {
    json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisTemplate",
        "metadata": {"name": "error-rate"},
        "spec": {
            "args": [{"name": "rollout"}, {"name": "max", "value": "0.02"}],
            "metrics": metrics,
        }
    })
}

fn prom(extra: Value) -> Value {
    let mut m = json!({
        "name": "error-ratio",
        "successCondition": "result[0] <= {{args.max}}",
        "provider": {"prometheus": {"address": "http://prom:9090",
            "query": "errors{rollout=\"{{args.rollout}}\"}"}},
    });
    for (k, v) in extra.as_object().unwrap() {
        m[k] = v.clone();
    }
    m
}

fn refusal(doc: Value) -> String {
    Template::from_docs(&[doc]).unwrap_err()
}

#[test]
fn argo_templates_resolve_with_the_rollouts_args() {
    let t = Template::from_docs(&[template(json!([prom(json!({
        "interval": "1m30s", "count": "{{args.n}}", "failureLimit": 1, "initialDelay": "10s"}))]))])
    .unwrap();
    assert_eq!(t.names, vec!["analysistemplate/error-rate"]);
    // `n` is not declared: resolving fails on it, naming it.
    let filled = RolloutArgs(
        [("rollout", "web"), ("step", "2")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    );
    let args = t.args(&filled, &[]).unwrap();
    assert_eq!(args.get("max").map(String::as_str), Some("0.02"));
    assert!(!args.contains_key("step"), "undeclared args are dropped");
    assert_eq!(t.resolve(&args).unwrap_err(), "argument n was not supplied");

    let t = Template::from_docs(&[template(json!([prom(json!({
        "interval": "1m30s", "count": 3, "failureLimit": 1, "initialDelay": "10s"}))]))])
    .unwrap();
    let args = t
        .args(&filled, &[("max".to_string(), "0.5".to_string())])
        .unwrap();
    let m = t.resolve(&args).unwrap().remove(0);
    assert_eq!(m.count, 3);
    assert_eq!(m.interval, Some(std::time::Duration::from_secs(90)));
    assert_eq!(m.initial_delay, std::time::Duration::from_secs(10));
    let Provider::Prometheus(p) = &m.provider else {
        panic!("prometheus")
    };
    assert_eq!(p.query, "errors{rollout=\"web\"}");
    assert_eq!(p.timeout, std::time::Duration::from_secs(30));
    assert_eq!(m.success.as_ref().unwrap().source(), "result[0] <= 0.5");
    assert_eq!(
        m.success
            .as_ref()
            .unwrap()
            .evaluate(&Sample::Numbers(vec![0.4])),
        Ok(true)
    );
}

#[test]
fn missing_and_unknown_args_are_named() {
    let t = Template::from_docs(&[template(json!([prom(json!({}))]))]).unwrap();
    let e = t.args(&RolloutArgs::default(), &[]).unwrap_err();
    assert_eq!(
        e,
        "argument rollout was not supplied: pass --arg rollout=VALUE"
    );
    let e = t
        .args(&RolloutArgs::default(), &[("job".into(), "x".into())])
        .unwrap_err();
    assert!(e.contains("--arg job: analysistemplate/error-rate declares no such arg (it declares: rollout, max)"), "{e}");
}

#[test]
fn what_is_not_supported_is_refused_naming_the_field() {
    let cases = [
        (
            json!([prom(json!({"consecutiveSuccessLimit": 2}))]),
            "metric error-ratio: consecutiveSuccessLimit is not supported",
        ),
        (
            json!([{"name": "d", "provider": {"datadog": {}}}]),
            "metric d: provider.datadog is not supported",
        ),
        (
            json!([{"name": "p", "provider": {"prometheus": {"query": "up", "authentication": {}}}}]),
            "metric p: provider.prometheus.authentication is not supported",
        ),
        (
            json!([prom(
                json!({"successCondition": "default(result[0], 0) < 1"})
            )]),
            "metric error-ratio: successCondition: default() is not supported",
        ),
        (
            json!([prom(json!({"failureCondition": "result[0] > 1 and true"}))]),
            "metric error-ratio: failureCondition: \"result[0] > 1 and true\" is not a CEL expression",
        ),
        (
            json!([prom(json!({"interval": "1m"}))]),
            "metric error-ratio: interval without count measures until the run is stopped",
        ),
        (
            json!([prom(json!({"count": 3}))]),
            "metric error-ratio: count: 3 measurements need an interval",
        ),
        (
            json!([prom(json!({"intervall": "1m"}))]),
            "metric error-ratio: intervall is not a field this plugin knows",
        ),
        (
            json!([{"name": "w", "provider": {"web": {"url": "http://x", "body": "{}"}}}]),
            "a GET request has no body",
        ),
        (
            json!([{"name": "w", "provider": {"web": {"url": "http://x", "jsonPath": "{$.[}"}}}]),
            "is not a JSONPath",
        ),
    ];
    for (metrics, want) in cases {
        let e = refusal(template(metrics));
        assert!(
            e.starts_with("analysistemplate/error-rate: ") && e.contains(want),
            "want {want:?} in {e:?}"
        );
    }
    let mut dry = template(json!([prom(json!({}))]));
    dry["spec"]["dryRun"] = json!([{"metricName": ".*"}]);
    assert!(refusal(dry).contains("spec.dryRun is not supported"));
    let mut from_secret = template(json!([prom(json!({}))]));
    from_secret["spec"]["args"][0]["valueFrom"] =
        json!({"secretKeyRef": {"name": "s", "key": "k"}});
    assert!(refusal(from_secret).contains("spec.args[0].valueFrom is not supported"));
    assert!(
        refusal(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}))
            .contains("not an AnalysisTemplate")
    );
}

#[test]
fn lists_and_several_templates_merge_into_one_run() {
    let mut web = template(
        json!([{"name": "status", "successCondition": "result.ok == true",
        "provider": {"web": {"url": "http://status/{{args.rollout}}", "jsonPath": "{.data}"}}}]),
    );
    web["kind"] = json!("ClusterAnalysisTemplate");
    web["metadata"]["name"] = json!("status");
    let list = json!({"apiVersion": "v1", "kind": "List",
        "items": [template(json!([prom(json!({}))])), web.clone()]});
    let t = Template::from_docs(&[list]).unwrap();
    assert_eq!(
        t.names,
        vec![
            "analysistemplate/error-rate",
            "clusteranalysistemplate/status"
        ]
    );
    let args = t
        .args(&RolloutArgs::named("web", "shop", Some(1)), &[])
        .unwrap();
    let metrics = t.resolve(&args).unwrap();
    assert_eq!(metrics.len(), 2);
    let Provider::Web(w) = &metrics[1].provider else {
        panic!("web")
    };
    assert_eq!(
        (w.url.as_str(), w.json_path.as_str(), w.method.as_str()),
        ("http://status/web", "$.data", "GET")
    );
    let e = Template::from_docs(&[web.clone(), web]).unwrap_err();
    assert!(
        e.contains("metric status is defined by more than one template"),
        "{e}"
    );
}
