//! Requests on the workload behind a rollout: its replica count (to turn step percentages
//! into pod counts), its revision history, and the template write of `undo`.

use kube::api::{Api, DynamicObject, ListParams, Patch, PatchParams};
use kube::core::{ApiResource, GroupVersionKind};
use serde_json::Value;

use super::{ApiError, Cluster};
use crate::model::workload::HistorySource;
use crate::model::{WorkloadKind, WorkloadRef};

fn api_for(
    cluster: &Cluster,
    group: &str,
    version: &str,
    kind: &str,
    plural: &str,
) -> Api<DynamicObject> {
    let ar =
        ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk(group, version, kind), plural);
    Api::namespaced_with(cluster.client.clone(), &cluster.namespace, &ar)
}

fn resource(group: &str, plural: &str) -> String {
    if group.is_empty() {
        plural.to_string()
    } else {
        format!("{plural}.{group}")
    }
}

fn classify(cluster: &Cluster, e: kube::Error, resource: &str, name: &str) -> ApiError {
    ApiError::from_kube(e, resource, name, &cluster.namespace, &cluster.server)
}

fn to_value(obj: DynamicObject) -> Value {
    // A DynamicObject always serializes; Null would only hide a serde bug.
    serde_json::to_value(obj).unwrap_or(Value::Null)
}

/// The workload's desired pods: `spec.replicas` (1 when unset, as the API defaults it), or
/// for a DaemonSet the nodes it should run on.
pub async fn workload_replicas(cluster: &Cluster, w: &WorkloadRef) -> Result<i64, ApiError> {
    let (group, version) = w
        .api_version
        .split_once('/')
        .unwrap_or(("", &w.api_version));
    // Every kind Kruise Rollouts controls pluralises regularly.
    let plural = format!("{}s", w.kind.to_lowercase());
    let obj = api_for(cluster, group, version, &w.kind, &plural)
        .get(&w.name)
        .await
        .map_err(|e| classify(cluster, e, &resource(group, &plural), &w.name))?;
    Ok(replicas_of(&w.kind, &obj.data))
}

fn replicas_of(kind: &str, data: &Value) -> i64 {
    if kind == "DaemonSet" {
        return data
            .pointer("/status/desiredNumberScheduled")
            .and_then(Value::as_i64)
            .unwrap_or(0);
    }
    data.pointer("/spec/replicas")
        .and_then(Value::as_i64)
        .unwrap_or(1)
}

/// One workload of a kind Kruise Rollouts controls.
pub struct WorkloadApi {
    cluster: Cluster,
    kind: WorkloadKind,
}

impl WorkloadApi {
    pub fn new(cluster: &Cluster, kind: WorkloadKind) -> Self {
        WorkloadApi {
            cluster: cluster.clone(),
            kind,
        }
    }

    fn api(&self) -> Api<DynamicObject> {
        let k = self.kind;
        api_for(&self.cluster, k.group(), k.version(), k.kind(), k.plural())
    }

    fn classify(&self, e: kube::Error, name: &str) -> ApiError {
        classify(
            &self.cluster,
            e,
            &resource(self.kind.group(), self.kind.plural()),
            name,
        )
    }

    pub async fn get(&self, name: &str) -> Result<Value, ApiError> {
        self.api()
            .get(name)
            .await
            .map(to_value)
            .map_err(|e| self.classify(e, name))
    }

    /// The ReplicaSets or ControllerRevisions that match the workload's selector: one
    /// request. Ownership is checked by the model.
    pub async fn history(&self, selector: &str) -> Result<Vec<Value>, ApiError> {
        let (kind, plural) = match self.kind.history() {
            HistorySource::ReplicaSets => ("ReplicaSet", "replicasets"),
            HistorySource::ControllerRevisions => ("ControllerRevision", "controllerrevisions"),
        };
        let api = api_for(&self.cluster, "apps", "v1", kind, plural);
        let mut lp = ListParams::default();
        if !selector.is_empty() {
            lp = lp.labels(selector);
        }
        api.list(&lp)
            .await
            .map(|l| l.items.into_iter().map(to_value).collect())
            .map_err(|e| classify(&self.cluster, e, &resource("apps", plural), ""))
    }

    /// A JSON merge patch; the caller puts `metadata.resourceVersion` in it to make it
    /// conditional.
    pub async fn patch(&self, name: &str, patch: &Value, dry_run: bool) -> Result<Value, ApiError> {
        let pp = PatchParams {
            dry_run,
            ..PatchParams::default()
        };
        self.api()
            .patch(name, &pp, &Patch::Merge(patch))
            .await
            .map(to_value)
            .map_err(|e| self.classify(e, name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn replicas_by_kind() {
        assert_eq!(
            replicas_of("Deployment", &json!({"spec": {"replicas": 10}})),
            10
        );
        assert_eq!(replicas_of("CloneSet", &json!({"spec": {}})), 1);
        assert_eq!(
            replicas_of(
                "DaemonSet",
                &json!({"status": {"desiredNumberScheduled": 4}})
            ),
            4
        );
    }
}
