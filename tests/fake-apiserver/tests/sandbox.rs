//! The sandbox as a newcomer starts it: the `fake-apiserver` binary with `--simulate`, loaded
//! from files, writes a kubeconfig and runs a controller for each v1beta1 Rollout.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

/// The server address from the kubeconfig the binary wrote.
fn server_of(kubeconfig: &std::path::Path) -> Option<String> {
    let text = std::fs::read_to_string(kubeconfig).ok()?;
    let url = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("server: "))?;
    Some(url.trim_start_matches("http://").to_string())
}

/// One plain HTTP/1.1 GET: enough to read an object without a client library.
fn get(addr: &str, path: &str) -> Value {
    let mut s = TcpStream::connect(addr).expect("connect");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut text = String::new();
    s.read_to_string(&mut text).expect("read");
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b)
        .unwrap_or_default();
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[test]
fn simulate_runs_a_controller_for_each_rollout_loaded() {
    let dir = tempfile::tempdir().expect("temp dir");
    let files = [
        (
            "deploy.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: default\nspec:\n  replicas: 2\n  template:\n    spec:\n      containers:\n      - name: web\n        image: web:1\n",
        ),
        (
            "rollout.yaml",
            "apiVersion: rollouts.kruise.io/v1beta1\nkind: Rollout\nmetadata:\n  name: web\n  namespace: default\nspec:\n  workloadRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: web\n  strategy:\n    canary:\n      steps:\n      - replicas: 1\n        pause: {}\n      - replicas: 100%\n",
        ),
    ];
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write fixture");
    }
    let kubeconfig = dir.path().join("kubeconfig");
    let child = Command::new(env!("CARGO_BIN_EXE_fake-apiserver"))
        .arg("--kubeconfig")
        .arg(&kubeconfig)
        .arg("--simulate=20") // without it the Rollout keeps its empty status
        .args(files.map(|(n, _)| dir.path().join(n)))
        .stdout(Stdio::null())
        .spawn()
        .expect("start fake-apiserver");
    let _server = Killed(child);

    let deadline = Instant::now() + Duration::from_secs(10);
    let phase_of = |addr: &str| {
        let r = get(
            addr,
            "/apis/rollouts.kruise.io/v1beta1/namespaces/default/rollouts/web",
        );
        r["status"]["phase"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let addr = loop {
        if let Some(addr) = server_of(&kubeconfig)
            && TcpStream::connect(&addr).is_ok()
        {
            break addr;
        }
        assert!(Instant::now() < deadline, "the server did not start");
        std::thread::sleep(Duration::from_millis(20));
    };
    // The controller takes the new Rollout from no status to Healthy on its own.
    while phase_of(&addr) != "Healthy" {
        assert!(
            Instant::now() < deadline,
            "the simulated controller did not run"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let r = get(
        &addr,
        "/apis/rollouts.kruise.io/v1beta1/namespaces/default/rollouts/web",
    );
    assert_eq!(r["status"]["canaryStatus"]["currentStepState"], "Completed");
    assert_eq!(r["status"]["observedGeneration"], 1);
}

#[test]
fn simulate_without_a_value_leaves_the_files_to_load() {
    // `--simulate FILES...`: the files are loaded, not taken as the value.
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("rollout.yaml");
    std::fs::write(
        &file,
        "apiVersion: rollouts.kruise.io/v1beta1\nkind: Rollout\nmetadata:\n  name: demo\n  namespace: default\nspec: {}\n",
    )
    .expect("write fixture");
    let kubeconfig = dir.path().join("kubeconfig");
    let mut child = Command::new(env!("CARGO_BIN_EXE_fake-apiserver"))
        .arg("--kubeconfig")
        .arg(&kubeconfig)
        .arg("--simulate")
        .arg(&file)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start fake-apiserver");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !std::fs::read_to_string(&kubeconfig).is_ok_and(|t| t.contains("server:")) {
        if let Ok(Some(status)) = child.try_wait() {
            let mut err = String::new();
            std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).ok();
            panic!("fake-apiserver exited ({status}): {err}");
        }
        assert!(Instant::now() < deadline, "fake-apiserver did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    let text = std::fs::read_to_string(&kubeconfig).unwrap();
    let addr = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("server: http://"))
        .expect("server line")
        .to_string();
    let obj = get(
        &addr,
        "/apis/rollouts.kruise.io/v1beta1/namespaces/default/rollouts/demo",
    );
    child.kill().ok();
    child.wait().ok();
    assert_eq!(obj["metadata"]["name"], "demo");
}

/// One plain HTTP/1.1 merge patch; the answer's status line.
fn merge_patch(addr: &str, path: &str, body: &str) -> String {
    let mut s = TcpStream::connect(addr).expect("connect");
    write!(
        s,
        "PATCH {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/merge-patch+json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("send");
    let mut text = String::new();
    s.read_to_string(&mut text).expect("read");
    text.lines().next().unwrap_or_default().to_string()
}

#[cfg(unix)]
#[test]
fn sandbox_serves_the_demo_moves_it_and_cleans_up_on_ctrl_c() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_fake-apiserver"))
        .arg("--sandbox")
        .env("TMPDIR", tmp.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start fake-apiserver");
    // The first line of stdout is the one to paste.
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut out, &mut line).expect("read stdout");
    let path = line
        .trim_end()
        .strip_prefix("export KUBECONFIG=")
        .unwrap_or_else(|| panic!("not an export line: {line:?}"))
        .to_string();
    let kubeconfig = std::path::PathBuf::from(&path);
    assert!(kubeconfig.starts_with(tmp.path()), "{path}");
    let addr = server_of(&kubeconfig).expect("a server in the kubeconfig");

    // One of each kind of release, served at once.
    let names = |path: &str| -> Vec<String> {
        get(&addr, path)["items"]
            .as_array()
            .expect("a list")
            .iter()
            .map(|o| o["metadata"]["name"].as_str().unwrap().to_string())
            .collect()
    };
    let kruise = names("/apis/rollouts.kruise.io/v1beta1/rollouts");
    for name in ["rollouts-nginx", "shop", "echo", "canary-demo"] {
        assert!(kruise.contains(&name.to_string()), "{kruise:?}");
    }
    assert_eq!(names("/apis/apps.kruise.io/v1alpha1/clonesets"), ["web"]);
    assert_eq!(
        names("/apis/core.oam.dev/v1beta1/approllouts"),
        ["rolling-example"]
    );
    assert!(names("/apis/standard.oam.dev/v1alpha1/rollouts").contains(&"express-server".into()));

    // The AppRollout's controller runs: raising the partition releases the last batch.
    let app_rollout = "/apis/core.oam.dev/v1beta1/namespaces/default/approllouts/rolling-example";
    assert_eq!(get(&addr, app_rollout)["status"]["currentBatch"], 1);
    let answer = merge_patch(
        &addr,
        app_rollout,
        r#"{"spec":{"rolloutPlan":{"batchPartition":2}}}"#,
    );
    assert!(answer.contains(" 200 "), "{answer}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while get(&addr, app_rollout)["status"]["currentBatch"] != 2 {
        assert!(Instant::now() < deadline, "the AppRollout did not move");
        std::thread::sleep(Duration::from_millis(50));
    }

    // Ctrl-C: it stops, exits 0, and leaves nothing behind.
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(Instant::now() < deadline, "the sandbox did not stop");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status}");
    assert!(!kubeconfig.exists(), "{path} was left behind");
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}
