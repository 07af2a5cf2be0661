//! Reading and following a batch rollout: `status`, its `--watch`/`--until`, and the
//! waits of `approve --wait`.

use anyhow::{Result, anyhow};
use futures::StreamExt;
use serde_json::Value;

use crate::cli::DataFormat;
use crate::cluster::{Cluster, ObjectApi, batch_api};
use crate::exit::Failure;
use crate::model::batch::{
    BatchKind, BatchRollout, check_batch, decode_batch, pending_reapply, summarize_batch,
};
use crate::model::gate::{Until, Verdict};
use crate::render;

use super::app_of;

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
    let timeout = crate::commands::follow::deadline(limit);
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
