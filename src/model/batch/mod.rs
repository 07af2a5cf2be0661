//! KubeVela's batch rollouts: `core.oam.dev/v1beta1` AppRollout and the `rollout` trait's
//! `standard.oam.dev/v1alpha1` Rollout. One view of both, what their state means, and each
//! verb's decision. Pure.
//!
//! The controller gates progress with `spec.rolloutPlan.batchPartition`: it finishes the
//! batch of that (0-based) index and waits in `rollingInBatches`/`batchReady`. Approving is
//! raising the partition by one; lowering it below the current batch fails the rollout.
//! There is no `observedGeneration`: whether the controller has seen the spec is read from
//! the `last*` revision fields it copies from the spec.

pub(crate) mod app;
mod decide;
mod summary;
#[cfg(test)]
mod tests;
mod view;

use serde_json::Value;

use super::{Condition, IntOrPercent};

pub use app::{AppTrait, app_trait, owning_app, pending_reapply, skips_resume};
pub use decide::{
    BatchApprove, BatchUndo, check_batch, decide_batch_approve, decide_batch_pause,
    decide_batch_undo,
};
pub use summary::{AppRef, BatchStep, BatchSummary, summarize_batch};
pub use view::of_batch;

/// The two kinds, as data: where each keeps what differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BatchKind {
    AppRollout,
    TraitRollout,
}

impl BatchKind {
    pub fn group(self) -> &'static str {
        match self {
            BatchKind::AppRollout => "core.oam.dev",
            BatchKind::TraitRollout => "standard.oam.dev",
        }
    }

    pub fn version(self) -> &'static str {
        match self {
            BatchKind::AppRollout => "v1beta1",
            BatchKind::TraitRollout => "v1alpha1",
        }
    }

    pub fn kind(self) -> &'static str {
        match self {
            BatchKind::AppRollout => "AppRollout",
            BatchKind::TraitRollout => "Rollout",
        }
    }

    pub fn plural(self) -> &'static str {
        match self {
            BatchKind::AppRollout => "approllouts",
            BatchKind::TraitRollout => "rollouts",
        }
    }

    /// `approllout.core.oam.dev`, `rollout.standard.oam.dev`: as kubectl names the type.
    pub fn resource_name(self) -> String {
        format!("{}.{}", self.kind().to_lowercase(), self.group())
    }

    /// What a person calls this kind, for hints and completion: "AppRollout", "rollout
    /// trait's Rollout".
    pub fn description(self) -> &'static str {
        match self {
            BatchKind::AppRollout => "AppRollout",
            BatchKind::TraitRollout => "rollout trait's Rollout",
        }
    }

    /// The shortest type word that names this kind on the command line.
    pub fn type_word(self) -> String {
        match self {
            BatchKind::AppRollout => "approllout".to_string(),
            BatchKind::TraitRollout => self.qualified_plural(),
        }
    }

    /// `rollouts.standard.oam.dev`: the type word that names it unambiguously.
    pub fn qualified_plural(self) -> String {
        format!("{}.{}", self.plural(), self.group())
    }

    /// The spec field naming the revision rolled to, and the status field copying it.
    fn target_fields(self) -> (&'static str, &'static str, &'static str, &'static str) {
        match self {
            BatchKind::AppRollout => (
                "/spec/targetAppRevisionName",
                "/spec/sourceAppRevisionName",
                "/status/lastTargetAppRevision",
                "/status/LastSourceAppRevision",
            ),
            BatchKind::TraitRollout => (
                "/spec/targetRevisionName",
                "/spec/sourceRevisionName",
                "/status/lastTargetRevision",
                "/status/LastSourceRevision",
            ),
        }
    }

    /// A type word for one of the kinds: `approllout`, `approllouts.core.oam.dev`,
    /// `rollouts.standard.oam.dev`, `rollout.v1alpha1.standard.oam.dev` (any case). The
    /// bare word `rollout` stays Kruise's.
    pub fn from_type_word(word: &str) -> Option<Self> {
        let w = word.to_ascii_lowercase();
        let (resource, qualifier) = w.split_once('.').unwrap_or((&w, ""));
        let group = qualifier
            .split_once('.')
            .filter(|(v, _)| v.starts_with('v') && v[1..].starts_with(|c: char| c.is_ascii_digit()))
            .map_or(qualifier, |(_, g)| g);
        match (resource, group) {
            ("approllout" | "approllouts", "" | "core.oam.dev") => Some(BatchKind::AppRollout),
            ("rollout" | "rollouts", "standard.oam.dev") => Some(BatchKind::TraitRollout),
            _ => None,
        }
    }
}

/// Labels and annotations KubeVela puts on what an Application renders.
pub const APP_NAME: &str = "app.oam.dev/name";
pub const APP_NAMESPACE: &str = "app.oam.dev/namespace";
pub const APP_COMPONENT: &str = "app.oam.dev/component";
pub const PUBLISH_VERSION: &str = "app.oam.dev/publishVersion";
pub const SKIP_RESUME: &str = "controller.core.oam.dev/skip-resume";

/// An AppRollout or trait Rollout, as one view.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchRollout {
    pub kind: BatchKind,
    pub name: String,
    pub namespace: String,
    pub resource_version: String,
    pub creation_timestamp: Option<String>,
    pub deleting: bool,
    pub target: Option<String>,
    pub source: Option<String>,
    pub component: Option<String>,
    pub batches: Vec<IntOrPercent>,
    pub partition: Option<i64>,
    pub paused: bool,
    pub target_size: Option<i64>,
    pub rolling_state: Option<String>,
    pub batch_state: Option<String>,
    /// 0-based, as the controller counts.
    pub current_batch: Option<i64>,
    pub upgraded: Option<i64>,
    pub upgraded_ready: Option<i64>,
    pub status_target_size: Option<i64>,
    pub last_target: Option<String>,
    pub last_source: Option<String>,
    pub conditions: Vec<Condition>,
    /// The Application that renders it (trait Rollouts), from its labels.
    pub app: Option<String>,
    pub publish_version: Option<String>,
    pub problems: Vec<String>,
}

fn s(obj: &Value, ptr: &str) -> Option<String> {
    obj.pointer(ptr)
        .and_then(Value::as_str)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

/// An integer field: `Err` when present with another type (recorded as a problem).
fn int(obj: &Value, ptr: &str, problems: &mut Vec<String>) -> Option<i64> {
    match obj.pointer(ptr) {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_i64() {
            Some(n) => Some(n),
            None => {
                problems.push(format!(
                    "{} is not an integer ({v})",
                    ptr[1..].replace('/', ".")
                ));
                None
            }
        },
    }
}

/// Decode an AppRollout or trait Rollout.
pub fn decode_batch(obj: &Value) -> Result<BatchRollout, String> {
    let api_version = s(obj, "/apiVersion").unwrap_or_default();
    let kind_word = s(obj, "/kind").unwrap_or_default();
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    let kind = [BatchKind::AppRollout, BatchKind::TraitRollout]
        .into_iter()
        .find(|k| k.group() == group && k.kind() == kind_word)
        .ok_or_else(|| format!("not a KubeVela batch rollout ({api_version} {kind_word})"))?;
    let name = s(obj, "/metadata/name").ok_or("the object has no metadata.name")?;
    let mut problems = Vec::new();
    let batches = match obj.pointer("/spec/rolloutPlan/rolloutBatches") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|b| match b.get("replicas") {
                Some(Value::Number(n)) => n
                    .as_i64()
                    .map(IntOrPercent::Int)
                    .unwrap_or_else(|| IntOrPercent::Invalid(n.to_string())),
                Some(Value::String(t)) => IntOrPercent::parse_str(t),
                other => IntOrPercent::Invalid(format!("{other:?}")),
            })
            .collect(),
        Some(other) => {
            problems.push(format!(
                "spec.rolloutPlan.rolloutBatches is not a list ({other})"
            ));
            Vec::new()
        }
    };
    let (target, source, last_target, last_source) = kind.target_fields();
    let label = |k: &str| {
        obj.pointer("/metadata/labels")
            .and_then(|l| l.get(k))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let component = match kind {
        BatchKind::AppRollout => s(obj, "/spec/componentList/0"),
        BatchKind::TraitRollout => s(obj, "/spec/componentName"),
    };
    Ok(BatchRollout {
        kind,
        namespace: s(obj, "/metadata/namespace").unwrap_or_default(),
        resource_version: s(obj, "/metadata/resourceVersion").unwrap_or_default(),
        creation_timestamp: s(obj, "/metadata/creationTimestamp"),
        deleting: obj
            .pointer("/metadata/deletionTimestamp")
            .is_some_and(|v| !v.is_null()),
        target: s(obj, target),
        source: s(obj, source),
        component,
        partition: int(obj, "/spec/rolloutPlan/batchPartition", &mut problems),
        paused: obj
            .pointer("/spec/rolloutPlan/paused")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        target_size: int(obj, "/spec/rolloutPlan/targetSize", &mut problems),
        rolling_state: s(obj, "/status/rollingState"),
        batch_state: s(obj, "/status/batchRollingState"),
        current_batch: int(obj, "/status/currentBatch", &mut problems),
        upgraded: int(obj, "/status/upgradedReplicas", &mut problems),
        upgraded_ready: int(obj, "/status/upgradedReadyReplicas", &mut problems),
        status_target_size: int(obj, "/status/rolloutTargetSize", &mut problems),
        last_target: s(obj, last_target),
        last_source: s(obj, last_source),
        conditions: super::conditions::conditions_of(obj.pointer("/status/conditions")),
        app: label(APP_NAME),
        publish_version: obj
            .pointer("/metadata/annotations")
            .and_then(|a| a.get(PUBLISH_VERSION))
            .and_then(Value::as_str)
            .map(str::to_string),
        batches,
        problems,
        name,
    })
}

/// Where a batch rollout stands, in the plugin's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchStage {
    WaitingForApproval,
    Paused,
    Progressing,
    Completed,
    Failed,
    Abandoning,
    Terminating,
    Initializing,
    Finalising,
}

impl BatchStage {
    pub fn as_str(self) -> &'static str {
        match self {
            BatchStage::WaitingForApproval => "WaitingForApproval",
            BatchStage::Paused => "Paused",
            BatchStage::Progressing => "Progressing",
            BatchStage::Completed => "Completed",
            BatchStage::Failed => "Failed",
            BatchStage::Abandoning => "Abandoning",
            BatchStage::Terminating => "Terminating",
            BatchStage::Initializing => "Initializing",
            BatchStage::Finalising => "Finalising",
        }
    }
}

impl BatchRollout {
    /// `approllout.core.oam.dev/NAME`.
    pub fn display_name(&self) -> String {
        format!("{}/{}", self.kind.resource_name(), self.name)
    }

    /// The number of pods the rollout moves to the target: the status's once verified,
    /// else the spec's.
    pub fn total(&self) -> Option<i64> {
        self.status_target_size
            .filter(|n| *n >= 0)
            .or(self.target_size)
    }

    /// Why the status does not describe the current spec yet, if it does not: the controller
    /// copies the target (and source) revision into `last*` once it has taken them.
    pub fn staleness(&self) -> Option<String> {
        if self.last_target.is_some() && self.last_target != self.target {
            return Some(format!(
                "the controller has not yet taken target revision {} (it last rolled to {})",
                self.target.as_deref().unwrap_or("-"),
                self.last_target.as_deref().unwrap_or("-")
            ));
        }
        if self.kind == BatchKind::AppRollout
            && self.last_target.is_some()
            && self.last_source.as_deref().unwrap_or("") != self.source.as_deref().unwrap_or("")
        {
            return Some(format!(
                "the controller has not yet taken source revision {}",
                self.source.as_deref().unwrap_or("(none)")
            ));
        }
        if let (Some(want), Some(have)) = (self.target_size, self.status_target_size)
            && have != -1
            && have != want
        {
            return Some(format!(
                "the controller has not yet taken targetSize {want} (it rolls {have})"
            ));
        }
        None
    }

    /// The gate is up: the controller finished the partition's batch and waits.
    fn gated(&self) -> bool {
        let (Some(p), Some(c)) = (self.partition, self.current_batch) else {
            return false;
        };
        self.rolling_state.as_deref() == Some("rollingInBatches")
            && self.batch_state.as_deref() == Some("batchReady")
            && c >= p
            && c.saturating_add(1) < self.batches.len() as i64
    }

    /// The stage, and why it is not trusted yet if the controller has not caught up.
    pub fn stage(&self) -> (BatchStage, Option<String>) {
        let rolling = self.rolling_state.as_deref().unwrap_or("");
        let stage = match rolling {
            _ if self.deleting || rolling == "RolloutDeletingState" => BatchStage::Terminating,
            "rolloutFailed" | "rolloutFailing" => BatchStage::Failed,
            "rolloutAbandoning" => BatchStage::Abandoning,
            "rolloutSucceed" => BatchStage::Completed,
            "finalising" => BatchStage::Finalising,
            "" | "locatingTargetApp" | "verifyingSpec" | "initializing" => BatchStage::Initializing,
            _ if self.paused && rolling == "rollingInBatches" => BatchStage::Paused,
            _ if self.gated() => BatchStage::WaitingForApproval,
            _ => BatchStage::Progressing,
        };
        // Failure, abandoning and deletion are never masked by staleness.
        if matches!(
            stage,
            BatchStage::Failed | BatchStage::Abandoning | BatchStage::Terminating
        ) {
            return (stage, None);
        }
        match self.staleness() {
            Some(why) => (BatchStage::Progressing, Some(why)),
            None => (stage, None),
        }
    }

    /// The newest condition that is false: why it is waiting, if it says.
    pub fn waiting_reason(&self) -> Option<String> {
        self.conditions
            .iter()
            .rev()
            .find(|c| c.status == "False")
            .map(|c| c.message.clone().unwrap_or_else(|| c.type_.clone()))
    }

    /// Each batch's pods and the pods upgraded once it is done, as the controller computes
    /// them: percentages of the total round up, and the last batch takes the rest.
    pub fn batch_pods(&self) -> Vec<(Option<i64>, Option<i64>)> {
        let Some(total) = self.total() else {
            return self.batches.iter().map(|_| (None, None)).collect();
        };
        let n = self.batches.len();
        let mut cumulative = 0i64;
        self.batches
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let before = cumulative;
                cumulative = if i + 1 == n {
                    total
                } else {
                    let v = match b {
                        IntOrPercent::Int(v) => Some(*v),
                        IntOrPercent::Percent(p) => {
                            Some(IntOrPercent::Percent(*p).pods(total).unwrap_or(0))
                        }
                        IntOrPercent::Invalid(_) => None,
                    };
                    match v {
                        Some(v) => cumulative.saturating_add(v).clamp(0, total),
                        None => return (None, None),
                    }
                };
                (Some(cumulative.saturating_sub(before)), Some(cumulative))
            })
            .collect()
    }
}
