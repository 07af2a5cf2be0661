//! The audit trail: after a change, a core/v1 Event on the object says what was done and
//! by whom, so `kubectl describe` and `kubectl get events` show it. One request, bounded in
//! time; it never fails the command.

use std::time::Duration;

use kube::api::{Api, DynamicObject, PostParams};
use kube::core::{ApiResource, GroupVersionKind};
use serde_json::{Value, json};

use super::Cluster;

/// How long the Event may delay the command's end.
const LIMIT: Duration = Duration::from_secs(2);

/// The Event for `reason` (`Approved`, `Paused`, ...) and `action` on `object` as just
/// written.
pub fn event(
    object: &Value,
    (reason, action): (&str, &str),
    message: &str,
    user: &str,
    now: &str,
) -> Value {
    let meta = |f: &str| {
        object
            .pointer(&format!("/metadata/{f}"))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let name = meta("name");
    json!({
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {
            "generateName": format!("{}.", name.as_str().unwrap_or("object")),
            "namespace": meta("namespace"),
        },
        "involvedObject": {
            "apiVersion": object.get("apiVersion"),
            "kind": object.get("kind"),
            "name": name,
            "namespace": meta("namespace"),
            "uid": meta("uid"),
            "resourceVersion": meta("resourceVersion"),
        },
        "reason": reason,
        "message": format!("{message} by {user}"),
        "type": "Normal",
        "source": {"component": "kubectl-kruise"},
        "reportingComponent": "kubectl-kruise",
        "reportingInstance": user,
        "action": action,
        "firstTimestamp": now,
        "lastTimestamp": now,
        "count": 1,
    })
}

/// Record `reason`/`message` on `object`. A user without `create events`, or a slow server,
/// costs one line at `-v=1` and nothing else.
pub async fn record(cluster: &Cluster, object: &Value, reason: &str, message: &str) {
    record_as(cluster, object, (reason, reason), message).await
}

/// [`record`] with an action of its own: one reason (which a watch can select by) for
/// several things done.
pub async fn record_as(
    cluster: &Cluster,
    object: &Value,
    (reason, action): (&str, &str),
    message: &str,
) {
    if !cluster.audit {
        return;
    }
    let namespace = object
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or(&cluster.namespace);
    let now = jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let ev = event(object, (reason, action), message, &cluster.user, &now);
    let ar = ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk("", "v1", "Event"), "events");
    let api: Api<DynamicObject> = Api::namespaced_with(cluster.client.clone(), namespace, &ar);
    let Ok(obj) = serde_json::from_value::<DynamicObject>(ev) else {
        return;
    };
    let outcome = tokio::time::timeout(LIMIT, api.create(&PostParams::default(), &obj)).await;
    let why = match outcome {
        Ok(Ok(_)) => return,
        Ok(Err(e)) => e.to_string(),
        Err(_) => format!("no answer within {}s", LIMIT.as_secs()),
    };
    if cluster.verbosity >= 1 {
        crate::errln!("note: no audit Event recorded: {why}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_event_names_the_object_the_action_and_the_user() {
        let obj = json!({"apiVersion": "rollouts.kruise.io/v1beta1", "kind": "Rollout",
            "metadata": {"name": "web", "namespace": "shop", "uid": "u-1", "resourceVersion": "7"}});
        let ev = event(
            &obj,
            ("ReleaseTrain", "Passed"),
            "step 2/3 approved",
            "ci-bot",
            "2026-11-25T10:00:00Z",
        );
        assert_eq!(ev["involvedObject"]["kind"], "Rollout");
        assert_eq!(ev["involvedObject"]["uid"], "u-1");
        assert_eq!(ev["metadata"]["namespace"], "shop");
        assert_eq!(ev["metadata"]["generateName"], "web.");
        assert_eq!(ev["message"], "step 2/3 approved by ci-bot");
        assert_eq!(ev["reason"], "ReleaseTrain");
        assert_eq!(ev["action"], "Passed");
    }
}
