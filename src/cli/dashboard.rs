//! `kubectl kruise dashboard`: the flags of the local web page.

use std::net::IpAddr;

use clap::{ArgAction, Args};

/// Argo Rollouts' dashboard listens on 3100; this one's default must not collide with it.
pub const DEFAULT_PORT: u16 = 3170;

#[derive(Debug, Clone, Args)]
pub struct DashboardArgs {
    /// The port to listen on; 0 picks any free port
    #[arg(long, default_value_t = DEFAULT_PORT, value_name = "PORT")]
    pub port: u16,

    /// The address to listen on. Anything but loopback lets others on the network reach the
    /// page (they still need the session's secret): a warning says so
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDR")]
    pub address: IpAddr,

    /// Print the URL only; do not open a browser
    #[arg(long)]
    pub no_browser: bool,

    /// Show releases only: no action is offered, and the server refuses every write
    #[arg(long)]
    pub read_only: bool,

    /// Every namespace, even with -n. Without -n that is the default, falling back to the
    /// context's namespace where listing every one is forbidden
    #[arg(short = 'A', long, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value_t = false, action = ArgAction::Set, value_name = "BOOL", hide_default_value = true, hide_possible_values = true)]
    pub all_namespaces: bool,

    /// Only releases matching this label selector (kubectl's syntax)
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub selector: Option<String>,
}
