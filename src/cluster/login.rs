//! Exec credential helpers (cloud logins: `aws eks get-token`, `gke-gcloud-auth-plugin`,
//! `kubelogin`), run as kubectl runs them.
//!
//! Hand-written rather than kube's runner, which captures the helper's stderr when it is not
//! interactive (a failing login then says only "exit status 1"), gives the helper the
//! terminal even when there is none, and fetches a credential only once per client. Here,
//! as in client-go:
//! - the helper's stderr goes to the user's stderr as it is written (its stdout, the
//!   credential, never does), so its own words and a device-code prompt reach the user;
//! - `interactiveMode` decides stdin: the terminal for `IfAvailable` and `Always` when stdin
//!   is one, nothing for `Never`; `Always` without a terminal is refused before the helper
//!   runs;
//! - `KUBERNETES_EXEC_INFO` says whether it is interactive and, with `provideClusterInfo`,
//!   which cluster the credential is for;
//! - one credential per process, reused until its `expirationTimestamp`, then fetched again;
//!   a 401 drops it, so the next request (the retry of that one) fetches a fresh one.

use std::future::Future;
use std::io::IsTerminal;
use std::pin::Pin;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::task::{Context, Poll};

use anyhow::{Context as _, Result, anyhow, bail};
use http::{Request, Response, StatusCode};
use kube::client::Body;
use kube::config::{ExecConfig, ExecInteractiveMode};
use serde_json::{Value, json};
use tower::{BoxError, Layer, Service};

const API_VERSIONS: [&str; 2] = [
    "client.authentication.k8s.io/v1",
    "client.authentication.k8s.io/v1beta1",
];

/// A credential the helper handed out.
#[derive(Clone)]
pub struct Credential {
    pub token: Option<String>,
    /// PEM client certificate and key, for helpers that log in with a certificate.
    pub client_certificate: Option<String>,
    pub client_key: Option<String>,
    pub expires: Option<jiff::Timestamp>,
}

impl Credential {
    fn fresh(&self) -> bool {
        // Used until it expires, as client-go does; one that expires on its way to the
        // server is refused with 401, and the retry fetches a new one.
        self.expires.is_none_or(|t| jiff::Timestamp::now() < t)
    }
}

/// The credential held, and whether it replaced a refused one.
#[derive(Default)]
struct Slot {
    credential: Option<Credential>,
    /// The last credential was refused; the next one fetched replaces it.
    refused: bool,
    /// This credential replaced a refused one.
    replacement: bool,
}

/// The kubeconfig's exec helper and the credential it last gave.
pub struct Login {
    exec: ExecConfig,
    current: tokio::sync::Mutex<Slot>,
}

impl Login {
    /// Check the helper's settings (nothing is run yet).
    pub fn new(exec: ExecConfig) -> Result<Login> {
        let version = exec.api_version.as_deref().unwrap_or_default();
        if !API_VERSIONS.contains(&version) {
            bail!(
                "the kubeconfig's exec credential plugin has apiVersion \"{version}\"; \
                 use client.authentication.k8s.io/v1 or v1beta1"
            );
        }
        if exec.command.as_deref().is_none_or(str::is_empty) {
            bail!("the kubeconfig's exec credential plugin has no command");
        }
        if version.ends_with("/v1") && exec.interactive_mode.is_none() {
            bail!(
                "the kubeconfig's exec credential plugin ({}) must set interactiveMode \
                 (Never, IfAvailable or Always) with apiVersion {version}",
                Self::name_of(&exec)
            );
        }
        Ok(Login {
            exec,
            current: tokio::sync::Mutex::new(Slot::default()),
        })
    }

    /// The helper's program name, without its arguments (they may carry secrets).
    fn name_of(exec: &ExecConfig) -> String {
        let cmd = exec.command.clone().unwrap_or_default();
        std::path::Path::new(&cmd)
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or(cmd)
    }

    /// The credential to use now: the one held while it has not expired, else a new one.
    pub async fn credential(self: &Arc<Self>) -> Result<Credential> {
        let mut slot = self.current.lock().await;
        if let Some(c) = slot.credential.as_ref().filter(|c| c.fresh()) {
            return Ok(c.clone());
        }
        let this = self.clone();
        let c = tokio::task::spawn_blocking(move || this.run())
            .await
            .map_err(|e| anyhow!("the exec credential plugin could not be waited for: {e}"))??;
        slot.credential = Some(c.clone());
        slot.replacement = std::mem::take(&mut slot.refused);
        Ok(c)
    }

    /// The server refused `token`: forget it, so the next request fetches a new one; but
    /// only once: a credential fetched because the last was refused is kept even when it is
    /// refused too (a third would fare no better), and the 401 ends the command.
    async fn refused(&self, token: &str) {
        let mut slot = self.current.lock().await;
        let held = slot.credential.as_ref().and_then(|c| c.token.as_deref());
        if held == Some(token) && !slot.replacement {
            slot.credential = None;
            slot.refused = true;
        }
    }

    /// Run the helper once (blocking) and read the credential it prints.
    fn run(&self) -> Result<Credential> {
        let name = Self::name_of(&self.exec);
        let terminal = std::io::stdin().is_terminal();
        let interactive = match self.exec.interactive_mode {
            Some(ExecInteractiveMode::Never) => false,
            Some(ExecInteractiveMode::Always) if !terminal => bail!(
                "the kubeconfig's exec credential plugin ({name}) needs a terminal \
                 (interactiveMode: Always), and standard input is not one"
            ),
            _ => terminal,
        };
        let mut spec = json!({ "interactive": interactive });
        if self.exec.provide_cluster_info
            && let Some(cluster) = &self.exec.cluster
        {
            spec["cluster"] = serde_json::to_value(cluster).unwrap_or(Value::Null);
        }
        let info = json!({
            "apiVersion": self.exec.api_version,
            "kind": "ExecCredential",
            "spec": spec,
        });
        let mut cmd = Command::new(self.exec.command.as_deref().unwrap_or_default());
        cmd.args(self.exec.args.iter().flatten())
            .env("KUBERNETES_EXEC_INFO", info.to_string())
            .stdin(if interactive {
                Stdio::inherit()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            // The helper's own words (errors, device-code prompts) reach the user as written.
            .stderr(Stdio::inherit());
        for pair in self.exec.env.iter().flatten() {
            if let (Some(k), Some(v)) = (pair.get("name"), pair.get("value")) {
                cmd.env(k, v);
            }
        }
        for name in self.exec.drop_env.iter().flatten() {
            cmd.env_remove(name);
        }
        let out = match cmd.output() {
            Ok(out) => out,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let hint = self
                    .exec
                    .install_hint
                    .as_deref()
                    .map(|h| format!(": {}", h.trim().replace('\n', " ")))
                    .unwrap_or_default();
                bail!("the kubeconfig's exec credential plugin \"{name}\" was not found{hint}");
            }
            Err(e) => {
                bail!("cannot start the kubeconfig's exec credential plugin \"{name}\": {e}")
            }
        };
        if !out.status.success() {
            let how = match out.status.code() {
                Some(code) => format!("exit code {code}"),
                None => out.status.to_string(),
            };
            bail!(
                "the kubeconfig's exec credential plugin \"{name}\" failed with {how} \
                 (its own message, if it printed one, is above)"
            );
        }
        self.parse(&name, &out.stdout)
    }

    fn parse(&self, name: &str, stdout: &[u8]) -> Result<Credential> {
        // client-go reads the output with a YAML-tolerant decoder; JSON is YAML too. The
        // output holds the token: no part of it goes into a message.
        let doc: Value = serde_saphyr::from_slice(stdout).map_err(|_| {
            anyhow!(
                "the kubeconfig's exec credential plugin \"{name}\" printed something that is \
                 not an ExecCredential (its output is not shown, it may hold a token)"
            )
        })?;
        let version = doc.get("apiVersion").and_then(Value::as_str);
        if version != self.exec.api_version.as_deref() {
            bail!(
                "the kubeconfig's exec credential plugin \"{name}\" answered with apiVersion \
                 {:?}, not the {:?} it was asked for",
                version.unwrap_or_default(),
                self.exec.api_version.as_deref().unwrap_or_default()
            );
        }
        let Some(status) = doc.get("status").filter(|s| s.is_object()) else {
            bail!("the kubeconfig's exec credential plugin \"{name}\" returned no status");
        };
        let text = |k: &str| {
            status
                .get(k)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let expires = match text("expirationTimestamp") {
            Some(t) => Some(t.parse::<jiff::Timestamp>().with_context(|| {
                format!(
                    "the exec credential plugin \"{name}\" gave an expirationTimestamp that is \
                     not an RFC 3339 time"
                )
            })?),
            None => None,
        };
        let c = Credential {
            token: text("token"),
            client_certificate: text("clientCertificateData"),
            client_key: text("clientKeyData"),
            expires,
        };
        if c.token.is_none() && (c.client_certificate.is_none() || c.client_key.is_none()) {
            bail!(
                "the kubeconfig's exec credential plugin \"{name}\" returned neither a token \
                 nor a client certificate and key"
            );
        }
        Ok(c)
    }
}

/// Puts the helper's token on every request; a 401 drops the token so that the retry of the
/// request (see the retry policy) fetches a new one.
#[derive(Clone)]
pub struct LoginLayer(pub Arc<Login>);

impl<S> Layer<S> for LoginLayer {
    type Service = LoginService<S>;
    fn layer(&self, inner: S) -> LoginService<S> {
        LoginService {
            inner,
            login: self.0.clone(),
        }
    }
}

#[derive(Clone)]
pub struct LoginService<S> {
    inner: S,
    login: Arc<Login>,
}

/// A request could not be given a credential: the helper failed. Its message is the one to
/// show; the cluster error mapping recognises it.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct LoginFailed(pub String);

impl<S, B> Service<Request<Body>> for LoginService<S>
where
    S: Service<Request<Body>, Response = Response<B>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: Send + 'static,
{
    type Response = Response<B>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Response<B>, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, mut req: Request<Body>) -> Self::Future {
        // The clone that was polled ready makes the call; the fresh clone waits its turn.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let login = self.login.clone();
        Box::pin(async move {
            let credential = login
                .credential()
                .await
                .map_err(|e| BoxError::from(LoginFailed(e.to_string())))?;
            if let Some(token) = &credential.token {
                let mut value =
                    http::HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| {
                        BoxError::from(LoginFailed(
                            "the exec credential plugin's token is not a valid HTTP header value"
                                .into(),
                        ))
                    })?;
                value.set_sensitive(true);
                req.headers_mut().insert(http::header::AUTHORIZATION, value);
            }
            let resp = inner.call(req).await.map_err(Into::into)?;
            if resp.status() == StatusCode::UNAUTHORIZED
                && let Some(token) = &credential.token
            {
                login.refused(token).await;
            }
            Ok(resp)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn login(version: &str, mode: Option<ExecInteractiveMode>) -> Result<Login> {
        Login::new(ExecConfig {
            api_version: Some(version.into()),
            command: Some("/usr/local/bin/acme-login".into()),
            args: Some(vec!["--secret=s3cr3t".into()]),
            env: None,
            drop_env: None,
            install_hint: None,
            interactive_mode: mode,
            provide_cluster_info: false,
            cluster: None,
            other: Default::default(),
        })
    }

    #[test]
    fn v1_needs_an_interactive_mode_and_the_message_names_no_argument() {
        let e = login("client.authentication.k8s.io/v1", None)
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("interactiveMode"), "{e}");
        assert!(e.contains("acme-login") && !e.contains("s3cr3t"), "{e}");
        assert!(
            login(
                "client.authentication.k8s.io/v1",
                Some(ExecInteractiveMode::Never)
            )
            .is_ok()
        );
        assert!(login("client.authentication.k8s.io/v1beta1", None).is_ok());
        assert!(login("client.authentication.k8s.io/v1alpha1", None).is_err());
    }

    #[test]
    fn output_is_checked_and_never_quoted() {
        let l = login("client.authentication.k8s.io/v1beta1", None).unwrap();
        let ok = l
            .parse(
                "acme-login",
                br#"{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"T","expirationTimestamp":"2030-01-01T00:00:00Z"}}"#,
            )
            .unwrap();
        assert_eq!(ok.token.as_deref(), Some("T"));
        assert!(ok.fresh());
        let stale = Credential {
            expires: Some(jiff::Timestamp::now()),
            ..ok.clone()
        };
        assert!(!stale.fresh());
        for bad in [
            &br#"{"apiVersion":"client.authentication.k8s.io/v1","status":{"token":"SECRET"}}"#[..],
            br#"{"apiVersion":"client.authentication.k8s.io/v1beta1"}"#,
            br#"{"apiVersion":"client.authentication.k8s.io/v1beta1","status":{}}"#,
            b"SECRET: [",
        ] {
            let e = l.parse("acme-login", bad).err().unwrap().to_string();
            assert!(!e.contains("SECRET"), "{e}");
            assert!(e.contains("acme-login"), "{e}");
        }
    }
}
