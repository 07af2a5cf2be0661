//! A workload's revision history and what `undo` restores. Pure: the objects come in as
//! JSON, the decision and the patch go out.
//!
//! Kruise Rollouts has no rollback API: putting the workload's pod template back to the
//! stable revision is what makes the controller cancel the release and roll back.

use serde::Serialize;
use serde_json::{Map, Value};

use super::state::Refusal;
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

/// Why undo picked the revision it restores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Why {
    Requested,
    Stable(String),
    Previous,
}

/// What `undo` will write.
#[derive(Debug, Clone)]
pub struct Undo {
    pub to: Revision,
    pub why: Why,
    /// Images the workload's template has now.
    pub from_images: Vec<String>,
    /// A merge patch (without the resourceVersion precondition) that restores the template.
    pub patch: Value,
}

/// Choose the revision to restore: `--to-revision`, else the stable revision of the
/// release, else the newest revision whose template differs from the current one.
pub fn decide_undo(
    w: &Workload,
    h: &History,
    stable: Option<&Stable>,
    to_revision: Option<i64>,
) -> Result<Undo, Refusal> {
    let name = w.display_name();
    let runs = |r: &Revision| r.template == w.template;
    let (to, why) = if let Some(n) = to_revision {
        let r = h.by_number(n).ok_or_else(|| {
            Refusal(format!(
                "{name} has no revision {n} (revisions: {})",
                h.numbers()
            ))
        })?;
        if runs(r) {
            return Err(Refusal(format!("{name} already runs revision {n}")));
        }
        (r, Why::Requested)
    } else if let Some(s) = stable {
        let r = h.by_hash(&s.hash).ok_or_else(|| {
            Refusal(format!(
                "the stable revision {} (from {}) is not in the history of {name} (revisions: {}); \
                 pick one with --to-revision",
                s.hash,
                s.source,
                h.numbers()
            ))
        })?;
        if runs(r) {
            return Err(Refusal(format!(
                "{name} already runs the stable revision {} ({}); there is nothing to roll back",
                r.revision, r.hash
            )));
        }
        (r, Why::Stable(s.source.clone()))
    } else {
        let r = h.revisions.iter().rev().find(|r| !runs(r)).ok_or_else(|| {
            Refusal(if h.revisions.is_empty() {
                format!("{name} has no revision history to roll back to")
            } else {
                format!("{name} has no earlier revision to roll back to")
            })
        })?;
        (r, Why::Previous)
    };
    Ok(Undo {
        patch: restore_patch(w, to),
        to: to.clone(),
        why,
        from_images: images(&w.template),
    })
}

/// The merge patch that puts `to`'s template on the workload. A Deployment also takes the
/// ReplicaSet's annotations (`kubernetes.io/change-cause`, ...) as `kubectl rollout undo`
/// does. Replicas, strategy, `paused` and the Kruise controller's annotations and labels
/// are not touched.
fn restore_patch(w: &Workload, to: &Revision) -> Value {
    let mut patch = Map::new();
    if let Some(d) = merge_diff(&w.template, &to.template) {
        patch.insert("spec".into(), serde_json::json!({ "template": d }));
    }
    let annotations: Map<String, Value> = to
        .annotations
        .iter()
        .filter(|(k, v)| copied_on_rollback(k) && w.annotations.get(*k) != Some(v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if !annotations.is_empty() {
        patch.insert(
            "metadata".into(),
            serde_json::json!({ "annotations": annotations }),
        );
    }
    Value::Object(patch)
}

/// The JSON merge patch (RFC 7386) that turns `from` into `to`: changed keys, `null` for
/// removed ones, arrays whole. `None` when they are equal. Written here because the
/// json-patch crate generates RFC 6902 patches only, and a merge patch is what lets the
/// write carry its resourceVersion precondition on every kind, built-in or custom.
pub fn merge_diff(from: &Value, to: &Value) -> Option<Value> {
    match (from, to) {
        (Value::Object(a), Value::Object(b)) => {
            let mut out = Map::new();
            for (k, va) in a {
                match b.get(k) {
                    None => {
                        out.insert(k.clone(), Value::Null);
                    }
                    Some(vb) => {
                        if let Some(d) = merge_diff(va, vb) {
                            out.insert(k.clone(), d);
                        }
                    }
                }
            }
            for (k, vb) in b {
                if !a.contains_key(k) {
                    out.insert(k.clone(), vb.clone());
                }
            }
            (!out.is_empty()).then_some(Value::Object(out))
        }
        _ if from == to => None,
        _ => Some(to.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn template(image: &str) -> Value {
        json!({"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": image}]}})
    }

    fn deployment(image: &str) -> Value {
        json!({
            "metadata": {"name": "web", "uid": "u1", "resourceVersion": "7",
                "annotations": {"rollouts.kruise.io/in-progressing": "{}", "kubernetes.io/change-cause": "v3"},
                "labels": {"rollouts.kruise.io/stable-revision": "h2"}},
            "spec": {"replicas": 5, "paused": true, "selector": {"matchLabels": {"app": "web"}}, "template": template(image)}
        })
    }

    fn replica_set(rev: i64, hash: &str, image: &str, owner: &str) -> Value {
        let mut t = template(image);
        t["metadata"]["labels"]["pod-template-hash"] = json!(hash);
        json!({
            "metadata": {"name": format!("web-{hash}"), "labels": {"app": "web", "pod-template-hash": hash},
                "annotations": {"deployment.kubernetes.io/revision": rev.to_string(), "kubernetes.io/change-cause": format!("v{rev}")},
                "ownerReferences": [{"uid": owner, "controller": true}]},
            "spec": {"template": t}
        })
    }

    fn history(w: &Workload, objs: &[Value], stable: Option<&str>) -> History {
        History {
            revisions: revisions(w, objs),
            stable: stable.map(str::to_string),
            canary: vec![],
        }
    }

    fn web(image: &str) -> Workload {
        Workload::decode(WorkloadKind::Deployment, &deployment(image)).unwrap()
    }

    #[test]
    fn merge_diff_turns_one_document_into_the_other() {
        let cases = [
            (
                json!({"a": 1, "b": {"c": 2, "d": 3}}),
                json!({"a": 1, "b": {"c": 4}, "e": [1]}),
            ),
            (template("nginx:1"), template("nginx:2")),
            (json!({"x": [1, 2]}), json!({"x": [2]})),
        ];
        for (from, to) in cases {
            let d = merge_diff(&from, &to).expect("they differ");
            let mut applied = from.clone();
            json_patch::merge(&mut applied, &d);
            assert_eq!(applied, to, "patch {d}");
        }
        assert_eq!(merge_diff(&template("a"), &template("a")), None);
        assert_eq!(
            merge_diff(&json!({"a": 1, "b": 2}), &json!({"b": 2})),
            Some(json!({"a": null}))
        );
    }

    #[test]
    fn replica_sets_of_other_owners_are_not_history() {
        let w = web("nginx:3");
        let h = history(
            &w,
            &[
                replica_set(2, "h2", "nginx:2", "u1"),
                replica_set(1, "h1", "nginx:1", "u1"),
                replica_set(9, "zz", "other:9", "someone-else"),
            ],
            None,
        );
        let numbers: Vec<i64> = h.revisions.iter().map(|r| r.revision).collect();
        assert_eq!(numbers, [1, 2]);
        assert_eq!(h.revisions[1].images, ["nginx:2"]);
        assert_eq!(h.revisions[1].change_cause.as_deref(), Some("v2"));
        // The hash label is not part of the template: revision 2 compares equal to a
        // Deployment running nginx:2.
        assert_eq!(h.current(&web("nginx:2")).map(|r| r.revision), Some(2));
        assert_eq!(h.current(&w), None);
    }

    #[test]
    fn undo_restores_the_stable_revision_and_keeps_everything_else() {
        let w = web("nginx:3");
        let objs = [
            replica_set(1, "h1", "nginx:1", "u1"),
            replica_set(2, "h2", "nginx:2", "u1"),
            replica_set(3, "h3", "nginx:3", "u1"),
        ];
        let h = history(&w, &objs, Some("h2"));
        let stable = Stable {
            hash: "h2".into(),
            source: "rollout.rollouts.kruise.io/web".into(),
        };
        let u = decide_undo(&w, &h, Some(&stable), None).unwrap();
        assert_eq!(u.to.revision, 2);
        assert_eq!(u.why, Why::Stable("rollout.rollouts.kruise.io/web".into()));
        assert_eq!(u.from_images, ["nginx:3"]);
        assert_eq!(
            u.patch,
            json!({
                "spec": {"template": {"spec": {"containers": [{"name": "web", "image": "nginx:2"}]}}},
                "metadata": {"annotations": {"kubernetes.io/change-cause": "v2"}}
            })
        );
        let mut after = deployment("nginx:3");
        json_patch::merge(&mut after, &u.patch);
        assert_eq!(after["spec"]["template"], template("nginx:2"));
        assert_eq!(after["spec"]["paused"], json!(true));
        assert_eq!(after["spec"]["replicas"], json!(5));
        assert_eq!(
            after["metadata"]["annotations"]["rollouts.kruise.io/in-progressing"],
            json!("{}")
        );
    }

    #[test]
    fn undo_picks_the_previous_template_without_a_stable_revision() {
        // A paused canary Deployment has no ReplicaSet for its new template yet: the newest
        // revision is the one to go back to.
        let w = web("nginx:3");
        let objs = [
            replica_set(1, "h1", "nginx:1", "u1"),
            replica_set(2, "h2", "nginx:2", "u1"),
        ];
        let u = decide_undo(&w, &history(&w, &objs, None), None, None).unwrap();
        assert_eq!((u.to.revision, u.why), (2, Why::Previous));

        // Running the newest revision: the one before it.
        let w2 = web("nginx:2");
        let u = decide_undo(&w2, &history(&w2, &objs, None), None, None).unwrap();
        assert_eq!(u.to.revision, 1);
    }

    #[test]
    fn undo_refuses_when_there_is_nothing_to_go_back_to() {
        let w = web("nginx:2");
        let objs = [replica_set(2, "h2", "nginx:2", "u1")];
        let h = history(&w, &objs, None);
        let stable = Stable {
            hash: "h2".into(),
            source: "label".into(),
        };
        let e = decide_undo(&w, &h, Some(&stable), None).unwrap_err();
        assert!(e.0.contains("already runs the stable revision 2"), "{e}");
        let e = decide_undo(&w, &h, None, None).unwrap_err();
        assert!(e.0.contains("no earlier revision"), "{e}");
        let e = decide_undo(&w, &history(&w, &[], None), None, None).unwrap_err();
        assert!(e.0.contains("no revision history"), "{e}");
        let e = decide_undo(&w, &h, None, Some(7)).unwrap_err();
        assert_eq!(e.0, "deployment.apps/web has no revision 7 (revisions: 2)");
        let e = decide_undo(&w, &h, None, Some(2)).unwrap_err();
        assert!(e.0.contains("already runs revision 2"), "{e}");
        let gone = Stable {
            hash: "h0".into(),
            source: "label".into(),
        };
        let e = decide_undo(&w, &h, Some(&gone), None).unwrap_err();
        assert!(
            e.0.contains("stable revision h0 (from label) is not in the history"),
            "{e}"
        );
    }

    #[test]
    fn controller_revisions_yield_their_template() {
        let sts = json!({
            "metadata": {"name": "db", "uid": "s1", "resourceVersion": "3"},
            "spec": {"template": template("pg:16")}
        });
        let w = Workload::decode(WorkloadKind::StatefulSet, &sts).unwrap();
        let mut data = json!({"spec": {"template": template("pg:15")}});
        data["spec"]["template"]["$patch"] = json!("replace");
        let cr = json!({
            "metadata": {"name": "db-7f9c", "ownerReferences": [{"uid": "s1"}]},
            "revision": 4, "data": data
        });
        let h = history(&w, &[cr], Some("db-7f9c"));
        let r = &h.revisions[0];
        assert_eq!((r.revision, r.hash.as_str()), (4, "7f9c"));
        assert_eq!(r.template, template("pg:15"));
        assert!(h.is_stable(r), "a full ControllerRevision name matches too");
        let u = decide_undo(&w, &h, None, None).unwrap();
        assert_eq!(
            u.patch,
            json!({"spec": {"template": {"spec": {"containers": [{"name": "web", "image": "pg:15"}]}}}})
        );
    }
}
