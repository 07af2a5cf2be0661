//! Talking to the cluster: kubeconfig and client set-up as kubectl does it, resolving a
//! rollout to an object and an API version, and the few requests the verbs make.

mod error;
pub mod resource;
mod rollouts;
mod workload;

use std::time::Duration;

use anyhow::{Context, Result};
use kube::client::ClientBuilder;
use kube::client::retry::RetryPolicy;
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use tower::ServiceBuilder;
use tower::buffer::BufferLayer;
use tower::retry::RetryLayer;

use crate::cli::ClusterArgs;

pub use error::ApiError;
pub use resource::{RolloutRef, TargetRef, parse_rollout_args, parse_target};
pub use rollouts::{Fetched, RolloutApi, Target};
pub use workload::WorkloadApi;

/// A connected client and the namespace commands act in.
#[derive(Clone)]
pub struct Cluster {
    pub client: Client,
    pub namespace: String,
    /// The API server's address, for error messages.
    pub server: String,
}

async fn load_config(args: &ClusterArgs) -> Result<Config> {
    let opts = KubeConfigOptions {
        context: args.context.clone(),
        cluster: args.cluster.clone(),
        user: args.user.clone(),
    };
    if let Some(path) = &args.kubeconfig {
        let kc = Kubeconfig::read_from(path)
            .with_context(|| format!("cannot read kubeconfig {}", path.display()))?;
        return Config::from_custom_kubeconfig(kc, &opts)
            .await
            .with_context(|| format!("cannot use kubeconfig {}", path.display()));
    }
    match Kubeconfig::read() {
        Ok(kc) => Config::from_custom_kubeconfig(kc, &opts)
            .await
            .context("cannot use the kubeconfig"),
        // Like kubectl, fall back to the in-cluster service account when there is no
        // kubeconfig at all, unless a kubeconfig-only flag asked for one.
        Err(read_err)
            if args.context.is_none() && args.cluster.is_none() && args.user.is_none() =>
        {
            Config::incluster().map_err(|_| {
                anyhow::anyhow!(
                    "no kubeconfig found ({read_err}) and not running inside a cluster; \
                     pass --kubeconfig or set KUBECONFIG"
                )
            })
        }
        Err(e) => Err(e).context("cannot read the kubeconfig ($KUBECONFIG or ~/.kube/config)"),
    }
}

/// Build the client for the flags given. Runs exec credential plugins, so only commands
/// that talk to the cluster call it.
pub async fn connect(args: &ClusterArgs) -> Result<Cluster> {
    let mut config = load_config(args).await?;
    if let Some(t) = args.request_timeout {
        // kubectl: 0 means no timeout.
        let t = (!t.is_zero()).then_some(t);
        config.connect_timeout = t;
        config.read_timeout = t;
        config.write_timeout = t;
    }
    let namespace = args
        .namespace
        .clone()
        .unwrap_or_else(|| config.default_namespace.clone());
    let server = config.cluster_url.to_string();
    // kube's default retries 429/503/504 up to 15 times with backoff growing to 1000 s: a
    // command could sit silent for minutes against a sick API server. Retry briefly instead
    // (at most 3 times, about 1.4 s in all), then say what the server answered.
    config.default_retry = false;
    let policy = RetryPolicy::new(Duration::from_millis(200), Duration::from_secs(2), 3, false)
        .context("cannot set up the retry policy")?;
    let client: Client = ClientBuilder::try_from(config)
        .context("cannot set up the Kubernetes client")?
        // Retry needs to clone the service it retries through; a buffer makes it cloneable.
        .with_layer(
            &ServiceBuilder::new()
                .layer(RetryLayer::new(policy))
                .layer(BufferLayer::new(64)),
        )
        .build();
    Ok(Cluster {
        client,
        namespace,
        server: server.trim_end_matches('/').to_string(),
    })
}
