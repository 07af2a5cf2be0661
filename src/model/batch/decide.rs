//! Each verb's decision on a batch rollout, and where a CI gate stands.

use super::{BatchKind, BatchRollout, BatchStage};
use crate::model::gate::{Until, Verdict};
use crate::model::state::{Refusal, Toggle};

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

/// Where `status --until` stands for a batch rollout.
pub fn check_batch(until: Until, r: &BatchRollout) -> Verdict {
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
