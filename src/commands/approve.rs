//! `rollout approve`: move a step that waits for approval on to the next batch; for CI
//! gates, exactly one expected step (`--expect-step`), then wait until the controller has
//! acted on it (`--wait`); or move the release to a step (`--to-step`).

use std::time::Duration;

use anyhow::{Context, Result};
use futures::StreamExt;
use serde_json::json;

use super::api_for;
use super::follow::{deadline, workload_state};
use super::write::{Outcome, Plan, write_from};
use crate::cli::{ApproveArgs, DryRun};
use crate::cluster::select::Item;
use crate::cluster::{Fetched, RolloutApi, RolloutRef, TargetRef};
use crate::exit::Failure;
use crate::model::observe::staleness;
use crate::model::state::{
    Approve, Jump, Refusal, Stage, decide_approve, decide_approve_step, decide_to_step,
};
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
fn approval(r: &Rollout, a: Approve) -> Plan {
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

/// Plain `approve`: the step it is at. `seen` pins the step approved: after a conflict, a
/// rollout that has meanwhile moved to another step is not approved again.
fn plan(r: &Rollout, seen: &mut Option<i64>) -> Result<Plan, Refusal> {
    let current = r.current_step().unwrap_or(0);
    if let Some(step) = *seen
        && current != step
    {
        return if current > step {
            Ok(Plan::Nothing(format!(
                "{} step {step} was approved meanwhile; it is now at step {}",
                r.display_name(),
                r.step_label()
            )))
        } else {
            Err(Refusal(format!(
                "the rollout went back from step {step} to step {} meanwhile",
                r.step_label()
            )))
        };
    }
    *seen = Some(current);
    Ok(approval(r, decide_approve(r)?))
}

fn plan_to_step(r: &Rollout, n: i64) -> Result<Plan, Refusal> {
    Ok(match decide_to_step(r, n)? {
        Jump::Nothing(why) => Plan::Nothing(format!("{} {why}", r.display_name())),
        Jump::Approve(a) => approval(r, a),
        Jump::Write(j) => Plan::Write {
            patch: json!({ "status": { r.release_field.json_name(): { "nextStepIndex": j.to } } }),
            status: true,
            done: format!(
                "{} moves from step {}/{} to step {}/{}",
                r.display_name(),
                j.from,
                j.total,
                j.to,
                j.total
            ),
            notes: Vec::new(),
        },
    })
}

/// Whether the status is current, for `--expect-step`: one GET of the workload.
async fn stale_reason(api: &RolloutApi, fetched: &Fetched) -> Result<Option<String>> {
    let r = decode(&fetched.object).context("cannot read the rollout")?;
    // Judged by the rollout alone when the workload cannot be read.
    let workload = workload_state(api, &r, |_| {}).await?;
    Ok(staleness(&r, workload.as_ref()))
}

/// Approve one rollout (and with `--wait`, follow it past the step).
pub async fn one(
    api: &RolloutApi,
    item: Item,
    args: &ApproveArgs,
    single: bool,
) -> Result<Outcome> {
    let dry_run = args.write.dry_run;
    let t = match &item.target {
        TargetRef::Rollout(t) => t,
        TargetRef::Batch { kind, name } => {
            let cluster = api.cluster().in_namespace(&item.namespace);
            let o = super::batch::approve_one(
                &cluster,
                *kind,
                name,
                args.expect_step,
                args.wait,
                dry_run,
            )
            .await?;
            return Ok(o);
        }
        other => {
            return Err(Failure::Refused(format!(
                "cannot approve {}: approve acts on rollouts; name its rollout",
                other.display()
            ))
            .into());
        }
    };
    let api = &api_for(api, &item);
    let fetched = api.get(t).await?;
    if crate::model::batch::skips_resume(&fetched.object) {
        return Err(Failure::Refused(format!(
            "cannot approve {}: KubeVela's canary-deploy workflow step drives it \
             (controller.core.oam.dev/skip-resume); run: vela workflow resume {}",
            crate::model::display_name(&t.name),
            crate::model::batch::owning_app(&fetched.object).unwrap_or_else(|| "APP".into())
        ))
        .into());
    }
    let mut seen = None;
    let mut outcome: Outcome = match (args.to_step, args.expect_step) {
        (Some(n), _) => write_from(api, fetched, "move", dry_run, |r| plan_to_step(r, n)).await?,
        (None, Some(n)) => {
            let stale = stale_reason(api, &fetched).await?;
            write_from(api, fetched, "approve", dry_run, |r| {
                Ok(approval(r, decide_approve_step(r, n, stale.as_deref())?))
            })
            .await?
        }
        (None, None) => {
            write_from(api, fetched, "approve", dry_run, |r| plan(r, &mut seen)).await?
        }
    };
    if let Some(limit) = args.wait
        && dry_run == DryRun::None
    {
        let r = decode(&outcome.object).context("cannot read the rollout")?;
        let step = args.expect_step.or(seen).or(r.current_step()).unwrap_or(0);
        // One rollout: say it is approved before waiting, as the wait may take long.
        if single {
            super::bulk::show(&outcome, &item.target.display(), args.output)?;
            outcome.shown = true;
        }
        wait_past(api, t, r, step, limit).await?;
    }
    Ok(outcome)
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
async fn wait_past(
    api: &RolloutApi,
    t: &RolloutRef,
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
                last = decode(&obj).with_context(|| format!("cannot read rollout {}", t.name))?;
                match after(&last, step) {
                    After::Past(now) => {
                        eprintln!("{name} moved past step {step}: {now}");
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
                            eprintln!(
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
    use crate::model::{decode, fixtures};
    use serde_json::Value;

    fn patch_of(p: Plan) -> Value {
        match p {
            Plan::Write { patch, status, .. } => {
                assert!(status, "approval goes to the status subresource");
                patch
            }
            Plan::Nothing(m) => panic!("expected a write, got: {m}"),
        }
    }

    #[test]
    fn writes_the_sub_status_of_each_strategy() {
        let mut seen = None;
        let canary = decode(&fixtures::seed_v1beta1_paused()).unwrap();
        assert_eq!(
            patch_of(plan(&canary, &mut seen).unwrap()),
            json!({"status": {"canaryStatus": {"currentStepState": "StepReady"}}})
        );
        let mut seen = None;
        let bg = decode(&fixtures::v1beta1_blue_green()).unwrap();
        assert_eq!(
            patch_of(plan(&bg, &mut seen).unwrap()),
            json!({"status": {"blueGreenStatus": {"currentStepState": "StepReady"}}})
        );
    }

    #[test]
    fn a_retry_never_approves_a_later_step() {
        let mut seen = Some(1);
        let mut obj = fixtures::seed_v1beta1_paused();
        obj["status"]["canaryStatus"]["currentStepIndex"] = json!(2);
        let r = decode(&obj).unwrap();
        match plan(&r, &mut seen).unwrap() {
            Plan::Nothing(m) => assert!(m.contains("step 1 was approved meanwhile"), "{m}"),
            Plan::Write { .. } => panic!("must not approve step 2"),
        }
    }

    #[test]
    fn a_jump_writes_next_step_index() {
        let mut obj = fixtures::v1beta1_blue_green();
        obj["status"]["blueGreenStatus"]["currentStepIndex"] = json!(3);
        let r = decode(&obj).unwrap();
        assert_eq!(
            patch_of(plan_to_step(&r, 1).unwrap()),
            json!({"status": {"blueGreenStatus": {"nextStepIndex": 1}}})
        );
    }

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
