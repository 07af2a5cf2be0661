//! The dashboard's fleet: one row per release, as the watches last reported it, each
//! stamped with the sequence number of its last change so that a page is sent only the
//! rows that changed since it last heard. Rows are kept as their JSON text: 50,000 of them
//! cost what their text costs, and a page's first rows are a copy, not a rendering.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use super::super::fleet::{Entry, Key};
use crate::model::fleet::{attention, summary_line};
use crate::model::train::TrainNote;
use crate::render;

/// How many removals are remembered for pages catching up; one that fell further behind
/// is sent every row again.
const GONE_KEPT: usize = 20_000;

#[derive(Default)]
struct Inner {
    seq: u64,
    /// By id (see [`id`]): one string per row, and a cluster's rows of one group are a range.
    rows: BTreeMap<Box<str>, Row>,
    /// Removed rows' ids, oldest first, with the change that removed them.
    gone: std::collections::VecDeque<(u64, String)>,
    /// The oldest change a page may catch up from without every row again.
    horizon: u64,
    /// The ids seen so far of each (cluster, group) whose list is arriving in parts.
    relisting:
        std::collections::HashMap<(String, &'static str), std::collections::BTreeSet<Box<str>>>,
    /// Each cluster, in the order given: `None` while it answers, else why not; and a note
    /// (the namespace shown when listing every one is forbidden).
    clusters: Vec<ClusterState>,
    /// Release trains: the last note of each (cluster, namespace, rollout), from its Events.
    trains: BTreeMap<(String, String, String), TrainNote>,
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
    /// The row as the page takes it (see [`row_json`]).
    json: Arc<str>,
    /// The state word, for the count lines.
    state: &'static str,
}

/// What a page is sent: every row, or the rows changed since `since`.
pub struct Changes {
    pub seq: u64,
    /// The document up to its rows, the rows (shared with the board, not copied: every
    /// row of 50,000 is a pointer here), and the rest.
    pub head: String,
    pub rows: Vec<Arc<str>>,
    pub tail: String,
}

impl Changes {
    /// The document as one string (tests, small changes).
    #[cfg(test)]
    pub fn json(&self) -> String {
        format!("{}{}{}", self.head, self.rows.join(","), self.tail)
    }
}

pub struct Board {
    inner: Mutex<Inner>,
    changed: tokio::sync::watch::Sender<u64>,
    /// Several clusters: rows name theirs (the CLUSTER column).
    pub many: bool,
}

/// A row's id: `CLUSTER GROUP NAMESPACE NAME`, one string the page can hold. Spaces part
/// them: group, namespace and name never hold one, so the page splits from the right and a
/// context's name may.
fn id(k: &Key) -> Box<str> {
    format!("{} {} {} {}", k.0, k.1, k.2, k.3).into()
}

/// The ids of `cluster`'s rows of `group` all start so.
fn prefix(cluster: &str, group: &str) -> String {
    format!("{cluster} {group} ")
}

/// A release as the fleet page shows it, as a JSON array (no field names: 50,000 rows are
/// held and sent): `[id, rank, text, created, labels, ...cells]`. The cells are the `list`
/// row's words (CLUSTER and KIND first; the page fills in AGE from `created` as time
/// passes); rank orders what needs a person first; text is the state in words.
fn row_json(k: &Key, e: &Entry, many: bool) -> Arc<str> {
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
    let mut row = vec![
        Value::String(id(k).into()),
        json!(attention(v.state)),
        Value::String(v.text.clone()),
        json!(e.created),
        Value::Object(labels),
    ];
    row.extend(cells.into_iter().map(Value::String));
    Value::Array(row).to_string().into()
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

    fn remove_at(inner: &mut Inner, seq: u64, id: Box<str>) {
        if inner.rows.remove(&id).is_some() {
            inner.gone.push_back((seq, id.into()));
            while inner.gone.len() > GONE_KEPT {
                if let Some((s, _)) = inner.gone.pop_front() {
                    inner.horizon = s;
                }
            }
        }
    }

    /// Store a listed release's row as of change `seq`, unless it is unchanged (an
    /// unchanged row is not sent again); its id.
    fn put(&self, inner: &mut Inner, seq: u64, k: &Key, e: &Entry) -> Box<str> {
        let (id, json) = (id(k), row_json(k, e, self.many));
        if inner.rows.get(&id).is_none_or(|r| r.json != json) {
            let state = e.stage();
            inner.rows.insert(id.clone(), Row { seq, json, state });
        }
        id
    }

    /// Part of a list still arriving: its rows are shown at once, and remembered as seen.
    pub fn part(&self, cluster: &str, group: &'static str, part: Vec<(Key, Entry)>) {
        let mut inner = self.inner();
        let seq = self.bump(&mut inner);
        let seen: Vec<Box<str>> = part
            .iter()
            .map(|(k, e)| self.put(&mut inner, seq, k, e))
            .collect();
        inner
            .relisting
            .entry((cluster.to_string(), group))
            .or_default()
            .extend(seen);
        drop(inner);
        self.notify(seq);
    }

    /// A cluster listed the releases of one API group (the last part): they, with the parts
    /// before, replace those it had.
    pub fn listed(&self, cluster: &str, group: &'static str, listed: Vec<(Key, Entry)>) {
        let mut inner = self.inner();
        let seq = self.bump(&mut inner);
        let mut fresh = inner
            .relisting
            .remove(&(cluster.to_string(), group))
            .unwrap_or_default();
        fresh.extend(listed.iter().map(|(k, _)| id(k)));
        let at = prefix(cluster, group);
        let stale: Vec<Box<str>> = inner
            .rows
            .range::<str, _>((
                std::ops::Bound::Included(at.as_str()),
                std::ops::Bound::Unbounded,
            ))
            .map(|(id, _)| id)
            .take_while(|id| id.starts_with(&at))
            .filter(|id| !fresh.contains(*id))
            .cloned()
            .collect();
        for id in stale {
            Self::remove_at(&mut inner, seq, id);
        }
        for (k, e) in &listed {
            self.put(&mut inner, seq, k, e);
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
        let id = id(&k);
        let mut inner = self.inner();
        if inner.rows.get(&id).is_some_and(|r| r.json == json) {
            return;
        }
        let seq = self.bump(&mut inner);
        let state = e.stage();
        inner.rows.insert(id, Row { seq, json, state });
        drop(inner);
        self.notify(seq);
    }

    pub fn remove(&self, k: &Key) {
        let mut inner = self.inner();
        let seq = self.bump(&mut inner);
        Self::remove_at(&mut inner, seq, id(k));
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

    /// A release train's note in a cluster (from its Event): kept if it is the newest.
    pub fn train(&self, note: TrainNote) {
        let mut inner = self.inner();
        let key = (
            note.cluster.clone(),
            note.namespace.clone(),
            note.rollout.clone(),
        );
        if inner
            .trains
            .get(&key)
            .is_some_and(|n| n.time > note.time || *n == note)
        {
            return;
        }
        let seq = self.bump(&mut inner);
        inner.trains.insert(key, note);
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
        for (id, r) in &inner.rows {
            // The cluster is all but the last three words.
            let cluster = id.rsplitn(4, ' ').nth(3).unwrap_or_default();
            states.entry(cluster).or_default().push(r.state);
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
        let head = format!("{{\"seq\":{},\"full\":{full},\"rows\":[", inner.seq);
        let rows: Vec<Arc<str>> = inner
            .rows
            .values()
            .filter(|r| full || r.seq > since)
            .map(|r| r.json.clone())
            .collect();
        let mut out = String::from("],\"gone\":");
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
            ",\"clusters\":{},\"trains\":{},\"columns\":{},\"many\":{},\"summary\":{}}}",
            serde_json::to_string(&inner.clusters).unwrap_or_else(|_| "[]".into()),
            serde_json::to_string(&inner.trains.values().collect::<Vec<_>>())
                .unwrap_or_else(|_| "[]".into()),
            serde_json::to_string(&columns).unwrap_or_else(|_| "[]".into()),
            self.many,
            serde_json::Value::String(summary)
        ));
        Changes {
            seq: inner.seq,
            head,
            rows,
            tail: out,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn rollout(name: &str, step: i64) -> (Key, Entry) {
        let obj = json!({"apiVersion": "rollouts.kruise.io/v1beta1", "kind": "Rollout",
            "metadata": {"name": name, "namespace": "default", "resourceVersion": "1"},
            "spec": {"workloadRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
                "strategy": {"canary": {"steps": [{"replicas": 1}, {"replicas": "100%"}]}}},
            "status": {"phase": "Progressing", "canaryStatus": {"currentStepIndex": step,
                "currentStepState": "StepPaused"}}});
        super::super::super::fleet::keyed("c1", &obj).unwrap()
    }

    fn doc(b: &Board, since: u64) -> Value {
        serde_json::from_str(&b.changes(since).json()).unwrap()
    }

    #[test]
    fn a_page_is_sent_only_what_changed_since_it_last_heard() {
        let b = Board::new(&["c1".to_string()], true);
        b.listed(
            "c1",
            "rollouts.kruise.io",
            vec![rollout("a", 1), rollout("b", 1)],
        );
        let first = doc(&b, 0);
        assert_eq!(first["full"], true);
        assert_eq!(first["rows"].as_array().unwrap().len(), 2);
        assert_eq!(first["summary"], "2 rollouts: 2 waiting for approval");
        assert_eq!(
            first["clusters"][0]["summary"],
            "2 rollouts: 2 waiting for approval"
        );
        let seq = first["seq"].as_u64().unwrap();
        // The same object again changes nothing.
        let (k, e) = rollout("a", 1);
        b.upsert(k, &e);
        assert_eq!(doc(&b, seq)["rows"], json!([]));
        // b moves on; a is deleted; a relist without b's... only changes go out.
        let (k, e) = rollout("b", 2);
        b.upsert(k, &e);
        let next = doc(&b, seq);
        assert_eq!(next["full"], false);
        assert_eq!(next["rows"].as_array().unwrap().len(), 1);
        assert_eq!(next["rows"][0][0], "c1 rollouts.kruise.io default b");
        let seq = next["seq"].as_u64().unwrap();
        b.listed("c1", "rollouts.kruise.io", vec![rollout("b", 2)]);
        let after = doc(&b, seq);
        assert_eq!(after["rows"], json!([]));
        assert_eq!(after["gone"], json!(["c1 rollouts.kruise.io default a"]));
        assert_eq!(doc(&b, 0)["rows"].as_array().unwrap().len(), 1);
        // A list arriving in parts: each part shows at once; the whole list then replaces
        // what was there (b, listed before, is gone; x of the first part stays).
        let seq = doc(&b, 0)["seq"].as_u64().unwrap();
        b.part("c1", "rollouts.kruise.io", vec![rollout("x", 1)]);
        assert_eq!(
            doc(&b, seq)["rows"][0][0],
            "c1 rollouts.kruise.io default x"
        );
        b.listed("c1", "rollouts.kruise.io", vec![rollout("y", 1)]);
        let ids: Vec<Value> = doc(&b, 0)["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r[0].clone())
            .collect();
        assert_eq!(
            ids,
            [
                json!("c1 rollouts.kruise.io default x"),
                json!("c1 rollouts.kruise.io default y")
            ]
        );
        assert_eq!(
            doc(&b, seq)["gone"],
            json!(["c1 rollouts.kruise.io default b"])
        );
    }
}
