//! What a release page shows beside the view: pods, Events, traffic routing, the owning
//! application. Pure readings of the objects the API server returns.

use serde::Serialize;
use serde_json::Value;

/// The label Kruise puts on each pod of a canary batch.
pub const BATCH_LABEL: &str = "rollouts.kruise.io/rollout-batch-id";

/// One pod: what a person checks during a batch.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PodRow {
    pub name: String,
    /// Containers ready, of all: `1/2`.
    pub ready: String,
    pub restarts: i64,
    pub phase: String,
    /// The revision label of its template (a ReplicaSet's `pod-template-hash`, else the
    /// ControllerRevision's hash).
    pub revision: Option<String>,
    /// The canary batch it was made in (1-based), if Kruise labelled it.
    pub batch: Option<String>,
    pub created: Option<String>,
    pub images: Vec<String>,
}

fn s(v: &Value, p: &str) -> Option<String> {
    v.pointer(p).and_then(Value::as_str).map(str::to_string)
}

pub fn pod_row(pod: &Value) -> PodRow {
    let statuses = pod
        .pointer("/status/containerStatuses")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let containers = pod
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let ready = statuses
        .iter()
        .filter(|c| c["ready"].as_bool() == Some(true))
        .count();
    let label = |k: &str| {
        pod.pointer("/metadata/labels")
            .and_then(|l| l.get(k))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    PodRow {
        name: s(pod, "/metadata/name").unwrap_or_default(),
        ready: format!("{ready}/{}", containers.len().max(statuses.len())),
        restarts: statuses
            .iter()
            .filter_map(|c| c["restartCount"].as_i64())
            .sum(),
        phase: s(pod, "/status/phase").unwrap_or_else(|| "Pending".into()),
        revision: label("pod-template-hash").or_else(|| label("controller-revision-hash")),
        batch: label(BATCH_LABEL),
        created: s(pod, "/metadata/creationTimestamp"),
        images: containers
            .iter()
            .filter_map(|c| c["image"].as_str().map(str::to_string))
            .collect(),
    }
}

/// One Event about the release: the controller's and this plugin's (approvals, analysis
/// results) alike.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventRow {
    #[serde(rename = "type")]
    pub type_: String,
    pub reason: String,
    pub message: String,
    /// Who wrote it: the reporting controller or the source component.
    pub from: String,
    pub count: i64,
    /// When it last happened.
    pub last: Option<String>,
}

pub fn event_row(ev: &Value) -> EventRow {
    EventRow {
        type_: s(ev, "/type").unwrap_or_else(|| "Normal".into()),
        reason: s(ev, "/reason").unwrap_or_default(),
        message: s(ev, "/message").unwrap_or_default(),
        from: s(ev, "/reportingComponent")
            .filter(|c| !c.is_empty())
            .or_else(|| s(ev, "/source/component"))
            .unwrap_or_default(),
        count: ev["count"].as_i64().unwrap_or(1),
        last: s(ev, "/lastTimestamp")
            .or_else(|| s(ev, "/eventTime"))
            .or_else(|| s(ev, "/metadata/creationTimestamp")),
    }
}

/// Events newest first.
pub fn newest_first(events: &mut [EventRow]) {
    events.sort_by(|a, b| b.last.cmp(&a.last));
}

/// How a Kruise Rollout routes traffic: each route's service and what it steers
/// (an Ingress, a Gateway API route, custom objects), and the weight the step now sends.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Route {
    pub service: Option<String>,
    /// `ingress/NAME (nginx)`, `httproute/NAME`, `VirtualService/NAME`, ...
    pub refs: Vec<String>,
}

pub fn routes(rollout: &Value) -> Vec<Route> {
    let canary = rollout.pointer("/spec/strategy/canary");
    let Some(list) = canary
        .and_then(|c| c.get("trafficRoutings"))
        .and_then(Value::as_array)
    else {
        return Vec::new();
    };
    list.iter()
        .map(|r| {
            let mut refs = Vec::new();
            if let Some(name) = s(r, "/ingress/name") {
                refs.push(match s(r, "/ingress/classType") {
                    Some(class) => format!("ingress/{name} ({class})"),
                    None => format!("ingress/{name}"),
                });
            }
            if let Some(name) = s(r, "/gateway/httpRouteName") {
                refs.push(format!("httproute/{name}"));
            }
            for c in r["customNetworkRefs"].as_array().into_iter().flatten() {
                refs.push(format!(
                    "{}/{}",
                    c["kind"].as_str().unwrap_or("object"),
                    c["name"].as_str().unwrap_or("")
                ));
            }
            Route {
                service: s(r, "/service"),
                refs,
            }
        })
        .collect()
}

/// The KubeVela application a release belongs to, if any.
pub fn owner_app(obj: &Value) -> Option<String> {
    super::batch::app::owning_app(obj)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_pod_reads_as_a_person_checks_it() {
        let pod = json!({
            "metadata": {"name": "web-6d8f-abc", "creationTimestamp": "2026-01-01T00:00:00Z",
                "labels": {"pod-template-hash": "6d8f", BATCH_LABEL: "2"}},
            "spec": {"containers": [{"image": "web:2"}, {"image": "proxy:1"}]},
            "status": {"phase": "Running", "containerStatuses": [
                {"ready": true, "restartCount": 1}, {"ready": false, "restartCount": 2}]}
        });
        let r = pod_row(&pod);
        assert_eq!(r.ready, "1/2");
        assert_eq!(r.restarts, 3);
        assert_eq!(r.revision.as_deref(), Some("6d8f"));
        assert_eq!(r.batch.as_deref(), Some("2"));
        assert_eq!(r.images, ["web:2", "proxy:1"]);
        let bare = pod_row(&json!({"metadata": {"name": "p"}}));
        assert_eq!(
            (bare.ready.as_str(), bare.phase.as_str()),
            ("0/0", "Pending")
        );
    }

    #[test]
    fn events_name_their_writer_and_sort_newest_first() {
        let mut evs = vec![
            event_row(
                &json!({"reason": "A", "source": {"component": "kubectl-kruise"},
                "lastTimestamp": "2026-01-01T00:00:01Z"}),
            ),
            event_row(
                &json!({"reason": "B", "reportingComponent": "rollout-controller",
                "eventTime": "2026-01-01T00:00:02Z", "type": "Warning"}),
            ),
        ];
        newest_first(&mut evs);
        assert_eq!(evs[0].reason, "B");
        assert_eq!(evs[0].from, "rollout-controller");
        assert_eq!(evs[1].from, "kubectl-kruise");
        assert_eq!(evs[1].count, 1);
    }

    #[test]
    fn routes_name_what_they_steer() {
        let ro = json!({"spec": {"strategy": {"canary": {"trafficRoutings": [
            {"service": "web", "ingress": {"name": "web", "classType": "nginx"}},
            {"service": "api", "gateway": {"httpRouteName": "api"},
             "customNetworkRefs": [{"kind": "VirtualService", "name": "vs"}]}
        ]}}}});
        let r = routes(&ro);
        assert_eq!(r[0].refs, ["ingress/web (nginx)"]);
        assert_eq!(r[1].service.as_deref(), Some("api"));
        assert_eq!(r[1].refs, ["httproute/api", "VirtualService/vs"]);
        assert!(routes(&json!({})).is_empty());
    }
}
