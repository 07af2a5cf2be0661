//! One small module per verb: read, decide with the model, write, hand results to render.

mod access;
mod analysis;
mod analyze;
mod approval;
mod approve;
mod autopilot;
mod batch;
mod bulk;
mod clusters;
mod dashboard;
mod fleet;
mod follow;
mod history;
mod list;
mod options;
mod pause;
mod reach;
mod restart;
mod status;
mod train;
mod undo;
mod write;

use anyhow::{Context, Result};

use crate::cli::{
    AccessCommand, Cli, Command, DataFormat, DryRun, ObjectFormat, RolloutCommand, WriteFlags,
};
use crate::cluster::select::{Item, Selection, parse_selection, resolve};
use crate::cluster::{self, Cluster, RolloutApi, TargetRef};
use crate::exit::{Code, Failure};
use crate::render;

/// The Rollout API versions this plugin reads and writes.
pub const ROLLOUT_API_VERSIONS: [&str; 2] =
    ["rollouts.kruise.io/v1beta1", "rollouts.kruise.io/v1alpha1"];

fn usage(msg: &str) -> anyhow::Error {
    Failure::Usage(msg.to_string()).into()
}

/// `kubectl kruise help [TOPIC | COMMAND...]`: a shared topic, or a command's help as its
/// `--help` prints it.
fn help(words: &[String]) -> Result<Code> {
    if let [word] = words
        && let Some(text) = crate::cli::topic(word)
    {
        emit(&format!("{text}\n"))?;
        return Ok(Code::Ok);
    }
    let mut cmd = crate::cli::command();
    cmd.build();
    let mut at = &mut cmd;
    for w in words {
        let Some(sub) = at.find_subcommand_mut(w) else {
            let topics: Vec<&str> = crate::cli::TOPICS.iter().map(|(t, _)| *t).collect();
            return Err(usage(&format!(
                "no help topic or command {:?}: topics are {}; commands are rollout VERB, options, \
                 completion, version",
                words.join(" "),
                topics.join(", ")
            )));
        };
        at = sub;
    }
    emit(&at.render_help().to_string())?;
    Ok(Code::Ok)
}

/// Run a parsed command line. Only verbs that talk to the cluster build a runtime and a
/// client: `--help`, `version` and `completion` do no other work.
pub fn run(cli: Cli) -> Result<Code> {
    match cli.command {
        Command::Options => {
            emit(&crate::cli::global_options_help())?;
            Ok(Code::Ok)
        }
        Command::Help { words } => help(&words),
        Command::Version { output } => {
            let version = env!("CARGO_PKG_VERSION");
            let commit = env!("KRUISE_GIT_COMMIT");
            let doc = serde_json::json!({
                "name": "kubectl-kruise", "version": version, "gitCommit": commit,
                "rolloutApiVersions": ROLLOUT_API_VERSIONS,
            });
            emit(&match output {
                None => format!(
                    "kubectl-kruise {version} (commit {commit}; Rollout APIs {})\n",
                    ROLLOUT_API_VERSIONS.join(", ")
                ),
                Some(DataFormat::Json) => render::json(&doc)?,
                Some(DataFormat::Yaml) => render::yaml(&doc)?,
            })?;
            Ok(Code::Ok)
        }
        // Answered by the completion room before any command runs (see main).
        Command::Complete { .. } | Command::Completion { .. } => Err(anyhow::anyhow!(
            "completion is answered before the commands run"
        )),
        // The dashboard runs for hours: list bodies are decoded on two threads at most, so
        // the allocator keeps few per-thread arenas from the first lists.
        Command::Dashboard(d) => {
            block_on(
                Some(2),
                async move { dashboard::run(&cli.cluster, &d).await },
            )
        }
        Command::Rollout(cmd) => {
            let cmd = *cmd;
            // Arguments are checked before any client is built (which may run exec auth).
            let selection = check_args(&cmd)?;
            clusters::check(&cli.cluster, &cmd)?;
            block_on(None, async move {
                if cli.cluster.many_clusters() {
                    return clusters::run(&cli.cluster, cmd, selection).await;
                }
                let cluster = cluster::connect(&options::connect_options(&cli.cluster)).await?;
                run_in(cluster, cmd, selection, cli.cluster.warnings_as_errors).await
            })
        }
    }
}

/// Run a command that talks to the cluster on a runtime of its own, raced against Ctrl-C;
/// `blocking`: at most this many threads for blocking work (decoding list bodies, logins).
fn block_on(
    blocking: Option<usize>,
    command: impl std::future::Future<Output = Result<Code>>,
) -> Result<Code> {
    let mut rt = tokio::runtime::Builder::new_current_thread();
    rt.enable_all();
    if let Some(n) = blocking {
        rt.max_blocking_threads(n);
    }
    let rt = rt.build().context("cannot start the async runtime")?;
    let result = rt.block_on(async move {
        // Ctrl-C ends every command at once, whatever it awaits (an answer held back, a
        // slow body, a watch, a re-approval inside a wait): the command is dropped at its
        // await point, so each object is written whole or not at all. Commands that say
        // something on Ctrl-C (a bulk run's summary, a fleet) hear the same signal first:
        // `biased` polls them before this.
        tokio::select! {
            biased;
            result = command => result,
            _ = tokio::signal::ctrl_c() => Err(Failure::Interrupted.into()),
        }
    });
    // Work on blocking threads (a list body being decoded, an exec login) is not waited
    // for: dropping the runtime would wait for it.
    rt.shutdown_timeout(std::time::Duration::from_millis(100));
    result
}

/// Run a command in one connected cluster.
async fn run_in(
    mut cluster: Cluster,
    cmd: RolloutCommand,
    selection: Option<Selection>,
    warnings_as_errors: bool,
) -> Result<Code> {
    if let Some(w) = write_flags(&cmd) {
        cluster.field_manager = w.field_manager.clone();
        cluster.audit = !w.no_event;
    }
    if let RolloutCommand::Analyze(a) = &cmd {
        cluster.audit = !a.no_event;
    }
    let warnings = cluster.warnings.clone();
    let code = dispatch(cluster, cmd, selection).await;
    if warnings_as_errors && warnings.count() > 0 {
        // The command's own error, if any, still comes first.
        let code = code?;
        if code == Code::Ok {
            return Err(anyhow::anyhow!(
                "the API server sent {} warning(s) and --warnings-as-errors is set",
                warnings.count()
            ));
        }
        return Ok(code);
    }
    code
}

fn write_flags(cmd: &RolloutCommand) -> Option<&WriteFlags> {
    match cmd {
        RolloutCommand::Approve(a) => Some(&a.write),
        RolloutCommand::Pause(a) | RolloutCommand::Resume(a) | RolloutCommand::Restart(a) => {
            Some(&a.write)
        }
        RolloutCommand::Undo(a) => Some(&a.write),
        RolloutCommand::Autopilot(a) => Some(&a.write),
        _ => None,
    }
}

/// Everything about the command line that can be checked without the cluster.
fn check_args(cmd: &RolloutCommand) -> Result<Option<Selection>> {
    Ok(match cmd {
        RolloutCommand::Approve(a) => {
            if a.wait.is_some() && a.write.dry_run != DryRun::None {
                return Err(usage(
                    "--wait waits for a real approval; it cannot be combined with --dry-run",
                ));
            }
            if !a.template.args.is_empty() && a.analysis.is_empty() {
                return Err(usage(
                    "--arg gives a value to an analysis template: use it with --analysis",
                ));
            }
            let sel = parse_selection(&options::target_spec(&a.targets))?;
            if let Selection::Named(t) = &sel
                && let Some(w) = t.iter().find(|t| matches!(t, TargetRef::Workload { .. }))
            {
                return Err(usage(&format!(
                    "approve acts on rollouts, and {} is a {}: name its rollout (rollout/NAME)",
                    w.display(),
                    w.kind()
                )));
            }
            Some(sel)
        }
        RolloutCommand::Pause(a) | RolloutCommand::Resume(a) | RolloutCommand::Restart(a) => {
            Some(parse_selection(&options::target_spec(&a.targets))?)
        }
        RolloutCommand::Status(a) => {
            if !a.timeout.is_zero() && !a.watch && a.until.is_none() {
                return Err(usage(
                    "--timeout limits following: use it with --watch or --until",
                ));
            }
            Some(parse_selection(&options::target_spec(&a.targets))?)
        }
        RolloutCommand::Undo(a) => {
            undo_target(&a.resource, a.fast)?;
            None
        }
        RolloutCommand::History(a) => {
            cluster::parse_target(&a.resource).map_err(Failure::Usage)?;
            None
        }
        RolloutCommand::Analyze(a) => {
            analyze::check(a)?;
            None
        }
        RolloutCommand::Autopilot(a) => {
            autopilot::check(a)?;
            None
        }
        RolloutCommand::Access(_) => None,
        RolloutCommand::List(a) => {
            if let Some(sel) = &a.selector {
                cluster::select::check_selector(sel).map_err(Failure::Usage)?;
            }
            None
        }
    })
}

async fn dispatch(cluster: Cluster, cmd: RolloutCommand, sel: Option<Selection>) -> Result<Code> {
    let api = RolloutApi::new(cluster.clone());
    let items = match sel {
        Some(s) => {
            let named_one = matches!(&s, Selection::Named(t) if t.len() == 1);
            let empty = s.nothing_found(&cluster.namespace);
            let items = resolve(&cluster, s).await?;
            if items.is_empty() {
                crate::errln!("{empty}");
                return Ok(Code::Ok);
            }
            Some((items, named_one))
        }
        None => None,
    };
    let (items, single) = items.unwrap_or_default();
    match cmd {
        RolloutCommand::Approve(a) => {
            let one = single && items.len() == 1;
            let gate = analysis::Gate::load(&cluster, &a.analysis, &a.template.args).await?;
            let gate = gate.as_ref();
            bulk::run_all(items, single, a.output, |i| {
                approve::one(&api, i, &a, one, gate)
            })
            .await
        }
        RolloutCommand::Analyze(a) => analyze::run(&api, &a).await,
        RolloutCommand::Autopilot(a) => autopilot::run(&api, &a).await,
        RolloutCommand::Pause(a) => {
            let dry = a.write.dry_run;
            bulk::run_all(items, single, a.output, |i| pause::one(&api, i, true, dry)).await
        }
        RolloutCommand::Resume(a) => {
            let dry = a.write.dry_run;
            bulk::run_all(items, single, a.output, |i| pause::one(&api, i, false, dry)).await
        }
        RolloutCommand::Restart(a) => {
            let dry = a.write.dry_run;
            bulk::run_all(items, single, a.output, |i| restart::one(&api, i, dry)).await
        }
        RolloutCommand::Status(a) => status::run(&api, items, single, &a).await,
        RolloutCommand::Undo(a) => match undo_target(&a.resource, a.fast)? {
            TargetRef::Batch { kind, name } => {
                batch::undo(&cluster, kind, &name, a.write.dry_run, a.output).await
            }
            target => undo::run(&api, target, &a).await,
        },
        RolloutCommand::History(a) => {
            match cluster::parse_target(&a.resource).map_err(Failure::Usage)? {
                TargetRef::Batch { kind, name } => {
                    batch::history(&cluster, kind, &name, a.output).await
                }
                target => history::run(&api, target, &a).await,
            }
        }
        // `--watch` keeps a live fleet view instead of one list.
        RolloutCommand::List(a) if a.watch => fleet::run(&api, &a).await,
        RolloutCommand::List(a) => list::run(&api, &a).await,
        RolloutCommand::Access(AccessCommand::Grant(a)) => access::grant(&cluster, &a).await,
        RolloutCommand::Access(AccessCommand::Check(a)) => access::check(&cluster, &a).await,
    }
}

/// The API for rollouts in an item's namespace.
pub(crate) fn api_for(api: &RolloutApi, item: &Item) -> RolloutApi {
    if item.namespace == api.namespace() {
        api.clone()
    } else {
        api.in_namespace(&item.namespace)
    }
}

/// Print an error the way kubectl does: `error: ...` on stderr, one line with its causes.
pub fn report(err: &anyhow::Error) {
    crate::errln!("error: {err:#}");
}

/// Write to stdout and flush, so that a closed pipe surfaces as an error we can recognise.
pub(crate) fn emit(text: &str) -> Result<()> {
    crate::output::out(text)?;
    Ok(())
}

/// `undo`'s target; `--fast` moves a rollout's steps, so it needs a rollout.
fn undo_target(args: &[String], fast: bool) -> Result<TargetRef> {
    let target = cluster::parse_target(args).map_err(Failure::Usage)?;
    if matches!(target, TargetRef::App { .. }) {
        return Err(Failure::Usage(
            "undo one rollout: name it (an application has several; vela workflow rollback APP rolls an application back)".into(),
        )
        .into());
    }
    if fast && !matches!(target, TargetRef::Rollout(_)) {
        return Err(Failure::Usage(
            "--fast moves a rollout's steps: name the rollout, e.g. rollout/NAME".into(),
        )
        .into());
    }
    Ok(target)
}

/// Print a written (or unchanged) object as `-o` asks, or the one-line result. `display`
/// names it for `-o name`.
pub(crate) fn print_object(
    object: &serde_json::Value,
    display: &str,
    line: &str,
    format: Option<ObjectFormat>,
) -> Result<()> {
    match format {
        None => emit(&format!("{line}\n")),
        Some(ObjectFormat::Name) => emit(&format!("{display}\n")),
        Some(ObjectFormat::Json) => emit(&render::json(object)?),
        Some(ObjectFormat::Yaml) => emit(&render::yaml(object)?),
    }
}
