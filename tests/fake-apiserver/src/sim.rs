//! A simulated Kruise Rollouts controller, so that tests (and a sandbox) can drive a release
//! without a cluster. It moves one v1beta1 Rollout the way the real controller does:
//!
//! - a workload change (new `metadata.generation`) starts a release: `Progressing`,
//!   reason `Initializing`, then `InRolling` at step 1;
//! - each step: `StepUpgrade` (canary pods created and ready) → `StepTrafficRouting` →
//!   `StepMetricsAnalysis` → `StepPaused`; a step with a `pause.duration` (or the last
//!   canary step at `100%`) moves to `StepReady` by itself, otherwise it waits for an
//!   approval (`StepReady` written through the status subresource);
//! - `StepReady` → the next step, or `Completed` → reason `Finalising` → phase `Healthy`
//!   with `Succeeded=True`;
//! - `nextStepIndex` jumps (v0.6), `spec.strategy.paused`, `spec.disabled`;
//! - `observedGeneration`, `observedWorkloadGeneration` and `observedRolloutID` are kept as
//!   the real controller keeps them.
//!
//! Each [`Controller::reconcile`] makes at most one transition, so a test can step it by hand;
//! [`Controller::spawn`] runs it on a timer. It can also misbehave as the real one does:
//! [`Controller::cancel`] rolls the release back, and [`Controller::lose_approvals`] makes it
//! overwrite the next approvals with the status it cached before them (the lost-update race).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::{Map, Value, json};

use crate::FakeApi;
use crate::store::now_rfc3339 as now;

const GROUP: &str = "rollouts.kruise.io";

#[derive(Default)]
struct Misbehaviour {
    /// Approvals still to overwrite from the stale copy.
    lose: usize,
    /// The sub-status as this controller last wrote it.
    cached: Option<Value>,
    cancel: bool,
}

/// The controller of one Rollout. Cheap to clone: clones share their settings.
#[derive(Clone)]
pub struct Controller {
    api: FakeApi,
    namespace: String,
    name: String,
    bad: Arc<Mutex<Misbehaviour>>,
}

/// Stops the timer thread of [`Controller::spawn`] when dropped.
pub struct Running {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// Run `f` every `every` on a background thread until the returned handle is dropped: the
/// timer of every simulated controller.
pub(crate) fn run_every(every: Duration, f: impl Fn() + Send + 'static) -> Running {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let thread = std::thread::spawn(move || {
        while !flag.load(Ordering::Relaxed) {
            f();
            std::thread::sleep(every);
        }
    });
    Running {
        stop,
        thread: Some(thread),
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            t.join().ok();
        }
    }
}

fn ceil_pods(replicas: &Value, total: i64) -> i64 {
    let n = match replicas {
        Value::String(s) if s.ends_with('%') => {
            let p: i64 = s.trim_end_matches('%').parse().unwrap_or(0);
            (p * total + 99) / 100
        }
        Value::String(s) => s.parse().unwrap_or(0),
        v => v.as_i64().unwrap_or(0),
    };
    n.clamp(0, total)
}

fn set_condition(status: &mut Value, type_: &str, state: &str, reason: &str, message: &str) {
    let conds = status["conditions"].as_array().cloned().unwrap_or_default();
    let mut out: Vec<Value> = conds
        .into_iter()
        .filter(|c| c["type"] != json!(type_))
        .collect();
    out.push(
        json!({"type": type_, "status": state, "reason": reason, "message": message,
        "lastUpdateTime": now(), "lastTransitionTime": now()}),
    );
    status["conditions"] = Value::Array(out);
}

/// The release sub-machine's state: the reason of a true `Progressing` condition.
fn progressing(status: &mut Value, reason: &str, message: &str) {
    set_condition(status, "Progressing", "True", reason, message);
}

fn remove_condition(status: &mut Value, type_: &str) {
    if let Some(cs) = status["conditions"].as_array_mut() {
        cs.retain(|c| c["type"] != json!(type_));
    }
}

fn reason(status: &Value) -> String {
    status["conditions"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["type"] == json!("Progressing")))
        .and_then(|c| c["reason"].as_str())
        .unwrap_or("")
        .to_string()
}

/// The end of a release: phase Healthy, `Succeeded` true (completed) or false (cancelled).
fn finish(status: &mut Value, succeeded: bool) {
    let (message, reason) = if succeeded {
        ("Rollout progressing has been completed", "Completed")
    } else {
        ("Rollout progressing has been canceled", "Canceled")
    };
    status["phase"] = json!("Healthy");
    status["message"] = json!(message);
    set_condition(status, "Progressing", "False", "Completed", message);
    set_condition(
        status,
        "Succeeded",
        if succeeded { "True" } else { "False" },
        reason,
        "",
    );
}

/// Where the workload of a rollout lives in the store.
fn workload_key(r: &Value) -> Option<(String, String, String)> {
    let w = &r["spec"]["workloadRef"];
    let api_version = w["apiVersion"].as_str()?;
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    let plural = format!("{}s", w["kind"].as_str()?.to_lowercase());
    Some((group.to_string(), plural, w["name"].as_str()?.to_string()))
}

impl Controller {
    pub fn new(api: &FakeApi, namespace: &str, name: &str) -> Self {
        Controller {
            api: api.clone(),
            namespace: namespace.to_string(),
            name: name.to_string(),
            bad: Arc::default(),
        }
    }

    /// Reconcile every `every` on a background thread until the handle is dropped.
    pub fn spawn(&self, every: Duration) -> Running {
        let me = self.clone();
        run_every(every, move || {
            me.reconcile();
        })
    }

    /// Overwrite the next `n` approvals with the status cached before them, as the real
    /// controller does when it writes a status computed from a stale read.
    pub fn lose_approvals(&self, n: usize) {
        self.lock().lose = n;
    }

    /// Roll the release back at the next reconcile, as after `undo`.
    pub fn cancel(&self) {
        self.lock().cancel = true;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Misbehaviour> {
        self.bad.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Change the workload's image, as `kubectl set image` does: a new generation, which
    /// starts a release at the next reconcile.
    pub fn deploy(&self, image: &str) {
        let Some(r) = self.api.get(GROUP, "rollouts", &self.namespace, &self.name) else {
            return;
        };
        let Some((group, plural, name)) = workload_key(&r) else {
            return;
        };
        self.api
            .modify(&group, &plural, &self.namespace, &name, |w| {
                w["spec"]["template"]["spec"]["containers"][0]["image"] = json!(image);
                let g = w["metadata"]["generation"].as_i64().unwrap_or(1);
                w["metadata"]["generation"] = json!(g + 1);
            });
    }

    /// One reconcile: at most one transition. Returns whether the Rollout was written.
    pub fn reconcile(&self) -> bool {
        let Some(r) = self.api.get(GROUP, "rollouts", &self.namespace, &self.name) else {
            return false;
        };
        let workload = workload_key(&r)
            .and_then(|(g, p, n)| self.api.get(&g, &p, &self.namespace, &n))
            .unwrap_or(Value::Null);
        let mut status = r["status"].clone();
        if !status.is_object() {
            status = json!({});
        }
        self.step(&r, &workload, &mut status);
        if status == r["status"] {
            return false;
        }
        let field = Self::field(&r);
        self.lock().cached = Some(status[field].clone());
        let ended =
            r["status"]["phase"] == json!("Progressing") && status["phase"] == json!("Healthy");
        self.api
            .modify(GROUP, "rollouts", &self.namespace, &self.name, |obj| {
                obj["status"] = status;
            });
        if ended && let Some((group, plural, name)) = workload_key(&r) {
            // The release is over, completed or cancelled: the controller lets go of the
            // workload (ReleaseWorkloadControl), which a Deployment shows as unpaused.
            if self
                .api
                .get(&group, &plural, &self.namespace, &name)
                .is_some_and(|w| w["spec"]["paused"] == json!(true))
            {
                self.api
                    .modify(&group, &plural, &self.namespace, &name, |w| {
                        w["spec"]["paused"] = json!(false);
                    });
            }
        }
        true
    }

    /// The workload is back on the release's stable revision (after `undo`, a GitOps
    /// revert): its template equals that of the ReplicaSet whose pod-template-hash is the
    /// stable revision, as Kruise's `IsInRollback` tells for a Deployment.
    fn rolled_back(&self, r: &Value, w: &Value, sub: &Map<String, Value>) -> bool {
        let stable = sub.get("stableRevision").and_then(Value::as_str);
        stable.is_some() && self.revision_of(r, w).as_deref() == stable
    }

    /// The pod-template-hash of the ReplicaSet whose template is the workload's now.
    fn revision_of(&self, r: &Value, w: &Value) -> Option<String> {
        let template = &w["spec"]["template"];
        if !template.is_object() {
            return None;
        }
        let ns = r["metadata"]["namespace"].as_str().unwrap_or("default");
        self.api.list("apps", "replicasets").iter().find_map(|rs| {
            if rs["metadata"]["namespace"] != json!(ns) {
                return None;
            }
            let hash = rs["metadata"]["labels"]["pod-template-hash"].as_str()?;
            let mut t = rs["spec"]["template"].clone();
            if let Some(l) = t["metadata"]["labels"].as_object_mut() {
                l.remove("pod-template-hash");
            }
            (t == *template).then(|| hash.to_string())
        })
    }

    fn field(r: &Value) -> &'static str {
        if r["spec"]["strategy"]["blueGreen"].is_object() {
            "blueGreenStatus"
        } else {
            "canaryStatus"
        }
    }

    /// New-version pods made and ready, as each status block names them.
    fn replica_fields(field: &str) -> (&'static str, &'static str) {
        if field == "blueGreenStatus" {
            ("updatedReplicas", "updatedReadyReplicas")
        } else {
            ("canaryReplicas", "canaryReadyReplicas")
        }
    }

    fn step(&self, r: &Value, w: &Value, status: &mut Value) {
        let field = Self::field(r);
        let strategy = &r["spec"]["strategy"][if field == "canaryStatus" {
            "canary"
        } else {
            "blueGreen"
        }];
        let steps = strategy["steps"].as_array().cloned().unwrap_or_default();
        let total = steps.len() as i64;
        let workload_gen = w["metadata"]["generation"].as_i64().unwrap_or(0);
        let rollout_id = w["metadata"]["labels"]["rollouts.kruise.io/rollout-id"].clone();
        let replicas = w["spec"]["replicas"].as_i64().unwrap_or(1);
        status["observedGeneration"] = r["metadata"]["generation"].clone();

        if r["spec"]["disabled"] == json!(true) {
            status["phase"] = json!("Disabled");
            status["message"] = json!("Rollout is disabled");
            return;
        }
        let phase = status["phase"].as_str().unwrap_or("").to_string();
        let sub_gen = status[field]["observedWorkloadGeneration"].as_i64();
        if self.lock().cancel && phase == "Progressing" {
            self.lock().cancel = false;
            progressing(status, "Cancelling", "Rollout is in Progressing");
            return;
        }
        match phase.as_str() {
            "" | "Initial" => {
                status["phase"] = json!("Healthy");
                status["message"] = json!("rollout is healthy");
                status[field] = json!({
                    "currentStepIndex": total, "currentStepState": "Completed",
                    "observedWorkloadGeneration": workload_gen, "observedRolloutID": rollout_id,
                    "message": "workload deployment is completed"
                });
                return;
            }
            "Healthy" | "Disabled" => {
                let stable = status[field]["stableRevision"].as_str().map(str::to_string);
                if sub_gen != Some(workload_gen)
                    && stable.is_some()
                    && self.revision_of(r, w) == stable
                {
                    // Back on the stable revision (after a rollback): nothing to release.
                    status[field]["observedWorkloadGeneration"] = json!(workload_gen);
                } else if sub_gen != Some(workload_gen) {
                    status["phase"] = json!("Progressing");
                    status["message"] = json!("Rollout is in Progressing");
                    remove_condition(status, "Succeeded");
                    progressing(status, "Initializing", "Rollout is in Progressing");
                }
                return;
            }
            "Progressing" => {}
            _ => return,
        }
        let mut sub = status[field].as_object().cloned().unwrap_or_default();
        let reason = reason(status);
        match reason.as_str() {
            "Initializing" => {
                // The revisions the release goes between: the stable one carries over, the
                // canary is the ReplicaSet of the workload's template, where one exists.
                let stable = sub.get("stableRevision").cloned();
                sub = Map::new();
                if let Some(stable) = stable {
                    sub.insert("stableRevision".into(), stable);
                }
                if let Some(canary) = self.revision_of(r, w) {
                    sub.insert("canaryRevision".into(), json!(canary));
                    sub.insert("podTemplateHash".into(), json!(canary));
                }
                sub.insert("currentStepIndex".into(), json!(1));
                sub.insert(
                    "nextStepIndex".into(),
                    json!(if total > 1 { 2 } else { -1 }),
                );
                sub.insert("currentStepState".into(), json!("StepUpgrade"));
                let (made, ready) = Self::replica_fields(field);
                sub.insert(made.into(), json!(0));
                sub.insert(ready.into(), json!(0));
                sub.insert("observedWorkloadGeneration".into(), json!(workload_gen));
                sub.insert("observedRolloutID".into(), rollout_id);
                sub.insert("lastUpdateTime".into(), json!(now()));
                progressing(status, "InRolling", "Rollout is in Progressing");
            }
            "InRolling" | "Paused" if self.rolled_back(r, w, &sub) => {
                // Checked first, as Kruise does: a rollback proceeds even while paused.
                let why =
                    "The workload has been rolled back and the rollout process will be canceled";
                progressing(status, "Cancelling", why);
                status["message"] = json!(why);
                return;
            }
            "InRolling" => {
                if sub_gen != Some(workload_gen) {
                    // A new version in the middle of a release: start again.
                    progressing(status, "Initializing", "Workload is continuous release");
                    return;
                }
                if r["spec"]["strategy"]["paused"] == json!(true) {
                    progressing(
                        status,
                        "Paused",
                        "Rollout has been paused, you can resume it by kube-cli",
                    );
                    return;
                }
                self.roll(field, &steps, replicas, &mut sub);
                if sub.get("currentStepState") == Some(&json!("Completed")) {
                    progressing(status, "Finalising", "Rollout is in Progressing");
                }
            }
            "Paused" if r["spec"]["strategy"]["paused"] != json!(true) => {
                progressing(status, "InRolling", "Rollout is in Progressing");
            }
            "Finalising" => finish(status, true),
            "Cancelling" => finish(status, false),
            _ => {}
        }
        let i = sub
            .get("currentStepIndex")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        let state = sub
            .get("currentStepState")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        if phase == "Progressing" && status["phase"] == json!("Progressing") {
            status["message"] = json!(match state.as_str() {
                "StepPaused" => format!(
                    "Rollout is in step({i}/{total}), and you need manually confirm to enter the next step"
                ),
                _ =>
                    format!("Rollout is in step({i}/{total}), and upgrade workload to new version"),
            });
        }
        status["currentStepIndex"] = json!(i);
        status["currentStepState"] = json!(state);
        status[field] = Value::Object(sub);
    }

    /// The per-step machine of one InRolling reconcile.
    fn roll(&self, field: &str, steps: &[Value], replicas: i64, sub: &mut Map<String, Value>) {
        let total = steps.len() as i64;
        let mut i = sub
            .get("currentStepIndex")
            .and_then(Value::as_i64)
            .unwrap_or(1);
        let next_of = |i: i64| if i < total { i + 1 } else { -1 };
        let next = sub
            .get("nextStepIndex")
            .and_then(Value::as_i64)
            .unwrap_or(next_of(i));
        if next != next_of(i) && (1..=total).contains(&next) {
            i = next;
            sub.insert("currentStepIndex".into(), json!(i));
            sub.insert("nextStepIndex".into(), json!(next_of(i)));
            sub.insert("currentStepState".into(), json!("StepUpgrade"));
            sub.insert("lastUpdateTime".into(), json!(now()));
            return;
        }
        let step = usize::try_from(i - 1)
            .ok()
            .and_then(|k| steps.get(k))
            .cloned()
            .unwrap_or(Value::Null);
        let state = sub
            .get("currentStepState")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let to = |sub: &mut Map<String, Value>, s: &str| {
            sub.insert("currentStepState".into(), json!(s));
        };
        match state.as_str() {
            "BeforeStepUpgrade" => to(sub, "StepUpgrade"),
            "StepUpgrade" => {
                let pods = ceil_pods(&step["replicas"], replicas);
                let (made, ready) = Self::replica_fields(field);
                sub.insert(made.into(), json!(pods));
                sub.insert(ready.into(), json!(pods));
                to(sub, "StepTrafficRouting");
            }
            "StepTrafficRouting" => {
                sub.insert("lastUpdateTime".into(), json!(now()));
                to(sub, "StepMetricsAnalysis");
            }
            "StepMetricsAnalysis" => to(sub, "StepPaused"),
            "StepPaused" => {
                let timed = step["pause"]["duration"].is_number();
                let full_last = i == total && step["replicas"] == json!("100%");
                if timed || full_last {
                    to(sub, "StepReady");
                }
            }
            "StepReady" => {
                let mut bad = self.lock();
                if bad.lose > 0
                    && let Some(cached) = bad.cached.clone()
                {
                    // Writes the status computed before the approval: StepPaused again.
                    bad.lose -= 1;
                    if let Some(c) = cached.as_object() {
                        *sub = c.clone();
                    }
                    sub.insert("lastUpdateTime".into(), json!(now()));
                    return;
                }
                drop(bad);
                if i < total {
                    sub.insert("currentStepIndex".into(), json!(i + 1));
                    sub.insert("nextStepIndex".into(), json!(next_of(i + 1)));
                    to(sub, "StepUpgrade");
                    sub.insert("lastUpdateTime".into(), json!(now()));
                } else {
                    to(sub, "Completed");
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn release() -> (FakeApi, Controller) {
        let api = FakeApi::new();
        api.serve_rollouts(&["v1beta1"]);
        api.insert(json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "default", "generation": 1},
            "spec": {"replicas": 4, "template": {"spec": {"containers": [{"name": "web", "image": "web:1"}]}}}}));
        api.insert(json!({"apiVersion": "rollouts.kruise.io/v1beta1", "kind": "Rollout",
            "metadata": {"name": "web", "namespace": "default", "generation": 1},
            "spec": {"workloadRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                "strategy": {"canary": {"steps": [{"replicas": 1, "pause": {}}, {"replicas": "100%"}]}}}}));
        let c = Controller::new(&api, "default", "web");
        (api, c)
    }

    /// (phase, reason, step, state) after each reconcile until nothing changes.
    fn trace(api: &FakeApi, c: &Controller) -> Vec<String> {
        let mut out = vec![];
        while c.reconcile() {
            let r = api.get(GROUP, "rollouts", "default", "web").unwrap();
            let st = &r["status"];
            out.push(format!(
                "{} {} {} {}",
                st["phase"].as_str().unwrap_or(""),
                reason(st),
                st["canaryStatus"]["currentStepIndex"],
                st["canaryStatus"]["currentStepState"]
                    .as_str()
                    .unwrap_or("")
            ));
            assert!(out.len() < 50, "no end: {out:?}");
        }
        out
    }

    #[test]
    fn a_release_runs_through_every_state_and_waits_for_approval() {
        let (api, c) = release();
        assert_eq!(trace(&api, &c), ["Healthy  2 Completed"]);
        c.deploy("web:2");
        assert_eq!(
            trace(&api, &c),
            [
                "Progressing Initializing 2 Completed",
                "Progressing InRolling 1 StepUpgrade",
                "Progressing InRolling 1 StepTrafficRouting",
                "Progressing InRolling 1 StepMetricsAnalysis",
                "Progressing InRolling 1 StepPaused",
            ]
        );
        // The approval, as the plugin writes it; then the last step (100%) moves on alone.
        api.modify(GROUP, "rollouts", "default", "web", |r| {
            r["status"]["canaryStatus"]["currentStepState"] = json!("StepReady")
        });
        assert_eq!(
            trace(&api, &c),
            [
                "Progressing InRolling 2 StepUpgrade",
                "Progressing InRolling 2 StepTrafficRouting",
                "Progressing InRolling 2 StepMetricsAnalysis",
                "Progressing InRolling 2 StepPaused",
                "Progressing InRolling 2 StepReady",
                "Progressing Finalising 2 Completed",
                "Healthy Completed 2 Completed",
            ]
        );
        let r = api.get(GROUP, "rollouts", "default", "web").unwrap();
        assert_eq!(r["status"]["canaryStatus"]["canaryReplicas"], json!(4));
        assert_eq!(
            r["status"]["canaryStatus"]["observedWorkloadGeneration"],
            json!(2)
        );
    }

    #[test]
    fn a_lost_approval_is_overwritten_with_the_cached_status() {
        let (api, c) = release();
        trace(&api, &c);
        c.deploy("web:2");
        trace(&api, &c);
        c.lose_approvals(1);
        let approve = || {
            api.modify(GROUP, "rollouts", "default", "web", |r| {
                r["status"]["canaryStatus"]["currentStepState"] = json!("StepReady")
            })
        };
        approve();
        assert_eq!(trace(&api, &c), ["Progressing InRolling 1 StepPaused"]);
        approve();
        assert!(c.reconcile());
        let r = api.get(GROUP, "rollouts", "default", "web").unwrap();
        assert_eq!(r["status"]["canaryStatus"]["currentStepIndex"], json!(2));
        c.cancel();
        assert_eq!(
            trace(&api, &c)[..2],
            [
                "Progressing Cancelling 2 StepUpgrade",
                "Healthy Completed 2 StepUpgrade"
            ]
        );
    }

    #[test]
    fn percentages_round_up() {
        assert_eq!(ceil_pods(&json!("50%"), 5), 3);
        assert_eq!(ceil_pods(&json!(1), 5), 1);
        assert_eq!(ceil_pods(&json!("100%"), 5), 5);
    }
}
