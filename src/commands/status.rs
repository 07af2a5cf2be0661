//! `rollout status [--watch | --until=COND] [--timeout]`: where the release stands, and the
//! CI gate that waits for a condition.

use std::io::IsTerminal;
use std::time::Duration;

use anyhow::{Context, Result};
use futures::{Stream, StreamExt};

use super::emit;
use crate::cli::{DataFormat, StatusArgs};
use crate::cluster::{ApiError, RolloutApi, RolloutRef, WorkloadApi};
use crate::exit::{Code, Failure};
use crate::model::gate::{Until, Verdict, check};
use crate::model::observe::WorkloadState;
use crate::model::state::Stage;
use crate::model::summary::summarize;
use crate::model::{Rollout, decode};
use crate::render::{self, live::Live, live::LiveMode};

/// Where plain `--watch` stops: a step waits for approval, or the release is over.
fn watch_end(r: &Rollout, w: Option<&WorkloadState>) -> Option<Result<String, Failure>> {
    let name = r.display_name();
    let step = r.step_label();
    match r.observed_stage(w).0 {
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

/// Where following ends, with `--until` or without.
fn end_of(
    until: Option<Until>,
    r: &Rollout,
    w: Option<&WorkloadState>,
) -> Option<Result<String, Failure>> {
    let Some(until) = until else {
        return watch_end(r, w);
    };
    let name = r.display_name();
    match check(until, r, w) {
        Verdict::Holds(why) => Some(Ok(format!("{name} reached {until}: {why}"))),
        Verdict::Never(why) => Some(Err(Failure::RolloutFailed(format!(
            "{name} can no longer reach {until}: {why}"
        )))),
        Verdict::Wait => None,
    }
}

/// The rollout's workload as far as judging the status needs it: one GET. Errors that
/// leave the rollout usable on its own (missing, forbidden, kind not served) go to
/// `soft_error` and give `None`.
pub(crate) async fn workload_state(
    api: &RolloutApi,
    r: &Rollout,
    soft_error: impl FnOnce(&ApiError),
) -> Result<Option<WorkloadState>> {
    let Some(w) = &r.workload else {
        return Ok(None);
    };
    match WorkloadApi::for_ref(api.cluster(), w).get(&w.name).await {
        Ok(obj) => Ok(Some(WorkloadState::from_object(w, &obj))),
        Err(e @ (ApiError::NotFound { .. } | ApiError::Forbidden(_) | ApiError::NotServed(_))) => {
            soft_error(&e);
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// Redraw in place only for a person at a terminal that accepts it.
fn live_mode(output: Option<DataFormat>) -> LiveMode {
    let plain = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
        || std::env::var("TERM").is_ok_and(|t| t == "dumb");
    match output {
        Some(DataFormat::Json) => LiveMode::JsonLines,
        Some(DataFormat::Yaml) => LiveMode::Yaml,
        None if std::io::stdout().is_terminal() && !plain => LiveMode::Terminal,
        None => LiveMode::Lines,
    }
}

/// Show (or follow) one rollout; the caller has checked that exactly one was named.
pub async fn run(api: &RolloutApi, target: &RolloutRef, args: &StatusArgs) -> Result<Code> {
    let fetched = api.get(target).await?;
    let rollout =
        decode(&fetched.object).with_context(|| format!("cannot read rollout {}", target.name))?;
    let wapi = rollout
        .workload
        .as_ref()
        .map(|w| WorkloadApi::for_ref(api.cluster(), w));
    // The view is still useful without pod counts; say why they are missing.
    let workload = workload_state(api, &rollout, |e| {
        eprintln!("warning: pod counts unavailable: {e}")
    })
    .await?;
    let summary = summarize(&rollout, workload.as_ref());

    if !args.watch && args.until.is_none() {
        emit(&match args.output {
            Some(DataFormat::Json) => render::json(&summary)?,
            Some(DataFormat::Yaml) => render::yaml(&summary)?,
            None => render::status_view(&summary),
        })?;
        return Ok(Code::Ok);
    }

    let mut live = Live::new(live_mode(args.output));
    live.show(&summary)?;
    let finish = |end: Result<String, Failure>, live: &Live| -> Result<Code> {
        live.finish();
        match end {
            Ok(msg) => {
                eprintln!("{msg}");
                Ok(Code::Ok)
            }
            Err(f) => Err(f.into()),
        }
    };
    if let Some(end) = end_of(args.until, &rollout, workload.as_ref()) {
        return finish(end, &live);
    }

    // Rollout and workload changes, in the order they happen: a new image on the workload
    // makes the rollout's status stale before the rollout itself changes.
    let rollout_events = api.watch(&fetched.target()).map(Change::Rollout).boxed();
    let events: std::pin::Pin<Box<dyn Stream<Item = Change> + Send>> =
        match (&wapi, &rollout.workload) {
            (Some(wa), Some(w)) if workload.is_some() => {
                // After its first error (say, no RBAC to watch it) the workload is left
                // alone: one warning, not one per reconnect.
                let workload_events = wa
                    .watch(&w.name)
                    .scan(false, |failed, ev| {
                        let out = (!*failed).then_some(ev);
                        *failed = *failed || matches!(out, Some(Err(_)));
                        futures::future::ready(out)
                    })
                    .map(Change::Workload);
                Box::pin(futures::stream::select(rollout_events, workload_events))
            }
            _ => rollout_events,
        };
    futures::pin_mut!(events);
    let timeout = deadline(args.timeout);
    futures::pin_mut!(timeout);
    let interrupted = tokio::signal::ctrl_c();
    futures::pin_mut!(interrupted);
    let (mut current, mut workload) = (rollout, workload);
    loop {
        tokio::select! {
            ev = events.next() => {
                match ev {
                    Some(Change::Rollout(Ok(Some(obj)))) => {
                        current = decode(&obj).with_context(|| format!("cannot read rollout {}", target.name))?;
                    }
                    Some(Change::Rollout(Ok(None))) => {
                        live.finish();
                        return Err(Failure::RolloutFailed(format!("{} was deleted", current.display_name())).into());
                    }
                    Some(Change::Rollout(Err(e))) => {
                        live.finish();
                        return Err(anyhow::Error::new(e).context(format!("cannot watch {}", current.display_name())));
                    }
                    Some(Change::Workload(Ok(Some(obj)))) => {
                        if let Some(w) = &current.workload {
                            workload = Some(WorkloadState::from_object(w, &obj));
                        }
                    }
                    // A missing or unwatchable workload: judge by the rollout alone.
                    Some(Change::Workload(Ok(None))) => workload = None,
                    Some(Change::Workload(Err(e))) => {
                        eprintln!("warning: cannot watch the workload: {e}");
                        workload = None;
                    }
                    None => {
                        live.finish();
                        anyhow::bail!("the watch of {} ended unexpectedly", current.display_name());
                    }
                }
                live.show(&summarize(&current, workload.as_ref()))?;
                if let Some(end) = end_of(args.until, &current, workload.as_ref()) {
                    return finish(end, &live);
                }
            }
            _ = &mut timeout => {
                live.finish();
                let what = args.until.map_or("stop".to_string(), |u| format!("reach {u}"));
                let s = summarize(&current, workload.as_ref());
                return Err(Failure::TimedOut(format!(
                    "timed out after {} waiting for {} to {what}; it is {}",
                    humantime::format_duration(args.timeout),
                    current.display_name(),
                    render::stage_text(&s)
                )).into());
            }
            _ = &mut interrupted => {
                live.finish();
                return Err(Failure::Interrupted.into());
            }
        }
    }
}

enum Change {
    Rollout(Result<Option<serde_json::Value>, ApiError>),
    Workload(Result<Option<serde_json::Value>, ApiError>),
}

/// Resolves after `limit`; never, for 0.
pub(crate) async fn deadline(limit: Duration) {
    if limit.is_zero() {
        futures::future::pending::<()>().await;
    } else {
        tokio::time::sleep(limit).await;
    }
}
