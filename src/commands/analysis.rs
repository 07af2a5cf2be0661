//! What the analysis gates share (`analyze`, `approve --analysis`, `autopilot`): templates
//! read from files or the cluster, one analysis run with its progress on stderr, the
//! verdict recorded as an Event on the rollout and turned into the exit code.

use std::io::Read;

use anyhow::{Context, Result};
use serde_json::Value;

use crate::cluster::{Cluster, ObjectApi, gvk_resource};
use crate::exit::Failure;
use crate::model::analysis::{Measurement, Phase, Report, RolloutArgs, Template};

const GROUP: &str = "argoproj.io";
const VERSION: &str = "v1alpha1";

/// An analysis gate: the templates, loaded once for every rollout a command acts on, and
/// the user's `--arg`s.
pub struct Gate {
    pub template: Template,
    pub given: Vec<(String, String)>,
}

impl Gate {
    /// The gate of `specs`, or none when no template is named.
    pub async fn load(
        cluster: &Cluster,
        specs: &[String],
        given: &[(String, String)],
    ) -> Result<Option<Gate>> {
        if specs.is_empty() {
            return Ok(None);
        }
        Ok(Some(Gate {
            template: load(cluster, specs).await?,
            given: given.to_vec(),
        }))
    }
}

/// Where a template is: `analysistemplate/NAME`, `clusteranalysistemplate/NAME` (the
/// plural and `.argoproj.io` forms too), else a file path or `-`.
fn in_cluster(spec: &str) -> Option<(bool, &str)> {
    let (kind, name) = spec.split_once('/')?;
    let kind = kind.strip_suffix(".argoproj.io").unwrap_or(kind);
    match kind.to_lowercase().as_str() {
        "analysistemplate" | "analysistemplates" => Some((false, name)),
        "clusteranalysistemplate" | "clusteranalysistemplates" => Some((true, name)),
        _ => None,
    }
}

fn read_file(spec: &str) -> Result<Vec<Value>> {
    let text = if spec == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .context("cannot read the template from stdin")?;
        s
    } else {
        std::fs::read_to_string(spec)
            .map_err(|e| Failure::Usage(format!("cannot read template {spec}: {e}")))?
    };
    serde_saphyr::from_multiple(&text)
        .map_err(|e| Failure::Usage(format!("{spec}: not valid YAML or JSON: {e}")).into())
}

/// A template from the cluster: the namespace's AnalysisTemplate or a
/// ClusterAnalysisTemplate.
async fn read_cluster(cluster: &Cluster, cluster_scoped: bool, name: &str) -> Result<Value> {
    let (kind, plural) = if cluster_scoped {
        ("ClusterAnalysisTemplate", "clusteranalysistemplates")
    } else {
        ("AnalysisTemplate", "analysistemplates")
    };
    let ar = gvk_resource(GROUP, VERSION, kind, plural);
    let api = if cluster_scoped {
        ObjectApi::cluster_wide(cluster, ar)
    } else {
        ObjectApi::new(cluster, ar)
    };
    let mut obj = api.get(name).await.with_context(|| {
        format!(
            "cannot read {}/{name} (or give the template as a file: --template FILE)",
            kind.to_lowercase()
        )
    })?;
    // The server's answer has no kind when read through some gateways; it is known here.
    obj["kind"] = Value::from(kind);
    obj["apiVersion"] = Value::from(format!("{GROUP}/{VERSION}"));
    Ok(obj)
}

/// The templates `specs` name, merged into one analysis. A template this plugin cannot run
/// as written is a usage error (exit 2), with the field named.
pub async fn load(cluster: &Cluster, specs: &[String]) -> Result<Template> {
    let mut merged: Option<Template> = None;
    for spec in specs {
        let docs = match in_cluster(spec) {
            Some((scoped, name)) => vec![read_cluster(cluster, scoped, name).await?],
            None => read_file(spec)?,
        };
        let t = Template::from_docs(&docs)
            .map_err(|e| Failure::Usage(format!("template {spec}: {e}")))?;
        match &mut merged {
            None => merged = Some(t),
            Some(m) => m.merge(t).map_err(Failure::Usage)?,
        }
    }
    let merged = merged.ok_or_else(|| Failure::Usage("no analysis template given".into()))?;
    // Told now, not after a measurement: no retry can supply the address.
    let unaddressed = merged.unaddressed();
    if !unaddressed.is_empty() && std::env::var_os(crate::analysis::ADDRESS_ENV).is_none() {
        return Err(Failure::Usage(format!(
            "metric {} of {} gives no Prometheus address and {env} is not set: export \
             {env}=http://PROMETHEUS:9090, or give the metric provider.prometheus.address",
            unaddressed.join(", "),
            merged.names.join(", "),
            env = crate::analysis::ADDRESS_ENV,
        ))
        .into());
    }
    Ok(merged)
}

/// Run `template` for the rollout `object`, with the args filled in from it and the user's
/// `--arg`s; each measurement is a line on stderr as it is taken. The verdict is recorded
/// as an Event on the rollout.
pub async fn judge(
    cluster: &Cluster,
    object: &Value,
    template: &Template,
    filled: &RolloutArgs,
    given: &[(String, String)],
) -> Result<Report> {
    let args = template.args(filled, given).map_err(Failure::Usage)?;
    let metrics = template.resolve(&args).map_err(Failure::Usage)?;
    let name = object["metadata"]["name"].as_str().unwrap_or("");
    crate::errln!("analysing {name} with {}", template.names.join(", "));
    let mut shown = std::collections::BTreeMap::<String, usize>::new();
    let mut progress = |metric: &str, m: &Measurement| {
        let n = shown.entry(metric.to_string()).or_default();
        *n += 1;
        let value = m.value.as_deref().unwrap_or("-");
        let why = m
            .message
            .as_deref()
            .map(|w| format!(": {w}"))
            .unwrap_or_default();
        crate::errln!("  {metric} #{n}: {value} {}{why}", m.phase.as_str());
    };
    let report = crate::analysis::run(&metrics, &mut progress).await;
    let reason = format!("Analysis{}", report.phase.as_str());
    crate::cluster::events::record(cluster, object, &reason, &report.summary()).await;
    Ok(report)
}

/// The verdict as the command's result: Successful is Ok; Failed exits 4, Inconclusive 6,
/// an analysis that could not measure 1.
pub fn verdict(report: &Report, what: &str) -> Result<()> {
    let line = format!("{what}: {}", report.summary());
    match report.phase {
        Phase::Successful => Ok(()),
        Phase::Failed => Err(Failure::AnalysisFailed(line).into()),
        Phase::Inconclusive => Err(Failure::Inconclusive(line).into()),
        Phase::Error | Phase::Running => Err(anyhow::anyhow!("{line}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_names_in_the_cluster_or_files() {
        assert_eq!(in_cluster("analysistemplate/a"), Some((false, "a")));
        assert_eq!(
            in_cluster("AnalysisTemplates.argoproj.io/a"),
            Some((false, "a"))
        );
        assert_eq!(in_cluster("clusteranalysistemplate/b"), Some((true, "b")));
        assert_eq!(in_cluster("templates/error-rate.yaml"), None);
        assert_eq!(in_cluster("-"), None);
    }
}
