//! The sandbox's workload controllers: each Deployment, StatefulSet and CloneSet gets the
//! status its pods would give it, following the release of the Kruise Rollout that drives
//! it (new-version pods as the release makes them), else fully rolled out. A status is
//! written only when it changes, as a controller does.

use std::time::Duration;

use serde_json::{Value, json};

use crate::FakeApi;
use crate::sim::{Running, run_every};

/// The kinds whose status is kept, by (group, plural, kind).
const KINDS: [(&str, &str, &str); 4] = [
    ("apps", "deployments", "Deployment"),
    ("apps", "statefulsets", "StatefulSet"),
    ("apps.kruise.io", "clonesets", "CloneSet"),
    ("apps.kruise.io", "statefulsets", "StatefulSet"),
];

#[derive(Clone)]
pub struct WorkloadController {
    api: FakeApi,
}

impl WorkloadController {
    pub fn new(api: &FakeApi) -> Self {
        WorkloadController { api: api.clone() }
    }

    pub fn spawn(&self, every: Duration) -> Running {
        let this = self.clone();
        run_every(every, move || {
            this.reconcile();
        })
    }

    /// Bring every workload's status up to date; how many were written.
    pub fn reconcile(&self) -> usize {
        let rollouts = self.api.list("rollouts.kruise.io", "rollouts");
        let mut written = 0;
        for (group, plural, kind) in KINDS {
            for w in self.api.list(group, plural) {
                let ns = w["metadata"]["namespace"].as_str().unwrap_or("default");
                let name = w["metadata"]["name"].as_str().unwrap_or_default();
                let driver = rollouts.iter().find(|r| {
                    r["metadata"]["namespace"] == json!(ns)
                        && r["spec"]["workloadRef"]["name"] == json!(name)
                        && r["spec"]["workloadRef"]["kind"] == json!(kind)
                        && r["spec"]["workloadRef"]["apiVersion"]
                            .as_str()
                            .is_some_and(|v| v.starts_with(&format!("{group}/")))
                });
                let status = status_of(&w, driver);
                let current = &w["status"];
                if status
                    .as_object()
                    .into_iter()
                    .flatten()
                    .all(|(k, v)| current.get(k) == Some(v))
                {
                    continue;
                }
                self.api.modify(group, plural, ns, name, |obj| {
                    if !obj["status"].is_object() {
                        obj["status"] = json!({});
                    }
                    for (k, v) in status.as_object().into_iter().flatten() {
                        obj["status"][k] = v.clone();
                    }
                });
                written += 1;
            }
        }
        written
    }
}

/// The status a workload's pods give it: every pod ready and available; those of the new
/// template as many as the release driving it has made, or all once no release is in flight.
fn status_of(w: &Value, driver: Option<&Value>) -> Value {
    let desired = w["spec"]["replicas"].as_i64().unwrap_or(1);
    let releasing = driver.filter(|r| r["status"]["phase"] == json!("Progressing"));
    let updated = match releasing {
        Some(r) => {
            let sub = if r["status"]["blueGreenStatus"].is_object() {
                &r["status"]["blueGreenStatus"]["updatedReplicas"]
            } else {
                &r["status"]["canaryStatus"]["canaryReplicas"]
            };
            sub.as_i64().unwrap_or(0).clamp(0, desired)
        }
        None => desired,
    };
    json!({
        "observedGeneration": w["metadata"]["generation"].as_i64().unwrap_or(1),
        "replicas": desired,
        "updatedReplicas": updated,
        "readyReplicas": desired,
        "availableReplicas": desired,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deployment_follows_the_release_that_drives_it() {
        let api = FakeApi::new();
        api.serve_rollouts(&["v1beta1"]);
        api.insert(json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "default", "generation": 3},
            "spec": {"replicas": 10}}));
        api.insert(
            json!({"apiVersion": "rollouts.kruise.io/v1beta1", "kind": "Rollout",
            "metadata": {"name": "r", "namespace": "default"},
            "spec": {"workloadRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}},
            "status": {"phase": "Progressing", "canaryStatus": {"canaryReplicas": 5}}}),
        );
        let c = WorkloadController::new(&api);
        assert_eq!(c.reconcile(), 1);
        let w = api.get("apps", "deployments", "default", "web").unwrap();
        assert_eq!(w["status"]["updatedReplicas"], 5);
        assert_eq!(w["status"]["observedGeneration"], 3);
        assert_eq!(c.reconcile(), 0, "nothing changed, nothing written");
        api.modify("rollouts.kruise.io", "rollouts", "default", "r", |r| {
            r["status"]["phase"] = json!("Healthy")
        });
        assert_eq!(c.reconcile(), 1);
        let w = api.get("apps", "deployments", "default", "web").unwrap();
        assert_eq!(w["status"]["updatedReplicas"], 10);
    }
}
