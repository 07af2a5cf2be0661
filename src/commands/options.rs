//! The command line's flags, as the cluster layer takes them: it knows nothing of clap.

use crate::cli::{ClusterArgs, ListArgs, TargetArgs};
use crate::cluster::select::TargetSpec;
use crate::cluster::{ConnectOptions, ListRead};

/// What the global flags say about reaching the cluster.
pub fn connect_options(a: &ClusterArgs) -> ConnectOptions {
    ConnectOptions {
        kubeconfig: a.kubeconfig.clone(),
        context: a.context.clone(),
        cluster: a.cluster.clone(),
        user: a.user.clone(),
        namespace: a.namespace.clone(),
        request_timeout: a.request_timeout,
        server: a.server.clone(),
        token: a.token.clone(),
        certificate_authority: a.certificate_authority.clone(),
        client_certificate: a.client_certificate.clone(),
        client_key: a.client_key.clone(),
        insecure_skip_tls_verify: a.insecure_skip_tls_verify,
        tls_server_name: a.tls_server_name.clone(),
        as_user: a.as_user.clone(),
        as_group: a.as_group.clone(),
        as_uid: a.as_uid.clone(),
        disable_compression: a.disable_compression.unwrap_or(false),
        verbosity: a.verbosity,
        agent: None,
    }
}

/// How `list` (and its `--watch`) reads.
pub fn list_read(args: &ListArgs) -> ListRead {
    ListRead {
        all_namespaces: args.all_namespaces,
        selector: args.selector.clone(),
        consistent: args.consistent,
        page_size: args.chunk_size,
    }
}

/// Which objects the target flags name.
pub fn target_spec(a: &TargetArgs) -> TargetSpec {
    TargetSpec {
        resources: a.resources.clone(),
        filenames: a.filenames.clone(),
        recursive: a.recursive,
        selector: a.selector.clone(),
        all: a.all,
        all_namespaces: a.all_namespaces,
        app: a.app.clone(),
    }
}
