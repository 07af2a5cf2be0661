//! Talking to the cluster: kubeconfig and client set-up as kubectl does it, resolving a
//! rollout to an object and an API version, and the few requests the verbs make.

pub mod access;
mod credentials;
mod error;
pub mod events;
mod object;
pub mod resource;
mod rollouts;
pub mod select;
pub mod stream_list;
mod trace;
mod workload;

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use kube::client::ClientBuilder;
use kube::client::retry::RetryPolicy;
use kube::config::{
    AuthInfo, Cluster as KubeCluster, Context as KubeContext, KubeConfigOptions, Kubeconfig,
    NamedAuthInfo, NamedCluster, NamedContext,
};
use kube::{Client, Config};
use tower::ServiceBuilder;
use tower::buffer::BufferLayer;
use tower::retry::RetryLayer;

use crate::cli::ClusterArgs;

pub use error::ApiError;
pub use object::{ObjectApi, app_api, batch_api, gvk_resource};
pub use resource::{RolloutRef, TargetRef, parse_rollout_args, parse_target};
pub use rollouts::{Fetched, ListRead, RolloutApi, Target, api_resource as rollout_resource};
pub use trace::{LongBody, Warnings};
pub use workload::WorkloadApi;

/// kube's retry policy, for reads; a write is retried only when throttled (429, which says
/// it was not carried out). A write answered 503 or 504 may have been applied, and the
/// write loop reads it back to tell, rather than sending it again blindly.
#[derive(Clone)]
struct ReadsRetried(RetryPolicy);

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
        let throttled =
            matches!(result, Ok(r) if r.status() == http::StatusCode::TOO_MANY_REQUESTS);
        if req.method() == http::Method::GET || throttled {
            self.0.retry(req, result)
        } else {
            None
        }
    }

    fn clone_request(
        &mut self,
        req: &http::Request<kube::client::Body>,
    ) -> Option<http::Request<kube::client::Body>> {
        <RetryPolicy as tower::retry::Policy<_, http::Response<Res>, tower::BoxError>>::clone_request(
            &mut self.0,
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
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    format!(
        "kubectl-kruise/v{} ({}/{arch}) kubectl-kruise/{}",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS,
        env!("KRUISE_GIT_COMMIT")
    )
}

/// Read the kubeconfig kubectl would read: --kubeconfig, else $KUBECONFIG (merged), else
/// ~/.kube/config. `None` when there is none at all.
fn read_kubeconfig(args: &ClusterArgs) -> Result<Option<Kubeconfig>> {
    if let Some(path) = &args.kubeconfig {
        return Kubeconfig::read_from(path).map(Some).map_err(|e| {
            anyhow::anyhow!(
                "cannot read kubeconfig {}: {}",
                path.display(),
                credentials::describe_config(&e)
            )
        });
    }
    match Kubeconfig::read() {
        Ok(kc) => Ok(Some(kc)),
        Err(e) => {
            // A file that exists but cannot be used is an error; no file at all is not.
            let named = std::env::var_os("KUBECONFIG").is_some_and(|v| !v.is_empty());
            let home = std::env::var_os("HOME")
                .map(|h| std::path::Path::new(&h).join(".kube/config"))
                .is_some_and(|p| p.exists());
            if named || home {
                Err(anyhow::anyhow!(
                    "cannot read the kubeconfig ($KUBECONFIG or ~/.kube/config): {}",
                    credentials::describe_config(&e)
                ))
            } else {
                Ok(None)
            }
        }
    }
}

/// The one context the flags select, with kubectl's override flags applied, as a
/// kubeconfig of its own; and the user name it acts as.
fn select_context(args: &ClusterArgs, kc: Option<Kubeconfig>) -> Result<(Kubeconfig, String)> {
    let kc = kc.unwrap_or_default();
    let context_name = args.context.clone().or(kc.current_context.clone());
    let context = match &context_name {
        Some(name) => match kc.contexts.iter().find(|c| &c.name == name) {
            Some(c) => c.context.clone().unwrap_or_default(),
            None if args.context.is_some() => {
                bail!("context \"{name}\" does not exist in the kubeconfig")
            }
            None if args.server.is_none() => bail!(
                "the kubeconfig's current context \"{name}\" does not exist; pass --context or --server"
            ),
            None => KubeContext::default(),
        },
        None if args.server.is_none() => bail!(
            "no kubeconfig context is selected (no current-context); pass --context, or --server"
        ),
        None => KubeContext::default(),
    };
    let cluster_name = args.cluster.clone().unwrap_or(context.cluster.clone());
    let mut cluster = match kc.clusters.iter().find(|c| c.name == cluster_name) {
        Some(c) => c.cluster.clone().unwrap_or_default(),
        None if args.cluster.is_some() => {
            bail!("cluster \"{cluster_name}\" does not exist in the kubeconfig")
        }
        None if args.server.is_none() => {
            bail!("the context's cluster \"{cluster_name}\" does not exist in the kubeconfig")
        }
        None => KubeCluster::default(),
    };
    let user_name = args
        .user
        .clone()
        .or(context.user.clone())
        .unwrap_or_default();
    let mut auth = match kc.auth_infos.iter().find(|a| a.name == user_name) {
        Some(a) => a.auth_info.clone().unwrap_or_default(),
        None if args.user.is_some() => {
            bail!("user \"{user_name}\" does not exist in the kubeconfig")
        }
        None => AuthInfo::default(),
    };
    if let Some(server) = &args.server {
        cluster.server = Some(server.clone());
    }
    let insecure = args.insecure_skip_tls_verify.unwrap_or(false);
    if let Some(ca) = &args.certificate_authority {
        cluster.certificate_authority = Some(ca.display().to_string());
        cluster.certificate_authority_data = None;
    }
    if insecure {
        cluster.insecure_skip_tls_verify = Some(true);
    }
    if cluster.insecure_skip_tls_verify == Some(true)
        && (cluster.certificate_authority.is_some() || cluster.certificate_authority_data.is_some())
    {
        // kubectl refuses this too: the CA would be silently ignored.
        bail!(
            "specifying a root certificates file with the insecure flag is not allowed: \
             use --certificate-authority or --insecure-skip-tls-verify, not both"
        );
    }
    if let Some(name) = &args.tls_server_name {
        cluster.tls_server_name = Some(name.clone());
    }
    if let Some(token) = &args.token {
        // An explicit token wins over every other way the kubeconfig authenticates.
        auth = AuthInfo {
            token: Some(token.clone().into()),
            ..AuthInfo::default()
        };
    }
    if let Some(cert) = &args.client_certificate {
        auth.client_certificate = Some(cert.display().to_string());
        auth.client_certificate_data = None;
    }
    if let Some(key) = &args.client_key {
        auth.client_key = Some(key.display().to_string());
        auth.client_key_data = None;
    }
    if let Some(user) = &args.as_user {
        auth.impersonate = Some(user.clone());
    }
    if !args.as_group.is_empty() {
        auth.impersonate_groups = Some(args.as_group.clone());
    }
    if let Some(uid) = &args.as_uid {
        auth.impersonate_uid = Some(uid.clone());
    }
    let acting = args.as_user.clone().unwrap_or_else(|| {
        if user_name.is_empty() {
            "unknown".into()
        } else {
            user_name.clone()
        }
    });
    let one = Kubeconfig {
        clusters: vec![NamedCluster {
            name: "selected".into(),
            cluster: Some(cluster),
            ..Default::default()
        }],
        auth_infos: vec![NamedAuthInfo {
            name: "selected".into(),
            auth_info: Some(auth),
            ..Default::default()
        }],
        contexts: vec![NamedContext {
            name: "selected".into(),
            context: Some(KubeContext {
                cluster: "selected".into(),
                user: Some("selected".into()),
                namespace: context.namespace.clone(),
                ..Default::default()
            }),
            ..Default::default()
        }],
        current_context: Some("selected".into()),
        ..kc
    };
    Ok((one, acting))
}

async fn load_config(args: &ClusterArgs) -> Result<(Config, String)> {
    let kc = read_kubeconfig(args)?;
    let no_flags = args.context.is_none()
        && args.cluster.is_none()
        && args.user.is_none()
        && args.server.is_none();
    if kc.is_none() && no_flags {
        // Like kubectl, fall back to the in-cluster service account when there is no
        // kubeconfig at all.
        return Config::incluster()
            .map(|c| (c, "serviceaccount".to_string()))
            .map_err(|_| {
                anyhow::anyhow!(
                    "no kubeconfig found and not running inside a cluster; pass --kubeconfig, \
                     set KUBECONFIG, or pass --server"
                )
            });
    }
    let (kc, user) = select_context(args, kc)?;
    let config = Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default())
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "cannot use the kubeconfig: {}",
                credentials::describe_config(&e)
            )
        })?;
    Ok((config, user))
}

/// Build the client for the flags given. Runs exec credential plugins, so only commands
/// that talk to the cluster call it.
pub async fn connect(args: &ClusterArgs) -> Result<Cluster> {
    let (mut config, user) = load_config(args).await?;
    // Every request ends in bounded time: the whole answer within --request-timeout, by
    // default DEFAULT_REQUEST_TIMEOUT; 0 means no limit, as in kubectl.
    let deadline = match args.request_timeout {
        Some(t) if t.is_zero() => None,
        Some(t) => Some(t),
        None => Some(DEFAULT_REQUEST_TIMEOUT),
    };
    config.connect_timeout = deadline;
    config.write_timeout = deadline;
    let namespace = args
        .namespace
        .clone()
        .unwrap_or_else(|| config.default_namespace.clone());
    let server = config.cluster_url.to_string();
    let server = server.trim_end_matches('/').to_string();
    config.headers.push((
        http::header::USER_AGENT,
        http::HeaderValue::from_str(&user_agent()).context("invalid User-Agent")?,
    ));
    // kube's default retries 429/503/504 up to 15 times with backoff growing to 1000 s: a
    // command could sit silent for minutes against a sick API server. Retry briefly instead
    // (at most 3 times, about 1.4 s in all), then say what the server answered.
    config.default_retry = false;
    let policy = RetryPolicy::new(Duration::from_millis(200), Duration::from_secs(2), 3, false)
        .context("cannot set up the retry policy")?;
    let policy = ReadsRetried(policy);
    let warnings = Arc::new(Warnings::default());
    let client: Client = ClientBuilder::try_from(config)
        .map_err(|e| {
            anyhow::anyhow!(
                "cannot set up the Kubernetes client: {}",
                credentials::describe(&e)
            )
        })?
        // Retry needs to clone the service it retries through; a buffer makes it cloneable.
        // Tracing sits inside the retry so each attempt is logged.
        .with_layer(
            &ServiceBuilder::new()
                .layer(RetryLayer::new(policy))
                .layer(trace::TraceLayer::new(
                    args.verbosity,
                    server.clone(),
                    warnings.clone(),
                    deadline,
                    args.request_timeout.is_some(),
                ))
                .layer(BufferLayer::new(64)),
        )
        .build();
    Ok(Cluster {
        client,
        namespace,
        namespace_given: args.namespace.is_some(),
        server,
        user,
        field_manager: "kubectl-kruise".to_string(),
        audit: true,
        verbosity: args.verbosity,
        warnings,
    })
}
