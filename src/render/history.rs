//! `rollout history`: the revision table and one revision in full.

use anyhow::Result;

use super::{age_since, plain_table, yaml};
use crate::model::revision::{HistoryDoc, RevisionDoc};

const HEADER: [&str; 6] = [
    "REVISION",
    "HASH",
    "IMAGES",
    "AGE",
    "RELEASE",
    "CHANGE-CAUSE",
];

fn marks(r: &RevisionDoc) -> String {
    let m: Vec<&str> = [
        (r.stable, "stable"),
        (r.canary, "canary"),
        (r.current, "current"),
    ]
    .into_iter()
    .filter_map(|(on, s)| on.then_some(s))
    .collect();
    if m.is_empty() {
        "-".into()
    } else {
        m.join(",")
    }
}

fn images(list: &[String]) -> String {
    if list.is_empty() {
        "<none>".into()
    } else {
        list.join(",")
    }
}

/// One row per revision, oldest first; a last row for a template that has no revision yet
/// (a Deployment that Kruise paused for a canary release).
pub fn history_table(d: &HistoryDoc, now: jiff::Timestamp) -> String {
    let mut rows: Vec<Vec<String>> = d
        .revisions
        .iter()
        .map(|d| {
            let r = &d.revision;
            vec![
                r.revision.to_string(),
                r.hash.clone(),
                images(&r.images),
                age_since(r.created.as_deref(), now),
                marks(d),
                r.change_cause.clone().unwrap_or_else(|| "<none>".into()),
            ]
        })
        .collect();
    if d.current_revision.is_none() {
        rows.push(vec![
            "-".into(),
            "-".into(),
            images(&d.current_images),
            "-".into(),
            "current (no revision yet)".into(),
            "-".into(),
        ]);
    }
    plain_table(Some(&HEADER), rows)
}

/// `--revision N`: what the revision is and its pod template.
pub fn revision_view(d: &HistoryDoc) -> Result<String> {
    let mut out = String::new();
    for doc in &d.revisions {
        let role = marks(doc);
        let r = &doc.revision;
        out.push_str(&format!(
            "{}/{} revision {} ({}){}\n",
            d.workload.kind.to_lowercase(),
            d.workload.name,
            r.revision,
            r.hash,
            if role == "-" {
                String::new()
            } else {
                format!(", {role}")
            }
        ));
        out.push_str(&format!("Images:        {}\n", images(&r.images)));
        if let Some(c) = &r.change_cause {
            out.push_str(&format!("Change-cause:  {c}\n"));
        }
        if let Some(t) = &doc.template {
            out.push_str("Pod template:\n");
            for line in yaml(t)?.lines() {
                out.push_str(&format!("  {line}\n"));
            }
        }
    }
    Ok(out)
}
