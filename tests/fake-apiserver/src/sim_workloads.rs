//! The sandbox's workload controllers: each Deployment, StatefulSet and CloneSet gets the
//! status its pods would give it, following the release of the Kruise Rollout that drives
//! it (new-version pods as the release makes them), else fully rolled out. A status is
//! written only when it changes, as a controller does. Each workload also has its pods:
//! those of the new template labelled with their revision and the batch that made them.

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
                // Pods are kept beside the status, and not counted as its writes.
                self.sync_pods(&w, driver, &status);
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

impl WorkloadController {
    /// The workload's pods as its status says: `updatedReplicas` of the canary revision
    /// (each labelled with the batch the release is at), the rest stable. Only the pods
    /// that should not be there, or are missing, are written.
    fn sync_pods(&self, w: &Value, driver: Option<&Value>, status: &Value) {
        let ns = w["metadata"]["namespace"].as_str().unwrap_or("default");
        let name = w["metadata"]["name"].as_str().unwrap_or_default();
        let labels = match w.pointer("/spec/selector/matchLabels") {
            Some(Value::Object(m)) => Value::Object(m.clone()),
            _ => json!({"app": name}),
        };
        let canary = driver.and_then(|r| r.pointer("/status/canaryStatus"));
        let hash = |field: &str, or: &str| {
            canary
                .and_then(|c| c[field].as_str())
                .filter(|s| !s.is_empty())
                .map_or(or.to_string(), |s| s.chars().take(10).collect())
        };
        let (stable, new) = (
            hash("stableRevision", "stable"),
            hash("podTemplateHash", "canary"),
        );
        let batch = canary
            .and_then(|c| c["currentStepIndex"].as_i64())
            .unwrap_or(1);
        let desired = status["replicas"].as_i64().unwrap_or(0);
        let updated = status["updatedReplicas"].as_i64().unwrap_or(0);
        let released = updated == desired;
        let mut want: Vec<(String, String, Option<i64>)> = Vec::new();
        for i in 0..desired {
            let (rev, b) = if released {
                (
                    if driver.is_some() {
                        new.clone()
                    } else {
                        stable.clone()
                    },
                    None,
                )
            } else if i < updated {
                (new.clone(), Some(batch))
            } else {
                (stable.clone(), None)
            };
            want.push((format!("{name}-{rev}-{i}"), rev, b));
        }
        let have: Vec<String> = self
            .api
            .list("", "pods")
            .into_iter()
            .filter(|p| {
                p["metadata"]["namespace"] == json!(ns)
                    && p["metadata"]["annotations"]["fake/owner"] == json!(name)
            })
            .filter_map(|p| p["metadata"]["name"].as_str().map(str::to_string))
            .collect();
        for gone in have
            .iter()
            .filter(|h| !want.iter().any(|(n, _, _)| n == *h))
        {
            self.api.delete("", "pods", ns, gone);
        }
        for (pod, rev, b) in want.iter().filter(|(n, _, _)| !have.contains(n)) {
            let mut l = labels.clone();
            l["pod-template-hash"] = json!(rev);
            if let Some(b) = b {
                l["rollouts.kruise.io/rollout-batch-id"] = json!(b.to_string());
            }
            let image = w
                .pointer("/spec/template/spec/containers/0/image")
                .and_then(Value::as_str)
                .unwrap_or("app:latest");
            self.api.insert(json!({
                "apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": pod, "namespace": ns, "labels": l,
                    "annotations": {"fake/owner": name}},
                "spec": {"containers": [{"name": "app", "image": image}]},
                "status": {"phase": "Running", "containerStatuses": [
                    {"name": "app", "ready": true, "restartCount": 0}]}
            }));
        }
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
        // Its pods: 5 of the new template, labelled with the batch, and 5 stable.
        let pods = api.list("", "pods");
        assert_eq!(pods.len(), 10);
        let batch =
            |p: &&Value| p["metadata"]["labels"]["rollouts.kruise.io/rollout-batch-id"] == "1";
        assert_eq!(pods.iter().filter(batch).count(), 5);
        assert!(pods.iter().all(|p| p["metadata"]["labels"]["app"] == "web"));
        assert_eq!(c.reconcile(), 0, "nothing changed, nothing written");
        api.modify("rollouts.kruise.io", "rollouts", "default", "r", |r| {
            r["status"]["phase"] = json!("Healthy")
        });
        assert_eq!(c.reconcile(), 1);
        let w = api.get("apps", "deployments", "default", "web").unwrap();
        assert_eq!(w["status"]["updatedReplicas"], 10);
        let pods = api.list("", "pods");
        assert_eq!(pods.len(), 10);
        assert!(
            pods.iter()
                .all(|p| p["metadata"]["labels"]["pod-template-hash"] == "canary")
        );
    }
}
