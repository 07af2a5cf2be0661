//! In the field: the API server over TLS and HTTP/2, behind an emulated link, a proxy or a
//! gateway's path prefix, with compressed answers and exec credential helpers (cloud
//! logins). Each behaviour is checked against the fake's record of what arrived.

mod login;
mod network;
mod round_trips;

use std::path::PathBuf;

use fake_apiserver::{RequestRecord, RunningServer, certs};

use crate::harness::Env;

pub const SEED: &[&str] = &["rollout-seed-v1beta1.yaml", "deployment-nginx.yaml"];

/// The fake over TLS (HTTP/2 and HTTP/1.1 by ALPN), with a certificate for loopback and for
/// `kube.example`, a name that only a proxy resolves; and the CA that signed it.
pub struct Tls {
    pub server: RunningServer,
    pub ca: String,
    /// The server certificate and key, for a TLS proxy signed by the same CA.
    pub cert: String,
    pub key: String,
}

pub fn tls(env: &Env) -> Tls {
    let (ca, cert, key) = certs(&["localhost", "127.0.0.1", "kube.example"]);
    Tls {
        server: env.api.spawn_tls(&cert, &key),
        ca,
        cert,
        key,
    }
}

/// A kubeconfig for `server`: `cluster_extra` and `user` are YAML lines (indented four
/// spaces) added to the cluster entry and making up the user entry.
pub fn kubeconfig(env: &Env, name: &str, server: &str, cluster_extra: &str, user: &str) -> PathBuf {
    let text = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: {server}\n{cluster_extra}\
         users:\n- name: u\n  user:\n{user}\
         contexts:\n- name: x\n  context: {{cluster: c, user: u, namespace: default}}\n\
         current-context: x\n"
    );
    let path = env.dir.path().join(name);
    std::fs::write(&path, text).expect("write kubeconfig");
    path
}

/// The CA as a kubeconfig cluster line.
pub fn ca_line(ca: &str) -> String {
    use base64::Engine;
    format!(
        "    certificate-authority-data: {}\n",
        base64::engine::general_purpose::STANDARD.encode(ca)
    )
}

pub const TOKEN_USER: &str = "    token: fake-token\n";

/// Requests recorded after the first `since`.
pub fn since(env: &Env, since: usize) -> Vec<RequestRecord> {
    env.api.requests().into_iter().skip(since).collect()
}
