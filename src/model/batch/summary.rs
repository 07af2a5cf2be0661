//! The status summary of a batch rollout, for `status -o json|yaml` and the view.

use serde::Serialize;

use super::view::of_batch;
use super::{BatchRollout, BatchStage};
use crate::model::view::ReleaseView;

/// The status summary of a batch rollout, for `status -o json|yaml`: the fields of a Kruise
/// summary where they mean the same, and KubeVela's own.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchSummary {
    pub api_version: String,
    pub kind: &'static str,
    pub name: String,
    pub namespace: String,
    pub stage: &'static str,
    /// The state in words, as every view says it.
    pub state_text: String,
    pub waiting_for: Option<&'static str>,
    pub why: Option<String>,
    pub next: Option<String>,
    pub waiting_for_controller: Option<String>,
    pub reason: Option<String>,
    pub paused: bool,
    /// 1-based, as steps are for Kruise.
    pub current_step_index: Option<i64>,
    pub total_steps: usize,
    pub batch_partition: Option<i64>,
    pub rolling_state: Option<String>,
    pub batch_rolling_state: Option<String>,
    pub target_size: Option<i64>,
    pub upgraded_replicas: Option<i64>,
    pub upgraded_ready_replicas: Option<i64>,
    pub source_revision: Option<String>,
    pub target_revision: Option<String>,
    pub application: Option<AppRef>,
    /// The Application's trait properties say something the Rollout does not show yet.
    pub pending_reapply: Option<String>,
    pub batches: Vec<BatchStep>,
    /// The one view every renderer shows.
    #[serde(skip)]
    pub view: ReleaseView,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppRef {
    pub name: String,
    pub component: Option<String>,
    pub publish_version: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchStep {
    pub index: usize,
    pub replicas: String,
    pub pods: Option<i64>,
    /// Pods on the target revision once this batch is done.
    pub upgraded: Option<i64>,
    /// `done`, `current` or `pending`.
    pub status: &'static str,
}

pub fn summarize_batch(r: &BatchRollout, pending_reapply: Option<String>) -> BatchSummary {
    let (stage, stale) = r.stage();
    let view = of_batch(r);
    let current = r.current_batch.unwrap_or(0);
    let done_all = matches!(stage, BatchStage::Completed | BatchStage::Finalising);
    let batches = r
        .batch_pods()
        .into_iter()
        .zip(&r.batches)
        .enumerate()
        .map(|(i, ((pods, upgraded), b))| {
            let idx = i as i64;
            let ready = r.batch_state.as_deref() == Some("batchReady");
            BatchStep {
                index: i + 1,
                replicas: b.to_string(),
                pods,
                upgraded,
                status: match () {
                    _ if done_all || idx < current || (idx == current && ready) => "done",
                    _ if idx == current
                        && r.rolling_state.as_deref() == Some("rollingInBatches") =>
                    {
                        "current"
                    }
                    _ => "pending",
                },
            }
        })
        .collect();
    BatchSummary {
        api_version: format!("{}/{}", r.kind.group(), r.kind.version()),
        kind: r.kind.kind(),
        name: r.name.clone(),
        namespace: r.namespace.clone(),
        stage: view.state,
        state_text: view.text.clone(),
        waiting_for: view.waiting_for,
        why: view.why.clone(),
        next: view.next.clone(),
        waiting_for_controller: stale,
        reason: r.waiting_reason(),
        paused: r.paused,
        current_step_index: r.current_batch.map(|c| c.saturating_add(1)),
        total_steps: r.batches.len(),
        batch_partition: r.partition,
        rolling_state: r.rolling_state.clone(),
        batch_rolling_state: r.batch_state.clone(),
        target_size: r.total(),
        upgraded_replicas: r.upgraded,
        upgraded_ready_replicas: r.upgraded_ready,
        source_revision: r.source.clone().or(r.last_source.clone()),
        target_revision: r.target.clone(),
        application: r.app.clone().map(|name| AppRef {
            name,
            component: r.component.clone(),
            publish_version: r.publish_version.clone(),
        }),
        pending_reapply,
        batches,
        view,
    }
}
