//! Whether a rollout's status describes what is deployed now. The controller writes status
//! after it reconciles; until then the status describes the previous spec or publication,
//! and a gate that trusted it would pass on the old release's "paused" or "completed".

use serde_json::Value;

use super::state::Stage;
use super::{Rollout, WorkloadRef};

pub const ROLLOUT_ID: &str = "rollouts.kruise.io/rollout-id";

/// What the workload says about the current publication.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkloadState {
    /// Desired pods: `spec.replicas` (1 when unset, as the API defaults it), or for a
    /// DaemonSet the nodes it should run on.
    pub replicas: i64,
    pub generation: Option<i64>,
    /// `rollouts.kruise.io/rollout-id`: the controller reads the label, the webhook the
    /// annotation; either names the publication.
    pub rollout_id: Option<String>,
}

impl WorkloadState {
    pub fn from_object(w: &WorkloadRef, obj: &Value) -> Self {
        let replicas = if w.kind == "DaemonSet" {
            obj.pointer("/status/desiredNumberScheduled")
                .and_then(Value::as_i64)
                .unwrap_or(0)
        } else {
            obj.pointer("/spec/replicas")
                .and_then(Value::as_i64)
                .unwrap_or(1)
        };
        let meta = |section: &str| {
            obj.pointer(&format!("/metadata/{section}"))
                .and_then(|m| m.get(ROLLOUT_ID))
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        WorkloadState {
            replicas,
            generation: obj.pointer("/metadata/generation").and_then(Value::as_i64),
            rollout_id: meta("labels").or_else(|| meta("annotations")),
        }
    }
}

/// Why the status does not describe the current spec and workload yet; `None` when it does.
pub fn staleness(r: &Rollout, w: Option<&WorkloadState>) -> Option<String> {
    if let (Some(g), Some(o)) = (r.generation, r.observed_generation)
        && o < g
    {
        return Some(format!(
            "the controller has not yet observed the rollout's generation {g} (observed {o})"
        ));
    }
    let w = w?;
    let release = r.release.as_ref();
    if let (Some(g), Some(o)) = (
        w.generation,
        release.and_then(|s| s.observed_workload_generation),
    ) && o != g
    {
        return Some(format!(
            "the controller has not yet observed the workload's generation {g} (observed {o})"
        ));
    }
    if let Some(id) = &w.rollout_id
        && release.and_then(|s| s.observed_rollout_id.as_deref()) != Some(id.as_str())
    {
        return Some(format!(
            "the controller has not yet picked up rollout-id {id}"
        ));
    }
    None
}

impl Rollout {
    /// The stage, trusting the status only once the controller has observed the current
    /// spec and workload: before that the rollout counts as progressing. What the status
    /// cannot be stale about is kept: `spec.disabled`, deletion, and a rollback in progress
    /// (after a rollback the controller never refreshes the observed workload generation,
    /// rollouts#339, so a finished rollback reads as progressing until the next release).
    pub fn observed_stage(&self, w: Option<&WorkloadState>) -> (Stage, Option<String>) {
        let stage = self.stage();
        if matches!(
            stage,
            Stage::Disabled | Stage::Terminating | Stage::Cancelling
        ) {
            return (stage, None);
        }
        match staleness(self, w) {
            Some(why) => (Stage::Progressing, Some(why)),
            None => (stage, None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{decode, fixtures};
    use serde_json::json;

    fn nginx(generation: i64, rollout_id: Option<&str>) -> WorkloadState {
        WorkloadState {
            replicas: 10,
            generation: Some(generation),
            rollout_id: rollout_id.map(str::to_string),
        }
    }

    #[test]
    fn workload_state_reads_replicas_generation_and_rollout_id() {
        let d = WorkloadRef {
            api_version: "apps/v1".into(),
            kind: "Deployment".into(),
            name: "x".into(),
        };
        let obj = json!({"metadata": {"generation": 3, "annotations": {ROLLOUT_ID: "r-7"}}, "spec": {"replicas": 6}});
        assert_eq!(
            WorkloadState::from_object(&d, &obj),
            WorkloadState {
                replicas: 6,
                generation: Some(3),
                rollout_id: Some("r-7".into())
            }
        );
        let ds = WorkloadRef {
            kind: "DaemonSet".into(),
            ..d
        };
        let obj = json!({"metadata": {"labels": {ROLLOUT_ID: "l"}, "annotations": {ROLLOUT_ID: "a"}}, "status": {"desiredNumberScheduled": 4}});
        let st = WorkloadState::from_object(&ds, &obj);
        assert_eq!((st.replicas, st.rollout_id.as_deref()), (4, Some("l")));
    }

    #[test]
    fn a_status_is_trusted_only_once_the_controller_caught_up() {
        let r = decode(&fixtures::seed_v1beta1_paused()).unwrap();
        assert_eq!(
            r.observed_stage(Some(&nginx(36, None))).0,
            Stage::WaitingForApproval
        );
        assert_eq!(r.observed_stage(None).0, Stage::WaitingForApproval);

        // A new image was applied: the workload is at generation 37, the status still at 36.
        let (stage, why) = r.observed_stage(Some(&nginx(37, None)));
        assert_eq!(stage, Stage::Progressing);
        assert!(
            why.unwrap()
                .contains("workload's generation 37 (observed 36)")
        );

        // A new publication named by rollout-id that the status has not picked up.
        assert!(
            staleness(&r, Some(&nginx(36, Some("r2"))))
                .unwrap()
                .contains("rollout-id r2")
        );

        // A spec change the controller has not seen.
        let mut obj = fixtures::seed_v1beta1_paused();
        obj["metadata"]["generation"] = json!(3);
        let r = decode(&obj).unwrap();
        assert!(
            staleness(&r, None)
                .unwrap()
                .contains("generation 3 (observed 2)")
        );
    }

    #[test]
    fn a_rollback_in_progress_is_never_masked() {
        let mut obj = fixtures::seed_v1beta1_paused();
        obj["status"]["conditions"][0]["reason"] = json!("Cancelling");
        let r = decode(&obj).unwrap();
        assert_eq!(
            r.observed_stage(Some(&nginx(40, None))).0,
            Stage::Cancelling
        );
        let mut obj = fixtures::seed_v1beta1_paused();
        obj["spec"]["disabled"] = json!(true);
        obj["metadata"]["generation"] = json!(9);
        assert_eq!(
            decode(&obj).unwrap().observed_stage(None).0,
            Stage::Disabled
        );
    }
}
