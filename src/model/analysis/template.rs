//! Argo Rollouts' `AnalysisTemplate` and `ClusterAnalysisTemplate` (`argoproj.io/v1alpha1`),
//! read into typed metrics. What this plugin cannot do as Argo would is refused when the
//! template is read, in one line naming the field: never silently ignored.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::Value;

use super::args::{RolloutArgs, substitute_tree, with_stand_in};
use super::condition::Condition;
use super::fields::{
    Fields, boolean, duration, has_placeholder, headers, int, json_path, object, only, string,
};

const API_VERSION: &str = "argoproj.io/v1alpha1";

/// One or more templates merged into one run, with their args still open.
#[derive(Debug, Clone)]
pub struct Template {
    /// `analysistemplate/NAME` of each template merged.
    pub names: Vec<String>,
    args: Vec<(String, Option<String>)>,
    metrics: Vec<Value>,
}

/// A metric with its args filled in, ready to measure.
#[derive(Debug)]
pub struct Metric {
    pub name: String,
    pub interval: Option<Duration>,
    pub initial_delay: Duration,
    /// Measurements (errors not counted) after which the metric is Successful.
    pub count: u32,
    pub failure_limit: i64,
    pub inconclusive_limit: i64,
    pub consecutive_error_limit: i64,
    pub success: Option<Condition>,
    pub failure: Option<Condition>,
    pub provider: Provider,
}

#[derive(Debug, Clone)]
pub enum Provider {
    Prometheus(Prometheus),
    Web(Web),
}

#[derive(Debug, Clone, Default)]
pub struct Prometheus {
    /// Empty: `ARGO_ROLLOUTS_PROMETHEUS_ADDRESS`, as Argo reads it.
    pub address: Option<String>,
    pub query: String,
    pub timeout: Duration,
    pub insecure: bool,
    pub headers: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct Web {
    pub url: String,
    pub method: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
    pub json_body: Option<Value>,
    /// A JSONPath query (`$.data`), from Kubernetes' `{.data}` form.
    pub json_path: String,
    pub timeout: Duration,
    pub insecure: bool,
}

fn prometheus(p: Fields, at: &str, check_only: bool) -> Result<Prometheus, String> {
    only(
        p,
        at.trim_end_matches('.'),
        &["address", "query", "timeout", "insecure", "headers"],
        &[
            (
                "authentication",
                "put credentials in headers (e.g. Authorization) instead",
            ),
            (
                "rangeQuery",
                "use an instant query over a range, e.g. avg_over_time(...[5m])",
            ),
        ],
    )?;
    let query = string(p, "query", at)?.ok_or_else(|| format!("{at}query is required"))?;
    let timeout = if check_only && has_placeholder(p, "timeout") {
        30
    } else {
        int(p, "timeout", at)?.unwrap_or(30)
    };
    if timeout <= 0 {
        return Err(format!("{at}timeout: must be a positive number of seconds"));
    }
    let address = string(p, "address", at)?.filter(|a| !a.is_empty());
    if let Some(a) = &address
        && !check_only
        && !(a.starts_with("http://") || a.starts_with("https://"))
    {
        return Err(format!(
            "{at}address: {a:?} needs a scheme and host, e.g. http://prometheus:9090"
        ));
    }
    Ok(Prometheus {
        address,
        query,
        timeout: Duration::from_secs(timeout as u64),
        insecure: boolean(p, "insecure", at)?,
        headers: headers(p, at)?,
    })
}

fn web(w: Fields, at: &str, check_only: bool) -> Result<Web, String> {
    only(
        w,
        at.trim_end_matches('.'),
        &[
            "url",
            "method",
            "headers",
            "body",
            "jsonBody",
            "jsonPath",
            "timeoutSeconds",
            "insecure",
        ],
        &[(
            "authentication",
            "put credentials in headers (e.g. Authorization) instead",
        )],
    )?;
    let url = string(w, "url", at)?.ok_or_else(|| format!("{at}url is required"))?;
    let method = string(w, "method", at)?
        .unwrap_or_else(|| "GET".into())
        .to_uppercase();
    if !["GET", "POST", "PUT"].contains(&method.as_str()) {
        return Err(format!("{at}method: {method} is not GET, POST or PUT"));
    }
    let body = string(w, "body", at)?;
    let json_body = w.get("jsonBody").filter(|v| !v.is_null()).cloned();
    if body.is_some() && json_body.is_some() {
        return Err(format!("{at}body and {at}jsonBody: give one, not both"));
    }
    if method == "GET" && (body.is_some() || json_body.is_some()) {
        return Err(format!(
            "{at}body: a GET request has no body; use method: POST"
        ));
    }
    let path = string(w, "jsonPath", at)?.unwrap_or_else(|| "{$}".into());
    let json_path = if check_only && path.contains("{{") {
        "$".into()
    } else {
        json_path(&path).map_err(|e| format!("{at}{e}"))?
    };
    let timeout = if check_only && has_placeholder(w, "timeoutSeconds") {
        10
    } else {
        int(w, "timeoutSeconds", at)?.unwrap_or(10)
    };
    if timeout <= 0 {
        return Err(format!("{at}timeoutSeconds: must be positive"));
    }
    Ok(Web {
        url,
        method,
        headers: headers(w, at)?,
        body,
        json_body,
        json_path,
        timeout: Duration::from_secs(timeout as u64),
        insecure: boolean(w, "insecure", at)?,
    })
}

const PROVIDERS: &[&str] = &[
    "datadog",
    "newRelic",
    "job",
    "kayenta",
    "wavefront",
    "cloudWatch",
    "graphite",
    "influxdb",
    "skywalking",
    "plugin",
];

/// A metric's fields; with `check_only`, fields that still hold a placeholder are taken as
/// written (they are checked again once the args are known).
fn metric(v: &Value, index: usize, check_only: bool) -> Result<Metric, String> {
    let m = object(v, &format!("metrics[{index}]"))?;
    let name = string(m, "name", "")?
        .filter(|n| !n.is_empty())
        .ok_or_else(|| format!("metrics[{index}].name is required"))?;
    let at = format!("metric {name}: ");
    only(
        m,
        "",
        &[
            "name",
            "provider",
            "interval",
            "initialDelay",
            "count",
            "failureLimit",
            "inconclusiveLimit",
            "consecutiveErrorLimit",
            "successCondition",
            "failureCondition",
        ],
        &[("consecutiveSuccessLimit", "use count with failureLimit")],
    )
    .map_err(|e| format!("{at}{e}"))?;
    let lenient = |key: &str| check_only && has_placeholder(m, key);
    let interval = if lenient("interval") {
        Some(Duration::from_secs(1))
    } else {
        duration(m, "interval", &at)?
    };
    let initial_delay = if lenient("initialDelay") {
        None
    } else {
        duration(m, "initialDelay", &at)?
    };
    let limit = |key: &str, default: i64| -> Result<i64, String> {
        if lenient(key) {
            return Ok(default);
        }
        Ok(int(m, key, &at)?.unwrap_or(default))
    };
    let count = limit("count", 0)?;
    let failure_limit = limit("failureLimit", 0)?;
    let inconclusive_limit = limit("inconclusiveLimit", 0)?;
    let consecutive_error_limit = limit("consecutiveErrorLimit", 4)?;
    if failure_limit < 0 {
        return Err(format!(
            "{at}failureLimit: {failure_limit} (no limit) needs consecutiveSuccessLimit, which is not supported"
        ));
    }
    if count < 0 || inconclusive_limit < 0 || consecutive_error_limit < 0 {
        return Err(format!("{at}count and the limits cannot be negative"));
    }
    let count = match (count, interval) {
        (0, None) | (1, _) => 1,
        (0, Some(_)) if !lenient("count") => {
            return Err(format!(
                "{at}interval without count measures until the run is stopped; set count"
            ));
        }
        (n, None) if n > 1 => return Err(format!("{at}count: {n} measurements need an interval")),
        (n, _) => n.max(1),
    };
    if count < failure_limit || count < inconclusive_limit {
        return Err(format!(
            "{at}count ({count}) must be at least failureLimit and inconclusiveLimit"
        ));
    }
    let condition = |key: &str| -> Result<Option<Condition>, String> {
        let Some(src) = string(m, key, &at)? else {
            return Ok(None);
        };
        let src = if check_only {
            // Placeholders stand for values: check the expression around them.
            with_stand_in(&src, "1").map_err(|e| format!("{at}{key}: {e}"))?
        } else {
            src
        };
        Condition::compile(&src)
            .map(Some)
            .map_err(|e| format!("{at}{key}: {e}"))
    };
    let success = condition("successCondition")?;
    let failure = condition("failureCondition")?;
    let provider = object(
        m.get("provider").unwrap_or(&Value::Null),
        &format!("{at}provider"),
    )?;
    let mut kinds = provider.keys();
    let provider = match (kinds.next().map(String::as_str), kinds.next()) {
        (Some(_), Some(_)) => return Err(format!("{at}provider: give exactly one provider")),
        (None, _) => return Err(format!("{at}provider: prometheus or web is required")),
        (Some("prometheus"), None) => Provider::Prometheus(prometheus(
            object(&provider["prometheus"], &format!("{at}provider.prometheus"))?,
            &format!("{at}provider.prometheus."),
            check_only,
        )?),
        (Some("web"), None) => Provider::Web(web(
            object(&provider["web"], &format!("{at}provider.web"))?,
            &format!("{at}provider.web."),
            check_only,
        )?),
        (Some(other), None) if PROVIDERS.contains(&other) => {
            return Err(format!(
                "{at}provider.{other} is not supported: the providers are prometheus and web"
            ));
        }
        (Some(other), None) => return Err(format!("{at}provider.{other} is not a provider")),
    };
    Ok(Metric {
        name,
        interval,
        initial_delay: initial_delay.unwrap_or_default(),
        count: count as u32,
        failure_limit,
        inconclusive_limit,
        consecutive_error_limit,
        success,
        failure,
        provider,
    })
}

impl Template {
    /// The metrics that query Prometheus without an address of their own: they need
    /// `ARGO_ROLLOUTS_PROMETHEUS_ADDRESS`, as Argo reads it.
    pub fn unaddressed(&self) -> Vec<String> {
        self.metrics
            .iter()
            .filter(|m| {
                let p = &m["provider"]["prometheus"];
                p.is_object() && p["address"].as_str().is_none_or(str::is_empty)
            })
            .map(|m| m["name"].as_str().unwrap_or("").to_string())
            .collect()
    }

    /// Templates from the documents of a file or the cluster: each an AnalysisTemplate, a
    /// ClusterAnalysisTemplate, or a List of them; several are merged into one run.
    pub fn from_docs(docs: &[Value]) -> Result<Template, String> {
        let mut all = Vec::new();
        for doc in docs {
            if doc["kind"] == "List" || doc.get("items").is_some_and(Value::is_array) {
                for item in doc["items"].as_array().into_iter().flatten() {
                    all.push(Self::one(item)?);
                }
            } else if !doc.is_null() {
                all.push(Self::one(doc)?);
            }
        }
        let mut merged = all.into_iter();
        let mut t = merged
            .next()
            .ok_or_else(|| "no AnalysisTemplate found".to_string())?;
        for next in merged {
            t.merge(next)?;
        }
        Ok(t)
    }

    fn one(doc: &Value) -> Result<Template, String> {
        let kind = doc["kind"].as_str().unwrap_or("");
        let name = doc["metadata"]["name"].as_str().unwrap_or("");
        let label = format!("{}/{name}", kind.to_lowercase());
        if !matches!(kind, "AnalysisTemplate" | "ClusterAnalysisTemplate") {
            return Err(format!(
                "{label}: not an AnalysisTemplate or ClusterAnalysisTemplate"
            ));
        }
        if doc["apiVersion"] != API_VERSION {
            return Err(format!("{label}: apiVersion must be {API_VERSION}"));
        }
        let here = |e: String| format!("{label}: {e}");
        let spec = object(&doc["spec"], "spec").map_err(here)?;
        only(
            spec,
            "spec",
            &["args", "metrics"],
            &[
                ("dryRun", "every metric counts towards the verdict here"),
                (
                    "measurementRetention",
                    "every measurement is kept and reported",
                ),
                ("templates", "name each template with its own --template"),
            ],
        )
        .map_err(here)?;
        let mut args = Vec::new();
        for (i, a) in spec
            .get("args")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let at = format!("spec.args[{i}]");
            let a = object(a, &at).map_err(here)?;
            only(
                a,
                &at,
                &["name", "value"],
                &[("valueFrom", "pass the value with --arg NAME=VALUE")],
            )
            .map_err(here)?;
            let name = string(a, "name", &format!("{at}."))
                .map_err(here)?
                .ok_or_else(|| here(format!("{at}.name is required")))?;
            args.push((name, string(a, "value", &format!("{at}.")).map_err(here)?));
        }
        let metrics: Vec<Value> = spec
            .get("metrics")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if metrics.is_empty() {
            return Err(here("spec.metrics: at least one metric is required".into()));
        }
        let mut seen = Vec::new();
        for (i, m) in metrics.iter().enumerate() {
            let parsed = metric(m, i, true).map_err(here)?;
            if seen.contains(&parsed.name) {
                return Err(here(format!("metric {} is defined twice", parsed.name)));
            }
            seen.push(parsed.name);
        }
        Ok(Template {
            names: vec![label],
            args,
            metrics,
        })
    }

    /// Merge another template in, as Argo merges the templates of one run: args of the same
    /// name must agree, and metric names must be unique.
    pub fn merge(&mut self, other: Template) -> Result<(), String> {
        for (name, value) in other.args {
            match self.args.iter().find(|(n, _)| *n == name) {
                Some((_, v)) if v.is_some() && value.is_some() && *v != value => {
                    return Err(format!(
                        "{} and {} give arg {name} different values",
                        self.names.join(", "),
                        other.names.join(", ")
                    ));
                }
                Some(_) => {}
                None => self.args.push((name, value)),
            }
        }
        for m in other.metrics {
            let name = m["name"].as_str().unwrap_or("");
            if self.metrics.iter().any(|x| x["name"] == name) {
                return Err(format!(
                    "metric {name} is defined by more than one template"
                ));
            }
            self.metrics.push(m);
        }
        self.names.extend(other.names);
        Ok(())
    }

    /// The args the run uses: the template's defaults, those the plugin fills in from the
    /// rollout (only where the template declares them, as Argo drops the rest), then the
    /// user's `--arg`, which must name a declared arg.
    pub fn args(
        &self,
        filled: &RolloutArgs,
        given: &[(String, String)],
    ) -> Result<BTreeMap<String, String>, String> {
        let mut out = BTreeMap::new();
        for (name, value) in &self.args {
            if let Some(v) = filled.0.get(name).or(value.as_ref()) {
                out.insert(name.clone(), v.clone());
            }
        }
        for (name, value) in given {
            if !self.args.iter().any(|(n, _)| n == name) {
                let declared: Vec<_> = self.args.iter().map(|(n, _)| n.as_str()).collect();
                return Err(format!(
                    "--arg {name}: {} declares no such arg (it declares: {})",
                    self.names.join(", "),
                    if declared.is_empty() {
                        "none".into()
                    } else {
                        declared.join(", ")
                    }
                ));
            }
            out.insert(name.clone(), value.clone());
        }
        for (name, _) in &self.args {
            if !out.contains_key(name) {
                return Err(format!(
                    "argument {name} was not supplied: pass --arg {name}=VALUE"
                ));
            }
        }
        Ok(out)
    }

    /// The metrics with `args` filled in, checked in full.
    pub fn resolve(&self, args: &BTreeMap<String, String>) -> Result<Vec<Metric>, String> {
        self.metrics
            .iter()
            .enumerate()
            .map(|(i, m)| metric(&substitute_tree(m, args)?, i, false))
            .collect()
    }
}

#[cfg(test)]
#[path = "template_tests.rs"]
mod tests;
