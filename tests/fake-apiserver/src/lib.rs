//! A small, stateful Kubernetes API server for tests and for the sandbox.
//!
//! It is not a mock that replays canned answers: it keeps objects, and it behaves like
//! kube-apiserver in the ways a client of the Rollout API depends on:
//!
//! - one cluster-wide `resourceVersion` counter, bumped on every write;
//! - a write that carries a stale `metadata.resourceVersion` is refused with 409 Conflict;
//! - the status subresource: a write to the main resource cannot change `status`, a write to
//!   `/status` can change nothing else; `metadata.generation` moves when `spec` changes;
//! - JSON merge patch (RFC 7386) and JSON patch (RFC 6902); `dryRun=All` writes nothing;
//! - 404 with a `Status` naming the object when it is missing, and a plain-text 404 when the
//!   group/version/resource is not served (as for a CRD that is not installed);
//! - 403 for requests a rule forbids;
//! - paginated lists (`limit`/`continue`), field and label selectors;
//! - watch streams (`watch=true`) from a `resourceVersion`, with `timeoutSeconds`;
//! - discovery documents and `/version`, so that the real `kubectl` can talk to it.
//!
//! Objects are stored once per group/resource/namespace/name. There is no conversion between
//! API versions: reading through another served version only rewrites `apiVersion`.

mod admission;
mod authz;
pub mod background;
pub mod cel;
pub mod conversion;
pub mod demo;
mod faults;
mod handler;
pub mod hub;
pub mod link;
mod patch;
mod policy;
pub mod proxy;
mod selector;
pub mod sim;
pub mod sim_vela;
pub mod sim_workloads;
mod store;

pub use background::{Background, certs};
pub use faults::Fault;
pub use store::{ResourceType, Verb};

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use tokio::sync::broadcast;

use store::Store;

/// One HTTP request as the server saw it, for assertions on round trips.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    pub method: String,
    pub path: String,
    pub query: String,
    /// The request body as text (empty for GET).
    pub body: String,
    pub user_agent: String,
    /// `Impersonate-User`, `-Group` and `-Uid` headers (`--as`, `--as-group`, `--as-uid`).
    pub impersonate_user: Option<String>,
    pub impersonate_groups: Vec<String>,
    pub impersonate_uid: Option<String>,
    /// The `Authorization` header, to check which credential a client sent.
    pub authorization: Option<String>,
    /// The HTTP status of the answer.
    pub status: u16,
    /// The `Accept-Encoding` header (`gzip` when the client takes compressed answers).
    pub accept_encoding: Option<String>,
    /// The `Accept` header: whole objects, metadata only or a Table.
    pub accept: Option<String>,
    /// When the request arrived: dependent requests arrive a round trip apart.
    pub at: std::time::Instant,
    /// The client's address: one per connection.
    pub peer: Option<SocketAddr>,
    /// `HTTP/1.1` or `HTTP/2.0`.
    pub version: String,
}

/// Sees every write made through the API, after it is stored: the manager that made it
/// (`fieldManager`, or the User-Agent's first word), the subresource, the object before
/// and after.
pub type WriteObserver = Box<dyn Fn(&str, Option<&str>, &Value, &Value) + Send>;

/// A change callback: runs against a stored object (simulating another writer, such as a
/// controller) and may change it; the server then bumps its resourceVersion.
pub type Reaction = Box<dyn FnMut(&mut Value) + Send>;

/// The server's shared state, reachable from tests while the server runs.
#[derive(Clone)]
pub struct FakeApi {
    pub(crate) store: Arc<Mutex<Store>>,
    pub(crate) events: broadcast::Sender<store::WatchEvent>,
    /// Ends every open watch stream, as an API server restart or a load balancer does.
    pub(crate) closer: broadcast::Sender<()>,
}

impl Default for FakeApi {
    fn default() -> Self {
        Self::new()
    }
}

impl FakeApi {
    /// A server with the built-in workload types (apps/v1 and apps.kruise.io) and no CRD for
    /// Rollouts; add it with [`FakeApi::serve_rollouts`].
    pub fn new() -> Self {
        let (events, _) = broadcast::channel(4096);
        let (closer, _) = broadcast::channel(4);
        let api = FakeApi {
            store: Arc::new(Mutex::new(Store::default())),
            events,
            closer,
        };
        for t in ResourceType::builtin_workloads() {
            api.add_type(t);
        }
        api.add_type(ResourceType {
            status_subresource: false,
            ..ResourceType::new("", &["v1"], "Event", "events", false)
        });
        api.add_type(ResourceType::new("", &["v1"], "Pod", "pods", false));
        api
    }

    /// Serve every path under `prefix` (e.g. `/k8s/clusters/c-m-xxxx`, as Rancher's
    /// gateway does); requests without it are answered 404.
    pub fn serve_under(&self, prefix: &str) -> &Self {
        self.lock().prefix = prefix.trim_end_matches('/').to_string();
        self
    }

    /// Accept only these bearer tokens (`None`: any request, as before); others get 401.
    pub fn accept_tokens(&self, tokens: Option<&[&str]>) -> &Self {
        self.lock().tokens = tokens.map(|t| t.iter().map(|s| s.to_string()).collect());
        self
    }

    /// Report this link's counters with the requests (`/fake/requests`).
    pub fn report_link(&self, counters: Arc<link::Counters>) {
        self.lock().link = Some(counters);
    }

    /// Serve `rollouts.rollouts.kruise.io` in the given versions, preferred first
    /// (`&["v1beta1", "v1alpha1"]` for a v0.5+ controller, `&["v1alpha1"]` for v0.4).
    pub fn serve_rollouts(&self, versions: &[&str]) -> &Self {
        self.add_type(ResourceType::new(
            "rollouts.kruise.io",
            versions,
            "Rollout",
            "rollouts",
            true,
        ));
        self
    }

    /// Convert Rollouts between their versions as Kruise's webhook does (a cluster with
    /// Kruise installed), instead of storing each object as written.
    pub fn convert_rollouts(&self) -> &Self {
        let mut st = self.lock();
        for t in st
            .types
            .iter_mut()
            .filter(|t| t.group == "rollouts.kruise.io" && t.kind == "Rollout")
        {
            t.converted = true;
        }
        drop(st);
        self
    }

    /// Serve Argo Rollouts' analysis templates: `AnalysisTemplate` (namespaced) and
    /// `ClusterAnalysisTemplate` (`argoproj.io/v1alpha1`).
    pub fn serve_argo_analysis(&self) -> &Self {
        self.add_type(ResourceType {
            status_subresource: false,
            ..ResourceType::new(
                "argoproj.io",
                &["v1alpha1"],
                "AnalysisTemplate",
                "analysistemplates",
                true,
            )
        });
        self.add_type(ResourceType {
            status_subresource: false,
            namespaced: false,
            ..ResourceType::new(
                "argoproj.io",
                &["v1alpha1"],
                "ClusterAnalysisTemplate",
                "clusteranalysistemplates",
                true,
            )
        });
        self
    }

    /// Serve KubeVela's kinds: AppRollout, Application and ApplicationRevision
    /// (`core.oam.dev/v1beta1`) and the `rollout` trait's Rollout (`standard.oam.dev/v1alpha1`).
    pub fn serve_kubevela(&self) -> &Self {
        self.add_type(ResourceType::new(
            "core.oam.dev",
            &["v1beta1"],
            "AppRollout",
            "approllouts",
            true,
        ));
        self.add_type(ResourceType::new(
            "core.oam.dev",
            &["v1beta1"],
            "Application",
            "applications",
            true,
        ));
        self.add_type(ResourceType {
            status_subresource: false,
            ..ResourceType::new(
                "core.oam.dev",
                &["v1beta1"],
                "ApplicationRevision",
                "applicationrevisions",
                true,
            )
        });
        self.add_type(ResourceType::new(
            "standard.oam.dev",
            &["v1alpha1"],
            "Rollout",
            "rollouts",
            true,
        ));
        self
    }

    /// Serve RBAC (Roles, RoleBindings, ClusterRoles, ClusterRoleBindings) and
    /// ValidatingAdmissionPolicies with their bindings (`admissionregistration.k8s.io` v1 and
    /// v1beta1), which the fake applies to updates; access reviews are always answered.
    pub fn serve_rbac(&self) -> &Self {
        let cluster_wide = |t: ResourceType| ResourceType {
            namespaced: false,
            ..t
        };
        let plain = |t: ResourceType| ResourceType {
            status_subresource: false,
            ..t
        };
        let rbac = authz::RBAC;
        self.add_type(plain(ResourceType::new(
            rbac,
            &["v1"],
            "Role",
            "roles",
            false,
        )));
        self.add_type(plain(ResourceType::new(
            rbac,
            &["v1"],
            "RoleBinding",
            "rolebindings",
            false,
        )));
        self.add_type(plain(cluster_wide(ResourceType::new(
            rbac,
            &["v1"],
            "ClusterRole",
            "clusterroles",
            false,
        ))));
        self.add_type(plain(cluster_wide(ResourceType::new(
            rbac,
            &["v1"],
            "ClusterRoleBinding",
            "clusterrolebindings",
            false,
        ))));
        for (kind, plural) in [
            ("ValidatingAdmissionPolicy", "validatingadmissionpolicies"),
            (
                "ValidatingAdmissionPolicyBinding",
                "validatingadmissionpolicybindings",
            ),
        ] {
            self.add_type(cluster_wide(ResourceType::new(
                policy::GROUP,
                &["v1", "v1beta1"],
                kind,
                plural,
                false,
            )));
        }
        self
    }

    /// Authorize requests of impersonated users (`--as`) by the stored RBAC objects, as
    /// kube-apiserver's RBAC authorizer does; the fake's own identity stays an admin.
    pub fn enforce_rbac(&self) -> &Self {
        self.lock().rbac = true;
        self
    }

    /// Report Kubernetes 1.`minor` at `/version` (1.32 unless set).
    pub fn server_minor(&self, minor: u32) -> &Self {
        self.lock().minor = minor;
        self
    }

    pub fn add_type(&self, t: ResourceType) {
        self.lock().types.push(t);
    }

    /// Store an object as it would be after earlier writes, status included (unlike a
    /// create through the API, which drops status). Sets uid, creationTimestamp,
    /// generation and resourceVersion if absent. Returns the stored object.
    pub fn insert(&self, obj: Value) -> Value {
        let mut st = self.lock();
        let stored = st.insert(obj).unwrap_or_else(|e| panic!("insert: {e}"));
        st.publish(&self.events, "ADDED", &stored);
        stored
    }

    /// Every stored object of `group/plural`, in all namespaces.
    pub fn list(&self, group: &str, plural: &str) -> Vec<Value> {
        self.lock().list(group, plural)
    }

    /// The stored object, as stored.
    pub fn get(&self, group: &str, plural: &str, namespace: &str, name: &str) -> Option<Value> {
        self.lock().get(group, plural, namespace, name).cloned()
    }

    /// Change a stored object as another client would (a controller writing status), bump
    /// its resourceVersion and notify watchers. Returns the new object.
    pub fn modify(
        &self,
        group: &str,
        plural: &str,
        namespace: &str,
        name: &str,
        f: impl FnOnce(&mut Value),
    ) -> Value {
        let mut st = self.lock();
        let stored = st
            .modify(group, plural, namespace, name, f)
            .unwrap_or_else(|| panic!("modify: no {plural} {namespace}/{name}"));
        st.publish(&self.events, "MODIFIED", &stored);
        stored
    }

    /// End every open watch stream now (clients must reconnect from their last
    /// resourceVersion). Returns how many were open.
    pub fn drop_watches(&self) -> usize {
        self.closer.send(()).unwrap_or(0)
    }

    /// Forget the change log, as etcd compaction does: a watch from a resourceVersion before
    /// now gets 410 Gone, and the client must list again.
    pub fn compact(&self) {
        let mut st = self.lock();
        st.log.clear();
        st.compacted = st.rv;
    }

    /// How many watch streams are open.
    pub fn open_watches(&self) -> usize {
        self.closer.receiver_count()
    }

    /// Delete a stored object and notify watchers.
    pub fn delete(&self, group: &str, plural: &str, namespace: &str, name: &str) {
        let mut st = self.lock();
        if let Some(old) = st.remove(group, plural, namespace, name) {
            st.publish(&self.events, "DELETED", &old);
        }
    }

    /// Run `reaction` on the stored object right after each of the next `times` GETs of it
    /// (the response carries the state before the reaction): a concurrent writer that lands
    /// between a client's read and its write.
    pub fn after_get(
        &self,
        group: &str,
        plural: &str,
        namespace: &str,
        name: &str,
        times: usize,
        reaction: Reaction,
    ) {
        self.lock().after_get.push(store::AfterGet {
            key: store::Key::new(group, plural, namespace, name),
            remaining: times,
            reaction,
        });
    }

    /// Refuse `verb` on `group/plural[/subresource]` with 403 Forbidden.
    pub fn forbid(&self, verb: Verb, group: &str, plural: &str, subresource: Option<&str>) {
        self.forbid_user(None, verb, group, plural, subresource);
    }

    /// Refuse `verb` to one user (as impersonated with `Impersonate-User`), or to all.
    pub fn forbid_user(
        &self,
        user: Option<&str>,
        verb: Verb,
        group: &str,
        plural: &str,
        subresource: Option<&str>,
    ) {
        self.lock().forbidden.push(store::Rule {
            user: user.map(str::to_string),
            verb,
            group: group.to_string(),
            plural: plural.to_string(),
            subresource: subresource.map(str::to_string),
        });
    }

    /// Call `f` after every write made through the API (not [`FakeApi::modify`]).
    pub fn observe_writes(&self, f: WriteObserver) {
        self.lock().observers.push(f);
    }

    /// Send `Warning: 299 - "text"` with every response from now on (`None` stops it), as
    /// kube-apiserver does for deprecated APIs and admission warnings.
    pub fn warn(&self, text: Option<&str>) {
        self.lock().warning = text.map(str::to_string);
    }

    /// Answer the next `times` requests with HTTP `code` (e.g. 503 or 429), as an overloaded
    /// or restarting API server does.
    pub fn fail_next(&self, times: usize, code: u16) {
        self.lock().failures = Some((times, code));
    }

    /// Spoil the answers to the next `times` requests of `method` (`None`: any) with `fault`.
    pub fn fault(&self, method: Option<&str>, times: usize, fault: Fault) {
        self.lock().faults.push(faults::Pending {
            method: method.map(str::to_string),
            times,
            fault,
        });
    }

    /// Every request served so far.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.lock().requests.clone()
    }

    /// Requests that changed something (POST, PUT, PATCH, DELETE), dry runs included.
    pub fn writes(&self) -> Vec<RequestRecord> {
        self.requests()
            .into_iter()
            .filter(|r| r.method != "GET")
            .collect()
    }

    /// Writes that were carried out (answered 2xx), dry runs included: what changed state.
    pub fn accepted_writes(&self) -> Vec<RequestRecord> {
        self.writes()
            .into_iter()
            .filter(|r| (200..300).contains(&r.status))
            .collect()
    }

    pub fn clear_requests(&self) {
        self.lock().requests.clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Store> {
        // A test that panicked while holding the lock has already failed; keep serving.
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The axum router that serves this state.
    pub fn router(&self) -> axum::Router {
        handler::router(self.clone())
    }

    /// Serve on an ephemeral loopback port from a background thread with its own runtime.
    /// The server stops when the returned handle is dropped.
    pub fn spawn(&self) -> RunningServer {
        let router = self.router();
        let background = Background::spawn(move |listener| async move {
            let app = router.into_make_service_with_connect_info::<SocketAddr>();
            axum::serve(listener, app).await.ok();
        });
        RunningServer {
            addr: background.addr,
            tls: false,
            _background: background,
        }
    }

    /// Serve over TLS on an ephemeral loopback port, with this certificate chain and key
    /// (PEM), HTTP/2 and HTTP/1.1 offered by ALPN as kube-apiserver offers them. The server
    /// stops when the returned handle is dropped.
    pub fn spawn_tls(&self, cert_pem: &str, key_pem: &str) -> RunningServer {
        let acceptor = background::tls_acceptor(cert_pem, key_pem, &[b"h2", b"http/1.1"]);
        let router = self.router();
        let background = Background::spawn(move |listener| async move {
            loop {
                let Ok((tcp, peer)) = listener.accept().await else {
                    continue;
                };
                let (acceptor, router) = (acceptor.clone(), router.clone());
                tokio::spawn(async move {
                    // A client that refuses the certificate ends the handshake: nothing to serve.
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let router = router.layer(axum::Extension(axum::extract::ConnectInfo(peer)));
                    let svc = hyper_util::service::TowerToHyperService::new(router);
                    hyper_util::server::conn::auto::Builder::new(
                        hyper_util::rt::TokioExecutor::new(),
                    )
                    .serve_connection(hyper_util::rt::TokioIo::new(tls), svc)
                    .await
                    .ok();
                });
            }
        });
        RunningServer {
            addr: background.addr,
            tls: true,
            _background: background,
        }
    }
}

/// A server running on loopback; stops on drop.
pub struct RunningServer {
    pub addr: SocketAddr,
    /// Served over TLS (`https://`).
    pub tls: bool,
    _background: Background,
}

impl RunningServer {
    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// A kubeconfig with two contexts on this server: `fake` (no namespace) and
    /// `fake-ns` (namespace `team-a`), current context `fake`.
    pub fn kubeconfig(&self) -> String {
        kubeconfig_for(&self.url(), None)
    }
}

/// A kubeconfig with a context per (name, server), each its own cluster, the first current.
pub fn kubeconfig_of_contexts(servers: &[(String, String)]) -> String {
    let clusters: Vec<Value> = servers
        .iter()
        .map(|(n, url)| serde_json::json!({"name": n, "cluster": {"server": url}}))
        .collect();
    let contexts: Vec<Value> = servers
        .iter()
        .map(|(n, _)| serde_json::json!({"name": n, "context": {"cluster": n, "user": "tester"}}))
        .collect();
    let kc = serde_json::json!({
        "apiVersion": "v1", "kind": "Config",
        "clusters": clusters, "contexts": contexts,
        "users": [{"name": "tester", "user": {"token": "fake-token"}}],
        "current-context": servers.first().map(|(n, _)| n.as_str()).unwrap_or(""),
    });
    serde_saphyr::to_string(&kc).expect("a kubeconfig encodes")
}

/// [`kubeconfig_for`], and a context per hub member (named as it) whose server is the
/// member's proxy path under `url`, as a kubeconfig for a KubeVela member is written.
pub fn kubeconfig_with_members(url: &str, ca_pem: Option<&str>, members: &[String]) -> String {
    let mut kc: serde_json::Value =
        serde_saphyr::from_str(&kubeconfig_for(url, ca_pem)).expect("the kubeconfig we write");
    let base = kc["clusters"][0]["cluster"].clone();
    for m in members {
        let mut cluster = base.clone();
        cluster["server"] =
            format!("{url}/apis/cluster.core.oam.dev/v1alpha1/clustergateways/{m}/proxy").into();
        if let Some(list) = kc["clusters"].as_array_mut() {
            list.push(serde_json::json!({"name": m, "cluster": cluster}));
        }
        if let Some(list) = kc["contexts"].as_array_mut() {
            list.push(serde_json::json!({"name": m, "context": {"cluster": m, "user": "tester"}}));
        }
    }
    serde_saphyr::to_string(&kc).expect("a kubeconfig encodes")
}

/// The kubeconfig [`RunningServer::kubeconfig`] writes, for a server at `url` (the server
/// itself, or a link or gateway in front of it), trusting `ca_pem` when given.
pub fn kubeconfig_for(url: &str, ca_pem: Option<&str>) -> String {
    let ca = ca_pem
        .map(|pem| {
            use base64::Engine;
            format!(
                "    certificate-authority-data: {}\n",
                base64::engine::general_purpose::STANDARD.encode(pem)
            )
        })
        .unwrap_or_default();
    {
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: fake\n  cluster:\n{ca}    server: {url}\n\
             users:\n- name: tester\n  user:\n    token: fake-token\n\
             contexts:\n- name: fake\n  context:\n    cluster: fake\n    user: tester\n\
             - name: fake-ns\n  context:\n    cluster: fake\n    user: tester\n    namespace: team-a\n\
             current-context: fake\n"
        )
    }
}
