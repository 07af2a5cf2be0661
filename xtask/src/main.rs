//! `cargo xtask sandbox`: a shell on a fake cluster with the demo releases, the plugin on
//! PATH. `cargo xtask dist`: build the release archive of a target, its checksum, and the
//! krew manifest. `cargo xtask manifest`: render the manifest for archives already built
//! (the release workflow's last step, over every platform's archive). `cargo xtask
//! screenshots`: the dashboard's pictures in docs/images, from the sandbox.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, ensure};
use clap::{Parser, Subcommand};
mod screenshots;

use xtask::{Platform, package, package_field, render_manifest};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Project tasks for kubectl-kruise")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Start the sandbox (a fake cluster with Kruise Rollouts and KubeVela, demo releases and
    /// simulated controllers) and open a shell with KUBECONFIG set and the plugin on PATH;
    /// leaving the shell stops the sandbox and removes what it wrote
    Sandbox {
        /// Objects of your own to load beside the demo set (YAML or JSON, multi-document)
        files: Vec<PathBuf>,
    },
    /// Build the release binary, pack dist/kubectl-kruise-<os>-<arch>.tar.gz with its
    /// .sha256, and render dist/kruise.yaml for every archive in dist/
    Dist {
        /// Build for this Rust target (default: this machine)
        #[arg(long)]
        target: Option<String>,
        #[command(flatten)]
        manifest: ManifestArgs,
    },
    /// Take the dashboard's pictures in docs/images from the sandbox (needs Debian's chromium)
    Screenshots,
    /// Render dist/kruise.yaml for the archives already in dist/
    Manifest {
        #[command(flatten)]
        manifest: ManifestArgs,
    },
}

#[derive(clap::Args)]
struct ManifestArgs {
    /// Where archives are written and looked for
    #[arg(long, default_value = "dist")]
    out: PathBuf,
    /// The project's home: archives are at BASE_URL/releases/download/vVERSION/
    /// (default: Cargo.toml's repository)
    #[arg(long)]
    base_url: Option<String>,
    /// Fail unless Cargo.toml's version is this one (a release tag without its v)
    #[arg(long)]
    expect_version: Option<String>,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

fn build(target: Option<&str>) -> Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(root()).args([
        "build",
        "--release",
        "--locked",
        "--package",
        "kubectl-kruise",
        "--bin",
        "kubectl-kruise",
    ]);
    if let Some(t) = target {
        cmd.args(["--target", t]);
    }
    let status = cmd.status().context("cannot run cargo build")?;
    ensure!(status.success(), "cargo build failed");
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"));
    let dir = match target {
        Some(t) => dir.join(t).join("release"),
        None => dir.join("release"),
    };
    let exe =
        if target.is_some_and(|t| t.contains("windows")) || (target.is_none() && cfg!(windows)) {
            "kubectl-kruise.exe"
        } else {
            "kubectl-kruise"
        };
    Ok(dir.join(exe))
}

fn manifest(args: &ManifestArgs) -> Result<()> {
    let root = root();
    let version = package_field(&root, "version")?;
    if let Some(want) = &args.expect_version {
        ensure!(
            want == &version,
            "Cargo.toml says version {version}, the release is {want}"
        );
    }
    let base_url = match &args.base_url {
        Some(u) => u.clone(),
        None => package_field(&root, "repository").context("give --base-url")?,
    };
    let template = std::fs::read_to_string(root.join("krew-manifest.yaml"))?;
    let out = root.join(&args.out);
    let m = render_manifest(&template, &version, &base_url, &out)?;
    let path = out.join("kruise.yaml");
    std::fs::write(&path, serde_saphyr::to_string(&m)?)?;
    let n = m["spec"]["platforms"].as_array().map_or(0, Vec::len);
    println!(
        "{} (v{version}, {n} platform{})",
        path.display(),
        if n == 1 { "" } else { "s" }
    );
    Ok(())
}

/// The debug binaries of the plugin and the fake API server, built if needed. Cargo's own
/// progress shows: a first build takes minutes, and a silent one looks hung.
fn build_sandbox() -> Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    eprintln!(
        "kruise sandbox: building kubectl-kruise and the fake API server (debug; the first \
         build takes a few minutes on 2 cores, later ones seconds)"
    );
    let status = Command::new(cargo)
        .current_dir(root())
        .args([
            "build",
            "--locked",
            "--package",
            "kubectl-kruise",
            "--package",
            "fake-apiserver",
        ])
        .status()
        .context("cannot run cargo build")?;
    ensure!(status.success(), "cargo build failed");
    Ok(std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
        .join("debug"))
}

/// The sandbox shell's start-up file (bash): the system's and the user's own first, then a
/// prompt that names the sandbox and the kubeconfig context the next command goes to.
const BASHRC: &str = r#"# kruise sandbox
[ -f /etc/bash.bashrc ] && . /etc/bash.bashrc
[ -f "$HOME/.bashrc" ] && . "$HOME/.bashrc"
__kruise_sandbox_context() { sed -n 's/^current-context: *//p' "$KUBECONFIG" 2>/dev/null; }
PS1='(kruise-sandbox: $(__kruise_sandbox_context)) \w \$ '
"#;

fn sandbox(files: &[PathBuf]) -> Result<std::process::ExitCode> {
    use std::io::BufRead;
    use std::os::unix::process::CommandExt;
    let bin = build_sandbox()?;
    let dir = std::env::temp_dir().join(format!("kruise-sandbox-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let kubeconfig = dir.join("kubeconfig");
    let log = std::fs::File::create(dir.join("sandbox.log"))?;
    let mut server = Command::new(bin.join("fake-apiserver"))
        .arg("--sandbox")
        .arg("--kubeconfig")
        .arg(&kubeconfig)
        .args(files)
        .stdout(std::process::Stdio::piped())
        .stderr(log)
        // Its own process group: a Ctrl-C typed in the shell is the shell's, not the sandbox's.
        .process_group(0)
        .spawn()
        .context("cannot start the sandbox")?;
    // Its first lines: the exports to make (KUBECONFIG, the metrics source's address).
    let (mut ready, mut metrics) = (String::new(), String::new());
    if let Some(out) = server.stdout.take() {
        let mut out = std::io::BufReader::new(out);
        out.read_line(&mut ready)?;
        out.read_line(&mut metrics)?;
    }
    let metrics = metrics
        .trim()
        .strip_prefix("export ARGO_ROLLOUTS_PROMETHEUS_ADDRESS=")
        .unwrap_or_default()
        .to_string();
    let result = if ready.starts_with("export KUBECONFIG=") {
        // This process waits for the shell; Ctrl-C in it must not end this one first.
        ctrlc::set_handler(|| {}).ok();
        let path = std::env::join_paths(std::iter::once(bin.clone()).chain(
            std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
        ))?;
        let shell = std::env::var("SHELL").unwrap_or_else(|_| "bash".into());
        let rcfile = dir.join("bashrc");
        std::fs::write(&rcfile, BASHRC)?;
        eprintln!(
            "kruise sandbox: a fake cluster with Kruise Rollouts and KubeVela, demo releases moved by \
             simulated controllers.\nThis shell has KUBECONFIG set and kubectl-kruise on PATH. Try:\n  \
             kubectl kruise rollout list -A\n  \
             kubectl kruise rollout status rollouts-nginx\n  \
             kubectl kruise rollout approve rollouts-nginx --expect-step=1 --wait\n  \
             kubectl kruise rollout autopilot web --analysis analysistemplate/error-rate\n\
             `exit` stops the sandbox and removes what it wrote."
        );
        let mut cmd = Command::new(&shell);
        // bash: the prompt is set after the system's and the user's bashrc, which would
        // overwrite one given in the environment.
        if shell.ends_with("bash") {
            cmd.arg("--rcfile").arg(&rcfile);
        }
        cmd.env("KUBECONFIG", &kubeconfig)
            .env("PATH", path)
            .env("ARGO_ROLLOUTS_PROMETHEUS_ADDRESS", &metrics)
            .env("PS1", "(kruise-sandbox) \\w \\$ ")
            .status()
            .with_context(|| format!("cannot start {shell}"))
    } else {
        Err(anyhow::anyhow!(
            "the sandbox did not start; see {}",
            dir.join("sandbox.log").display()
        ))
    };
    server.kill().ok();
    server.wait().ok();
    if result.is_ok() {
        std::fs::remove_dir_all(&dir).ok();
    }
    let status = result?;
    Ok(std::process::ExitCode::from(
        status.code().unwrap_or(1).clamp(0, 255) as u8,
    ))
}

fn main() -> Result<std::process::ExitCode> {
    match Cli::parse().task {
        Task::Sandbox { files } => sandbox(&files),
        Task::Screenshots => {
            screenshots::take(&build_sandbox()?, &root()).map(|()| std::process::ExitCode::SUCCESS)
        }
        Task::Dist {
            target,
            manifest: args,
        } => {
            let platform = match &target {
                Some(t) => Platform::of_target(t)?,
                None => Platform::host()?,
            };
            let binary = build(target.as_deref())?;
            let archive = package(platform, &binary, &root(), &root().join(&args.out))?;
            println!("{}", archive.display());
            manifest(&args).map(|()| std::process::ExitCode::SUCCESS)
        }
        Task::Manifest { manifest: args } => {
            manifest(&args).map(|()| std::process::ExitCode::SUCCESS)
        }
    }
}
