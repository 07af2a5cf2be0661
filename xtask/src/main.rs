//! `cargo xtask dist`: build the release archive of a target, its checksum, and the krew
//! manifest. `cargo xtask manifest`: render the manifest for archives already built (the
//! release workflow's last step, over every platform's archive).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, ensure};
use clap::{Parser, Subcommand};
use xtask::{Platform, package, package_field, render_manifest};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Release tasks for kubectl-kruise")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Build the release binary, pack dist/kubectl-kruise-<os>-<arch>.tar.gz with its
    /// .sha256, and render dist/kruise.yaml for every archive in dist/
    Dist {
        /// Build for this Rust target (default: this machine)
        #[arg(long)]
        target: Option<String>,
        #[command(flatten)]
        manifest: ManifestArgs,
    },
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

fn main() -> Result<()> {
    match Cli::parse().task {
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
            manifest(&args)
        }
        Task::Manifest { manifest: args } => manifest(&args),
    }
}
