//! `rollout restart`: new pods for a workload, or for a rollout's workload.

use anyhow::Result;

use super::api_for;
use super::history::resolve;
use super::write::{Outcome, Plan, write_object};
use crate::cli::DryRun;
use crate::cluster::select::Item;
use crate::cluster::{RolloutApi, WorkloadApi};
use crate::model::workload_verbs::{decide_restart, display};

pub async fn one(api: &RolloutApi, item: Item, dry_run: DryRun) -> Result<Outcome> {
    let api = api_for(api, &item);
    // A rollout restarts the workload it names (one GET of the rollout first).
    let resolved = resolve(&api, item.target.clone()).await?;
    let wapi = WorkloadApi::new(api.cluster(), resolved.kind).object();
    let shown = display(resolved.kind, &resolved.name);
    let now = jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    write_object(
        &wapi,
        &resolved.name,
        &shown,
        None,
        "restart",
        dry_run,
        |obj| {
            let r = decide_restart(resolved.kind, obj, &now)?;
            Ok(Plan::Write {
                patch: r.patch,
                status: false,
                done: format!("{shown} restarted"),
                notes: r.notes,
            })
        },
    )
    .await
}
