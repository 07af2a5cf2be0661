//! A workload's revision history and what `undo` restores. Pure: the objects come in as
//! JSON, the decision and the patch go out.
//!
//! Kruise Rollouts has no rollback API: putting the workload's pod template back to the
//! stable revision is what makes the controller cancel the release and roll back.

use serde::Serialize;
use serde_json::{Map, Value};

mod doc;
mod undo;

pub use doc::{HistoryDoc, RevisionDoc, WorkloadDoc};
pub use undo::{Undo, Why, decide_undo, merge_diff};

use super::workload::{HistorySource, WorkloadKind};

pub const STABLE_REVISION_LABEL: &str = "rollouts.kruise.io/stable-revision";
const REVISION_ANNOTATION: &str = "deployment.kubernetes.io/revision";
const CHANGE_CAUSE: &str = "kubernetes.io/change-cause";
const HASH_LABEL: &str = "pod-template-hash";

/// Annotations a Deployment rollback never copies from a ReplicaSet (as `kubectl rollout
/// undo`), plus the Kruise controller's own, which belong to the release in flight.
fn copied_on_rollback(key: &str) -> bool {
    !matches!(
        key,
        "kubectl.kubernetes.io/last-applied-configuration"
            | "deployment.kubernetes.io/revision"
            | "deployment.kubernetes.io/revision-history"
            | "deployment.kubernetes.io/desired-replicas"
            | "deployment.kubernetes.io/max-replicas"
            | "deprecated.deployment.rollback.to"
    ) && !key.starts_with("rollouts.kruise.io/")
}

fn str_at<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer).and_then(Value::as_str)
}

/// The parts of a workload object that history and undo need.
#[derive(Debug, Clone)]
pub struct Workload {
    pub kind: WorkloadKind,
    pub name: String,
    pub uid: Option<String>,
    pub resource_version: String,
    pub template: Value,
    pub annotations: Map<String, Value>,
    /// `rollouts.kruise.io/stable-revision`, set on Deployments in partition and blue-green
    /// releases.
    pub stable_label: Option<String>,
}

impl Workload {
    pub fn decode(kind: WorkloadKind, obj: &Value) -> Result<Self, String> {
        let name = str_at(obj, "/metadata/name").ok_or("the object has no name")?;
        let template = obj
            .pointer("/spec/template")
            .filter(|t| t.is_object())
            .ok_or_else(|| format!("{}/{name} has no pod template", kind.resource_name()))?;
        Ok(Workload {
            kind,
            name: name.to_string(),
            uid: str_at(obj, "/metadata/uid").map(str::to_string),
            resource_version: str_at(obj, "/metadata/resourceVersion")
                .unwrap_or_default()
                .to_string(),
            template: template.clone(),
            annotations: obj
                .pointer("/metadata/annotations")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default(),
            stable_label: str_at(
                obj,
                &format!("/metadata/labels/{}", escape(STABLE_REVISION_LABEL)),
            )
            .filter(|s| !s.is_empty())
            .map(str::to_string),
        })
    }

    /// `deployment.apps/nginx`, as kubectl names it.
    pub fn display_name(&self) -> String {
        format!("{}/{}", self.kind.resource_name(), self.name)
    }
}

/// A JSON pointer token for a key with `/` in it (RFC 6901).
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// The label selector that finds a workload's ReplicaSets or ControllerRevisions:
/// `spec.selector.matchLabels` as `k=v,...`. Ownership is checked on each object anyway.
pub fn history_selector(obj: &Value) -> String {
    obj.pointer("/spec/selector/matchLabels")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| format!("{k}={v}")))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default()
}

/// One past (or the present) pod template of a workload.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Revision {
    pub revision: i64,
    /// `pod-template-hash` of a ReplicaSet; the hash part of a ControllerRevision's name.
    pub hash: String,
    /// The ReplicaSet or ControllerRevision holding it.
    pub name: String,
    pub images: Vec<String>,
    pub created: Option<String>,
    pub change_cause: Option<String>,
    #[serde(skip)]
    pub template: Value,
    #[serde(skip)]
    pub annotations: Map<String, Value>,
}

/// Image of every container, in order.
pub fn images(template: &Value) -> Vec<String> {
    template
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .map(|cs| {
            cs.iter()
                .filter_map(|c| c.get("image").and_then(Value::as_str))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn owned_by(obj: &Value, uid: Option<&str>) -> bool {
    let Some(uid) = uid else { return true };
    obj.pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .is_some_and(|refs| {
            refs.iter()
                .any(|r| r.get("uid").and_then(Value::as_str) == Some(uid))
        })
}

/// A ReplicaSet as a revision: its template without the hash label the Deployment
/// controller adds, so that it compares equal to the Deployment's template.
fn from_replica_set(obj: &Value) -> Option<Revision> {
    let mut template = obj.pointer("/spec/template")?.clone();
    let hash = str_at(obj, &format!("/metadata/labels/{HASH_LABEL}"))
        .or_else(|| str_at(&template, &format!("/metadata/labels/{HASH_LABEL}")))?
        .to_string();
    if let Some(labels) = template
        .pointer_mut("/metadata/labels")
        .and_then(Value::as_object_mut)
    {
        labels.remove(HASH_LABEL);
        if labels.is_empty() {
            template["metadata"].as_object_mut()?.remove("labels");
        }
    }
    let annotations = obj
        .pointer("/metadata/annotations")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    Some(Revision {
        revision: annotations
            .get(REVISION_ANNOTATION)
            .and_then(Value::as_str)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0),
        hash,
        name: str_at(obj, "/metadata/name")?.to_string(),
        images: images(&template),
        created: str_at(obj, "/metadata/creationTimestamp").map(str::to_string),
        change_cause: annotations
            .get(CHANGE_CAUSE)
            .and_then(Value::as_str)
            .map(str::to_string),
        template,
        annotations,
    })
}

/// A ControllerRevision as a revision. Its `data` is the patch that restores the template
/// (`{"spec":{"template":{..., "$patch":"replace"}}}`); the template is taken out of it.
fn from_controller_revision(obj: &Value, workload: &str) -> Option<Revision> {
    let mut template = obj.pointer("/data/spec/template")?.clone();
    template.as_object_mut()?.remove("$patch");
    let name = str_at(obj, "/metadata/name")?.to_string();
    let hash = name
        .strip_prefix(workload)
        .and_then(|h| h.strip_prefix('-'))
        .unwrap_or(&name)
        .to_string();
    Some(Revision {
        revision: obj.get("revision").and_then(Value::as_i64).unwrap_or(0),
        hash,
        name,
        images: images(&template),
        created: str_at(obj, "/metadata/creationTimestamp").map(str::to_string),
        change_cause: str_at(
            obj,
            &format!("/metadata/annotations/{}", escape(CHANGE_CAUSE)),
        )
        .map(str::to_string),
        template,
        annotations: Map::new(),
    })
}

/// The revisions (oldest first) among listed ReplicaSets or ControllerRevisions that belong
/// to this workload.
pub fn revisions(w: &Workload, objects: &[Value]) -> Vec<Revision> {
    let mut out: Vec<Revision> = objects
        .iter()
        .filter(|o| owned_by(o, w.uid.as_deref()))
        .filter_map(|o| match w.kind.history() {
            HistorySource::ReplicaSets => from_replica_set(o),
            HistorySource::ControllerRevisions => from_controller_revision(o, &w.name),
        })
        .collect();
    out.sort_by_key(|r| r.revision);
    out
}

/// The stable revision of a release, and where it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stable {
    pub hash: String,
    /// `rollout.rollouts.kruise.io/NAME`, or the workload label.
    pub source: String,
}

/// A workload's history with the current release's revisions marked.
#[derive(Debug, Clone)]
pub struct History {
    pub revisions: Vec<Revision>,
    pub stable: Option<String>,
    /// The new version of the release in flight: `podTemplateHash` / `canaryRevision`.
    pub canary: Vec<String>,
}

impl History {
    pub fn by_number(&self, n: i64) -> Option<&Revision> {
        self.revisions.iter().rev().find(|r| r.revision == n)
    }

    /// The revision with this hash (or ControllerRevision name); the newest if several.
    pub fn by_hash(&self, h: &str) -> Option<&Revision> {
        self.revisions
            .iter()
            .rev()
            .find(|r| r.hash == h || r.name == h)
    }

    /// The revision the workload's template is now, if one has been created for it (a
    /// Deployment paused for a canary release has none for its new template yet).
    pub fn current<'a>(&'a self, w: &Workload) -> Option<&'a Revision> {
        self.revisions
            .iter()
            .rev()
            .find(|r| r.template == w.template)
    }

    pub fn is_stable(&self, r: &Revision) -> bool {
        self.stable
            .as_deref()
            .is_some_and(|h| r.hash == h || r.name == h)
    }

    pub fn is_canary(&self, r: &Revision) -> bool {
        self.canary.iter().any(|h| r.hash == *h || r.name == *h)
    }

    pub fn numbers(&self) -> String {
        let ns: Vec<String> = self
            .revisions
            .iter()
            .map(|r| r.revision.to_string())
            .collect();
        if ns.is_empty() {
            "none".into()
        } else {
            ns.join(", ")
        }
    }
}

#[cfg(test)]
mod tests;
