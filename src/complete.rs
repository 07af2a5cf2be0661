//! Completion, from one engine for every shell: kubectl's plugin protocol
//! (`kubectl-kruise __complete WORDS... CURRENT`, that of Cobra, which kubectl uses; see
//! `completions/kubectl_complete-kruise`) and the shell scripts of `completion SHELL`
//! (clap_complete's dynamic completion: the shell calls back `COMPLETE=SHELL kubectl-kruise`).
//!
//! Verbs, flags and flag values come from the command-line definition (clap_complete's
//! engine). Rollout, workload and namespace names come from the cluster through the
//! completers the definition attaches to those arguments, within a short deadline, so a slow
//! or unreachable cluster never blocks the prompt: it just adds no names.

use std::ffi::OsString;
use std::io::Write;
use std::sync::OnceLock;
use std::time::Duration;

use anyhow::Result;
use clap::CommandFactory;

use crate::cli::completers::{self, Names};
use crate::cli::{Cli, CompletionShell};
use crate::cluster::{self, ObjectApi};
use crate::exit::Code;
use crate::model::WorkloadKind;
use crate::model::batch::BatchKind;

/// The longest the cluster may take to offer names.
const DEADLINE: Duration = Duration::from_millis(1500);

/// Cobra's directive: do not fall back to file names.
const NO_FILE_COMP: &str = ":4";

/// The environment variable the shell scripts call the binary back with.
const ENV_VAR: &str = "COMPLETE";

/// The words typed so far. The engine hands a completer only the word being completed; the
/// cluster flags typed before it (`-n`, `--context`, `--kubeconfig`) say where to look.
static WORDS: OnceLock<Vec<String>> = OnceLock::new();

fn typed_words() -> Vec<String> {
    if let Some(words) = WORDS.get() {
        return words.clone();
    }
    // `COMPLETE=SHELL kubectl-kruise -- kubectl-kruise WORDS...`
    let args: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    args.iter()
        .position(|a| a == "--")
        .map(|at| args.iter().skip(at + 2).cloned().collect())
        .unwrap_or_default()
}

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

/// Let the argument completers offer names from the cluster.
pub fn install() {
    completers::set_source(from_cluster);
}

/// Names from the cluster for the word being completed, within [`DEADLINE`]; none on any
/// error.
fn from_cluster(want: Names, current: &str) -> Vec<(String, String)> {
    let words = typed_words();
    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return Vec::new();
    };
    rt.block_on(async {
        tokio::time::timeout(DEADLINE, live(&words, current, want))
            .await
            .unwrap_or_default()
    })
}

/// Names from the cluster for the word being completed.
async fn live(words: &[String], current: &str, want: Names) -> Vec<(String, String)> {
    let args = cluster::ConnectOptions {
        kubeconfig: flag_value(words, "kubeconfig", None).map(Into::into),
        context: flag_value(words, "context", None),
        namespace: flag_value(words, "namespace", Some("-n")),
        request_timeout: Some(DEADLINE),
        ..Default::default()
    };
    // A list (`a,b,`): clap completes the part after the last comma; the names before it
    // are not offered again.
    let given: Vec<&str> = words
        .last()
        .and_then(|w| w.rsplit_once(','))
        .map(|(before, _)| before.split(',').collect())
        .unwrap_or_default();
    let fresh = |names: Vec<(String, String)>| -> Vec<(String, String)> {
        names
            .into_iter()
            .filter(|(n, _)| !given.contains(&n.as_str()))
            .collect()
    };
    if want == Names::Context {
        // From the kubeconfig alone: no request.
        let (names, _) = cluster::context_names(&args).unwrap_or_default();
        return fresh(
            names
                .into_iter()
                .map(|n| (n, "context".to_string()))
                .collect(),
        );
    }
    let Ok(mut cluster) = cluster::connect(&args).await else {
        return Vec::new();
    };
    cluster.audit = false;
    match want {
        Names::Context => Vec::new(),
        Names::Member => match cluster::hub::members(&cluster).await {
            // `all` stands alone: not offered after other names.
            Ok((kind, Some(names))) => fresh(
                given
                    .is_empty()
                    .then(|| ("all".to_string(), "every member".to_string()))
                    .into_iter()
                    .chain(names.into_iter().map(|n| (n, kind.describe().to_string())))
                    .collect(),
            ),
            _ => Vec::new(),
        },
        Names::Namespace => {
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
        Names::Target => {
            // `deployment/we`: that kind's names (KubeVela's kinds too); otherwise rollouts
            // named bare, and KubeVela's rollouts in the form that names them.
            let sources: Vec<(String, ObjectApi, String)> = match current.split_once('/') {
                Some((word, _)) => {
                    if let Some(k) = WorkloadKind::from_type_word(word) {
                        vec![(
                            format!("{word}/"),
                            cluster::WorkloadApi::new(&cluster, k).object(),
                            k.kind().to_string(),
                        )]
                    } else if let Some(k) = BatchKind::from_type_word(word) {
                        vec![(
                            format!("{word}/"),
                            cluster::batch_api(&cluster, k),
                            format!("KubeVela {}", k.description()),
                        )]
                    } else {
                        return Vec::new();
                    }
                }
                None => std::iter::once((
                    String::new(),
                    ObjectApi::new(
                        &cluster,
                        cluster::rollout_resource(crate::model::ApiVersion::V1beta1),
                    ),
                    "Rollout".to_string(),
                ))
                .chain([BatchKind::AppRollout, BatchKind::TraitRollout].map(|k| {
                    (
                        format!("{}/", k.type_word()),
                        cluster::batch_api(&cluster, k),
                        format!("KubeVela {}", k.description()),
                    )
                }))
                .collect(),
            };
            // Together, within the deadline; a kind that is not served adds nothing.
            let lists = futures::future::join_all(
                sources
                    .iter()
                    .map(|(_, api, _)| async move { api.names(None, false).await }),
            )
            .await;
            sources
                .iter()
                .zip(lists)
                .flat_map(|((prefix, _, what), names)| {
                    names
                        .unwrap_or_default()
                        .into_iter()
                        .map(move |(_, n)| (format!("{prefix}{n}"), what.clone()))
                })
                .collect()
        }
    }
}

/// Answer kubectl's `__complete` for `words` (the last one being completed).
pub fn run(words: Vec<String>) -> Result<Code> {
    let mut words = words;
    if words.is_empty() {
        words.push(String::new());
    }
    let _ = WORDS.set(words.clone());
    let current = words.last().cloned().unwrap_or_default();
    let args: Vec<OsString> = std::iter::once(OsString::from("kubectl-kruise"))
        .chain(words.iter().map(OsString::from))
        .collect();
    let index = args.len() - 1;
    let candidates =
        clap_complete::engine::complete(&mut Cli::command(), args, index, None).unwrap_or_default();
    let mut stdout = std::io::stdout().lock();
    for c in candidates.into_iter().filter(|c| !c.is_hide_set()) {
        let value = c.get_value().to_string_lossy();
        // As kubectl does: flags only once a `-` is typed.
        if value.starts_with("__") || (value.starts_with('-') && !current.starts_with('-')) {
            continue;
        }
        match c.get_help().map(|h| h.to_string()) {
            Some(help) if !help.is_empty() => {
                writeln!(stdout, "{value}\t{}", help.lines().next().unwrap_or(""))?
            }
            _ => writeln!(stdout, "{value}")?,
        }
    }
    writeln!(stdout, "{NO_FILE_COMP}")?;
    stdout.flush()?;
    Ok(Code::Ok)
}

/// Answer a shell script's call back (`COMPLETE=SHELL kubectl-kruise -- WORDS`) and exit;
/// return at once when the variable is not set.
pub fn shell_callback() {
    // Every run passes here: test the variable before clap_complete collects the arguments
    // and the working directory.
    if std::env::var_os(ENV_VAR).is_none() {
        return;
    }
    clap_complete::CompleteEnv::with_factory(Cli::command)
        .var(ENV_VAR)
        .bin("kubectl-kruise")
        .completer("kubectl-kruise")
        .complete();
}

/// Print what `completion SHELL` prints.
pub fn print_script(shell: CompletionShell) -> Result<Code> {
    let mut out = std::io::stdout().lock();
    out.write_all(&script(shell))?;
    out.flush()?;
    Ok(Code::Ok)
}

/// What `completion SHELL` prints: for a shell, a registration that calls the plugin back
/// for each TAB; for `kubectl`, the shim kubectl's own completion runs.
pub fn script(shell: CompletionShell) -> Vec<u8> {
    use clap_complete::Shell;
    match shell {
        CompletionShell::Bash => registration(Shell::Bash),
        CompletionShell::Zsh => registration(Shell::Zsh),
        CompletionShell::Fish => registration(Shell::Fish),
        CompletionShell::Powershell => registration(Shell::PowerShell),
        CompletionShell::Elvish => registration(Shell::Elvish),
        CompletionShell::Kubectl => shim(false).into_bytes(),
    }
}

/// The script `completion SHELL` prints: it registers a completion function that calls
/// `kubectl-kruise` back for each TAB.
pub fn registration(shell: clap_complete::Shell) -> Vec<u8> {
    let mut buf = Vec::new();
    let name = shell.to_string();
    if let Some(sh) = clap_complete::env::Shells::builtins().completer(&name) {
        // Writing to a Vec cannot fail.
        let _ = sh.write_registration(
            ENV_VAR,
            "kubectl-kruise",
            "kubectl-kruise",
            "kubectl-kruise",
            &mut buf,
        );
    }
    buf
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
    fn cluster_flags_typed_before_the_word_are_found() {
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
        assert_eq!(flag_value(&words(&["rollout", "x"]), "context", None), None);
    }

    #[test]
    fn scripts_call_the_plugin_back() {
        assert!(shim(true).contains("exec kubectl-kruise-rollout __complete \"$@\""));
        let bash = String::from_utf8(registration(clap_complete::Shell::Bash)).unwrap();
        assert!(bash.contains("COMPLETE=\"bash\""), "{bash}");
        assert!(bash.contains("complete -o nospace"), "{bash}");
        assert!(bash.contains(" kubectl-kruise\n"), "{bash}");
    }
}
