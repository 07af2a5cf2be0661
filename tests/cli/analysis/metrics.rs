//! The metric sources analysis tests measure: a real Prometheus (Debian's `prometheus`)
//! scraping an exporter the test controls, and stub HTTP endpoints for the web provider
//! and for a Prometheus that fails.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

/// An HTTP endpoint answering every request with what `answer` gives for its request
/// line (`GET /path HTTP/1.1`); it records each request's head and body.
pub struct Stub {
    pub url: String,
    pub requests: Arc<Mutex<Vec<String>>>,
}

impl Stub {
    pub fn new(answer: impl Fn(&str) -> (u16, String) + Send + Sync + 'static) -> Stub {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests: Arc<Mutex<Vec<String>>> = Arc::default();
        let seen = requests.clone();
        let answer = Arc::new(answer);
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(mut conn) = conn else { continue };
                let (seen, answer) = (seen.clone(), answer.clone());
                std::thread::spawn(move || {
                    let Some(request) = read_request(&mut conn) else {
                        return;
                    };
                    let line = request.lines().next().unwrap_or("").to_string();
                    seen.lock().unwrap().push(request);
                    let (status, body) = answer(&line);
                    let _ = write!(
                        conn,
                        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                });
            }
        });
        Stub { url, requests }
    }

    /// A stub that always gives `status` and `body`.
    pub fn fixed(status: u16, body: &str) -> Stub {
        let body = body.to_string();
        Stub::new(move |_| (status, body.clone()))
    }
}

fn read_request(conn: &mut TcpStream) -> Option<String> {
    conn.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = conn.read(&mut chunk).ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf);
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse().ok())?
                })
                .unwrap_or(0usize);
            if buf.len() >= end + 4 + length {
                break;
            }
        }
    }
    Some(String::from_utf8_lossy(&buf).into_owned())
}

/// A real Prometheus scraping an exporter of gauges every second.
pub struct Prometheus {
    pub url: String,
    child: Child,
    _dir: tempfile::TempDir,
    _exporter: Stub,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// GET `url` and the JSON it answers.
pub fn get_json(url: &str) -> Option<Value> {
    let rest = url.strip_prefix("http://")?;
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let mut conn = TcpStream::connect(host).ok()?;
    conn.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        conn,
        "GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut text = String::new();
    conn.read_to_string(&mut text).ok()?;
    let body = text.split_once("\r\n\r\n")?.1;
    serde_json::from_str(body).ok()
}

/// An exporter of fixed gauges (`name{labels}` → value) and how many series it has.
pub fn gauges(gauges: &[(&str, f64)]) -> (Stub, usize) {
    let text: String = gauges
        .iter()
        .map(|(series, v)| {
            let v = if v.is_nan() {
                "NaN".to_string()
            } else {
                v.to_string()
            };
            format!("{series} {v}\n")
        })
        .collect();
    (Stub::new(move |_| (200, text.clone())), gauges.len())
}

impl Prometheus {
    /// Start Prometheus (`bin`) scraping `exporter` every second, and wait until it has
    /// scraped its `series` (NaN ones included).
    pub fn start(bin: &Path, exporter: Stub, series: usize) -> Prometheus {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("prometheus.yml");
        std::fs::write(
            &config,
            format!(
                "global: {{scrape_interval: 1s, evaluation_interval: 1s}}\n\
                 scrape_configs:\n- job_name: app\n  static_configs:\n  - targets: ['{}']\n",
                exporter.url.trim_start_matches("http://")
            ),
        )
        .unwrap();
        let port = free_port();
        let child = Command::new(bin)
            .arg(format!("--config.file={}", config.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.path().join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .arg("--log.level=error")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start prometheus");
        let p = Prometheus {
            url: format!("http://127.0.0.1:{port}"),
            child,
            _dir: dir,
            _exporter: exporter,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            // count({job="app", __name__!~"up|scrape_.*"}): the exporter's own series.
            let answer = get_json(&format!(
                "{}/api/v1/query?query=count(%7Bjob%3D%22app%22,__name__!~%22up%7Cscrape_.*%22%7D)",
                p.url
            ));
            let n = answer.as_ref().and_then(|a| {
                a["data"]["result"][0]["value"][1]
                    .as_str()?
                    .parse::<usize>()
                    .ok()
            });
            if n == Some(series) {
                return p;
            }
            assert!(
                Instant::now() < deadline,
                "Prometheus did not scrape the exporter: {answer:?}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
