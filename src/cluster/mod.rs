//! Talking to the cluster: kubeconfig and client set-up as kubectl does it, resolving a
//! rollout to an object and an API version, and the few requests the verbs make.

pub mod access;
mod cache;
mod credentials;
mod error;
pub mod events;
pub mod hub;
mod kubeconfig;
mod login;
mod object;
pub mod options;
mod proxy;
pub mod resource;
mod rollouts;
pub mod select;
pub mod stream_list;
mod trace;
mod transport;
mod workload;

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use kube::Client;
use kube::client::ClientBuilder;
use kube::client::retry::RetryPolicy;
use tower::ServiceBuilder;
use tower::buffer::BufferLayer;
use tower::retry::RetryLayer;

pub use cache::WorkloadRefs;
pub use kubeconfig::context_names;
pub use options::ConnectOptions;

pub use error::ApiError;
pub use object::{ObjectApi, app_api, batch_api, gvk_resource, vela_kinds};
pub use resource::{RolloutRef, TargetRef, parse_rollout_args, parse_target};
pub use rollouts::{Fetched, ListRead, RolloutApi, Target, api_resource as rollout_resource};
pub use trace::{LongBody, Warnings};
pub use workload::WorkloadApi;

/// kube's retry policy, for reads; a write is retried only when throttled (429, which says
/// it was not carried out). A write answered 503 or 504 may have been applied, and the
/// write loop reads it back to tell, rather than sending it again blindly.
///
/// With an exec login, a request refused with 401 (a credential revoked or expired early;
/// nothing was carried out) is sent once more: the login layer dropped the credential, so
/// the retry carries a fresh one.
#[derive(Clone)]
struct ReadsRetried {
    policy: RetryPolicy,
    relogin: bool,
}

impl<Res>
    tower::retry::Policy<http::Request<kube::client::Body>, http::Response<Res>, tower::BoxError>
    for ReadsRetried
{
    type Future = tokio::time::Sleep;

    fn retry(
        &mut self,
        req: &mut http::Request<kube::client::Body>,
        result: &mut Result<http::Response<Res>, tower::BoxError>,
    ) -> Option<Self::Future> {
        let status = result.as_ref().map(|r| r.status()).ok();
        if self.relogin && status == Some(http::StatusCode::UNAUTHORIZED) {
            self.relogin = false;
            return Some(tokio::time::sleep(Duration::ZERO));
        }
        let throttled = status == Some(http::StatusCode::TOO_MANY_REQUESTS);
        if req.method() == http::Method::GET || throttled {
            self.policy.retry(req, result)
        } else {
            None
        }
    }

    fn clone_request(
        &mut self,
        req: &http::Request<kube::client::Body>,
    ) -> Option<http::Request<kube::client::Body>> {
        <RetryPolicy as tower::retry::Policy<_, http::Response<Res>, tower::BoxError>>::clone_request(
            &mut self.policy,
            req,
        )
    }
}

/// How long a request (other than a watch) may take without --request-timeout.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// A connected client and the namespace commands act in.
#[derive(Clone)]
pub struct Cluster {
    pub client: Client,
    pub namespace: String,
    /// The namespace was given with -n (a file naming another one is then an error).
    pub namespace_given: bool,
    /// The API server's address, for error messages.
    pub server: String,
    /// Who the requests act as, for audit Events: `--as`, else the kubeconfig user.
    pub user: String,
    /// Recorded as the writer of every write (`managedFields`).
    pub field_manager: String,
    /// Record an Event on each object changed.
    pub audit: bool,
    pub verbosity: u8,
    pub warnings: Arc<Warnings>,
}

impl Cluster {
    /// The same client, acting in another namespace.
    pub fn in_namespace(&self, namespace: &str) -> Cluster {
        Cluster {
            namespace: namespace.to_string(),
            ..self.clone()
        }
    }

    /// Patch options every write uses: who writes, and whether the server only checks it.
    pub fn patch_params(&self, dry_run: bool) -> kube::api::PatchParams {
        kube::api::PatchParams {
            dry_run,
            field_manager: Some(self.field_manager.clone()),
            ..Default::default()
        }
    }
}

/// `kubectl-kruise/v0.1.0 (linux/amd64) kubectl-kruise/<commit>`: kubectl's form, so audit
/// logs tell this plugin's requests from anyone else's.
pub fn user_agent() -> String {
    agent_of("kubectl-kruise")
}

/// The User-Agent naming `program` (the dashboard names itself, so audit logs tell its
/// writes from the command line's).
fn agent_of(program: &str) -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    format!(
        "{program}/v{} ({}/{arch}) kubectl-kruise/{}",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS,
        env!("KRUISE_GIT_COMMIT")
    )
}

/// Build the client for the flags given. Runs exec credential plugins, so only commands
/// that talk to the cluster call it.
pub async fn connect(args: &ConnectOptions) -> Result<Cluster> {
    Connector::new(args).await?.cluster(None)
}

/// What the kubeconfig and flags select, with the login done: it makes the client of the
/// cluster itself, or of a member cluster reached through it as a hub (one login for all).
pub struct Connector {
    config: kube::Config,
    user: String,
    proxy: Option<proxy::Chosen>,
    login: Option<Arc<login::Login>>,
    deadline: Option<Duration>,
    namespace: String,
    namespace_given: bool,
    verbosity: u8,
    timeout_given: bool,
    shared: std::sync::OnceLock<SharedStack>,
}

/// One HTTP stack that several clients send through.
type SharedStack = tower::buffer::Buffer<
    http::Request<kube::client::Body>,
    <transport::Stack as tower::Service<http::Request<kube::client::Body>>>::Future,
>;

/// `req` with its path under `prefix` (a member's proxy path on its hub).
fn under(
    prefix: &str,
    mut req: http::Request<kube::client::Body>,
) -> http::Request<kube::client::Body> {
    let pq = req
        .uri()
        .path_and_query()
        .map_or("/", http::uri::PathAndQuery::as_str);
    // The prefix is a valid path (checked when the client was made) and so is the request's.
    if let Ok(uri) = http::Uri::try_from(format!("{prefix}{pq}")) {
        *req.uri_mut() = uri;
    }
    req
}

impl Connector {
    pub async fn new(args: &ConnectOptions) -> Result<Connector> {
        let kubeconfig::Loaded {
            mut config,
            user,
            proxy_url,
        } = kubeconfig::load_config(args).await?;
        // Every request ends in bounded time: the whole answer within --request-timeout, by
        // default DEFAULT_REQUEST_TIMEOUT; 0 means no limit, as in kubectl.
        let deadline = match args.request_timeout {
            Some(t) if t.is_zero() => None,
            Some(t) => Some(t),
            None => Some(DEFAULT_REQUEST_TIMEOUT),
        };
        config.connect_timeout = deadline;
        config.write_timeout = deadline;
        if args.disable_compression {
            config.disable_compression = true;
        }
        let namespace = args
            .namespace
            .clone()
            .unwrap_or_else(|| config.default_namespace.clone());
        config.headers.push((
            http::header::USER_AGENT,
            http::HeaderValue::from_str(&agent_of(args.agent.unwrap_or("kubectl-kruise")))
                .context("invalid User-Agent")?,
        ));
        let proxy = proxy::choose(&config.cluster_url, proxy_url.as_deref(), |name| {
            std::env::var(name).ok()
        })?;
        // An exec helper is run here, not by kube: see `login`. A helper that logs in with a
        // client certificate hands it to TLS; a token goes on each request.
        let login = match config.auth_info.exec.take() {
            Some(exec) => {
                let login = Arc::new(login::Login::new(exec)?);
                let first = login.credential().await?;
                if let (Some(cert), Some(key)) = (&first.client_certificate, &first.client_key) {
                    use base64::Engine;
                    let b64 = base64::engine::general_purpose::STANDARD;
                    config.auth_info.client_certificate_data = Some(b64.encode(cert));
                    config.auth_info.client_key_data = Some(b64.encode(key).into());
                }
                first.token.is_some().then_some(login)
            }
            None => None,
        };
        Ok(Connector {
            config,
            user,
            proxy,
            login,
            deadline,
            namespace,
            namespace_given: args.namespace.is_some(),
            verbosity: args.verbosity,
            timeout_given: args.request_timeout.is_some(),
            shared: std::sync::OnceLock::new(),
        })
    }

    /// The hub's HTTP stack, made once and shared by the clients of its members.
    fn shared_stack(&self) -> Result<SharedStack> {
        if let Some(s) = self.shared.get() {
            return Ok(s.clone());
        }
        let stack = transport::stack(
            &self.config,
            self.proxy.as_ref().map(|p| &p.uri),
            self.login.clone(),
        )?;
        Ok(self
            .shared
            .get_or_init(|| tower::buffer::Buffer::new(stack, 256))
            .clone())
    }

    /// The client of the cluster, or with `through` (a path such as a hub's
    /// `/apis/cluster.core.oam.dev/v1alpha1/clustergateways/NAME/proxy`) of the cluster
    /// behind that path.
    pub fn cluster(&self, through: Option<&str>) -> Result<Cluster> {
        let config = &self.config;
        let base = config.cluster_url.to_string();
        let server = format!("{}{}", base.trim_end_matches('/'), through.unwrap_or(""));
        // kube's default retries 429/503/504 up to 15 times with backoff growing to 1000 s: a
        // command could sit silent for minutes against a sick API server. Retry briefly
        // instead (at most 3 times, about 1.4 s in all), then say what the server answered.
        let policy = RetryPolicy::new(Duration::from_millis(200), Duration::from_secs(2), 3, false)
            .context("cannot set up the retry policy")?;
        let policy = ReadsRetried {
            policy,
            relogin: self.login.is_some(),
        };
        let warnings = Arc::new(Warnings::default());
        let stack = match through {
            None => transport::stack(
                config,
                self.proxy.as_ref().map(|p| &p.uri),
                self.login.clone(),
            )?,
            // Every member's requests go over the hub's one HTTP stack (one connection with
            // HTTP/2), each under its member's path.
            Some(path) => {
                let prefix = http::uri::PathAndQuery::try_from(format!("{path}/"))
                    .with_context(|| format!("cannot reach {path} under {base}"))?;
                let prefix = prefix.path().trim_end_matches('/').to_string();
                let hub = self.shared_stack()?;
                tower::util::BoxService::new(
                    ServiceBuilder::new()
                        .map_request(move |req| under(&prefix, req))
                        .service(hub),
                )
            }
        };
        let client: Client = ClientBuilder::new(stack, config.default_namespace.clone())
            // Retry needs to clone the service it retries through; a buffer makes it
            // cloneable. Tracing sits inside the retry so each attempt is logged.
            .with_layer(
                &ServiceBuilder::new()
                    .layer(RetryLayer::new(policy))
                    .layer(trace::TraceLayer::new(
                        self.verbosity,
                        server.clone(),
                        warnings.clone(),
                        self.deadline,
                        self.timeout_given,
                    ))
                    .layer(BufferLayer::new(64)),
            )
            .build();
        Ok(Cluster {
            client,
            namespace: self.namespace.clone(),
            namespace_given: self.namespace_given,
            // Messages name the proxy too: a refused connection may be the proxy's.
            server: match &self.proxy {
                Some(p) => format!("{server} through the proxy {}", p.describe()),
                None => server,
            },
            user: self.user.clone(),
            field_manager: "kubectl-kruise".to_string(),
            audit: true,
            verbosity: self.verbosity,
            warnings,
        })
    }
}
