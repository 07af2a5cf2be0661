//! One small module per verb: read, decide with the model, write, hand results to render.

mod approve;
mod history;
mod list;
mod pause;
mod status;
mod undo;
mod write;

use std::io::Write;

use anyhow::{Context, Result};
use clap::CommandFactory;

use crate::cli::{Cli, Command, DataFormat, DryRun, ObjectFormat, RolloutCommand};
use crate::cluster::{self, RolloutApi, RolloutRef, TargetRef};
use crate::exit::{Code, Failure, code_for, is_broken_pipe};
use crate::model::display_name;
use crate::render;

/// Run a parsed command line. Only verbs that talk to the cluster build a runtime and a
/// client: `--help`, `version` and `completion` do no other work.
pub fn run(cli: Cli) -> Result<Code> {
    match cli.command {
        Command::Version { output } => {
            let version = env!("CARGO_PKG_VERSION");
            let doc = serde_json::json!({ "name": "kubectl-kruise", "version": version });
            emit(&match output {
                None => format!("kubectl-kruise {version}\n"),
                Some(DataFormat::Json) => render::json(&doc)?,
                Some(DataFormat::Yaml) => render::yaml(&doc)?,
            })?;
            Ok(Code::Ok)
        }
        Command::Completion { shell } => {
            let mut out = std::io::stdout().lock();
            clap_complete::generate(shell, &mut Cli::command(), "kubectl-kruise", &mut out);
            out.flush()?;
            Ok(Code::Ok)
        }
        Command::Rollout(cmd) => {
            // Arguments are checked before any client is built (which may run exec auth).
            let refs = match &cmd {
                RolloutCommand::Approve(a) => {
                    if a.wait.is_some() && a.dry_run.strategy != DryRun::None {
                        return Err(Failure::Usage(
                            "--wait waits for a real approval; it cannot be combined with --dry-run"
                                .into(),
                        )
                        .into());
                    }
                    targets(&a.resources)?
                }
                RolloutCommand::Pause(a) | RolloutCommand::Resume(a) => targets(&a.resources)?,
                RolloutCommand::Status(a) => {
                    let refs = targets(&a.resource)?;
                    if refs.len() != 1 {
                        return Err(Failure::Usage("status takes one rollout".into()).into());
                    }
                    if !a.timeout.is_zero() && !a.watch && a.until.is_none() {
                        return Err(Failure::Usage(
                            "--timeout limits following: use it with --watch or --until".into(),
                        )
                        .into());
                    }
                    refs
                }
                RolloutCommand::Undo(_) | RolloutCommand::History(_) | RolloutCommand::List(_) => {
                    Vec::new()
                }
            };
            let target = match &cmd {
                RolloutCommand::Undo(a) => Some(undo_target(&a.resource, a.fast)?),
                RolloutCommand::History(a) => {
                    Some(cluster::parse_target(&a.resource).map_err(Failure::Usage)?)
                }
                _ => None,
            };
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .context("cannot start the async runtime")?;
            rt.block_on(async move {
                let cluster = cluster::connect(&cli.cluster).await?;
                let api = RolloutApi::new(cluster);
                match cmd {
                    RolloutCommand::Approve(a) => approve::run(&api, refs, &a).await,
                    RolloutCommand::Pause(a) => {
                        pause::run(&api, refs, a.output, true, a.dry_run.strategy).await
                    }
                    RolloutCommand::Resume(a) => {
                        pause::run(&api, refs, a.output, false, a.dry_run.strategy).await
                    }
                    RolloutCommand::Undo(a) => undo::run(&api, resolved(target)?, &a).await,
                    RolloutCommand::History(a) => history::run(&api, resolved(target)?, &a).await,
                    RolloutCommand::Status(a) => status::run(&api, &refs[0], &a).await,
                    RolloutCommand::List(a) => list::run(&api, &a).await,
                }
            })
        }
    }
}

/// Print an error the way kubectl does: `error: ...` on stderr, one line with its causes.
pub fn report(err: &anyhow::Error) {
    eprintln!("error: {err:#}");
}

/// Write to stdout and flush, so that a closed pipe surfaces as an error we can recognise.
pub(crate) fn emit(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// Resolve the rollout arguments; a bad one is a command-line error (exit 2).
pub(crate) fn targets(args: &[String]) -> Result<Vec<RolloutRef>> {
    cluster::parse_rollout_args(args).map_err(|e| Failure::Usage(e).into())
}

fn resolved(target: Option<TargetRef>) -> Result<TargetRef> {
    target.ok_or_else(|| anyhow::anyhow!("no rollout or workload was named"))
}

/// `undo`'s target; `--fast` moves a rollout's steps, so it needs a rollout.
fn undo_target(args: &[String], fast: bool) -> Result<TargetRef> {
    let target = cluster::parse_target(args).map_err(Failure::Usage)?;
    if fast && !matches!(target, TargetRef::Rollout(_)) {
        return Err(Failure::Usage(
            "--fast moves a rollout's steps: name the rollout, e.g. rollout/NAME".into(),
        )
        .into());
    }
    Ok(target)
}

/// Run `f` for each rollout named. With one, its error is the command's error. With
/// several, every one is attempted, errors are reported as they come, and the exit code is
/// that of the first failure.
pub(crate) async fn for_each<F, Fut>(targets: Vec<RolloutRef>, mut f: F) -> Result<Code>
where
    F: FnMut(RolloutRef) -> Fut,
    Fut: Future<Output = Result<()>>,
{
    if targets.len() == 1 {
        let t = targets.into_iter().next().expect("one target");
        return f(t).await.map(|_| Code::Ok);
    }
    let mut code = Code::Ok;
    for t in targets {
        if let Err(e) = f(t).await {
            if is_broken_pipe(&e) {
                return Ok(code);
            }
            report(&e);
            if code == Code::Ok {
                code = code_for(&e);
            }
        }
    }
    Ok(code)
}

/// Print a written (or unchanged) object as `-o` asks, or the one-line result.
pub(crate) fn print_object(
    object: &serde_json::Value,
    name: &str,
    line: &str,
    format: Option<ObjectFormat>,
) -> Result<()> {
    match format {
        None => emit(&format!("{line}\n")),
        Some(ObjectFormat::Name) => emit(&format!("{}\n", display_name(name))),
        Some(ObjectFormat::Json) => emit(&render::json(object)?),
        Some(ObjectFormat::Yaml) => emit(&render::yaml(object)?),
    }
}
