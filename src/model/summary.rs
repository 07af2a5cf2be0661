//! The status summary: what `status` shows and what `status -o json|yaml` prints for
//! scripts. Its fields are documented in the README; a test pins them so that they change
//! only on purpose.

use serde::Serialize;

use super::observe::WorkloadState;
use super::state::Stage;
use super::view::{ReleaseView, of_rollout};
use super::{Pause, Rollout, Style};

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub api_version: String,
    pub name: String,
    pub namespace: String,
    pub workload: Option<WorkloadSummary>,
    /// `canary`, `partition` or `blueGreen`.
    pub strategy: &'static str,
    pub phase: Option<String>,
    /// The reason of the Progressing condition.
    pub reason: Option<String>,
    pub message: Option<String>,
    /// This plugin's reading of the state; see [`Stage`].
    pub stage: &'static str,
    /// The state in words, as every view says it: `waiting for approval at step 1/3`.
    pub state_text: String,
    /// What the release waits for now (`approval`, `pods`, `the controller`, ...).
    pub waiting_for: Option<&'static str>,
    /// Why, in a sentence.
    pub why: Option<String>,
    /// The command that moves the release on, when a person must act.
    pub next: Option<String>,
    /// Whether the workload was read (`list` does not read it: see `why`).
    pub workload_checked: bool,
    /// Why the status is not trusted yet (the controller has not observed the current spec,
    /// workload generation or rollout-id); `stage` reads `Progressing` meanwhile.
    pub waiting_for_controller: Option<String>,
    pub paused: bool,
    pub disabled: bool,
    pub stable_revision: Option<String>,
    pub canary_revision: Option<String>,
    pub current_step_index: Option<i64>,
    pub current_step_state: Option<String>,
    pub total_steps: usize,
    pub batch: Option<Batch>,
    pub steps: Vec<StepSummary>,
    pub conditions: Vec<ConditionSummary>,
    /// The one view every renderer shows; the fields above that say the same come from it.
    #[serde(skip)]
    pub view: ReleaseView,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadSummary {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    /// The workload's desired replicas, when it could be read.
    pub replicas: Option<i64>,
}

/// Progress of the current step's batch.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Batch {
    /// New-version pods that are ready.
    pub ready: i64,
    /// New-version pods the controller has created so far.
    pub replicas: i64,
    /// The pod count this step aims at (needs the workload's replicas).
    pub target: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepSummary {
    pub index: usize,
    /// As written in the spec: `1` or `50%`.
    pub replicas: Option<String>,
    /// The pod count it stands for.
    pub pods: Option<i64>,
    pub traffic: Option<String>,
    /// How many request-match rules (headers, ...) route traffic in this step.
    pub matches: usize,
    /// `manual`, `none` (moves on at once) or a duration like `30s`.
    pub pause: String,
    /// `done`, `current` or `pending`.
    pub status: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConditionSummary {
    #[serde(rename = "type")]
    pub type_: String,
    pub status: String,
    pub reason: Option<String>,
    pub message: Option<String>,
    pub last_transition_time: Option<String>,
}

/// Summarise a rollout. The workload, when it could be read, turns step targets into pod
/// counts and tells whether the status is current.
pub fn summarize(r: &Rollout, workload: Option<&WorkloadState>) -> Summary {
    let workload_replicas = workload.map(|w| w.replicas);
    let view = of_rollout(r, workload);
    let (stage, waiting_for_controller) = r.observed_stage(workload);
    let current = r.current_step();
    let total = r.steps.len();
    let all_done = matches!(stage, Stage::Completed | Stage::Finalising);
    let in_release = !stage.is_final();

    let steps = r
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let index = i + 1;
            let status = match current {
                _ if all_done => "done",
                Some(c) if in_release && (index as i64) < c => "done",
                Some(c) if in_release && index as i64 == c => "current",
                _ => "pending",
            };
            let moves_on_at_once =
                r.style != Style::BlueGreen && index == total && s.is_full_release();
            let pause = match s.pause {
                _ if moves_on_at_once => "none".to_string(),
                Pause::Seconds(0) => "none".to_string(),
                p => p.to_string(),
            };
            StepSummary {
                index,
                replicas: s.replicas.as_ref().map(ToString::to_string),
                pods: workload_replicas.and_then(|n| s.pods(n)),
                traffic: s.traffic.clone(),
                matches: s.matches,
                pause,
                status,
            }
        })
        .collect();

    let release = r.release.as_ref();
    let batch = release.filter(|_| in_release).and_then(|rel| {
        let target = current
            .and_then(|c| r.step(c))
            .zip(workload_replicas)
            .and_then(|(s, n)| s.pods(n));
        Some(Batch {
            ready: rel.ready_replicas.unwrap_or(0),
            replicas: rel.replicas?,
            target,
        })
    });

    Summary {
        api_version: r.api_version.to_string(),
        name: r.name.clone(),
        namespace: r.namespace.clone(),
        workload: r.workload.as_ref().map(|w| WorkloadSummary {
            api_version: w.api_version.clone(),
            kind: w.kind.clone(),
            name: w.name.clone(),
            replicas: workload_replicas,
        }),
        strategy: r.style.as_str(),
        phase: r.phase.clone(),
        reason: r.progressing_reason().map(str::to_string),
        message: r.message.clone(),
        stage: view.state,
        state_text: view.text.clone(),
        waiting_for: view.waiting_for,
        why: view.why.clone(),
        next: view.next.clone(),
        workload_checked: view.workload_checked,
        waiting_for_controller,
        paused: r.paused,
        disabled: r.disabled,
        stable_revision: view.stable.clone(),
        canary_revision: view.canary.clone(),
        current_step_index: current,
        current_step_state: r.current_state().map(|s| s.as_str().to_string()),
        total_steps: total,
        batch,
        steps,
        conditions: r
            .conditions
            .iter()
            .map(|c| ConditionSummary {
                type_: c.type_.clone(),
                status: c.status.clone(),
                reason: c.reason.clone(),
                message: c.message.clone(),
                last_transition_time: c.last_transition_time.clone(),
            })
            .collect(),
        view,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{decode, fixtures};
    use serde_json::json;

    #[test]
    fn the_seed_release_in_numbers() {
        let r = decode(&fixtures::seed_v1beta1_paused()).unwrap();
        let s = summarize(&r, Some(&fixtures::workload(10)));
        assert_eq!(s.stage, "WaitingForApproval");
        assert_eq!(s.strategy, "partition");
        assert_eq!((s.current_step_index, s.total_steps), (Some(1), 3));
        assert_eq!(
            s.batch,
            Some(Batch {
                ready: 1,
                replicas: 1,
                target: Some(1)
            })
        );
        let pods: Vec<_> = s.steps.iter().map(|x| x.pods).collect();
        assert_eq!(pods, [Some(1), Some(5), Some(10)]);
        let status: Vec<_> = s.steps.iter().map(|x| x.status).collect();
        assert_eq!(status, ["current", "pending", "pending"]);
        // The last canary step releases 100%: the controller does not wait there.
        assert_eq!(s.steps[2].pause, "none");
        assert_eq!(s.steps[0].pause, "manual");
    }

    #[test]
    fn without_the_workload_there_are_no_pod_counts() {
        let r = decode(&fixtures::v1beta1_blue_green()).unwrap();
        let s = summarize(&r, None);
        assert!(s.steps.iter().all(|x| x.pods.is_none()));
        assert_eq!(
            s.batch,
            Some(Batch {
                ready: 2,
                replicas: 2,
                target: None
            })
        );
        // Blue-green keeps its pauses, even on a 100% step.
        assert_eq!(s.steps[2].pause, "60s");
        assert_eq!(s.strategy, "blueGreen");
    }

    #[test]
    fn a_completed_release_has_every_step_done_and_no_batch() {
        let mut obj = fixtures::seed_v1beta1_paused();
        obj["status"]["phase"] = json!("Healthy");
        obj["status"]["conditions"] = json!([{"type": "Succeeded", "status": "True"}]);
        obj["status"]["canaryStatus"]["currentStepIndex"] = json!(3);
        obj["status"]["canaryStatus"]["currentStepState"] = json!("Completed");
        let s = summarize(&decode(&obj).unwrap(), Some(&fixtures::workload(10)));
        assert!(s.steps.iter().all(|x| x.status == "done"));
        assert_eq!(s.batch, None);
        assert_eq!(s.stage, "Completed");
    }

    #[test]
    fn the_json_field_names_are_the_documented_ones() {
        let r = decode(&fixtures::seed_v1beta1_paused()).unwrap();
        let v = serde_json::to_value(summarize(&r, Some(&fixtures::workload(10)))).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "apiVersion",
                "name",
                "namespace",
                "workload",
                "strategy",
                "phase",
                "reason",
                "message",
                "stage",
                "stateText",
                "waitingFor",
                "why",
                "next",
                "workloadChecked",
                "waitingForController",
                "paused",
                "disabled",
                "stableRevision",
                "canaryRevision",
                "currentStepIndex",
                "currentStepState",
                "totalSteps",
                "batch",
                "steps",
                "conditions"
            ]
        );
        assert_eq!(
            v["steps"][1],
            json!({"index": 2, "replicas": "50%", "pods": 5, "traffic": null, "matches": 0, "pause": "manual", "status": "pending"})
        );
        assert_eq!(v["batch"], json!({"ready": 1, "replicas": 1, "target": 1}));
        assert_eq!(
            v["workload"],
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "name": "nginx", "replicas": 10})
        );
    }
}
