//! The README is a contract: each shell block marked `<!-- README test: NAME -->`, in
//! README.md and in docs/, runs here as written, with bash's `set -euo pipefail`, in a new
//! home directory, as a newcomer on a fresh machine runs it. The tour runs in the shell the
//! README's sandbox command opens, typed into it.
//!
//! Release builds here use a quicker profile (no LTO, no optimisation): the commands are the
//! README's, the binary they build is only less optimised.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The marked blocks of README.md and docs/*.md, by name.
fn blocks() -> BTreeMap<String, String> {
    let mut files = vec![Path::new(ROOT).join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(Path::new(ROOT).join("docs"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    let text: String = files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap() + "\n")
        .collect();
    let mut out = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(name) = line
            .strip_prefix("<!-- README test: ")
            .and_then(|l| l.strip_suffix(" -->"))
        else {
            continue;
        };
        assert_eq!(lines.next(), Some("```sh"), "block {name} is a sh block");
        let body: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
        assert!(!body.is_empty(), "block {name} is empty");
        assert!(
            out.insert(name.to_string(), body.join("\n") + "\n")
                .is_none(),
            "block {name} is marked twice"
        );
    }
    out
}

fn block(name: &str) -> String {
    blocks()
        .remove(name)
        .unwrap_or_else(|| panic!("README.md has no block marked `README test: {name}`"))
}

/// kubectl, or a visible skip on a machine without it (never under CI=true).
fn have_kubectl(test: &str) -> bool {
    let found = Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "kubectl is required under CI=true"
        );
        // Straight to stderr, past the test harness's capture: a skip must be seen.
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "note: {test} skipped: kubectl is not installed"
        );
    }
    found
}

/// A new home directory: the README's `~/.cargo/bin` and `~/.local/bin` are on its PATH, and
/// `extra` (a directory holding an installed plugin) when given.
struct Home {
    dir: tempfile::TempDir,
    path: String,
    /// Where the README's release builds go: one directory for all of them, so that the
    /// install, side-by-side and release blocks build the release binary once, not three
    /// times (`cargo install` alone would use a new temporary one each time). `None`: cargo's
    /// own choice (the sandbox's debug build then reuses the one the tests were built with).
    target: Option<PathBuf>,
}

impl Home {
    fn new(extra: Option<&Path>) -> Home {
        let dir = tempfile::tempdir().unwrap();
        let mut path = vec![dir.path().join(".cargo/bin"), dir.path().join(".local/bin")];
        path.extend(extra.map(Path::to_path_buf));
        path.extend(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        ));
        let path = std::env::join_paths(path)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        Home {
            dir,
            path,
            target: Some(Path::new(ROOT).join("target/readme")),
        }
    }

    fn join(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }

    /// bash running `script` in `cwd` with this home.
    fn bash(&self, script: &str, cwd: &Path) -> Command {
        let real_home = PathBuf::from(std::env::var_os("HOME").unwrap_or_default());
        let mut cmd = Command::new("bash");
        cmd.args(["-c", &format!("set -euo pipefail\n{script}")])
            .current_dir(cwd)
            .env("HOME", self.dir.path())
            .env("PATH", &self.path)
            // The toolchain and the crate cache stay where they are; what `cargo install`
            // installs goes to this home's ~/.cargo/bin, its default place.
            .env(
                "CARGO_HOME",
                std::env::var_os("CARGO_HOME").unwrap_or_else(|| real_home.join(".cargo").into()),
            )
            .env(
                "RUSTUP_HOME",
                std::env::var_os("RUSTUP_HOME").unwrap_or_else(|| real_home.join(".rustup").into()),
            )
            .env("CARGO_INSTALL_ROOT", self.join(".cargo"))
            .env_remove("CARGO_TARGET_DIR")
            .env("CARGO_PROFILE_RELEASE_LTO", "false")
            .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
            .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
            .env_remove("KUBECONFIG");
        if let Some(target) = &self.target {
            cmd.env("CARGO_TARGET_DIR", target);
        }
        cmd
    }

    /// Run `script`; it must succeed.
    fn run(&self, name: &str, script: &str, cwd: &Path) -> Output {
        let out = self.bash(script, cwd).output().unwrap();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        assert!(
            out.status.success(),
            "README block {name} failed ({}):\n{script}\nstdout:\n{stdout}\nstderr:\n{stderr}",
            out.status
        );
        out
    }
}

fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

/// The directory of the plugin binary this test run built, to stand for an installed one.
fn built_plugin() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_kubectl-kruise"))
        .parent()
        .unwrap()
        .to_path_buf()
}

#[test]
fn install_and_side_by_side_blocks_work_as_written() {
    if !have_kubectl("install_and_side_by_side_blocks_work_as_written") {
        return;
    }
    let home = Home::new(None);
    let out = home.run("install", &block("install"), Path::new(ROOT));
    assert!(home.join(".cargo/bin/kubectl-kruise").is_file());
    let out = text(&out);
    assert!(
        out.contains("kubectl-kruise"),
        "plugin list names it:\n{out}"
    );
    assert!(out.contains("Usage: kubectl kruise rollout"), "{out}");

    let home = Home::new(None);
    let out = home.run("side-by-side", &block("side-by-side"), Path::new(ROOT));
    assert!(home.join(".local/bin/kubectl-kruise-rollout").is_file());
    assert!(!home.join(".local/bin/kubectl-kruise").exists());
    let out = text(&out);
    assert!(out.contains("kubectl-kruise-rollout"), "{out}");
    // kubectl ran the rollout-named binary for `kubectl kruise rollout --help`.
    assert!(out.contains("Usage: kubectl kruise rollout"), "{out}");
}

#[test]
fn release_and_archive_blocks_work_as_written() {
    let home = Home::new(None);
    let dist = Path::new(ROOT).join("dist");
    std::fs::remove_dir_all(&dist).ok();
    home.run("release", &block("release"), Path::new(ROOT));

    // The host's archive, its checksum, and a manifest whose entry matches both.
    let (os, arch) = match (std::env::consts::OS, std::env::consts::ARCH) {
        ("macos", a) => ("darwin", a),
        (o, a) => (o, a),
    };
    let arch = match arch {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        a => a,
    };
    let archive = format!("kubectl-kruise-{os}-{arch}.tar.gz");
    let sha = std::fs::read_to_string(dist.join(format!("{archive}.sha256"))).unwrap();
    let summed = Command::new("sha256sum")
        .arg(&archive)
        .current_dir(&dist)
        .output()
        .unwrap();
    assert_eq!(sha, String::from_utf8_lossy(&summed.stdout));
    let manifest: serde_json::Value =
        serde_saphyr::from_str(&std::fs::read_to_string(dist.join("kruise.yaml")).unwrap())
            .unwrap();
    assert_eq!(
        manifest["spec"]["version"],
        format!("v{}", env!("CARGO_PKG_VERSION"))
    );
    let platform = manifest["spec"]["platforms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["selector"]["matchLabels"]["os"] == os)
        .unwrap()
        .clone();
    assert_eq!(platform["sha256"], sha.split_whitespace().next().unwrap());
    assert!(platform["uri"].as_str().unwrap().ends_with(&archive));
    let listed = Command::new("tar")
        .args(["-tzf", &archive])
        .current_dir(&dist)
        .output()
        .unwrap();
    let entries: Vec<String> = String::from_utf8_lossy(&listed.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    assert!(entries.contains(&platform["bin"].as_str().unwrap().to_string()));
    for f in platform["files"].as_array().unwrap() {
        assert!(
            entries.contains(&f["from"].as_str().unwrap().to_string()),
            "{f} in {entries:?}"
        );
    }

    // Installing from the archive, as the README says, in the directory it was downloaded to.
    if archive != "kubectl-kruise-linux-amd64.tar.gz" {
        eprintln!("note: the archive block names the linux-amd64 archive; this is {archive}");
        return;
    }
    let home = Home::new(None);
    home.run("archive", &block("archive"), &dist);
    let version = home.bash("kubectl-kruise version", &dist).output().unwrap();
    assert!(
        text(&version).starts_with(&format!("kubectl-kruise {}", env!("CARGO_PKG_VERSION"))),
        "{}",
        text(&version)
    );
}

#[test]
fn completion_block_works_as_written() {
    let home = Home::new(Some(&built_plugin()));
    // The shell's registration is checked in the same shell that sourced it.
    let script = block("completion") + "complete -p kubectl-kruise\n";
    let out = home.run("completion", &script, Path::new(ROOT));
    assert!(
        text(&out).contains("_clap_complete_kubectl_kruise"),
        "{}",
        text(&out)
    );
    let shim = home.join(".local/bin/kubectl_complete-kruise");
    let installed = std::fs::read_to_string(&shim).unwrap();
    assert_eq!(
        installed,
        std::fs::read_to_string(Path::new(ROOT).join("completions/kubectl_complete-kruise"))
            .unwrap()
    );
    use std::os::unix::fs::PermissionsExt;
    assert_ne!(
        std::fs::metadata(&shim).unwrap().permissions().mode() & 0o111,
        0,
        "executable"
    );
}

/// Type README block `name`, then `after`, into the sandbox shell under `set -euo pipefail`:
/// it must succeed and print each of `expected`. All it printed.
fn typed_in_the_sandbox(name: &str, after: &str, expected: &[&str]) -> String {
    let typed = format!("set -euo pipefail\n{}{after}exit\n", block(name));
    let out = in_the_sandbox_shell(&typed, &[]);
    let out_text = text(&out);
    assert!(
        out.status.success(),
        "block {name} failed ({}):\n{typed}\n{out_text}",
        out.status
    );
    for e in expected {
        assert!(out_text.contains(e), "{e:?} in:\n{out_text}");
    }
    out_text
}

#[test]
fn the_tour_runs_as_written_in_the_sandbox_shell() {
    if !have_kubectl("the_tour_runs_as_written_in_the_sandbox_shell") {
        return;
    }
    // The tour as written; then where its kubeconfig is.
    let out_text = typed_in_the_sandbox(
        "quickstart",
        "echo \"sandbox kubeconfig: $KUBECONFIG\"\n",
        &[
            "kubectl kruise rollout list -A",
            "rollout.rollouts.kruise.io   default     rollouts-nginx",
            "reached paused: step 1/3 is waiting for approval",
            "approved (step 1/3 -> 2/3)",
            "reached step=2",
            "canary,current",
            "rolled back to revision 4",
            "exit 4: the release was rolled back",
            "rollout.standard.oam.dev/express-server approved (batch 1/2 -> 2/2)",
            "Kind:        AppRollout",
            "role.rbac.authorization.k8s.io/kubectl-kruise-ci-bot created",
            "validatingadmissionpolicy.admissionregistration.k8s.io/kubectl-kruise-ci-bot.default.rollouts.kruise.io created",
            "rollout.rollouts.kruise.io/shop approved (step 1/3 -> 2/3)",
            "approve   rollout.rollouts.kruise.io/shop   yes",
            "nginx",
        ],
    );
    // `exit` stopped the sandbox and removed what it wrote.
    let kubeconfig = out_text
        .lines()
        .find_map(|l| l.strip_prefix("sandbox kubeconfig: "))
        .unwrap_or_else(|| panic!("no kubeconfig path in:\n{out_text}"));
    let dir = Path::new(kubeconfig).parent().unwrap();
    assert!(!dir.exists(), "{} is left behind", dir.display());
}

#[test]
fn the_clusters_block_runs_in_the_sandbox_shell() {
    if !have_kubectl("the_clusters_block_runs_in_the_sandbox_shell") {
        return;
    }
    typed_in_the_sandbox(
        "clusters",
        "",
        &[
            "CLUSTER     NAME             WORKLOAD",
            "prod-asia   rollouts-nginx",
            "[prod-us] rollout.rollouts.kruise.io/rollouts-nginx reached paused",
            "[prod-eu] rollout.rollouts.kruise.io/rollouts-nginx approved (step 1/3 -> 2/3)",
            "[prod-eu] rollout.rollouts.kruise.io/rollouts-nginx reached step=2: step 2/3 is ready",
            "release train: approved in prod-eu, prod-us, prod-asia",
            "[prod-eu] rollout.rollouts.kruise.io/rollouts-nginx: the release completed",
            "release train completed: prod-eu, prod-us, prod-asia",
        ],
    );
}

/// The README's analysis block, typed into the sandbox shell: the sandbox serves the release,
/// the template and the metrics it names.
#[test]
fn the_readme_analysis_block_runs_in_the_sandbox_shell() {
    if !have_kubectl("the_readme_analysis_block_runs_in_the_sandbox_shell") {
        return;
    }
    typed_in_the_sandbox(
        "analysis-sandbox",
        "kubectl kruise rollout status web\n",
        &[
            "error-ratio   1   [0.001]",
            "analysis Successful (error-ratio Successful)",
            "rollout.rollouts.kruise.io/web approved (step 1/3 -> 2/3)",
            "step 2/3: analysis Successful",
            "release completed",
        ],
    );
}

/// The README's dashboard block, typed into the sandbox shell as written (in the background):
/// it prints the URL with the secret, serves the sandbox's releases to that secret (over
/// bash's /dev/tcp), and Ctrl-C ends it with 130.
#[test]
fn the_readme_dashboard_block_runs_in_the_sandbox_shell() {
    if !have_kubectl("the_readme_dashboard_block_runs_in_the_sandbox_shell") {
        return;
    }
    let script = format!(
        "(\n{}) >dashboard.out 2>&1 &\n{}",
        block("dashboard"),
        r#"for _ in $(seq 200); do grep -q '#secret=' dashboard.out && break; sleep 0.05; done
url=$(head -1 dashboard.out)
echo "url: $url"
port=${url#http://127.0.0.1:}; port=${port%%/*}
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET /api/stream HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nX-Kruise-Session: %s\r\n\r\n' "$port" "${url##*=}" >&3
timeout 3 cat <&3 | grep -o '"summary":"[^"]*"' | tail -1 || true
exec 3>&-
kill -INT %1
wait %1 || echo "dashboard exit $?"
rm dashboard.out
"#
    );
    let out = in_the_sandbox_shell(&format!("set -uo pipefail\n{script}exit\n"), &[]);
    let out_text = text(&out);
    assert!(out.status.success(), "{out_text}");
    for e in [
        "url: http://127.0.0.1:3170/#secret=",
        "\"summary\":\"8 rollouts: 8 waiting for approval\"",
        "dashboard exit 130",
    ] {
        assert!(out_text.contains(e), "{e:?} in:\n{out_text}");
    }
}

/// Open the README's sandbox shell (with `env` added), type `typed` into it, and wait for it
/// to end: building the plugin and the fake may take a while on a fresh clone.
fn in_the_sandbox_shell(typed: &str, env: &[(&str, &str)]) -> Output {
    use std::io::Write;
    let mut home = Home::new(None);
    home.target = None;
    let mut shell = home.bash(&block("sandbox"), Path::new(ROOT));
    shell.env("SHELL", "bash");
    for (k, v) in env {
        shell.env(k, v);
    }
    let mut sandbox = shell
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    sandbox
        .stdin
        .take()
        .unwrap()
        .write_all(typed.as_bytes())
        .unwrap();
    wait_with_deadline(sandbox, Duration::from_secs(900))
}

/// Wait for a child with a deadline, its output collected.
fn wait_with_deadline(child: std::process::Child, limit: Duration) -> Output {
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(child.wait_with_output()));
    match rx.recv_timeout(limit) {
        Ok(out) => out.unwrap(),
        Err(_) => {
            Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status()
                .ok();
            panic!("the sandbox shell did not end within {limit:?}");
        }
    }
}

#[path = "cli/analysis/metrics.rs"]
#[allow(dead_code)]
mod metrics;

/// The analysis block of docs/analysis.md, typed into the sandbox shell with a real
/// Prometheus scraping an exporter of request counters (0.1% errors).
#[test]
fn the_analysis_block_runs_in_the_sandbox_shell_against_a_real_prometheus() {
    if !have_kubectl("the_analysis_block_runs_in_the_sandbox_shell_against_a_real_prometheus") {
        return;
    }
    let Some(bin) = which("prometheus") else {
        assert!(
            std::env::var("CI").map(|v| v != "true").unwrap_or(true),
            "CI=true but prometheus is not installed: the analysis block must run in CI"
        );
        eprintln!("note: prometheus not found on PATH; skipping the analysis block");
        return;
    };
    let start = std::time::Instant::now();
    let exporter = metrics::Stub::new(move |_| {
        let t = start.elapsed().as_secs_f64() + 1.0;
        let text = format!(
            "http_requests_total{{rollout=\"rollouts-nginx\",code=\"200\"}} {}\n\
             http_requests_total{{rollout=\"rollouts-nginx\",code=\"500\"}} {}\n",
            t * 1000.0,
            t
        );
        (200, text)
    });
    let prom = metrics::Prometheus::start(&bin, exporter, 2);
    // rate() over the minute needs two samples of each counter.
    std::thread::sleep(Duration::from_millis(2500));
    let typed = format!("set -euo pipefail\n{}exit\n", block("analysis"));
    let out = in_the_sandbox_shell(&typed, &[("PROMETHEUS", &prom.url)]);
    let out_text = text(&out);
    assert!(
        out.status.success(),
        "the analysis block failed ({}):\n{typed}\n{out_text}",
        out.status
    );
    for expected in [
        "error-ratio   1   [0.000999",
        "analysis Successful (error-ratio Successful)",
        "step 1/3: analysis Successful",
        "approved (step 1/3 -> 2/3)",
        "the release completed",
        "Completed",
    ] {
        assert!(out_text.contains(expected), "{expected:?} in:\n{out_text}");
    }
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|p| p.join(name))
        .find(|p| p.is_file())
}
