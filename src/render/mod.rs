//! Rendering: the status view, list rows, JSON/YAML. Functions here return text; commands
//! decide where it goes.

mod age;
mod analysis;
mod diff;
mod history;
pub mod live;
pub mod screen;

use anyhow::{Context, Result};
use comfy_table::{ColumnConstraint, Table, presets};
use serde::Serialize;

pub use age::{age, age_since};
pub use analysis::report_table;
pub use diff::template_diff;
pub use history::{history_table, revision_view};

use crate::model::summary::Summary;
use crate::model::view::ReleaseView;

/// Pretty JSON with a trailing newline, as `kubectl -o json` prints.
pub fn json<T: Serialize + ?Sized>(v: &T) -> Result<String> {
    let mut s = serde_json::to_string_pretty(v).context("cannot encode JSON")?;
    s.push('\n');
    Ok(s)
}

pub fn yaml<T: Serialize>(v: &T) -> Result<String> {
    serde_saphyr::to_string(v).context("cannot encode YAML")
}

/// A borderless table with kubectl's look: left-aligned columns, three spaces apart.
pub fn plain_table(header: Option<&[&str]>, rows: Vec<Vec<String>>) -> String {
    let mut t = Table::new();
    t.load_style(presets::NOTHING).force_no_tty();
    if let Some(h) = header {
        t.set_header(h.to_vec());
    }
    for r in rows {
        t.add_row(r);
    }
    let cols = t.column_count();
    for (i, c) in t.column_iter_mut().enumerate() {
        c.set_padding((0, if i + 1 == cols { 0 } else { 3 }));
        // Never wrap: scripts and `grep` read one line per row.
        c.set_constraint(ColumnConstraint::ContentWidth);
    }
    let mut s = t.trim_fmt();
    s.push('\n');
    s
}

/// `[######--------------]` for `done` out of `total`.
pub fn bar(done: i64, total: i64, width: usize) -> String {
    let filled = if total <= 0 {
        0
    } else {
        ((done.clamp(0, total) as usize) * width) / total as usize
    };
    format!("[{}{}]", "#".repeat(filled), "-".repeat(width - filled))
}

fn or_dash(s: Option<impl ToString>) -> String {
    s.map(|v| v.to_string()).unwrap_or_else(|| "-".to_string())
}

/// The view's state in words and, when it waits, what for and why: the `Stage:` and
/// `Waiting:` lines of every status block.
fn stage_lines(v: &ReleaseView) -> Vec<(&'static str, String)> {
    let mut lines = vec![("Stage", v.text.clone())];
    if let Some(why) = &v.why {
        let what = v.waiting_for.map(|w| format!("{w}: ")).unwrap_or_default();
        lines.push(("Waiting", format!("{what}{why}")));
    }
    lines
}

/// The status view a person reads during a release.
pub fn status_view(s: &Summary) -> String {
    let mut lines: Vec<(&str, String)> = Vec::new();
    lines.push(("Name", format!("{}/{}", s.namespace, s.name)));
    lines.push(("API", s.api_version.clone()));
    if let Some(w) = &s.workload {
        let reps = w
            .replicas
            .map(|r| format!(" ({r} replicas)"))
            .unwrap_or_default();
        lines.push(("Workload", format!("{}/{}{reps}", w.kind, w.name)));
    }
    lines.push((
        "Strategy",
        format!("{}, {} steps", s.strategy, s.total_steps),
    ));
    let reason = s
        .reason
        .as_deref()
        .map(|r| format!(" ({r})"))
        .unwrap_or_default();
    lines.push((
        "Phase",
        format!("{}{reason}", s.phase.as_deref().unwrap_or("-")),
    ));
    let v = &s.view;
    lines.extend(stage_lines(v));
    if s.paused {
        lines.push(("Paused", "yes (spec.strategy.paused)".into()));
    }
    if s.disabled {
        lines.push(("Disabled", "yes (spec.disabled)".into()));
    }
    if let Some(m) = &s.message {
        lines.push(("Message", m.clone()));
    }
    if v.stable.is_some() || v.canary.is_some() {
        lines.push((
            "Revisions",
            format!(
                "stable {}, canary {}",
                or_dash(v.stable.as_ref()),
                or_dash(v.canary.as_ref())
            ),
        ));
    }
    if let Some(b) = &s.batch {
        let text = match b.target {
            Some(t) => format!("{} {}/{t} ready", bar(b.ready, t, 20), b.ready),
            None => format!(
                "{}/{} ready (target unknown: workload not read)",
                b.ready, b.replicas
            ),
        };
        lines.push(("Batch", text));
    }
    lines.extend(v.next.clone().map(|n| ("Next", n)));
    // Two spaces after the longest `Label:`.
    let width = lines.iter().map(|(k, _)| k.len()).max().unwrap_or(0) + 3;
    let mut out: String = lines
        .iter()
        .map(|(k, v)| format!("{:<width$}{v}\n", format!("{k}:")))
        .collect();

    if !s.steps.is_empty() {
        out.push('\n');
        let rows = s
            .steps
            .iter()
            .map(|st| {
                let status = match (st.status, s.current_step_state.as_deref()) {
                    ("current", Some(state)) => format!("current: {state}"),
                    (other, _) => other.to_string(),
                };
                vec![
                    st.index.to_string(),
                    or_dash(st.replicas.as_ref()),
                    or_dash(st.pods),
                    or_dash(st.traffic.as_ref()),
                    st.pause.clone(),
                    status,
                ]
            })
            .collect();
        out.push_str(&plain_table(
            Some(&["STEP", "REPLICAS", "PODS", "TRAFFIC", "PAUSE", "STATUS"]),
            rows,
        ));
    }
    out
}

/// One line per change, for logs: `--watch` when stdout is not a terminal, and the
/// fleet's lines.
pub fn status_line(v: &ReleaseView) -> String {
    let mut parts = vec![v.qualified(), v.state.to_string()];
    if v.step.is_some() {
        parts.push(format!("step {}", v.step_label()));
    }
    if v.ready.is_some() {
        parts.push(format!("ready {}", v.ready_label()));
    }
    parts.push(v.text.clone());
    let mut line = parts.join("  ");
    if let Some(m) = &v.message {
        line.push_str(&format!("  \"{m}\""));
    }
    line
}

/// The columns of `rollout list`.
pub const LIST_HEADER: [&str; 8] = [
    "NAME", "WORKLOAD", "STRATEGY", "STEP", "STATE", "READY", "PHASE", "AGE",
];

/// One row of `rollout list`; `age` already formatted.
/// The header of `list`'s table: CLUSTER, KIND and NAMESPACE first when shown, then
/// [`LIST_HEADER`].
pub fn list_header(cluster: bool, kind: bool, namespace: bool) -> Vec<&'static str> {
    [
        (cluster, "CLUSTER"),
        (kind, "KIND"),
        (namespace, "NAMESPACE"),
    ]
    .into_iter()
    .filter_map(|(shown, name)| shown.then_some(name))
    .chain(LIST_HEADER)
    .collect()
}

/// One chunk of a table printed chunk by chunk (as kubectl's chunked output): each its own
/// table, the header only on the first.
pub fn table_chunk(header: &[&str], rows: Vec<Vec<String>>, first: bool) -> String {
    let table = plain_table(Some(header), rows);
    if first {
        return table;
    }
    table
        .split_once('\n')
        .map(|(_, rest)| rest.to_string())
        .unwrap_or_default()
}

pub fn list_row(v: &ReleaseView, age: &str, with_namespace: bool) -> Vec<String> {
    let mut row = Vec::with_capacity(9);
    if with_namespace {
        row.push(v.namespace.clone());
    }
    row.push(v.name.clone());
    row.push(or_dash(v.workload.as_ref()));
    row.push(v.strategy.to_string());
    row.push(v.step_label());
    row.push(v.state.to_string());
    row.push(v.ready_label());
    row.push(or_dash(v.phase.as_ref()));
    row.push(age.to_string());
    row
}

/// The status view of a workload: its pods and, if a rollout drives it, where that release
/// stands. Reads the document `status -o json` prints for a workload.
pub fn workload_view(doc: &serde_json::Value) -> String {
    let s = |k: &str| {
        doc.get(k)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string()
    };
    let n = |k: &str| doc.get(k).and_then(|v| v.as_i64()).unwrap_or(0);
    let group = s("apiVersion")
        .rsplit_once('/')
        .map(|(g, _)| format!(".{g}"))
        .unwrap_or_default();
    let mut lines: Vec<(&str, String)> = vec![
        ("Name", format!("{}/{}", s("namespace"), s("name"))),
        (
            "Workload",
            format!("{}{group}/{}", s("kind").to_lowercase(), s("name")),
        ),
    ];
    let partition = doc
        .get("partition")
        .and_then(|v| v.as_i64())
        .map(|p| format!(" (partition {p}: {} to update)", n("target")))
        .unwrap_or_default();
    lines.push((
        "Pods",
        format!(
            "{} desired, {} updated, {} ready, {} available{partition}",
            n("desired"),
            n("updated"),
            n("ready"),
            n("available")
        ),
    ));
    if doc.get("paused").and_then(|v| v.as_bool()) == Some(true) {
        lines.push(("Paused", "yes".into()));
    }
    if let Some(rel) = doc.get("release") {
        let name = rel.get("rollout").and_then(|v| v.as_str()).unwrap_or("");
        let text = rel
            .get("text")
            .and_then(|v| v.as_str())
            .unwrap_or("cannot be read");
        lines.push(("Release", format!("rollout/{name}: {text}")));
    }
    lines.push(("Status", s("message")));
    let mut out = String::new();
    for (k, v) in lines {
        out.push_str(&format!("{:<11} {v}\n", format!("{k}:")));
    }
    out
}

/// The status view of a KubeVela batch rollout.
pub fn batch_view(s: &crate::model::batch::BatchSummary) -> String {
    let mut lines: Vec<(&str, String)> = vec![
        ("Name", format!("{}/{}", s.namespace, s.name)),
        ("Kind", format!("{} ({})", s.kind, s.api_version)),
    ];
    if let Some(app) = &s.application {
        let comp = app
            .component
            .as_deref()
            .map(|c| format!(", component {c}"))
            .unwrap_or_default();
        lines.push(("Application", format!("{}{comp}", app.name)));
    }
    lines.push((
        "Revisions",
        format!(
            "{} -> {}",
            s.source_revision.as_deref().unwrap_or("(none)"),
            s.target_revision.as_deref().unwrap_or("-")
        ),
    ));
    let v = &s.view;
    lines.extend(stage_lines(v));
    lines.push((
        "State",
        format!(
            "{} / {}",
            s.rolling_state.as_deref().unwrap_or("-"),
            s.batch_rolling_state.as_deref().unwrap_or("-")
        ),
    ));
    lines.push((
        "Partition",
        s.batch_partition
            .map_or("none (every batch rolls)".to_string(), |p| p.to_string()),
    ));
    lines.push((
        "Pods",
        format!(
            "target {}, upgraded {}, ready {}",
            or_dash(s.target_size),
            or_dash(s.upgraded_replicas),
            or_dash(s.upgraded_ready_replicas)
        ),
    ));
    if s.paused {
        lines.push(("Paused", "yes".into()));
    }
    if let Some(p) = &s.pending_reapply {
        lines.push(("Pending", p.clone()));
    }
    lines.extend(v.next.clone().map(|n| ("Next", n)));
    let mut out = String::new();
    for (k, v) in lines {
        out.push_str(&format!("{:<13}{v}\n", format!("{k}:")));
    }
    let rows: Vec<Vec<String>> = s
        .batches
        .iter()
        .map(|b| {
            vec![
                b.index.to_string(),
                b.replicas.clone(),
                or_dash(b.pods),
                or_dash(b.upgraded),
                b.status.to_string(),
            ]
        })
        .collect();
    if !rows.is_empty() {
        out.push('\n');
        out.push_str(&plain_table(
            Some(&["BATCH", "REPLICAS", "PODS", "UPGRADED WHEN DONE", "STATUS"]),
            rows,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::summary::summarize;
    use crate::model::{decode, fixtures};

    #[test]
    fn bars_fill_in_proportion() {
        assert_eq!(bar(1, 1, 10), "[##########]");
        assert_eq!(bar(1, 4, 8), "[##------]");
        assert_eq!(bar(0, 0, 4), "[----]");
        assert_eq!(bar(9, 3, 3), "[###]");
    }

    #[test]
    fn status_view_of_the_seed_release() {
        let s = summarize(
            &decode(&fixtures::seed_v1beta1_paused()).unwrap(),
            Some(&fixtures::workload(10)),
        );
        let expected = "\
Name:       default/rollouts-nginx
API:        rollouts.kruise.io/v1beta1
Workload:   Deployment/nginx (10 replicas)
Strategy:   partition, 3 steps
Phase:      Progressing (InRolling)
Stage:      waiting for approval at step 1/3
Waiting:    approval: the batch is ready: 1 of 1 pods of step 1 ready
Message:    Rollout is in step(1/3), and you need manually confirm to enter the next step
Revisions:  stable 68556bc579, canary d7f5d89c9
Batch:      [####################] 1/1 ready
Next:       kubectl kruise rollout approve rollouts-nginx -n default

STEP   REPLICAS   PODS   TRAFFIC   PAUSE    STATUS
1      1          1      -         manual   current: StepPaused
2      50%        5      -         manual   pending
3      100%       10     -         none     pending
";
        assert_eq!(status_view(&s), expected);
    }

    #[test]
    fn status_line_for_logs() {
        let s = summarize(
            &decode(&fixtures::v1beta1_blue_green()).unwrap(),
            Some(&fixtures::workload(4)),
        );
        assert_eq!(
            status_line(&s.view),
            "default/shop  WaitingForApproval  step 1/3  ready 2/2  waiting for approval at step 1/3  \
             \"Rollout is in step(1/3), and you need manually confirm to enter the next step\""
        );
    }

    #[test]
    fn list_rows() {
        let s = summarize(&decode(&fixtures::v1alpha1_canary()).unwrap(), None);
        assert_eq!(
            list_row(&s.view, "5m", true),
            [
                "default",
                "echo",
                "Deployment/echo",
                "canary",
                "1/3",
                "WaitingForApproval",
                "1/1",
                "Progressing",
                "5m"
            ]
        );
        let table = plain_table(Some(&LIST_HEADER), vec![list_row(&s.view, "5m", false)]);
        assert_eq!(
            table,
            "NAME   WORKLOAD          STRATEGY   STEP   STATE                READY   PHASE         AGE\n\
             echo   Deployment/echo   canary     1/3    WaitingForApproval   1/1     Progressing   5m\n"
        );
    }
}
