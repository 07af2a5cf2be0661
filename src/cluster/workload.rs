//! The workload behind a rollout: only its replica count is needed, to turn step
//! percentages into pod counts.

use kube::api::{Api, DynamicObject};
use kube::core::{ApiResource, GroupVersionKind};
use serde_json::Value;

use super::{ApiError, Cluster};
use crate::model::WorkloadRef;

/// The workload's desired pods: `spec.replicas` (1 when unset, as the API defaults it), or
/// for a DaemonSet the nodes it should run on.
pub async fn workload_replicas(cluster: &Cluster, w: &WorkloadRef) -> Result<i64, ApiError> {
    let (group, version) = w
        .api_version
        .split_once('/')
        .unwrap_or(("", &w.api_version));
    // Every kind Kruise Rollouts controls pluralises regularly.
    let plural = format!("{}s", w.kind.to_lowercase());
    let ar =
        ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk(group, version, &w.kind), &plural);
    let api: Api<DynamicObject> =
        Api::namespaced_with(cluster.client.clone(), &cluster.namespace, &ar);
    let resource = if group.is_empty() {
        plural.clone()
    } else {
        format!("{plural}.{group}")
    };
    let obj = api.get(&w.name).await.map_err(|e| {
        ApiError::from_kube(e, &resource, &w.name, &cluster.namespace, &cluster.server)
    })?;
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
