//! The one view of a release: where it stands, in words, as every view shows it (`list`,
//! `list --watch`, `status`, `status --watch`, history's marks, JSON, many clusters). Views
//! render a [`ReleaseView`]; none computes its own words, so no two can disagree.
//!
//! A view that read less says so instead of guessing: `list` reads no workloads, so its
//! views carry `workload_checked: false` and a `why` that says what was not checked.

use super::observe::WorkloadState;
use super::state::Stage;
use super::{Pause, Rollout, StepState};

/// A release as every view shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReleaseView {
    /// The type as kubectl names it: `rollout.rollouts.kruise.io`,
    /// `approllout.core.oam.dev`, `rollout.standard.oam.dev` (the KIND column).
    pub kind: String,
    pub name: String,
    pub namespace: String,
    /// `Deployment/nginx`, or KubeVela's component (or target revision).
    pub workload: Option<String>,
    /// `canary`, `partition`, `blueGreen`, or `batch` for KubeVela's kinds.
    pub strategy: &'static str,
    /// The phase as the controller writes it (KubeVela: the rolling state).
    pub phase: Option<String>,
    /// The state word a script matches: `WaitingForApproval`, `Progressing`, ...
    pub state: &'static str,
    /// The current step, 1-based.
    pub step: Option<i64>,
    pub total_steps: usize,
    /// The state in words: `waiting for approval at step 2/3`.
    pub text: String,
    /// What the release waits for now: `approval`, `pods`, `the controller`, ...
    pub waiting_for: Option<&'static str>,
    /// Why, in a sentence: `2 of 5 pods of step 2 ready`.
    pub why: Option<String>,
    /// New-version pods ready, of those made so far.
    pub ready: Option<(i64, i64)>,
    /// The revisions as users see them on ReplicaSets or ControllerRevisions.
    pub stable: Option<String>,
    pub canary: Option<String>,
    /// The command line that moves the release on, when a person must act.
    pub next: Option<String>,
    pub message: Option<String>,
    /// The workload was read: its pod count and whether the controller saw its last change.
    pub workload_checked: bool,
}

impl ReleaseView {
    /// `2/3`, or `-/3` outside a release.
    pub fn step_label(&self) -> String {
        match self.step {
            Some(i) => format!("{i}/{}", self.total_steps),
            None => format!("-/{}", self.total_steps),
        }
    }

    /// `2/5`: ready of made, or `-`.
    pub fn ready_label(&self) -> String {
        self.ready
            .map_or_else(|| "-".to_string(), |(r, of)| format!("{r}/{of}"))
    }

    /// `namespace/name`.
    pub fn qualified(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

/// The revisions a release moves between, named as users see them: the stable revision,
/// and for the canary the `pod-template-hash` of its ReplicaSet (`podTemplateHash`) where
/// the controller wrote one, else Kruise's own hash (`canaryRevision`/`updatedRevision`).
pub fn revision_names(r: &Rollout) -> (Option<String>, Option<String>) {
    let Some(rel) = r.release.as_ref() else {
        return (None, None);
    };
    let nonempty = |s: &Option<String>| s.clone().filter(|v| !v.is_empty());
    (
        nonempty(&rel.stable_revision),
        nonempty(&rel.pod_template_hash).or_else(|| nonempty(&rel.update_revision)),
    )
}

pub(crate) fn command(verb: &str, target: &str, namespace: &str) -> String {
    let ns = if namespace.is_empty() {
        String::new()
    } else {
        format!(" -n {namespace}")
    };
    format!("kubectl kruise rollout {verb} {target}{ns}")
}

/// The view of a Kruise Rollout; `workload` when it was read (`status` reads it, `list`
/// does not).
pub fn of_rollout(r: &Rollout, workload: Option<&WorkloadState>) -> ReleaseView {
    let (stage, stale) = r.observed_stage(workload);
    let step = r.current_step();
    let total = r.steps.len();
    let at = step.map_or(String::new(), |i| format!(" at step {i}/{total}"));
    let rel = r.release.as_ref();
    let in_release = !stage.is_final();
    let ready = rel
        .filter(|_| in_release)
        .and_then(|x| Some((x.ready_replicas.unwrap_or(0), x.replicas?)));
    // The pods this step aims at: needs the workload's replicas.
    let target = step
        .and_then(|i| r.step(i))
        .zip(workload)
        .and_then(|(s, w)| s.pods(w.replicas));
    let pods_line = |ready: i64, made: i64| match (target, step) {
        (Some(t), Some(i)) => format!("{ready} of {t} pods of step {i} ready"),
        (None, Some(i)) => format!("{ready} of {made} new pods of step {i} ready"),
        _ => format!("{ready} of {made} new pods ready"),
    };
    let state_word = r.current_state().map(StepState::as_str).unwrap_or("-");
    let (text, waiting_for, why): (String, Option<&'static str>, Option<String>) = match stage {
        Stage::WaitingForApproval => (
            format!("waiting for approval{at}"),
            Some("approval"),
            Some(match (ready, workload.is_some()) {
                (Some((ok, made)), true) => format!("the batch is ready: {}", pods_line(ok, made)),
                (Some((ok, made)), false) => format!(
                    "{}; not checked against the workload (status reads it)",
                    pods_line(ok, made)
                ),
                (None, _) => "the step's batch is ready".to_string(),
            }),
        ),
        Stage::WaitingForTimer => {
            let pause = step
                .and_then(|i| r.step(i))
                .map(|s| s.pause)
                .and_then(|p| match p {
                    Pause::Seconds(n) => Some(format!("{n}s")),
                    _ => None,
                })
                .unwrap_or_else(|| "its pause".into());
            (
                format!("batch ready{at}, moving on after its pause"),
                Some("its pause"),
                Some(format!("the step pauses {pause}, then moves on by itself")),
            )
        }
        Stage::Progressing if stale.is_some() => (
            format!("waiting for the controller{at}"),
            Some("the controller"),
            stale.clone(),
        ),
        Stage::Progressing => {
            let (what, why) = match r.current_state() {
                Some(StepState::StepTrafficRouting) => (
                    "traffic",
                    Some(
                        match step.and_then(|i| r.step(i)).and_then(|s| s.traffic.clone()) {
                            Some(t) => format!("traffic is moving to {t}"),
                            None => "traffic is moving".to_string(),
                        },
                    ),
                ),
                Some(StepState::StepMetricsAnalysis) => (
                    "metrics analysis",
                    Some("the controller runs the step's analysis".to_string()),
                ),
                Some(StepState::StepReady) => (
                    "the controller",
                    Some("the step is approved; the controller moves to the next".to_string()),
                ),
                _ => ("pods", ready.map(|(ok, made)| pods_line(ok, made))),
            };
            (format!("upgrading{at} ({state_word})"), Some(what), why)
        }
        Stage::Paused => (
            format!("paused{at}"),
            Some("resume"),
            Some(
                if r.paused {
                    "spec.strategy.paused is set"
                } else {
                    "the controller reports the release paused"
                }
                .to_string(),
            ),
        ),
        Stage::Initializing => (
            "initializing a new release".to_string(),
            Some("the controller"),
            Some("the controller sets the release up".to_string()),
        ),
        Stage::Finalising => (
            "all steps done, finalising".to_string(),
            Some("the controller"),
            Some("the controller restores the workload and traffic".to_string()),
        ),
        Stage::Cancelling => (
            "release being cancelled (rolled back)".to_string(),
            Some("the controller"),
            Some("the controller rolls every batch back".to_string()),
        ),
        Stage::Completed => ("release completed".to_string(), None, None),
        Stage::Cancelled => (
            "last release was cancelled or rolled back".to_string(),
            None,
            r.condition("Succeeded").and_then(|c| c.message.clone()),
        ),
        Stage::Disabled => (
            "rollout disabled".to_string(),
            None,
            Some("spec.disabled is set".into()),
        ),
        Stage::Terminating => ("rollout being deleted".to_string(), None, None),
        Stage::Idle => ("no release in progress".to_string(), None, None),
    };
    let next = match stage {
        Stage::WaitingForApproval => Some(command("approve", &r.name, &r.namespace)),
        Stage::Paused => Some(command("resume", &r.name, &r.namespace)),
        _ => None,
    };
    let (stable, canary) = revision_names(r);
    ReleaseView {
        kind: format!("rollout.{}", super::GROUP),
        name: r.name.clone(),
        namespace: r.namespace.clone(),
        workload: r
            .workload
            .as_ref()
            .map(|w| format!("{}/{}", w.kind, w.name)),
        strategy: r.style.as_str(),
        phase: r.phase.clone(),
        state: stage.as_str(),
        step,
        total_steps: total,
        text,
        waiting_for,
        why,
        ready,
        stable,
        canary,
        next,
        message: r.message.clone(),
        workload_checked: workload.is_some(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{decode, fixtures};
    use serde_json::json;

    #[test]
    fn the_seed_release_waits_for_approval_with_its_batch_ready() {
        let r = decode(&fixtures::seed_v1beta1_paused()).unwrap();
        let v = of_rollout(&r, Some(&fixtures::workload(10)));
        assert_eq!(v.state, "WaitingForApproval");
        assert_eq!(v.text, "waiting for approval at step 1/3");
        assert_eq!(v.waiting_for, Some("approval"));
        assert_eq!(
            v.why.as_deref(),
            Some("the batch is ready: 1 of 1 pods of step 1 ready")
        );
        assert_eq!(
            v.next.as_deref(),
            Some("kubectl kruise rollout approve rollouts-nginx -n default")
        );
        assert!(v.workload_checked);
        // Without the workload: the same state, and the view says what it did not check.
        let v = of_rollout(&r, None);
        assert_eq!(v.state, "WaitingForApproval");
        assert!(!v.workload_checked);
        assert!(v.why.unwrap().contains("not checked against the workload"));
    }

    #[test]
    fn a_status_the_controller_has_not_caught_up_with_says_so() {
        let r = decode(&fixtures::seed_v1beta1_paused()).unwrap();
        let w = WorkloadState {
            replicas: 10,
            generation: Some(37),
            rollout_id: None,
        };
        let v = of_rollout(&r, Some(&w));
        assert_eq!(v.state, "Progressing");
        assert_eq!(v.text, "waiting for the controller at step 1/3");
        assert_eq!(v.waiting_for, Some("the controller"));
        assert!(v.why.unwrap().contains("generation 37 (observed 36)"));
        assert_eq!(v.next, None);
    }

    #[test]
    fn the_canary_is_named_by_the_hash_on_its_replicaset() {
        let mut obj = fixtures::seed_v1beta1_paused();
        obj["status"]["canaryStatus"]["podTemplateHash"] = json!("d7f5d89c9");
        let r = decode(&obj).unwrap();
        let v = of_rollout(&r, None);
        assert_eq!(v.canary.as_deref(), Some("d7f5d89c9"));
        assert_eq!(v.stable.as_deref(), Some("68556bc579"));
        // Without one, Kruise's own hash.
        obj["status"]["canaryStatus"]["podTemplateHash"] = json!("");
        let v = of_rollout(&decode(&obj).unwrap(), None);
        assert_eq!(v.canary.as_deref(), Some("5c9556986d"));
    }

    #[test]
    fn a_batch_in_progress_says_how_many_pods_are_ready() {
        let mut obj = fixtures::seed_v1beta1_paused();
        obj["status"]["canaryStatus"]["currentStepState"] = json!("StepUpgrade");
        obj["status"]["canaryStatus"]["canaryReadyReplicas"] = json!(3);
        obj["status"]["canaryStatus"]["canaryReplicas"] = json!(5);
        obj["status"]["canaryStatus"]["currentStepIndex"] = json!(2);
        obj["status"]["currentStepIndex"] = json!(2);
        let v = of_rollout(&decode(&obj).unwrap(), Some(&fixtures::workload(10)));
        assert_eq!(v.state, "Progressing");
        assert_eq!(v.text, "upgrading at step 2/3 (StepUpgrade)");
        assert_eq!(v.waiting_for, Some("pods"));
        assert_eq!(v.why.as_deref(), Some("3 of 5 pods of step 2 ready"));
        assert_eq!(v.ready_label(), "3/5");
    }
}
