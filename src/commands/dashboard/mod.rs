//! `kubectl kruise dashboard`: a local web page of every release in every cluster, live,
//! with the CLI's verbs. The fleet comes from the watches `list --watch` runs
//! (`commands/fleet`), kept as rows (`board.rs`); a release page and each action run the
//! CLI's own commands in-process (`cli_run.rs`, `release.rs`); the server (`server.rs`)
//! opens nothing without the session's secret (`guard.rs`).

mod board;
mod cli_run;
mod guard;
mod release;
mod server;

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{Context, Result};

use super::fleet::{self, Update, keyed};
use super::options::connect_options;
use super::reach::{self, Target};
use crate::cli::{ClusterArgs, DashboardArgs, ListArgs};
use crate::cluster::{ApiError, RolloutApi};
use crate::exit::{Code, Failure};
use board::Board;
use release::Reached;
use server::{App, Job};

/// The program the dashboard's requests name in their User-Agent.
const AGENT: &str = "kubectl-kruise-dashboard";

pub async fn run(args: &ClusterArgs, d: &DashboardArgs) -> Result<Code> {
    if let Some(sel) = &d.selector {
        crate::cluster::select::check_selector(sel).map_err(Failure::Usage)?;
    }
    let mut opts = connect_options(args);
    opts.agent = Some(AGENT);
    let many = args.many_clusters();
    let targets: Vec<Target> = if many {
        reach::targets_with(args, &opts).await?
    } else {
        vec![Target::current("")]
    };
    let flag = if !args.member_clusters.is_empty() {
        "--member-clusters"
    } else {
        "--context"
    };
    let flags_of = |name: &str| -> Vec<String> {
        match (many, &args.context) {
            (true, _) => vec![format!("{flag}={name}")],
            (false, Some(c)) => vec![format!("--context={c}")],
            (false, None) => Vec::new(),
        }
    };
    let names: Vec<String> = targets.iter().map(|t| t.name.clone()).collect();
    let board = Arc::new(Board::new(&names, many));
    let listener = tokio::net::TcpListener::bind(SocketAddr::new(d.address, d.port))
        .await
        .with_context(|| {
            format!(
                "cannot listen on {}: choose another port with --port (0: any free port)",
                SocketAddr::new(d.address, d.port)
            )
        })?;
    let listen = listener.local_addr()?;
    let (jobs, mut job_rx) = tokio::sync::mpsc::unbounded_channel::<Job>();
    let app = Arc::new(App {
        jobs,
        board: board.clone(),
        secret: guard::new_secret()?,
        listen,
        read_only: d.read_only,
        reached: Default::default(),
        unreachable: Default::default(),
    });
    let url = page_url(listen, &app.secret);
    crate::output::out(&format!("{url}\n"))?;
    if !listen.ip().is_loopback() {
        crate::errln!(
            "warning: listening on {listen}, reachable from the network: anyone who learns the \
             URL above acts with your credentials"
        );
    }
    crate::errln!(
        "Serving {} at {}{}; Ctrl-C stops it",
        match names.len() {
            1 if !many => "the current context".to_string(),
            n => format!("{n} clusters"),
        },
        url.split('#').next().unwrap_or_default(),
        if d.read_only { " (read-only)" } else { "" }
    );
    if !d.no_browser && crate::output::stdout_is_terminal() {
        open_browser(&url);
    }

    // Every namespace, unless -n names one (-A: every namespace even so).
    let all = d.all_namespaces || args.namespace.is_none();
    let fallback = !d.all_namespaces && args.namespace.is_none();
    let list_args = ListArgs {
        all_namespaces: all,
        selector: d.selector.clone(),
        output: None,
        watch: true,
        consistent: false,
        chunk_size: 500,
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Update>();
    // A few clusters list at a time (--max-clusters-in-flight): each list is held decoded
    // until it becomes rows, and fifty at once would hold them all.
    let gate = Arc::new(tokio::sync::Semaphore::new(usize::from(
        args.max_clusters_in_flight,
    )));
    let listing: Listing = Default::default();
    let applier = {
        let (board, listing) = (board.clone(), listing.clone());
        async move {
            while let Some(u) = rx.recv().await {
                if let Update::Listed(c, ..) | Update::Failed(c, _) = &u {
                    lock(&listing).remove(c);
                }
                apply(&board, u);
            }
        }
    };
    let watches = futures::future::join_all(targets.iter().map(|t| {
        let (app, tx, list_args, flags) = (
            app.clone(),
            tx.clone(),
            list_args.clone(),
            flags_of(&t.name),
        );
        let (opts, gate, listing) = (&opts, gate.clone(), listing.clone());
        async move {
            if let Ok(place) = gate.acquire_owned().await {
                lock(&listing).insert(t.name.clone(), place);
            }
            let cluster = match t.connect(opts).await {
                Ok(c) => c,
                Err(e) => {
                    let why = format!("{e:#}");
                    app.unreachable
                        .write()
                        .await
                        .insert(t.name.clone(), why.clone());
                    app.board.cluster(&t.name, Some(why), None);
                    lock(&listing).remove(&t.name);
                    return;
                }
            };
            app.reached
                .write()
                .await
                .insert(t.name.clone(), Reached::new(cluster.clone(), flags));
            tokio::spawn(follow_trains(
                app.board.clone(),
                cluster.clone(),
                list_args.all_namespaces,
                t.name.clone(),
            ));
            follow(&app.board, cluster, list_args, fallback, &t.name, tx).await;
            lock(&listing).remove(&t.name);
        }
    }));
    drop(tx);
    let serve = axum::serve(listener, server::router(app.clone()));
    let read_only = d.read_only;
    let jobs = async move {
        let mut running = futures::stream::FuturesUnordered::new();
        loop {
            tokio::select! {
                Some(job) = job_rx.recv() => running.push(async move {
                    match job {
                        Job::Release(at, named, reply) => {
                            let diff = named.diff;
                            reply.send(release::page(&at, &named, read_only, diff).await).ok();
                        }
                        Job::Act(at, act, reply) => {
                            reply.send(release::act(&at, &act).await).ok();
                        }
                    }
                }),
                Some(()) = futures::StreamExt::next(&mut running) => {}
                else => return,
            }
        }
    };
    // When every cluster's watch has ended (each failed: the page says why), the server
    // stays up: this arm never completes.
    let watching = async {
        futures::future::join(watches, applier).await;
        futures::future::pending::<()>().await
    };
    tokio::select! {
        res = serve => res.context("the dashboard's server stopped")?,
        () = jobs => {}
        () = watching => {}
    }
    Ok(Code::Ok)
}

/// The clusters listing now, each holding its place until its first list has arrived.
type Listing =
    Arc<std::sync::Mutex<std::collections::HashMap<String, tokio::sync::OwnedSemaphorePermit>>>;

fn lock(
    l: &Listing,
) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, tokio::sync::OwnedSemaphorePermit>>
{
    l.lock().unwrap_or_else(|p| p.into_inner())
}

/// One cluster's releases, followed until an error watching again cannot mend; listing
/// every namespace where that is forbidden falls back to the context's namespace.
async fn follow(
    board: &Board,
    cluster: crate::cluster::Cluster,
    mut list_args: ListArgs,
    fallback: bool,
    name: &str,
    tx: tokio::sync::mpsc::UnboundedSender<Update>,
) {
    let api = RolloutApi::new(cluster);
    loop {
        let res = fleet::follow(&api, &list_args, name.to_string(), tx.clone()).await;
        let Err(e) = res else { return };
        let forbidden = e
            .chain()
            .any(|c| matches!(c.downcast_ref::<ApiError>(), Some(ApiError::Forbidden(_))));
        if forbidden && fallback && list_args.all_namespaces {
            list_args.all_namespaces = false;
            board.cluster(
                name,
                None,
                Some(format!(
                    "you may not list every namespace: showing namespace {}",
                    api.namespace()
                )),
            );
            continue;
        }
        board.cluster(name, Some(format!("{e:#}")), None);
        return;
    }
}

/// Release trains in one cluster, for the train panel: the Events trains record on each
/// rollout (one reason, selected by the server). Where Events may not be watched in every
/// namespace, the context's namespace; where not at all, no panel rows, and no error: the
/// fleet is what the page is for.
async fn follow_trains(
    board: Arc<Board>,
    cluster: crate::cluster::Cluster,
    all: bool,
    name: String,
) {
    use futures::StreamExt;
    use kube::runtime::watcher::{self, Event};
    let ar = crate::cluster::gvk_resource("", "v1", "Event", "events");
    let config =
        watcher::Config::default().fields(&format!("reason={}", crate::model::train::TRAIN_REASON));
    let scopes: &[bool] = if all { &[true, false] } else { &[false] };
    for &everywhere in scopes {
        let api: kube::Api<kube::api::DynamicObject> = if everywhere {
            kube::Api::all_with(cluster.client.clone(), &ar)
        } else {
            kube::Api::namespaced_with(cluster.client.clone(), &cluster.namespace, &ar)
        };
        let stream = watcher::watcher(api, config.clone());
        futures::pin_mut!(stream);
        while let Some(ev) = stream.next().await {
            match ev {
                Ok(Event::Apply(o) | Event::InitApply(o)) => {
                    let v = serde_json::to_value(&o).unwrap_or_default();
                    if let Some(note) = crate::model::train::note_of(&name, &v) {
                        board.train(note);
                    }
                }
                Ok(_) => {}
                // Forbidden, or Events not served: the next scope, or nothing.
                Err(watcher::Error::InitialListFailed(kube::Error::Api(e)))
                    if e.code == 403 || e.code == 404 =>
                {
                    break;
                }
                // Anything else (the cluster away a while): the watcher tries again on the
                // next poll, a few seconds on.
                Err(_) => tokio::time::sleep(std::time::Duration::from_secs(5)).await,
            }
        }
    }
}

fn apply(board: &Board, u: Update) {
    match u {
        Update::Kinds => {}
        Update::Part(cluster, group, part) => board.part(&cluster, group, part),
        Update::Listed(cluster, group, listed) => board.listed(&cluster, group, listed),
        Update::Changed(cluster, "DELETED", obj) => {
            if let Some((k, _)) = keyed(&cluster, &obj) {
                board.remove(&k);
            }
        }
        Update::Changed(cluster, _, obj) => {
            if let Some((k, e)) = keyed(&cluster, &obj) {
                board.upsert(k, &e);
            }
        }
        Update::Failed(cluster, e) => board.cluster(&cluster, Some(format!("{e:#}")), None),
    }
}

/// The URL that opens the page: the secret rides in the fragment, which browsers never
/// send to a server, nor put in a Referer.
fn page_url(listen: SocketAddr, secret: &str) -> String {
    let host = match listen.ip() {
        ip if ip.is_unspecified() => "127.0.0.1".to_string(),
        std::net::IpAddr::V6(ip) => format!("[{ip}]"),
        ip => ip.to_string(),
    };
    format!("http://{host}:{}/#secret={secret}", listen.port())
}

/// Open the page in the user's browser. The URL (and its secret) is handed over in a file
/// only the user can read, as Jupyter does: a command line is visible to every user of the
/// machine. Written by hand: the opener is one process, and crates for it pull in a
/// platform layer each for what `xdg-open`/`open`/`start` already do.
fn open_browser(url: &str) {
    let opened = (|| -> std::io::Result<()> {
        let dir = std::env::temp_dir();
        let path = dir.join(format!(
            "kubectl-kruise-dashboard-{}.html",
            std::process::id()
        ));
        let html = format!(
            "<!doctype html><meta charset=utf-8><meta http-equiv=refresh content=\"0;url={url}\">\
             <title>kubectl kruise dashboard</title><a href=\"{url}\">Open the dashboard</a>\n"
        );
        let mut o = std::fs::OpenOptions::new();
        o.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
        std::io::Write::write_all(&mut o.open(&path)?, html.as_bytes())?;
        let opener: (&str, Vec<&std::ffi::OsStr>) = if cfg!(target_os = "macos") {
            ("open", vec![path.as_os_str()])
        } else if cfg!(windows) {
            (
                "cmd",
                vec![
                    "/C".as_ref(),
                    "start".as_ref(),
                    "".as_ref(),
                    path.as_os_str(),
                ],
            )
        } else {
            ("xdg-open", vec![path.as_os_str()])
        };
        let mut child = std::process::Command::new(opener.0)
            .args(opener.1)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()?;
        std::thread::spawn(move || {
            child.wait().ok();
            // The browser has read it by now, or never will.
            std::thread::sleep(std::time::Duration::from_secs(30));
            std::fs::remove_file(&path).ok();
        });
        Ok(())
    })();
    if let Err(e) = opened {
        crate::errln!("could not open a browser ({e}): open the URL above");
    }
}
