//! `kubectl-kruise __complete WORDS... CURRENT`: kubectl's plugin completion protocol (that of
//! Cobra, which kubectl uses). kubectl runs `kubectl_complete-kruise` with the words after the
//! plugin's name and the word being completed; it prints one candidate per line
//! (`value<TAB>description`), then a directive line (`:4`: no file names).
//!
//! Verbs, flags and flag values come from the command-line definition (clap_complete's
//! engine); rollout, workload and namespace names come from the cluster, within a short
//! deadline, so a slow or unreachable cluster never blocks the prompt: it just adds no names.

use std::ffi::OsString;
use std::io::Write;
use std::time::Duration;

use anyhow::Result;
use clap::CommandFactory;

use crate::cli::{Cli, ClusterArgs};
use crate::cluster::{self, ObjectApi};
use crate::exit::Code;
use crate::model::WorkloadKind;

/// The longest the cluster may take to offer names.
const DEADLINE: Duration = Duration::from_millis(1500);

/// Cobra's directive: do not fall back to file names.
const NO_FILE_COMP: &str = ":4";

/// Verbs whose positional arguments name rollouts or workloads.
const TARGET_VERBS: &[&str] = &[
    "approve", "pause", "resume", "restart", "undo", "status", "history",
];

/// The value of a cluster flag among the words typed (`-n X`, `--namespace=X`).
fn flag_value(words: &[String], long: &str, short: Option<&str>) -> Option<String> {
    let mut it = words.iter();
    while let Some(w) = it.next() {
        if w == &format!("--{long}") || short.is_some_and(|s| w == s) {
            return it.next().cloned();
        }
        if let Some(v) = w.strip_prefix(&format!("--{long}=")) {
            return Some(v.to_string());
        }
    }
    None
}

/// What the word being completed is.
enum Want {
    Namespace,
    Target,
    Other,
}

fn want(words: &[String]) -> Want {
    let (current, before) = words
        .split_last()
        .map_or(("", &[][..]), |(c, b)| (c.as_str(), b));
    match before.last().map(String::as_str) {
        Some("-n" | "--namespace") => return Want::Namespace,
        // Another flag's value: the engine knows its possible values, if any.
        Some(w) if w.starts_with('-') && !w.contains('=') && takes_value(w) => return Want::Other,
        _ => {}
    }
    let verb = before.iter().any(|w| w == "rollout")
        && before.iter().any(|w| TARGET_VERBS.contains(&w.as_str()));
    if verb && !current.starts_with('-') {
        Want::Target
    } else {
        Want::Other
    }
}

/// Whether a flag takes a value (so the next word is that value, not a target).
fn takes_value(flag: &str) -> bool {
    let name = flag.trim_start_matches('-');
    let cmd = Cli::command();
    let mut all = vec![cmd.clone()];
    let mut found = false;
    while let Some(c) = all.pop() {
        for a in c.get_arguments() {
            let matches = a.get_long() == Some(name)
                || (name.len() == 1 && a.get_short() == name.chars().next());
            if matches && a.get_action().takes_values() {
                found = true;
            }
        }
        all.extend(c.get_subcommands().cloned());
    }
    found
}

/// Names from the cluster for the word being completed.
async fn live(words: &[String], want: &Want) -> Vec<(String, String)> {
    let args = ClusterArgs {
        kubeconfig: flag_value(words, "kubeconfig", None).map(Into::into),
        context: flag_value(words, "context", None),
        namespace: flag_value(words, "namespace", Some("-n")),
        request_timeout: Some(DEADLINE),
        ..ClusterArgs::default()
    };
    let Ok(mut cluster) = cluster::connect(&args).await else {
        return Vec::new();
    };
    cluster.audit = false;
    let current = words.last().map(String::as_str).unwrap_or("");
    match want {
        Want::Namespace => {
            let ns = ObjectApi::new(
                &cluster,
                kube::core::ApiResource::from_gvk_with_plural(
                    &kube::core::GroupVersionKind::gvk("", "v1", "Namespace"),
                    "namespaces",
                ),
            );
            match ns.list_all(None).await {
                Ok(items) => items
                    .iter()
                    .filter_map(|o| o.pointer("/metadata/name")?.as_str().map(str::to_string))
                    .map(|n| (n, "namespace".to_string()))
                    .collect(),
                Err(_) => Vec::new(),
            }
        }
        Want::Target => {
            // `deployment/we`: that kind's names; otherwise rollouts, named bare.
            let (prefix, api, what) = match current.split_once('/') {
                Some((word, _)) => match WorkloadKind::from_type_word(word) {
                    Some(k) => (
                        format!("{word}/"),
                        cluster::WorkloadApi::new(&cluster, k).object(),
                        k.kind().to_string(),
                    ),
                    None => return Vec::new(),
                },
                None => (
                    String::new(),
                    ObjectApi::new(
                        &cluster,
                        cluster::rollout_resource(crate::model::ApiVersion::V1beta1),
                    ),
                    "Rollout".to_string(),
                ),
            };
            match api.names(None, false).await {
                Ok(names) => names
                    .into_iter()
                    .map(|(_, n)| (format!("{prefix}{n}"), what.clone()))
                    .collect(),
                Err(_) => Vec::new(),
            }
        }
        Want::Other => Vec::new(),
    }
}

/// Answer kubectl's `__complete` for `words` (the last one being completed).
pub fn run(words: Vec<String>) -> Result<Code> {
    let mut words = words;
    if words.is_empty() {
        words.push(String::new());
    }
    let current = words.last().cloned().unwrap_or_default();
    let mut out: Vec<(String, String)> = Vec::new();
    let want = want(&words);
    // From the command-line definition.
    let args: Vec<OsString> = std::iter::once(OsString::from("kubectl-kruise"))
        .chain(words.iter().map(OsString::from))
        .collect();
    let index = args.len() - 1;
    if let Ok(candidates) = clap_complete::engine::complete(&mut Cli::command(), args, index, None)
    {
        for c in candidates.into_iter().filter(|c| !c.is_hide_set()) {
            let value = c.get_value().to_string_lossy().into_owned();
            if value.starts_with("__") {
                continue;
            }
            let help = c.get_help().map(|h| h.to_string()).unwrap_or_default();
            out.push((value, help.lines().next().unwrap_or("").to_string()));
        }
    }
    if current.starts_with("--until=") {
        for v in ["paused", "completed", "step="] {
            out.push((format!("--until={v}"), String::new()));
        }
    }
    if matches!(want, Want::Target | Want::Namespace) {
        // Names, not flags, unless a `-` was typed.
        out.retain(|(v, _)| !v.starts_with('-'));
    }
    if !matches!(want, Want::Other) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let names = rt.block_on(async {
            tokio::time::timeout(DEADLINE, live(&words, &want))
                .await
                .unwrap_or_default()
        });
        out.extend(names.into_iter().filter(|(n, _)| n.starts_with(&current)));
    }
    let mut stdout = std::io::stdout().lock();
    for (value, help) in out {
        if help.is_empty() {
            writeln!(stdout, "{value}")?;
        } else {
            writeln!(stdout, "{value}\t{help}")?;
        }
    }
    writeln!(stdout, "{NO_FILE_COMP}")?;
    stdout.flush()?;
    Ok(Code::Ok)
}

/// The shim kubectl runs for completion: `kubectl_complete-kruise`, or with `rollout`
/// `kubectl_complete-kruise-rollout` for the binary installed as `kubectl-kruise-rollout`.
pub fn shim(rollout: bool) -> String {
    let bin = if rollout {
        "kubectl-kruise-rollout"
    } else {
        "kubectl-kruise"
    };
    format!(
        "#!/usr/bin/env sh\n# kubectl's completion of `kubectl {}`: put this file on PATH, executable.\n\
         exec {bin} __complete \"$@\"\n",
        if rollout { "kruise rollout" } else { "kruise" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(w: &[&str]) -> Vec<String> {
        w.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_word_being_completed_is_told_apart() {
        assert!(matches!(
            want(&words(&["rollout", "approve", ""])),
            Want::Target
        ));
        assert!(matches!(
            want(&words(&["rollout", "approve", "-n", ""])),
            Want::Namespace
        ));
        assert!(matches!(
            want(&words(&["rollout", "approve", "--"])),
            Want::Other
        ));
        assert!(matches!(
            want(&words(&["rollout", "status", "--timeout", ""])),
            Want::Other
        ));
        assert!(matches!(want(&words(&["rollout", "ap"])), Want::Other));
        assert_eq!(
            flag_value(
                &words(&["rollout", "-n", "shop", "x"]),
                "namespace",
                Some("-n")
            ),
            Some("shop".into())
        );
        assert_eq!(
            flag_value(&words(&["--context=prod", "x"]), "context", None),
            Some("prod".into())
        );
        assert!(shim(true).contains("exec kubectl-kruise-rollout __complete \"$@\""));
    }
}
