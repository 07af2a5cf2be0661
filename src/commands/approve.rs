//! `rollout approve`: move a step that waits for approval on to the next batch.

use anyhow::Result;
use serde_json::json;

use super::write::{Plan, write_checked};
use super::{for_each, print_object};
use crate::cli::{DryRun, ObjectFormat};
use crate::cluster::{RolloutApi, RolloutRef};
use crate::exit::Code;
use crate::model::Rollout;
use crate::model::state::{Approve, Refusal, decide_approve};

fn next_label(step: i64, total: usize) -> String {
    if step >= total as i64 {
        "complete".to_string()
    } else {
        format!("{}/{total}", step + 1)
    }
}

/// The plan for one read of the rollout. `seen` pins the step approved: after a conflict,
/// a rollout that has meanwhile moved to another step is not approved again.
fn plan(r: &Rollout, seen: &mut Option<i64>) -> Result<Plan, Refusal> {
    let name = r.display_name();
    let current = r.current_step().unwrap_or(0);
    if let Some(step) = *seen
        && current != step
    {
        return if current > step {
            Ok(Plan::Nothing(format!(
                "{name} step {step} was approved meanwhile; it is now at step {}",
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
    match decide_approve(r)? {
        Approve::AlreadyApproved { step, total } => Ok(Plan::Nothing(format!(
            "{name} already approved (step {step}/{total})"
        ))),
        Approve::Write {
            step,
            total,
            queued,
        } => {
            let field = r.release_field.json_name();
            let done = format!(
                "{name} approved (step {step}/{total} -> {})",
                next_label(step, total)
            );
            Ok(Plan::Write {
                // Only the sub-status field: the controller reads nothing else, and rewrites
                // the top-level mirror from it.
                patch: json!({ "status": { field: { "currentStepState": "StepReady" } } }),
                status: true,
                done,
                note: queued.then(|| {
                    "the rollout is paused: the approval takes effect when it is resumed \
                     (kubectl kruise rollout resume)"
                        .to_string()
                }),
            })
        }
    }
}

pub async fn run(
    api: &RolloutApi,
    targets: Vec<RolloutRef>,
    output: Option<ObjectFormat>,
    dry_run: DryRun,
) -> Result<Code> {
    for_each(targets, |t| async move {
        let mut seen = None;
        let outcome = write_checked(api, &t, "approve", dry_run, |r| plan(r, &mut seen)).await?;
        if let Some(note) = &outcome.note {
            eprintln!("note: {note}");
        }
        print_object(&outcome.object, &t.name, &outcome.message, output)?;
        Ok(())
    })
    .await
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
    fn the_last_step_leads_to_completion() {
        assert_eq!(next_label(3, 3), "complete");
        assert_eq!(next_label(1, 3), "2/3");
    }
}
