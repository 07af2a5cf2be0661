//! The view of a KubeVela batch rollout: the one release view ([`ReleaseView`]) every
//! renderer shows, for AppRollouts and trait Rollouts.

use super::{BatchRollout, BatchStage};
use crate::model::view::{ReleaseView, command};

/// The view of a KubeVela AppRollout or trait Rollout.
pub fn of_batch(r: &BatchRollout) -> ReleaseView {
    let (stage, stale) = r.stage();
    let total = r.batches.len();
    let step = r.current_batch.map(|c| c.saturating_add(1));
    let at = step.map_or(String::new(), |i| format!(" at batch {i}/{total}"));
    let ready = Some((r.upgraded_ready.unwrap_or(0), r.upgraded.unwrap_or(0)));
    let target = format!("{}/{}", r.kind.type_word(), r.name);
    let (text, waiting_for, why): (String, Option<&'static str>, Option<String>) = match stage {
        BatchStage::WaitingForApproval => (
            format!("batch done{at}, waiting for approval of the next"),
            Some("approval"),
            r.waiting_reason(),
        ),
        BatchStage::Paused => (format!("paused{at}"), Some("resume"), r.waiting_reason()),
        BatchStage::Progressing if stale.is_some() => (
            format!("waiting for the controller{at}"),
            Some("the controller"),
            stale.clone(),
        ),
        BatchStage::Progressing => (
            format!("rolling{at}"),
            Some("pods"),
            r.waiting_reason().or_else(|| {
                ready.map(|(ok, made)| {
                    let of = r.total().unwrap_or(made);
                    format!("{ok} of {of} pods upgraded and ready")
                })
            }),
        ),
        BatchStage::Completed => ("every batch rolled out".to_string(), None, None),
        BatchStage::Failed => ("the rollout failed".to_string(), None, r.waiting_reason()),
        BatchStage::Abandoning => (
            "abandoning the rollout (its revisions changed)".to_string(),
            Some("the controller"),
            None,
        ),
        BatchStage::Terminating => ("being deleted".to_string(), None, None),
        BatchStage::Initializing => (
            "preparing the rollout".to_string(),
            Some("the controller"),
            stale.clone(),
        ),
        BatchStage::Finalising => (
            "every batch done, finalising".to_string(),
            Some("the controller"),
            None,
        ),
    };
    let next = match stage {
        BatchStage::WaitingForApproval => Some(command("approve", &target, &r.namespace)),
        BatchStage::Paused => Some(command("resume", &target, &r.namespace)),
        _ => None,
    };
    ReleaseView {
        kind: r.kind.resource_name(),
        name: r.name.clone(),
        namespace: r.namespace.clone(),
        workload: r.component.clone().or(r.target.clone()),
        strategy: "batch",
        phase: r.rolling_state.clone(),
        state: stage.as_str(),
        step,
        total_steps: total,
        text,
        waiting_for,
        why,
        ready,
        stable: r.source.clone().or(r.last_source.clone()),
        canary: r.target.clone(),
        next,
        message: None,
        workload_checked: true,
    }
}
