//! `rollout undo`: put the workload's template back to the stable revision (the
//! controller then cancels the release), or with `--fast` step the release back.

use anyhow::{Context, Result};
use serde_json::json;

use super::history::{Resolved, load, resolve};
use super::write::{Plan, audit, retry_conflicts, send, write_checked};
use super::{emit, print_object};
use crate::cli::{DryRun, ObjectFormat, UndoArgs};
use crate::cluster::{RolloutApi, TargetRef, WorkloadApi};
use crate::exit::{Code, Failure};
use crate::model::revision::{Undo, Why, decide_undo};
use crate::model::state::decide_fast_undo;

fn list(images: &[String]) -> String {
    if images.is_empty() {
        "no image".into()
    } else {
        images.join(",")
    }
}

fn result_line(workload: &str, u: &Undo, dry_run: DryRun) -> String {
    format!(
        "{workload} rolled back to revision {} ({}): {} -> {}{}",
        u.to.revision,
        u.to.hash,
        list(&u.from_images),
        list(&u.to.images),
        dry_run.suffix()
    )
}

pub async fn run(api: &RolloutApi, target: TargetRef, args: &UndoArgs) -> Result<Code> {
    let dry_run = args.write.dry_run;
    if args.fast {
        let TargetRef::Rollout(r) = target else {
            return Err(Failure::Usage("--fast needs a rollout".into()).into());
        };
        let outcome = write_checked(api, &r, "undo --fast", dry_run, |ro| {
            let jump = decide_fast_undo(ro)?;
            let field = ro.release_field.json_name();
            Ok(Plan::Write {
                patch: json!({ "status": { field: { "nextStepIndex": jump.to } } }),
                status: true,
                done: format!(
                    "{} stepped back from step {}/{} to step {}/{}",
                    ro.display_name(),
                    jump.from,
                    jump.total,
                    jump.to,
                    jump.total
                ),
                notes: Vec::new(),
            })
        })
        .await?;
        print_object(
            &outcome.object,
            &crate::model::display_name(&r.name),
            &outcome.message,
            args.output,
        )?;
        return Ok(Code::Ok);
    }

    let undone = roll_back(api, target, args.to_revision, dry_run).await?;
    if let Some(note) = &undone.note {
        crate::errln!("note: {note}");
    }
    match args.output {
        Some(ObjectFormat::Name) => emit(&format!("{}\n", undone.display))?,
        Some(_) => print_object(&undone.object, &undone.name, "", args.output)?,
        None => emit(&format!("{}\n", undone.line))?,
    }
    Ok(Code::Ok)
}

/// A release rolled back: the workload as written, and what to say about it.
pub(crate) struct Undone {
    pub object: serde_json::Value,
    pub name: String,
    pub display: String,
    pub line: String,
    pub note: Option<String>,
}

/// Put the workload of `target` back to the stable revision (or `to_revision`), recording
/// the Event; the release's controller then cancels it.
pub(crate) async fn roll_back(
    api: &RolloutApi,
    target: TargetRef,
    to_revision: Option<i64>,
    dry_run: DryRun,
) -> Result<Undone> {
    let resolved = resolve(api, target).await?;
    if let Some(app) = resolved.rollout.as_ref().and_then(|r| r.owner_app.clone()) {
        return Err(Failure::Refused(format!(
            "cannot undo {}: KubeVela Application {app} renders it and would put a workload-level \
             rollback back; roll the application back instead: vela workflow rollback {app} (it \
             needs app.oam.dev/publishVersion), or revert the Application",
            resolved
                .rollout
                .as_ref()
                .map(|r| r.display_name())
                .unwrap_or_default()
        ))
        .into());
    }
    let wapi = WorkloadApi::new(api.cluster(), resolved.kind);
    let (object, undo, display) = restore(&wapi, &resolved, to_revision, dry_run).await?;
    let line = result_line(&display, &undo, dry_run);
    audit(api.cluster(), dry_run, "undo", &object, &line).await;
    let note = match (&undo.why, &resolved.rollout) {
        (Why::Stable(source), Some(ro)) if dry_run == DryRun::None => Some(format!(
            "that is the stable revision of {source}; its controller now cancels the \
             release and routes traffic back (follow it: kubectl kruise rollout status rollout/{} --watch)",
            ro.name
        )),
        _ => None,
    };
    Ok(Undone {
        object,
        name: resolved.name.clone(),
        display,
        line,
        note,
    })
}

/// Read the workload and its history, decide, and write the template conditional on the
/// resourceVersion read; on a conflict read everything again and decide again.
async fn restore(
    api: &WorkloadApi,
    r: &Resolved,
    to_revision: Option<i64>,
    dry_run: DryRun,
) -> Result<(serde_json::Value, Undo, String)> {
    let what = format!("undo {}/{}", r.kind.resource_name(), r.name);
    retry_conflicts(&what, async || {
        let loaded = load(api, r).await?;
        let display = loaded.workload.display_name();
        let undo = decide_undo(
            &loaded.workload,
            &loaded.history,
            loaded.stable.as_ref(),
            loaded.settled.as_deref(),
            to_revision,
        )
        .map_err(|why| Failure::Refused(format!("cannot undo {display}: {why}")))?;
        let mut patch = undo.patch.clone();
        patch["metadata"]["resourceVersion"] = json!(loaded.workload.resource_version);
        let sent = send(dry_run, &loaded.object, &patch, async |server| {
            api.patch(&r.name, &patch, server).await
        })
        .await
        .with_context(|| format!("cannot undo {display}"))?;
        Ok(sent.map(|object| (object, undo, display)))
    })
    .await
}
