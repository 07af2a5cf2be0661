//! What `pause`, `resume` and `restart` decide for a workload, from the kind's row of data
//! and the object as read. Pure.

use serde_json::{Value, json};

use super::state::{Refusal, Toggle};
use super::workload::{RestartHow, WorkloadKind};

/// The annotation the Kruise webhook puts on a workload whose release a Rollout controls.
pub const IN_PROGRESSING: &str = "rollouts.kruise.io/in-progressing";
/// kubectl's restart annotation on the pod template.
pub const RESTARTED_AT: &str = "kubectl.kubernetes.io/restartedAt";
/// The env var set in every container of kinds that update in place.
pub const RESTARTED_AT_ENV: &str = "RESTARTED_AT";

/// `kind.group/name`, as kubectl names the object in its output.
pub fn display(kind: WorkloadKind, name: &str) -> String {
    format!("{}/{name}", kind.resource_name())
}

fn name_of(obj: &Value) -> &str {
    obj.pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// The Rollout releasing this workload now, named by the webhook's `in-progressing`
/// annotation (`{"rolloutName":"web"}`).
pub fn controlling_rollout(obj: &Value) -> Option<String> {
    let raw = obj
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(IN_PROGRESSING))
        .and_then(Value::as_str)?;
    let info: Value = serde_json::from_str(raw).ok()?;
    info.get("rolloutName")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
}

/// `pause` / `resume` of a workload: refuse kinds without a pause switch, and workloads a
/// Rollout is releasing (pausing them would fight its controller).
pub fn decide_workload_pause(
    kind: WorkloadKind,
    obj: &Value,
    pause: bool,
) -> Result<(Toggle, &'static str), Refusal> {
    let verb = if pause { "pausing" } else { "resuming" };
    let Some(ptr) = kind.row().pause else {
        return Err(Refusal(format!(
            "{verb} is not supported for {}: it has no pause; a Kruise Rollout can hold it \
             between batches",
            kind.qualified_plural()
        )));
    };
    if let Some(rollout) = controlling_rollout(obj) {
        let instead = if pause {
            format!("kubectl kruise rollout pause rollout/{rollout}")
        } else {
            format!(
                "kubectl kruise rollout resume rollout/{rollout} (or, to move to the next \
                 batch, kubectl kruise rollout approve rollout/{rollout})"
            )
        };
        return Err(Refusal(format!(
            "rollout/{rollout} is releasing it and holds it paused between batches; {verb} \
             the workload would fight its controller. Run: {instead}"
        )));
    }
    let now = obj.pointer(ptr).and_then(Value::as_bool).unwrap_or(false);
    Ok((
        if now == pause {
            Toggle::Already(pause)
        } else {
            Toggle::Write(pause)
        },
        ptr,
    ))
}

/// A merge patch setting the value at a JSON pointer (`/spec/updateStrategy/paused`).
pub fn patch_at(ptr: &str, value: Value) -> Value {
    ptr.split('/')
        .filter(|s| !s.is_empty())
        .rev()
        .fold(value, |inner, key| json!({ key: inner }))
}

/// What `restart` writes and what it means for the pods.
#[derive(Debug, Clone, PartialEq)]
pub struct Restart {
    pub patch: Value,
    pub notes: Vec<String>,
}

fn int_or_percent_of(v: Option<&Value>, total: i64) -> Option<i64> {
    match v? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => super::IntOrPercent::parse_str(s).pods(total),
        _ => None,
    }
}

/// `restart` of a workload at time `now` (RFC 3339).
pub fn decide_restart(kind: WorkloadKind, obj: &Value, now: &str) -> Result<Restart, Refusal> {
    let row = kind.row();
    let name = name_of(obj);
    let mut notes = Vec::new();
    if kind == WorkloadKind::Deployment
        && obj
            .pointer("/spec/paused")
            .and_then(Value::as_bool)
            .unwrap_or(false)
    {
        return Err(Refusal(match controlling_rollout(obj) {
            Some(r) => format!(
                "can't restart a paused deployment: rollout/{r} holds it paused during its \
                 release; finish or undo that release first"
            ),
            None => "can't restart paused deployment (run rollout resume first)".to_string(),
        }));
    }
    let mut template = json!({ "metadata": { "annotations": { RESTARTED_AT: now } } });
    if let RestartHow::EnvVar { policy } = row.restart {
        if obj.pointer(policy).and_then(Value::as_str) == Some("InPlaceOnly") {
            return Err(Refusal(format!(
                "its update policy is InPlaceOnly, which never recreates pods, and an in-place \
                 update restarts no container; change {} or use a ContainerRecreateRequest",
                policy.trim_start_matches('/').replace('/', ".")
            )));
        }
        let containers = obj
            .pointer("/spec/template/spec/containers")
            .and_then(Value::as_array)
            .filter(|c| !c.is_empty())
            .ok_or_else(|| Refusal("its pod template has no containers".into()))?;
        let containers: Vec<Value> = containers
            .iter()
            .map(|c| {
                let mut c = c.clone();
                let mut env: Vec<Value> = c
                    .get("env")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                env.retain(|e| e.get("name").and_then(Value::as_str) != Some(RESTARTED_AT_ENV));
                env.push(json!({ "name": RESTARTED_AT_ENV, "value": now }));
                c["env"] = Value::Array(env);
                c
            })
            .collect();
        // A merge patch replaces the list whole; the resourceVersion precondition makes
        // sure it is the list just read.
        template["spec"] = json!({ "containers": containers });
        notes.push(format!(
            "{} updates pods in place where it can; the {RESTARTED_AT_ENV} env var cannot be \
             changed in place, so each pod is recreated",
            kind.resource_name()
        ));
    }
    if let Some(ptr) = row.pause
        && obj.pointer(ptr).and_then(Value::as_bool) == Some(true)
        && controlling_rollout(obj).is_none()
    {
        notes.push("it is paused: its pods restart once it is resumed".into());
    }
    let desired = obj
        .pointer("/spec/replicas")
        .and_then(Value::as_i64)
        .unwrap_or(1);
    if let Some(p) = row
        .partition
        .and_then(|ptr| int_or_percent_of(obj.pointer(ptr), desired))
        .filter(|p| *p > 0)
        && controlling_rollout(obj).is_none()
    {
        notes.push(format!(
            "its partition is {p}: only {} of {desired} pods restart until it is lowered",
            desired.saturating_sub(p).max(0)
        ));
    }
    if let Some(r) = controlling_rollout(obj) {
        notes.push(format!(
            "rollout/{r} controls {name}: the restart is a new release through its steps \
             (follow it: kubectl kruise rollout status rollout/{r} --watch)"
        ));
    }
    Ok(Restart {
        patch: json!({ "spec": { "template": template } }),
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deployment(paused: bool, annotations: Value) -> Value {
        json!({"metadata": {"name": "web", "annotations": annotations},
               "spec": {"paused": paused, "replicas": 4,
                        "template": {"spec": {"containers": [{"name": "web", "image": "web:1"}]}}}})
    }

    #[test]
    fn each_kind_pauses_where_its_row_says() {
        let cs = json!({"metadata": {"name": "c"}, "spec": {"updateStrategy": {"paused": false}}});
        assert_eq!(
            decide_workload_pause(WorkloadKind::CloneSet, &cs, true).unwrap(),
            (Toggle::Write(true), "/spec/updateStrategy/paused")
        );
        assert_eq!(
            patch_at("/spec/updateStrategy/rollingUpdate/paused", json!(true)),
            json!({"spec": {"updateStrategy": {"rollingUpdate": {"paused": true}}}})
        );
        let d = deployment(true, json!({}));
        assert_eq!(
            decide_workload_pause(WorkloadKind::Deployment, &d, true)
                .unwrap()
                .0,
            Toggle::Already(true)
        );
        let sts = json!({"metadata": {"name": "db"}, "spec": {}});
        let why = decide_workload_pause(WorkloadKind::StatefulSet, &sts, true).unwrap_err();
        assert!(
            why.0
                .contains("pausing is not supported for statefulsets.apps")
        );
    }

    #[test]
    fn a_workload_under_a_release_is_refused_with_the_verb_to_use() {
        let d = deployment(true, json!({IN_PROGRESSING: "{\"rolloutName\":\"shop\"}"}));
        let why = decide_workload_pause(WorkloadKind::Deployment, &d, false).unwrap_err();
        assert!(why.0.contains("rollout/shop is releasing it"), "{why}");
        assert!(why.0.contains("kubectl kruise rollout resume rollout/shop"));
        assert!(
            why.0
                .contains("kubectl kruise rollout approve rollout/shop")
        );
        assert_eq!(controlling_rollout(&d).as_deref(), Some("shop"));
        assert_eq!(
            controlling_rollout(&json!({"metadata": {"annotations": {IN_PROGRESSING: "x"}}})),
            None
        );
    }

    #[test]
    fn restart_sets_the_annotation_and_for_in_place_kinds_an_env_var() {
        let now = "2026-11-25T10:00:00Z";
        let r =
            decide_restart(WorkloadKind::Deployment, &deployment(false, json!({})), now).unwrap();
        assert_eq!(
            r.patch,
            json!({"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: now}}}}})
        );
        let cs = json!({"metadata": {"name": "c"}, "spec": {"replicas": 4,
            "updateStrategy": {"type": "InPlaceIfPossible", "partition": "50%"},
            "template": {"spec": {"containers": [
                {"name": "a", "env": [{"name": "X", "value": "1"}, {"name": RESTARTED_AT_ENV, "value": "old"}]},
                {"name": "b"}]}}}});
        let r = decide_restart(WorkloadKind::CloneSet, &cs, now).unwrap();
        let containers = &r.patch["spec"]["template"]["spec"]["containers"];
        assert_eq!(
            containers[0]["env"],
            json!([{"name": "X", "value": "1"}, {"name": RESTARTED_AT_ENV, "value": now}])
        );
        assert_eq!(
            containers[1]["env"],
            json!([{"name": RESTARTED_AT_ENV, "value": now}])
        );
        assert!(r.notes.iter().any(|n| n.contains("each pod is recreated")));
        assert!(r.notes.iter().any(|n| n.contains("only 2 of 4 pods")));
    }

    #[test]
    fn restart_refuses_what_kubectl_and_in_place_only_refuse() {
        let now = "t";
        let why = decide_restart(WorkloadKind::Deployment, &deployment(true, json!({})), now)
            .unwrap_err();
        assert!(why.0.contains("can't restart paused deployment"));
        let asts = json!({"metadata": {"name": "db"}, "spec": {"updateStrategy": {"rollingUpdate": {"podUpdatePolicy": "InPlaceOnly"}},
            "template": {"spec": {"containers": [{"name": "db"}]}}}});
        let why = decide_restart(WorkloadKind::AdvancedStatefulSet, &asts, now).unwrap_err();
        assert!(why.0.contains("InPlaceOnly"), "{why}");
    }
}
