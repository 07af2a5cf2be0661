//! `rollout pause` / `rollout resume`: set or clear `spec.strategy.paused`.

use anyhow::Result;
use serde_json::json;

use super::api_for;
use super::write::{Outcome, Plan, write_checked, write_object};
use crate::cli::DryRun;
use crate::cluster::select::Item;
use crate::cluster::{RolloutApi, TargetRef, WorkloadApi};
use crate::model::Rollout;
use crate::model::state::{Refusal, Stage, Toggle, decide_pause};
use crate::model::workload_verbs::{decide_workload_pause, patch_at};

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
                notes: note.into_iter().collect(),
            }
        }
    })
}

/// Pause or resume one rollout or workload.
pub async fn one(api: &RolloutApi, item: Item, pause: bool, dry_run: DryRun) -> Result<Outcome> {
    let verb = if pause { "pause" } else { "resume" };
    match &item.target {
        TargetRef::Rollout(t) => {
            write_checked(&api_for(api, &item), t, verb, dry_run, |r| plan(r, pause)).await
        }
        TargetRef::Workload { kind, name } => {
            let cluster = api.cluster().in_namespace(&item.namespace);
            let wapi = WorkloadApi::new(&cluster, *kind).object();
            let display = item.target.display();
            write_object(&wapi, name, &display, None, verb, dry_run, |obj| {
                Ok(match decide_workload_pause(*kind, obj, pause)? {
                    (Toggle::Already(true), _) => {
                        Plan::Nothing(format!("{display} is already paused"))
                    }
                    (Toggle::Already(false), _) => {
                        Plan::Nothing(format!("{display} is not paused"))
                    }
                    (Toggle::Write(p), ptr) => Plan::Write {
                        patch: patch_at(ptr, json!(p)),
                        status: false,
                        done: format!("{display} {}", if p { "paused" } else { "resumed" }),
                        notes: Vec::new(),
                    },
                })
            })
            .await
        }
        TargetRef::Batch { kind, name } => {
            let cluster = api.cluster().in_namespace(&item.namespace);
            super::batch::pause_one(&cluster, *kind, name, pause, dry_run).await
        }
        TargetRef::App { .. } => Err(item.target.not_expanded()),
    }
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
                notes,
            } => {
                assert_eq!(patch, json!({"spec": {"strategy": {"paused": true}}}));
                assert!(!status, "paused lives in the spec, not the status");
                assert_eq!(done, "rollout.rollouts.kruise.io/rollouts-nginx paused");
                assert!(notes.is_empty());
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
            Plan::Write { notes, .. } => assert!(notes[0].contains("next release")),
            Plan::Nothing(m) => panic!("{m}"),
        }
    }
}
