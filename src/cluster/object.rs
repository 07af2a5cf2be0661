//! Requests on one kind of object, whatever it is: get, conditional patch, watch, list.
//! Every kind the plugin acts on is an `ApiResource` plus its row of data in the model.

use futures::Stream;
use kube::api::{Api, DynamicObject, ListParams, Patch, PostParams};
use kube::core::ApiResource;
use serde_json::Value;

use super::rollouts::{to_value, watch_object};
use super::{ApiError, Cluster};
use crate::model::batch::BatchKind;

/// Requests on KubeVela's batch rollouts of `kind`.
pub fn batch_api(cluster: &Cluster, kind: BatchKind) -> ObjectApi {
    ObjectApi::new(
        cluster,
        gvk_resource(kind.group(), kind.version(), kind.kind(), kind.plural()),
    )
}

/// Which KubeVela batch kinds the cluster serves: one discovery request.
pub async fn vela_kinds(cluster: &Cluster) -> Result<Vec<BatchKind>, ApiError> {
    let groups = cluster.client.list_api_groups().await.map_err(|e| {
        ApiError::from_kube(e, "API groups", "", &cluster.namespace, &cluster.server)
    })?;
    Ok([BatchKind::TraitRollout, BatchKind::AppRollout]
        .into_iter()
        .filter(|k| groups.groups.iter().any(|g| g.name == k.group()))
        .collect())
}

/// Requests on KubeVela Applications.
pub fn app_api(cluster: &Cluster) -> ObjectApi {
    ObjectApi::new(
        cluster,
        gvk_resource("core.oam.dev", "v1beta1", "Application", "applications"),
    )
}

pub fn gvk_resource(group: &str, version: &str, kind: &str, plural: &str) -> ApiResource {
    ApiResource::from_gvk_with_plural(
        &kube::core::GroupVersionKind::gvk(group, version, kind),
        plural,
    )
}

#[derive(Clone)]
pub struct ObjectApi {
    cluster: Cluster,
    ar: ApiResource,
}

impl ObjectApi {
    pub fn new(cluster: &Cluster, ar: ApiResource) -> Self {
        ObjectApi {
            cluster: cluster.clone(),
            ar,
        }
    }

    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    /// `deployments.apps`: the resource as the API server names it in messages.
    pub fn resource(&self) -> String {
        if self.ar.group.is_empty() {
            self.ar.plural.clone()
        } else {
            format!("{}.{}", self.ar.plural, self.ar.group)
        }
    }

    /// Requests on a cluster-scoped kind (ValidatingAdmissionPolicies).
    pub fn cluster_wide(cluster: &Cluster, ar: ApiResource) -> Self {
        ObjectApi {
            cluster: Cluster {
                namespace: String::new(),
                ..cluster.clone()
            },
            ar,
        }
    }

    fn api(&self) -> Api<DynamicObject> {
        if self.cluster.namespace.is_empty() {
            return Api::all_with(self.cluster.client.clone(), &self.ar);
        }
        Api::namespaced_with(
            self.cluster.client.clone(),
            &self.cluster.namespace,
            &self.ar,
        )
    }

    pub fn classify(&self, e: kube::Error, name: &str) -> ApiError {
        ApiError::from_kube(
            e,
            &self.resource(),
            name,
            &self.cluster.namespace,
            &self.cluster.server,
        )
    }

    pub async fn get(&self, name: &str) -> Result<Value, ApiError> {
        self.api()
            .get(name)
            .await
            .map(to_value)
            .map_err(|e| self.classify(e, name))
    }

    fn post_params(&self, dry_run: bool) -> PostParams {
        PostParams {
            dry_run,
            field_manager: Some(self.cluster.field_manager.clone()),
        }
    }

    fn object(&self, obj: &Value) -> Result<DynamicObject, ApiError> {
        serde_json::from_value(obj.clone()).map_err(|e| ApiError::Rejected {
            code: 0,
            reason: String::new(),
            message: format!("not a Kubernetes object: {e}"),
        })
    }

    /// Create the object.
    pub async fn create(&self, obj: &Value, dry_run: bool) -> Result<Value, ApiError> {
        let name = obj["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        self.api()
            .create(&self.post_params(dry_run), &self.object(obj)?)
            .await
            .map(to_value)
            .map_err(|e| self.classify(e, &name))
    }

    /// Replace the object; `obj` carries the resourceVersion it replaces, so a concurrent
    /// change is a conflict.
    pub async fn replace(&self, obj: &Value, dry_run: bool) -> Result<Value, ApiError> {
        let name = obj["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        self.api()
            .replace(&name, &self.post_params(dry_run), &self.object(obj)?)
            .await
            .map(to_value)
            .map_err(|e| self.classify(e, &name))
    }

    /// A JSON merge patch on the object (`status = false`) or its status subresource. The
    /// caller puts `metadata.resourceVersion` in the patch to make it conditional.
    pub async fn patch(
        &self,
        name: &str,
        patch: &Value,
        status: bool,
        dry_run: bool,
    ) -> Result<Value, ApiError> {
        let api = self.api();
        let pp = self.cluster.patch_params(dry_run);
        let res = if status {
            api.patch_status(name, &pp, &Patch::Merge(patch)).await
        } else {
            api.patch(name, &pp, &Patch::Merge(patch)).await
        };
        res.map(to_value).map_err(|e| self.classify(e, name))
    }

    /// A JSON patch (RFC 6902), conditional through its `test` operations: a failed test is
    /// answered 422 and reported as a conflict, so the caller reads again and decides again.
    pub async fn json_patch(
        &self,
        name: &str,
        ops: &Value,
        dry_run: bool,
    ) -> Result<Value, ApiError> {
        let patch: json_patch::Patch =
            serde_json::from_value(ops.clone()).map_err(|e| ApiError::Rejected {
                code: 0,
                reason: String::new(),
                message: format!("not a JSON patch: {e}"),
            })?;
        let pp = self.cluster.patch_params(dry_run);
        match self
            .api()
            .patch(name, &pp, &Patch::<Value>::Json(patch))
            .await
        {
            Ok(o) => Ok(to_value(o)),
            Err(e) => match self.classify(e, name) {
                ApiError::Rejected {
                    code: 422, message, ..
                } => Err(ApiError::Conflict(message)),
                other => Err(other),
            },
        }
    }

    /// Follow one object through the watch API, as [`watch_object`] does.
    pub fn watch(
        &self,
        name: &str,
    ) -> impl Stream<Item = Result<Option<Value>, ApiError>> + Send + use<> {
        let this = self.clone();
        let n = name.to_string();
        watch_object(self.api(), name, move |e| this.classify(e, &n))
    }

    /// Every object in this namespace matching `selector`, whole (for small kinds only).
    pub async fn list_values(&self, selector: Option<&str>) -> Result<Vec<Value>, ApiError> {
        let mut lp = ListParams::default();
        if let Some(s) = selector {
            lp = lp.labels(s);
        }
        self.api()
            .list(&lp)
            .await
            .map(|l| l.items.into_iter().map(to_value).collect())
            .map_err(|e| self.classify(e, ""))
    }

    /// The API to list and watch this kind in this namespace, or in all.
    pub fn collection(&self, all_namespaces: bool) -> Api<DynamicObject> {
        if all_namespaces {
            Api::all_with(self.cluster.client.clone(), &self.ar)
        } else {
            self.api()
        }
    }

    /// Every object matching `selector`, whole, with its apiVersion and kind (a list's
    /// items may leave them out), and the list's resourceVersion to watch from.
    pub async fn list_from(
        &self,
        selector: Option<&str>,
        all_namespaces: bool,
    ) -> Result<(Vec<Value>, String), ApiError> {
        let mut lp = ListParams::default();
        if let Some(s) = selector {
            lp = lp.labels(s);
        }
        let list = self
            .collection(all_namespaces)
            .list(&lp)
            .await
            .map_err(|e| self.classify(e, ""))?;
        let api_version = self.ar.api_version.clone();
        let kind = self.ar.kind.clone();
        let items = list
            .items
            .into_iter()
            .map(|o| {
                let mut v = to_value(o);
                v["apiVersion"] = api_version.clone().into();
                v["kind"] = kind.clone().into();
                v
            })
            .collect();
        Ok((items, list.metadata.resource_version.unwrap_or_default()))
    }

    /// Every object in every namespace matching `selector`, whole (for small kinds only).
    pub async fn list_all(&self, selector: Option<&str>) -> Result<Vec<Value>, ApiError> {
        let mut lp = ListParams::default();
        if let Some(s) = selector {
            lp = lp.labels(s);
        }
        Api::<DynamicObject>::all_with(self.cluster.client.clone(), &self.ar)
            .list(&lp)
            .await
            .map(|l| l.items.into_iter().map(to_value).collect())
            .map_err(|e| self.classify(e, ""))
    }

    /// `(namespace, name)` of every object matching `selector`, in this namespace or all,
    /// paged so a large list never sits in memory whole.
    pub async fn names(
        &self,
        selector: Option<&str>,
        all_namespaces: bool,
    ) -> Result<Vec<(String, String)>, ApiError> {
        let api: Api<DynamicObject> = if all_namespaces {
            Api::all_with(self.cluster.client.clone(), &self.ar)
        } else {
            self.api()
        };
        let mut lp = ListParams::default().limit(500);
        if let Some(s) = selector {
            lp = lp.labels(s);
        }
        let mut out = Vec::new();
        loop {
            let page = api.list(&lp).await.map_err(|e| self.classify(e, ""))?;
            for o in page.items {
                out.push((
                    o.metadata.namespace.unwrap_or_default(),
                    o.metadata.name.unwrap_or_default(),
                ));
            }
            match page.metadata.continue_.filter(|t| !t.is_empty()) {
                Some(t) => lp = lp.continue_token(&t),
                None => return Ok(out),
            }
        }
    }
}
