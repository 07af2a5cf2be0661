//! The writes: approve, pause/resume and undo of one batch rollout.

use anyhow::Result;
use serde_json::json;

use crate::cli::{DryRun, ObjectFormat};
use crate::cluster::{Cluster, batch_api};
use crate::commands::write::{Outcome, Plan, write_object};
use crate::exit::Code;
use crate::model::batch::{
    BatchApprove, BatchKind, BatchRollout, BatchUndo, check_batch, decide_batch_approve,
    decide_batch_pause, decide_batch_undo,
};
use crate::model::gate::{Until, Verdict};
use crate::model::state::{Refusal, Toggle};

use super::{follow, read, read_for, write_trait_property};

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
    crate::commands::bulk::show(&outcome, &r.display_name(), output)?;
    Ok(Code::Ok)
}
