//! Shell completions in `completions/` and man pages in `man/` are generated from the CLI
//! definition and committed. This test fails when they are stale; refresh them with
//!
//!     UPDATE_GENERATED=1 cargo test --test cli generated
//!
//! (the one documented command, also in the README).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::{CommandFactory, Parser};
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

/// Text as a preformatted roff block: backslashes and leading dots escaped.
fn roff_block(text: &str) -> String {
    let mut out = String::from(".nf\n");
    for line in text.lines() {
        let line = line.replace('\\', "\\e");
        if line.starts_with('.') || line.starts_with('\'') {
            out.push_str("\\&");
        }
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str(".fi\n");
    out
}

/// One page per command: clap_mangen's sections under a header that fits an 80-column man
/// page (the manual named "kubectl kruise", not "General Commands Manual", which collides
/// with long page names), then EXAMPLES, and the help's notes (target forms, exit codes).
fn man_page(cmd: &clap::Command, dir: &Path) {
    let man = clap_mangen::Man::new(cmd.clone())
        .date(format!("v{}", env!("CARGO_PKG_VERSION")))
        .source("kubectl-kruise")
        .manual("kruise");
    let mut page = Vec::new();
    man.render_title(&mut page).unwrap();
    man.render_name_section(&mut page).unwrap();
    man.render_synopsis_section(&mut page).unwrap();
    man.render_description_section(&mut page).unwrap();
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut page).unwrap();
    }
    if cmd.get_subcommands().any(|s| !s.is_hide_set()) {
        man.render_subcommands_section(&mut page).unwrap();
    }
    let verb = cmd.get_name();
    let examples = kubectl_kruise::cli::examples(verb);
    if let Some(ex) = examples {
        page.extend_from_slice(b".SH EXAMPLES\n");
        let body = ex.strip_prefix("Examples:\n").unwrap_or(ex);
        page.extend_from_slice(roff_block(body).as_bytes());
    }
    if let Some(notes) = cmd.get_after_long_help().or(cmd.get_after_help()) {
        let notes = notes.to_string();
        let notes = match examples {
            Some(ex) => notes
                .strip_prefix(ex)
                .unwrap_or(&notes)
                .trim_start()
                .to_string(),
            None => notes,
        };
        if !notes.is_empty() {
            page.extend_from_slice(b".SH NOTES\n");
            page.extend_from_slice(roff_block(&notes).as_bytes());
        }
    }
    man.render_version_section(&mut page).unwrap();
    std::fs::write(dir.join(man.get_filename()), page).unwrap();
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        man_page(sub, dir);
    }
}

#[test]
fn generated_man_pages_are_up_to_date() {
    check("man", |dir| {
        let mut cmd = Cli::command().disable_help_subcommand(true);
        cmd.build();
        man_page(&cmd, dir);
    });
    // Every verb's page has its examples; every header names the manual, so that the
    // center of the header is not "General Commands Manual" pushed into the page name.
    let man = Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
    for (name, bytes) in read_dir(&man) {
        let text = String::from_utf8_lossy(&bytes);
        let th = text
            .lines()
            .find(|l| l.starts_with(".TH "))
            .unwrap_or_default();
        assert!(th.ends_with(" kruise"), "{name}: {th}");
        let verb = name
            .trim_end_matches(".1")
            .rsplit('-')
            .next()
            .unwrap_or_default();
        if kubectl_kruise::cli::examples(verb).is_some() {
            assert!(text.contains(".SH EXAMPLES"), "{name}");
        }
    }
}

/// Every command's help, as `-h` and `--help` print it, fits a screen: at most 70 lines.
#[test]
fn every_help_fits_a_screen() {
    fn walk(cmd: &mut clap::Command, path: &str, seen: &mut usize) {
        let help = cmd.render_help().to_string();
        let lines = help.lines().count();
        assert!(lines <= 70, "{path}: {lines} lines:\n{help}");
        *seen += 1;
        for sub in cmd.get_subcommands_mut().filter(|s| !s.is_hide_set()) {
            let name = format!("{path} {}", sub.get_name());
            walk(sub, &name, seen);
        }
    }
    let mut cmd = kubectl_kruise::cli::command();
    cmd.build();
    let mut seen = 0;
    walk(&mut cmd, "kubectl kruise", &mut seen);
    assert!(seen >= 18, "{seen} helps");
}

#[test]
fn every_verb_has_examples_and_a_short_help() {
    let mut cmd = Cli::command();
    cmd.build();
    let rollout = cmd.find_subcommand("rollout").unwrap();
    for verb in rollout.get_subcommands().filter(|s| !s.is_hide_set()) {
        let leaves: Vec<&clap::Command> = if verb.has_subcommands() {
            verb.get_subcommands().collect()
        } else {
            vec![verb]
        };
        for leaf in leaves {
            let mut leaf = leaf.clone();
            let help = leaf.render_help().to_string();
            assert!(
                help.contains("Examples:\n  # "),
                "{}:\n{help}",
                leaf.get_name()
            );
            assert!(
                help.contains("kubectl kruise options"),
                "{}",
                leaf.get_name()
            );
            // The global flags are in `options`, not repeated in every help.
            assert!(
                !help.contains("--kubeconfig <"),
                "{}:\n{help}",
                leaf.get_name()
            );
            assert!(
                help.lines().count() <= 60,
                "{}: {} lines",
                leaf.get_name(),
                help.lines().count()
            );
            // Every example is a command line of this plugin that parses as written.
            for line in help.lines().filter(|l| l.starts_with("  kubectl ")) {
                let words: Vec<&str> = line.split_whitespace().collect();
                assert_eq!(&words[..3], ["kubectl", "kruise", "rollout"], "{line}");
                let args = std::iter::once("kubectl-kruise").chain(words[2..].iter().copied());
                if let Err(e) = Cli::try_parse_from(args) {
                    panic!("{line}: {e}");
                }
            }
        }
    }
    let options = kubectl_kruise::cli::global_options_help();
    for flag in [
        "--kubeconfig",
        "--context",
        "--namespace",
        "--request-timeout",
        "--as",
    ] {
        assert!(options.contains(flag), "{flag} in:\n{options}");
    }
}
