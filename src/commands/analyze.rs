//! `rollout analyze`: judge a release by an analysis template now. Reads the rollout for
//! the args, measures, prints the measurements and the verdict; writes nothing but the
//! Event that records the verdict.

use anyhow::{Context, Result};
use serde_json::json;

use super::analysis::{judge, load, verdict};
use super::emit;
use super::follow::deadline;
use crate::cli::{AnalyzeArgs, DataFormat};
use crate::cluster::{self, RolloutApi, TargetRef};
use crate::exit::{Code, Failure};
use crate::model::analysis::RolloutArgs;
use crate::model::decode;
use crate::render;

pub async fn run(api: &RolloutApi, args: &AnalyzeArgs) -> Result<Code> {
    let target = cluster::parse_target(&args.resource).map_err(Failure::Usage)?;
    let (object, filled, display) = match &target {
        TargetRef::Rollout(t) => {
            let fetched = api.get(t).await?;
            let r = decode(&fetched.object).context("cannot read the rollout")?;
            (fetched.object, RolloutArgs::of(&r, None), r.display_name())
        }
        TargetRef::Batch { kind, name } => {
            let object = cluster::batch_api(api.cluster(), *kind).get(name).await?;
            let args = RolloutArgs::named(name, api.namespace(), None);
            (object, args, target.display())
        }
        other => {
            return Err(Failure::Usage(format!(
                "analyze judges a rollout's release, and {} is a {}: name its rollout",
                other.display(),
                other.kind()
            ))
            .into());
        }
    };
    let template = load(api.cluster(), &args.templates).await?;
    let report = tokio::select! {
        r = judge(api.cluster(), &object, &template, &filled, &args.template.args) => r?,
        _ = deadline(args.timeout) => {
            return Err(Failure::TimedOut(format!(
                "the analysis of {display} did not end within {}",
                humantime::format_duration(args.timeout)
            ))
            .into());
        }
        _ = tokio::signal::ctrl_c() => return Err(Failure::Interrupted.into()),
    };
    let doc = json!({
        "rollout": object["metadata"]["name"],
        "namespace": object["metadata"]["namespace"],
        "templates": template.names,
        "phase": report.phase,
        "metrics": report.metrics,
    });
    emit(&match args.output {
        None => render::report_table(&report),
        Some(DataFormat::Json) => render::json(&doc)?,
        Some(DataFormat::Yaml) => render::yaml(&doc)?,
    })?;
    verdict(&report, &display)?;
    Ok(Code::Ok)
}
