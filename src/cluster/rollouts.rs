//! Requests on Rollouts: get (with version fallback), conditional patches, paginated lists and
//! a watch of one object.

use futures::{Stream, StreamExt};
use kube::api::{Api, DynamicObject, ListParams};
use kube::core::{ApiResource, GroupVersionKind};
use kube::runtime::{WatchStreamExt, watcher};
use serde_json::Value;

use super::resource::RolloutRef;
use super::stream_list::{self, ItemSink};
use super::{ApiError, Cluster, ObjectApi};
use crate::model::batch::BatchKind;
use crate::model::{ApiVersion, GROUP, WorkloadKind};

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
                    ApiError::NotFound {
                        resource,
                        name,
                        namespace,
                        ..
                    } => {
                        let hint = self.not_found_hint(*v, &name).await;
                        return Err(ApiError::NotFound {
                            resource,
                            name,
                            namespace,
                            hint,
                        });
                    }
                    other => return Err(other),
                },
            }
        }
        Err(not_served(&versions))
    }

    /// What to tell a user whose rollout is not there: a KubeVela rollout of that name or a
    /// workload of that name (the form to type for it), the namespaces where a rollout of
    /// that name exists, that the namespace does not exist, or the names in it that are
    /// close. On this error path only, and cheap on a big cluster: the lookups go out
    /// together (one round trip), by name (a GET, or a `metadata.name` field selector served
    /// from the cache) but for the close names, one page of names only (metadata, no
    /// objects). Any that fails just gives no hint.
    async fn not_found_hint(&self, v: ApiVersion, wanted: &str) -> String {
        let ns = &self.cluster.namespace;
        let nsr = ApiResource::from_gvk_with_plural(
            &GroupVersionKind::gvk("", "v1", "Namespace"),
            "namespaces",
        );
        let namespaces: Api<DynamicObject> = Api::all_with(self.cluster.client.clone(), &nsr);
        let elsewhere =
            Api::<DynamicObject>::all_with(self.cluster.client.clone(), &api_resource(v));
        let by_name = ListParams::default()
            .fields(&format!("metadata.name={wanted}"))
            .match_any();
        let first_page = ListParams::default().limit(500);
        let here = self.api(v);
        let vela = futures::future::join_all([BatchKind::AppRollout, BatchKind::TraitRollout].map(
            |kind| async move {
                super::batch_api(&self.cluster, kind)
                    .get(wanted)
                    .await
                    .ok()
                    .map(|_| kind)
            },
        ));
        let workloads = futures::future::join_all(WorkloadKind::ALL.map(|kind| async move {
            super::WorkloadApi::new(&self.cluster, kind)
                .get(wanted)
                .await
                .ok()
                .map(|_| kind)
        }));
        let (namespace, here, elsewhere, vela, workloads) = futures::join!(
            namespaces.get(ns),
            here.list_metadata(&first_page),
            elsewhere.list_metadata(&by_name),
            vela,
            workloads
        );
        if let Some(kind) = vela.into_iter().flatten().next() {
            return format!(
                "; KubeVela's {} {wanted:?} is here: name it {}/{wanted}",
                kind.description(),
                kind.type_word()
            );
        }
        if let Some(kind) = workloads.into_iter().flatten().next() {
            return format!(
                "; {wanted:?} is a {}, not a rollout: name it {}/{wanted}",
                kind.kind(),
                kind.type_word()
            );
        }
        if let Err(kube::Error::Api(s)) = &namespace
            && s.code == 404
        {
            return format!(
                "; namespace \"{ns}\" does not exist (check -n or the context's namespace)"
            );
        }
        if let Ok(list) = elsewhere {
            let mut found: Vec<String> = list
                .items
                .into_iter()
                .filter_map(|o| o.metadata.namespace)
                .filter(|n| n != ns)
                .collect();
            found.sort();
            if !found.is_empty() {
                let flags: Vec<String> = found.iter().map(|n| format!("-n {n}")).collect();
                return format!(
                    "; a rollout of that name is in namespace {} ({})",
                    found.join(", "),
                    flags.join(" or ")
                );
            }
        }
        let Ok(list) = here else {
            return String::new();
        };
        let names: Vec<String> = list
            .items
            .into_iter()
            .filter_map(|o| o.metadata.name)
            .collect();
        let near = super::error::near_names(wanted, names.iter().map(String::as_str));
        if near.is_empty() {
            String::new()
        } else {
            format!("; did you mean {}?", near.join(", "))
        }
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

    /// The URL path of rollouts at `v`, in this namespace or all of them.
    fn collection(&self, v: ApiVersion, all_namespaces: bool) -> String {
        if all_namespaces {
            format!("/apis/{GROUP}/{}/rollouts", v.version())
        } else {
            format!(
                "/apis/{GROUP}/{}/namespaces/{}/rollouts",
                v.version(),
                self.cluster.namespace
            )
        }
    }

    /// List rollouts into `sink`, one at a time, whatever the size of the list. By default
    /// the list is read from the API server's watch cache (`resourceVersion=0`: fast, and
    /// possibly a moment behind etcd); `read.consistent` reads from etcd, page by page.
    /// Returns the sink, the list's resourceVersion and the API version served.
    pub async fn list_into<S: ItemSink>(
        &self,
        read: &ListRead,
        sink: S,
    ) -> anyhow::Result<(S, String, ApiVersion)> {
        let opened = self.open_list(read).await?;
        self.read_list(read, opened, sink).await
    }

    fn list_params(read: &ListRead) -> ListParams {
        let mut lp = if read.consistent {
            ListParams::default().limit(read.page_size)
        } else {
            ListParams::default().match_any()
        };
        if let Some(sel) = &read.selector {
            lp = lp.labels(sel);
        }
        lp
    }

    /// Send the list request and wait for the answer to begin (its headers), so that other
    /// requests can go out meanwhile; the body is read by [`RolloutApi::read_list`].
    pub async fn open_list(&self, read: &ListRead) -> anyhow::Result<OpenedList> {
        let lp = Self::list_params(read);
        // The first page decides the version: one request where v1beta1 is served.
        for (i, v) in PREFERRED.iter().enumerate() {
            let req = kube::core::Request::new(self.collection(*v, read.all_namespaces))
                .list(&lp)
                .map_err(|e| anyhow::anyhow!("cannot build the list request: {e}"))?;
            match stream_list::open(&self.cluster.client, req, |e| self.classify(e, "")).await {
                Ok(body) => return Ok(OpenedList { version: *v, body }),
                Err(ApiError::NotServed(_)) if i + 1 < PREFERRED.len() => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(not_served(&PREFERRED).into())
    }

    /// Read an opened list into `sink` (and its further pages, when paged).
    pub async fn read_list<S: ItemSink>(
        &self,
        read: &ListRead,
        opened: OpenedList,
        sink: S,
    ) -> anyhow::Result<(S, String, ApiVersion)> {
        let lp = Self::list_params(read);
        let OpenedList {
            version: v,
            mut body,
        } = opened;
        let mut sink = WithKind {
            inner: sink,
            version: v,
        };
        loop {
            let (back, end) = stream_list::read(body, sink).await?;
            sink = back;
            match end.continue_token {
                Some(token) if read.consistent => {
                    let next = lp.clone().continue_token(&token);
                    let req = kube::core::Request::new(self.collection(v, read.all_namespaces))
                        .list(&next)
                        .map_err(|e| anyhow::anyhow!("cannot build the list request: {e}"))?;
                    body = stream_list::open(&self.cluster.client, req, |e| self.classify(e, ""))
                        .await?;
                }
                _ => return Ok((sink.inner, end.resource_version, v)),
            }
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
                        // A 401 was already answered with a fresh credential (the retry
                        // policy): a second one will not pass either.
                        Some(
                            fatal @ (ApiError::Forbidden(_)
                            | ApiError::NotServed(_)
                            | ApiError::Unauthorized
                            | ApiError::Credentials { .. }),
                        ) => Some(Err(fatal)),
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

/// A list whose answer has begun: its API version and the body still to read.
pub struct OpenedList {
    version: ApiVersion,
    body: stream_list::ListBody,
}

/// How `list` reads.
#[derive(Debug, Clone, Default)]
pub struct ListRead {
    pub all_namespaces: bool,
    pub selector: Option<String>,
    /// Read from etcd, paged, instead of from the watch cache.
    pub consistent: bool,
    pub page_size: u32,
}

/// List items come without apiVersion/kind: put them back so each decodes on its own.
struct WithKind<S> {
    inner: S,
    version: ApiVersion,
}

impl<S: ItemSink> ItemSink for WithKind<S> {
    fn item(&mut self, obj: Value) -> anyhow::Result<()> {
        self.inner.item(with_kind(obj, self.version))
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
