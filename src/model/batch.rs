//! KubeVela's batch rollouts: `core.oam.dev/v1beta1` AppRollout and the `rollout` trait's
//! `standard.oam.dev/v1alpha1` Rollout. One view of both, what their state means, and each
//! verb's decision. Pure.
//!
//! The controller gates progress with `spec.rolloutPlan.batchPartition`: it finishes the
//! batch of that (0-based) index and waits in `rollingInBatches`/`batchReady`. Approving is
//! raising the partition by one; lowering it below the current batch fails the rollout.
//! There is no `observedGeneration`: whether the controller has seen the spec is read from
//! the `last*` revision fields it copies from the spec.

use serde::Serialize;
use serde_json::Value;

use super::state::{Refusal, Toggle};
use super::{Condition, IntOrPercent};

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
        conditions: super::decode::conditions_of(obj.pointer("/status/conditions")),
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

/// Where a batch rollout stands, in the plugin's terms (§7.1 of the reference).
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
    /// them (§5.6): percentages of the total round up, and the last batch takes the rest.
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

/// Refuse a rollout whose spec or status cannot be made sense of.
fn ensure_sane(r: &BatchRollout) -> Result<(), Refusal> {
    if let Some(p) = r.problems.first() {
        return Err(Refusal(format!("its object cannot be read safely: {p}")));
    }
    if r.batches.is_empty() {
        return Err(Refusal("its rolloutPlan has no batches".into()));
    }
    if let Some(c) = r.current_batch
        && !(0..r.batches.len() as i64).contains(&c)
    {
        return Err(Refusal(format!(
            "its status names batch {c} (0-based) of {}: the status is malformed",
            r.batches.len()
        )));
    }
    Ok(())
}

/// The AppRollout webhook refuses any plan change of a finished rollout.
fn ensure_not_terminal(r: &BatchRollout) -> Result<(), Refusal> {
    match r.rolling_state.as_deref() {
        Some(state @ ("rolloutSucceed" | "rolloutFailed")) if r.kind == BatchKind::AppRollout => {
            Err(Refusal(format!(
                "it is {state}: a finished AppRollout cannot be changed without a new source or \
                 target revision (its webhook refuses it)"
            )))
        }
        _ => Ok(()),
    }
}

/// What `approve` writes: the new `batchPartition`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchApprove {
    /// Raise the partition from `from` to `to`; the batch after `batch` (1-based) runs.
    Write {
        from: Option<i64>,
        to: i64,
        batch: i64,
        total: usize,
    },
    /// `--expect-step`: that batch is already approved or done.
    Passed { batch: i64, now: i64 },
}

/// Approve the batch the rollout waits after; with `expect`, only batch `expect` (1-based).
pub fn decide_batch_approve(
    r: &BatchRollout,
    expect: Option<i64>,
) -> Result<BatchApprove, Refusal> {
    ensure_sane(r)?;
    let total = r.batches.len();
    if let Some(n) = expect
        && n > total as i64
    {
        return Err(Refusal(format!(
            "it has {total} batches; there is no batch {n}"
        )));
    }
    let (stage, stale) = r.stage();
    if let Some(why) = stale {
        return Err(Refusal(format!("its status is not current yet: {why}")));
    }
    let current = r.current_batch.unwrap_or(0).saturating_add(1);
    if let Some(n) = expect {
        let done_past = matches!(stage, BatchStage::Completed | BatchStage::Finalising)
            || current > n
            || (current == n && r.partition.is_none_or(|p| p >= n));
        if done_past {
            return Ok(BatchApprove::Passed {
                batch: n,
                now: current,
            });
        }
        if current < n {
            return Err(Refusal(format!(
                "batch {n} is not reached yet: the rollout is at batch {current}/{total} ({})",
                r.batch_state.as_deref().unwrap_or("no batch state")
            )));
        }
    }
    ensure_not_terminal(r)?;
    match stage {
        BatchStage::WaitingForApproval => Ok(BatchApprove::Write {
            from: r.partition,
            to: current,
            batch: current,
            total,
        }),
        BatchStage::Paused => Err(Refusal(
            "it is paused: resume it first (kubectl kruise rollout resume)".into(),
        )),
        BatchStage::Progressing if r.partition.is_none_or(|p| p >= current) => Err(Refusal(
            format!("nothing to approve: batch {current}/{total} is already allowed to finish"),
        )),
        BatchStage::Progressing => Err(Refusal(format!(
            "batch {current}/{total} is {}, not waiting for approval",
            r.batch_state.as_deref().unwrap_or("not started")
        ))),
        other => Err(Refusal(format!(
            "it is not in the batch phase ({}, {})",
            other.as_str(),
            r.rolling_state.as_deref().unwrap_or("no rolling state")
        ))),
    }
}

/// `pause` / `resume`: `spec.rolloutPlan.paused`.
pub fn decide_batch_pause(r: &BatchRollout, pause: bool) -> Result<Toggle, Refusal> {
    ensure_not_terminal(r)?;
    Ok(if r.paused == pause {
        Toggle::Already(pause)
    } else {
        Toggle::Write(pause)
    })
}

/// What `undo` writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchUndo {
    /// AppRollout: swap source and target revisions.
    Swap { source: String, target: String },
    /// Trait Rollout: roll back to this component revision.
    TargetRevision(String),
}

pub fn decide_batch_undo(r: &BatchRollout) -> Result<BatchUndo, Refusal> {
    match r.kind {
        BatchKind::AppRollout => {
            let source = r.source.clone().ok_or_else(|| {
                Refusal("it has no source revision (a scale or first deployment): there is nothing to roll back to".into())
            })?;
            let target = r
                .target
                .clone()
                .ok_or_else(|| Refusal("it has no target revision".into()))?;
            Ok(BatchUndo::Swap {
                source: target,
                target: source,
            })
        }
        BatchKind::TraitRollout => {
            let prev = r.last_source.clone().ok_or_else(|| {
                Refusal("its status names no previous revision (LastSourceRevision): there is nothing to roll back to".into())
            })?;
            if r.target.as_deref() == Some(prev.as_str()) {
                return Err(Refusal(format!("it already rolls to {prev}")));
            }
            Ok(BatchUndo::TargetRevision(prev))
        }
    }
}

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
        stage: stage.as_str(),
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
    }
}

/// Where `status --until` stands for a batch rollout.
pub fn check_batch(until: super::gate::Until, r: &BatchRollout) -> super::gate::Verdict {
    use super::gate::{Until, Verdict};
    let (stage, stale) = r.stage();
    let total = r.batches.len();
    match stage {
        BatchStage::Failed => return Verdict::Never("the rollout failed".into()),
        BatchStage::Abandoning => {
            return Verdict::Never("the rollout is being abandoned (its revisions changed)".into());
        }
        BatchStage::Terminating => return Verdict::Never("the rollout is being deleted".into()),
        _ => {}
    }
    if stale.is_some() {
        return Verdict::Wait;
    }
    let current = r.current_batch.unwrap_or(0).saturating_add(1);
    let ready = r.batch_state.as_deref() == Some("batchReady");
    match until {
        Until::Completed if stage == BatchStage::Completed => {
            Verdict::Holds("every batch is done".into())
        }
        Until::Completed => Verdict::Wait,
        Until::Paused if stage == BatchStage::WaitingForApproval => Verdict::Holds(format!(
            "batch {current}/{total} is done and waits for approval"
        )),
        Until::Paused if stage == BatchStage::Completed => {
            Verdict::Never("the rollout completed without waiting for approval".into())
        }
        Until::Paused => Verdict::Wait,
        Until::Step(n) if n > total as i64 => {
            Verdict::Never(format!("it has {total} batches; there is no batch {n}"))
        }
        Until::Step(n)
            if stage == BatchStage::Completed || current > n || (current == n && ready) =>
        {
            Verdict::Holds(format!("batch {n}/{total} is done"))
        }
        Until::Step(_) => Verdict::Wait,
    }
}

/// The trait of an Application that renders a trait Rollout: component `i`, trait `j`.
#[derive(Debug, Clone, PartialEq)]
pub struct AppTrait {
    pub component: usize,
    pub index: usize,
    pub properties: Value,
}

/// Find the `rollout` trait of `component` in an Application.
pub fn app_trait(app: &Value, component: &str) -> Result<AppTrait, Refusal> {
    let comps = app
        .pointer("/spec/components")
        .and_then(Value::as_array)
        .ok_or_else(|| Refusal("its Application has no components".into()))?;
    let (ci, comp) = comps
        .iter()
        .enumerate()
        .find(|(_, c)| c.get("name").and_then(Value::as_str) == Some(component))
        .ok_or_else(|| Refusal(format!("its Application has no component {component:?}")))?;
    let (ti, tr) = comp
        .get("traits")
        .and_then(Value::as_array)
        .and_then(|ts| {
            ts.iter()
                .enumerate()
                .find(|(_, t)| t.get("type").and_then(Value::as_str) == Some("rollout"))
        })
        .ok_or_else(|| {
            Refusal(format!(
                "component {component:?} of its Application has no rollout trait"
            ))
        })?;
    Ok(AppTrait {
        component: ci,
        index: ti,
        properties: tr.get("properties").cloned().unwrap_or(Value::Null),
    })
}

impl AppTrait {
    fn base(&self) -> String {
        format!("/spec/components/{}/traits/{}", self.component, self.index)
    }

    /// A JSON patch setting trait property `key` to `value`, guarded by `test` operations
    /// on what was read: kube-apiserver answers 422 when one fails (a concurrent change),
    /// and nothing is written.
    pub fn set_property(&self, component: &str, key: &str, value: Value) -> Value {
        let base = self.base();
        let mut ops = vec![
            serde_json::json!({"op": "test", "path": format!("/spec/components/{}/name", self.component), "value": component}),
            serde_json::json!({"op": "test", "path": format!("{base}/type"), "value": "rollout"}),
        ];
        match self.properties.get(key) {
            Some(old) => {
                ops.push(serde_json::json!({"op": "test", "path": format!("{base}/properties/{key}"), "value": old}));
                ops.push(serde_json::json!({"op": "replace", "path": format!("{base}/properties/{key}"), "value": value}));
            }
            None if self.properties.is_object() => {
                ops.push(serde_json::json!({"op": "add", "path": format!("{base}/properties/{key}"), "value": value}));
            }
            None => ops.push(serde_json::json!({"op": "add", "path": format!("{base}/properties"), "value": {key: value}})),
        }
        Value::Array(ops)
    }
}

/// What the Application says that the trait Rollout does not show yet: it has not been
/// re-applied since (or `app.oam.dev/publishVersion` holds it back).
pub fn pending_reapply(r: &BatchRollout, t: &AppTrait) -> Option<String> {
    let prop = |k: &str| t.properties.get(k).and_then(Value::as_i64);
    if let Some(p) = prop("batchPartition")
        && r.partition != Some(p)
    {
        return Some(format!(
            "the Application sets batchPartition {p}; the Rollout still has {}",
            r.partition.map_or("none".to_string(), |v| v.to_string())
        ));
    }
    if let Some(rev) = t.properties.get("targetRevision").and_then(Value::as_str)
        && r.target.as_deref() != Some(rev)
    {
        return Some(format!(
            "the Application sets targetRevision {rev}; the Rollout still rolls to {}",
            r.target.as_deref().unwrap_or("-")
        ));
    }
    None
}

/// The KubeVela Application that owns a Kruise Rollout, from its labels.
pub fn owning_app(obj: &Value) -> Option<String> {
    obj.pointer("/metadata/labels")
        .and_then(|l| l.get(APP_NAME))
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// A Kruise Rollout that KubeVela's `canary-deploy` workflow step drives: not approved by hand.
pub fn skips_resume(obj: &Value) -> bool {
    obj.pointer("/metadata/annotations")
        .and_then(|a| a.get(SKIP_RESUME))
        .and_then(Value::as_str)
        == Some("true")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// §8.1 of the reference: an AppRollout of a 5-replica CloneSet waiting at partition 1.
    pub fn app_rollout() -> Value {
        json!({"apiVersion": "core.oam.dev/v1beta1", "kind": "AppRollout",
            "metadata": {"name": "rolling-example", "namespace": "default", "resourceVersion": "7"},
            "spec": {"componentList": ["metrics-provider"], "sourceAppRevisionName": "test-rolling-v1",
                     "targetAppRevisionName": "test-rolling-v2",
                     "rolloutPlan": {"batchPartition": 1, "rolloutStrategy": "IncreaseFirst",
                        "rolloutBatches": [{"replicas": "10%"}, {"replicas": 2}, {"replicas": 2}]}},
            "status": {"LastSourceAppRevision": "test-rolling-v1", "lastTargetAppRevision": "test-rolling-v2",
                       "batchRollingState": "batchReady", "rollingState": "rollingInBatches",
                       "currentBatch": 1, "rolloutOriginalSize": 5, "rolloutTargetSize": 5,
                       "upgradedReplicas": 3, "upgradedReadyReplicas": 3,
                       "conditions": [{"type": "BatchVerifying", "status": "True", "reason": ""}]}})
    }

    #[test]
    fn the_reference_app_rollout_waits_for_approval_of_batch_2() {
        let r = decode_batch(&app_rollout()).unwrap();
        assert_eq!(r.stage(), (BatchStage::WaitingForApproval, None));
        // [10%, 2, 2] of 5: 1, 2, 2 pods; 1, 3, 5 upgraded.
        assert_eq!(
            r.batch_pods(),
            [(Some(1), Some(1)), (Some(2), Some(3)), (Some(2), Some(5))]
        );
        assert_eq!(
            decide_batch_approve(&r, None),
            Ok(BatchApprove::Write {
                from: Some(1),
                to: 2,
                batch: 2,
                total: 3
            })
        );
        assert_eq!(
            decide_batch_approve(&r, Some(2)).unwrap(),
            BatchApprove::Write {
                from: Some(1),
                to: 2,
                batch: 2,
                total: 3
            }
        );
        assert!(matches!(
            decide_batch_approve(&r, Some(1)),
            Ok(BatchApprove::Passed { .. })
        ));
        assert!(
            decide_batch_approve(&r, Some(3))
                .unwrap_err()
                .0
                .contains("not reached yet")
        );
        let s = summarize_batch(&r, None);
        assert_eq!(s.current_step_index, Some(2));
        assert_eq!(s.batches[1].status, "done");
        assert_eq!(s.batches[2].status, "pending");
    }

    #[test]
    fn the_seed_batch_math_rounds_up_and_the_last_batch_takes_the_rest() {
        let mut obj = app_rollout();
        obj["spec"]["rolloutPlan"]["rolloutBatches"] =
            json!([{"replicas": 1}, {"replicas": "50%"}, {"replicas": "50%"}]);
        let r = decode_batch(&obj).unwrap();
        assert_eq!(
            r.batch_pods(),
            [(Some(1), Some(1)), (Some(3), Some(4)), (Some(1), Some(5))]
        );
    }

    #[test]
    fn refusals_say_why() {
        let with = |f: &dyn Fn(&mut Value)| {
            let mut o = app_rollout();
            f(&mut o);
            decode_batch(&o).unwrap()
        };
        let paused = with(&|o| o["spec"]["rolloutPlan"]["paused"] = json!(true));
        assert_eq!(paused.stage().0, BatchStage::Paused);
        assert!(
            decide_batch_approve(&paused, None)
                .unwrap_err()
                .0
                .contains("resume it first")
        );
        let ungated = with(&|o| o["spec"]["rolloutPlan"]["batchPartition"] = json!(2));
        assert!(
            decide_batch_approve(&ungated, None)
                .unwrap_err()
                .0
                .contains("nothing to approve")
        );
        let rolling = with(&|o| o["status"]["batchRollingState"] = json!("batchInRolling"));
        assert!(
            decide_batch_approve(&rolling, None)
                .unwrap_err()
                .0
                .contains("batchInRolling")
        );
        let done = with(&|o| o["status"]["rollingState"] = json!("rolloutSucceed"));
        assert!(
            decide_batch_approve(&done, None)
                .unwrap_err()
                .0
                .contains("webhook")
        );
        assert!(decide_batch_pause(&done, true).is_err());
        let stale = with(&|o| o["spec"]["targetAppRevisionName"] = json!("test-rolling-v3"));
        assert_eq!(stale.stage().0, BatchStage::Progressing);
        assert!(
            decide_batch_approve(&stale, None)
                .unwrap_err()
                .0
                .contains("not current")
        );
        let failed = with(&|o| o["status"]["rollingState"] = json!("rolloutFailed"));
        assert_eq!(failed.stage().0, BatchStage::Failed);
        let bad = with(&|o| o["status"]["currentBatch"] = json!(7));
        assert!(
            decide_batch_approve(&bad, None)
                .unwrap_err()
                .0
                .contains("malformed")
        );
        let typed = with(&|o| o["spec"]["rolloutPlan"]["batchPartition"] = json!("1"));
        assert!(
            decide_batch_approve(&typed, None)
                .unwrap_err()
                .0
                .contains("not an integer")
        );
    }

    #[test]
    fn undo_swaps_revisions_or_goes_to_the_previous_one() {
        let r = decode_batch(&app_rollout()).unwrap();
        assert_eq!(
            decide_batch_undo(&r),
            Ok(BatchUndo::Swap {
                source: "test-rolling-v2".into(),
                target: "test-rolling-v1".into()
            })
        );
        let t = json!({"apiVersion": "standard.oam.dev/v1alpha1", "kind": "Rollout",
            "metadata": {"name": "express-server"},
            "spec": {"componentName": "express-server", "targetRevisionName": "express-server-v2",
                     "rolloutPlan": {"rolloutBatches": [{"replicas": 2}, {"replicas": 3}]}},
            "status": {"LastSourceRevision": "express-server-v1", "lastTargetRevision": "express-server-v2"}});
        let r = decode_batch(&t).unwrap();
        assert_eq!(
            decide_batch_undo(&r),
            Ok(BatchUndo::TargetRevision("express-server-v1".into()))
        );
    }

    #[test]
    fn type_words_never_take_the_bare_rollout() {
        assert_eq!(
            BatchKind::from_type_word("approllout"),
            Some(BatchKind::AppRollout)
        );
        assert_eq!(
            BatchKind::from_type_word("approllouts.core.oam.dev"),
            Some(BatchKind::AppRollout)
        );
        assert_eq!(
            BatchKind::from_type_word("rollouts.standard.oam.dev"),
            Some(BatchKind::TraitRollout)
        );
        assert_eq!(
            BatchKind::from_type_word("rollout.v1alpha1.standard.oam.dev"),
            Some(BatchKind::TraitRollout)
        );
        assert_eq!(BatchKind::from_type_word("rollout"), None);
        assert_eq!(
            BatchKind::from_type_word("rollouts.rollouts.kruise.io"),
            None
        );
    }
}
