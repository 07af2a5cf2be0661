//! The test environment: a fake API server on loopback, a kubeconfig pointing at it, and the
//! real `kubectl-kruise` binary run against them.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fake_apiserver::{FakeApi, RequestRecord, RunningServer};
use serde_json::Value;

pub const GROUP: &str = "rollouts.kruise.io";

/// A finished run of the binary.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn assert_stdout(&self, needle: &str) -> &Self {
        assert!(
            self.stdout.contains(needle),
            "stdout lacks {needle:?}:\n{}",
            self.stdout
        );
        self
    }

    #[track_caller]
    pub fn assert_stderr(&self, needle: &str) -> &Self {
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}:\n{}",
            self.stderr
        );
        self
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

pub struct Env {
    pub api: FakeApi,
    pub server: RunningServer,
    pub dir: tempfile::TempDir,
    pub kubeconfig: PathBuf,
}

pub fn fixture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every document of a fixture file.
pub fn fixture_docs(name: &str) -> Vec<Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_saphyr::from_multiple::<Value>(&text)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .into_iter()
        .filter(|d| !d.is_null())
        .collect()
}

impl Env {
    /// A cluster of a v0.5+ controller: Rollouts served as v1beta1 (preferred) and v1alpha1.
    pub fn new() -> Self {
        Self::serving(&["v1beta1", "v1alpha1"])
    }

    /// A cluster serving Rollouts in just these versions (`&[]`: Kruise Rollouts not installed).
    pub fn serving(versions: &[&str]) -> Self {
        let api = FakeApi::new();
        if !versions.is_empty() {
            api.serve_rollouts(versions);
        }
        Self::on(api)
    }

    /// An environment on this fake, served on loopback.
    pub fn on(api: FakeApi) -> Self {
        let server = api.spawn();
        let dir = tempfile::tempdir().expect("temp dir");
        let kubeconfig = dir.path().join("kubeconfig");
        std::fs::write(&kubeconfig, server.kubeconfig()).expect("write kubeconfig");
        Env {
            api,
            server,
            dir,
            kubeconfig,
        }
    }

    /// Store the objects of these fixture files (every document of each).
    pub fn with(self, fixtures: &[&str]) -> Self {
        for f in fixtures {
            for obj in fixture_docs(f) {
                self.api.insert(obj);
            }
        }
        self
    }

    /// The binary with this environment's kubeconfig and nothing of the user's.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_kubectl-kruise"));
        cmd.args(args)
            .env_clear()
            .env("KUBECONFIG", &self.kubeconfig)
            .env("HOME", self.dir.path())
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    /// The binary on a pseudo-terminal made by util-linux `script`, with `args` as its
    /// command line, in the same clean environment as [`Env::command`] and `TERM=xterm`.
    pub fn on_a_terminal(&self, script: &std::path::Path, args: &str) -> Command {
        let bin = env!("CARGO_BIN_EXE_kubectl-kruise");
        let mut cmd = Command::new(script);
        cmd.args(["-qec", &format!("{bin} {args}"), "/dev/null"])
            .env_clear()
            .env("KUBECONFIG", &self.kubeconfig)
            .env("HOME", self.dir.path())
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("TERM", "xterm");
        cmd
    }

    /// Start the binary without waiting for it; finish with [`wait`].
    pub fn spawn(&self, args: &[&str]) -> Child {
        self.command(args)
            .spawn()
            .unwrap_or_else(|e| panic!("spawn kubectl-kruise: {e}"))
    }

    /// Run to completion, under [`run_command`]'s deadline.
    pub fn run(&self, args: &[&str]) -> Run {
        run_command(self.command(args))
    }

    pub fn rollout(&self, name: &str) -> Value {
        self.api
            .get(GROUP, "rollouts", "default", name)
            .expect("rollout stored")
    }

    pub fn modify_rollout(&self, name: &str, f: impl FnOnce(&mut Value)) -> Value {
        self.api.modify(GROUP, "rollouts", "default", name, f)
    }

    /// A racing writer (the controller): change rollout `name` right after each of the next
    /// `times` GETs of it, so the reader's copy is stale by the time it writes.
    pub fn race_after_get(
        &self,
        name: &str,
        times: usize,
        f: impl FnMut(&mut Value) + Send + 'static,
    ) {
        self.api
            .after_get(GROUP, "rollouts", "default", name, times, Box::new(f));
    }

    /// Requests on this rollout, as `METHOD path` (query left out).
    pub fn calls(&self, name: &str) -> Vec<String> {
        self.api
            .requests()
            .into_iter()
            .filter(|r| r.path.contains(&format!("/rollouts/{name}")))
            .map(|r| format!("{} {}", r.method, r.path))
            .collect()
    }

    /// Writes to the objects acted on: the audit Events the plugin records are left out
    /// (see [`Env::events`]).
    pub fn writes(&self) -> Vec<RequestRecord> {
        self.api
            .writes()
            .into_iter()
            .filter(|r| !r.path.ends_with("/events"))
            .collect()
    }

    /// The audit Events recorded, as stored.
    pub fn events(&self) -> Vec<Value> {
        self.api.list("", "events")
    }
}

/// Run any command (this binary with other settings, or kubectl) with captured output and
/// a deadline: a hung process fails the test instead of hanging the suite.
pub fn run_command(mut cmd: Command) -> Run {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {:?}: {e}", cmd.get_program()));
    wait(child, Duration::from_secs(30))
}

/// Wait for a child with a deadline; a hung binary fails the test instead of hanging it.
pub fn wait(mut child: Child, limit: Duration) -> Run {
    let deadline = Instant::now() + limit;
    // Drain the pipes on threads so a chatty child never blocks on a full pipe.
    let mut out = child.stdout.take().expect("stdout piped");
    let mut err = child.stderr.take().expect("stderr piped");
    let out_t = std::thread::spawn(move || {
        let mut s = String::new();
        out.read_to_string(&mut s).ok();
        s
    });
    let err_t = std::thread::spawn(move || {
        let mut s = String::new();
        err.read_to_string(&mut s).ok();
        s
    });
    let status = loop {
        if let Some(st) = child.try_wait().expect("wait") {
            break st;
        }
        if Instant::now() > deadline {
            child.kill().ok();
            let st = child.wait().expect("wait after kill");
            let (o, e) = (
                out_t.join().unwrap_or_default(),
                err_t.join().unwrap_or_default(),
            );
            panic!(
                "kubectl-kruise did not finish in {limit:?} ({st})\n--- stdout\n{o}\n--- stderr\n{e}"
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Run {
        code: status.code().unwrap_or(-1),
        stdout: out_t.join().unwrap_or_default(),
        stderr: err_t.join().unwrap_or_default(),
    }
}

/// Send SIGINT (what Ctrl-C sends) to a child, then wait for it as [`wait`] does.
pub fn interrupt(child: Child, limit: Duration) -> Run {
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(sent.success(), "kill -INT {} failed", child.id());
    wait(child, limit)
}

/// An outside program a test needs, from PATH. Without it the test is skipped with a note,
/// except under `CI=true`, where it must run: a missing program fails the test there.
pub fn tool(name: &str, what: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var("CI").map(|v| v != "true").unwrap_or(true),
            "CI=true but {name} is not installed: {what} must run in CI"
        );
        // Straight to stderr, past the test harness's capture: a skip must be seen.
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "note: {name} not found on PATH; skipping {what}"
        );
    }
    found
}

/// What kubectl's `__complete` gets from the plugin for `words` (the last being completed):
/// the candidates, without their descriptions and the directive line.
pub fn completions(env: &Env, words: &[&str]) -> Vec<String> {
    let mut all = vec!["__complete"];
    all.extend_from_slice(words);
    let run = env.run(&all);
    run.expect_code(0);
    run.stdout
        .lines()
        .filter(|l| !l.starts_with(':'))
        .map(|l| l.split('\t').next().unwrap_or_default().to_string())
        .collect()
}

/// Poll until `cond` holds (at most 10 s): used to wait for a spawned watch to be set up.
pub fn eventually(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}
