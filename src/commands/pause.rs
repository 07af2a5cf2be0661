//! `rollout pause` / `rollout resume`: set or clear `spec.strategy.paused`.

use anyhow::Result;
use serde_json::json;

use super::write::{Plan, write_checked};
use super::{for_each, print_object};
use crate::cli::{DryRun, ObjectFormat};
use crate::cluster::{RolloutApi, RolloutRef};
use crate::exit::Code;
use crate::model::Rollout;
use crate::model::state::{Refusal, Stage, Toggle, decide_pause};

fn plan(r: &Rollout, pause: bool) -> Result<Plan, Refusal> {
    let name = r.display_name();
    Ok(match decide_pause(r, pause) {
        Toggle::Already(true) => Plan::Nothing(format!("{name} is already paused")),
        Toggle::Already(false) => Plan::Nothing(format!("{name} is not paused")),
        Toggle::Write(paused) => {
            let stage = r.stage();
            // The controller only honours `paused` while rolling; say what it means now.
            let note = match stage {
                _ if !paused => None,
                Stage::Idle | Stage::Completed | Stage::Cancelled => Some(
                    "no release is in progress: the next release will stop at its first step"
                        .to_string(),
                ),
                Stage::Cancelling => {
                    Some("a rollback still proceeds while the rollout is paused".to_string())
                }
                Stage::Initializing | Stage::Finalising => Some(format!(
                    "the release is {}: the pause applies once it is rolling",
                    stage.as_str().to_lowercase()
                )),
                _ => None,
            };
            Plan::Write {
                patch: json!({ "spec": { "strategy": { "paused": paused } } }),
                status: false,
                done: format!("{name} {}", if paused { "paused" } else { "resumed" }),
                note,
            }
        }
    })
}

pub async fn run(
    api: &RolloutApi,
    targets: Vec<RolloutRef>,
    output: Option<ObjectFormat>,
    pause: bool,
    dry_run: DryRun,
) -> Result<Code> {
    let verb = if pause { "pause" } else { "resume" };
    for_each(targets, |t| async move {
        let outcome = write_checked(api, &t, verb, dry_run, |r| plan(r, pause)).await?;
        if let Some(note) = &outcome.note {
            eprintln!("note: {note}");
        }
        print_object(&outcome.object, &t.name, &outcome.message, output)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{decode, fixtures};

    #[test]
    fn pause_writes_the_spec_and_resume_clears_it() {
        let r = decode(&fixtures::seed_v1beta1_paused()).unwrap();
        match plan(&r, true).unwrap() {
            Plan::Write {
                patch,
                status,
                done,
                note,
            } => {
                assert_eq!(patch, json!({"spec": {"strategy": {"paused": true}}}));
                assert!(!status, "paused lives in the spec, not the status");
                assert_eq!(done, "rollout.rollouts.kruise.io/rollouts-nginx paused");
                assert_eq!(note, None);
            }
            Plan::Nothing(m) => panic!("{m}"),
        }
        assert!(
            matches!(plan(&r, false).unwrap(), Plan::Nothing(m) if m.ends_with("is not paused"))
        );
    }

    #[test]
    fn pausing_outside_a_release_says_when_it_applies() {
        let mut obj = fixtures::seed_v1beta1_paused();
        obj["status"] = json!({"phase": "Healthy"});
        match plan(&decode(&obj).unwrap(), true).unwrap() {
            Plan::Write { note, .. } => assert!(note.unwrap().contains("next release")),
            Plan::Nothing(m) => panic!("{m}"),
        }
    }
}
