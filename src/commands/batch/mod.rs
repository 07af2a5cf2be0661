//! The verbs on KubeVela's batch rollouts (AppRollout, the `rollout` trait's Rollout).
//!
//! Writes go where they stick: an AppRollout and a hand-made trait Rollout are patched
//! directly (a merge patch carrying the resourceVersion read); a trait Rollout that an
//! Application renders is changed through the Application's trait properties (a JSON patch
//! guarded by `test` operations), since the Application would put a direct edit back.

mod history;
mod watch;
mod writes;

pub use history::history;
pub use watch::{follow, follow_status, snapshot};
pub use writes::{approve_one, pause_one, undo};

use anyhow::{Context, Result, anyhow};
use serde_json::{Value, json};

use crate::cli::DryRun;
use crate::cluster::{Cluster, ObjectApi, app_api};
use crate::commands::write::{Attempt, Outcome, audit, retry_conflicts};
use crate::exit::Failure;
use crate::model::batch::{AppTrait, BatchKind, BatchRollout, app_trait, decode_batch};
use crate::model::state::Refusal;

fn read(obj: &Value) -> Result<BatchRollout, Refusal> {
    decode_batch(obj).map_err(Refusal)
}

/// Read a batch rollout to act on it: one whose status cannot be read refuses `verb`.
pub(super) async fn read_for(
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
pub(super) async fn app_of(
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
pub(super) fn ensure_app_applies(r: &BatchRollout, app: &Value) -> Result<(), Refusal> {
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
pub(super) async fn write_trait_property(
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

fn nothing(object: Value, message: String) -> Outcome {
    Outcome {
        object,
        message,
        notes: Vec::new(),
        result: "unchanged".into(),
        shown: false,
    }
}
