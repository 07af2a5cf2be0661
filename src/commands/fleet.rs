//! `rollout list --watch`: a live fleet view. One list, then one watch from the list's
//! resourceVersion: reconnecting from the last one seen, listing again only when the server
//! no longer has it (410 Gone). Nothing is polled: an idle fleet costs no requests.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::time::Duration;

use anyhow::Result;
use futures::StreamExt;
use kube::api::{Api, DynamicObject, WatchEvent, WatchParams};
use serde_json::Value;

use super::options::list_read;
use crate::cli::{ListArgs, ObjectFormat};
use crate::cluster::stream_list::ItemSink;
use crate::cluster::{ApiError, RolloutApi};
use crate::exit::{Code, Failure};
use crate::model::fleet::{attention, summary_line};
use crate::model::summary::{Summary, summarize};
use crate::model::{ApiVersion, decode};
use crate::render::{self, LIST_HEADER, screen};

/// How long the server may hold one watch open; it then ends it and we watch again.
const WATCH_SECONDS: u32 = 290;

/// One rollout of the fleet, as shown.
#[derive(Debug, Clone, PartialEq)]
struct Entry {
    stage: &'static str,
    created: Option<String>,
    summary: Summary,
}

/// The fleet, keyed by namespace and name.
#[derive(Default)]
struct Fleet(BTreeMap<(String, String), Entry>);

impl Fleet {
    /// Take a rollout as listed or watched; `None` for an object that is not one.
    fn upsert(&mut self, obj: &Value) -> Option<&Entry> {
        let r = decode(obj).ok()?;
        let summary = summarize(&r, None);
        let key = (r.namespace.clone(), r.name.clone());
        self.0.insert(
            key.clone(),
            Entry {
                stage: summary.stage,
                created: r.creation_timestamp.clone(),
                summary,
            },
        );
        self.0.get(&key)
    }

    fn remove(&mut self, obj: &Value) -> Option<Entry> {
        let m = |k: &str| {
            obj.pointer(&format!("/metadata/{k}"))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        self.0.remove(&(m("namespace"), m("name")))
    }

    /// Entries in the order a person reads them: what needs them first.
    fn sorted(&self) -> Vec<&Entry> {
        let mut v: Vec<&Entry> = self.0.values().collect();
        v.sort_by_key(|e| attention(e.stage));
        v
    }
}

/// Gathers the listed rollouts into the fleet.
struct Collector(Fleet);

impl ItemSink for Collector {
    fn item(&mut self, obj: Value) -> Result<()> {
        self.0.upsert(&obj);
        Ok(())
    }
}

enum Mode {
    /// Redraw the table in place.
    Terminal { lines: Vec<String> },
    /// One line per change.
    Lines,
    /// One JSON summary per line per change.
    Json,
}

struct View {
    mode: Mode,
    all_namespaces: bool,
}

impl View {
    /// The table and the summary line, cut to the terminal's height.
    fn screen(&self, fleet: &Fleet) -> Vec<String> {
        let now = jiff::Timestamp::now();
        let height = console::Term::stdout().size().0 as usize;
        let room = height.saturating_sub(3).max(1);
        let entries = fleet.sorted();
        let shown = entries.len().min(room);
        let rows: Vec<Vec<String>> = entries[..shown]
            .iter()
            .map(|e| {
                render::list_row(
                    &e.summary,
                    &render::age_since(e.created.as_deref(), now),
                    self.all_namespaces,
                )
            })
            .collect();
        let header: Vec<&str> = self
            .all_namespaces
            .then_some("NAMESPACE")
            .into_iter()
            .chain(LIST_HEADER)
            .collect();
        let mut lines = vec![summary_line(fleet.0.values().map(|e| e.stage))];
        lines.extend(
            render::plain_table(Some(&header), rows)
                .lines()
                .map(str::to_string),
        );
        if entries.len() > shown {
            lines.push(format!("... and {} more", entries.len() - shown));
        }
        lines
    }

    /// Show the fleet as it is now; `changed` is the rollout that just changed, if any.
    fn show(&mut self, fleet: &Fleet, changed: Option<(&str, &Summary)>) -> Result<()> {
        let mut out = std::io::stdout().lock();
        let text = match &self.mode {
            Mode::Terminal { lines } => {
                let new = self.screen(fleet);
                let text = screen::redraw(lines, &new);
                self.mode = Mode::Terminal { lines: new };
                text
            }
            Mode::Lines => match changed {
                Some((what, s)) => format!("{} {what} {}\n", stamp(), render::status_line(s)),
                None => {
                    let mut t = String::new();
                    for e in fleet.sorted() {
                        t.push_str(&format!(
                            "{} LISTED {}\n",
                            stamp(),
                            render::status_line(&e.summary)
                        ));
                    }
                    t.push_str(&format!(
                        "{} {}\n",
                        stamp(),
                        summary_line(fleet.0.values().map(|e| e.stage))
                    ));
                    t
                }
            },
            Mode::Json => {
                let mut t = String::new();
                let mut line = |event: &str, s: &Summary| -> Result<()> {
                    let mut doc = serde_json::to_value(s)?;
                    doc["event"] = Value::String(event.to_string());
                    t.push_str(&serde_json::to_string(&doc)?);
                    t.push('\n');
                    Ok(())
                };
                match changed {
                    Some((what, s)) => line(what, s)?,
                    None => {
                        for e in fleet.sorted() {
                            line("LISTED", &e.summary)?;
                        }
                    }
                }
                t
            }
        };
        out.write_all(text.as_bytes())?;
        out.flush()?;
        Ok(())
    }
}

fn stamp() -> String {
    jiff::Timestamp::now()
        .round(jiff::Unit::Second)
        .unwrap_or_else(|_| jiff::Timestamp::now())
        .to_string()
}

fn mode(output: Option<ObjectFormat>) -> Result<Mode> {
    let plain = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
        || std::env::var("TERM").is_ok_and(|t| t == "dumb");
    Ok(match output {
        Some(ObjectFormat::Json) => Mode::Json,
        None if std::io::stdout().is_terminal() && !plain => Mode::Terminal { lines: Vec::new() },
        None => Mode::Lines,
        Some(other) => {
            return Err(Failure::Usage(format!(
                "list --watch prints a table, lines or JSON lines (-o json), not -o {other:?}"
            ))
            .into());
        }
    })
}

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
    };
    let read = list_read(args);
    let (collected, mut rv, version) = api.list_into(&read, Collector(Fleet::default())).await?;
    let mut fleet = collected.0;
    view.show(&fleet, None)?;
    let watch = watch_api(api, version, args.all_namespaces);
    let mut wp = WatchParams::default().timeout(WATCH_SECONDS);
    if let Some(sel) = &args.selector {
        wp = wp.labels(sel);
    }
    let interrupted = tokio::signal::ctrl_c();
    futures::pin_mut!(interrupted);
    let mut backoff = Duration::from_millis(500);
    loop {
        let opened = tokio::select! {
            s = watch.watch(&wp, &rv) => s,
            _ = &mut interrupted => return Err(Failure::Interrupted.into()),
        };
        let stream = match opened {
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
                tokio::select! {
                    _ = tokio::time::sleep(backoff) => {}
                    _ = &mut interrupted => return Err(Failure::Interrupted.into()),
                }
                backoff = (backoff * 2).min(Duration::from_secs(30));
                continue;
            }
        };
        backoff = Duration::from_millis(500);
        futures::pin_mut!(stream);
        let mut relist = false;
        loop {
            let ev = tokio::select! {
                ev = stream.next() => ev,
                _ = &mut interrupted => return Err(Failure::Interrupted.into()),
            };
            match ev {
                Some(Ok(WatchEvent::Added(o) | WatchEvent::Modified(o))) => {
                    rv = object_rv(&o).unwrap_or(rv);
                    let value = serde_json::to_value(&o)?;
                    let value = with_kind(value, version);
                    if let Some(e) = fleet.upsert(&value) {
                        let s = e.summary.clone();
                        view.show(&fleet, Some(("MODIFIED", &s)))?;
                    }
                }
                Some(Ok(WatchEvent::Deleted(o))) => {
                    rv = object_rv(&o).unwrap_or(rv);
                    let value = serde_json::to_value(&o)?;
                    if let Some(e) = fleet.remove(&value) {
                        view.show(&fleet, Some(("DELETED", &e.summary)))?;
                    }
                }
                Some(Ok(WatchEvent::Bookmark(b))) => rv = b.metadata.resource_version,
                // The server no longer has our resourceVersion: list again.
                Some(Ok(WatchEvent::Error(s))) if s.code == 410 => {
                    relist = true;
                    break;
                }
                Some(Ok(WatchEvent::Error(s))) => {
                    return Err(anyhow::anyhow!(
                        "the watch of the rollouts failed: {}",
                        s.message
                    ));
                }
                // A dropped connection, or the server's timeout: watch again from rv.
                Some(Err(_)) | None => break,
            }
        }
        if relist {
            let (collected, new_rv, _) = api.list_into(&read, Collector(Fleet::default())).await?;
            fleet = collected.0;
            rv = new_rv;
            view.show(&fleet, None)?;
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
