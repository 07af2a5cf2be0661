//! The command line: clap types only. Nothing here talks to a cluster.

use std::path::PathBuf;
use std::time::Duration;

use std::ffi::OsStr;
use std::sync::OnceLock;

use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};
use clap_complete::{ArgValueCompleter, CompletionCandidate};

use crate::model::access::{PolicyApi, Subject, Verb};

mod analysis;
mod dashboard;

use analysis::{ANALYSIS_EXIT_CODES, TEMPLATE_FORMS};
pub use analysis::{AnalyzeArgs, AutopilotArgs, OnFailure, TemplateArgs, TrainPlace};
pub use dashboard::{DEFAULT_PORT, DashboardArgs};

pub use crate::model::gate::Until;

const EXIT_CODES: &str = "\
Exit codes:
  0  done, or the condition holds, or there was nothing to do
  1  error: cluster unreachable, not found, forbidden, conflict retries exhausted, ...
  2  bad command line
  3  timed out waiting
  4  the rollout failed, was cancelled, rolled back, disabled or deleted while we waited
  5  refused: the rollout is not in a state where the action applies (nothing written)
  6  an analysis was inconclusive: analyze, approve --analysis, autopilot (nothing approved)
130  interrupted (Ctrl-C): each object written whole or not at all";

const RESOURCE_FORMS: &str = "\
A rollout can be named as NAME, rollout/NAME, rollouts/NAME, `rollout NAME [NAME...]`,
rollouts.rollouts.kruise.io/NAME, or rollouts.v1alpha1.rollouts.kruise.io/NAME to pin the API
version (by default v1beta1, falling back to v1alpha1 on clusters that serve only that).";

const TARGET_FORMS: &str = "\
TARGET is a rollout (NAME, rollout/NAME, `rollout NAME`) or a workload of a kind Kruise
Rollouts controls: deployment/NAME, statefulset/NAME, daemonset/NAME, cloneset/NAME,
statefulsets.apps.kruise.io/NAME (Advanced StatefulSet, also asts/NAME),
daemonsets.apps.kruise.io/NAME (Advanced DaemonSet, also ads/NAME). `undo` and `history` of a
rollout act on its workload.";

const BULK: &str = "\
Many at once: several names, -f FILE|DIR|- (-R), -l SELECTOR, --all, -A. Each object is
read, checked and written on its own; results come one line per object in a stable order,
then a summary line on stderr. With several objects the exit code is 1 if any failed with an
error, else 4 if a rollout failed, else 3 if one timed out, else 5 if any was refused, else 0.
-o json|yaml then prints a List of {kind, namespace, name, result, message}.";

const APPROVE_EXAMPLES: &str = "Examples:
  # Approve the step rollout web waits at
  kubectl kruise rollout approve web -n shop
  # In CI: approve step 2 only (a second run does nothing), then wait until the batch is out
  kubectl kruise rollout approve web --expect-step=2 --wait=10m
  # Every rollout labelled app=web in every namespace, as JSON for a script
  kubectl kruise rollout approve -l app=web -A -o json
  # Only if the metrics say so (Argo Rollouts' AnalysisTemplate format)
  kubectl kruise rollout approve web --expect-step=2 --analysis=error-rate.yaml
  # A release train: each cluster once the one before has its next batch ready
  kubectl kruise rollout approve web --contexts=canary,eu,us --one-by-one --timeout=30m";

const ANALYZE_EXAMPLES: &str = "Examples:
  # Judge the release of rollout web by a template now: a table of each measurement
  kubectl kruise rollout analyze web --template error-rate.yaml
  # A template from the cluster, an arg, and every measurement as JSON
  kubectl kruise rollout analyze web --template analysistemplate/error-rate --arg max=0.01 -o json";

const AUTOPILOT_EXAMPLES: &str = "Examples:
  # Drive the release to its end, judging each step by the metrics; undo it if they fail
  kubectl kruise rollout autopilot web --analysis error-rate.yaml --timeout=1h
  # A stricter template for step 3, and pause (not undo) on failure
  kubectl kruise rollout autopilot web --analysis error-rate.yaml --analysis-step 3=slo.yaml --on-failure=pause
  # A release train: canary, then eu, then us, each judged by its own metrics, baked 10m
  kubectl kruise rollout autopilot web --analysis error-rate.yaml --contexts=canary,eu,us --one-by-one --bake=10m";

const PAUSE_EXAMPLES: &str = "Examples:
  # Stop a release at the step it is on
  kubectl kruise rollout pause web -n shop
  # Pause the rollout of a workload (its Kruise Rollout, or the workload itself)
  kubectl kruise rollout pause deployment/web
  # See what would be written, without writing it
  kubectl kruise rollout pause web --dry-run=server -o yaml";

const RESUME_EXAMPLES: &str = "Examples:
  # Let a paused release go on
  kubectl kruise rollout resume web -n shop
  # Every paused rollout the file names
  kubectl kruise rollout resume -f rollouts.yaml";

const RESTART_EXAMPLES: &str = "Examples:
  # Restart the pods of a Deployment (through its release, when a Kruise Rollout drives it)
  kubectl kruise rollout restart deployment/web
  # The workload of a rollout
  kubectl kruise rollout restart web -n shop";

const UNDO_EXAMPLES: &str = "Examples:
  # Roll the release back: every batch to the stable revision
  kubectl kruise rollout undo web -n shop
  # Back to a revision from `history`
  kubectl kruise rollout undo deployment/web --to-revision=3
  # Step back to the last step that sends no traffic to the new version (v0.6+)
  kubectl kruise rollout undo web --fast";

const STATUS_EXAMPLES: &str = "Examples:
  # Where the release stands, and what to do next
  kubectl kruise rollout status web -n shop
  # Follow it until it completes, waits for approval or fails
  kubectl kruise rollout status web --watch
  # In CI: wait until step 2 waits for approval (exit 3 after 10 minutes, 4 if it fails)
  kubectl kruise rollout status web --until=step=2 --timeout=10m
  # A gate over several clusters: every one must get there; the first that cannot fails it
  kubectl kruise rollout status web --until=completed --contexts=eu,us --timeout=30m
  # As kubectl rollout status does, for a workload
  kubectl kruise rollout status deployment/web";

const HISTORY_EXAMPLES: &str = "Examples:
  # The revisions of a rollout's workload, stable and canary marked
  kubectl kruise rollout history web -n shop
  # Of a workload, as JSON
  kubectl kruise rollout history deployment/web -o json";

const LIST_EXAMPLES: &str = "Examples:
  # Every release in the namespace, and what each waits for
  kubectl kruise rollout list
  # In every namespace, those labelled team=shop
  kubectl kruise rollout list -A -l team=shop
  # A live view that puts what needs a person first
  kubectl kruise rollout list -A --watch
  # In every kubeconfig context, or every member cluster of a KubeVela or Karmada hub
  kubectl kruise rollout list -A --all-contexts
  kubectl kruise rollout list --member-clusters=all -o json";

/// `kubectl kruise options`: the global flags, which every other help leaves out.
pub fn global_options_help() -> String {
    let cmd = clap::Command::new("options")
        .bin_name("kubectl kruise")
        .override_usage("kubectl kruise [options] COMMAND ...")
        .disable_help_flag(true);
    // After the flags: their struct's doc would otherwise replace this line.
    ClusterArgs::augment_args(cmd)
        .mut_args(|a| a.hide(false).global(false))
        .about("The following options can be passed to any command:")
        .render_long_help()
        .to_string()
}

/// Where the global flags are, as `kubectl options` is for kubectl.
const GLOBAL_FLAGS: &str =
    "Global flags (--kubeconfig, --context, --contexts, -n, ...): `kubectl kruise options`";

/// The one line that points every verb's help at the pages they share.
const SEE_ALSO: &str = "\
Targets, many at once, many clusters, exit codes: kubectl kruise help targets|clusters|exit-codes";

/// The pages `kubectl kruise help TOPIC` prints: what every verb shares, said once.
pub const TOPICS: &[(&str, &str)] = &[
    (
        "targets",
        "What a command acts on: names, types, files, selectors; many at once",
    ),
    (
        "clusters",
        "One command in several clusters: contexts, hub members, release trains",
    ),
    (
        "exit-codes",
        "What each exit code means, for one object and for many",
    ),
    (
        "analysis",
        "Analysis templates: where they come from, args, the analysis exit codes",
    ),
];

const CLUSTERS: &str = "\
Any command runs in several clusters with --contexts a,b (repeatable), --all-contexts, or
--member-clusters a,b|all (the members of a KubeVela ClusterGateway or Karmada hub, reached
through the hub's proxy path); --max-clusters-in-flight N (8) bounds how many at once.
Each cluster runs the command exactly as alone: every line it prints is tagged [cluster],
-o json|yaml is one List whose items carry `cluster`, `list` is one table with a CLUSTER
column, and a summary line on stderr counts every cluster. The exit code is the most severe
(as for many objects). `approve --one-by-one` is a release train: the next cluster is
approved once the one before has taken the step and its next batch is ready; it stops at
the first that fails (4) or times out (3), leaving the later ones untouched.";

const MANY_EXIT_CODES: &str = "\
With several objects or clusters: 1 if any errored, else 4, else 3, else 6, else 5, else 0.";

/// Every topic, for the man page of `help`.
fn all_topics() -> String {
    TOPICS
        .iter()
        .filter_map(|(t, _)| topic(t).map(|text| format!("{}:\n{text}", t.to_uppercase())))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// The text of a help topic, or None for a word that names none.
pub fn topic(name: &str) -> Option<String> {
    Some(match name {
        "targets" => format!("{RESOURCE_FORMS}\n\n{TARGET_FORMS}\n\n{BULK}"),
        "topics" => TOPICS
            .iter()
            .map(|(t, what)| format!("  {t:<12}{what}"))
            .collect::<Vec<_>>()
            .join("\n"),
        "clusters" => CLUSTERS.to_string(),
        "exit-codes" => format!("{EXIT_CODES}\n\n{MANY_EXIT_CODES}"),
        "analysis" => format!("{TEMPLATE_FORMS}\n\n{ANALYSIS_EXIT_CODES}"),
        _ => return None,
    })
}

/// The command line as `main` parses it: every verb's `-h` and `--help` print one compact
/// page (clap's long form puts a blank line between every flag and runs past a screen): the
/// summary, the verb's explanation, the flags one per line, examples, and one line pointing
/// at the shared topics. Man pages keep the long form (`Cli::command()`).
pub fn command() -> clap::Command {
    fn compact(cmd: clap::Command) -> clap::Command {
        let explanation = cmd.get_long_about().map(|l| {
            let text = l.to_string();
            let rest = text.split_once("\n\n").map_or("", |(_, rest)| rest);
            rest.trim().to_string()
        });
        let mut cmd = cmd
            .disable_help_flag(true)
            .arg(
                clap::Arg::new("help")
                    .short('h')
                    .long("help")
                    .action(ArgAction::HelpShort)
                    .help_heading(None::<&str>)
                    .help("Print help"),
            )
            .help_template(
                "{about-with-newline}\n{usage-heading} {usage}\n\n{all-args}{after-help}",
            );
        // The explanation between the summary and the usage (clap ends it with a blank line).
        if let Some(e) = explanation.filter(|e| !e.is_empty()) {
            cmd = cmd.before_help(format!("\n{e}")).help_template(
                "{about-with-newline}{before-help}{usage-heading} {usage}\n\n{all-args}{after-help}",
            );
        }
        let names: Vec<String> = cmd
            .get_subcommands()
            .map(|s| s.get_name().to_string())
            .collect();
        for name in names {
            cmd = cmd.mut_subcommand(name, compact);
        }
        cmd
    }
    compact(<Cli as clap::CommandFactory>::command())
}

/// The examples of each rollout verb, for its man page.
pub fn examples(verb: &str) -> Option<&'static str> {
    Some(match verb {
        "approve" => APPROVE_EXAMPLES,
        "pause" => PAUSE_EXAMPLES,
        "resume" => RESUME_EXAMPLES,
        "restart" => RESTART_EXAMPLES,
        "undo" => UNDO_EXAMPLES,
        "status" => STATUS_EXAMPLES,
        "history" => HISTORY_EXAMPLES,
        "list" => LIST_EXAMPLES,
        "analyze" => ANALYZE_EXAMPLES,
        "autopilot" => AUTOPILOT_EXAMPLES,
        "grant" => ACCESS_EXAMPLES,
        "check" => ACCESS_EXAMPLES,
        _ => return None,
    })
}

/// Progressive delivery with OpenKruise Rollouts, from kubectl.
#[derive(Debug, Parser)]
#[command(
    name = "kubectl-kruise",
    bin_name = "kubectl kruise",
    version,
    about,
    after_help = format!("{EXIT_CODES}\n\nTopics: kubectl kruise help targets|clusters|exit-codes|analysis"),
    propagate_version = true,
    disable_help_subcommand = true
)]
pub struct Cli {
    #[command(flatten)]
    pub cluster: ClusterArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// How to reach the cluster: the same flags as kubectl, placed after `kubectl kruise`.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Cluster options")]
pub struct ClusterArgs {
    /// Path to the kubeconfig file (default: $KUBECONFIG, a list merged as kubectl does, then ~/.kube/config)
    #[arg(long, global = true, hide = true, value_name = "PATH")]
    pub kubeconfig: Option<PathBuf>,

    /// The kubeconfig context to use
    #[arg(long, global = true, hide = true, value_name = "NAME")]
    pub context: Option<String>,

    /// The kubeconfig cluster to use
    #[arg(long, global = true, hide = true, value_name = "NAME")]
    pub cluster: Option<String>,

    /// The kubeconfig user to use
    #[arg(long, global = true, hide = true, value_name = "NAME")]
    pub user: Option<String>,

    /// Namespace (default: the context's namespace, then "default")
    #[arg(short = 'n', long, global = true, hide = true, value_name = "NAMESPACE", add = ArgValueCompleter::new(completers::namespaces))]
    pub namespace: Option<String>,

    /// How long to wait for one API request, e.g. 10s, 1m; 0 waits forever
    #[arg(long, global = true, hide = true, value_name = "DURATION", value_parser = parse_duration)]
    pub request_timeout: Option<Duration>,

    /// The address of the API server, instead of the kubeconfig's
    #[arg(short = 's', long, global = true, hide = true, value_name = "URL")]
    pub server: Option<String>,

    /// Bearer token for authentication to the API server
    #[arg(long, global = true, hide = true, value_name = "TOKEN")]
    pub token: Option<String>,

    /// Path to a CA certificate file for the API server's certificate
    #[arg(long, global = true, hide = true, value_name = "PATH")]
    pub certificate_authority: Option<PathBuf>,

    /// Path to a client certificate file for TLS
    #[arg(long, global = true, hide = true, value_name = "PATH")]
    pub client_certificate: Option<PathBuf>,

    /// Path to a client key file for TLS
    #[arg(long, global = true, hide = true, value_name = "PATH")]
    pub client_key: Option<PathBuf>,

    /// Do not verify the API server's certificate (insecure)
    #[arg(long, global = true, hide = true, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_name = "BOOL")]
    pub insecure_skip_tls_verify: Option<bool>,

    /// Server name to verify the API server's certificate against, instead of its host
    #[arg(long, global = true, hide = true, value_name = "NAME")]
    pub tls_server_name: Option<String>,

    /// Act as this user (impersonation)
    #[arg(long = "as", global = true, hide = true, value_name = "USER")]
    pub as_user: Option<String>,

    /// Act as a member of this group (impersonation; repeat for several)
    #[arg(long = "as-group", global = true, hide = true, value_name = "GROUP")]
    pub as_group: Vec<String>,

    /// Act as this user UID (impersonation)
    #[arg(long = "as-uid", global = true, hide = true, value_name = "UID")]
    pub as_uid: Option<String>,

    /// Log requests on stderr as kubectl does: 6 method, URL, status and latency; 7 also
    /// request headers; 8 also bodies. Credentials are always redacted
    #[arg(
        short = 'v',
        long = "v",
        global = true,
        hide = true,
        value_name = "LEVEL",
        default_value_t = 0,
        hide_default_value = true
    )]
    pub verbosity: u8,

    /// Treat warnings the API server sends as errors (exit 1)
    #[arg(long, global = true, hide = true, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value_t = false, action = ArgAction::Set, value_name = "BOOL", hide_default_value = true, hide_possible_values = true)]
    pub warnings_as_errors: bool,

    /// Ask the API server for uncompressed answers (also the kubeconfig cluster's
    /// `disable-compression: true`): for a fast link to a busy server
    #[arg(long, global = true, hide = true, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_name = "BOOL")]
    pub disable_compression: Option<bool>,

    /// Run the command in each of these kubeconfig contexts (comma-separated, repeatable),
    /// concurrently; each with its own credentials and namespace unless -n or -A is given
    #[arg(long, global = true, hide = true, value_name = "CONTEXT[,CONTEXT...]", value_delimiter = ',', add = ArgValueCompleter::new(completers::contexts))]
    pub contexts: Vec<String>,

    /// Run the command in every context of the kubeconfig
    #[arg(long, global = true, hide = true)]
    pub all_contexts: bool,

    /// Run the command in these member clusters of the current context's hub, reached
    /// through it (KubeVela's ClusterGateway or Karmada); `all` for every member
    #[arg(long, global = true, hide = true, value_name = "NAME[,NAME...]|all", value_delimiter = ',', add = ArgValueCompleter::new(completers::members))]
    pub member_clusters: Vec<String>,

    /// With several clusters: how many are reached at once
    #[arg(long, global = true, hide = true, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..))]
    pub max_clusters_in_flight: u16,
}

impl ClusterArgs {
    /// The command runs in several clusters (contexts or hub members).
    pub fn many_clusters(&self) -> bool {
        !self.contexts.is_empty() || self.all_contexts || !self.member_clusters.is_empty()
    }
}

#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Manage Kruise Rollouts and their workloads: approve, pause, resume, undo, restart,
    /// status, history, list, analyze, autopilot, access
    #[command(subcommand)]
    Rollout(Box<RolloutCommand>),

    /// Serve a live web page of every release in every cluster, with the same verbs (on
    /// loopback, opened only with the session's secret in the URL it prints)
    ///
    /// The first line printed is the URL to open; on a terminal a browser opens it unless
    /// --no-browser. The page lists every release (the `rollout list` columns, what needs a
    /// person first), each release's steps, pods, traffic, revisions, conditions and Events,
    /// and offers Approve, Pause, Resume, Undo and Restart as the CLI runs them (each asks
    /// first and shows the command line). Ctrl-C stops it (exit 130).
    #[command(after_help = "Examples:
  # Every release the current context can see
  kubectl kruise dashboard
  # Three clusters, read-only, on a port of its own
  kubectl kruise dashboard --contexts prod-eu,prod-us,staging --read-only --port 0")]
    Dashboard(DashboardArgs),

    /// Print a help topic (targets, clusters, exit-codes, analysis) or a command's help
    #[command(after_long_help = all_topics())]
    Help {
        /// A topic, or the words of a command (`rollout approve`)
        #[arg(value_name = "TOPIC|COMMAND")]
        words: Vec<String>,
    },

    /// Print a completion script: for a shell (bash, zsh, fish, powershell, elvish; e.g.
    /// `source <(kubectl kruise completion bash)`), or `kubectl`: the
    /// `kubectl_complete-kruise` program kubectl's own TAB completion runs from PATH
    Completion {
        #[arg(value_enum)]
        shell: CompletionShell,
    },

    /// kubectl's plugin completion protocol: candidates for the last word (see
    /// `completions/kubectl_complete-kruise`)
    #[command(name = "__complete", hide = true)]
    Complete {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0..)]
        words: Vec<String>,
    },

    /// Print the flags every command takes (the kubeconfig, context, namespace, credentials,
    /// request logs), as `kubectl options` does
    Options,

    /// Print the plugin's version
    Version {
        /// Print it as a document for scripts: {"name": ..., "version": ...}
        #[arg(short = 'o', long, value_enum, value_name = "FORMAT")]
        output: Option<DataFormat>,
    },
}

#[derive(Debug, Clone, Subcommand)]
pub enum RolloutCommand {
    /// Approve the step a rollout is paused at, so it moves on to the next batch
    ///
    /// Acts only when the current step waits for approval (StepPaused). The write goes to the
    /// status subresource and carries the resourceVersion that was read; if the rollout changed
    /// in between, it is read again, checked again and retried, never overwritten blindly.
    ///
    /// For CI gates: --expect-step=N approves step N only (a second run is a no-op), and
    /// --wait then waits until the controller has moved past it, approving again if the
    /// controller overwrote the approval. --to-step=N moves the release to step N
    /// (Kruise Rollouts v0.6+).
    #[command(after_help = format!("{APPROVE_EXAMPLES}\n\n{SEE_ALSO}\n{GLOBAL_FLAGS}"), after_long_help = format!("{APPROVE_EXAMPLES}\n\n{RESOURCE_FORMS}\n\n{BULK}\n\n{EXIT_CODES}\n\n{GLOBAL_FLAGS}"))]
    Approve(ApproveArgs),

    /// Pause a rollout (the controller stops moving to the next step) or a workload's rollout
    #[command(after_help = format!("{PAUSE_EXAMPLES}\n\n{SEE_ALSO}\n{GLOBAL_FLAGS}"), after_long_help = format!("{PAUSE_EXAMPLES}\n\n{TARGET_FORMS}\n\n{BULK}\n\n{EXIT_CODES}\n\n{GLOBAL_FLAGS}"))]
    Pause(WriteArgs),

    /// Resume a paused rollout or workload
    #[command(after_help = format!("{RESUME_EXAMPLES}\n\n{SEE_ALSO}\n{GLOBAL_FLAGS}"), after_long_help = format!("{RESUME_EXAMPLES}\n\n{TARGET_FORMS}\n\n{BULK}\n\n{EXIT_CODES}\n\n{GLOBAL_FLAGS}"))]
    Resume(WriteArgs),

    /// Restart the pods of a workload (or of a rollout's workload) with a new rollout
    ///
    /// Deployments, StatefulSets and DaemonSets get kubectl's `restartedAt` pod-template
    /// annotation. CloneSets and the Advanced kinds can update pods in place, and an in-place
    /// update applies a metadata change without restarting any container, so they also get a
    /// `RESTARTED_AT` env var in every container, which cannot be updated in place: each pod
    /// is recreated. Under a Kruise Rollout a restart is a new release through its steps.
    #[command(after_help = format!("{RESTART_EXAMPLES}\n\n{SEE_ALSO}\n{GLOBAL_FLAGS}"), after_long_help = format!("{RESTART_EXAMPLES}\n\n{TARGET_FORMS}\n\n{BULK}\n\n{EXIT_CODES}\n\n{GLOBAL_FLAGS}"))]
    Restart(WriteArgs),

    /// Roll a release back: every batch returns to the version before the release
    ///
    /// Puts the workload's pod template back to the stable revision of the release (from the
    /// rollout's status, else the workload's `rollouts.kruise.io/stable-revision` label, else
    /// the previous revision); the controller then cancels the release and routes traffic back.
    /// Replicas, strategy, `paused` and the controller's annotations and labels are kept. The
    /// write carries the resourceVersion that was read.
    ///
    /// With --fast, the release instead steps back to the latest earlier step that sends no
    /// traffic to the new version (Kruise Rollouts v0.6+).
    #[command(after_help = format!("{UNDO_EXAMPLES}\n\n{SEE_ALSO}\n{GLOBAL_FLAGS}"), after_long_help = format!("{UNDO_EXAMPLES}\n\n{TARGET_FORMS}\n\n{EXIT_CODES}\n\n{GLOBAL_FLAGS}"))]
    Undo(UndoArgs),

    /// Show where a release stands: phase, current step, batch progress, steps
    ///
    /// For a workload: updated, ready and available pods of the desired count, as
    /// `kubectl rollout status` shows them, and the rollout that drives it, if any.
    ///
    /// For CI gates: --until=paused|step=N|completed follows the rollout until the condition
    /// holds (exit 0), fails fast when it no longer can (cancelled, rolled back, disabled,
    /// deleted: exit 4), or gives up after --timeout (exit 3). A status the controller has
    /// not yet reconciled with the current spec, workload generation and rollout-id counts as
    /// progressing, never as paused or completed. With several targets it waits for all of
    /// them and fails as soon as one fails.
    #[command(after_help = format!("{STATUS_EXAMPLES}\n\n{SEE_ALSO}\n{GLOBAL_FLAGS}"), after_long_help = format!("{STATUS_EXAMPLES}\n\n{TARGET_FORMS}\n\n{BULK}\n\n{EXIT_CODES}\n\n{GLOBAL_FLAGS}"))]
    Status(StatusArgs),

    /// Show a workload's revisions, the stable and the canary revision of the release marked
    #[command(after_help = format!("{HISTORY_EXAMPLES}\n\n{SEE_ALSO}\n{GLOBAL_FLAGS}"), after_long_help = format!("{HISTORY_EXAMPLES}\n\n{TARGET_FORMS}\n\n{EXIT_CODES}\n\n{GLOBAL_FLAGS}"))]
    History(HistoryArgs),

    /// List rollouts with their current step and batch progress
    #[command(visible_alias = "ls", after_help = format!("{LIST_EXAMPLES}\n\n{SEE_ALSO}\n{GLOBAL_FLAGS}"), after_long_help = format!("{LIST_EXAMPLES}\n\n{EXIT_CODES}\n\n{GLOBAL_FLAGS}"))]
    List(ListArgs),

    /// Judge a release by its metrics now: run an analysis template (Argo Rollouts' format)
    ///
    /// Measures each metric on the template's schedule (initialDelay, interval, count) and
    /// judges it by its successCondition and failureCondition, as Argo's analysis does: a
    /// table of metric x measurement, then the verdict. Changes nothing on the rollout; the
    /// verdict is recorded as an Event on it.
    #[command(after_help = format!("{ANALYZE_EXAMPLES}\n\n{SEE_ALSO}\n{GLOBAL_FLAGS}"), after_long_help = format!("{ANALYZE_EXAMPLES}\n\n{TEMPLATE_FORMS}\n\n{ANALYSIS_EXIT_CODES}\n\n{GLOBAL_FLAGS}"))]
    Analyze(AnalyzeArgs),

    /// Drive a release to its end by its metrics: at each step that waits for approval,
    /// analyse, then approve exactly that step, or undo / pause on failure
    ///
    /// Watches the rollout (no polling) until a step waits for approval, runs the step's
    /// analysis, and approves that step only when it is Successful; steps that move on by
    /// themselves are left to the controller. Ends when the release completes (exit 0). A
    /// Failed analysis undoes the release (--on-failure=undo, the default), pauses it, or
    /// leaves it, and exits 4; an Inconclusive one stops with exit 6 and an analysis that
    /// could not measure with exit 1, both leaving the step waiting for a person. Ctrl-C
    /// stops between writes (130).
    #[command(after_help = format!("{AUTOPILOT_EXAMPLES}\n\n{SEE_ALSO}\n{GLOBAL_FLAGS}"), after_long_help = format!("{AUTOPILOT_EXAMPLES}\n\n{TEMPLATE_FORMS}\n\n{ANALYSIS_EXIT_CODES}\n\n{GLOBAL_FLAGS}"))]
    Autopilot(AutopilotArgs),

    /// Least privilege: grant an identity the verbs it needs on named rollouts and nothing
    /// more, and check who may run which verb
    #[command(subcommand)]
    Access(AccessCommand),
}

impl RolloutCommand {
    /// The document format `-o` asks for, if any (not `-o name`).
    pub fn documents(&self) -> Option<DataFormat> {
        let object = |o: Option<ObjectFormat>| match o {
            Some(ObjectFormat::Json) => Some(DataFormat::Json),
            Some(ObjectFormat::Yaml) => Some(DataFormat::Yaml),
            _ => None,
        };
        match self {
            RolloutCommand::Approve(a) => object(a.output),
            RolloutCommand::Pause(a) | RolloutCommand::Resume(a) | RolloutCommand::Restart(a) => {
                object(a.output)
            }
            RolloutCommand::Undo(a) => object(a.output),
            RolloutCommand::List(a) => object(a.output),
            RolloutCommand::History(a) => a.output,
            RolloutCommand::Status(a) => a.output,
            RolloutCommand::Analyze(a) => a.output,
            RolloutCommand::Autopilot(a) => a.output,
            RolloutCommand::Access(AccessCommand::Grant(a)) => a.output,
            RolloutCommand::Access(AccessCommand::Check(a)) => a.output,
        }
    }
}

#[derive(Debug, Clone, Subcommand)]
pub enum AccessCommand {
    /// Print (or --apply) a Role, RoleBinding and admission policy that let SUBJECT run VERBS
    /// on the named rollouts and nothing else
    ///
    /// The Role holds exactly the requests the chosen verbs make (the plugin's own inventory
    /// of them), scoped to the rollouts and their workloads by resourceNames. RBAC cannot
    /// narrow `patch rollouts/status` to one field, so for approve a ValidatingAdmissionPolicy
    /// lets the identity's status writes do the approval only (currentStepState StepPaused ->
    /// StepReady; nextStepIndex too with --to-step). For KubeVela's AppRollouts and trait
    /// Rollouts, it allows batchPartition one above what it was. The policy API follows the
    /// server's version: admissionregistration.k8s.io/v1 from Kubernetes 1.30, v1beta1 on
    /// 1.28-1.29 (with its feature gate).
    #[command(after_help = format!("{ACCESS_EXAMPLES}\n\n{GLOBAL_FLAGS}"), after_long_help = format!("{ACCESS_EXAMPLES}\n\n{GLOBAL_FLAGS}"))]
    Grant(GrantArgs),

    /// Check which verbs an identity may run on rollouts: a table of verb x rollout, and for
    /// each refusal the rule that is missing
    ///
    /// Asks the API server (one access review per request the verb makes) about your own
    /// identity (with --as, the impersonated one), or about --subject (which needs the right
    /// to create SubjectAccessReviews). Exit 0 when every verb asked for is allowed on every
    /// rollout, 1 otherwise (as `kubectl auth can-i`).
    #[command(after_help = format!("{ACCESS_EXAMPLES}\n\n{GLOBAL_FLAGS}"), after_long_help = format!("{ACCESS_EXAMPLES}\n\n{GLOBAL_FLAGS}"))]
    Check(CheckArgs),
}

const ACCESS_EXAMPLES: &str = "Examples:
  # A CI bot that may approve the steps of rollout web, and see its status
  kubectl kruise rollout access grant web --subject serviceaccount:shop:ci-bot -n shop
  # Review, then apply (or have the API server check them with --dry-run=server)
  kubectl kruise rollout access grant web --subject serviceaccount:shop:ci-bot -n shop --apply
  # What may the bot do?
  kubectl kruise rollout access check web -n shop --as system:serviceaccount:shop:ci-bot";

/// Which rollouts access is about: names, or a label selector, or all in the namespace.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Rollouts")]
pub struct AccessTargets {
    /// Rollouts: NAME, rollout/NAME, approllout/NAME, rollouts.standard.oam.dev/NAME
    #[arg(value_name = "ROLLOUT", add = ArgValueCompleter::new(completers::targets))]
    pub rollouts: Vec<String>,

    /// The rollouts matching this label selector (their names, as they are now)
    #[arg(short = 'l', long, value_name = "SELECTOR", conflicts_with_all = ["rollouts", "all"])]
    pub selector: Option<String>,

    /// Every rollout of the namespace, now and later (rules without resourceNames)
    #[arg(long, conflicts_with = "rollouts", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value_t = false, action = ArgAction::Set, value_name = "BOOL", hide_default_value = true, hide_possible_values = true)]
    pub all: bool,
}

#[derive(Debug, Clone, Args)]
pub struct GrantArgs {
    /// Who is granted: user:NAME, group:NAME or serviceaccount:NAMESPACE:NAME (repeat for several)
    #[arg(long = "subject", required = true, value_name = "SUBJECT", value_parser = parse_subject)]
    pub subjects: Vec<Subject>,

    /// The verbs granted, comma-separated: approve, pause, resume, undo, restart, status, history, list
    #[arg(long, value_delimiter = ',', default_value = "approve,status", value_parser = parse_verb)]
    pub verbs: Vec<Verb>,

    /// Also allow step jumps (approve --to-step, undo --fast): writes of nextStepIndex
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value_t = false, action = ArgAction::Set, value_name = "BOOL", hide_default_value = true, hide_possible_values = true)]
    pub to_step: bool,

    /// Leave out `create events`: the identity's changes then leave no audit Event
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value_t = false, action = ArgAction::Set, value_name = "BOOL", hide_default_value = true, hide_possible_values = true)]
    pub no_event: bool,

    /// The name of the Role, RoleBinding and policies (default: kubectl-kruise-SUBJECT)
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,

    /// The ValidatingAdmissionPolicy API version, v1 or v1beta1, instead of asking the server
    #[arg(long, value_name = "VERSION", value_parser = parse_policy_api)]
    pub policy_api: Option<PolicyApi>,

    /// No admission policy: the Role alone lets a granted status write change any status field
    #[arg(long, conflicts_with = "policy_api", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value_t = false, action = ArgAction::Set, value_name = "BOOL", hide_default_value = true, hide_possible_values = true)]
    pub no_policy: bool,

    /// Write the manifests to the cluster (create them, or update what is there)
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value_t = false, action = ArgAction::Set, value_name = "BOOL", hide_default_value = true, hide_possible_values = true)]
    pub apply: bool,

    /// With --apply: `server` has the API server check each write without storing it,
    /// `client` only says what would be written
    #[arg(long, value_enum, value_name = "MODE", requires = "apply", num_args = 0..=1, require_equals = true, default_missing_value = "client")]
    pub dry_run: Option<DryRun>,

    /// Print the manifests as yaml (default) or json (a List)
    #[arg(
        short = 'o',
        long,
        value_enum,
        value_name = "FORMAT",
        conflicts_with = "apply"
    )]
    pub output: Option<DataFormat>,

    #[command(flatten)]
    pub targets: AccessTargets,
}

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// The verbs to check, comma-separated (default: all)
    #[arg(long, value_delimiter = ',', value_parser = parse_verb)]
    pub verbs: Vec<Verb>,

    /// Check this identity (user:NAME, group:NAME, serviceaccount:NAMESPACE:NAME) instead of
    /// your own
    #[arg(long, value_name = "SUBJECT", value_parser = parse_subject)]
    pub subject: Option<Subject>,

    /// Also check step jumps (approve --to-step, undo --fast)
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value_t = false, action = ArgAction::Set, value_name = "BOOL", hide_default_value = true, hide_possible_values = true)]
    pub to_step: bool,

    /// Print the table for scripts: json or yaml
    #[arg(short = 'o', long, value_enum, value_name = "FORMAT")]
    pub output: Option<DataFormat>,

    #[command(flatten)]
    pub targets: AccessTargets,
}

fn parse_subject(s: &str) -> Result<Subject, String> {
    Subject::parse(s)
}

fn parse_verb(s: &str) -> Result<Verb, String> {
    Verb::parse(s)
}

fn parse_policy_api(s: &str) -> Result<PolicyApi, String> {
    PolicyApi::parse(s)
}

/// Which objects a verb acts on: named, from files, or by label selector.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Targets")]
pub struct TargetArgs {
    /// The targets: NAME or TYPE/NAME, `TYPE NAME...`, or a TYPE with -l/--all/-A
    #[arg(value_name = "TARGET", add = ArgValueCompleter::new(completers::targets))]
    pub resources: Vec<String>,

    /// Files (YAML or JSON, multi-document, List), directories or `-` for stdin naming the
    /// objects; each is read again from the server before acting
    #[arg(short = 'f', long = "filename", value_name = "FILE", conflicts_with_all = ["selector", "all", "all_namespaces"])]
    pub filenames: Vec<String>,

    /// With -f DIR: also read the directories below it
    #[arg(short = 'R', long, requires = "filenames", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value_t = false, action = ArgAction::Set, value_name = "BOOL", hide_default_value = true, hide_possible_values = true)]
    pub recursive: bool,

    /// Only objects matching this label selector (kubectl's syntax: a=b, a!=b, a in (x,y),
    /// a notin (x), a, !a)
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub selector: Option<String>,

    /// Every object of the type in the namespace
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value_t = false, action = ArgAction::Set, value_name = "BOOL", hide_default_value = true, hide_possible_values = true)]
    pub all: bool,

    /// Every object of the type in every namespace (narrowed by -l)
    #[arg(short = 'A', long, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value_t = false, action = ArgAction::Set, value_name = "BOOL", hide_default_value = true, hide_possible_values = true)]
    pub all_namespaces: bool,

    /// Every rollout of this KubeVela Application: its trait Rollouts, its Kruise Rollouts
    /// and the AppRollouts of its revisions (also `application/APP`)
    #[arg(long, value_name = "APP")]
    pub app: Option<String>,
}

/// How a write is made: dry run, who makes it, and whether it leaves an Event.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Write options")]
pub struct WriteFlags {
    /// Only show what would change: `client` sends no write, `server` has the API server
    /// check the write without storing it. Nothing is changed either way
    #[arg(
        long = "dry-run",
        value_enum,
        value_name = "STRATEGY",
        num_args = 0..=1,
        require_equals = true,
        default_value = "none",
        default_missing_value = "client",
        hide_default_value = true
    )]
    pub dry_run: DryRun,

    /// The name recorded as the writer in the object's managedFields
    #[arg(long, value_name = "NAME", default_value = "kubectl-kruise")]
    pub field_manager: String,

    /// Do not record a Kubernetes Event for the change on the object
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value_t = false, action = ArgAction::Set, value_name = "BOOL", hide_default_value = true, hide_possible_values = true)]
    pub no_event: bool,
}

// Flattened groups come last: a group's help heading also covers the flags after it.
#[derive(Debug, Clone, Args)]
pub struct WriteArgs {
    /// Print the updated object instead of a one-line result (a List of results for several)
    #[arg(short = 'o', long, value_enum, value_name = "FORMAT")]
    pub output: Option<ObjectFormat>,

    #[command(flatten)]
    pub write: WriteFlags,

    #[command(flatten)]
    pub targets: TargetArgs,
}

#[derive(Debug, Clone, Args)]
pub struct ApproveArgs {
    /// Approve step N only: done or past it is nothing to do (exit 0); an earlier step, or N
    /// not yet waiting, is refused (exit 5)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i64).range(1..))]
    pub expect_step: Option<i64>,

    /// Then wait until the controller has moved past the step (approving again if it
    /// overwrote the approval); a limit such as 10m (exit 3)
    #[arg(
        long,
        value_name = "DURATION",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "0",
        value_parser = parse_duration
    )]
    pub wait: Option<Duration>,

    /// With several clusters: a release train, one cluster after another
    ///
    /// Approve in the first cluster, wait until its controller has taken the step and that
    /// batch is ready, then the next cluster, in the order given; stop at the first that
    /// fails (exit 4) or times out (exit 3), leaving the later ones untouched
    #[arg(long, conflicts_with_all = ["wait", "to_step"])]
    pub one_by_one: bool,

    /// --one-by-one: the time each cluster has (exit 3; 0: no limit)
    ///
    /// How long each cluster may take to take the step and make its next batch ready; 0, the
    /// default, waits as long as it takes
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "0", hide_default_value = true, requires = "one_by_one")]
    pub timeout: Duration,

    /// Move the release to step N, forward or back, by writing nextStepIndex (Kruise
    /// Rollouts v0.6+; refused on older controllers)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i64).range(1..), conflicts_with_all = ["expect_step", "wait"])]
    pub to_step: Option<i64>,

    /// Approve only when this analysis template says so (repeatable): FILE, -,
    /// analysistemplate/NAME or clusteranalysistemplate/NAME. Failed (exit 4) or
    /// Inconclusive (exit 6) writes nothing
    #[arg(long = "analysis", value_name = "TEMPLATE", conflicts_with = "to_step")]
    pub analysis: Vec<String>,

    #[command(flatten)]
    pub template: TemplateArgs,

    /// Print the updated object instead of a one-line result (a List of results for several)
    #[arg(short = 'o', long, value_enum, value_name = "FORMAT")]
    pub output: Option<ObjectFormat>,

    #[command(flatten)]
    pub write: WriteFlags,

    #[command(flatten)]
    pub targets: TargetArgs,
}

#[derive(Debug, Clone, Args)]
pub struct UndoArgs {
    /// The rollout (NAME, rollout/NAME) or its workload (deployment/NAME, cloneset/NAME, ...)
    #[arg(required = true, value_name = "TARGET", num_args = 1..=2, add = ArgValueCompleter::new(completers::targets))]
    pub resource: Vec<String>,

    /// Restore this revision (see `rollout history`) instead of the stable one
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i64).range(1..), conflicts_with = "fast")]
    pub to_revision: Option<i64>,

    /// Step the release back to the latest earlier step without traffic (writes the
    /// rollout's nextStepIndex; Kruise Rollouts v0.6+) instead of restoring the template
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value_t = false, action = ArgAction::Set, value_name = "BOOL", hide_default_value = true, hide_possible_values = true)]
    pub fast: bool,

    /// Print the updated object instead of a one-line result
    #[arg(short = 'o', long, value_enum, value_name = "FORMAT")]
    pub output: Option<ObjectFormat>,

    #[command(flatten)]
    pub write: WriteFlags,
}

#[derive(Debug, Clone, Args)]
pub struct HistoryArgs {
    /// The rollout (NAME, rollout/NAME) or its workload (deployment/NAME, cloneset/NAME, ...)
    #[arg(required = true, value_name = "TARGET", num_args = 1..=2, add = ArgValueCompleter::new(completers::targets))]
    pub resource: Vec<String>,

    /// Show one revision in full, with its pod template
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i64).range(1..))]
    pub revision: Option<i64>,

    /// Print the history for scripts instead of a table
    #[arg(short = 'o', long, value_enum, value_name = "FORMAT")]
    pub output: Option<DataFormat>,
}

/// Where completion is wanted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
    Powershell,
    Elvish,
    /// kubectl's plugin completion: the `kubectl_complete-kruise` shim
    Kubectl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DryRun {
    None,
    Client,
    Server,
}

impl DryRun {
    /// The suffix kubectl puts on a dry run's result line.
    pub fn suffix(self) -> &'static str {
        match self {
            DryRun::None => "",
            DryRun::Client => " (dry run)",
            DryRun::Server => " (server dry run)",
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct StatusArgs {
    /// Follow the rollout until it completes, waits for approval, or fails
    #[arg(short = 'w', long, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value_t = false, action = ArgAction::Set, value_name = "BOOL", hide_default_value = true, hide_possible_values = true)]
    pub watch: bool,

    /// Follow the rollout until COND holds: paused (a step waits for approval), step=N
    /// (step N's batch is ready, or passed) or completed; implies --watch
    #[arg(long, value_name = "COND", value_parser = clap::value_parser!(Until), add = ArgValueCompleter::new(completers::conditions))]
    pub until: Option<Until>,

    /// Give up following after this long (exit 3), e.g. 30s, 5m, 1h; 0 waits forever
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "0")]
    pub timeout: Duration,

    /// Print a summary for scripts (documented in the README) instead of the view
    #[arg(short = 'o', long, value_enum, value_name = "FORMAT")]
    pub output: Option<DataFormat>,

    #[command(flatten)]
    pub targets: TargetArgs,
}

#[derive(Debug, Clone, Args)]
pub struct ListArgs {
    /// List rollouts in every namespace
    #[arg(short = 'A', long, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value_t = false, action = ArgAction::Set, value_name = "BOOL", hide_default_value = true, hide_possible_values = true)]
    pub all_namespaces: bool,

    /// Only rollouts matching this label selector (kubectl's syntax)
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub selector: Option<String>,

    /// Print summaries for scripts, or only names
    #[arg(short = 'o', long, value_enum, value_name = "FORMAT")]
    pub output: Option<ObjectFormat>,

    /// Keep watching: a live fleet view on a terminal (what needs a person first), one line
    /// per change in a pipe (a JSON summary per line with -o json)
    #[arg(short = 'w', long, conflicts_with = "consistent", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value_t = false, action = ArgAction::Set, value_name = "BOOL", hide_default_value = true, hide_possible_values = true)]
    pub watch: bool,

    /// Read from etcd (consistent, page by page) instead of the API server's watch cache
    /// (faster; at most a moment behind)
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value_t = false, action = ArgAction::Set, value_name = "BOOL", hide_default_value = true, hide_possible_values = true)]
    pub consistent: bool,

    /// Rows per table chunk, and rollouts per page of a --consistent read; memory stays
    /// flat however many there are
    #[arg(long, default_value_t = 500, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub chunk_size: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ObjectFormat {
    Json,
    Yaml,
    /// resource/name only
    Name,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DataFormat {
    Json,
    Yaml,
}

/// kubectl's duration forms: `30s`, `5m`, `1h30m`, a bare number of seconds, `0` for none.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    if let Ok(secs) = s.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    humantime::parse_duration(s)
        .map_err(|e| format!("invalid duration {s:?} ({e}); use e.g. 30s, 5m, 1h"))
}

/// Flags people type for the plugin's own, and what to type instead: clap's own tip for
/// them ("to pass '--step' as a value, use '-- --step'") would mislead.
const NEAR_MISSES: &[(&str, &str)] = &[
    (
        "--step",
        "--expect-step=N approves only while step N waits; --to-step=N moves the release to step N",
    ),
    ("--follow", "--watch (-w) follows"),
    ("--all-namespace", "--all-namespaces (-A)"),
    ("--revision", "--to-revision=N"),
];

/// A parse error with the plugin's own tip for a known near-miss flag.
pub fn with_tips(mut e: clap::Error) -> clap::Error {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if e.kind() != ErrorKind::UnknownArgument {
        return e;
    }
    let typed = match e.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(s)) => s.split('=').next().unwrap_or_default().to_string(),
        _ => return e,
    };
    if let Some((_, tip)) = NEAR_MISSES.iter().find(|(flag, _)| *flag == typed) {
        e.insert(
            ContextKind::Suggested,
            ContextValue::StyledStrs(vec![(*tip).into()]),
        );
    }
    e
}

/// The completers attached to arguments. Names from the cluster come through a source the
/// completion room sets at start-up ([`completers::set_source`]): these types stay plain
/// data and know nothing of how names are found.
pub mod completers {
    use super::*;

    /// Which names a completer asks for.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Names {
        Namespace,
        /// Rollouts, or `TYPE/` then that kind's names.
        Target,
        /// The kubeconfig's contexts.
        Context,
        /// The member clusters of the hub the current context reaches.
        Member,
    }

    /// Gives `(name, what it is)` pairs for the word being completed.
    pub type Source = fn(Names, &str) -> Vec<(String, String)>;

    static SOURCE: OnceLock<Source> = OnceLock::new();

    /// Where live names come from; without a source, none are offered.
    pub fn set_source(source: Source) {
        let _ = SOURCE.set(source);
    }

    fn names(want: Names, current: &OsStr) -> Vec<CompletionCandidate> {
        let current = current.to_string_lossy();
        let Some(source) = SOURCE.get() else {
            return Vec::new();
        };
        source(want, &current)
            .into_iter()
            .filter(|(n, _)| n.starts_with(current.as_ref()))
            .map(|(n, what)| CompletionCandidate::new(n).help(Some(what.into())))
            .collect()
    }

    /// Completer of the TARGET arguments.
    pub fn targets(current: &OsStr) -> Vec<CompletionCandidate> {
        names(Names::Target, current)
    }

    /// Completer of `-n/--namespace`.
    pub fn namespaces(current: &OsStr) -> Vec<CompletionCandidate> {
        names(Names::Namespace, current)
    }

    /// Completer of `--contexts`.
    pub fn contexts(current: &OsStr) -> Vec<CompletionCandidate> {
        names(Names::Context, current)
    }

    /// Completer of `--member-clusters`.
    pub fn members(current: &OsStr) -> Vec<CompletionCandidate> {
        names(Names::Member, current)
    }

    /// Completer of `--until`: its conditions (`step=` is followed by a number).
    pub fn conditions(current: &OsStr) -> Vec<CompletionCandidate> {
        let current = current.to_string_lossy();
        ["paused", "completed", "step="]
            .into_iter()
            .filter(|c| c.starts_with(current.as_ref()))
            .map(CompletionCandidate::new)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn until_offers_its_conditions_by_prefix() {
        let got = |w: &str| -> Vec<String> {
            completers::conditions(OsStr::new(w))
                .iter()
                .map(|c| c.get_value().to_string_lossy().into_owned())
                .collect()
        };
        assert_eq!(got(""), ["paused", "completed", "step="]);
        assert_eq!(got("st"), ["step="]);
        assert!(got("x").is_empty());
    }

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn durations_parse_like_kubectl() {
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("15"), Ok(Duration::from_secs(15)));
        assert!(parse_duration("soon").is_err());
    }

    #[test]
    fn cluster_flags_are_accepted_after_the_verb() {
        let cli = Cli::try_parse_from([
            "kubectl-kruise",
            "rollout",
            "approve",
            "rollout/demo",
            "-n",
            "team-a",
            "--context",
            "prod",
        ])
        .unwrap();
        assert_eq!(cli.cluster.namespace.as_deref(), Some("team-a"));
        assert_eq!(cli.cluster.context.as_deref(), Some("prod"));
    }
}
