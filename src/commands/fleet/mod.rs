//! `rollout list --watch`: a live fleet view. One list, then one watch from the list's
//! resourceVersion: reconnecting from the last one seen, listing again only when the server
//! no longer has it (410 Gone). Nothing is polled: an idle fleet costs no requests.

mod view;

use std::time::Duration;

use anyhow::Result;
use futures::StreamExt;
use kube::api::{Api, DynamicObject, WatchEvent, WatchParams};
use serde_json::Value;

use super::options::list_read;
use super::reach::Target;
use crate::cli::ListArgs;
use crate::cluster::{ApiError, ConnectOptions, RolloutApi};
use crate::exit::{Code, Failure};
use crate::model::ApiVersion;
use view::{Collector, Fleet, Update, View, mode};

/// How long the server may hold one watch open; it then ends it and we watch again.
const WATCH_SECONDS: u32 = 290;

/// The watch of the fleet's rollouts at `version`, from `rv`.
fn watch_api(api: &RolloutApi, version: ApiVersion, all: bool) -> Api<DynamicObject> {
    let ar = crate::cluster::rollout_resource(version);
    let client = api.cluster().client.clone();
    if all {
        Api::all_with(client, &ar)
    } else {
        Api::namespaced_with(client, api.namespace(), &ar)
    }
}

fn object_rv(obj: &DynamicObject) -> Option<String> {
    obj.metadata.resource_version.clone()
}

pub async fn run(api: &RolloutApi, args: &ListArgs) -> Result<Code> {
    let mut view = View {
        mode: mode(args.output)?,
        all_namespaces: args.all_namespaces,
        clusters: false,
    };
    let mut fleet = Fleet::default();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let watch = follow(api, args, String::new(), tx);
    futures::pin_mut!(watch);
    let interrupted = tokio::signal::ctrl_c();
    futures::pin_mut!(interrupted);
    loop {
        tokio::select! {
            Some(update) = rx.recv() => view.apply(&mut fleet, update)?,
            // It ends only on an error (the updates it sent before are shown first).
            res = &mut watch => {
                while let Ok(update) = rx.try_recv() {
                    view.apply(&mut fleet, update)?;
                }
                return res.map(|()| Code::Ok);
            }
            _ = &mut interrupted => return Err(Failure::Interrupted.into()),
        }
    }
}

/// `list --watch` in several clusters: one view; a cluster that cannot be reached, listed
/// or watched is named in it, and the others go on.
pub async fn run_clusters(
    targets: &[Target],
    opts: &ConnectOptions,
    max: usize,
    args: &ListArgs,
) -> Result<Code> {
    let mut view = View {
        mode: mode(args.output)?,
        all_namespaces: args.all_namespaces,
        clusters: true,
    };
    let mut fleet = Fleet {
        clusters: targets
            .iter()
            .map(|t| (t.name.clone(), Some("connecting".to_string())))
            .collect(),
        ..Fleet::default()
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let gate = tokio::sync::Semaphore::new(max);
    let gate = &gate;
    let mut watches: futures::stream::FuturesUnordered<_> = targets
        .iter()
        .map(|t| {
            let tx = tx.clone();
            async move {
                let res = async {
                    let cluster = {
                        let _place = gate.acquire().await?;
                        t.connect(opts).await?
                    };
                    follow(&RolloutApi::new(cluster), args, t.name.clone(), tx.clone()).await
                }
                .await;
                if let Err(e) = res {
                    tx.send(Update::Failed(t.name.clone(), e)).ok();
                }
            }
        })
        .collect();
    drop(tx);
    let interrupted = tokio::signal::ctrl_c();
    futures::pin_mut!(interrupted);
    loop {
        tokio::select! {
            Some(update) = rx.recv() => view.apply(&mut fleet, update)?,
            Some(()) = watches.next() => {}
            _ = &mut interrupted => return Err(Failure::Interrupted.into()),
            else => {
                // Every cluster has failed: nothing is left to watch.
                return Ok(Code::Error);
            }
        }
    }
}

/// One cluster's rollouts: a list, then a watch from its resourceVersion, reconnecting
/// from the last one seen and listing again on 410 Gone. Returns only on an error that
/// watching again cannot mend.
async fn follow(
    api: &RolloutApi,
    args: &ListArgs,
    cluster: String,
    tx: tokio::sync::mpsc::UnboundedSender<Update>,
) -> Result<()> {
    let read = list_read(args);
    let collector = || Collector {
        cluster: cluster.clone(),
        listed: Vec::new(),
    };
    let (collected, mut rv, version) = api.list_into(&read, collector()).await?;
    tx.send(Update::Listed(cluster.clone(), collected.listed))
        .ok();
    let watch = watch_api(api, version, args.all_namespaces);
    let mut wp = WatchParams::default().timeout(WATCH_SECONDS);
    if let Some(sel) = &args.selector {
        wp = wp.labels(sel);
    }
    let mut backoff = Duration::from_millis(500);
    loop {
        let stream = match watch.watch(&wp, &rv).await {
            Ok(s) => s,
            Err(e) => {
                let e = api_error(api, e);
                if matches!(
                    e,
                    ApiError::Forbidden(_)
                        | ApiError::NotServed(_)
                        | ApiError::Unauthorized
                        | ApiError::Credentials { .. }
                ) {
                    return Err(anyhow::Error::new(e).context("cannot watch the rollouts"));
                }
                // The server is away: try again, a little later each time.
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(30));
                continue;
            }
        };
        backoff = Duration::from_millis(500);
        futures::pin_mut!(stream);
        let mut relist = false;
        while let Some(ev) = stream.next().await {
            match ev {
                Ok(WatchEvent::Added(o) | WatchEvent::Modified(o)) => {
                    rv = object_rv(&o).unwrap_or(rv);
                    let value = with_kind(serde_json::to_value(&o)?, version);
                    tx.send(Update::Changed(cluster.clone(), "MODIFIED", value))
                        .ok();
                }
                Ok(WatchEvent::Deleted(o)) => {
                    rv = object_rv(&o).unwrap_or(rv);
                    let value = serde_json::to_value(&o)?;
                    tx.send(Update::Changed(cluster.clone(), "DELETED", value))
                        .ok();
                }
                Ok(WatchEvent::Bookmark(b)) => rv = b.metadata.resource_version,
                // The server no longer has our resourceVersion: list again.
                Ok(WatchEvent::Error(s)) if s.code == 410 => {
                    relist = true;
                    break;
                }
                Ok(WatchEvent::Error(s)) => {
                    anyhow::bail!("the watch of the rollouts failed: {}", s.message);
                }
                // A dropped connection, or the server's timeout: watch again from rv.
                Err(_) => break,
            }
        }
        if relist {
            let (collected, new_rv, _) = api.list_into(&read, collector()).await?;
            tx.send(Update::Listed(cluster.clone(), collected.listed))
                .ok();
            rv = new_rv;
        }
    }
}

fn api_error(api: &RolloutApi, e: kube::Error) -> ApiError {
    ApiError::from_kube(
        e,
        "rollouts.rollouts.kruise.io",
        "",
        api.namespace(),
        &api.cluster().server,
    )
}

/// Watched objects come with apiVersion and kind; listed ones did not, and were given them.
fn with_kind(mut v: Value, version: ApiVersion) -> Value {
    if v.get("kind").is_none_or(Value::is_null) {
        v["apiVersion"] = Value::String(version.to_string());
        v["kind"] = Value::String("Rollout".into());
    }
    v
}
