//! A simulated KubeVela rollout controller, for AppRollouts and the `rollout` trait's
//! Rollouts: the state machine of KubeVela's rollout plan controller.
//!
//! - `locatingTargetApp` → `verifyingSpec` (the target size is taken) → `initializing` →
//!   `rollingInBatches`;
//! - each batch: `batchInitializing` → `batchInRolling` (upgraded pods set to the batch's
//!   cumulative target) → `batchVerifying` (they become ready) → `batchFinalizing` →
//!   `batchReady`; the last batch goes on to `finalising` → `rolloutSucceed`;
//! - `batchReady` moves to the next batch only while `batchPartition` is unset or above the
//!   current batch; a partition below the current batch fails the rollout
//!   (`rolloutFailing` → `rolloutFailed`);
//! - `paused` holds it in `rollingInBatches`; a new source or target revision mid-rollout
//!   abandons it (`rolloutAbandoning`) and starts over; after a terminal state it restarts;
//! - the `last*` revision fields are copied from the spec after each reconcile, except
//!   while abandoning.
//!
//! [`VelaController::apply_app`] plays the Application's part: it renders the trait's
//! properties into the trait Rollout, as a re-apply does.

use std::time::Duration;

use serde_json::{Value, json};

use crate::FakeApi;
use crate::sim::{Running, run_every};
use crate::store::now_rfc3339 as now;

/// The controller of one AppRollout or trait Rollout.
#[derive(Clone)]
pub struct VelaController {
    api: FakeApi,
    group: &'static str,
    plural: &'static str,
    namespace: String,
    name: String,
}

fn target_fields(group: &str) -> (&'static str, &'static str, &'static str, &'static str) {
    if group == "core.oam.dev" {
        (
            "targetAppRevisionName",
            "sourceAppRevisionName",
            "lastTargetAppRevision",
            "LastSourceAppRevision",
        )
    } else {
        (
            "targetRevisionName",
            "sourceRevisionName",
            "lastTargetRevision",
            "LastSourceRevision",
        )
    }
}

/// Pods upgraded once batch `i` (0-based) is done: percentages of the total round up, the
/// last batch takes the rest.
fn cumulative(batches: &[Value], i: usize, total: i64) -> i64 {
    if i + 1 >= batches.len() {
        return total;
    }
    let mut sum = 0;
    for b in &batches[..=i] {
        sum += match &b["replicas"] {
            Value::String(s) if s.ends_with('%') => {
                let p: i64 = s.trim_end_matches('%').parse().unwrap_or(0);
                (p * total + 99) / 100
            }
            Value::String(s) => s.parse().unwrap_or(0),
            v => v.as_i64().unwrap_or(0),
        };
    }
    sum.min(total)
}

fn condition(status: &mut Value, type_: &str, ok: bool, message: &str) {
    let mut conds = status["conditions"].as_array().cloned().unwrap_or_default();
    conds.retain(|c| c["type"] != json!(type_));
    let mut c = json!({"type": type_, "status": if ok { "True" } else { "False" },
        "reason": "", "lastTransitionTime": now()});
    if !message.is_empty() {
        c["message"] = json!(message);
    }
    conds.push(c);
    status["conditions"] = Value::Array(conds);
}

/// The status a rollout starts over from.
fn reset(status: &mut Value) {
    status["rollingState"] = json!("locatingTargetApp");
    status["batchRollingState"] = json!("batchInitializing");
    status["currentBatch"] = json!(0);
    status["rolloutTargetSize"] = json!(-1);
    status["upgradedReplicas"] = json!(0);
    status["upgradedReadyReplicas"] = json!(0);
}

impl VelaController {
    /// The controller of AppRollout `namespace/name`.
    pub fn app_rollout(api: &FakeApi, namespace: &str, name: &str) -> Self {
        Self::new(api, "core.oam.dev", "approllouts", namespace, name)
    }

    /// The controller of trait Rollout `namespace/name`.
    pub fn trait_rollout(api: &FakeApi, namespace: &str, name: &str) -> Self {
        Self::new(api, "standard.oam.dev", "rollouts", namespace, name)
    }

    fn new(api: &FakeApi, group: &'static str, plural: &'static str, ns: &str, name: &str) -> Self {
        VelaController {
            api: api.clone(),
            group,
            plural,
            namespace: ns.to_string(),
            name: name.to_string(),
        }
    }

    /// Reconcile every `every` on a background thread until the handle is dropped.
    pub fn spawn(&self, every: Duration) -> Running {
        let me = self.clone();
        run_every(every, move || {
            me.reconcile();
        })
    }

    /// Reconcile until nothing changes (at most `limit` transitions); how many were made.
    pub fn settle(&self, limit: usize) -> usize {
        (0..limit).take_while(|_| self.reconcile()).count()
    }

    /// One reconcile: at most one transition. Returns whether the status was written.
    pub fn reconcile(&self) -> bool {
        let Some(r) = self
            .api
            .get(self.group, self.plural, &self.namespace, &self.name)
        else {
            return false;
        };
        let (t, s, lt, ls) = target_fields(self.group);
        let spec = &r["spec"];
        let plan = &spec["rolloutPlan"];
        let batches = plan["rolloutBatches"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let mut status = r.get("status").cloned().unwrap_or_else(|| json!({}));
        let before = status.clone();
        let rolling = status["rollingState"].as_str().unwrap_or("").to_string();
        let modified = status[lt].is_string()
            && (status[lt] != spec[t] || (self.group == "core.oam.dev" && status[ls] != spec[s]));
        let current = status["currentBatch"].as_i64().unwrap_or(0);
        let total = status["rolloutTargetSize"].as_i64().unwrap_or(-1);
        match rolling.as_str() {
            "" => reset(&mut status),
            "rolloutSucceed" | "rolloutFailed" if modified => reset(&mut status),
            "rolloutSucceed" | "rolloutFailed" => return false,
            _ if modified && rolling != "rolloutAbandoning" => {
                status["rollingState"] = json!("rolloutAbandoning");
            }
            "rolloutAbandoning" => reset(&mut status),
            "locatingTargetApp" => status["rollingState"] = json!("verifyingSpec"),
            "verifyingSpec" => {
                status["rolloutTargetSize"] = json!(plan["targetSize"].as_i64().unwrap_or(5));
                condition(&mut status, "RolloutSpecVerifying", true, "");
                status["rollingState"] = json!("initializing");
            }
            "initializing" => {
                condition(&mut status, "RolloutInitializing", true, "");
                status["rollingState"] = json!("rollingInBatches");
                status["batchRollingState"] = json!("batchInitializing");
            }
            "rollingInBatches" if plan["paused"] == json!(true) => {
                condition(&mut status, "BatchPaused", true, "");
            }
            "rollingInBatches" => {
                let partition = plan["batchPartition"].as_i64();
                let batch = status["batchRollingState"]
                    .as_str()
                    .unwrap_or("")
                    .to_string();
                match batch.as_str() {
                    "batchInitializing" => status["batchRollingState"] = json!("batchInRolling"),
                    "batchInRolling" => {
                        status["upgradedReplicas"] =
                            json!(cumulative(&batches, current as usize, total));
                        status["batchRollingState"] = json!("batchVerifying");
                    }
                    "batchVerifying" => {
                        status["upgradedReadyReplicas"] = status["upgradedReplicas"].clone();
                        condition(&mut status, "BatchVerifying", true, "");
                        status["batchRollingState"] = json!("batchFinalizing");
                    }
                    "batchFinalizing" if partition.is_some_and(|p| p < current) => {
                        condition(
                            &mut status,
                            "RolloutFailing",
                            false,
                            "the current batch value in the status is greater than the batch partition",
                        );
                        status["rollingState"] = json!("rolloutFailing");
                    }
                    "batchFinalizing" => {
                        condition(&mut status, "BatchFinalizing", true, "");
                        status["batchRollingState"] = json!("batchReady");
                        if current as usize + 1 >= batches.len() {
                            status["rollingState"] = json!("finalising");
                        }
                    }
                    "batchReady" if partition.is_none_or(|p| p > current) => {
                        condition(&mut status, "BatchReady", true, "");
                        status["currentBatch"] = json!(current + 1);
                        status["batchRollingState"] = json!("batchInitializing");
                    }
                    _ => {}
                }
            }
            "finalising" => {
                condition(&mut status, "RolloutFinalizing", true, "");
                status["rollingState"] = json!("rolloutSucceed");
            }
            "rolloutFailing" => status["rollingState"] = json!("rolloutFailed"),
            _ => {}
        }
        if status["rollingState"] != json!("rolloutAbandoning") {
            status[lt] = spec[t].clone();
            if spec[s].is_string() {
                status[ls] = spec[s].clone();
            }
        }
        if status == before {
            return false;
        }
        self.api
            .modify(self.group, self.plural, &self.namespace, &self.name, |o| {
                o["status"] = status;
            });
        true
    }

    /// Play the Application's re-apply: render the `rollout` trait's properties of component
    /// `component` of Application `app` into this trait Rollout, as KubeVela does.
    pub fn apply_app(&self, app: &str, component: &str) {
        let Some(a) = self
            .api
            .get("core.oam.dev", "applications", &self.namespace, app)
        else {
            return;
        };
        let props = a["spec"]["components"]
            .as_array()
            .and_then(|cs| cs.iter().find(|c| c["name"] == json!(component)))
            .and_then(|c| c["traits"].as_array())
            .and_then(|ts| ts.iter().find(|t| t["type"] == json!("rollout")))
            .map(|t| t["properties"].clone())
            .unwrap_or(Value::Null);
        self.api
            .modify(self.group, self.plural, &self.namespace, &self.name, |o| {
                let plan = &mut o["spec"]["rolloutPlan"];
                match props.get("batchPartition") {
                    Some(p) => plan["batchPartition"] = p.clone(),
                    None => {
                        if let Some(m) = plan.as_object_mut() {
                            m.remove("batchPartition");
                        }
                    }
                }
                if let Some(rev) = props.get("targetRevision") {
                    o["spec"]["targetRevisionName"] = rev.clone();
                }
                let g = o["metadata"]["generation"].as_i64().unwrap_or(1);
                o["metadata"]["generation"] = json!(g + 1);
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app_rollout(api: &FakeApi, partition: Option<i64>) -> VelaController {
        api.serve_kubevela();
        let mut plan = json!({"rolloutBatches": [{"replicas": 1}, {"replicas": "50%"}, {"replicas": "50%"}],
                              "targetSize": 5});
        if let Some(p) = partition {
            plan["batchPartition"] = json!(p);
        }
        api.insert(json!({"apiVersion": "core.oam.dev/v1beta1", "kind": "AppRollout",
            "metadata": {"name": "r", "namespace": "default"},
            "spec": {"sourceAppRevisionName": "a-v1", "targetAppRevisionName": "a-v2", "rolloutPlan": plan}}));
        VelaController::app_rollout(api, "default", "r")
    }

    fn status(api: &FakeApi) -> Value {
        api.get("core.oam.dev", "approllouts", "default", "r")
            .unwrap()["status"]
            .clone()
    }

    #[test]
    fn a_partition_gates_the_batches_and_the_last_batch_finishes() {
        let api = FakeApi::new();
        let c = app_rollout(&api, Some(0));
        c.settle(100);
        let st = status(&api);
        assert_eq!(st["rollingState"], "rollingInBatches");
        assert_eq!(st["batchRollingState"], "batchReady");
        assert_eq!(st["currentBatch"], 0);
        assert_eq!(st["upgradedReplicas"], 1);
        assert_eq!(st["lastTargetAppRevision"], "a-v2");
        api.modify("core.oam.dev", "approllouts", "default", "r", |o| {
            o["spec"]["rolloutPlan"]["batchPartition"] = json!(1)
        });
        c.settle(100);
        let st = status(&api);
        assert_eq!(
            (st["currentBatch"].as_i64(), st["upgradedReplicas"].as_i64()),
            (Some(1), Some(4))
        );
        api.modify("core.oam.dev", "approllouts", "default", "r", |o| {
            o["spec"]["rolloutPlan"]["batchPartition"] = json!(2)
        });
        c.settle(100);
        let st = status(&api);
        assert_eq!(st["rollingState"], "rolloutSucceed");
        assert_eq!(st["upgradedReplicas"], 5);
    }

    #[test]
    fn a_partition_below_the_current_batch_fails_the_rollout() {
        let api = FakeApi::new();
        let c = app_rollout(&api, Some(1));
        c.settle(100);
        api.modify("core.oam.dev", "approllouts", "default", "r", |o| {
            o["spec"]["rolloutPlan"]["batchPartition"] = json!(0);
            o["status"]["batchRollingState"] = json!("batchFinalizing");
        });
        c.settle(100);
        assert_eq!(status(&api)["rollingState"], "rolloutFailed");
    }
}
