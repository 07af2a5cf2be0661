//! A workload's own rollout progress, as `kubectl rollout status` reads it: updated, ready
//! and available pods of the desired count, once the controller has observed the spec. Pure.

use serde::Serialize;
use serde_json::Value;

use super::workload::WorkloadKind;
use super::workload_verbs::controlling_rollout;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub namespace: String,
    /// Pods wanted (nodes, for DaemonSets).
    pub desired: i64,
    /// Pods of the new template the controller aims at: `desired` less the partition.
    pub target: i64,
    pub updated: i64,
    pub ready: i64,
    pub available: i64,
    /// Pods of any revision that exist now.
    pub current: i64,
    pub partition: Option<i64>,
    pub paused: bool,
    /// The controller has observed the current spec (`observedGeneration`).
    pub observed: bool,
    /// The rollout finished: every pod it aims at is updated and available.
    pub done: bool,
    /// The Kruise Rollout releasing the workload now, if any.
    pub rollout: Option<String>,
    /// kubectl's sentence for where it stands.
    pub message: String,
}

fn int(obj: &Value, ptr: &str) -> Option<i64> {
    obj.pointer(ptr).and_then(Value::as_i64)
}

fn str_at<'a>(obj: &'a Value, ptr: &str) -> &'a str {
    obj.pointer(ptr).and_then(Value::as_str).unwrap_or_default()
}

/// Read the progress of a workload of `kind` from the object as the API returned it.
pub fn progress(kind: WorkloadKind, obj: &Value) -> Progress {
    let row = kind.row();
    let name = str_at(obj, "/metadata/name").to_string();
    let s = |f: &str| int(obj, &format!("/status/{f}")).unwrap_or(0);
    let (desired, updated, ready, available, current) = if row.per_node {
        (
            s("desiredNumberScheduled"),
            s("updatedNumberScheduled"),
            s("numberReady"),
            s("numberAvailable"),
            s("currentNumberScheduled"),
        )
    } else {
        (
            int(obj, "/spec/replicas").unwrap_or(1),
            s("updatedReplicas"),
            s("readyReplicas"),
            s("availableReplicas"),
            s("replicas"),
        )
    };
    let partition = row
        .partition
        .and_then(|p| obj.pointer(p))
        .and_then(|v| match v {
            Value::Number(n) => n.as_i64(),
            Value::String(t) => super::IntOrPercent::parse_str(t).pods(desired),
            _ => None,
        })
        .map(|p| p.clamp(0, desired))
        .filter(|p| *p > 0);
    let target = desired.saturating_sub(partition.unwrap_or(0));
    let paused = row
        .pause
        .and_then(|p| obj.pointer(p))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let observed = match (
        int(obj, "/metadata/generation"),
        int(obj, "/status/observedGeneration"),
    ) {
        (Some(g), Some(o)) => o >= g,
        (Some(_), None) => false,
        _ => true,
    };
    // DaemonSets and Deployments report availability; the StatefulSet kinds report readiness.
    let has_available = row.per_node || kind == WorkloadKind::Deployment;
    let usable = if has_available { available } else { ready };
    let what = if row.per_node { "pods" } else { "replicas" };
    let kind_word = kind.kind().to_lowercase();
    let wait = |detail: String| {
        format!("Waiting for {kind_word} \"{name}\" rollout to finish: {detail}...")
    };
    let (done, message) = if !observed {
        (
            false,
            format!("Waiting for {kind_word} \"{name}\" spec update to be observed..."),
        )
    } else if updated < target {
        let of = match partition {
            Some(p) => format!("{target} (partition {p})"),
            None => target.to_string(),
        };
        (
            false,
            wait(format!(
                "{updated} out of {of} new {what} have been updated"
            )),
        )
    } else if partition.is_none() && current > updated {
        (
            false,
            wait(format!(
                "{} old {what} are pending termination",
                current.saturating_sub(updated)
            )),
        )
    } else if usable < target.min(updated) {
        (
            false,
            wait(format!(
                "{usable} of {} updated {what} are {}",
                target.min(updated),
                if has_available { "available" } else { "ready" }
            )),
        )
    } else if partition.is_some() {
        (
            true,
            format!("partitioned roll out complete: {updated} new {what} have been updated"),
        )
    } else {
        (
            true,
            format!("{kind_word} \"{name}\" successfully rolled out"),
        )
    };
    let message = if paused && !done {
        format!("{message} (paused)")
    } else {
        message
    };
    Progress {
        api_version: str_at(obj, "/apiVersion").to_string(),
        kind: kind.kind().to_string(),
        name,
        namespace: str_at(obj, "/metadata/namespace").to_string(),
        desired,
        target,
        updated,
        ready,
        available,
        current,
        partition,
        paused,
        observed,
        done,
        rollout: controlling_rollout(obj),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deploy(generation: i64, observed: i64, mut status: Value) -> Value {
        status["observedGeneration"] = json!(observed);
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": "web", "namespace": "shop", "generation": generation},
               "spec": {"replicas": 4}, "status": status})
    }

    #[test]
    fn a_deployment_reads_as_kubectl_reads_it() {
        let p = progress(WorkloadKind::Deployment, &deploy(3, 2, json!({})));
        assert_eq!(
            p.message,
            "Waiting for deployment \"web\" spec update to be observed..."
        );
        assert!(!p.done);
        let p = progress(
            WorkloadKind::Deployment,
            &deploy(3, 3, json!({"updatedReplicas": 2, "replicas": 5})),
        );
        assert_eq!(
            p.message,
            "Waiting for deployment \"web\" rollout to finish: 2 out of 4 new replicas have been updated..."
        );
        let p = progress(
            WorkloadKind::Deployment,
            &deploy(
                3,
                3,
                json!({"updatedReplicas": 4, "replicas": 5, "availableReplicas": 4}),
            ),
        );
        assert!(
            p.message
                .ends_with("1 old replicas are pending termination...")
        );
        let p = progress(
            WorkloadKind::Deployment,
            &deploy(
                3,
                3,
                json!({"updatedReplicas": 4, "replicas": 4, "availableReplicas": 3}),
            ),
        );
        assert!(
            p.message
                .ends_with("3 of 4 updated replicas are available...")
        );
        let p = progress(
            WorkloadKind::Deployment,
            &deploy(
                3,
                3,
                json!({"updatedReplicas": 4, "replicas": 4, "availableReplicas": 4, "readyReplicas": 4}),
            ),
        );
        assert!(p.done);
        assert_eq!(p.message, "deployment \"web\" successfully rolled out");
    }

    #[test]
    fn a_partition_lowers_the_target_and_daemonsets_count_nodes() {
        let cs = json!({"apiVersion": "apps.kruise.io/v1alpha1", "kind": "CloneSet",
            "metadata": {"name": "c", "generation": 2, "annotations": {
                "rollouts.kruise.io/in-progressing": "{\"rolloutName\":\"r\"}"}},
            "spec": {"replicas": 10, "updateStrategy": {"partition": "80%", "paused": true}},
            "status": {"observedGeneration": 2, "updatedReplicas": 1, "readyReplicas": 10, "replicas": 10}});
        let p = progress(WorkloadKind::CloneSet, &cs);
        assert_eq!((p.target, p.partition), (2, Some(8)));
        assert_eq!(p.rollout.as_deref(), Some("r"));
        assert!(
            p.message
                .contains("1 out of 2 (partition 8) new replicas have been updated")
        );
        assert!(p.message.ends_with("(paused)"));
        let ds = json!({"metadata": {"name": "agent"}, "status": {"desiredNumberScheduled": 3,
            "updatedNumberScheduled": 3, "numberAvailable": 3, "currentNumberScheduled": 3}});
        let p = progress(WorkloadKind::DaemonSet, &ds);
        assert!(p.done, "{}", p.message);
        assert_eq!(p.message, "daemonset \"agent\" successfully rolled out");
    }
}
