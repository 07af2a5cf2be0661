//! The rules that keep a local server holding the user's credentials to the user: pure
//! functions of the request's headers, each tested alone (and each shown to matter by the
//! HTTP tests in `tests/cli/dashboard.rs`).

use std::net::{IpAddr, SocketAddr};

/// The header that carries the session's secret on every data request.
pub const SECRET_HEADER: &str = "x-kruise-session";

/// Every response's headers: no inline script, no framing, no sniffing, no referrer.
pub const SECURITY_HEADERS: [(&str, &str); 5] = [
    (
        "content-security-policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    ),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
    ("cache-control", "no-store"),
];

/// A fresh session secret: 32 random bytes as hex.
pub fn new_secret() -> std::io::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Whether `given` is the secret, compared in time that does not depend on where they differ.
pub fn secret_matches(given: Option<&str>, secret: &str) -> bool {
    let Some(given) = given else { return false };
    if given.len() != secret.len() {
        return false;
    }
    given
        .bytes()
        .zip(secret.bytes())
        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
        == 0
}

/// Whether a request's Host header names this server. A page on a foreign name that
/// resolves to loopback (DNS rebinding) carries that name, and is refused: only `localhost`
/// and IP literals with the port listened on pass, and an IP literal only if it is the
/// address listened on (any IP when listening on every interface: a literal cannot be
/// rebound).
pub fn host_allowed(host: Option<&str>, listen: SocketAddr) -> bool {
    let Some(host) = host else { return false };
    let port = listen.port();
    let Some((name, p)) = host.rsplit_once(':') else {
        return false;
    };
    if p.parse::<u16>() != Ok(port) {
        return false;
    }
    if name.eq_ignore_ascii_case("localhost") {
        return listen.ip().is_loopback() || listen.ip().is_unspecified();
    }
    let ip = name
        .strip_prefix('[')
        .and_then(|n| n.strip_suffix(']'))
        .unwrap_or(name);
    let Ok(ip) = ip.parse::<IpAddr>() else {
        return false;
    };
    if name.contains(':') && !name.starts_with('[') {
        return false;
    }
    if listen.ip().is_unspecified() {
        return true;
    }
    ip == listen.ip() || (listen.ip().is_loopback() && ip.is_loopback())
}

/// Why a write request is refused, if it is: writes come from this page only. The method
/// must not be GET or HEAD; the browser's `Origin` must be this server's (`http://` and the
/// Host), else, without Origin, `Sec-Fetch-Site` must say same-origin. A page elsewhere
/// holding a stolen secret still fails here.
pub fn write_refusal(
    method: &str,
    host: &str,
    origin: Option<&str>,
    fetch_site: Option<&str>,
) -> Option<&'static str> {
    if method.eq_ignore_ascii_case("GET") || method.eq_ignore_ascii_case("HEAD") {
        return Some("a write must not be a GET");
    }
    if fetch_site.is_some_and(|s| !s.eq_ignore_ascii_case("same-origin")) {
        return Some("the request did not come from this page (Sec-Fetch-Site)");
    }
    match origin {
        Some(o) if o.eq_ignore_ascii_case(&format!("http://{host}")) => None,
        Some(_) => Some("the request did not come from this page (Origin)"),
        None if fetch_site.is_some() => None,
        None => Some("a write must say where it comes from (Origin)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn only_the_secret_opens() {
        assert!(secret_matches(Some("abc"), "abc"));
        assert!(!secret_matches(Some("abd"), "abc"));
        assert!(!secret_matches(Some("ab"), "abc"));
        assert!(!secret_matches(None, "abc"));
        let s = new_secret().unwrap();
        assert_eq!(s.len(), 64);
        assert_ne!(s, new_secret().unwrap());
    }

    #[test]
    fn host_must_name_this_server() {
        let lo = at("127.0.0.1:3170");
        for ok in [
            "127.0.0.1:3170",
            "localhost:3170",
            "LOCALHOST:3170",
            "[::1]:3170",
        ] {
            assert!(host_allowed(Some(ok), lo), "{ok}");
        }
        for bad in [
            "evil.example:3170",
            "127.0.0.1:80",
            "127.0.0.1",
            "localhost",
            "10.0.0.2:3170",
            "localhost.evil.example:3170",
            "::1:3170",
            "",
        ] {
            assert!(!host_allowed(Some(bad), lo), "{bad}");
        }
        assert!(!host_allowed(None, lo));
        let lan = at("10.0.0.2:3170");
        assert!(host_allowed(Some("10.0.0.2:3170"), lan));
        assert!(!host_allowed(Some("localhost:3170"), lan));
        assert!(!host_allowed(Some("rebound.example:3170"), lan));
        let any = at("0.0.0.0:3170");
        assert!(host_allowed(Some("192.168.1.9:3170"), any));
        assert!(!host_allowed(Some("rebound.example:3170"), any));
    }

    #[test]
    fn writes_come_from_this_page_only() {
        let host = "127.0.0.1:3170";
        assert_eq!(
            write_refusal("POST", host, Some("http://127.0.0.1:3170"), None),
            None
        );
        assert_eq!(write_refusal("POST", host, None, Some("same-origin")), None);
        assert!(write_refusal("GET", host, Some("http://127.0.0.1:3170"), None).is_some());
        assert!(write_refusal("POST", host, Some("http://evil.example"), None).is_some());
        assert!(write_refusal("POST", host, Some("http://localhost:3170"), None).is_some());
        assert!(write_refusal("POST", host, Some("null"), None).is_some());
        assert!(
            write_refusal(
                "POST",
                host,
                Some("http://127.0.0.1:3170"),
                Some("cross-site")
            )
            .is_some()
        );
        assert!(write_refusal("POST", host, None, None).is_some());
    }
}
