//! The fleet view of `list --watch`: the rollouts of one cluster or several, what needs a
//! person first, redrawn in place on a terminal, a line (or JSON line) per change elsewhere.

use std::collections::BTreeMap;
use std::io::Write;

use anyhow::Result;
use serde_json::Value;

use crate::cli::ObjectFormat;
use crate::cluster::stream_list::ItemSink;
use crate::exit::Failure;
use crate::model::batch::{BatchSummary, decode_batch, summarize_batch};
use crate::model::decode;
use crate::model::fleet::{attention, summary_line};
use crate::model::summary::{Summary, summarize};
use crate::model::view::ReleaseView;
use crate::render::{self, screen};

/// A release of the fleet: a Kruise Rollout or one of KubeVela's kinds, as its summary
/// (the document `-o json` prints), which carries the one view every line renders.
#[derive(Debug, Clone, PartialEq)]
pub(in crate::commands) enum Release {
    Rollout(Box<Summary>),
    Batch(Box<BatchSummary>),
}

impl Release {
    pub(in crate::commands) fn view(&self) -> &ReleaseView {
        match self {
            Release::Rollout(s) => &s.view,
            Release::Batch(s) => &s.view,
        }
    }

    pub(in crate::commands) fn doc(&self) -> Result<Value> {
        Ok(match self {
            Release::Rollout(s) => serde_json::to_value(s)?,
            Release::Batch(s) => serde_json::to_value(s)?,
        })
    }
}

/// One release of the fleet, as shown.
#[derive(Debug, Clone, PartialEq)]
pub(in crate::commands) struct Entry {
    pub(in crate::commands) created: Option<String>,
    /// The release's labels, for the dashboard's filter.
    pub(in crate::commands) labels: Vec<(String, String)>,
    pub(in crate::commands) release: Release,
}

impl Entry {
    pub(in crate::commands) fn stage(&self) -> &'static str {
        self.release.view().state
    }
}

/// (cluster, kind, namespace, name); the cluster is empty when there is one.
pub(in crate::commands) type Key = (String, String, String, String);

/// The fleet, and how each cluster stands when the command runs in several.
#[derive(Default)]
pub(super) struct Fleet {
    pub(super) entries: BTreeMap<Key, Entry>,
    /// Parts of lists still arriving: shown once the list is whole.
    pub(super) pending: Vec<(Key, Entry)>,
    /// In the clusters' order: `None` while it answers, else why it does not.
    pub(super) clusters: Vec<(String, Option<String>)>,
}

fn key(cluster: &str, obj: &Value) -> Key {
    let m = |k: &str| {
        obj.pointer(&format!("/metadata/{k}"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    (
        cluster.to_string(),
        group(obj).to_string(),
        m("namespace"),
        m("name"),
    )
}

/// The API group of a listed or watched object: Kruise's when it names none (a list's
/// items may leave out their apiVersion; KubeVela's are given theirs when listed).
fn group(obj: &Value) -> &str {
    obj.get("apiVersion")
        .and_then(Value::as_str)
        .and_then(|v| v.split_once('/'))
        .map_or(crate::model::GROUP, |(g, _)| g)
}

/// A watched or listed object of any kind the fleet shows; `None` for one it cannot read.
fn entry(obj: &Value) -> Option<Entry> {
    let labels = obj
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default();
    if group(obj) == crate::model::GROUP {
        let r = decode(obj).ok()?;
        return Some(Entry {
            created: r.creation_timestamp.clone(),
            labels,
            release: Release::Rollout(Box::new(summarize(&r, None))),
        });
    }
    let r = decode_batch(obj).ok()?;
    Some(Entry {
        created: r.creation_timestamp.clone(),
        labels,
        release: Release::Batch(Box::new(summarize_batch(&r, None))),
    })
}

/// The key and entry of a watched object; `None` for one the fleet cannot read.
pub(in crate::commands) fn keyed(cluster: &str, obj: &Value) -> Option<(Key, Entry)> {
    Some((key(cluster, obj), entry(obj)?))
}

impl Fleet {
    /// Take a rollout as watched; `None` for an object that is not one.
    fn upsert(&mut self, cluster: &str, obj: &Value) -> Option<&Entry> {
        let e = entry(obj)?;
        let k = key(cluster, obj);
        self.entries.insert(k.clone(), e);
        self.entries.get(&k)
    }

    fn remove(&mut self, cluster: &str, obj: &Value) -> Option<Entry> {
        self.entries.remove(&key(cluster, obj))
    }

    /// A cluster listed (again) the releases of one API group: they replace those it had.
    fn relisted(&mut self, cluster: &str, group: &str, listed: Vec<(Key, Entry)>) {
        self.entries.retain(|k, _| k.0 != cluster || k.1 != group);
        self.entries.extend(listed);
        self.set_state(cluster, None);
    }

    fn set_state(&mut self, cluster: &str, state: Option<String>) {
        if let Some(c) = self.clusters.iter_mut().find(|(n, _)| n == cluster) {
            c.1 = state;
        }
    }

    /// Entries in the order a person reads them: what needs them first.
    fn sorted(&self) -> Vec<(&Key, &Entry)> {
        let mut v: Vec<(&Key, &Entry)> = self.entries.iter().collect();
        v.sort_by_key(|(_, e)| attention(e.stage()));
        v
    }

    fn stages<'a>(&'a self, cluster: Option<&'a str>) -> impl Iterator<Item = &'a str> + 'a {
        self.entries
            .iter()
            .filter(move |(k, _)| cluster.is_none_or(|c| k.0 == c))
            .map(|(_, e)| e.stage())
    }

    /// The count line; with several clusters, then one line per cluster.
    fn summary(&self) -> Vec<String> {
        let all = summary_line(self.stages(None));
        if self.clusters.is_empty() {
            return vec![all];
        }
        let mut lines = vec![format!("{} clusters, {all}", self.clusters.len())];
        for (name, state) in &self.clusters {
            lines.push(match state {
                None => format!("  {name}: {}", summary_line(self.stages(Some(name)))),
                Some(why) => format!("  {name}: {why}"),
            });
        }
        lines
    }
}

/// How many listed releases go to the view at once while a list is still arriving: a view
/// that keeps rows smaller than releases (the dashboard's) then never holds a whole large
/// list of them.
const PART: usize = 500;

/// Gathers one cluster's listed releases of one API group, handing them on in parts.
pub(super) struct Collector {
    pub(super) cluster: String,
    pub(super) group: &'static str,
    pub(super) listed: Vec<(Key, Entry)>,
    pub(super) tx: tokio::sync::mpsc::UnboundedSender<Update>,
}

impl ItemSink for Collector {
    fn item(&mut self, obj: Value) -> Result<()> {
        if let Some(e) = entry(&obj) {
            self.listed.push((key(&self.cluster, &obj), e));
        }
        if self.listed.len() >= PART {
            let part = std::mem::take(&mut self.listed);
            self.tx
                .send(Update::Part(self.cluster.clone(), self.group, part))
                .ok();
        }
        Ok(())
    }
}

pub(super) enum Mode {
    /// Redraw the table in place.
    Terminal { lines: Vec<String> },
    /// One line per change.
    Lines,
    /// One JSON summary per line per change.
    Json,
}

pub(super) struct View {
    pub(super) mode: Mode,
    pub(super) all_namespaces: bool,
    /// Several clusters: a CLUSTER column, lines and documents naming theirs.
    pub(super) clusters: bool,
    /// KubeVela's kinds are watched too: a KIND column tells them apart.
    pub(super) kinds: bool,
}

/// What one cluster's watch reports to the view.
pub(in crate::commands) enum Update {
    /// A cluster serves KubeVela's kinds: a KIND column tells them apart.
    Kinds,
    /// Part of a cluster's releases of one API group, while the list is still arriving.
    Part(String, &'static str, Vec<(Key, Entry)>),
    /// A cluster's releases of one API group, listed: the last part, and the list is whole.
    Listed(String, &'static str, Vec<(Key, Entry)>),
    Changed(String, &'static str, Value),
    /// The cluster cannot be listed or watched; the others go on.
    Failed(String, anyhow::Error),
}

impl View {
    fn row(&self, k: &Key, e: &Entry, now: jiff::Timestamp) -> Vec<String> {
        let mut row = render::list_row(
            e.release.view(),
            &render::age_since(e.created.as_deref(), now),
            self.all_namespaces,
        );
        if self.kinds {
            row.insert(0, e.release.view().kind.clone());
        }
        if self.clusters {
            row.insert(0, k.0.clone());
        }
        row
    }

    /// The summary, then the table, cut to the terminal's height.
    fn screen(&self, fleet: &Fleet) -> Vec<String> {
        let now = jiff::Timestamp::now();
        let mut lines = fleet.summary();
        let height = console::Term::stdout().size().0 as usize;
        let room = height.saturating_sub(2 + lines.len()).max(1);
        let entries = fleet.sorted();
        let shown = entries.len().min(room);
        let rows: Vec<Vec<String>> = entries[..shown]
            .iter()
            .map(|(k, e)| self.row(k, e, now))
            .collect();
        let header = render::list_header(self.clusters, self.kinds, self.all_namespaces);
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

    /// On a terminal: what redraws the screen as the fleet is now.
    fn redraw(&mut self, fleet: &Fleet) -> String {
        let new = self.screen(fleet);
        let text = match &self.mode {
            Mode::Terminal { lines } => screen::redraw(lines, &new),
            _ => String::new(),
        };
        self.mode = Mode::Terminal { lines: new };
        text
    }

    fn line(&self, cluster: &str, text: String) -> String {
        if self.clusters {
            crate::output::tag(cluster, &text)
        } else {
            text
        }
    }

    fn doc(&self, cluster: &str, event: &str, r: &Release) -> Result<String> {
        let mut doc = r.doc()?;
        doc["event"] = Value::String(event.to_string());
        if self.clusters {
            doc = crate::output::tagged_doc(doc, cluster);
        }
        Ok(format!("{}\n", serde_json::to_string(&doc)?))
    }

    /// Show the fleet as it is now; `changed` is the release that just changed, if any
    /// (`None`: a cluster listed the releases of one API group).
    fn show(
        &mut self,
        fleet: &Fleet,
        changed: Option<(&str, &Release)>,
        (cluster, group): (&str, &str),
    ) -> Result<()> {
        let mut out = std::io::stdout().lock();
        let listed = || {
            fleet
                .sorted()
                .into_iter()
                .filter(|(k, _)| k.0 == cluster && k.1 == group)
                .map(|(_, e)| &e.release)
        };
        let text = match &self.mode {
            Mode::Terminal { .. } => self.redraw(fleet),
            Mode::Lines => match changed {
                Some((what, s)) => format!(
                    "{} {}\n",
                    stamp(),
                    self.line(cluster, format!("{what} {}", render::status_line(s.view())))
                ),
                None => {
                    let mut t = String::new();
                    for s in listed() {
                        t.push_str(&format!(
                            "{} {}\n",
                            stamp(),
                            self.line(cluster, format!("LISTED {}", render::status_line(s.view())))
                        ));
                    }
                    for l in fleet.summary() {
                        t.push_str(&format!("{} {l}\n", stamp()));
                    }
                    t
                }
            },
            Mode::Json => match changed {
                Some((what, s)) => self.doc(cluster, what, s)?,
                None => {
                    let mut t = String::new();
                    for s in listed() {
                        t.push_str(&self.doc(cluster, "LISTED", s)?);
                    }
                    t
                }
            },
        };
        out.write_all(text.as_bytes())?;
        out.flush()?;
        Ok(())
    }

    pub(super) fn apply(&mut self, fleet: &mut Fleet, update: Update) -> Result<()> {
        match update {
            Update::Kinds => {
                self.kinds = true;
                Ok(())
            }
            Update::Part(_, _, part) => {
                fleet.pending.extend(part);
                Ok(())
            }
            Update::Listed(cluster, group, mut listed) => {
                let (mine, others): (Vec<_>, Vec<_>) = std::mem::take(&mut fleet.pending)
                    .into_iter()
                    .partition(|(k, _)| k.0 == cluster && k.1 == group);
                fleet.pending = others;
                listed.extend(mine);
                fleet.relisted(&cluster, group, listed);
                self.show(fleet, None, (&cluster, group))
            }
            Update::Changed(cluster, "DELETED", obj) => match fleet.remove(&cluster, &obj) {
                Some(e) => self.show(fleet, Some(("DELETED", &e.release)), (&cluster, "")),
                None => Ok(()),
            },
            Update::Changed(cluster, what, obj) => match fleet.upsert(&cluster, &obj) {
                Some(e) => {
                    let r = e.release.clone();
                    self.show(fleet, Some((what, &r)), (&cluster, ""))
                }
                None => Ok(()),
            },
            Update::Failed(cluster, e) => {
                let why = format!("{e:#}");
                fleet.set_state(&cluster, Some(format!("error: {why}")));
                let text = match &self.mode {
                    Mode::Terminal { .. } => self.redraw(fleet),
                    // The counts again, now naming the cluster that is gone.
                    Mode::Lines => fleet
                        .summary()
                        .iter()
                        .map(|l| format!("{} {l}\n", stamp()))
                        .collect(),
                    Mode::Json => String::new(),
                };
                if !matches!(self.mode, Mode::Terminal { .. }) {
                    eprintln!("{}", crate::output::tag(&cluster, &format!("error: {why}")));
                }
                let mut out = std::io::stdout().lock();
                out.write_all(text.as_bytes())?;
                out.flush()?;
                Ok(())
            }
        }
    }
}

fn stamp() -> String {
    jiff::Timestamp::now()
        .round(jiff::Unit::Second)
        .unwrap_or_else(|_| jiff::Timestamp::now())
        .to_string()
}

pub(super) fn mode(output: Option<ObjectFormat>) -> Result<Mode> {
    let plain = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
        || std::env::var("TERM").is_ok_and(|t| t == "dumb");
    Ok(match output {
        Some(ObjectFormat::Json) => Mode::Json,
        None if crate::output::stdout_is_terminal() && !plain => {
            Mode::Terminal { lines: Vec::new() }
        }
        None => Mode::Lines,
        Some(other) => {
            return Err(Failure::Usage(format!(
                "list --watch prints a table, lines or JSON lines (-o json), not -o {other:?}"
            ))
            .into());
        }
    })
}
