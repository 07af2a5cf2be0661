//! `rollout history`: a workload's revisions, and the loading that `undo` shares.

use anyhow::{Context, Result};
use serde_json::Value;

use super::emit;
use crate::cli::{DataFormat, HistoryArgs};
use crate::cluster::{RolloutApi, TargetRef, WorkloadApi};
use crate::exit::{Code, Failure};
use crate::model::revision::{
    History, HistoryDoc, STABLE_REVISION_LABEL, Stable, Workload, history_selector, revisions,
};
use crate::model::{Rollout, WorkloadKind, decode};
use crate::render;

/// A workload resolved from the command line: directly, or through a rollout.
pub struct Resolved {
    pub kind: WorkloadKind,
    pub name: String,
    pub rollout: Option<Rollout>,
}

/// Find the workload: for a rollout, one GET of it and its `workloadRef`.
pub async fn resolve(api: &RolloutApi, target: TargetRef) -> Result<Resolved> {
    let rref = match target {
        TargetRef::Workload { kind, name } => {
            return Ok(Resolved {
                kind,
                name,
                rollout: None,
            });
        }
        TargetRef::Rollout(r) => r,
        other => {
            return Err(Failure::Refused(format!(
                "{} has no workload of its own to act on here: {}",
                other.display(),
                match other {
                    TargetRef::Batch { .. } => "KubeVela renders its workload; act on the rollout (approve, pause, undo) or on the Application",
                    _ => "name one of its rollouts or workloads",
                }
            ))
            .into());
        }
    };
    let fetched = api.get(&rref).await?;
    let rollout =
        decode(&fetched.object).with_context(|| format!("cannot read rollout {}", rref.name))?;
    let name = rollout.display_name();
    let Some(w) = rollout.workload.clone() else {
        return Err(Failure::Refused(format!(
            "{name} names no workload (spec.workloadRef); if it is a blue-green rollout read \
             through v1alpha1, name it as rollouts.v1beta1.rollouts.kruise.io/{}",
            rollout.name
        ))
        .into());
    };
    let kind = WorkloadKind::from_ref(&w.api_version, &w.kind).ok_or_else(|| {
        Failure::Refused(format!(
            "{name} controls a {} ({}), a kind this plugin cannot roll back",
            w.kind, w.api_version
        ))
    })?;
    Ok(Resolved {
        kind,
        name: w.name,
        rollout: Some(rollout),
    })
}

/// The workload as read now, with its history and the release's stable revision.
pub struct Loaded {
    pub object: Value,
    pub workload: Workload,
    pub history: History,
    pub stable: Option<Stable>,
    /// The rollout whose release is over (completed, cancelled, disabled, or none yet):
    /// nothing is in flight for `undo` to take back.
    pub settled: Option<String>,
}

/// Two requests: the workload, then its ReplicaSets or ControllerRevisions.
pub async fn load(api: &WorkloadApi, r: &Resolved) -> Result<Loaded> {
    let object = api.get(&r.name).await?;
    let workload = Workload::decode(r.kind, &object)
        .map_err(|e| anyhow::anyhow!("cannot read {}/{}: {e}", r.kind.resource_name(), r.name))?;
    let listed = api.history(&history_selector(&object)).await?;
    let release = r.rollout.as_ref().and_then(|ro| ro.release.as_ref());
    // The rollout's own record first: it names the revision the release started from.
    let stable = match (release.and_then(|s| s.stable_revision.clone()), &r.rollout) {
        (Some(hash), Some(ro)) if !hash.is_empty() => Some(Stable {
            hash,
            source: ro.display_name(),
        }),
        _ => workload.stable_label.clone().map(|hash| Stable {
            hash,
            source: format!("the {STABLE_REVISION_LABEL} label"),
        }),
    };
    let canary = release
        .map(|s| {
            [s.pod_template_hash.clone(), s.update_revision.clone()]
                .into_iter()
                .flatten()
                .filter(|h| !h.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let history = History {
        revisions: revisions(&workload, &listed),
        stable: stable.as_ref().map(|s| s.hash.clone()),
        canary,
    };
    let settled = r
        .rollout
        .as_ref()
        .filter(|ro| ro.stage().is_final())
        .map(|ro| ro.display_name());
    Ok(Loaded {
        object,
        workload,
        history,
        stable,
        settled,
    })
}

pub async fn run(api: &RolloutApi, target: TargetRef, args: &HistoryArgs) -> Result<Code> {
    let resolved = resolve(api, target).await?;
    let wapi = WorkloadApi::new(api.cluster(), resolved.kind);
    let loaded = load(&wapi, &resolved).await?;
    let rollout = resolved.rollout.as_ref().map(|r| r.name.as_str());
    let mut doc = HistoryDoc::new(&loaded.workload, &loaded.history, rollout);
    if let Some(n) = args.revision {
        doc = doc.only(n, &loaded.history).ok_or_else(|| {
            anyhow::anyhow!(
                "{} has no revision {n} (revisions: {})",
                loaded.workload.display_name(),
                loaded.history.numbers()
            )
        })?;
    }
    emit(&match (args.output, args.revision) {
        (Some(DataFormat::Json), _) => render::json(&doc)?,
        (Some(DataFormat::Yaml), _) => render::yaml(&doc)?,
        (None, Some(_)) => render::revision_view(&doc)?,
        (None, None) => render::history_table(&doc, jiff::Timestamp::now()),
    })?;
    Ok(Code::Ok)
}
