use super::*;

const TEMPLATE: &str = include_str!("../../krew-manifest.yaml");

fn platform(os: &str, arch: &str) -> Platform {
    *PLATFORMS
        .iter()
        .find(|p| p.os == os && p.arch == arch)
        .unwrap()
}

/// A source tree with the files an archive takes, and a stand-in binary.
fn tree() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("completions")).unwrap();
    std::fs::write(dir.path().join("LICENSE"), "license text\n").unwrap();
    std::fs::write(dir.path().join("README.md"), "# readme\n").unwrap();
    std::fs::write(
        dir.path().join("completions/kubectl_complete-kruise"),
        "#!/bin/sh\n",
    )
    .unwrap();
    let bin = dir.path().join("built-binary");
    std::fs::write(&bin, b"\x7fELF binary").unwrap();
    (dir, bin)
}

fn rendered(dist: &Path) -> Result<Value> {
    render_manifest(
        TEMPLATE,
        "1.2.3",
        "https://example.org/kubectl-kruise/",
        dist,
    )
}

#[test]
fn an_archive_holds_the_binary_license_readme_and_shim_reproducibly() {
    let (src, bin) = tree();
    let out = src.path().join("dist");
    let p = platform("linux", "amd64");
    let archive = package(p, &bin, src.path(), &out).unwrap();
    assert_eq!(
        archive.file_name().unwrap(),
        "kubectl-kruise-linux-amd64.tar.gz"
    );
    assert_eq!(
        archive_entries(&archive).unwrap(),
        [
            "LICENSE",
            "README.md",
            "kubectl-kruise",
            "kubectl_complete-kruise"
        ]
    );
    let line =
        std::fs::read_to_string(out.join("kubectl-kruise-linux-amd64.tar.gz.sha256")).unwrap();
    let sum = sha256_hex(&archive).unwrap();
    assert_eq!(line, format!("{sum}  kubectl-kruise-linux-amd64.tar.gz\n"));
    // Packed again, byte for byte the same archive.
    package(p, &bin, src.path(), &out).unwrap();
    assert_eq!(sha256_hex(&archive).unwrap(), sum);
    // A windows archive has the .exe and no POSIX shim.
    let win = package(platform("windows", "amd64"), &bin, src.path(), &out).unwrap();
    assert_eq!(
        archive_entries(&win).unwrap(),
        ["LICENSE", "README.md", "kubectl-kruise.exe"]
    );
}

#[test]
fn the_manifest_has_one_platform_per_archive_and_follows_krews_rules() {
    let (src, bin) = tree();
    let dist = src.path().join("dist");
    package(platform("linux", "amd64"), &bin, src.path(), &dist).unwrap();
    package(platform("windows", "amd64"), &bin, src.path(), &dist).unwrap();
    let m = rendered(&dist).unwrap();
    assert_eq!(m["spec"]["version"], "v1.2.3");
    assert_eq!(m["spec"]["homepage"], "https://example.org/kubectl-kruise");
    let platforms = m["spec"]["platforms"].as_array().unwrap();
    assert_eq!(platforms.len(), 2);
    let linux = &platforms[0];
    assert_eq!(
        linux["selector"]["matchLabels"],
        json!({"os": "linux", "arch": "amd64"})
    );
    assert_eq!(
        linux["uri"],
        "https://example.org/kubectl-kruise/releases/download/v1.2.3/kubectl-kruise-linux-amd64.tar.gz"
    );
    assert_eq!(
        linux["sha256"],
        sha256_hex(&dist.join("kubectl-kruise-linux-amd64.tar.gz")).unwrap()
    );
    assert_eq!(linux["bin"], "kubectl-kruise");
    assert_eq!(
        linux["files"],
        json!([
            {"from": "kubectl-kruise", "to": "."},
            {"from": "LICENSE", "to": "."},
            {"from": "kubectl_complete-kruise", "to": "."},
        ])
    );
    assert_eq!(platforms[1]["bin"], "kubectl-kruise.exe");
    // What is written is YAML krew reads back to the same manifest.
    let text = serde_saphyr::to_string(&m).unwrap();
    assert!(!text.contains("${"), "{text}");
    let back: Value = serde_saphyr::from_str(&text).unwrap();
    assert_eq!(back, m);
}

#[test]
fn an_archive_that_does_not_match_its_checksum_or_nothing_built_is_refused() {
    let (src, bin) = tree();
    let dist = src.path().join("dist");
    let err = rendered(&dist).unwrap_err().to_string();
    assert!(err.contains("no archive"), "{err}");
    package(platform("darwin", "arm64"), &bin, src.path(), &dist).unwrap();
    std::fs::write(
        dist.join("kubectl-kruise-darwin-arm64.tar.gz.sha256"),
        format!("{}  kubectl-kruise-darwin-arm64.tar.gz\n", "0".repeat(64)),
    )
    .unwrap();
    let err = rendered(&dist).unwrap_err().to_string();
    assert!(err.contains("does not match"), "{err}");
}

#[test]
fn krews_rules_are_enforced() {
    let (src, bin) = tree();
    let dist = src.path().join("dist");
    package(platform("linux", "arm64"), &bin, src.path(), &dist).unwrap();
    let good = rendered(&dist).unwrap();
    check_krew_rules(&good).unwrap();
    let broken = |f: &dyn Fn(&mut Value)| {
        let mut m = good.clone();
        f(&mut m);
        check_krew_rules(&m).unwrap_err().to_string()
    };
    let p = "/spec/platforms/0";
    assert!(broken(&|m| m["spec"]["version"] = json!("1.2.3")).contains("semver"));
    assert!(broken(&|m| m["spec"]["shortDescription"] = json!("two\nlines")).contains("one line"));
    assert!(broken(&|m| m["metadata"]["name"] = json!("kru ise")).contains("metadata.name"));
    assert!(broken(&|m| m["spec"]["platforms"] = json!([])).contains("must not be empty"));
    assert!(
        broken(&|m| *m.pointer_mut(&format!("{p}/sha256")).unwrap() = json!("A".repeat(64)))
            .contains("lowercase")
    );
    assert!(
        broken(
            &|m| m.pointer_mut(&format!("{p}/selector/matchLabels")).unwrap()["distro"] =
                json!("x")
        )
        .contains("only os and arch")
    );
    assert!(
        broken(
            &|m| m.pointer_mut(&format!("{p}/selector/matchLabels")).unwrap()["os"] =
                json!("windows")
        )
        .contains(".exe")
    );
    assert!(
        broken(&|m| *m.pointer_mut(&format!("{p}/files")).unwrap() = json!([{"from": "x"}]))
            .contains("from and to")
    );
    assert!(
        broken(&|m| *m.pointer_mut(&format!("{p}/uri")).unwrap() = json!("http://x/a.tar.gz"))
            .contains("https")
    );
}

#[test]
fn the_layout_check_names_what_is_missing() {
    let platform = json!({"bin": "kubectl-kruise", "files": [{"from": "LICENSE", "to": "."}]});
    check_layout(&platform, &["kubectl-kruise".into(), "LICENSE".into()]).unwrap();
    let err = check_layout(&platform, &["kubectl-kruise".into()]).unwrap_err();
    assert_eq!(err.to_string(), "no LICENSE in the archive");
    let err = check_layout(&platform, &["LICENSE".into()]).unwrap_err();
    assert_eq!(err.to_string(), "no kubectl-kruise in the archive");
}

#[test]
fn targets_map_to_krews_os_and_arch() {
    assert_eq!(
        Platform::of_target("aarch64-apple-darwin")
            .unwrap()
            .archive_name(),
        "kubectl-kruise-darwin-arm64.tar.gz"
    );
    assert!(
        Platform::of_target("riscv64gc-unknown-linux-gnu")
            .unwrap_err()
            .to_string()
            .contains("known:")
    );
    let host = Platform::host().unwrap();
    assert_eq!(
        host.os,
        if cfg!(target_os = "macos") {
            "darwin"
        } else {
            std::env::consts::OS
        }
    );
}

#[test]
fn cargo_binstall_finds_the_archive_of_every_platform() {
    let text = include_str!("../../Cargo.toml");
    let doc: toml::Table = toml::from_str(text).unwrap();
    let binstall = &doc["package"]["metadata"]["binstall"];
    assert_eq!(binstall["pkg-fmt"].as_str(), Some("tgz"));
    assert_eq!(binstall["bin-dir"].as_str(), Some("{ bin }{ binary-ext }"));
    assert!(
        doc["package"]["repository"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    let overrides = binstall["overrides"].as_table().unwrap();
    assert_eq!(overrides.len(), PLATFORMS.len());
    for p in PLATFORMS {
        assert_eq!(
            overrides[p.target]["pkg-url"].as_str(),
            Some(
                format!(
                    "{{ repo }}/releases/download/v{{ version }}/{}",
                    p.archive_name()
                )
                .as_str()
            ),
            "{}",
            p.target
        );
    }
}
