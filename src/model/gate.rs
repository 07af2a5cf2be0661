//! Conditions a CI gate waits for (`status --until`), and whether a rollout meets one, can
//! still meet it, or never will.

use std::fmt;
use std::str::FromStr;

use super::Rollout;
use super::StepState;
use super::observe::WorkloadState;
use super::state::Stage;

/// `--until=paused|step=N|completed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Until {
    /// The current step waits for approval.
    Paused,
    /// Step N's batch is ready: the release is at step N and it is paused, approved or
    /// done, or it is past step N.
    Step(i64),
    /// The release finished and the rollout is healthy.
    Completed,
}

impl FromStr for Until {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "paused" => Ok(Until::Paused),
            "completed" => Ok(Until::Completed),
            _ => match s.strip_prefix("step=").map(str::parse::<i64>) {
                Some(Ok(n)) if n >= 1 => Ok(Until::Step(n)),
                _ => Err(format!(
                    "{s:?} is not a condition; use paused, step=N (N from 1) or completed"
                )),
            },
        }
    }
}

impl fmt::Display for Until {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Until::Paused => f.write_str("paused"),
            Until::Step(n) => write!(f, "step={n}"),
            Until::Completed => f.write_str("completed"),
        }
    }
}

/// Where a rollout stands against a condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// It holds; why, for the person reading the log.
    Holds(String),
    /// Not yet; it still can.
    Wait,
    /// It never will without a new release (exit 4).
    Never(String),
}

/// Judge `r` against `until`, trusting its status only once the controller has observed
/// the current spec and workload (see [`Rollout::observed_stage`]).
pub fn check(until: Until, r: &Rollout, w: Option<&WorkloadState>) -> Verdict {
    let total = r.steps.len() as i64;
    let (stage, stale) = r.observed_stage(w);
    match stage {
        Stage::Cancelled | Stage::Cancelling => {
            return Verdict::Never("the release was cancelled or rolled back".into());
        }
        Stage::Disabled => return Verdict::Never("the rollout is disabled".into()),
        Stage::Terminating => return Verdict::Never("the rollout is being deleted".into()),
        _ => {}
    }
    if stale.is_some() {
        // The step fields describe the previous spec or publication.
        return Verdict::Wait;
    }
    let at = r.step_label();
    match until {
        Until::Paused => match stage {
            Stage::WaitingForApproval => {
                Verdict::Holds(format!("step {at} is waiting for approval"))
            }
            Stage::Completed => {
                Verdict::Never("the release completed without waiting for approval".into())
            }
            _ => Verdict::Wait,
        },
        Until::Step(n) if n > total => {
            Verdict::Never(format!("it has {total} steps, so step {n} never comes"))
        }
        Until::Step(n) => {
            let index = r.current_step().unwrap_or(0);
            let state = r.current_state();
            let ready = matches!(
                state,
                Some(StepState::StepPaused | StepState::StepReady | StepState::Completed)
            );
            match stage {
                Stage::Completed | Stage::Finalising => {
                    Verdict::Holds(format!("step {n} is done; every step of the release is"))
                }
                Stage::Idle | Stage::Initializing => Verdict::Wait,
                _ if index > n => Verdict::Holds(format!("step {n} is done; now at step {at}")),
                _ if index == n && ready => Verdict::Holds(format!(
                    "step {at} is ready ({})",
                    state.map(StepState::as_str).unwrap_or_default()
                )),
                _ => Verdict::Wait,
            }
        }
        Until::Completed => match stage {
            Stage::Completed => Verdict::Holds("the release completed".into()),
            _ => Verdict::Wait,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{decode, fixtures};
    use serde_json::{Value, json};

    fn seed_with(f: impl FnOnce(&mut Value)) -> Rollout {
        let mut obj = fixtures::seed_v1beta1_paused();
        f(&mut obj);
        decode(&obj).unwrap()
    }

    fn at(step: i64, state: &str) -> Rollout {
        seed_with(|o| {
            o["status"]["canaryStatus"]["currentStepIndex"] = json!(step);
            o["status"]["canaryStatus"]["currentStepState"] = json!(state);
        })
    }

    fn completed() -> Rollout {
        seed_with(|o| {
            o["status"]["phase"] = json!("Healthy");
            o["status"]["conditions"] = json!([
                {"type": "Progressing", "status": "False", "reason": "Completed"},
                {"type": "Succeeded", "status": "True"}
            ]);
            o["status"]["canaryStatus"]["currentStepIndex"] = json!(3);
            o["status"]["canaryStatus"]["currentStepState"] = json!("Completed");
        })
    }

    fn holds(v: Verdict) -> bool {
        matches!(v, Verdict::Holds(_))
    }

    #[test]
    fn conditions_parse() {
        assert_eq!("paused".parse(), Ok(Until::Paused));
        assert_eq!("step=2".parse(), Ok(Until::Step(2)));
        assert_eq!("completed".parse(), Ok(Until::Completed));
        for bad in ["step=0", "step=x", "done", "step"] {
            assert!(bad.parse::<Until>().is_err(), "{bad}");
        }
        assert_eq!(Until::Step(3).to_string(), "step=3");
    }

    #[test]
    fn paused_holds_only_for_a_step_waiting_for_approval() {
        assert!(holds(check(Until::Paused, &at(1, "StepPaused"), None)));
        assert_eq!(
            check(Until::Paused, &at(1, "StepUpgrade"), None),
            Verdict::Wait
        );
        assert_eq!(
            check(Until::Paused, &at(1, "StepReady"), None),
            Verdict::Wait
        );
        assert!(matches!(
            check(Until::Paused, &completed(), None),
            Verdict::Never(_)
        ));
    }

    #[test]
    fn step_n_holds_once_its_batch_is_ready_or_passed() {
        let step2 = Until::Step(2);
        assert_eq!(check(step2, &at(1, "StepPaused"), None), Verdict::Wait);
        assert_eq!(check(step2, &at(2, "StepUpgrade"), None), Verdict::Wait);
        assert_eq!(
            check(step2, &at(2, "StepTrafficRouting"), None),
            Verdict::Wait
        );
        assert_eq!(
            check(step2, &at(2, "StepPaused"), None),
            Verdict::Holds("step 2/3 is ready (StepPaused)".into())
        );
        assert!(holds(check(step2, &at(2, "StepReady"), None)));
        assert!(holds(check(step2, &at(3, "StepUpgrade"), None)));
        assert!(holds(check(step2, &completed(), None)));
        assert_eq!(
            check(Until::Step(4), &at(1, "StepPaused"), None),
            Verdict::Never("it has 3 steps, so step 4 never comes".into())
        );
    }

    #[test]
    fn completed_holds_only_when_the_release_finished() {
        assert!(holds(check(Until::Completed, &completed(), None)));
        assert_eq!(
            check(Until::Completed, &at(3, "Completed"), None),
            Verdict::Wait
        );
    }

    #[test]
    fn a_stale_status_never_satisfies_a_condition() {
        // The previous release completed; a new image is applied (workload generation 37)
        // and the controller has not reacted yet.
        let new_image = WorkloadState {
            replicas: 10,
            generation: Some(37),
            rollout_id: None,
        };
        let mut obj = fixtures::seed_v1beta1_paused();
        obj["status"]["phase"] = json!("Healthy");
        obj["status"]["conditions"] = json!([{"type": "Succeeded", "status": "True"}]);
        let done = decode(&obj).unwrap();
        assert!(holds(check(Until::Completed, &done, None)));
        for until in [Until::Completed, Until::Paused, Until::Step(1)] {
            assert_eq!(
                check(until, &done, Some(&new_image)),
                Verdict::Wait,
                "{until}"
            );
        }
        // Likewise an old cancelled release does not fail the gate of the new one.
        obj["status"]["conditions"] = json!([{"type": "Succeeded", "status": "False"}]);
        let cancelled = decode(&obj).unwrap();
        assert!(matches!(
            check(Until::Completed, &cancelled, None),
            Verdict::Never(_)
        ));
        assert_eq!(
            check(Until::Completed, &cancelled, Some(&new_image)),
            Verdict::Wait
        );
    }

    #[test]
    fn fail_fast_on_rollback_disable_and_delete() {
        for (what, f) in [
            ("cancelling", json!({"reason": "Cancelling"})),
            ("disabled", json!({"disabled": true})),
            ("terminating", json!({"phase": "Terminating"})),
        ] {
            let r = seed_with(|o| {
                if let Some(reason) = f.get("reason") {
                    o["status"]["conditions"][0]["reason"] = reason.clone();
                }
                if f.get("disabled").is_some() {
                    o["spec"]["disabled"] = json!(true);
                }
                if let Some(p) = f.get("phase") {
                    o["status"]["phase"] = p.clone();
                }
            });
            for until in [Until::Paused, Until::Step(1), Until::Completed] {
                assert!(
                    matches!(check(until, &r, None), Verdict::Never(_)),
                    "{what} {until}"
                );
            }
        }
    }
}
