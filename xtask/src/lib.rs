//! Release tasks, kept in the repository so a release is one command anyone can run:
//! the archive of one target (`kubectl-kruise-<os>-<arch>.tar.gz`), its `.sha256`, and the
//! krew manifest rendered from `krew-manifest.yaml` for every archive found.
//!
//! Archives are reproducible: entries sorted, owner 0, modification time 0.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail, ensure};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// A platform a release is built for: its Rust target and krew's words for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Platform {
    pub target: &'static str,
    pub os: &'static str,
    pub arch: &'static str,
}

/// Every platform the release workflow builds; `cargo binstall` finds the same names
/// through `[package.metadata.binstall]`. Linux builds are static (musl); the gnu targets
/// name the same archive, for building on the host.
pub const PLATFORMS: &[Platform] = &[
    Platform {
        target: "x86_64-unknown-linux-musl",
        os: "linux",
        arch: "amd64",
    },
    Platform {
        target: "aarch64-unknown-linux-musl",
        os: "linux",
        arch: "arm64",
    },
    Platform {
        target: "x86_64-unknown-linux-gnu",
        os: "linux",
        arch: "amd64",
    },
    Platform {
        target: "aarch64-unknown-linux-gnu",
        os: "linux",
        arch: "arm64",
    },
    Platform {
        target: "x86_64-apple-darwin",
        os: "darwin",
        arch: "amd64",
    },
    Platform {
        target: "aarch64-apple-darwin",
        os: "darwin",
        arch: "arm64",
    },
    Platform {
        target: "x86_64-pc-windows-msvc",
        os: "windows",
        arch: "amd64",
    },
];

impl Platform {
    pub fn of_target(target: &str) -> Result<Platform> {
        PLATFORMS
            .iter()
            .copied()
            .find(|p| p.target == target)
            .with_context(|| {
                let known: Vec<&str> = PLATFORMS.iter().map(|p| p.target).collect();
                format!(
                    "no release platform for target {target} (known: {})",
                    known.join(", ")
                )
            })
    }

    /// The platform of the machine running this, for a build without `--target`.
    pub fn host() -> Result<Platform> {
        let (os, arch) = (std::env::consts::OS, std::env::consts::ARCH);
        let os = if os == "macos" { "darwin" } else { os };
        let arch = match arch {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            other => other,
        };
        PLATFORMS
            .iter()
            .copied()
            .find(|p| p.os == os && p.arch == arch)
            .with_context(|| format!("no release platform for this machine ({os}/{arch})"))
    }

    pub fn archive_name(&self) -> String {
        format!("kubectl-kruise-{}-{}.tar.gz", self.os, self.arch)
    }

    pub fn bin(&self) -> &'static str {
        if self.os == "windows" {
            "kubectl-kruise.exe"
        } else {
            "kubectl-kruise"
        }
    }

    /// What the archive holds, besides the binary: the license, the README, and where a
    /// POSIX shell exists, kubectl's completion shim. All are installed by krew (`files`).
    pub fn extra_files(&self) -> &'static [&'static str] {
        if self.os == "windows" {
            &["LICENSE", "README.md"]
        } else {
            &[
                "LICENSE",
                "README.md",
                "completions/kubectl_complete-kruise",
            ]
        }
    }
}

/// The name a file has inside the archive: flat, as krew's `files` expect.
fn entry_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

pub fn sha256_hex(path: &Path) -> Result<String> {
    let mut file = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Pack `binary` and the platform's other files (read from `root`) into `out`, with a
/// `.sha256` beside it in `sha256sum`'s format. Returns the archive's path.
pub fn package(platform: Platform, binary: &Path, root: &Path, out: &Path) -> Result<PathBuf> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let mut entries: Vec<(String, PathBuf, u32)> =
        vec![(platform.bin().to_string(), binary.to_path_buf(), 0o755)];
    for f in platform.extra_files() {
        let mode = if f.contains("kubectl_complete-") {
            0o755
        } else {
            0o644
        };
        entries.push((entry_name(f).to_string(), root.join(f), mode));
    }
    entries.sort();
    let path = out.join(platform.archive_name());
    let file = File::create(&path).with_context(|| format!("cannot write {}", path.display()))?;
    let gz = flate2::GzBuilder::new()
        .mtime(0)
        .write(file, flate2::Compression::best());
    let mut tar = tar::Builder::new(gz);
    for (name, from, mode) in &entries {
        let bytes =
            std::fs::read(from).with_context(|| format!("cannot read {}", from.display()))?;
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(*mode);
        header.set_mtime(0);
        header.set_uid(0);
        header.set_gid(0);
        header.set_cksum();
        tar.append_data(&mut header, name, bytes.as_slice())?;
    }
    tar.into_inner()?.finish()?.flush()?;
    let sum = sha256_hex(&path)?;
    std::fs::write(
        out.join(format!("{}.sha256", platform.archive_name())),
        format!("{sum}  {}\n", platform.archive_name()),
    )?;
    Ok(path)
}

/// The names of the files in a `.tar.gz`.
pub fn archive_entries(path: &Path) -> Result<Vec<String>> {
    let file = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let mut names = Vec::new();
    for entry in tar.entries()? {
        names.push(entry?.path()?.to_string_lossy().into_owned());
    }
    Ok(names)
}

/// A field of the plugin's `[package]` in its Cargo.toml (`version`, `repository`).
pub fn package_field(root: &Path, field: &str) -> Result<String> {
    let text = std::fs::read_to_string(root.join("Cargo.toml"))?;
    let doc: toml::Table = toml::from_str(&text)?;
    doc.get("package")
        .and_then(|p| p.get(field))
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .with_context(|| format!("Cargo.toml has no package.{field}"))
}

/// Render the krew manifest for the archives in `dist`: the template's text with
/// `${VERSION}` and `${BASE_URL}` filled in, and one platform per archive, whose checksum is
/// checked against the archive and whose `bin` and `files` are checked against its contents.
pub fn render_manifest(
    template: &str,
    version: &str,
    base_url: &str,
    dist: &Path,
) -> Result<Value> {
    let base_url = base_url.trim_end_matches('/');
    let text = template
        .replace("${VERSION}", version)
        .replace("${BASE_URL}", base_url);
    let mut manifest: Value =
        serde_saphyr::from_str(&text).context("krew-manifest.yaml is not YAML")?;
    let mut platforms = Vec::new();
    let mut seen = Vec::new();
    for p in PLATFORMS {
        let name = p.archive_name();
        let archive = dist.join(&name);
        if !archive.exists() || seen.contains(&name) {
            continue;
        }
        seen.push(name.clone());
        let recorded = std::fs::read_to_string(dist.join(format!("{name}.sha256")))
            .with_context(|| format!("{name} has no .sha256 beside it"))?;
        let sum = sha256_hex(&archive)?;
        ensure!(
            recorded.split_whitespace().next() == Some(sum.as_str()),
            "{name}.sha256 does not match the archive"
        );
        let mut files = vec![json!({"from": p.bin(), "to": "."})];
        files.extend(
            p.extra_files()
                .iter()
                .filter(|f| f.ends_with("LICENSE") || f.contains("kubectl_complete-"))
                .map(|f| json!({"from": entry_name(f), "to": "."})),
        );
        let platform = json!({
            "selector": {"matchLabels": {"os": p.os, "arch": p.arch}},
            "uri": format!("{base_url}/releases/download/v{version}/{name}"),
            "sha256": sum,
            "bin": p.bin(),
            "files": files,
        });
        check_layout(&platform, &archive_entries(&archive)?)
            .with_context(|| format!("{name} does not hold what the manifest installs"))?;
        platforms.push(platform);
    }
    ensure!(
        !platforms.is_empty(),
        "no archive in {}: run `cargo xtask dist` first",
        dist.display()
    );
    manifest["spec"]["platforms"] = Value::Array(platforms);
    check_krew_rules(&manifest)?;
    Ok(manifest)
}

/// Krew installs `bin` and each `files[].from` from the archive: each must be in it.
pub fn check_layout(platform: &Value, entries: &[String]) -> Result<()> {
    let bin = platform["bin"].as_str().unwrap_or_default();
    ensure!(entries.iter().any(|e| e == bin), "no {bin} in the archive");
    for f in platform["files"].as_array().into_iter().flatten() {
        let from = f["from"].as_str().unwrap_or_default();
        ensure!(
            entries.iter().any(|e| e == from),
            "no {from} in the archive"
        );
    }
    Ok(())
}

/// The rules krew's index validation applies to a plugin manifest.
pub fn check_krew_rules(m: &Value) -> Result<()> {
    ensure!(
        m["apiVersion"] == "krew.googlecontainertools.github.com/v1alpha2",
        "apiVersion must be krew.googlecontainertools.github.com/v1alpha2"
    );
    ensure!(m["kind"] == "Plugin", "kind must be Plugin");
    let name = m["metadata"]["name"].as_str().unwrap_or_default();
    ensure!(
        !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'),
        "metadata.name {name:?} must match ^[\\w-]+$"
    );
    let spec = &m["spec"];
    let version = spec["version"].as_str().unwrap_or_default();
    let semver = version.strip_prefix('v').unwrap_or_default();
    let core = semver.split(['-', '+']).next().unwrap_or_default();
    ensure!(
        core.split('.').count() == 3
            && core
                .split('.')
                .all(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit())),
        "spec.version {version:?} must be semver with a v prefix"
    );
    let short = spec["shortDescription"].as_str().unwrap_or_default();
    ensure!(
        !short.is_empty() && !short.contains('\n'),
        "spec.shortDescription must be one line"
    );
    ensure!(
        !spec["description"]
            .as_str()
            .unwrap_or_default()
            .trim()
            .is_empty(),
        "spec.description is required"
    );
    let platforms = spec["platforms"]
        .as_array()
        .context("spec.platforms is required")?;
    ensure!(!platforms.is_empty(), "spec.platforms must not be empty");
    for p in platforms {
        let labels = p["selector"]["matchLabels"]
            .as_object()
            .context("a platform needs selector.matchLabels")?;
        if let Some(k) = labels.keys().find(|k| *k != "os" && *k != "arch") {
            bail!("selector label {k:?}: only os and arch are allowed");
        }
        let uri = p["uri"].as_str().unwrap_or_default();
        ensure!(
            uri.starts_with("https://") && (uri.ends_with(".tar.gz") || uri.ends_with(".zip")),
            "uri {uri:?} must be an https .tar.gz or .zip"
        );
        let sha = p["sha256"].as_str().unwrap_or_default();
        ensure!(
            sha.len() == 64
                && sha
                    .chars()
                    .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)),
            "sha256 {sha:?} must be 64 lowercase hex digits"
        );
        let bin = p["bin"].as_str().unwrap_or_default();
        ensure!(!bin.is_empty(), "bin is required");
        if labels.get("os").and_then(Value::as_str) == Some("windows") {
            ensure!(bin.ends_with(".exe"), "a windows bin must end in .exe");
        }
        if let Some(files) = p.get("files") {
            let files = files.as_array().context("files must be a list")?;
            ensure!(!files.is_empty(), "files, when given, must not be empty");
            for f in files {
                ensure!(
                    f["from"].as_str().is_some_and(|s| !s.is_empty())
                        && f["to"].as_str().is_some_and(|s| !s.is_empty()),
                    "each files entry needs from and to"
                );
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
