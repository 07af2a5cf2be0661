//! `kubectl kruise dashboard`: the server's security rules over plain HTTP (each rule
//! its own test), what it serves, how it stops; `browser.rs` drives the page in Chromium.

pub mod browser;
mod fleet;
mod security;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::Child;
use std::time::Duration;

use serde_json::Value;

use crate::harness::{Env, Run, interrupt};

/// A running dashboard and the URL it printed.
pub struct Dashboard {
    child: Option<Child>,
    /// `http://127.0.0.1:PORT`
    pub base: String,
    pub port: u16,
    pub secret: String,
    /// The first line it printed.
    pub url: String,
}

impl Dashboard {
    /// `kubectl kruise dashboard --no-browser --port 0 ARGS...` on `env`; returns once it
    /// has printed its URL.
    pub fn start(env: &Env, args: &[&str]) -> Dashboard {
        Self::start_with(|all| env.command(all), args)
    }

    /// The same, with the command `make` gives for these words.
    pub fn start_with(make: impl Fn(&[&str]) -> std::process::Command, args: &[&str]) -> Dashboard {
        let mut all = vec!["dashboard", "--no-browser", "--port", "0"];
        all.extend_from_slice(args);
        let mut child = make(&all).spawn().expect("spawn the dashboard");
        let mut line = String::new();
        let read =
            BufReader::new(child.stdout.as_mut().expect("stdout piped")).read_line(&mut line);
        if read.is_err() || line.is_empty() {
            child.kill().ok();
            let mut err = String::new();
            child.stderr.take().unwrap().read_to_string(&mut err).ok();
            panic!("the dashboard printed no URL; stderr:\n{err}");
        }
        let url = line.trim().to_string();
        let (base, secret) = url.split_once("/#secret=").expect("URL with the secret");
        let port = base.rsplit(':').next().unwrap().parse().unwrap();
        Dashboard {
            child: Some(child),
            base: base.to_string(),
            port,
            secret: secret.to_string(),
            url,
        }
    }

    /// The URL of rollout `name`'s release page (in the one cluster), with the secret.
    pub fn release_url(&self, name: &str) -> String {
        format!(
            "{}/#/r//rollout.rollouts.kruise.io/default/{name}&secret={}",
            self.base, self.secret
        )
    }

    /// Ctrl-C, and what it printed.
    pub fn interrupt(mut self, limit: Duration) -> Run {
        interrupt(self.child.take().unwrap(), limit)
    }

    /// A request with the Host this server answers to and the secret.
    pub fn get(&self, path: &str) -> Answer {
        http(
            self.port,
            &format!(
                "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nX-Kruise-Session: {}\r\n",
                self.port, self.secret
            ),
            "",
        )
    }

    /// An action as the page sends it: POST, the secret, this page's Origin.
    pub fn act(&self, body: &Value) -> Answer {
        http(
            self.port,
            &format!(
                "POST /api/action HTTP/1.1\r\nHost: 127.0.0.1:{p}\r\nX-Kruise-Session: {}\r\n\
                 Origin: http://127.0.0.1:{p}\r\nSec-Fetch-Site: same-origin\r\n\
                 Content-Type: application/json\r\n",
                self.secret,
                p = self.port
            ),
            &body.to_string(),
        )
    }

    /// The fleet once every cluster has been listed (or failed), at most 10 s on.
    pub fn listed_fleet(&self) -> Value {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            let f = self.fleet();
            let done = f["clusters"]
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c["listed"] == true || !c["error"].is_null());
            if done {
                return f;
            }
            assert!(std::time::Instant::now() < deadline, "never listed: {f}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The first event of the fleet stream: every row.
    pub fn fleet(&self) -> Value {
        let a = self.get("/api/stream");
        assert_eq!(a.status, 200, "{}", a.body);
        let data = a
            .body
            .lines()
            .find_map(|l| l.strip_prefix("data: "))
            .unwrap_or_else(|| panic!("no event in {:?}", a.body));
        serde_json::from_str(data).expect("event JSON")
    }
}

impl Drop for Dashboard {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            c.kill().ok();
            c.wait().ok();
        }
    }
}

/// Each row of a fleet event as (cluster, name), from its id `CLUSTER GROUP NAMESPACE NAME`.
pub fn rows(fleet: &Value) -> Vec<(String, String)> {
    fleet["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let id = r[0].as_str().unwrap();
            let mut words: Vec<&str> = id.rsplitn(4, ' ').collect();
            words.reverse();
            (words[0].to_string(), words[3].to_string())
        })
        .collect()
}

/// An HTTP answer: status, headers (names lower-cased), body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Send `head` (request line and headers, each ending in CRLF) and `body`; read the answer
/// until the server closes or, for a stream, until its first event has come.
pub fn http(port: u16, head: &str, body: &str) -> Answer {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_millis(1500)))
        .unwrap();
    let req = format!(
        "{head}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    let mut buf = [0u8; 65536];
    loop {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
            // A stream stays open: what came by now is its first event.
            Err(_) => break,
        }
    }
    let text = String::from_utf8_lossy(&raw).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Answer {
        status,
        headers,
        body: body.to_string(),
    }
}

/// The sandbox-like cluster the dashboard tests use: rollouts-nginx waiting at step 1 of
/// 3 (Deployment nginx), and the blue-green `shop`.
pub fn cluster() -> Env {
    Env::new().with(&[
        "rollout-seed-v1beta1.yaml",
        "deployment-nginx.yaml",
        "replicasets-nginx.yaml",
        "rollout-v1beta1-bluegreen.yaml",
        "deployment-shop.yaml",
    ])
}

/// The writes that change the cluster: the access reviews the page asks and the server's
/// dry runs (requests that store nothing) left out.
pub fn changes(env: &Env) -> Vec<fake_apiserver::RequestRecord> {
    env.writes()
        .into_iter()
        .filter(|w| !w.path.contains("accessreviews") && !w.query.contains("dryRun"))
        .collect()
}

/// RBAC enforced, and the service account `viewer` granted `verbs` on rollouts-nginx and
/// shop; its `--as` name.
pub fn viewer(env: &Env, verbs: &str) -> &'static str {
    env.api.serve_rbac().enforce_rbac();
    env.run(&[
        "rollout",
        "access",
        "grant",
        "rollouts-nginx",
        "shop",
        "--subject",
        "serviceaccount:default:viewer",
        "--verbs",
        verbs,
        "--apply",
    ])
    .expect_code(0);
    "system:serviceaccount:default:viewer"
}

/// What the page sends to act on rollouts-nginx.
pub fn on_nginx(verb: &str, step: Option<i64>) -> Value {
    serde_json::json!({
        "cluster": "", "kind": "rollout.rollouts.kruise.io", "namespace": "default",
        "name": "rollouts-nginx", "verb": verb, "step": step,
    })
}
