//! The KubeVela Application side: the `rollout` trait that renders a trait Rollout, what it
//! says that the Rollout does not show yet, and the marks on app-owned Kruise Rollouts.

use serde_json::Value;

use super::{APP_NAME, BatchRollout, SKIP_RESUME};
use crate::model::state::Refusal;

/// The trait of an Application that renders a trait Rollout: component `i`, trait `j`.
#[derive(Debug, Clone, PartialEq)]
pub struct AppTrait {
    pub component: usize,
    pub index: usize,
    pub properties: Value,
}

/// Find the `rollout` trait of `component` in an Application.
pub fn app_trait(app: &Value, component: &str) -> Result<AppTrait, Refusal> {
    let comps = app
        .pointer("/spec/components")
        .and_then(Value::as_array)
        .ok_or_else(|| Refusal("its Application has no components".into()))?;
    let (ci, comp) = comps
        .iter()
        .enumerate()
        .find(|(_, c)| c.get("name").and_then(Value::as_str) == Some(component))
        .ok_or_else(|| Refusal(format!("its Application has no component {component:?}")))?;
    let (ti, tr) = comp
        .get("traits")
        .and_then(Value::as_array)
        .and_then(|ts| {
            ts.iter()
                .enumerate()
                .find(|(_, t)| t.get("type").and_then(Value::as_str) == Some("rollout"))
        })
        .ok_or_else(|| {
            Refusal(format!(
                "component {component:?} of its Application has no rollout trait"
            ))
        })?;
    Ok(AppTrait {
        component: ci,
        index: ti,
        properties: tr.get("properties").cloned().unwrap_or(Value::Null),
    })
}

impl AppTrait {
    fn base(&self) -> String {
        format!("/spec/components/{}/traits/{}", self.component, self.index)
    }

    /// A JSON patch setting trait property `key` to `value`, guarded by `test` operations
    /// on what was read: kube-apiserver answers 422 when one fails (a concurrent change),
    /// and nothing is written.
    pub fn set_property(&self, component: &str, key: &str, value: Value) -> Value {
        let base = self.base();
        let mut ops = vec![
            serde_json::json!({"op": "test", "path": format!("/spec/components/{}/name", self.component), "value": component}),
            serde_json::json!({"op": "test", "path": format!("{base}/type"), "value": "rollout"}),
        ];
        match self.properties.get(key) {
            Some(old) => {
                ops.push(serde_json::json!({"op": "test", "path": format!("{base}/properties/{key}"), "value": old}));
                ops.push(serde_json::json!({"op": "replace", "path": format!("{base}/properties/{key}"), "value": value}));
            }
            None if self.properties.is_object() => {
                ops.push(serde_json::json!({"op": "add", "path": format!("{base}/properties/{key}"), "value": value}));
            }
            None => ops.push(serde_json::json!({"op": "add", "path": format!("{base}/properties"), "value": {key: value}})),
        }
        Value::Array(ops)
    }
}

/// What the Application says that the trait Rollout does not show yet: it has not been
/// re-applied since (or `app.oam.dev/publishVersion` holds it back).
pub fn pending_reapply(r: &BatchRollout, t: &AppTrait) -> Option<String> {
    let prop = |k: &str| t.properties.get(k).and_then(Value::as_i64);
    if let Some(p) = prop("batchPartition")
        && r.partition != Some(p)
    {
        return Some(format!(
            "the Application sets batchPartition {p}; the Rollout still has {}",
            r.partition.map_or("none".to_string(), |v| v.to_string())
        ));
    }
    if let Some(rev) = t.properties.get("targetRevision").and_then(Value::as_str)
        && r.target.as_deref() != Some(rev)
    {
        return Some(format!(
            "the Application sets targetRevision {rev}; the Rollout still rolls to {}",
            r.target.as_deref().unwrap_or("-")
        ));
    }
    None
}

/// The KubeVela Application that owns a Kruise Rollout, from its labels.
pub fn owning_app(obj: &Value) -> Option<String> {
    obj.pointer("/metadata/labels")
        .and_then(|l| l.get(APP_NAME))
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// A Kruise Rollout that KubeVela's `canary-deploy` workflow step drives: not approved by hand.
pub fn skips_resume(obj: &Value) -> bool {
    obj.pointer("/metadata/annotations")
        .and_then(|a| a.get(SKIP_RESUME))
        .and_then(Value::as_str)
        == Some("true")
}
