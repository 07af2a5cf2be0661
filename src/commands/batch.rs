//! The verbs on KubeVela's batch rollouts (AppRollout, the `rollout` trait's Rollout).
//!
//! Writes go where they stick: an AppRollout and a hand-made trait Rollout are patched
//! directly (a merge patch carrying the resourceVersion read); a trait Rollout that an
//! Application renders is changed through the Application's trait properties (a JSON patch
//! guarded by `test` operations), since the Application would put a direct edit back.

use anyhow::{Context, Result, anyhow};
use futures::StreamExt;
use serde_json::{Value, json};

use super::emit;
use super::write::{Attempt, Outcome, Plan, audit, retry_conflicts, write_object};
use crate::cli::{DataFormat, DryRun, ObjectFormat};
use crate::cluster::{Cluster, ObjectApi, app_api, batch_api};
use crate::exit::{Code, Failure};
use crate::model::batch::{
    AppTrait, BatchApprove, BatchKind, BatchRollout, BatchUndo, app_trait, check_batch,
    decide_batch_approve, decide_batch_pause, decide_batch_undo, decode_batch, pending_reapply,
    summarize_batch,
};
use crate::model::gate::{Until, Verdict};
use crate::model::state::{Refusal, Toggle};
use crate::render;

fn read(obj: &Value) -> Result<BatchRollout, Refusal> {
    decode_batch(obj).map_err(Refusal)
}

/// Read a batch rollout to act on it: one whose status cannot be read refuses `verb`.
async fn read_for(
    api: &ObjectApi,
    kind: BatchKind,
    name: &str,
    verb: &str,
) -> Result<(Value, BatchRollout)> {
    let obj = api.get(name).await?;
    let r = read(&obj).map_err(|why| {
        Failure::Refused(format!(
            "cannot {verb} {}/{name}: {why}",
            kind.resource_name()
        ))
    })?;
    Ok((obj, r))
}

/// The Application rendering a trait Rollout, and its `rollout` trait; `None` for an
/// AppRollout or a hand-made trait Rollout.
async fn app_of(
    cluster: &Cluster,
    r: &BatchRollout,
) -> Result<Option<(ObjectApi, Value, AppTrait)>> {
    let (BatchKind::TraitRollout, Some(app)) = (r.kind, &r.app) else {
        return Ok(None);
    };
    let api = app_api(cluster);
    let obj = api.get(app).await.with_context(|| {
        format!(
            "cannot read the Application {app} that renders {}",
            r.display_name()
        )
    })?;
    let component = r.component.clone().unwrap_or_else(|| r.name.clone());
    let t = app_trait(&obj, &component)
        .map_err(|why| Failure::Refused(format!("cannot change {}: {why}", r.display_name())))?;
    Ok(Some((api, obj, t)))
}

/// Refuse a write through an Application that would not be applied.
fn ensure_app_applies(r: &BatchRollout, app: &Value) -> Result<(), Refusal> {
    let publish = app
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(crate::model::batch::PUBLISH_VERSION))
        .and_then(Value::as_str);
    match publish {
        Some(v) => Err(Refusal(format!(
            "its Application {} has app.oam.dev/publishVersion {v}: a change of its trait \
             properties is not applied until the publish version changes (use vela to publish)",
            r.app.as_deref().unwrap_or("")
        ))),
        None => Ok(()),
    }
}

/// Change one trait property through the Application (read, decide, test-guarded write,
/// again on a conflict), or the Rollout itself when the trait does not set that property.
/// `on_cr`: when the trait does not set `key`, the patch to write on the Rollout itself
/// (someone set it there by hand, and the Application leaves it alone); `None` to add it to
/// the trait.
#[allow(clippy::too_many_arguments)]
async fn write_trait_property(
    cluster: &Cluster,
    api: &ObjectApi,
    name: &str,
    verb: &str,
    key: &str,
    dry_run: DryRun,
    first: Option<Value>,
    decide: impl Fn(&BatchRollout) -> Result<(Option<Value>, String), Refusal>,
    on_cr: impl Fn(&Value) -> Option<Value>,
) -> Result<Outcome> {
    let display = format!("{}/{name}", BatchKind::TraitRollout.resource_name());
    let mut first = first;
    retry_conflicts(&format!("{verb} {display}"), async || {
        // The object just read by the caller, then (after a conflict) a fresh read.
        let obj = match first.take() {
            Some(o) => o,
            None => api.get(name).await?,
        };
        let r = read(&obj)
            .map_err(|why| Failure::Refused(format!("cannot {verb} {display}: {why}")))?;
        let (value, done) = decide(&r)
            .map_err(|why| Failure::Refused(format!("cannot {verb} {display}: {why}")))?;
        let Some(value) = value else {
            return Ok(Attempt::Done(nothing(obj, done)));
        };
        let Some((aapi, app, t)) = app_of(cluster, &r).await? else {
            return Err(anyhow!("{display} is not rendered by an Application"));
        };
        if t.properties.get(key).is_none()
            && let Some(mut patch) = on_cr(&value)
        {
            // Set on the Rollout by hand: the Application does not render it, so it is
            // written where it is, conditional on the resourceVersion read.
            patch["metadata"] = json!({"resourceVersion": r.resource_version});
            let sent = super::write::send(dry_run, &obj, &patch, async |server| {
                api.patch(name, &patch, false, server).await
            })
            .await
            .with_context(|| format!("cannot {verb} {display}"))?;
            return Ok(match sent {
                Attempt::Done(object) => {
                    audit(cluster, dry_run, verb, &object, &done).await;
                    Attempt::Done(Outcome {
                        object,
                        message: format!("{done}{}", dry_run.suffix()),
                        notes: Vec::new(),
                        result: super::write::past(verb).to_string(),
                        shown: false,
                    })
                }
                Attempt::Conflict => Attempt::Conflict,
            });
        }
        if t.properties.get(key) == Some(&value) {
            return Ok(Attempt::Done(nothing(
                obj,
                format!(
                    "{display}: its Application already sets {key} {value}; the Rollout shows it \
                     once the Application is applied again"
                ),
            )));
        }
        ensure_app_applies(&r, &app)
            .map_err(|why| Failure::Refused(format!("cannot {verb} {display}: {why}")))?;
        let component = r.component.clone().unwrap_or_else(|| r.name.clone());
        let app_name = r.app.clone().unwrap_or_default();
        let ops = t.set_property(&component, key, value.clone());
        let sent = match dry_run {
            DryRun::Client => Ok(app.clone()),
            _ => {
                aapi.json_patch(&app_name, &ops, dry_run == DryRun::Server)
                    .await
            }
        };
        let written = match sent {
            Ok(o) => o,
            Err(crate::cluster::ApiError::Conflict(_)) => return Ok(Attempt::Conflict),
            Err(e) => return Err(anyhow::Error::new(e).context(format!("cannot {verb} {display}"))),
        };
        let note = format!(
            "written to the {key} property of the rollout trait of Application {app_name}; \
             the Rollout shows it once the Application is applied again"
        );
        if dry_run == DryRun::None {
            audit(cluster, dry_run, verb, &written, &done).await;
        }
        Ok(Attempt::Done(Outcome {
            object: written,
            message: format!("{done}{}", dry_run.suffix()),
            notes: vec![note],
            result: super::write::past(verb).to_string(),
            shown: false,
        }))
    })
    .await
}

/// `approve` of one batch rollout (and with `--wait`, follow it past the batch).
pub async fn approve_one(
    cluster: &Cluster,
    kind: BatchKind,
    name: &str,
    expect: Option<i64>,
    wait: Option<std::time::Duration>,
    dry_run: DryRun,
) -> Result<Outcome> {
    let api = batch_api(cluster, kind);
    let (obj, r) = read_for(&api, kind, name, "approve").await?;
    let plan = |r: &BatchRollout| -> Result<(Option<i64>, String), Refusal> {
        Ok(match decide_batch_approve(r, expect)? {
            BatchApprove::Write {
                to, batch, total, ..
            } => (
                Some(to),
                format!(
                    "{} approved (batch {batch}/{total} -> {}/{total})",
                    r.display_name(),
                    batch + 1
                ),
            ),
            BatchApprove::Passed { batch, now } => (
                None,
                format!(
                    "{} batch {batch} is done already: the rollout is at batch {now}/{}",
                    r.display_name(),
                    r.batches.len()
                ),
            ),
        })
    };
    let outcome = if r.kind == BatchKind::TraitRollout && r.app.is_some() {
        write_trait_property(
            cluster,
            &api,
            name,
            "approve",
            "batchPartition",
            dry_run,
            Some(obj),
            |r| {
                let (to, done) = plan(r)?;
                Ok((to.map(|t| json!(t)), done))
            },
            |v| Some(json!({"spec": {"rolloutPlan": {"batchPartition": v}}})),
        )
        .await?
    } else {
        write_object(
            &api,
            name,
            &r.display_name(),
            Some(obj),
            "approve",
            dry_run,
            |o| {
                let r = read(o)?;
                Ok(match plan(&r)? {
                    (Some(to), done) => Plan::Write {
                        patch: json!({"spec": {"rolloutPlan": {"batchPartition": to}}}),
                        status: false,
                        done,
                        notes: Vec::new(),
                    },
                    (None, msg) => Plan::Nothing(msg),
                })
            },
        )
        .await?
    };
    if let Some(limit) = wait
        && dry_run == DryRun::None
        && outcome.result == "approved"
    {
        let batch = r.current_batch.unwrap_or(0) + 1;
        follow(&api, name, limit, move |r| {
            match check_batch(Until::Step(batch + 1), r) {
                Verdict::Holds(_) => Verdict::Holds(format!("moved past batch {batch}")),
                other => other,
            }
        })
        .await?;
    }
    Ok(outcome)
}

fn nothing(object: Value, message: String) -> Outcome {
    Outcome {
        object,
        message,
        notes: Vec::new(),
        result: "unchanged".into(),
        shown: false,
    }
}

/// `pause` / `resume`: `spec.rolloutPlan.paused` on the object (no trait property exists for
/// it, and an Application's re-apply leaves it alone).
pub async fn pause_one(
    cluster: &Cluster,
    kind: BatchKind,
    name: &str,
    pause: bool,
    dry_run: DryRun,
) -> Result<Outcome> {
    let api = batch_api(cluster, kind);
    let verb = if pause { "pause" } else { "resume" };
    let display = format!("{}/{name}", kind.resource_name());
    write_object(&api, name, &display, None, verb, dry_run, |o| {
        let r = read(o)?;
        Ok(match decide_batch_pause(&r, pause)? {
            Toggle::Already(true) => Plan::Nothing(format!("{display} is already paused")),
            Toggle::Already(false) => Plan::Nothing(format!("{display} is not paused")),
            Toggle::Write(p) => Plan::Write {
                patch: json!({"spec": {"rolloutPlan": {"paused": p}}}),
                status: false,
                done: format!("{display} {}", if p { "paused" } else { "resumed" }),
                notes: Vec::new(),
            },
        })
    })
    .await
}

/// `undo`: an AppRollout swaps its revisions; a trait Rollout goes back to its previous
/// component revision (through the Application, which then pins the component to it).
pub async fn undo(
    cluster: &Cluster,
    kind: BatchKind,
    name: &str,
    dry_run: DryRun,
    output: Option<ObjectFormat>,
) -> Result<Code> {
    let api = batch_api(cluster, kind);
    let (obj, r) = read_for(&api, kind, name, "undo").await?;
    let outcome = if r.kind == BatchKind::TraitRollout && r.app.is_some() {
        let mut o = write_trait_property(
            cluster,
            &api,
            name,
            "undo",
            "targetRevision",
            dry_run,
            Some(obj),
            |r| match decide_batch_undo(r)? {
                BatchUndo::TargetRevision(rev) => Ok((
                    Some(json!(rev)),
                    format!("{} rolled back to {rev}", r.display_name()),
                )),
                BatchUndo::Swap { .. } => Err(Refusal(
                    "an AppRollout is not rendered by an Application".into(),
                )),
            },
            |_| None,
        )
        .await?;
        o.notes.push(
            "the trait's targetRevision now pins the component to that revision; remove it to \
             follow new revisions again"
                .into(),
        );
        o
    } else {
        write_object(&api, name, &r.display_name(), Some(obj), "undo", dry_run, |o| {
            let r = read(o)?;
            Ok(match decide_batch_undo(&r)? {
                BatchUndo::Swap { source, target } => Plan::Write {
                    patch: json!({"spec": {"sourceAppRevisionName": source, "targetAppRevisionName": target}}),
                    status: false,
                    done: format!("{} rolled back: {source} -> {target}", r.display_name()),
                    notes: r
                        .partition
                        .map(|p| format!("its batchPartition {p} gates the rollback too; approve its batches as before"))
                        .into_iter()
                        .collect(),
                },
                BatchUndo::TargetRevision(rev) => Plan::Write {
                    patch: json!({"spec": {"targetRevisionName": rev}}),
                    status: false,
                    done: format!("{} rolled back to {rev}", r.display_name()),
                    notes: Vec::new(),
                },
            })
        })
        .await?
    };
    super::bulk::show(&outcome, &r.display_name(), output)?;
    Ok(Code::Ok)
}

/// The view or document of one batch rollout now.
pub async fn snapshot(
    cluster: &Cluster,
    kind: BatchKind,
    name: &str,
    output: Option<DataFormat>,
) -> Result<(Value, String)> {
    let api = batch_api(cluster, kind);
    let obj = api.get(name).await?;
    let r = decode_batch(&obj)
        .map_err(|e| anyhow!("cannot read {}/{name}: {e}", kind.resource_name()))?;
    let pending = match app_of(cluster, &r).await {
        Ok(Some((_, _, t))) => pending_reapply(&r, &t),
        _ => None,
    };
    let s = summarize_batch(&r, pending);
    let text = match output {
        Some(DataFormat::Json) => render::json(&s)?,
        Some(DataFormat::Yaml) => render::yaml(&s)?,
        None => render::batch_view(&s),
    };
    Ok((serde_json::to_value(&s)?, text))
}

/// Follow a batch rollout until `check` says it holds (Ok) or never will (exit 4).
pub async fn follow(
    api: &ObjectApi,
    name: &str,
    limit: std::time::Duration,
    check: impl Fn(&BatchRollout) -> Verdict,
) -> Result<String> {
    let display = |r: &BatchRollout| r.display_name();
    let stream = api.watch(name);
    futures::pin_mut!(stream);
    let timeout = super::status::deadline(limit);
    futures::pin_mut!(timeout);
    let interrupted = tokio::signal::ctrl_c();
    futures::pin_mut!(interrupted);
    let mut last: Option<BatchRollout> = None;
    loop {
        tokio::select! {
            ev = stream.next() => {
                let obj = match ev {
                    Some(Ok(Some(obj))) => obj,
                    Some(Ok(None)) => return Err(Failure::RolloutFailed(format!("{name} was deleted")).into()),
                    Some(Err(e)) => return Err(anyhow::Error::new(e).context(format!("cannot watch {name}"))),
                    None => anyhow::bail!("the watch of {name} ended unexpectedly"),
                };
                let r = decode_batch(&obj).map_err(|e| anyhow!("cannot read {name}: {e}"))?;
                match check(&r) {
                    Verdict::Holds(why) => return Ok(format!("{}: {why}", display(&r))),
                    Verdict::Never(why) => {
                        return Err(Failure::RolloutFailed(format!("{}: {why}", display(&r))).into());
                    }
                    Verdict::Wait => last = Some(r),
                }
            }
            _ = &mut timeout => {
                let at = last.as_ref().map_or("unknown".to_string(), |r| {
                    format!("{} at batch {}/{}", r.stage().0.as_str(), r.current_batch.unwrap_or(0) + 1, r.batches.len())
                });
                return Err(Failure::TimedOut(format!(
                    "timed out after {} waiting for {name}; it is {at}",
                    humantime::format_duration(limit)
                )).into());
            }
            _ = &mut interrupted => return Err(Failure::Interrupted.into()),
        }
    }
}

/// `status --until` (or `--watch`) on a batch rollout.
pub async fn follow_status(
    cluster: &Cluster,
    kind: BatchKind,
    name: &str,
    until: Option<Until>,
    limit: std::time::Duration,
) -> Result<String> {
    let api = batch_api(cluster, kind);
    follow(&api, name, limit, move |r| match until {
        Some(u) => check_batch(u, r),
        // Plain --watch stops where a person has something to do, or at the end.
        None => match check_batch(Until::Paused, r) {
            Verdict::Never(_) => check_batch(Until::Completed, r),
            v => v,
        },
    })
    .await
}

/// `history`: the revisions an AppRollout or trait Rollout moves between.
pub async fn history(
    cluster: &Cluster,
    kind: BatchKind,
    name: &str,
    output: Option<DataFormat>,
) -> Result<Code> {
    let api = batch_api(cluster, kind);
    let obj = api.get(name).await?;
    let r = decode_batch(&obj)
        .map_err(|e| anyhow!("cannot read {}/{name}: {e}", kind.resource_name()))?;
    let (plural, selector) = match kind {
        BatchKind::AppRollout => {
            let app = r
                .target
                .as_deref()
                .and_then(crate::cluster::select::revision_app)
                .unwrap_or(&r.name)
                .to_string();
            (
                "applicationrevisions",
                format!("{}={app}", crate::model::batch::APP_NAME),
            )
        }
        BatchKind::TraitRollout => (
            "controllerrevisions",
            format!(
                "controller.oam.dev/component={}",
                r.component.as_deref().unwrap_or(&r.name)
            ),
        ),
    };
    let (group, version, k) = match kind {
        BatchKind::AppRollout => ("core.oam.dev", "v1beta1", "ApplicationRevision"),
        BatchKind::TraitRollout => ("apps", "v1", "ControllerRevision"),
    };
    let rapi = ObjectApi::new(
        cluster,
        kube::core::ApiResource::from_gvk_with_plural(
            &kube::core::GroupVersionKind::gvk(group, version, k),
            plural,
        ),
    );
    let mut revs: Vec<(i64, String)> = rapi
        .list_values(Some(&selector))
        .await?
        .iter()
        .filter_map(|o| {
            let name = o.pointer("/metadata/name")?.as_str()?.to_string();
            let n = o
                .get("revision")
                .and_then(Value::as_i64)
                .or_else(|| name.rsplit_once("-v").and_then(|(_, n)| n.parse().ok()))?;
            Some((n, name))
        })
        .collect();
    revs.sort();
    let source = r.source.clone().or(r.last_source.clone());
    let doc: Vec<Value> = revs
        .iter()
        .map(|(n, name)| {
            json!({"revision": n, "name": name,
                   "source": source.as_deref() == Some(name.as_str()),
                   "target": r.target.as_deref() == Some(name.as_str())})
        })
        .collect();
    let doc = json!({"rollout": r.display_name(), "revisions": doc});
    emit(&match output {
        Some(DataFormat::Json) => render::json(&doc)?,
        Some(DataFormat::Yaml) => render::yaml(&doc)?,
        None => {
            let rows = revs
                .iter()
                .map(|(n, name)| {
                    let mark = match (
                        source.as_deref() == Some(name.as_str()),
                        r.target.as_deref() == Some(name.as_str()),
                    ) {
                        (_, true) => "target",
                        (true, _) => "source",
                        _ => "-",
                    };
                    vec![n.to_string(), name.clone(), mark.to_string()]
                })
                .collect();
            render::plain_table(Some(&["REVISION", "NAME", "RELEASE"]), rows)
        }
    })?;
    Ok(Code::Ok)
}
