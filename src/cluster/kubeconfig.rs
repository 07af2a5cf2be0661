//! The kubeconfig as kubectl reads it: which file, which context, cluster and user, with
//! the global flags laid over them.

use anyhow::{Result, bail};
use kube::Config;
use kube::config::{
    AuthInfo, Cluster as KubeCluster, Context as KubeContext, KubeConfigOptions, Kubeconfig,
    NamedAuthInfo, NamedCluster, NamedContext,
};

use super::credentials;
use super::options::ConnectOptions;

/// Read the kubeconfig kubectl would read: --kubeconfig, else $KUBECONFIG (merged), else
/// ~/.kube/config. `None` when there is none at all.
fn read_kubeconfig(args: &ConnectOptions) -> Result<Option<Kubeconfig>> {
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

/// The kubeconfig's contexts, in its order, and the current one (for `--contexts` and
/// `--all-contexts`).
pub fn context_names(args: &ConnectOptions) -> Result<(Vec<String>, Option<String>)> {
    let kc = read_kubeconfig(args)?.unwrap_or_default();
    Ok((
        kc.contexts.into_iter().map(|c| c.name).collect(),
        kc.current_context,
    ))
}

/// The one context the flags select, with kubectl's override flags applied, as a
/// kubeconfig of its own; and the user name it acts as.
fn select_context(args: &ConnectOptions, kc: Option<Kubeconfig>) -> Result<(Kubeconfig, String)> {
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

/// The client configuration the options select, who it acts as, and the cluster's own
/// `proxy-url` (kube's `proxy_url` mixes in `HTTPS_PROXY`; kubectl's rules need them apart).
pub struct Loaded {
    pub config: Config,
    pub user: String,
    pub proxy_url: Option<String>,
}

pub async fn load_config(args: &ConnectOptions) -> Result<Loaded> {
    let kc = read_kubeconfig(args)?;
    let no_flags = args.context.is_none()
        && args.cluster.is_none()
        && args.user.is_none()
        && args.server.is_none();
    if kc.is_none() && no_flags {
        // Like kubectl, fall back to the in-cluster service account when there is no
        // kubeconfig at all.
        return Config::incluster()
            .map(|config| Loaded {
                config,
                user: "serviceaccount".to_string(),
                proxy_url: None,
            })
            .map_err(|_| {
                anyhow::anyhow!(
                    "no kubeconfig found and not running inside a cluster; pass --kubeconfig, \
                     set KUBECONFIG, or pass --server"
                )
            });
    }
    let (kc, user) = select_context(args, kc)?;
    let proxy_url = kc
        .clusters
        .first()
        .and_then(|c| c.cluster.as_ref())
        .and_then(|c| c.proxy_url.clone());
    let config = Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default())
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "cannot use the kubeconfig: {}",
                credentials::describe_config(&e)
            )
        })?;
    Ok(Loaded {
        config,
        user,
        proxy_url,
    })
}
