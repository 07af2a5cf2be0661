//! Requests on Rollouts: get (with version fallback), conditional patches, paginated lists and
//! a watch of one object.

use futures::{Stream, StreamExt};
use kube::api::{Api, DynamicObject, ListParams};
use kube::core::{ApiResource, GroupVersionKind};
use kube::runtime::{WatchStreamExt, watcher};
use serde_json::Value;

use super::resource::RolloutRef;
use super::{ApiError, Cluster, ObjectApi};
use crate::model::{ApiVersion, GROUP};

const RESOURCE: &str = "rollouts.rollouts.kruise.io";

/// The version to try first (storage, the only one that shows blue-green), then the one
/// v0.4 controllers serve alone.
const PREFERRED: [ApiVersion; 2] = [ApiVersion::V1beta1, ApiVersion::V1alpha1];

/// A rollout resolved to its API version: the address every write goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub name: String,
    pub version: ApiVersion,
}

/// A rollout object as read, with the version it was read through.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub object: Value,
    pub version: ApiVersion,
}

impl Fetched {
    pub fn target(&self) -> Target {
        Target {
            name: self
                .object
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            version: self.version,
        }
    }
}

pub fn api_resource(v: ApiVersion) -> ApiResource {
    ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk(GROUP, v.version(), "Rollout"),
        "rollouts",
    )
}

pub(super) fn to_value(obj: DynamicObject) -> Value {
    // A DynamicObject always serializes; Null would only hide a serde bug.
    serde_json::to_value(obj).unwrap_or(Value::Null)
}

/// Rollouts in one namespace (or all, for lists).
#[derive(Clone)]
pub struct RolloutApi {
    cluster: Cluster,
}

impl RolloutApi {
    pub fn new(cluster: Cluster) -> Self {
        RolloutApi { cluster }
    }

    pub fn namespace(&self) -> &str {
        &self.cluster.namespace
    }

    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    fn api(&self, v: ApiVersion) -> Api<DynamicObject> {
        Api::namespaced_with(
            self.cluster.client.clone(),
            &self.cluster.namespace,
            &api_resource(v),
        )
    }

    fn classify(&self, err: kube::Error, name: &str) -> ApiError {
        ApiError::from_kube(
            err,
            RESOURCE,
            name,
            &self.cluster.namespace,
            &self.cluster.server,
        )
    }

    fn versions(pin: Option<ApiVersion>) -> Vec<ApiVersion> {
        match pin {
            Some(v) => vec![v],
            None => PREFERRED.to_vec(),
        }
    }

    /// Read a rollout: one GET in the common case; a second one only on clusters that do
    /// not serve v1beta1. No discovery.
    pub async fn get(&self, r: &RolloutRef) -> Result<Fetched, ApiError> {
        let versions = Self::versions(r.version);
        for (i, v) in versions.iter().enumerate() {
            match self.api(*v).get(&r.name).await {
                Ok(obj) => {
                    return Ok(Fetched {
                        object: to_value(obj),
                        version: *v,
                    });
                }
                Err(e) => match self.classify(e, &r.name) {
                    ApiError::NotServed(_) if i + 1 < versions.len() => continue,
                    ApiError::NotServed(_) => return Err(not_served(&versions)),
                    other => return Err(other),
                },
            }
        }
        Err(not_served(&versions))
    }

    /// Re-read a rollout at the version it was resolved to.
    pub async fn reread(&self, t: &Target) -> Result<Fetched, ApiError> {
        self.get(&RolloutRef {
            name: t.name.clone(),
            version: Some(t.version),
        })
        .await
    }

    /// Rollouts at one API version: where the writes of a rollout resolved to it go.
    pub fn at(&self, v: ApiVersion) -> ObjectApi {
        ObjectApi::new(&self.cluster, api_resource(v))
    }

    /// The same, in another namespace.
    pub fn in_namespace(&self, namespace: &str) -> RolloutApi {
        RolloutApi::new(self.cluster.in_namespace(namespace))
    }

    /// A JSON merge patch on the object (`status = false`) or its status subresource. The
    /// caller puts `metadata.resourceVersion` in the patch to make it conditional.
    pub async fn patch(
        &self,
        t: &Target,
        patch: &Value,
        status: bool,
        dry_run: bool,
    ) -> Result<Value, ApiError> {
        self.at(t.version)
            .patch(&t.name, patch, status, dry_run)
            .await
    }

    /// A paginated walk over rollouts, in this namespace or all of them.
    pub fn lister(&self, all_namespaces: bool, page_size: u32, selector: Option<&str>) -> Lister {
        Lister {
            api: self.clone(),
            all_namespaces,
            page_size,
            selector: selector.map(str::to_string),
            version: None,
            token: None,
            done: false,
        }
    }

    /// Follow one rollout through the watch API: `Some(object)` on every change, `None`
    /// when it is deleted (see [`watch_object`]).
    pub fn watch(
        &self,
        t: &Target,
    ) -> impl Stream<Item = Result<Option<Value>, ApiError>> + Send + use<> {
        let this = self.clone();
        let name = t.name.clone();
        watch_object(self.api(t.version), &t.name, move |e| {
            this.classify(e, &name)
        })
    }
}

/// Follow one object through the watch API: `Some(object)` on every change, `None` when it
/// is deleted. Dropped connections are re-established with backoff, from the last
/// resourceVersion seen; errors that retrying cannot fix (forbidden, not served) end the
/// stream.
pub fn watch_object<F>(
    api: Api<DynamicObject>,
    name: &str,
    classify: F,
) -> impl Stream<Item = Result<Option<Value>, ApiError>> + Send + use<F>
where
    F: Fn(kube::Error) -> ApiError + Send + 'static,
{
    let config = watcher::Config::default().fields(&format!("metadata.name={name}"));
    let mut seen = false;
    watcher(api, config)
        .default_backoff()
        .filter_map(move |ev| {
            let out = match ev {
                Ok(watcher::Event::Init) => {
                    seen = false;
                    None
                }
                Ok(watcher::Event::InitApply(o) | watcher::Event::Apply(o)) => {
                    seen = true;
                    Some(Ok(Some(to_value(o))))
                }
                Ok(watcher::Event::Delete(_)) => Some(Ok(None)),
                // A relist that no longer finds the object: it was deleted meanwhile.
                Ok(watcher::Event::InitDone) => (!seen).then_some(Ok(None)),
                Err(e) => {
                    let inner = match e {
                        watcher::Error::InitialListFailed(e)
                        | watcher::Error::WatchStartFailed(e)
                        | watcher::Error::WatchFailed(e) => Some(classify(e)),
                        watcher::Error::WatchError(s) => Some(classify(kube::Error::Api(s))),
                        watcher::Error::NoResourceVersion => None,
                    };
                    match inner {
                        Some(fatal @ (ApiError::Forbidden(_) | ApiError::NotServed(_))) => {
                            Some(Err(fatal))
                        }
                        // Transient: the backoff waits, then the watcher reconnects.
                        _ => None,
                    }
                }
            };
            futures::future::ready(out)
        })
}

fn not_served(tried: &[ApiVersion]) -> ApiError {
    let versions: Vec<&str> = tried.iter().map(|v| v.version()).collect();
    ApiError::NotServed(format!("{RESOURCE} ({})", versions.join(" or ")))
}

/// Pages of a rollout list; holds only the current page.
pub struct Lister {
    api: RolloutApi,
    all_namespaces: bool,
    page_size: u32,
    selector: Option<String>,
    version: Option<ApiVersion>,
    token: Option<String>,
    done: bool,
}

impl Lister {
    /// The next page, or `None` after the last one.
    pub async fn next_page(&mut self) -> Result<Option<Vec<Value>>, ApiError> {
        if self.done {
            return Ok(None);
        }
        let versions = match self.version {
            Some(v) => vec![v],
            None => PREFERRED.to_vec(),
        };
        let mut lp = ListParams::default().limit(self.page_size);
        if let Some(sel) = &self.selector {
            lp = lp.labels(sel);
        }
        if let Some(t) = &self.token {
            lp = lp.continue_token(t);
        }
        for (i, v) in versions.iter().enumerate() {
            let ar = api_resource(*v);
            let client = self.api.cluster.client.clone();
            let api: Api<DynamicObject> = if self.all_namespaces {
                Api::all_with(client, &ar)
            } else {
                Api::namespaced_with(client, &self.api.cluster.namespace, &ar)
            };
            match api.list(&lp).await {
                Ok(list) => {
                    self.version = Some(*v);
                    self.token = list.metadata.continue_.filter(|t| !t.is_empty());
                    self.done = self.token.is_none();
                    return Ok(Some(
                        list.items
                            .into_iter()
                            .map(to_value)
                            .map(|o| with_kind(o, *v))
                            .collect(),
                    ));
                }
                Err(e) => match self.api.classify(e, "") {
                    ApiError::NotServed(_) if i + 1 < versions.len() => continue,
                    ApiError::NotServed(_) => return Err(not_served(&versions)),
                    other => return Err(other),
                },
            }
        }
        Err(not_served(&versions))
    }
}

/// List items come without apiVersion/kind; put them back so each decodes on its own.
fn with_kind(mut obj: Value, v: ApiVersion) -> Value {
    if let Some(m) = obj.as_object_mut() {
        m.insert("apiVersion".into(), Value::String(v.to_string()));
        m.insert("kind".into(), Value::String("Rollout".into()));
    }
    obj
}
