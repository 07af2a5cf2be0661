//! What a Rollout's state means, and what each verb decides to do with it.

use std::fmt;

use super::{Pause, Rollout, StepState};

/// Where a release stands, in the terms a person (or a CI gate) acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    /// `spec.disabled`, or the controller is releasing its hold (Disabling/Disabled).
    Disabled,
    /// The Rollout is being deleted.
    Terminating,
    /// No release in flight and none recorded (a fresh Rollout).
    Idle,
    /// The last release finished and the workload runs the new version.
    Completed,
    /// The last release was cancelled or rolled back (`Succeeded=False`).
    Cancelled,
    /// A rollback or cancellation is being carried out.
    Cancelling,
    /// A new release is being set up.
    Initializing,
    /// `spec.strategy.paused`: the controller holds the release where it is.
    Paused,
    /// The current step's batch is ready and waits for `approve`.
    WaitingForApproval,
    /// The current step's batch is ready and moves on by itself after its pause.
    WaitingForTimer,
    /// Pods of the current step are being upgraded or traffic is moving.
    Progressing,
    /// Every step is done; the controller restores the workload and traffic.
    Finalising,
}

impl Stage {
    /// A stage from which nothing more happens without a new release.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            Stage::Idle | Stage::Completed | Stage::Cancelled | Stage::Disabled
        )
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Stage::Disabled => "Disabled",
            Stage::Terminating => "Terminating",
            Stage::Idle => "Idle",
            Stage::Completed => "Completed",
            Stage::Cancelled => "Cancelled",
            Stage::Cancelling => "Cancelling",
            Stage::Initializing => "Initializing",
            Stage::Paused => "Paused",
            Stage::WaitingForApproval => "WaitingForApproval",
            Stage::WaitingForTimer => "WaitingForTimer",
            Stage::Progressing => "Progressing",
            Stage::Finalising => "Finalising",
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Rollout {
    /// The stage of the release, read from the phase, the Progressing condition and the
    /// release sub-status (never from the top-level mirrors, which lag behind).
    pub fn stage(&self) -> Stage {
        let phase = self.phase.as_deref().unwrap_or("");
        if self.disabled || matches!(phase, "Disabling" | "Disabled") {
            return Stage::Disabled;
        }
        if phase == "Terminating" {
            return Stage::Terminating;
        }
        if phase != "Progressing" {
            // Healthy / Initial. After a rollback the sub-status keeps a stale StepPaused,
            // so it is not read here (rollouts#339).
            return match self.condition("Succeeded").map(|c| c.status.as_str()) {
                Some("True") => Stage::Completed,
                Some("False") => Stage::Cancelled,
                _ if self.current_state() == Some(&StepState::Completed) => Stage::Completed,
                _ => Stage::Idle,
            };
        }
        match self.progressing_reason() {
            Some("Initializing") => return Stage::Initializing,
            Some("Finalising") => return Stage::Finalising,
            Some("Cancelling") => return Stage::Cancelling,
            // Older controllers said Canceled / Succeeded here.
            Some("Canceled") => return Stage::Cancelled,
            Some("Completed" | "Succeeded") => return Stage::Completed,
            Some("Paused") => return Stage::Paused,
            _ => {}
        }
        if self.paused {
            return Stage::Paused;
        }
        match self.current_state() {
            Some(StepState::StepPaused) => match self.current_step().and_then(|i| self.step(i)) {
                Some(step) if matches!(step.pause, Pause::Seconds(_)) => Stage::WaitingForTimer,
                _ => Stage::WaitingForApproval,
            },
            Some(StepState::Completed) => Stage::Finalising,
            _ => Stage::Progressing,
        }
    }

    /// The current step out of all, e.g. `2/4`; `-` outside a release.
    pub fn step_label(&self) -> String {
        match self.current_step() {
            Some(i) => format!("{i}/{}", self.steps.len()),
            None => "-".to_string(),
        }
    }
}

/// What `approve` will do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Approve {
    /// Write `StepReady` at this step. `queued` when the rollout is paused: the approval
    /// takes effect on resume.
    Write {
        step: i64,
        total: usize,
        queued: bool,
    },
    /// Already `StepReady` at this step: nothing to write.
    AlreadyApproved { step: i64, total: usize },
    /// `--expect-step`: the release is past that step already; nothing to write.
    Passed { step: i64, now: String },
}

/// Why an action does not apply; nothing is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal(pub String);

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn refuse<T>(msg: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal(msg.into()))
}

/// Refuse a rollout whose spec or status this plugin cannot make sense of: fields of the
/// wrong type, no steps, or a step index outside the steps (all of which the CRD schema
/// lets through). Acting on it would write on a guess.
pub fn ensure_sane(r: &Rollout) -> Result<(), Refusal> {
    if let Some(p) = r.problems.first() {
        return refuse(format!("its object cannot be read safely: {p}"));
    }
    let total = r.steps.len() as i64;
    if total == 0 {
        return refuse("it has no steps (spec.strategy has an empty step list)");
    }
    if let Some(i) = r.current_step()
        && !(1..=total).contains(&i)
    {
        return refuse(format!(
            "its status names step {i}, and it has steps 1 to {total}: the status is malformed"
        ));
    }
    if let Some(n) = r.release.as_ref().and_then(|s| s.next_step_index)
        && n != -1
        && !(1..=total).contains(&n)
    {
        return refuse(format!(
            "its status names next step {n}, and it has steps 1 to {total}: the status is malformed"
        ));
    }
    Ok(())
}

/// The stage of a release that a step action (approve, a step jump) can act on; a
/// refusal naming why not otherwise.
fn release_in_flight(r: &Rollout) -> Result<Stage, Refusal> {
    ensure_sane(r)?;
    let total = r.steps.len();
    let stage = r.stage();
    match stage {
        Stage::Disabled => refuse("the rollout is disabled"),
        Stage::Terminating => refuse("the rollout is being deleted"),
        Stage::Idle => refuse("no release is in progress"),
        Stage::Completed => refuse("the release has already completed"),
        Stage::Cancelled | Stage::Cancelling => refuse("the release was cancelled or rolled back"),
        Stage::Initializing => {
            refuse("the release is initializing; no step waits for approval yet")
        }
        Stage::Finalising => refuse(format!(
            "all {total} steps are done; the release is finalising"
        )),
        Stage::Paused | Stage::WaitingForApproval | Stage::WaitingForTimer | Stage::Progressing
            if r.current_step().is_none() =>
        {
            refuse("its status names no current step (currentStepIndex)")
        }
        Stage::Paused | Stage::WaitingForApproval | Stage::WaitingForTimer | Stage::Progressing => {
            Ok(stage)
        }
    }
}

/// Decide what approving this rollout means. Only a step in `StepPaused` is approved: a
/// `StepReady` written earlier would make the controller skip waiting for the batch.
pub fn decide_approve(r: &Rollout) -> Result<Approve, Refusal> {
    let total = r.steps.len();
    let stage = release_in_flight(r)?;
    let step = r.current_step().unwrap_or(0);
    match r.current_state() {
        Some(StepState::StepPaused) => Ok(Approve::Write {
            step,
            total,
            queued: stage == Stage::Paused,
        }),
        Some(StepState::StepReady) => Ok(Approve::AlreadyApproved { step, total }),
        Some(StepState::Completed) => refuse(format!(
            "all {total} steps are done; the release is finalising"
        )),
        Some(state) => refuse(format!(
            "step {step}/{total} is in {}, not waiting for approval",
            state.as_str()
        )),
        None => refuse("the rollout has no step state yet; no step waits for approval"),
    }
}

/// A write of `nextStepIndex`: the controller (v0.6+) moves the release to step `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepJump {
    pub from: i64,
    pub to: i64,
    pub total: usize,
}

/// The controller ignores `nextStepIndex` unless it has the field (v0.6+): refuse rather
/// than write something that silently does nothing.
fn ensure_jumps(r: &Rollout) -> Result<(), Refusal> {
    match r.release.as_ref().and_then(|s| s.next_step_index) {
        Some(_) => Ok(()),
        None => refuse(
            "the controller does not support step jumps (its status has no nextStepIndex; \
             Kruise Rollouts v0.6 or later is needed)",
        ),
    }
}

/// `undo --fast`: go back to the most recent earlier step that sends no traffic to the new
/// version, so users stop reaching it while its pods stay.
pub fn decide_fast_undo(r: &Rollout) -> Result<StepJump, Refusal> {
    release_in_flight(r)?;
    ensure_jumps(r)?;
    let total = r.steps.len();
    let from = r.current_step().unwrap_or(0);
    // `from` is within the steps (ensure_sane), so this walks at most the step list.
    let to = (1..from)
        .rev()
        .find(|&i| r.step(i).is_some_and(|s| s.sends_no_traffic()))
        .ok_or_else(|| {
            Refusal(if from <= 1 {
                format!(
                    "the release is at its first step ({from}/{total}); there is no earlier step"
                )
            } else {
                format!("no step before {from}/{total} is without traffic")
            })
        })?;
    Ok(StepJump { from, to, total })
}

/// `approve --expect-step=N`: approve step N only, and make a second run of the same
/// script a no-op. `stale` says why the status is not current yet, if it is not.
pub fn decide_approve_step(r: &Rollout, n: i64, stale: Option<&str>) -> Result<Approve, Refusal> {
    let total = r.steps.len();
    if n > total as i64 {
        return refuse(format!("it has {total} steps; there is no step {n}"));
    }
    if let Some(why) = stale {
        return refuse(format!("its status is not current yet: {why}"));
    }
    match r.stage() {
        Stage::Completed => {
            return Ok(Approve::Passed {
                step: n,
                now: "the release has completed".into(),
            });
        }
        Stage::Finalising => {
            return Ok(Approve::Passed {
                step: n,
                now: format!("all {total} steps are done"),
            });
        }
        _ => {}
    }
    release_in_flight(r)?;
    let index = r.current_step().unwrap_or(0);
    if index > n {
        return Ok(Approve::Passed {
            step: n,
            now: format!("the release is at step {}", r.step_label()),
        });
    }
    if index < n {
        return refuse(format!(
            "step {n} is not reached yet: the release is at step {} ({})",
            r.step_label(),
            r.current_state()
                .map(StepState::as_str)
                .unwrap_or("no state")
        ));
    }
    decide_approve(r)
}

/// What `approve --to-step=N` will do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Jump {
    /// Write `nextStepIndex`.
    Write(StepJump),
    /// N is the next step: moving there is approving the current one (the controller
    /// ignores a `nextStepIndex` of the next step).
    Approve(Approve),
    Nothing(String),
}

pub fn decide_to_step(r: &Rollout, n: i64) -> Result<Jump, Refusal> {
    release_in_flight(r)?;
    ensure_jumps(r)?;
    let total = r.steps.len();
    if n < 1 || n > total as i64 {
        return refuse(format!("it has {total} steps; there is no step {n}"));
    }
    let from = r.current_step().unwrap_or(0);
    if n == from {
        return Ok(Jump::Nothing(format!("already at step {from}/{total}")));
    }
    if n == from.saturating_add(1) {
        return match decide_approve(r) {
            Ok(a @ Approve::Write { .. }) => Ok(Jump::Approve(a)),
            Ok(_) => Ok(Jump::Nothing(format!(
                "step {from}/{total} is already approved; step {n} comes next"
            ))),
            Err(_) => refuse(format!(
                "step {n} follows once step {from}/{total} is approved, and it is in {}",
                r.current_state()
                    .map(StepState::as_str)
                    .unwrap_or("no state")
            )),
        };
    }
    Ok(Jump::Write(StepJump { from, to: n, total }))
}

/// What `pause` or `resume` will do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Toggle {
    /// Write `spec.strategy.paused` to this value.
    Write(bool),
    /// It already has that value: nothing to write.
    Already(bool),
}

pub fn decide_pause(r: &Rollout, pause: bool) -> Toggle {
    if r.paused == pause {
        Toggle::Already(pause)
    } else {
        Toggle::Write(pause)
    }
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
