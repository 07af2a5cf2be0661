//! `rollout analyze`: judge a release by an analysis template now. Reads the rollout for
//! the args, measures, prints the measurements and the verdict; writes nothing but the
//! Event that records the verdict.

use anyhow::{Context, Result};
use serde_json::{Value, json};

use super::analysis::{judge, load, verdict};
use super::emit;
use super::follow::deadline;
use crate::cli::{AnalyzeArgs, DataFormat};
use crate::cluster::{self, RolloutApi, TargetRef};
use crate::exit::{Code, Failure};
use crate::model::analysis::RolloutArgs;
use crate::model::decode;
use crate::render;

/// The target: a Kruise Rollout or a KubeVela batch rollout, checked with the rest of the
/// command line before any client is built.
pub fn check(args: &AnalyzeArgs) -> Result<TargetRef> {
    match cluster::parse_target(&args.resource).map_err(Failure::Usage)? {
        t @ (TargetRef::Rollout(_) | TargetRef::Batch { .. }) => Ok(t),
        other => Err(Failure::Usage(format!(
            "analyze judges a rollout's release, and {} is a {}: name its rollout",
            other.display(),
            other.kind()
        ))
        .into()),
    }
}

/// The object the verdict is recorded on, the args it fills in, and its name.
async fn read_target(api: &RolloutApi, target: &TargetRef) -> Result<(Value, RolloutArgs, String)> {
    Ok(match target {
        TargetRef::Batch { kind, name } => {
            let object = cluster::batch_api(api.cluster(), *kind).get(name).await?;
            let args = RolloutArgs::named(name, api.namespace(), None);
            (object, args, target.display())
        }
        TargetRef::Rollout(t) => {
            let fetched = api.get(t).await?;
            let r = decode(&fetched.object).context("cannot read the rollout")?;
            (fetched.object, RolloutArgs::of(&r, None), r.display_name())
        }
        other => return Err(other.not_expanded()),
    })
}

pub async fn run(api: &RolloutApi, args: &AnalyzeArgs) -> Result<Code> {
    let target = check(args)?;
    // The rollout and the templates are read together.
    let ((object, filled, display), template) = tokio::try_join!(
        read_target(api, &target),
        load(api.cluster(), &args.templates)
    )?;
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
