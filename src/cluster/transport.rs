//! The HTTP stack under the kube client: connection (TCP, through a proxy if one is chosen,
//! then TLS offering HTTP/2 and HTTP/1.1), gzip answers, the server's path prefix, headers
//! and credentials.
//!
//! Assembled here from the same parts kube's `ClientBuilder` uses (hyper-util's client and
//! proxy connectors, hyper-rustls, tower-http's decompression, kube's own URI, header and
//! auth layers) because that builder offers only HTTP/1.1 in TLS: with HTTP/2, as kubectl
//! negotiates it, requests made together share one connection.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use anyhow::{Result, anyhow};
use http::{Request, Response};
use hyper_util::client::legacy::connect::proxy::{SocksV5, Tunnel};
use hyper_util::client::legacy::connect::{Connection, HttpConnector};
use hyper_util::rt::TokioExecutor;
use kube::Config;
use kube::client::{Body, ConfigExt, DynBody};
use tokio::sync::watch;
use tower::util::BoxService;
use tower::{BoxError, ServiceBuilder, ServiceExt};
use tower_http::decompression::DecompressionLayer;

use super::credentials;
use super::login::{Login, LoginLayer};

/// The boxed service a kube client is built on.
pub type Stack = BoxService<Request<Body>, Response<Box<DynBody>>, BoxError>;

/// The stack for `config`, connecting through `proxy` when given; `login` puts an exec
/// helper's credential on each request (kube's auth layer serves every other kind).
pub fn stack(
    config: &Config,
    proxy: Option<&http::Uri>,
    login: Option<Arc<Login>>,
) -> Result<Stack> {
    let mut tcp = HttpConnector::new();
    // https:// addresses are handled by the TLS connector that wraps this one.
    tcp.enforce_http(false);
    tcp.set_nodelay(true);
    match proxy {
        None => finish(config, tcp, login),
        Some(p) if matches!(p.scheme_str(), Some("socks5" | "socks5h")) => {
            // Names are resolved by the proxy, as Go's SOCKS5 dialer has it: a cluster's
            // address may only resolve on the proxy's side.
            let mut socks = SocksV5::new(p.clone(), tcp).local_dns(false);
            if let Some((user, pass)) = userinfo(p) {
                socks = socks.with_auth(user, pass);
            }
            finish(config, socks, login)
        }
        Some(p) if p.scheme_str() == Some("https") => {
            // TLS to the proxy itself, then a CONNECT tunnel to the API server.
            let to_proxy = tls(config, tcp, false)?;
            finish(
                config,
                with_auth(p, Tunnel::new(p.clone(), to_proxy)),
                login,
            )
        }
        Some(p) => finish(config, with_auth(p, Tunnel::new(p.clone(), tcp)), login),
    }
}

/// A proxy URL's `user:password`, percent-decoded.
fn userinfo(uri: &http::Uri) -> Option<(String, String)> {
    let (info, _) = uri.authority()?.as_str().rsplit_once('@')?;
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    let (user, pass) = info.split_once(':').unwrap_or((info, ""));
    Some((decode(user), decode(pass)))
}

fn with_auth<C>(proxy: &http::Uri, tunnel: Tunnel<C>) -> Tunnel<C> {
    use base64::Engine;
    match userinfo(proxy) {
        Some((user, pass)) => {
            let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
            match http::HeaderValue::from_str(&format!("Basic {token}")) {
                Ok(mut v) => {
                    v.set_sensitive(true);
                    tunnel.with_auth(v)
                }
                Err(_) => tunnel,
            }
        }
        None => tunnel,
    }
}

/// TLS over `inner` with the kubeconfig's CA and client certificate. To the API server
/// (`api_server`) it also offers HTTP/2 by ALPN and verifies the kubeconfig's
/// `tls-server-name`; to an https proxy, HTTP/1.1 CONNECT under the proxy's own name.
fn tls<C>(config: &Config, inner: C, api_server: bool) -> Result<hyper_rustls::HttpsConnector<C>> {
    let rustls = config
        .rustls_client_config()
        .map_err(|e| anyhow!("cannot set up TLS: {}", credentials::describe(&e)))?;
    let mut builder = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(rustls)
        .https_or_http();
    if let Some(name) = config.tls_server_name.as_ref().filter(|_| api_server) {
        let name = rustls_pki_types::ServerName::try_from(name.clone())
            .map_err(|_| anyhow!("tls-server-name \"{name}\" is not a valid server name"))?;
        builder =
            builder.with_server_name_resolver(hyper_rustls::FixedServerNameResolver::new(name));
    }
    Ok(if api_server {
        builder.enable_all_versions().wrap_connector(inner)
    } else {
        builder.enable_http1().wrap_connector(inner)
    })
}

fn finish<C>(config: &Config, connector: C, login: Option<Arc<Login>>) -> Result<Stack>
where
    C: tower::Service<http::Uri> + Clone + Send + Sync + 'static,
    C::Response: Connection + hyper::rt::Read + hyper::rt::Write + Send + Unpin + 'static,
    C::Future: Send + 'static,
    C::Error: Into<BoxError>,
{
    let https = tls(config, connector, true)?;
    let mut timed = hyper_timeout::TimeoutConnector::new(https);
    timed.set_connect_timeout(config.connect_timeout);
    timed.set_read_timeout(config.read_timeout);
    timed.set_write_timeout(config.write_timeout);
    let client: hyper_util::client::legacy::Client<_, Body> =
        hyper_util::client::legacy::Client::builder(TokioExecutor::new())
            .build(OneConnection::new(timed));
    let auth = if login.is_some() {
        None
    } else {
        config.auth_layer().map_err(|e| {
            anyhow!(
                "cannot set up authentication: {}",
                credentials::describe(&e)
            )
        })?
    };
    let headers = config.extra_headers_layer().map_err(|e| {
        anyhow!(
            "cannot set up the request headers: {}",
            credentials::describe(&e)
        )
    })?;
    // Accept-Encoding: gzip unless turned off, as kubectl; only gzip, what kube-apiserver
    // sends.
    let decompress = DecompressionLayer::new()
        .no_br()
        .no_deflate()
        .no_zstd()
        .gzip(!config.disable_compression);
    let service = ServiceBuilder::new()
        .layer(config.base_uri_layer())
        .layer(decompress)
        .option_layer(login.map(LoginLayer))
        .option_layer(auth)
        .layer(headers)
        .map_err(BoxError::from)
        .service(client);
    Ok(service
        .map_response(|resp| {
            resp.map(|body| {
                Box::new(http_body_util::BodyExt::map_err(body, BoxError::from)) as Box<DynBody>
            })
        })
        .boxed())
}

/// How long requests that waited for the first connection leave to the pool to hand them
/// that connection once it speaks HTTP/2, before their own connect gives up.
const SHARE_GRACE: Duration = Duration::from_secs(5);

/// Connects made while another is under way wait for it, so that requests sent together
/// share one HTTP/2 connection.
///
/// hyper-util's pool serves concurrent requests from one HTTP/2 connection once it exists,
/// but before the first TLS handshake has said "h2", each request starts a connection of
/// its own (and all but one are dropped after their handshakes). Here the later connects
/// wait: if the first one negotiated HTTP/2, the pool hands it to their requests meanwhile
/// and the waiting connects, left running in the background, end without connecting; if
/// it is HTTP/1.1 (one request at a time), they go ahead and connect.
#[derive(Clone)]
struct OneConnection<C> {
    inner: C,
    first: Arc<std::sync::Mutex<Option<watch::Receiver<Phase>>>>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Connecting,
    Shared,
    Single,
}

impl<C> OneConnection<C> {
    fn new(inner: C) -> Self {
        OneConnection {
            inner,
            first: Arc::new(std::sync::Mutex::new(None)),
        }
    }
}

/// A connect that waited for the HTTP/2 connection and was not needed.
#[derive(Debug, thiserror::Error)]
#[error("the request was to share the HTTP/2 connection, which was not handed to it")]
struct NotShared;

impl<C> tower::Service<http::Uri> for OneConnection<C>
where
    C: tower::Service<http::Uri> + Clone + Send + 'static,
    C::Response: Connection + Send + 'static,
    C::Future: Send + 'static,
    C::Error: Into<BoxError>,
{
    type Response = C::Response;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<C::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, uri: http::Uri) -> Self::Future {
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let mut first = self.first.lock().unwrap_or_else(|e| e.into_inner());
        let waiting = first
            .as_ref()
            .filter(|rx| *rx.borrow() == Phase::Connecting)
            .cloned();
        match waiting {
            Some(mut rx) => Box::pin(async move {
                let phase = rx
                    .wait_for(|p| *p != Phase::Connecting)
                    .await
                    .map(|p| *p)
                    .unwrap_or(Phase::Single);
                if phase == Phase::Shared {
                    tokio::time::sleep(SHARE_GRACE).await;
                    return Err(BoxError::from(NotShared));
                }
                let fut = inner.call(uri);
                fut.await.map_err(Into::into)
            }),
            None => {
                let (tx, rx) = watch::channel(Phase::Connecting);
                *first = Some(rx);
                let fut = inner.call(uri);
                Box::pin(async move {
                    let result = fut.await.map_err(Into::into);
                    let h2 = matches!(&result, Ok(c) if c.connected().is_negotiated_h2());
                    tx.send(if h2 { Phase::Shared } else { Phase::Single }).ok();
                    result
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_credentials_are_percent_decoded() {
        let uri: http::Uri = "http://us%40er:p%3Ass%2@proxy:3128".parse().unwrap();
        assert_eq!(
            userinfo(&uri),
            Some(("us@er".to_string(), "p:ss%2".to_string()))
        );
        assert_eq!(userinfo(&"http://proxy:3128".parse().unwrap()), None);
    }
}
