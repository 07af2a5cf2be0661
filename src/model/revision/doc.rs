//! `rollout history -o json|yaml`: the document scripts read.

use serde::Serialize;
use serde_json::Value;

use super::{History, Revision, Workload, images};

/// `rollout history -o json|yaml`: the document scripts read (field names are pinned by a
/// test).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryDoc {
    pub workload: WorkloadDoc,
    /// The rollout the history was asked through, if any.
    pub rollout: Option<String>,
    pub current_revision: Option<i64>,
    pub stable_revision: Option<i64>,
    pub canary_revision: Option<i64>,
    /// Images of the workload's template now (it may have no revision yet).
    pub current_images: Vec<String>,
    pub revisions: Vec<RevisionDoc>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadDoc {
    pub api_version: String,
    pub kind: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RevisionDoc {
    #[serde(flatten)]
    pub revision: Revision,
    pub stable: bool,
    pub canary: bool,
    pub current: bool,
    /// With `--revision N` only: the pod template.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<Value>,
}

impl HistoryDoc {
    pub fn new(w: &Workload, h: &History, rollout: Option<&str>) -> Self {
        let current = h.current(w).map(|r| r.revision);
        let newest = |f: &dyn Fn(&Revision) -> bool| {
            h.revisions.iter().rev().find(|r| f(r)).map(|r| r.revision)
        };
        HistoryDoc {
            workload: WorkloadDoc {
                api_version: format!("{}/{}", w.kind.group(), w.kind.version()),
                kind: w.kind.kind().to_string(),
                name: w.name.clone(),
            },
            rollout: rollout.map(str::to_string),
            current_revision: current,
            stable_revision: newest(&|r| h.is_stable(r)),
            canary_revision: newest(&|r| h.is_canary(r)),
            current_images: images(&w.template),
            revisions: h
                .revisions
                .iter()
                .map(|r| RevisionDoc {
                    revision: r.clone(),
                    stable: h.is_stable(r),
                    canary: h.is_canary(r),
                    current: Some(r.revision) == current,
                    template: None,
                })
                .collect(),
        }
    }

    /// Keep revision `n` only, with its template; `None` if there is no such revision.
    pub fn only(mut self, n: i64, h: &History) -> Option<Self> {
        let r = h.by_number(n)?;
        self.revisions.retain(|d| d.revision.revision == n);
        let d = self.revisions.last_mut()?;
        d.template = Some(r.template.clone());
        self.revisions.drain(..self.revisions.len() - 1);
        Some(self)
    }
}
