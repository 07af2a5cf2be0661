//! `rollout approve`: move a step that waits for approval on to the next batch; for CI
//! gates, exactly one expected step (`--expect-step`), then wait until the controller has
//! acted on it (`--wait`); or move the release to a step (`--to-step`).

use anyhow::{Context, Result};
use serde_json::json;

use super::analysis::{self as gate, Gate};
use super::api_for;
use super::approval::{approval, wait_past};
use super::follow::workload_state;
use super::write::{Outcome, Plan, write_from};
use crate::cli::{ApproveArgs, DryRun};
use crate::cluster::select::Item;
use crate::cluster::{Fetched, RolloutApi, TargetRef};
use crate::exit::Failure;
use crate::model::analysis::RolloutArgs;
use crate::model::gate::Until;
use crate::model::observe::staleness;
use crate::model::state::{Jump, Refusal, decide_approve, decide_approve_step, decide_to_step};
use crate::model::{Rollout, decode};

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

/// `--analysis`: when the approval would be written, run the analysis for that step first
/// and go on only when it is Successful. `seen` pins the step judged, so a rollout that
/// moves on meanwhile is not approved on an earlier step's metrics.
async fn judge_first(
    api: &RolloutApi,
    fetched: &Fetched,
    g: &Gate,
    expect: Option<i64>,
    stale: Option<&str>,
    seen: &mut Option<i64>,
) -> Result<()> {
    let r = decode(&fetched.object).context("cannot read the rollout")?;
    let decided = match expect {
        Some(n) => decide_approve_step(&r, n, stale).map(|a| approval(&r, a)),
        None => plan(&r, seen),
    };
    match decided {
        Err(why) => {
            Err(Failure::Refused(format!("cannot approve {}: {why}", r.display_name())).into())
        }
        Ok(Plan::Nothing(_)) => Ok(()),
        Ok(Plan::Write { .. }) => {
            let step = expect.or(r.current_step()).unwrap_or(0);
            let filled = RolloutArgs::of(&r, Some(step));
            let report = gate::judge(
                api.cluster(),
                &fetched.object,
                &g.template,
                &filled,
                &g.given,
            )
            .await?;
            gate::verdict(
                &report,
                &format!("{} step {step} not approved", r.display_name()),
            )
        }
    }
}

/// Approve one rollout (and with `--wait`, follow it past the step).
pub async fn one(
    api: &RolloutApi,
    item: Item,
    args: &ApproveArgs,
    single: bool,
    analysis: Option<&Gate>,
) -> Result<Outcome> {
    let dry_run = args.write.dry_run;
    let t = match &item.target {
        TargetRef::Rollout(t) => t,
        TargetRef::Batch { kind, name } => {
            let cluster = api.cluster().in_namespace(&item.namespace);
            if let Some(g) = analysis {
                let object = crate::cluster::batch_api(&cluster, *kind).get(name).await?;
                let filled = RolloutArgs::named(name, &item.namespace, args.expect_step);
                let report = gate::judge(&cluster, &object, &g.template, &filled, &g.given).await?;
                gate::verdict(&report, &format!("{} not approved", item.target.display()))?;
            }
            // A release train waits for a KubeVela batch as `--wait` does.
            let o = super::batch::approve_one(
                &cluster,
                *kind,
                name,
                args.expect_step,
                args.wait.or(args.one_by_one.then_some(args.timeout)),
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
    let stale = match args.expect_step {
        Some(_) if args.to_step.is_none() => stale_reason(api, &fetched).await?,
        _ => None,
    };
    if let Some(g) = analysis {
        judge_first(
            api,
            &fetched,
            g,
            args.expect_step,
            stale.as_deref(),
            &mut seen,
        )
        .await?;
    }
    let mut outcome: Outcome = match (args.to_step, args.expect_step) {
        (Some(n), _) => write_from(api, fetched, "move", dry_run, |r| plan_to_step(r, n)).await?,
        (None, Some(n)) => {
            write_from(api, fetched, "approve", dry_run, |r| {
                Ok(approval(r, decide_approve_step(r, n, stale.as_deref())?))
            })
            .await?
        }
        (None, None) => {
            write_from(api, fetched, "approve", dry_run, |r| plan(r, &mut seen)).await?
        }
    };
    // A release train's car waits as --wait does, then for the next batch to be ready.
    let wait = args.wait.or(args.one_by_one.then_some(args.timeout));
    if let Some(limit) = wait
        && dry_run == DryRun::None
    {
        let started = std::time::Instant::now();
        let r = decode(&outcome.object).context("cannot read the rollout")?;
        let step = args.expect_step.or(seen).or(r.current_step()).unwrap_or(0);
        let total = r.steps.len() as i64;
        // One rollout: say it is approved before waiting, as the wait may take long.
        if single {
            super::bulk::show(&outcome, &item.target.display(), args.output)?;
            outcome.shown = true;
        }
        wait_past(api, &t.name, r, step, limit).await?;
        if args.one_by_one {
            let until = if step < total {
                Until::Step(step + 1)
            } else {
                Until::Completed
            };
            let left = if limit.is_zero() {
                limit
            } else {
                limit
                    .saturating_sub(started.elapsed())
                    .max(std::time::Duration::from_millis(1))
            };
            let ready = super::status::wait_until(api, t, until, left).await?;
            crate::errln!("{ready}");
        }
    }
    Ok(outcome)
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
}
