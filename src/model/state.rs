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
mod tests {
    use super::*;
    use crate::model::{decode, fixtures};
    use serde_json::{Value, json};

    fn with(mut obj: Value, f: impl FnOnce(&mut Value)) -> Rollout {
        f(&mut obj);
        decode(&obj).unwrap()
    }

    fn seed() -> Value {
        fixtures::seed_v1beta1_paused()
    }

    #[test]
    fn a_paused_manual_step_waits_for_approval_in_every_version() {
        for obj in [
            seed(),
            fixtures::v1alpha1_canary(),
            fixtures::v1beta1_blue_green(),
        ] {
            let r = decode(&obj).unwrap();
            assert_eq!(r.stage(), Stage::WaitingForApproval, "{}", r.name);
            assert_eq!(
                decide_approve(&r),
                Ok(Approve::Write {
                    step: 1,
                    total: 3,
                    queued: false
                })
            );
        }
    }

    #[test]
    fn a_timed_pause_is_waiting_for_its_timer_and_can_still_be_approved() {
        let r = with(fixtures::v1alpha1_canary(), |o| {
            o["status"]["canaryStatus"]["currentStepIndex"] = json!(2)
        });
        assert_eq!(r.stage(), Stage::WaitingForTimer);
        assert_eq!(
            decide_approve(&r),
            Ok(Approve::Write {
                step: 2,
                total: 3,
                queued: false
            })
        );
    }

    #[test]
    fn approval_of_a_paused_rollout_is_queued() {
        let r = with(seed(), |o| o["spec"]["strategy"]["paused"] = json!(true));
        assert_eq!(r.stage(), Stage::Paused);
        assert_eq!(
            decide_approve(&r),
            Ok(Approve::Write {
                step: 1,
                total: 3,
                queued: true
            })
        );
    }

    #[test]
    fn an_approved_step_is_not_approved_twice() {
        let r = with(seed(), |o| {
            o["status"]["canaryStatus"]["currentStepState"] = json!("StepReady")
        });
        assert_eq!(
            decide_approve(&r),
            Ok(Approve::AlreadyApproved { step: 1, total: 3 })
        );
    }

    #[test]
    fn a_step_still_upgrading_is_refused() {
        let r = with(seed(), |o| {
            o["status"]["canaryStatus"]["currentStepState"] = json!("StepUpgrade")
        });
        assert_eq!(r.stage(), Stage::Progressing);
        assert_eq!(
            decide_approve(&r),
            Err(Refusal(
                "step 1/3 is in StepUpgrade, not waiting for approval".into()
            ))
        );
    }

    #[test]
    fn nothing_to_approve_outside_a_release() {
        let healthy = with(seed(), |o| {
            o["status"]["phase"] = json!("Healthy");
            o["status"]["conditions"] = json!([
                {"type": "Progressing", "status": "False", "reason": "Completed"},
                {"type": "Succeeded", "status": "True"}
            ]);
            o["status"]["canaryStatus"]["currentStepState"] = json!("Completed");
        });
        assert_eq!(healthy.stage(), Stage::Completed);
        assert!(
            decide_approve(&healthy)
                .unwrap_err()
                .0
                .contains("already completed")
        );

        // After a direct rollback the sub-status keeps StepPaused; it must not be approved.
        let rolled_back = with(seed(), |o| {
            o["status"]["phase"] = json!("Healthy");
            o["status"]["conditions"] = json!([{"type": "Succeeded", "status": "False"}]);
        });
        assert_eq!(rolled_back.stage(), Stage::Cancelled);
        assert!(decide_approve(&rolled_back).is_err());

        let disabled = with(seed(), |o| o["spec"]["disabled"] = json!(true));
        assert_eq!(
            decide_approve(&disabled),
            Err(Refusal("the rollout is disabled".into()))
        );

        let fresh = with(seed(), |o| {
            o["status"] = json!({"phase": "Healthy"});
        });
        assert_eq!(fresh.stage(), Stage::Idle);
        assert_eq!(
            decide_approve(&fresh),
            Err(Refusal("no release is in progress".into()))
        );
    }

    #[test]
    fn progressing_reasons_map_to_stages() {
        for (reason, stage) in [
            ("Initializing", Stage::Initializing),
            ("Finalising", Stage::Finalising),
            ("Cancelling", Stage::Cancelling),
            ("Canceled", Stage::Cancelled),
            ("Paused", Stage::Paused),
        ] {
            let r = with(seed(), |o| {
                o["status"]["conditions"][0]["reason"] = json!(reason)
            });
            assert_eq!(r.stage(), stage, "{reason}");
        }
        let done = with(seed(), |o| {
            o["status"]["canaryStatus"]["currentStepState"] = json!("Completed")
        });
        assert_eq!(done.stage(), Stage::Finalising);
        assert!(decide_approve(&done).is_err());
    }

    #[test]
    fn fast_undo_goes_back_to_the_latest_step_without_traffic() {
        // Blue-green at step 3 (100% traffic): steps 2 and 1 send none; 2 is the latest.
        let bg = with(fixtures::v1beta1_blue_green(), |o| {
            o["status"]["blueGreenStatus"]["currentStepIndex"] = json!(3);
            o["status"]["blueGreenStatus"]["nextStepIndex"] = json!(-1);
        });
        assert_eq!(
            decide_fast_undo(&bg),
            Ok(StepJump {
                from: 3,
                to: 2,
                total: 3
            })
        );
        // v0.6 canary at step 3, where step 2 routes 60% and step 1 20%: none is free of
        // traffic.
        let canary = with(fixtures::v1alpha1_canary(), |o| {
            o["status"]["canaryStatus"]["currentStepIndex"] = json!(3);
            o["status"]["canaryStatus"]["nextStepIndex"] = json!(-1);
        });
        assert_eq!(
            decide_fast_undo(&canary),
            Err(Refusal("no step before 3/3 is without traffic".into()))
        );
        let first = decode(&fixtures::v1beta1_blue_green()).unwrap();
        assert!(
            decide_fast_undo(&first)
                .unwrap_err()
                .0
                .contains("at its first step")
        );
    }

    #[test]
    fn fast_undo_needs_a_controller_that_jumps_and_a_release() {
        // The seed is a v0.5 status: no nextStepIndex.
        let old = with(seed(), |o| {
            o["status"]["canaryStatus"]["currentStepIndex"] = json!(2)
        });
        assert!(
            decide_fast_undo(&old)
                .unwrap_err()
                .0
                .contains("v0.6 or later")
        );
        let done = with(fixtures::v1beta1_blue_green(), |o| {
            o["status"]["phase"] = json!("Healthy");
            o["status"]["conditions"] = json!([{"type": "Succeeded", "status": "True"}]);
        });
        assert_eq!(
            decide_fast_undo(&done),
            Err(Refusal("the release has already completed".into()))
        );
    }

    fn at(step: i64, state: &str) -> Rollout {
        with(fixtures::v1beta1_blue_green(), |o| {
            o["status"]["blueGreenStatus"]["currentStepIndex"] = json!(step);
            o["status"]["blueGreenStatus"]["currentStepState"] = json!(state);
        })
    }

    #[test]
    fn expect_step_approves_exactly_that_step() {
        let write = Approve::Write {
            step: 2,
            total: 3,
            queued: false,
        };
        assert_eq!(
            decide_approve_step(&at(2, "StepPaused"), 2, None),
            Ok(write)
        );
        assert_eq!(
            decide_approve_step(&at(2, "StepReady"), 2, None),
            Ok(Approve::AlreadyApproved { step: 2, total: 3 })
        );
        assert_eq!(
            decide_approve_step(&at(3, "StepUpgrade"), 2, None),
            Ok(Approve::Passed {
                step: 2,
                now: "the release is at step 3/3".into()
            })
        );
        assert_eq!(
            decide_approve_step(&at(1, "StepPaused"), 2, None),
            Err(Refusal(
                "step 2 is not reached yet: the release is at step 1/3 (StepPaused)".into()
            ))
        );
        assert!(
            decide_approve_step(&at(2, "StepUpgrade"), 2, None)
                .unwrap_err()
                .0
                .contains("StepUpgrade, not waiting for approval")
        );
        assert!(
            decide_approve_step(&at(2, "StepPaused"), 2, Some("not observed"))
                .unwrap_err()
                .0
                .contains("not current yet: not observed")
        );
        assert!(decide_approve_step(&at(1, "StepPaused"), 4, None).is_err());
        let done = with(fixtures::v1beta1_blue_green(), |o| {
            o["status"]["phase"] = json!("Healthy");
            o["status"]["conditions"] = json!([{"type": "Succeeded", "status": "True"}]);
        });
        assert!(matches!(
            decide_approve_step(&done, 3, None),
            Ok(Approve::Passed { .. })
        ));
    }

    #[test]
    fn to_step_jumps_approves_the_next_or_refuses() {
        assert_eq!(
            decide_to_step(&at(3, "StepUpgrade"), 1),
            Ok(Jump::Write(StepJump {
                from: 3,
                to: 1,
                total: 3
            }))
        );
        assert_eq!(
            decide_to_step(&at(1, "StepPaused"), 3),
            Ok(Jump::Write(StepJump {
                from: 1,
                to: 3,
                total: 3
            }))
        );
        assert!(matches!(
            decide_to_step(&at(1, "StepPaused"), 2),
            Ok(Jump::Approve(Approve::Write { step: 1, .. }))
        ));
        assert!(decide_to_step(&at(1, "StepUpgrade"), 2).is_err());
        assert_eq!(
            decide_to_step(&at(2, "StepPaused"), 2),
            Ok(Jump::Nothing("already at step 2/3".into()))
        );
        assert!(decide_to_step(&at(1, "StepPaused"), 0).is_err());
        assert!(decide_to_step(&at(1, "StepPaused"), 4).is_err());
        let v05 = decode(&seed()).unwrap();
        assert!(
            decide_to_step(&v05, 3)
                .unwrap_err()
                .0
                .contains("v0.6 or later")
        );
    }

    #[test]
    fn pause_and_resume_are_idempotent() {
        let r = decode(&seed()).unwrap();
        assert_eq!(decide_pause(&r, true), Toggle::Write(true));
        assert_eq!(decide_pause(&r, false), Toggle::Already(false));
        let p = with(seed(), |o| o["spec"]["strategy"]["paused"] = json!(true));
        assert_eq!(decide_pause(&p, true), Toggle::Already(true));
        assert_eq!(decide_pause(&p, false), Toggle::Write(false));
    }

    #[test]
    fn a_status_that_cannot_be_made_sense_of_is_never_acted_on() {
        for index in [
            json!(0),
            json!(-1),
            json!(4),
            json!(9999),
            json!(1u64 << 40),
            json!(i64::MIN),
            json!(1.5),
            json!("one"),
            json!(u64::MAX),
        ] {
            let r = with(seed(), |o| {
                o["status"]["canaryStatus"]["currentStepIndex"] = index.clone()
            });
            let why = decide_approve(&r).unwrap_err().0;
            assert!(
                why.contains("malformed")
                    || why.contains("cannot be read safely")
                    || why.contains("names no current step"),
                "{index}: {why}"
            );
            assert!(decide_to_step(&r, 2).is_err(), "{index}");
            assert!(decide_approve_step(&r, 1, None).is_err(), "{index}");
            assert!(decide_fast_undo(&r).is_err(), "{index}");
        }
        let r = with(seed(), |o| {
            o["spec"]["strategy"]["canary"]["steps"] = json!([])
        });
        assert!(decide_approve(&r).unwrap_err().0.contains("no steps"));
        let r = with(seed(), |o| {
            o["status"]["canaryStatus"]
                .as_object_mut()
                .unwrap()
                .remove("currentStepIndex")
                .map(|_| ())
                .unwrap()
        });
        assert!(
            decide_approve(&r)
                .unwrap_err()
                .0
                .contains("names no current step")
        );
        let r = with(seed(), |o| {
            o["status"]["canaryStatus"]["nextStepIndex"] = json!(40)
        });
        assert!(
            decide_to_step(&r, 2)
                .unwrap_err()
                .0
                .contains("next step 40")
        );
        for (ptr, v) in [
            ("/spec", json!([])),
            ("/spec/strategy/canary/steps", json!("3")),
            ("/status/canaryStatus/currentStepState", json!(null)),
        ] {
            let mut obj = seed();
            *obj.pointer_mut(ptr).unwrap() = v;
            let r = decode(&obj).unwrap();
            assert!(decide_approve(&r).is_err(), "{ptr}");
        }
    }

    #[test]
    fn fast_undo_from_a_huge_index_is_refused_without_walking_to_it() {
        // Walking 2^40 indices would hang this test; the range check refuses first.
        let r = with(fixtures::v1beta1_blue_green(), |o| {
            o["status"]["blueGreenStatus"]["currentStepIndex"] = json!(1u64 << 40)
        });
        assert!(decide_fast_undo(&r).unwrap_err().0.contains("malformed"));
    }
}
