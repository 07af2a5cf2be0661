//! `rollout autopilot`: drive a release to its end by its metrics. Watch until a step
//! waits for approval, judge it by its analysis, approve exactly that step, and so on until
//! the release completes; on a failed analysis undo or pause it. Waiting is a watch (no
//! polling); analysing waits on the templates' timers.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use futures::StreamExt;
use indicatif::{ProgressBar, ProgressDrawTarget};
use serde::Serialize;
use serde_json::{Value, json};

use super::analysis::{judge, load};
use super::approval::{approval, wait_past};
use super::emit;
use super::follow::{deadline, workload_state};
use super::write::write_from;
use crate::cli::{AutopilotArgs, DataFormat, DryRun, OnFailure};
use crate::cluster::{self, Fetched, RolloutApi, RolloutRef, Target, TargetRef};
use crate::exit::{Code, Failure};
use crate::model::analysis::{MetricReport, Phase, Report, RolloutArgs, Template};
use crate::model::autopilot::{Next, next};
use crate::model::state::decide_approve_step;
use crate::model::train::TRAIN_REASON;
use crate::model::{decode, display_name};
use crate::render;

/// One step judged, and what was done about it.
#[derive(Debug, Serialize)]
struct StepReport {
    step: i64,
    templates: Vec<String>,
    phase: Phase,
    action: String,
    metrics: Vec<MetricReport>,
}

/// What autopilot says as it goes: a line per event above a live status line on a
/// terminal, plain lines elsewhere.
struct Log {
    bar: ProgressBar,
    steps: Vec<StepReport>,
}

impl Log {
    fn new() -> Self {
        // In one cluster of several, lines are tagged: no live line among them.
        let target = if crate::output::in_cluster_scope() {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        };
        let bar = ProgressBar::with_draw_target(None, target);
        // The spinner's timer only where it is seen: in a pipe a wait wakes nothing.
        if !bar.is_hidden() {
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
        }
        Log {
            bar,
            steps: Vec::new(),
        }
    }

    fn line(&self, text: &str) {
        if self.bar.is_hidden() {
            crate::errln!("{text}");
        } else {
            self.bar.println(text);
        }
    }

    fn status(&self, text: String) {
        // A train's live view shows each cluster's status line.
        crate::output::set_status(&text);
        self.bar.set_message(text);
    }
}

impl Drop for Log {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

/// The templates of each step: `--analysis-step` over `--analysis`.
struct Plan {
    default: Template,
    per_step: BTreeMap<i64, Template>,
}

impl Plan {
    fn for_step(&self, step: i64) -> &Template {
        self.per_step.get(&step).unwrap_or(&self.default)
    }
}

/// The rollout autopilot drives, checked with the rest of the command line before any
/// client is built.
pub fn check(args: &AutopilotArgs) -> Result<RolloutRef> {
    if args.write.dry_run != DryRun::None {
        return Err(Failure::Usage(
            "autopilot drives a real release and has no --dry-run; try a template with `rollout analyze`".into(),
        )
        .into());
    }
    let usage = |m: &str| Err(Failure::Usage(m.into()).into());
    if !args.one_by_one {
        if args.undo_train {
            return usage(
                "--undo-train undoes a release train's completed clusters: use it with --one-by-one",
            );
        }
        if args.resume_from.is_some() {
            return usage("--resume-from continues a release train: use it with --one-by-one");
        }
    }
    if args.undo_train && args.on_failure != OnFailure::Undo {
        return usage(
            "--undo-train undoes the clusters before the failing one, which is undone itself: it needs --on-failure=undo",
        );
    }
    if !args.timeout.is_zero() && args.bake >= args.timeout {
        return usage(
            "--bake must be shorter than --timeout, which bounds the whole part, bake included",
        );
    }
    match cluster::parse_target(&args.resource).map_err(Failure::Usage)? {
        TargetRef::Rollout(t) => Ok(t),
        other => Err(Failure::Usage(format!(
            "autopilot drives a Kruise Rollout, and {} is a {}: name the rollout (rollout/NAME)",
            other.display(),
            other.kind()
        ))
        .into()),
    }
}

pub async fn run(api: &RolloutApi, args: &AutopilotArgs) -> Result<Code> {
    let t = check(args)?;
    // Every template is read and checked before anything happens, all at once.
    let cluster = api.cluster();
    let per_step =
        futures::future::try_join_all(args.analysis_step.iter().map(async |(step, spec)| {
            Ok::<_, anyhow::Error>((*step, load(cluster, std::slice::from_ref(spec)).await?))
        }));
    let (default, per_step, fetched) =
        tokio::try_join!(load(cluster, &args.analysis), per_step, async {
            Ok(api.get(&t).await?)
        })?;
    let plan = Plan {
        default,
        per_step: per_step.into_iter().collect(),
    };
    let target = fetched.target();
    let name = display_name(&t.name);
    let mut log = Log::new();
    if let Some(place) = &args.train {
        let line = format!(
            "release train: cluster {}/{} ({}) started, driven by autopilot with {}",
            place.position,
            place.of,
            place.cluster,
            plan.default.names.join(", ")
        );
        let why = (TRAIN_REASON, "Started");
        crate::cluster::events::record_as(cluster, &fetched.object, why, &line).await;
        event(args, json!({"event": "Started", "rollout": t.name}))?;
    }
    let result = tokio::select! {
        r = drive(api, &target, &plan, args, &mut log) => r,
        _ = deadline(args.timeout) => Err(Failure::TimedOut(format!(
            "autopilot of {name} timed out after {}; the release is left where it is",
            humantime::format_duration(args.timeout)
        )).into()),
        _ = tokio::signal::ctrl_c() => Err(Failure::Interrupted.into()),
    };
    let steps = std::mem::take(&mut log.steps);
    drop(log);
    if let Some(place) = &args.train
        && !matches!(&result, Err(e) if crate::exit::code_for(e) == Code::Interrupted)
    {
        let (action, line) = match &result {
            Ok(()) => ("Passed", "passed".to_string()),
            Err(e) => ("Stopped", format!("stopped the train: {e:#}")),
        };
        let line = format!(
            "release train: cluster {}/{} ({}) {line}",
            place.position, place.of, place.cluster
        );
        // On the object as read at the start: the Event names it, and a read more would
        // tell nothing the message does not.
        let why = (TRAIN_REASON, action);
        crate::cluster::events::record_as(cluster, &fetched.object, why, &line).await;
    }
    if let Some(format) = args.output {
        let mut doc = json!({
            "rollout": t.name,
            "namespace": api.namespace(),
            "result": match &result {
                Ok(()) => "Completed".to_string(),
                Err(e) => format!("{:?}", crate::exit::code_for(e)),
            },
            "message": result.as_ref().err().map(|e| format!("{e:#}")),
            "steps": steps,
        });
        if args.train.is_some() {
            // In a train, the cluster's report is its last event.
            doc["event"] = json!("Finished");
        }
        emit(&match format {
            DataFormat::Json => render::json(&doc)?,
            DataFormat::Yaml => render::yaml(&doc)?,
        })?;
    }
    result.map(|()| Code::Ok)
}

/// Follow the rollout until something is to be done: a step to judge, or the end.
async fn wait_for_next(api: &RolloutApi, target: &Target, log: &Log) -> Result<(Value, Next)> {
    let stream = api.watch(target);
    futures::pin_mut!(stream);
    let name = display_name(&target.name);
    while let Some(ev) = stream.next().await {
        let Some(obj) = ev.with_context(|| format!("cannot watch {name}"))? else {
            return Err(Failure::RolloutFailed(format!("{name} was deleted")).into());
        };
        let r = decode(&obj).with_context(|| format!("cannot read {name}"))?;
        log.status(format!(
            "{name}: step {} {}",
            r.step_label(),
            r.current_state().map(|s| s.as_str()).unwrap_or("")
        ));
        // The workload is read only when the status looks decisive, to tell a status the
        // controller has caught up with from one about the previous release.
        let tentative = next(&r, None);
        if tentative == Next::Wait {
            continue;
        }
        let w = workload_state(api, &r, |_| {}).await?;
        let decided = next(&r, w.as_ref());
        if decided != Next::Wait {
            return Ok((obj, decided));
        }
    }
    anyhow::bail!("the watch of {name} ended unexpectedly")
}

async fn drive(
    api: &RolloutApi,
    target: &Target,
    plan: &Plan,
    args: &AutopilotArgs,
    log: &mut Log,
) -> Result<()> {
    let name = display_name(&target.name);
    loop {
        let (obj, what) = wait_for_next(api, target, log).await?;
        let step = match what {
            Next::Judge(step) => step,
            Next::Done => {
                log.line(&format!("{name}: the release completed"));
                event(args, json!({"event": "Completed", "rollout": target.name}))?;
                if !args.bake.is_zero() {
                    bake(api, target, plan, args, log).await?;
                }
                return Ok(());
            }
            Next::Failed(why) => {
                return Err(Failure::RolloutFailed(format!("{name}: {why}")).into());
            }
            Next::Wait => continue,
        };
        let r = decode(&obj).with_context(|| format!("cannot read {name}"))?;
        let total = r.steps.len();
        let template = plan.for_step(step);
        log.status(format!("{name}: analysing step {step}/{total}"));
        let report = judge(
            api.cluster(),
            &obj,
            template,
            &filled(&r, Some(step), args),
            &args.template.args,
        )
        .await?;
        let mut record = |action: &str| {
            let step = StepReport {
                step,
                templates: template.names.clone(),
                phase: report.phase,
                action: action.to_string(),
                metrics: report.metrics.clone(),
            };
            let doc =
                json!({"event": "Step", "rollout": target.name, "of": total, "report": &step});
            log.steps.push(step);
            event(args, doc)
        };
        match report.phase {
            Phase::Successful => {
                // Conditional on the status the step was judged on: if the controller wrote
                // since, the conflict reads it again and the approval is decided again.
                let judged = Fetched {
                    object: obj,
                    version: target.version,
                };
                let done = write_from(api, judged, "approve", DryRun::None, |r| {
                    Ok(approval(r, decide_approve_step(r, step, None)?))
                })
                .await?;
                // "done already": the step moved on by itself meanwhile.
                record(if done.result == "approved" {
                    "approved"
                } else {
                    "unchanged"
                })?;
                log.line(&format!(
                    "step {step}/{total}: {}; {}",
                    report.summary(),
                    done.message
                ));
                let approved = decode(&done.object).context("cannot read the rollout")?;
                wait_past(api, &target.name, approved, step, std::time::Duration::ZERO).await?;
            }
            Phase::Failed => {
                let action = on_failure(api, target, args.on_failure).await;
                record(acted(&action, args.on_failure))?;
                let did = action?;
                let what = (
                    format!("step {step}/{total}"),
                    format!("{name} step {step}"),
                );
                return Err(failed(log, &report, what, &did));
            }
            Phase::Inconclusive => {
                record("none")?;
                return Err(Failure::Inconclusive(format!(
                    "{name} step {step}: {}; step {step} still waits for approval (approve or undo it)",
                    report.summary()
                ))
                .into());
            }
            Phase::Error | Phase::Running => {
                record("none")?;
                anyhow::bail!(
                    "{name} step {step}: {}; nothing approved or undone, step {step} still waits for approval",
                    report.summary()
                );
            }
        }
    }
}

/// A Failed analysis once `--on-failure` did `did`: said on a line (`short`), and the error
/// that ends the run (`long`, exit 4).
fn failed(log: &Log, report: &Report, (short, long): (String, String), did: &str) -> anyhow::Error {
    log.line(&format!("{short}: {}; {did}", report.summary()));
    Failure::AnalysisFailed(format!("{long}: {}; {did}", report.summary())).into()
}

/// What `--on-failure` came to, as the report says it.
fn acted(action: &Result<String>, on: OnFailure) -> &'static str {
    match (action, on) {
        (Err(_), _) => "failed",
        (Ok(_), OnFailure::Undo) => "undone",
        (Ok(_), OnFailure::Pause) => "paused",
        (Ok(_), OnFailure::None) => "none",
    }
}

/// The args a template is given from the rollout: in a train, `cluster` too.
fn filled(r: &crate::model::Rollout, step: Option<i64>, args: &AutopilotArgs) -> RolloutArgs {
    let mut filled = RolloutArgs::of(r, step);
    if let Some(place) = &args.train {
        filled.0.insert("cluster".into(), place.cluster.clone());
    }
    filled
}

/// In a train with `-o json|yaml`, one document per event as it happens (the cluster's
/// scope tags it with the cluster and sends it out at once).
fn event(args: &AutopilotArgs, doc: Value) -> Result<()> {
    match args.train {
        Some(_) => event_doc(args.output, &doc),
        None => Ok(()),
    }
}

/// An event as `format` says: a JSON line, or a YAML document; nothing without `-o`.
pub(super) fn event_doc(format: Option<DataFormat>, doc: &Value) -> Result<()> {
    match format {
        Some(DataFormat::Json) => emit(&format!("{doc}\n")),
        Some(DataFormat::Yaml) => emit(&format!("---\n{}", render::yaml(doc)?)),
        None => Ok(()),
    }
}

/// `--bake`: the release completed; measure it again and again by the default template
/// until the bake is over. The first failing measurement is acted on as a failed step.
async fn bake(
    api: &RolloutApi,
    target: &Target,
    plan: &Plan,
    args: &AutopilotArgs,
    log: &mut Log,
) -> Result<()> {
    let name = display_name(&target.name);
    let template = &plan.default;
    let until = tokio::time::Instant::now() + args.bake;
    let bake = humantime::format_duration(args.bake);
    log.line(&format!(
        "{name}: baking for {bake}, measuring with {}",
        template.names.join(", ")
    ));
    event(
        args,
        json!({"event": "Baking", "rollout": target.name, "seconds": args.bake.as_secs_f64()}),
    )?;
    let rollout = RolloutRef {
        name: target.name.clone(),
        version: Some(target.version),
    };
    let mut rounds = 0;
    // Between two rounds: the template's shortest interval, found once.
    let mut between = None;
    loop {
        let now = api.get(&rollout).await?;
        let r = decode(&now.object).with_context(|| format!("cannot read {name}"))?;
        let filled = filled(&r, None, args);
        let pause = match between {
            Some(p) => p,
            None => {
                let metrics = template
                    .args(&filled, &args.template.args)
                    .and_then(|a| template.resolve(&a))
                    .map_err(Failure::Usage)?;
                *between.insert(crate::model::autopilot::bake_pause(&metrics))
            }
        };
        log.status(format!("{name}: baking ({bake})"));
        let report = tokio::select! {
            r = judge(api.cluster(), &now.object, template, &filled, &args.template.args) => r?,
            _ = tokio::time::sleep_until(until) => break,
        };
        match report.phase {
            Phase::Successful => {
                rounds += 1;
                tokio::select! {
                    _ = tokio::time::sleep(pause) => {}
                    _ = tokio::time::sleep_until(until) => break,
                }
            }
            Phase::Failed => {
                let action = on_failure(api, target, args.on_failure).await;
                let doc = json!({"event": "BakeFailed", "rollout": target.name,
                    "action": acted(&action, args.on_failure), "metrics": report.metrics});
                event(args, doc)?;
                let did = action?;
                let what = ("bake".to_string(), format!("{name} while baking"));
                return Err(failed(log, &report, what, &did));
            }
            Phase::Inconclusive => {
                return Err(Failure::Inconclusive(format!(
                    "{name} while baking: {}; the release is left as it is",
                    report.summary()
                ))
                .into());
            }
            Phase::Error | Phase::Running => {
                anyhow::bail!(
                    "{name} while baking: {}; the release is left as it is",
                    report.summary()
                );
            }
        }
    }
    log.line(&format!(
        "{name}: baked for {bake} ({rounds} round(s) of measurements passed)"
    ));
    event(
        args,
        json!({"event": "Baked", "rollout": target.name, "rounds": rounds}),
    )
}

/// `--on-failure`: what was done, in words.
async fn on_failure(api: &RolloutApi, target: &Target, action: OnFailure) -> Result<String> {
    let rollout = TargetRef::Rollout(RolloutRef {
        name: target.name.clone(),
        version: Some(target.version),
    });
    match action {
        OnFailure::Undo => {
            let undone = super::undo::roll_back(api, rollout, None, DryRun::None).await?;
            Ok(undone.line)
        }
        OnFailure::Pause => {
            let item = crate::cluster::select::Item {
                namespace: api.namespace().to_string(),
                target: rollout,
            };
            let outcome = super::pause::one(api, item, true, DryRun::None).await?;
            Ok(outcome.message)
        }
        OnFailure::None => Ok("the release is left as it is (--on-failure=none)".into()),
    }
}
