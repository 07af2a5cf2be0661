//! An approval as every verb that approves writes it (approve, autopilot): the status
//! write of one decision, and the wait until the controller has moved past the step,
//! approving again when the controller overwrote the approval.

use std::time::Duration;

use anyhow::{Context, Result};
use futures::StreamExt;
use serde_json::json;

use super::follow::deadline;
use super::write::{Plan, write_from};
use crate::cli::DryRun;
use crate::cluster::RolloutApi;
use crate::exit::Failure;
use crate::model::state::{Approve, Stage, decide_approve_step};
use crate::model::{Rollout, StepState, decode};

/// How often `--wait` approves again after the controller overwrote an approval.
const MAX_REAPPROVALS: u32 = 5;

fn next_label(step: i64, total: usize) -> String {
    if step >= total as i64 {
        "complete".to_string()
    } else {
        format!("{}/{total}", step + 1)
    }
}

/// The write or the no-op for an approval decision.
pub(crate) fn approval(r: &Rollout, a: Approve) -> Plan {
    let name = r.display_name();
    match a {
        Approve::AlreadyApproved { step, total } => {
            Plan::Nothing(format!("{name} already approved (step {step}/{total})"))
        }
        Approve::Passed { step, now } => {
            Plan::Nothing(format!("{name} step {step} is done already: {now}"))
        }
        Approve::Write {
            step,
            total,
            queued,
        } => {
            let field = r.release_field.json_name();
            Plan::Write {
                // Only the sub-status field: the controller reads nothing else, and rewrites
                // the top-level mirror from it.
                patch: json!({ "status": { field: { "currentStepState": "StepReady" } } }),
                status: true,
                done: format!(
                    "{name} approved (step {step}/{total} -> {})",
                    next_label(step, total)
                ),
                notes: queued
                    .then(|| {
                        "the rollout is paused: the approval takes effect when it is resumed \
                         (kubectl kruise rollout resume)"
                            .to_string()
                    })
                    .into_iter()
                    .collect(),
            }
        }
    }
}

/// Where a rollout stands after the approval of `step`.
enum After {
    Past(String),
    Failed(String),
    /// Back at `StepPaused` on the same step: the controller wrote a status computed
    /// before the approval over it.
    Lost,
    Waiting,
}

fn after(r: &Rollout, step: i64) -> After {
    let index = r.current_step().unwrap_or(0);
    match r.stage() {
        Stage::Cancelled | Stage::Cancelling => {
            After::Failed("the release was cancelled or rolled back".into())
        }
        Stage::Disabled => After::Failed("the rollout is disabled".into()),
        Stage::Terminating => After::Failed("the rollout is being deleted".into()),
        Stage::Completed | Stage::Finalising => {
            After::Past("every step is done; the release is completing".into())
        }
        _ if index > step => After::Past(format!("now at step {}", r.step_label())),
        _ if index == step && r.current_state() == Some(&StepState::StepPaused) => After::Lost,
        _ => After::Waiting,
    }
}

/// `--wait`: follow the rollout until the controller has moved past `step`, approving
/// again (at most [`MAX_REAPPROVALS`] times) when it overwrote the approval.
pub(crate) async fn wait_past(
    api: &RolloutApi,
    name_of: &str,
    approved: Rollout,
    step: i64,
    limit: Duration,
) -> Result<()> {
    let name = approved.display_name();
    let target = crate::cluster::Target {
        name: approved.name.clone(),
        version: approved.api_version,
    };
    let stream = api.watch(&target);
    futures::pin_mut!(stream);
    let timeout = deadline(limit);
    futures::pin_mut!(timeout);
    let interrupted = tokio::signal::ctrl_c();
    futures::pin_mut!(interrupted);
    let mut again = 0;
    let mut last = approved;
    loop {
        tokio::select! {
            ev = stream.next() => {
                let obj = match ev {
                    Some(Ok(Some(obj))) => obj,
                    Some(Ok(None)) => {
                        return Err(Failure::RolloutFailed(format!("{name} was deleted")).into());
                    }
                    Some(Err(e)) => {
                        return Err(anyhow::Error::new(e).context(format!("cannot watch {name}")));
                    }
                    None => anyhow::bail!("the watch of {name} ended unexpectedly"),
                };
                last = decode(&obj).with_context(|| format!("cannot read rollout {}", name_of))?;
                match after(&last, step) {
                    After::Past(now) => {
                        crate::errln!("{name} moved past step {step}: {now}");
                        return Ok(());
                    }
                    After::Failed(why) => {
                        return Err(Failure::RolloutFailed(format!(
                            "{name} did not move past step {step}: {why}"
                        ))
                        .into());
                    }
                    After::Lost if again < MAX_REAPPROVALS => {
                        // The event may be an old one, still in the stream from before the
                        // approval: only a fresh read tells whether it was overwritten.
                        // The write is conditional on that read, as every approval is.
                        let fetched = api.reread(&target).await?;
                        let done = write_from(api, fetched, "approve", DryRun::None, |r| {
                            Ok(approval(r, decide_approve_step(r, step, None)?))
                        })
                        .await?;
                        if done.result == "approved" {
                            again += 1;
                            crate::errln!(
                                "note: the controller overwrote the approval of step {step}; \
                                 approved again ({again}/{MAX_REAPPROVALS})"
                            );
                        }
                    }
                    After::Lost => anyhow::bail!(
                        "the controller overwrote the approval of step {step} of {name} \
                         {MAX_REAPPROVALS} times; check the controller's logs"
                    ),
                    After::Waiting => {}
                }
            }
            _ = &mut timeout => {
                return Err(Failure::TimedOut(format!(
                    "timed out after {} waiting for {name} to move past step {step}; it is at step {} ({})",
                    humantime::format_duration(limit),
                    last.step_label(),
                    last.current_state().map(StepState::as_str).unwrap_or("no state")
                ))
                .into());
            }
            _ = &mut interrupted => return Err(Failure::Interrupted.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures;

    #[test]
    fn after_an_approval_an_unchanged_paused_step_means_it_was_lost() {
        let paused = decode(&fixtures::seed_v1beta1_paused()).unwrap();
        assert!(matches!(after(&paused, 1), After::Lost));
        let mut obj = fixtures::seed_v1beta1_paused();
        obj["status"]["canaryStatus"]["currentStepState"] = json!("StepReady");
        assert!(matches!(after(&decode(&obj).unwrap(), 1), After::Waiting));
        obj["status"]["canaryStatus"]["currentStepIndex"] = json!(2);
        obj["status"]["canaryStatus"]["currentStepState"] = json!("StepUpgrade");
        assert!(matches!(after(&decode(&obj).unwrap(), 1), After::Past(_)));
    }

    #[test]
    fn the_last_step_leads_to_completion() {
        assert_eq!(next_label(3, 3), "complete");
        assert_eq!(next_label(1, 3), "2/3");
    }
}
