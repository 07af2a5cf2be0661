//! `rollout status [--watch | --until=COND] [--timeout]`: where the release stands, and the
//! CI gate that waits for a condition.

use std::time::Duration;

use anyhow::{Context, Result};
use futures::{Stream, StreamExt};

use serde_json::Value;

use super::bulk::{Report, combined, list_doc, summary_line};
use super::follow::{deadline, workload_state, workload_state_of};
use super::{api_for, emit};
use crate::cli::{DataFormat, StatusArgs};
use crate::cluster::select::Item;
use crate::cluster::{ApiError, RolloutApi, RolloutRef, TargetRef, WorkloadApi, WorkloadRefs};
use crate::exit::{Code, Failure, code_for};
use crate::model::gate::{Until, Verdict, check};
use crate::model::observe::WorkloadState;
use crate::model::progress::{Progress, progress};
use crate::model::state::Stage;
use crate::model::summary::summarize;
use crate::model::{Rollout, WorkloadKind, decode};
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

/// Redraw in place only for a person at a terminal that accepts it.
fn live_mode(output: Option<DataFormat>) -> LiveMode {
    let plain = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
        || std::env::var("TERM").is_ok_and(|t| t == "dumb");
    match output {
        Some(DataFormat::Json) => LiveMode::JsonLines,
        Some(DataFormat::Yaml) => LiveMode::Yaml,
        None if crate::output::stdout_is_terminal() && !plain => LiveMode::Terminal,
        None => LiveMode::Lines,
    }
}

/// Show or follow the targets: one as a full view (or live), several as views one after
/// another, or followed together until each ends (the first failure ends them all).
pub async fn run(
    api: &RolloutApi,
    items: Vec<Item>,
    single: bool,
    args: &StatusArgs,
) -> Result<Code> {
    let follow = args.watch || args.until.is_some();
    if let Some(u @ (Until::Paused | Until::Step(_))) = args.until
        && let Some(w) = items
            .iter()
            .find(|i| matches!(i.target, TargetRef::Workload { .. }))
    {
        return Err(Failure::Usage(format!(
            "--until={u} follows a rollout's steps, and {} is a workload: use --until=completed, \
             or name the rollout that drives it",
            w.target.display()
        ))
        .into());
    }
    if single && items.len() == 1 {
        let item = &items[0];
        let mode = live_mode(args.output);
        if !follow {
            emit(&snapshot(api, item, args.output).await?)?;
            return Ok(Code::Ok);
        }
        let end = follow_item(api, item, args, mode).await?;
        crate::errln!("{end}");
        return Ok(Code::Ok);
    }
    if !follow {
        return snapshots(api, &items, args.output).await;
    }
    // Followed together; each reports its end on stderr as it comes.
    let mut pending: futures::stream::FuturesUnordered<_> = items
        .iter()
        .map(|item| async move { (item, follow_item(api, item, args, LiveMode::Quiet).await) })
        .collect();
    let mut reports = Vec::new();
    while let Some((item, res)) = pending.next().await {
        match &res {
            Ok(msg) => crate::errln!("{msg}"),
            Err(e) => super::report(e),
        }
        let rep = Report::new(item, res.as_ref().map(|m| ("done".to_string(), m.clone())));
        let code = rep.code;
        reports.push(rep);
        // Fail fast: one release that cannot get there fails the gate now.
        if code != Code::Ok {
            break;
        }
    }
    if let Some(f @ (DataFormat::Json | DataFormat::Yaml)) = args.output {
        let doc = list_doc(&reports);
        emit(&match f {
            DataFormat::Json => render::json(&doc)?,
            DataFormat::Yaml => render::yaml(&doc)?,
        })?;
    }
    let left = items.len() - reports.len();
    let mut line = summary_line(&reports);
    if left > 0 {
        line.push_str(&format!(", {left} not waited for"));
    }
    crate::errln!("{line}");
    Ok(combined(reports.iter().map(|r| r.code)))
}

/// The view (or `-o` document) of one target as it is now.
async fn snapshot(api: &RolloutApi, item: &Item, output: Option<DataFormat>) -> Result<String> {
    let api = &api_for(api, item);
    match &item.target {
        TargetRef::Rollout(r) => {
            let (_, rollout, workload) = read_rollout(api, r).await?;
            let summary = summarize(&rollout, workload.as_ref());
            Ok(match output {
                Some(DataFormat::Json) => render::json(&summary)?,
                Some(DataFormat::Yaml) => render::yaml(&summary)?,
                None => render::status_view(&summary),
            })
        }
        TargetRef::Workload { kind, name } => {
            let doc = workload_doc(api, *kind, name).await?;
            Ok(match output {
                Some(DataFormat::Json) => render::json(&doc)?,
                Some(DataFormat::Yaml) => render::yaml(&doc)?,
                None => render::workload_view(&doc),
            })
        }
        TargetRef::Batch { kind, name } => {
            Ok(super::batch::snapshot(api.cluster(), *kind, name, output)
                .await?
                .1)
        }
        TargetRef::App { .. } => Err(item.target.not_expanded()),
    }
}

/// Several targets as they are now: views one after another, or one `List` document.
async fn snapshots(api: &RolloutApi, items: &[Item], output: Option<DataFormat>) -> Result<Code> {
    // Each as a document and as its view.
    let docs = futures::stream::iter(items)
        .map(|item| async move {
            let api = api_for(api, item);
            match &item.target {
                TargetRef::Rollout(r) => read_rollout(&api, r).await.and_then(|(_, ro, w)| {
                    let s = summarize(&ro, w.as_ref());
                    Ok((serde_json::to_value(&s)?, render::status_view(&s)))
                }),
                TargetRef::Workload { kind, name } => {
                    let doc = workload_doc(&api, *kind, name).await?;
                    let view = render::workload_view(&doc);
                    Ok((doc, view))
                }
                TargetRef::Batch { kind, name } => {
                    super::batch::snapshot(api.cluster(), *kind, name, None).await
                }
                TargetRef::App { .. } => Err(item.target.not_expanded()),
            }
        })
        .buffered(super::bulk::IN_FLIGHT);
    futures::pin_mut!(docs);
    let (mut all, mut codes) = (Vec::new(), Vec::new());
    while let Some(doc) = docs.next().await {
        match doc {
            Ok((doc, view)) => {
                if output.is_none() {
                    emit(&format!("{}{view}", if all.is_empty() { "" } else { "\n" }))?;
                }
                all.push(doc);
                codes.push(Code::Ok);
            }
            Err(e) => {
                super::report(&e);
                codes.push(code_for(&e));
            }
        }
    }
    let list = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": all});
    match output {
        Some(DataFormat::Json) => emit(&render::json(&list)?)?,
        Some(DataFormat::Yaml) => emit(&render::yaml(&list)?)?,
        None => {}
    }
    Ok(combined(codes))
}

/// One GET of the rollout and one of its workload: both at once when the workload the
/// rollout named last time is remembered (kept only if the rollout still names it), else
/// one after the other. On a distant cluster that is one round trip instead of two.
async fn read_rollout(
    api: &RolloutApi,
    target: &RolloutRef,
) -> Result<(crate::cluster::Fetched, Rollout, Option<WorkloadState>)> {
    let refs = WorkloadRefs::of(&api.cluster().server);
    let remembered = refs
        .as_ref()
        .and_then(|c| c.get(api.namespace(), &target.name));
    // The view is still useful without pod counts; say why they are missing.
    let warn = |e: &ApiError| crate::errln!("warning: pod counts unavailable: {e}");
    let early = async {
        let w = remembered.as_ref()?;
        let mut why = None;
        let state = workload_state_of(api, w, |e| why = Some(e.to_string())).await;
        Some((state, why))
    };
    let (fetched, early) = futures::join!(api.get(target), early);
    let fetched = fetched?;
    let rollout =
        decode(&fetched.object).with_context(|| format!("cannot read rollout {}", target.name))?;
    let workload = match early {
        Some((state, why)) if rollout.workload == remembered => {
            if let Some(why) = why {
                crate::errln!("warning: pod counts unavailable: {why}");
            }
            state?
        }
        _ => workload_state(api, &rollout, warn).await?,
    };
    if rollout.workload != remembered
        && let Some(refs) = &refs
    {
        refs.put(api.namespace(), &rollout.name, rollout.workload.as_ref());
    }
    Ok((fetched, rollout, workload))
}

/// A workload's progress, and where the release of the rollout driving it stands.
async fn workload_doc(api: &RolloutApi, kind: WorkloadKind, name: &str) -> Result<Value> {
    let obj = WorkloadApi::new(api.cluster(), kind).get(name).await?;
    Ok(with_release(api, progress(kind, &obj), &obj).await)
}

async fn with_release(api: &RolloutApi, p: Progress, obj: &Value) -> Value {
    let mut doc = serde_json::to_value(&p).unwrap_or(Value::Null);
    let Some(rollout) = &p.rollout else {
        return doc;
    };
    let release = match api
        .get(&RolloutRef {
            name: rollout.clone(),
            version: None,
        })
        .await
        .ok()
        .and_then(|f| decode(&f.object).ok())
    {
        Some(r) => {
            let w = r
                .workload
                .as_ref()
                .map(|w| WorkloadState::from_object(w, obj));
            let s = summarize(&r, w.as_ref());
            serde_json::json!({"rollout": rollout, "stage": s.stage,
                "currentStepIndex": s.current_step_index, "totalSteps": s.total_steps,
                "text": s.view.text})
        }
        None => serde_json::json!({"rollout": rollout, "stage": null}),
    };
    doc["release"] = release;
    doc
}

/// Follow one target until it ends; the end's message, or the failure.
async fn follow_item(
    api: &RolloutApi,
    item: &Item,
    args: &StatusArgs,
    mode: LiveMode,
) -> Result<String> {
    let api = &api_for(api, item);
    match &item.target {
        TargetRef::Rollout(r) => follow_rollout(api, r, args.until, args.timeout, mode).await,
        TargetRef::Workload { kind, name } => {
            follow_workload(api, *kind, name, args.timeout, mode).await
        }
        TargetRef::Batch { kind, name } => {
            super::batch::follow_status(api.cluster(), *kind, name, args.until, args.timeout).await
        }
        TargetRef::App { .. } => Err(item.target.not_expanded()),
    }
}

/// Follow a rollout, quietly, until it meets `until` (a release train's next batch ready),
/// within `limit` (0: no limit); what it came to, for the log.
pub(crate) async fn wait_until(
    api: &RolloutApi,
    target: &RolloutRef,
    until: Until,
    limit: Duration,
) -> Result<String> {
    follow_rollout(api, target, Some(until), limit, LiveMode::Quiet).await
}

/// Follow a workload's own rollout until it has finished, as `kubectl rollout status`.
async fn follow_workload(
    api: &RolloutApi,
    kind: WorkloadKind,
    name: &str,
    timeout: Duration,
    mode: LiveMode,
) -> Result<String> {
    let wapi = WorkloadApi::new(api.cluster(), kind).object();
    let display = crate::model::workload_verbs::display(kind, name);
    let mut last = String::new();
    let show = |p: &Progress, last: &mut String| -> Result<()> {
        if p.message == *last {
            return Ok(());
        }
        last.clone_from(&p.message);
        match mode {
            LiveMode::Quiet => {}
            LiveMode::JsonLines => emit(&format!("{}\n", serde_json::to_string(p)?))?,
            LiveMode::Yaml => emit(&format!("---\n{}", render::yaml(p)?))?,
            LiveMode::Terminal | LiveMode::Lines => emit(&format!("{}\n", p.message))?,
        }
        Ok(())
    };
    let obj = wapi.get(name).await?;
    let p = progress(kind, &obj);
    show(&p, &mut last)?;
    if p.done {
        return Ok(format!("{display}: {}", p.message));
    }
    let stream = wapi.watch(name);
    futures::pin_mut!(stream);
    let limit = deadline(timeout);
    futures::pin_mut!(limit);
    let interrupted = tokio::signal::ctrl_c();
    futures::pin_mut!(interrupted);
    let mut current = p;
    loop {
        tokio::select! {
            ev = stream.next() => match ev {
                Some(Ok(Some(obj))) => {
                    current = progress(kind, &obj);
                    show(&current, &mut last)?;
                    if current.done {
                        return Ok(format!("{display}: {}", current.message));
                    }
                }
                Some(Ok(None)) => {
                    return Err(Failure::RolloutFailed(format!("{display} was deleted")).into());
                }
                Some(Err(e)) => return Err(anyhow::Error::new(e).context(format!("cannot watch {display}"))),
                None => anyhow::bail!("the watch of {display} ended unexpectedly"),
            },
            _ = &mut limit => {
                return Err(Failure::TimedOut(format!(
                    "timed out after {} waiting for {display}: {}",
                    humantime::format_duration(timeout),
                    current.message
                )).into());
            }
            _ = &mut interrupted => return Err(Failure::Interrupted.into()),
        }
    }
}

/// Follow one rollout until `--until` holds (or, with `--watch`, until it stops).
async fn follow_rollout(
    api: &RolloutApi,
    target: &RolloutRef,
    until: Option<Until>,
    limit: Duration,
    mode: LiveMode,
) -> Result<String> {
    let (fetched, rollout, workload) = read_rollout(api, target).await?;
    let wapi = rollout
        .workload
        .as_ref()
        .map(|w| WorkloadApi::for_ref(api.cluster(), w));
    let summary = summarize(&rollout, workload.as_ref());
    let mut live = Live::new(mode);
    live.show(&summary)?;
    let finish = |end: Result<String, Failure>, live: &Live| -> Result<String> {
        live.finish();
        end.map_err(Into::into)
    };
    if let Some(end) = end_of(until, &rollout, workload.as_ref()) {
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
    let timeout = deadline(limit);
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
                        crate::errln!("warning: cannot watch the workload: {e}");
                        workload = None;
                    }
                    None => {
                        live.finish();
                        anyhow::bail!("the watch of {} ended unexpectedly", current.display_name());
                    }
                }
                live.show(&summarize(&current, workload.as_ref()))?;
                if let Some(end) = end_of(until, &current, workload.as_ref()) {
                    return finish(end, &live);
                }
            }
            _ = &mut timeout => {
                live.finish();
                let what = until.map_or("stop".to_string(), |u| format!("reach {u}"));
                let s = summarize(&current, workload.as_ref());
                return Err(Failure::TimedOut(format!(
                    "timed out after {} waiting for {} to {what}; it is {}",
                    humantime::format_duration(limit),
                    current.display_name(),
                    s.view.text
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
