//! Shell completions in `completions/` and man pages in `man/` are generated from the CLI
//! definition and committed. This test fails when they are stale; refresh them with
//!
//!     UPDATE_GENERATED=1 cargo test --test cli generated
//!
//! (the one documented command, also in the README).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::CommandFactory;
use clap_complete::Shell;
use kubectl_kruise::cli::Cli;
use kubectl_kruise::complete;

fn read_dir(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| {
                    (
                        e.file_name().to_string_lossy().into_owned(),
                        std::fs::read(e.path()).unwrap_or_default(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Generate into a fresh directory with `write`, then compare with (or replace) `committed`.
fn check(committed: &str, write: impl Fn(&Path)) {
    let committed: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join(committed);
    let fresh = tempfile::tempdir().unwrap();
    write(fresh.path());
    let want = read_dir(fresh.path());
    assert!(!want.is_empty());
    if std::env::var_os("UPDATE_GENERATED").is_some() {
        if committed.exists() {
            std::fs::remove_dir_all(&committed).unwrap();
        }
        std::fs::create_dir_all(&committed).unwrap();
        for (name, bytes) in &want {
            let path = committed.join(name);
            std::fs::write(&path, bytes).unwrap();
            if name.starts_with("kubectl_complete-") {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
            }
        }
        return;
    }
    let have = read_dir(&committed);
    let names = |m: &BTreeMap<String, Vec<u8>>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(
        names(&have),
        names(&want),
        "{} is stale: run UPDATE_GENERATED=1 cargo test --test cli generated",
        committed.display()
    );
    for (name, bytes) in &want {
        assert!(
            have[name] == *bytes,
            "{}/{name} is stale: run UPDATE_GENERATED=1 cargo test --test cli generated",
            committed.display()
        );
    }
}

#[test]
fn generated_completions_are_up_to_date() {
    check("completions", |dir| {
        for shell in [
            Shell::Bash,
            Shell::Zsh,
            Shell::Fish,
            Shell::PowerShell,
            Shell::Elvish,
        ] {
            let file = match shell {
                Shell::Bash => "kubectl-kruise.bash",
                Shell::Zsh => "_kubectl-kruise",
                Shell::Fish => "kubectl-kruise.fish",
                Shell::PowerShell => "_kubectl-kruise.ps1",
                _ => "kubectl-kruise.elv",
            };
            std::fs::write(dir.join(file), complete::registration(shell)).unwrap();
        }
        // kubectl's own completion runs these: `kubectl kruise ...` and, for the binary
        // installed as kubectl-kruise-rollout, `kubectl kruise rollout ...`.
        for (name, rollout) in [
            ("kubectl_complete-kruise", false),
            ("kubectl_complete-kruise-rollout", true),
        ] {
            std::fs::write(dir.join(name), complete::shim(rollout)).unwrap();
        }
    });
}

#[test]
fn generated_man_pages_are_up_to_date() {
    check("man", |dir| {
        clap_mangen::generate_to(Cli::command(), dir).unwrap()
    });
}
