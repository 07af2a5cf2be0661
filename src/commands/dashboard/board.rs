//! The dashboard's fleet: one row per release, as the watches last reported it, each
//! stamped with the sequence number of its last change so that a page is sent only the
//! rows that changed since it last heard. Rows are kept as their JSON text: 50,000 of them
//! cost what their text costs, and a page's first rows are a copy, not a rendering.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde_json::{Value, json};

use super::super::fleet::{Entry, Key};
use crate::model::fleet::{attention, summary_line};
use crate::render;

/// How many removals are remembered for pages catching up; one that fell further behind
/// is sent every row again.
const GONE_KEPT: usize = 20_000;

#[derive(Default)]
struct Inner {
    seq: u64,
    rows: BTreeMap<Key, Row>,
    /// Removed rows' ids, oldest first, with the change that removed them.
    gone: std::collections::VecDeque<(u64, String)>,
    /// The oldest change a page may catch up from without every row again.
    horizon: u64,
    /// Each cluster, in the order given: `None` while it answers, else why not; and a note
    /// (the namespace shown when listing every one is forbidden).
    clusters: Vec<ClusterState>,
}

#[derive(Clone, serde::Serialize)]
struct ClusterState {
    name: String,
    error: Option<String>,
    note: Option<String>,
    listed: bool,
    /// Its count line, as `list --watch` prints it.
    summary: String,
}

struct Row {
    seq: u64,
    json: String,
    /// The state word, for the count lines.
    state: &'static str,
}

/// What a page is sent: every row, or the rows changed since `since`.
pub struct Changes {
    pub seq: u64,
    pub json: String,
}

pub struct Board {
    inner: Mutex<Inner>,
    changed: tokio::sync::watch::Sender<u64>,
    /// Several clusters: rows name theirs (the CLUSTER column).
    pub many: bool,
}

/// A row's id: its key as one string the page can hold.
fn id(k: &Key) -> String {
    format!("{}\u{1f}{}\u{1f}{}\u{1f}{}", k.0, k.1, k.2, k.3)
}

/// A release as the fleet page shows it: the `list` row's words (the one view renders
/// them; the page fills in AGE from `created` as time passes), and what the page filters
/// and sorts by.
fn row_json(k: &Key, e: &Entry, many: bool) -> String {
    let v = e.release.view();
    let mut cells = render::list_row(v, "", true);
    cells.insert(0, v.kind.clone());
    if many {
        cells.insert(0, k.0.clone());
    }
    let labels: serde_json::Map<String, Value> = e
        .labels
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    json!({
        "id": id(k),
        "cluster": k.0,
        "kind": v.kind,
        "namespace": v.namespace,
        "name": v.name,
        "state": v.state,
        "rank": attention(v.state),
        "text": v.text,
        "created": e.created,
        "cells": cells,
        "labels": labels,
    })
    .to_string()
}

impl Board {
    pub fn new(clusters: &[String], many: bool) -> Board {
        let (changed, _) = tokio::sync::watch::channel(0);
        Board {
            inner: Mutex::new(Inner {
                clusters: clusters
                    .iter()
                    .map(|n| ClusterState {
                        name: n.clone(),
                        error: None,
                        note: None,
                        listed: false,
                        summary: String::new(),
                    })
                    .collect(),
                ..Inner::default()
            }),
            changed,
            many,
        }
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic elsewhere cannot leave rows half-changed: each change is one insert.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn subscribe(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changed.subscribe()
    }

    fn bump(&self, inner: &mut Inner) -> u64 {
        inner.seq += 1;
        inner.seq
    }

    fn notify(&self, seq: u64) {
        self.changed.send_replace(seq);
    }

    fn remove_at(inner: &mut Inner, seq: u64, k: &Key) {
        if inner.rows.remove(k).is_some() {
            inner.gone.push_back((seq, id(k)));
            while inner.gone.len() > GONE_KEPT {
                if let Some((s, _)) = inner.gone.pop_front() {
                    inner.horizon = s;
                }
            }
        }
    }

    /// A cluster listed the releases of one API group: they replace those it had.
    pub fn listed(&self, cluster: &str, group: &str, listed: Vec<(Key, Entry)>) {
        let mut inner = self.inner();
        let seq = self.bump(&mut inner);
        let fresh: std::collections::BTreeSet<&Key> = listed.iter().map(|(k, _)| k).collect();
        let stale: Vec<Key> = inner
            .rows
            .keys()
            .filter(|k| k.0 == cluster && k.1 == group && !fresh.contains(k))
            .cloned()
            .collect();
        for k in &stale {
            Self::remove_at(&mut inner, seq, k);
        }
        for (k, e) in &listed {
            let json = row_json(k, e, self.many);
            // An unchanged row is not sent again.
            if inner.rows.get(k).is_none_or(|r| r.json != json) {
                let state = e.stage();
                inner.rows.insert(k.clone(), Row { seq, json, state });
            }
        }
        if let Some(c) = inner.clusters.iter_mut().find(|c| c.name == cluster) {
            c.error = None;
            c.listed = true;
        }
        drop(inner);
        self.notify(seq);
    }

    pub fn upsert(&self, k: Key, e: &Entry) {
        let json = row_json(&k, e, self.many);
        let mut inner = self.inner();
        if inner.rows.get(&k).is_some_and(|r| r.json == json) {
            return;
        }
        let seq = self.bump(&mut inner);
        let state = e.stage();
        inner.rows.insert(k, Row { seq, json, state });
        drop(inner);
        self.notify(seq);
    }

    pub fn remove(&self, k: &Key) {
        let mut inner = self.inner();
        let seq = self.bump(&mut inner);
        Self::remove_at(&mut inner, seq, k);
        drop(inner);
        self.notify(seq);
    }

    /// How a cluster stands: an error (it cannot be listed or watched), or a note.
    pub fn cluster(&self, cluster: &str, error: Option<String>, note: Option<String>) {
        let mut inner = self.inner();
        let seq = self.bump(&mut inner);
        if let Some(c) = inner.clusters.iter_mut().find(|c| c.name == cluster) {
            c.error = error;
            if note.is_some() {
                c.note = note;
            }
        }
        drop(inner);
        self.notify(seq);
    }

    /// The rows changed since `since` (0: every row), the clusters, and the columns, as one
    /// JSON document: `{"seq", "full", "rows": [...], "gone": [...], "clusters", "columns"}`.
    pub fn changes(&self, since: u64) -> Changes {
        let mut inner = self.inner();
        // The count lines, as `list --watch` says them: for all, and per cluster.
        let summary = summary_line(inner.rows.values().map(|r| r.state));
        let mut states: std::collections::HashMap<&str, Vec<&str>> = Default::default();
        for (k, r) in &inner.rows {
            states.entry(k.0.as_str()).or_default().push(r.state);
        }
        let counts: Vec<String> = inner
            .clusters
            .iter()
            .map(|c| summary_line(states.get(c.name.as_str()).into_iter().flatten().copied()))
            .collect();
        drop(states);
        for (c, s) in inner.clusters.iter_mut().zip(counts) {
            c.summary = s;
        }
        let full = since == 0 || since < inner.horizon;
        let mut out = String::with_capacity(if full { inner.rows.len() * 400 } else { 256 });
        out.push_str(&format!(
            "{{\"seq\":{},\"full\":{full},\"rows\":[",
            inner.seq
        ));
        let mut first = true;
        for r in inner.rows.values().filter(|r| full || r.seq > since) {
            if !first {
                out.push(',');
            }
            first = false;
            out.push_str(&r.json);
        }
        out.push_str("],\"gone\":");
        let gone: Vec<&str> = if full {
            Vec::new()
        } else {
            inner
                .gone
                .iter()
                .filter(|(s, _)| *s > since)
                .map(|(_, id)| id.as_str())
                .collect()
        };
        out.push_str(&serde_json::to_string(&gone).unwrap_or_else(|_| "[]".into()));
        let columns = render::list_header(self.many, true, true);
        out.push_str(&format!(
            ",\"clusters\":{},\"columns\":{},\"many\":{},\"summary\":{}}}",
            serde_json::to_string(&inner.clusters).unwrap_or_else(|_| "[]".into()),
            serde_json::to_string(&columns).unwrap_or_else(|_| "[]".into()),
            self.many,
            serde_json::Value::String(summary)
        ));
        Changes {
            seq: inner.seq,
            json: out,
        }
    }
}
