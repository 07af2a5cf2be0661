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
use crate::cluster::stream_list::ItemSink;
use crate::cluster::{ApiError, ConnectOptions, RolloutApi};
use crate::exit::{Code, Failure};
use crate::model::ApiVersion;
use crate::model::batch::BatchKind;
use view::{Collector, Fleet, View, mode};
pub(super) use view::{Entry, Key, Update, keyed};

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
        kinds: false,
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
        kinds: false,
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

/// One cluster's releases: its Kruise Rollouts and, where the cluster serves them,
/// KubeVela's AppRollouts and trait Rollouts (as `list` lists them), each kind listed, then
/// watched. Returns only on an error that watching again cannot mend.
pub(super) async fn follow(
    api: &RolloutApi,
    args: &ListArgs,
    cluster: String,
    tx: tokio::sync::mpsc::UnboundedSender<Update>,
) -> Result<()> {
    let kruise = follow_rollouts(api, args, &cluster, &tx);
    // Discovery goes out beside the Kruise list: no round trip more before the first rows.
    let vela = async {
        let kinds = crate::cluster::vela_kinds(api.cluster()).await?;
        if !kinds.is_empty() {
            tx.send(Update::Kinds).ok();
        }
        futures::future::try_join_all(
            kinds
                .into_iter()
                .map(|kind| follow_batches(api, kind, args, &cluster, &tx)),
        )
        .await?;
        // No KubeVela here: the Kruise watch goes on alone.
        futures::future::pending::<Result<()>>().await
    };
    tokio::select! {
        res = kruise => res,
        res = vela => res,
    }
}

/// The cluster's Kruise Rollouts: a list, then a watch from its resourceVersion.
async fn follow_rollouts(
    api: &RolloutApi,
    args: &ListArgs,
    cluster: &str,
    tx: &tokio::sync::mpsc::UnboundedSender<Update>,
) -> Result<()> {
    let read = list_read(args);
    let group = crate::model::GROUP;
    let collector = || Collector {
        cluster: cluster.to_string(),
        group,
        listed: Vec::new(),
        tx: tx.clone(),
    };
    let (collected, rv, version) = api.list_into(&read, collector()).await?;
    tx.send(Update::Listed(cluster.to_string(), group, collected.listed))
        .ok();
    let watched = Watched {
        api: watch_api(api, version, args.all_namespaces),
        what: "rollouts",
        classify: &|e| api_error(api, e),
        typed: &|v| with_kind(v, version),
    };
    watched
        .follow(args, rv, cluster, tx, || async {
            let (collected, rv, _) = api.list_into(&read, collector()).await?;
            tx.send(Update::Listed(cluster.to_string(), group, collected.listed))
                .ok();
            Ok(rv)
        })
        .await
}

/// The cluster's KubeVela releases of one kind: a list, then a watch.
async fn follow_batches(
    api: &RolloutApi,
    kind: BatchKind,
    args: &ListArgs,
    cluster: &str,
    tx: &tokio::sync::mpsc::UnboundedSender<Update>,
) -> Result<()> {
    let bapi = crate::cluster::batch_api(api.cluster(), kind);
    let list = || async {
        let (items, rv) = bapi
            .list_from(args.selector.as_deref(), args.all_namespaces)
            .await?;
        let mut collected = Collector {
            cluster: cluster.to_string(),
            group: kind.group(),
            listed: Vec::new(),
            tx: tx.clone(),
        };
        for item in items {
            collected.item(item)?;
        }
        tx.send(Update::Listed(
            cluster.to_string(),
            kind.group(),
            collected.listed,
        ))
        .ok();
        anyhow::Ok(rv)
    };
    let rv = match list().await {
        Ok(rv) => rv,
        // The group is served but not this kind (a KubeVela without it): as `list`.
        Err(e) if matches!(e.downcast_ref(), Some(ApiError::NotServed(_))) => {
            return futures::future::pending().await;
        }
        Err(e) => return Err(e),
    };
    let api_version = format!("{}/{}", kind.group(), kind.version());
    let watched = Watched {
        api: bapi.collection(args.all_namespaces),
        what: kind.plural(),
        classify: &|e| bapi.classify(e, ""),
        typed: &|mut v: Value| {
            if v.get("kind").is_none_or(Value::is_null) {
                v["apiVersion"] = Value::String(api_version.clone());
                v["kind"] = Value::String(kind.kind().into());
            }
            v
        },
    };
    watched.follow(args, rv, cluster, tx, list).await
}

/// One kind watched in one cluster.
struct Watched<'a> {
    api: Api<DynamicObject>,
    /// The kind's plural, for messages.
    what: &'a str,
    classify: &'a (dyn Fn(kube::Error) -> ApiError + Sync),
    /// Gives a watched object its apiVersion and kind when it came without.
    typed: &'a (dyn Fn(Value) -> Value + Sync),
}

impl Watched<'_> {
    /// Watch from `rv`, reconnecting from the last one seen, and `relist` (which shows the
    /// list and gives its resourceVersion) when the server no longer has it (410 Gone).
    async fn follow<F, Fut>(
        &self,
        args: &ListArgs,
        mut rv: String,
        cluster: &str,
        tx: &tokio::sync::mpsc::UnboundedSender<Update>,
        relist: F,
    ) -> Result<()>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<String>>,
    {
        let mut wp = WatchParams::default().timeout(WATCH_SECONDS);
        if let Some(sel) = &args.selector {
            wp = wp.labels(sel);
        }
        let mut backoff = Duration::from_millis(500);
        loop {
            let stream = match self.api.watch(&wp, &rv).await {
                Ok(s) => s,
                Err(e) => {
                    let e = (self.classify)(e);
                    if matches!(
                        e,
                        ApiError::Forbidden(_)
                            | ApiError::NotServed(_)
                            | ApiError::Unauthorized
                            | ApiError::Credentials { .. }
                    ) {
                        return Err(anyhow::Error::new(e)
                            .context(format!("cannot watch the {}", self.what)));
                    }
                    // The server is away: try again, a little later each time.
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(30));
                    continue;
                }
            };
            backoff = Duration::from_millis(500);
            futures::pin_mut!(stream);
            let mut gone = false;
            while let Some(ev) = stream.next().await {
                match ev {
                    Ok(WatchEvent::Added(o) | WatchEvent::Modified(o)) => {
                        rv = object_rv(&o).unwrap_or(rv);
                        let value = (self.typed)(serde_json::to_value(&o)?);
                        tx.send(Update::Changed(cluster.to_string(), "MODIFIED", value))
                            .ok();
                    }
                    Ok(WatchEvent::Deleted(o)) => {
                        rv = object_rv(&o).unwrap_or(rv);
                        let value = (self.typed)(serde_json::to_value(&o)?);
                        tx.send(Update::Changed(cluster.to_string(), "DELETED", value))
                            .ok();
                    }
                    Ok(WatchEvent::Bookmark(b)) => rv = b.metadata.resource_version,
                    // The server no longer has our resourceVersion: list again.
                    Ok(WatchEvent::Error(s)) if s.code == 410 => {
                        gone = true;
                        break;
                    }
                    Ok(WatchEvent::Error(s)) => {
                        anyhow::bail!("the watch of the {} failed: {}", self.what, s.message);
                    }
                    // A dropped connection, or the server's timeout: watch again from rv.
                    Err(_) => break,
                }
            }
            if gone {
                rv = relist().await?;
            }
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
