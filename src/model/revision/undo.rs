//! What `undo` restores, and the patch that restores it.

use serde_json::{Map, Value};

use super::{History, Revision, Stable, Workload, copied_on_rollback, images};
use crate::model::state::Refusal;

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
/// release in flight, else (no release in flight: `settled` names the rollout whose release
/// is over) the newest revision whose template differs from the current one, as `kubectl
/// rollout undo` does.
pub fn decide_undo(
    w: &Workload,
    h: &History,
    stable: Option<&Stable>,
    settled: Option<&str>,
    to_revision: Option<i64>,
) -> Result<Undo, Refusal> {
    let name = w.display_name();
    let stable = stable.filter(|_| settled.is_none());
    let history_word = |h: &History| {
        if h.revisions.is_empty() {
            format!("{name} has no revision history")
        } else {
            format!("{name} has revisions {}", h.numbers())
        }
    };
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
            Refusal(if h.revisions.is_empty() {
                format!(
                    "the stable revision {} (from {}) is not in the history of {name}, which has \
                     none (no ReplicaSets or ControllerRevisions of it): put the old template \
                     back on the workload instead",
                    s.hash, s.source
                )
            } else {
                format!(
                    "the stable revision {} (from {}) is not in the history of {name} \
                     (revisions: {}); pick one with --to-revision",
                    s.hash,
                    s.source,
                    h.numbers()
                )
            })
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
            Refusal(match settled {
                // Nothing in flight: say so, and how a person goes further back.
                Some(rollout) => format!(
                    "the release of {rollout} is over: nothing is in flight to undo, and {}; \
                     to go back to an earlier revision, name it with --to-revision N once \
                     `kubectl kruise rollout history` lists one",
                    history_word(h)
                ),
                None if h.revisions.is_empty() => {
                    format!("{name} has no revision history to roll back to")
                }
                None => format!("{name} has no earlier revision to roll back to"),
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
