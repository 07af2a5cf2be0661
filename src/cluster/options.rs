//! What the global flags resolve to before a connection is made: the cluster layer's own
//! plain data, so that it knows nothing of how the command line is parsed.

use std::path::PathBuf;
use std::time::Duration;

/// How to reach the cluster: kubectl's global flags, each overriding the kubeconfig.
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    pub kubeconfig: Option<PathBuf>,
    pub context: Option<String>,
    pub cluster: Option<String>,
    pub user: Option<String>,
    pub namespace: Option<String>,
    /// `Some(0)`: no limit.
    pub request_timeout: Option<Duration>,
    pub server: Option<String>,
    pub token: Option<String>,
    pub certificate_authority: Option<PathBuf>,
    pub client_certificate: Option<PathBuf>,
    pub client_key: Option<PathBuf>,
    pub insecure_skip_tls_verify: Option<bool>,
    pub tls_server_name: Option<String>,
    pub as_user: Option<String>,
    pub as_group: Vec<String>,
    pub as_uid: Option<String>,
    /// Ask for uncompressed answers (also the kubeconfig cluster's `disable-compression`).
    pub disable_compression: bool,
    pub verbosity: u8,
    /// The program named first in the User-Agent (`kubectl-kruise-dashboard`), when not the
    /// command line's.
    pub agent: Option<&'static str>,
}
