//! Kruise Rollouts' conversion webhook, for a fake that answers as a cluster with Kruise
//! installed (the sandbox): v1alpha1 and v1beta1 Rollouts converted through the hub,
//! v1beta1, as `api/v1alpha1/conversion.go` does. Without it (the default, as the upstream
//! CRDs alone), an object is stored once and only its apiVersion changes between versions.

use serde_json::{Map, Value, json};

const ROLLING_STYLE: &str = "rollouts.kruise.io/rolling-style";

/// `obj` (a Rollout of either version) as seen through `version`.
pub fn convert(mut obj: Value, version: &str) -> Value {
    let from = obj["apiVersion"]
        .as_str()
        .and_then(|v| v.rsplit_once('/'))
        .map(|(_, v)| v.to_string())
        .unwrap_or_default();
    if from == version {
        return obj;
    }
    match (from.as_str(), version) {
        ("v1alpha1", "v1beta1") => to_v1beta1(&mut obj),
        ("v1beta1", "v1alpha1") => to_v1alpha1(&mut obj),
        _ => {}
    }
    obj["apiVersion"] = json!(format!("rollouts.kruise.io/{version}"));
    obj
}

fn to_v1beta1(obj: &mut Value) {
    let Some(spec) = obj["spec"].as_object_mut() else {
        return;
    };
    if let Some(w) = spec
        .remove("objectRef")
        .and_then(|o| o.get("workloadRef").cloned())
    {
        spec.insert("workloadRef".into(), w);
    }
    spec.remove("rolloutID");
    let canary = &mut spec.entry("strategy").or_insert_with(|| json!({}))["canary"];
    if let Some(steps) = canary["steps"].as_array_mut() {
        for step in steps.iter_mut().filter_map(Value::as_object_mut) {
            if let Some(w) = step.remove("weight").and_then(|w| w.as_i64()) {
                step.insert("traffic".into(), json!(format!("{w}%")));
                step.entry("replicas").or_insert(json!(format!("{w}%")));
            }
        }
    }
    // Anything but `partition` is the canary style: an extra Deployment for the canary.
    let style = obj["metadata"]["annotations"][ROLLING_STYLE]
        .as_str()
        .unwrap_or("")
        .to_string();
    if obj["spec"]["strategy"]["canary"].is_object() && style != "partition" {
        obj["spec"]["strategy"]["canary"]["enableExtraWorkloadForCanary"] = json!(true);
    }
}

fn to_v1alpha1(obj: &mut Value) {
    if obj["spec"]["strategy"]["blueGreen"].is_object() {
        // Upstream copies only the metadata of a blue-green Rollout.
        obj["spec"] = json!({});
        if let Some(o) = obj.as_object_mut() {
            o.remove("status");
        }
        return;
    }
    let extra = obj["spec"]["strategy"]["canary"]["enableExtraWorkloadForCanary"] == json!(true);
    let Some(spec) = obj["spec"].as_object_mut() else {
        return;
    };
    if let Some(w) = spec.remove("workloadRef") {
        spec.insert("objectRef".into(), json!({"workloadRef": w}));
    }
    if let Some(canary) = spec
        .get_mut("strategy")
        .and_then(|s| s.get_mut("canary"))
        .and_then(Value::as_object_mut)
    {
        canary.remove("enableExtraWorkloadForCanary");
        if let Some(steps) = canary.get_mut("steps").and_then(Value::as_array_mut) {
            for step in steps.iter_mut().filter_map(Value::as_object_mut) {
                if let Some(t) = step.remove("traffic") {
                    let pct = t
                        .as_str()
                        .and_then(|t| t.trim_end_matches('%').parse::<i64>().ok());
                    if let Some(p) = pct {
                        step.insert("weight".into(), json!(p));
                    }
                }
            }
        }
    }
    let annotations = obj["metadata"].as_object_mut().map(|m| {
        m.entry("annotations")
            .or_insert_with(|| Value::Object(Map::new()))
    });
    if let Some(a) = annotations.and_then(Value::as_object_mut) {
        a.insert(
            ROLLING_STYLE.into(),
            json!(if extra { "canary" } else { "partition" }),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_ref_and_workload_ref_and_the_rolling_style_convert_both_ways() {
        let alpha = json!({
            "apiVersion": "rollouts.kruise.io/v1alpha1", "kind": "Rollout",
            "metadata": {"name": "echo"},
            "spec": {"objectRef": {"workloadRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "echo"}},
                     "rolloutID": "x",
                     "strategy": {"canary": {"steps": [{"weight": 20}, {"replicas": "50%", "weight": 50}]}}}
        });
        let beta = convert(alpha.clone(), "v1beta1");
        assert_eq!(beta["spec"]["workloadRef"]["name"], "echo");
        assert!(beta["spec"].get("objectRef").is_none() && beta["spec"].get("rolloutID").is_none());
        assert_eq!(
            beta["spec"]["strategy"]["canary"]["steps"][0],
            json!({"traffic": "20%", "replicas": "20%"})
        );
        assert_eq!(
            beta["spec"]["strategy"]["canary"]["enableExtraWorkloadForCanary"],
            true
        );
        let back = convert(beta, "v1alpha1");
        assert_eq!(back["spec"]["objectRef"], alpha["spec"]["objectRef"]);
        assert_eq!(back["spec"]["strategy"]["canary"]["steps"][1]["weight"], 50);
        assert_eq!(back["metadata"]["annotations"][ROLLING_STYLE], "canary");
        let blue = json!({"apiVersion": "rollouts.kruise.io/v1beta1", "metadata": {"name": "b"},
                          "spec": {"strategy": {"blueGreen": {}}}, "status": {"phase": "Healthy"}});
        let seen = convert(blue, "v1alpha1");
        assert_eq!(seen["spec"], json!({}));
        assert!(seen.get("status").is_none());
    }
}
