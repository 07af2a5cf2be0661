//! The HTTP client of the metric providers: plain or TLS (rustls, the system's roots, as
//! the API server connection uses them), one request at a time, bounded by the metric's
//! timeout.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use kube::client::ConfigExt;

use crate::model::analysis::Unmeasured;

type Https = hyper_rustls::HttpsConnector<HttpConnector>;

/// Answers larger than this are refused: a metric is a number or a small document.
const MAX_BODY: usize = 8 << 20;

/// A request to a metrics endpoint.
pub struct Call<'a> {
    pub method: &'a str,
    pub url: &'a str,
    pub headers: &'a [(String, String)],
    pub content_type: Option<&'a str>,
    pub body: Option<String>,
    pub timeout: Duration,
    pub insecure: bool,
}

/// The clients, one per TLS setting, made when first needed.
#[derive(Default)]
pub struct Http {
    verified: Option<Client<Https, Full<Bytes>>>,
    insecure: Option<Client<Https, Full<Bytes>>>,
}

fn client(insecure: bool) -> Result<Client<Https, Full<Bytes>>, String> {
    // kube's TLS setup: the same roots and verifier as the API server connection, and its
    // `accept_invalid_certs` for a provider's `insecure: true`.
    let mut config = kube::Config::new(http::Uri::from_static("https://metrics.invalid"));
    config.accept_invalid_certs = insecure;
    let tls = config
        .rustls_client_config()
        .map_err(|e| format!("cannot set up TLS: {e}"))?;
    let mut tcp = HttpConnector::new();
    tcp.enforce_http(false);
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http()
        .enable_http1()
        .wrap_connector(tcp);
    Ok(Client::builder(TokioExecutor::new()).build(https))
}

impl Http {
    /// Send `call`; the status and the body, or why there is no answer.
    pub async fn send(&mut self, call: Call<'_>) -> Result<(u16, Bytes), Unmeasured> {
        let slot = if call.insecure {
            &mut self.insecure
        } else {
            &mut self.verified
        };
        if slot.is_none() {
            *slot = Some(client(call.insecure)?);
        }
        let client = slot.as_ref().expect("set above");
        let mut req = http::Request::builder()
            .method(call.method)
            .uri(call.url)
            .header(
                http::header::USER_AGENT,
                concat!("kubectl-kruise/", env!("CARGO_PKG_VERSION")),
            );
        for (k, v) in call.headers {
            req = req.header(k.as_str(), v.as_str());
        }
        if let Some(ct) = call.content_type {
            req = req.header(http::header::CONTENT_TYPE, ct);
        }
        let req = req
            .body(Full::new(Bytes::from(call.body.unwrap_or_default())))
            .map_err(|e| {
                Unmeasured::fatal(format!("cannot make a request to {}: {e}", call.url))
            })?;
        let answer = async {
            let resp = client.request(req).await.map_err(|e| {
                let mut msg = e.to_string();
                let mut source = std::error::Error::source(&e);
                while let Some(s) = source {
                    msg = format!("{msg}: {s}");
                    source = s.source();
                }
                msg
            })?;
            let status = resp.status().as_u16();
            let body = Limited::new(resp.into_body(), MAX_BODY)
                .collect()
                .await
                .map_err(|e| format!("reading the answer: {e}"))?
                .to_bytes();
            Ok::<_, String>((status, body))
        };
        match tokio::time::timeout(call.timeout, answer).await {
            Ok(r) => r.map_err(|e| format!("{} {}: {e}", call.method, call.url).into()),
            Err(_) => Err(format!(
                "{} {}: no answer within {}s",
                call.method,
                call.url,
                call.timeout.as_secs()
            )
            .into()),
        }
    }
}
