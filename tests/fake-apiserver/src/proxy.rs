//! Forward proxies for tests, as a user's network has them between a laptop and a cluster:
//! HTTP `CONNECT` (optionally with Basic auth), the same over TLS (an `https://` proxy),
//! and SOCKS5. Whatever host a client asks for, the tunnel goes to one upstream address, as
//! a proxy that resolves the cluster's name inside its own network would; the names asked
//! for are recorded.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

/// Which protocol the proxy speaks.
#[derive(Clone)]
pub enum ProxyKind {
    Http,
    /// TLS to the proxy with this certificate chain and key (PEM), then `CONNECT`.
    Https {
        cert_pem: String,
        key_pem: String,
    },
    Socks5,
}

/// A proxy running on loopback until dropped.
pub struct TestProxy {
    pub addr: SocketAddr,
    /// `host:port` of each tunnel asked for, in order.
    pub targets: Arc<Mutex<Vec<String>>>,
    _background: crate::Background,
}

impl TestProxy {
    /// Start a proxy tunnelling to `upstream`; with `basic_auth` (`user:password`), an HTTP
    /// proxy answers 407 to a `CONNECT` without those credentials.
    pub fn spawn(kind: ProxyKind, upstream: SocketAddr, basic_auth: Option<&str>) -> TestProxy {
        let targets = Arc::new(Mutex::new(Vec::new()));
        let expected = basic_auth.map(|a| {
            use base64::Engine;
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(a)
            )
        });
        let acceptor = match &kind {
            ProxyKind::Https { cert_pem, key_pem } => Some(crate::background::tls_acceptor(
                cert_pem,
                key_pem,
                &[b"http/1.1"],
            )),
            _ => None,
        };
        let seen = targets.clone();
        let background = crate::Background::spawn(move |listener| async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    continue;
                };
                let (kind, seen, expected, acceptor) = (
                    kind.clone(),
                    seen.clone(),
                    expected.clone(),
                    acceptor.clone(),
                );
                tokio::spawn(async move {
                    match (kind, acceptor) {
                        (ProxyKind::Socks5, _) => socks5(tcp, upstream, seen).await,
                        (_, Some(acceptor)) => {
                            if let Ok(tls) = acceptor.accept(tcp).await {
                                connect(tls, upstream, seen, expected).await;
                            }
                        }
                        _ => connect(tcp, upstream, seen, expected).await,
                    }
                });
            }
        });
        TestProxy {
            addr: background.addr,
            targets,
            _background: background,
        }
    }

    pub fn targets(&self) -> Vec<String> {
        self.targets.lock().map(|t| t.clone()).unwrap_or_default()
    }
}

/// An HTTP `CONNECT` request, then a tunnel.
async fn connect<S>(
    mut client: S,
    upstream: SocketAddr,
    seen: Arc<Mutex<Vec<String>>>,
    expected_auth: Option<String>,
) where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() > 16 * 1024 || client.read(&mut byte).await.unwrap_or(0) == 0 {
            return;
        }
        head.push(byte[0]);
    }
    let text = String::from_utf8_lossy(&head);
    let mut lines = text.lines();
    let request = lines.next().unwrap_or_default();
    let mut parts = request.split_whitespace();
    let (method, target) = (parts.next(), parts.next().unwrap_or_default());
    if method != Some("CONNECT") {
        client
            .write_all(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            .await
            .ok();
        return;
    }
    let auth = lines.find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case("proxy-authorization")
            .then(|| v.trim().to_string())
    });
    if expected_auth.is_some() && auth != expected_auth {
        client
            .write_all(
                b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\n\r\n",
            )
            .await
            .ok();
        return;
    }
    tunnel(
        &mut client,
        upstream,
        &seen,
        target.to_string(),
        b"HTTP/1.1 200 Connection established\r\n\r\n",
        b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n",
    )
    .await;
}

/// Record `target`, connect to `upstream` and answer `ok` (or `refused`, when it cannot be
/// reached), then carry bytes both ways until either side closes.
async fn tunnel<S>(
    client: &mut S,
    upstream: SocketAddr,
    seen: &Mutex<Vec<String>>,
    target: String,
    ok: &[u8],
    refused: &[u8],
) where
    S: AsyncRead + AsyncWrite + Unpin,
{
    if let Ok(mut s) = seen.lock() {
        s.push(target);
    }
    let Ok(mut server) = TcpStream::connect(upstream).await else {
        client.write_all(refused).await.ok();
        return;
    };
    if client.write_all(ok).await.is_err() {
        return;
    }
    tokio::io::copy_bidirectional(client, &mut server)
        .await
        .ok();
}

/// SOCKS5 without authentication (RFC 1928): greeting, one CONNECT, then a tunnel.
async fn socks5(mut client: TcpStream, upstream: SocketAddr, seen: Arc<Mutex<Vec<String>>>) {
    let mut hello = [0u8; 2];
    if client.read_exact(&mut hello).await.is_err() || hello[0] != 5 {
        return;
    }
    let mut methods = vec![0u8; hello[1] as usize];
    if client.read_exact(&mut methods).await.is_err() || !methods.contains(&0) {
        client.write_all(&[5, 0xff]).await.ok();
        return;
    }
    if client.write_all(&[5, 0]).await.is_err() {
        return;
    }
    let mut req = [0u8; 4];
    if client.read_exact(&mut req).await.is_err() || req[1] != 1 {
        return;
    }
    let host = match req[3] {
        1 => {
            let mut a = [0u8; 4];
            if client.read_exact(&mut a).await.is_err() {
                return;
            }
            std::net::Ipv4Addr::from(a).to_string()
        }
        3 => {
            let mut len = [0u8; 1];
            if client.read_exact(&mut len).await.is_err() {
                return;
            }
            let mut name = vec![0u8; len[0] as usize];
            if client.read_exact(&mut name).await.is_err() {
                return;
            }
            String::from_utf8_lossy(&name).into_owned()
        }
        4 => {
            let mut a = [0u8; 16];
            if client.read_exact(&mut a).await.is_err() {
                return;
            }
            std::net::Ipv6Addr::from(a).to_string()
        }
        _ => return,
    };
    let mut port = [0u8; 2];
    if client.read_exact(&mut port).await.is_err() {
        return;
    }
    tunnel(
        &mut client,
        upstream,
        &seen,
        format!("{host}:{}", u16::from_be_bytes(port)),
        &[5, 0, 0, 1, 0, 0, 0, 0, 0, 0],
        &[5, 5, 0, 1, 0, 0, 0, 0, 0, 0],
    )
    .await;
}
