//! `rollout status [--watch]`: where the release stands.

use std::io::IsTerminal;

use anyhow::{Context, Result};
use futures::StreamExt;

use super::emit;
use crate::cli::{DataFormat, StatusArgs};
use crate::cluster::{ApiError, RolloutApi, RolloutRef, workload_replicas};
use crate::exit::{Code, Failure};
use crate::model::state::Stage;
use crate::model::summary::summarize;
use crate::model::{Rollout, decode};
use crate::render::{self, live::Live, live::LiveMode};

/// Whether following the rollout ends at this stage, and how.
fn watch_end(r: &Rollout) -> Option<Result<String, Failure>> {
    let name = r.display_name();
    let step = r.step_label();
    match r.stage() {
        Stage::WaitingForApproval => {
            Some(Ok(format!("{name} is waiting for approval at step {step}")))
        }
        Stage::Completed => Some(Ok(format!("{name} release completed"))),
        Stage::Idle => Some(Ok(format!("{name} has no release in progress"))),
        Stage::Cancelled | Stage::Cancelling => Some(Err(Failure::RolloutFailed(format!(
            "{name}: the release was cancelled or rolled back"
        )))),
        Stage::Disabled => Some(Err(Failure::RolloutFailed(format!("{name} is disabled")))),
        Stage::Terminating => Some(Err(Failure::RolloutFailed(format!(
            "{name} is being deleted"
        )))),
        _ => None,
    }
}

/// Show (or follow) one rollout; the caller has checked that exactly one was named.
pub async fn run(api: &RolloutApi, target: &RolloutRef, args: &StatusArgs) -> Result<Code> {
    let fetched = api.get(target).await?;
    let rollout =
        decode(&fetched.object).with_context(|| format!("cannot read rollout {}", target.name))?;

    let replicas = match &rollout.workload {
        Some(w) => match workload_replicas(api.cluster(), w).await {
            Ok(n) => Some(n),
            // The view is still useful without pod counts; say why they are missing.
            Err(
                e @ (ApiError::NotFound { .. } | ApiError::Forbidden(_) | ApiError::NotServed(_)),
            ) => {
                eprintln!("warning: pod counts unavailable: {e}");
                None
            }
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    let summary = summarize(&rollout, replicas);

    if !args.watch {
        emit(&match args.output {
            Some(DataFormat::Json) => render::json(&summary)?,
            Some(DataFormat::Yaml) => render::yaml(&summary)?,
            None => render::status_view(&summary),
        })?;
        return Ok(Code::Ok);
    }

    let mode = match args.output {
        Some(DataFormat::Json) => LiveMode::JsonLines,
        Some(DataFormat::Yaml) => LiveMode::Yaml,
        None if std::io::stdout().is_terminal() => LiveMode::Terminal,
        None => LiveMode::Lines,
    };
    let mut live = Live::new(mode);
    live.show(&summary)?;
    let end = |r: &Rollout, live: &Live| -> Option<Result<Code>> {
        let end = watch_end(r)?;
        live.finish();
        Some(match end {
            Ok(msg) => {
                eprintln!("{msg}");
                Ok(Code::Ok)
            }
            Err(f) => Err(f.into()),
        })
    };
    if let Some(done) = end(&rollout, &live) {
        return done;
    }

    let stream = api.watch(&fetched.target());
    futures::pin_mut!(stream);
    let interrupted = tokio::signal::ctrl_c();
    futures::pin_mut!(interrupted);
    loop {
        tokio::select! {
            ev = stream.next() => match ev {
                Some(Ok(Some(obj))) => {
                    let r = decode(&obj).with_context(|| format!("cannot read rollout {}", target.name))?;
                    live.show(&summarize(&r, replicas))?;
                    if let Some(done) = end(&r, &live) {
                        return done;
                    }
                }
                Some(Ok(None)) => {
                    live.finish();
                    return Err(Failure::RolloutFailed(format!("{} was deleted", rollout.display_name())).into());
                }
                Some(Err(e)) => {
                    live.finish();
                    return Err(anyhow::Error::new(e).context(format!("cannot watch {}", rollout.display_name())));
                }
                None => {
                    live.finish();
                    anyhow::bail!("the watch of {} ended unexpectedly", rollout.display_name());
                }
            },
            _ = &mut interrupted => {
                live.finish();
                return Err(Failure::Interrupted.into());
            }
        }
    }
}
