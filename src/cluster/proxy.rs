//! Which proxy a request to the API server goes through, by kubectl's rules.
//!
//! kubectl (client-go) uses the cluster's `proxy-url` when the kubeconfig sets one, for any
//! server, loopback included. Otherwise it follows Go's `ProxyFromEnvironment`: `HTTPS_PROXY`
//! for an `https://` server, `HTTP_PROXY` for `http://`, neither for `localhost` or a
//! loopback address, none for a host `NO_PROXY` names. kube's own loader reads
//! `HTTPS_PROXY` for every scheme and proxies loopback too, so the choice is made here; the
//! `NO_PROXY` matching itself is hyper-util's.

use anyhow::{Result, bail};
use hyper_util::client::proxy::matcher::Matcher;

/// Proxy schemes the client can speak (`socks5h` is `socks5` with the proxy resolving names,
/// which is what `socks5` does here too, as in Go).
const SCHEMES: [&str; 4] = ["http", "https", "socks5", "socks5h"];

/// A proxy chosen, and where it was set (for messages).
#[derive(Debug)]
pub struct Chosen {
    pub uri: http::Uri,
    pub source: &'static str,
}

impl Chosen {
    /// The proxy for messages: its address without credentials, and where it was set.
    pub fn describe(&self) -> String {
        let host = self.uri.host().unwrap_or_default();
        let port = self
            .uri
            .port_u16()
            .map(|p| format!(":{p}"))
            .unwrap_or_default();
        format!(
            "{}://{host}{port} (from {})",
            self.uri.scheme_str().unwrap_or("http"),
            self.source
        )
    }
}

/// The proxy for `server`, if any: `kubeconfig_proxy` first, then the environment as read
/// through `env` (a function, so tests need not change the process's environment).
pub fn choose(
    server: &http::Uri,
    kubeconfig_proxy: Option<&str>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Option<Chosen>> {
    if let Some(p) = kubeconfig_proxy.filter(|p| !p.is_empty()) {
        let source = "the kubeconfig's proxy-url";
        return parse(p, source).map(|uri| Some(Chosen { uri, source }));
    }
    let host = server.host().unwrap_or_default();
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = bare.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if loopback {
        return Ok(None);
    }
    let first = |names: [&str; 2]| names.iter().find_map(|n| env(n).filter(|v| !v.is_empty()));
    let https = first(["HTTPS_PROXY", "https_proxy"]);
    let http = first(["HTTP_PROXY", "http_proxy"]);
    let no = first(["NO_PROXY", "no_proxy"]).unwrap_or_default();
    let (value, name) = match server.scheme_str() {
        Some("https") => (https, "HTTPS_PROXY"),
        _ => (http, "HTTP_PROXY"),
    };
    let Some(value) = value else {
        return Ok(None);
    };
    // hyper-util's matcher applies NO_PROXY as curl and Go do (domains and their
    // subdomains, IP addresses, CIDR ranges, `*`).
    let matcher = Matcher::builder()
        .http(value.clone())
        .https(value.clone())
        .no(no)
        .build();
    if matcher.intercept(server).is_none() {
        return Ok(None);
    }
    // Go takes a proxy without a scheme as http://.
    let value = if value.contains("://") {
        value
    } else {
        format!("http://{value}")
    };
    parse(&value, name).map(|uri| Some(Chosen { uri, source: name }))
}

fn parse(text: &str, source: &str) -> Result<http::Uri> {
    let Ok(uri) = text.parse::<http::Uri>() else {
        bail!("{source} is not a URL");
    };
    match uri.scheme_str() {
        Some(s) if SCHEMES.contains(&s) => {}
        _ => bail!(
            "{source} has an unsupported scheme (use http://, https:// or socks5://, as kubectl)"
        ),
    }
    if uri.host().is_none() {
        bail!("{source} has no host");
    }
    Ok(uri)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    fn chosen(server: &str, kc: Option<&str>, vars: &'static [(&str, &str)]) -> Option<String> {
        choose(&server.parse().unwrap(), kc, env(vars))
            .unwrap()
            .map(|c| c.uri.to_string())
    }

    #[test]
    fn the_kubeconfig_proxy_wins_even_for_loopback() {
        assert_eq!(
            chosen(
                "https://127.0.0.1:6443",
                Some("http://proxy:3128"),
                &[("HTTPS_PROXY", "http://other:1")]
            ),
            Some("http://proxy:3128/".into())
        );
    }

    #[test]
    fn the_environment_is_read_per_scheme_and_never_for_loopback() {
        let vars = &[("HTTPS_PROXY", "http://s:1"), ("http_proxy", "h:2")];
        assert_eq!(
            chosen("https://kube.example:6443", None, vars),
            Some("http://s:1/".into())
        );
        assert_eq!(
            chosen("http://kube.example:8080", None, vars),
            Some("http://h:2/".into())
        );
        assert_eq!(chosen("https://127.0.0.1:6443", None, vars), None);
        assert_eq!(chosen("https://localhost:6443", None, vars), None);
        assert_eq!(chosen("https://[::1]:6443", None, vars), None);
    }

    #[test]
    fn no_proxy_names_domains_addresses_and_ranges() {
        let vars = &[
            ("HTTPS_PROXY", "http://s:1"),
            ("NO_PROXY", "corp.example, 10.0.0.0/8,192.0.2.7"),
        ];
        assert_eq!(chosen("https://api.corp.example", None, vars), None);
        assert_eq!(chosen("https://corp.example", None, vars), None);
        assert_eq!(chosen("https://10.1.2.3:6443", None, vars), None);
        assert_eq!(chosen("https://192.0.2.7", None, vars), None);
        assert!(chosen("https://notcorp.example", None, vars).is_some());
        assert_eq!(
            chosen(
                "https://x.example",
                None,
                &[("HTTPS_PROXY", "http://s:1"), ("NO_PROXY", "*")]
            ),
            None
        );
    }

    #[test]
    fn a_proxy_is_described_without_its_credentials() {
        let c = choose(
            &"https://kube.example".parse().unwrap(),
            Some("http://bot:s3cr3t@proxy.corp:3128"),
            env(&[]),
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            c.describe(),
            "http://proxy.corp:3128 (from the kubeconfig's proxy-url)"
        );
    }

    #[test]
    fn a_bad_proxy_is_refused_in_one_line() {
        let e = choose(
            &"https://kube.example".parse().unwrap(),
            Some("ftp://p:21"),
            env(&[]),
        )
        .unwrap_err();
        assert!(e.to_string().contains("unsupported scheme"), "{e}");
    }
}
