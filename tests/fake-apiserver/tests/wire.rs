//! What goes over the wire, as kube-apiserver sends it: gzip only for answers over 128 KiB
//! to a client that takes it, never for a watch; a gateway's path prefix; bearer tokens.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use fake_apiserver::FakeApi;
use serde_json::json;

/// One HTTP/1.1 GET; the status line and headers, and up to `max` bytes of body.
fn get(addr: &str, path: &str, headers: &str, max: usize) -> (String, Vec<u8>) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(5))).ok();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\n{headers}Connection: close\r\n\r\n"
    )
    .expect("send");
    let mut r = BufReader::new(s);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        head.push_str(&line.to_ascii_lowercase());
    }
    let mut body = Vec::new();
    r.take(max as u64).read_to_end(&mut body).ok();
    if head.contains("transfer-encoding: chunked") && max == usize::MAX {
        body = dechunk(&body);
    }
    (head, body)
}

/// The body of a chunked answer: each chunk is its size in hex, CRLF, the bytes, CRLF.
fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = raw.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(std::str::from_utf8(&raw[..end]).unwrap_or("0"), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&raw[end + 2..end + 2 + size]);
        raw = &raw[end + 2 + size + 2..];
    }
    out
}

fn api_with(n: usize) -> FakeApi {
    let api = FakeApi::new();
    api.serve_rollouts(&["v1beta1"]);
    for i in 0..n {
        api.insert(json!({
            "apiVersion": "rollouts.kruise.io/v1beta1", "kind": "Rollout",
            "metadata": {"name": format!("r-{i:05}"), "namespace": "default"},
            "spec": {"workloadRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "w"},
                     "strategy": {"canary": {"steps": [{"replicas": 1}, {"replicas": "50%"}]}}}
        }));
    }
    api
}

const LIST: &str = "/apis/rollouts.kruise.io/v1beta1/rollouts";
const GZIP: &str = "Accept-Encoding: gzip\r\n";

#[test]
fn only_large_answers_to_clients_that_take_gzip_are_compressed() {
    let api = api_with(1000);
    let server = api.spawn();
    let addr = server.addr.to_string();
    let (head, body) = get(&addr, LIST, GZIP, usize::MAX);
    assert!(head.contains("content-encoding: gzip"), "{head}");
    assert_eq!(&body[..2], &[0x1f, 0x8b], "a gzip stream");
    let (head, plain) = get(&addr, LIST, "", usize::MAX);
    assert!(!head.contains("content-encoding"), "{head}");
    assert!(plain.len() > 128 * 1024 && plain.len() > 5 * body.len());
    // A small answer is sent as it is, even to a client that takes gzip.
    let (head, _) = get(
        &addr,
        "/apis/rollouts.kruise.io/v1beta1/namespaces/default/rollouts/r-00001",
        GZIP,
        usize::MAX,
    );
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(!head.contains("content-encoding"), "{head}");
    // A watch is a stream of events, never compressed.
    let (head, _) = get(
        &addr,
        &format!("{LIST}?watch=true&resourceVersion=0"),
        GZIP,
        64,
    );
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(!head.contains("content-encoding"), "{head}");
    // Each request's Accept-Encoding is recorded.
    let asked: Vec<Option<String>> = api
        .requests()
        .into_iter()
        .map(|r| r.accept_encoding)
        .collect();
    assert_eq!(asked[0].as_deref(), Some("gzip"));
    assert_eq!(asked[1], None);
}

#[test]
fn behind_a_prefix_only_prefixed_paths_are_served() {
    let api = api_with(1);
    api.serve_under("/k8s/clusters/c-m-1");
    let server = api.spawn();
    let addr = server.addr.to_string();
    let (head, _) = get(&addr, &format!("/k8s/clusters/c-m-1{LIST}"), "", usize::MAX);
    assert!(head.starts_with("http/1.1 200"), "{head}");
    let (head, _) = get(&addr, LIST, "", usize::MAX);
    assert!(head.starts_with("http/1.1 404"), "{head}");
    let (head, _) = get(
        &addr,
        &format!("/k8s/clusters/c-m-10{LIST}"),
        "",
        usize::MAX,
    );
    assert!(head.starts_with("http/1.1 404"), "{head}");
}

#[test]
fn only_accepted_tokens_pass() {
    let api = api_with(1);
    api.accept_tokens(Some(&["good"]));
    let server = api.spawn();
    let addr = server.addr.to_string();
    let (head, body) = get(&addr, LIST, "Authorization: Bearer bad\r\n", usize::MAX);
    assert!(head.starts_with("http/1.1 401"), "{head}");
    assert!(String::from_utf8_lossy(&body).contains("\"reason\":\"Unauthorized\""));
    let (head, _) = get(&addr, LIST, "Authorization: Bearer good\r\n", usize::MAX);
    assert!(head.starts_with("http/1.1 200"), "{head}");
}
