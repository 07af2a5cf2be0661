//! Requests on the workload behind a rollout: the object (replicas, generation, rollout-id),
//! a watch of it, its revision history, and the template write of `undo`.

use futures::Stream;
use kube::api::{Api, DynamicObject, ListParams};
use kube::core::{ApiResource, GroupVersionKind};
use serde_json::Value;

use super::rollouts::to_value;
use super::{ApiError, Cluster, ObjectApi};
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

/// Workloads of one kind in the namespace.
#[derive(Clone)]
pub struct WorkloadApi {
    cluster: Cluster,
    group: String,
    version: String,
    kind: String,
    plural: String,
    history: Option<HistorySource>,
}

impl WorkloadApi {
    pub fn new(cluster: &Cluster, kind: WorkloadKind) -> Self {
        WorkloadApi {
            cluster: cluster.clone(),
            group: kind.group().into(),
            version: kind.version().into(),
            kind: kind.kind().into(),
            plural: kind.plural().into(),
            history: Some(kind.history()),
        }
    }

    /// The workload a rollout names, of any kind, at the version it names.
    pub fn for_ref(cluster: &Cluster, w: &WorkloadRef) -> Self {
        let (group, version) = w
            .api_version
            .split_once('/')
            .unwrap_or(("", &w.api_version));
        WorkloadApi {
            cluster: cluster.clone(),
            group: group.into(),
            version: version.into(),
            kind: w.kind.clone(),
            // Every kind Kruise Rollouts controls pluralises regularly.
            plural: format!("{}s", w.kind.to_lowercase()),
            history: WorkloadKind::from_ref(&w.api_version, &w.kind).map(WorkloadKind::history),
        }
    }

    /// The generic requests on this workload's kind.
    pub fn object(&self) -> ObjectApi {
        ObjectApi::new(&self.cluster, self.api_resource())
    }

    fn api_resource(&self) -> ApiResource {
        ApiResource::from_gvk_with_plural(
            &GroupVersionKind::gvk(&self.group, &self.version, &self.kind),
            &self.plural,
        )
    }

    /// Follow the workload through the watch API.
    pub fn watch(
        &self,
        name: &str,
    ) -> impl Stream<Item = Result<Option<Value>, ApiError>> + Send + use<> {
        self.object().watch(name)
    }

    pub async fn get(&self, name: &str) -> Result<Value, ApiError> {
        self.object().get(name).await
    }

    /// The ReplicaSets or ControllerRevisions that match the workload's selector: one
    /// request. Ownership is checked by the model.
    pub async fn history(&self, selector: &str) -> Result<Vec<Value>, ApiError> {
        let (kind, plural) = match self.history {
            Some(HistorySource::ReplicaSets) => ("ReplicaSet", "replicasets"),
            Some(HistorySource::ControllerRevisions) => {
                ("ControllerRevision", "controllerrevisions")
            }
            None => return Ok(Vec::new()),
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
        self.object().patch(name, patch, false, dry_run).await
    }
}
