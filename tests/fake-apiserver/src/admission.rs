//! The admission rules a real cluster's webhooks enforce on the kinds the fake serves, where
//! a write the plugin makes could be refused: KubeVela's AppRollout validating webhook
//! (CREATE and UPDATE of `approllouts`, not of their status).

use serde_json::Value;

/// The webhook's answer: `Err(message)` when it denies the write.
pub(crate) fn admit(
    group: &str,
    plural: &str,
    old: Option<&Value>,
    new: &Value,
) -> Result<(), String> {
    if (group, plural) != ("core.oam.dev", "approllouts") {
        return Ok(());
    }
    let deny = |why: &str| {
        Err(format!(
            "admission webhook \"validating.core.oam.dev.v1beta1.approllouts\" denied the request: {why}"
        ))
    };
    let plan = &new["spec"]["rolloutPlan"];
    if plan["rolloutBatches"].as_array().is_none_or(Vec::is_empty) {
        return deny("the rollout has to have batches");
    }
    if plan["batchPartition"].as_i64().is_some_and(|p| p < 0) {
        return deny("the batch partition cannot be negative");
    }
    if let Some(n) = plan["numBatches"].as_i64()
        && plan["rolloutBatches"].as_array().map(Vec::len) != Some(n as usize)
    {
        return deny("the num batches does not match the rollout batch size");
    }
    // A finished rollout cannot be changed without a new source or target revision
    // (a change of targetSize alone restarts it as a scale).
    if let Some(old) = old {
        let state = old.pointer("/status/rollingState").and_then(Value::as_str);
        let same = |f: &str| old["spec"][f] == new["spec"][f];
        if matches!(state, Some("rolloutSucceed" | "rolloutFailed"))
            && same("sourceAppRevisionName")
            && same("targetAppRevisionName")
        {
            let mut a = old["spec"]["rolloutPlan"].clone();
            let mut b = plan.clone();
            for p in [&mut a, &mut b] {
                if let Some(m) = p.as_object_mut() {
                    m.remove("targetSize");
                }
            }
            if a != b {
                return deny(
                    "a successful or failed rollout cannot be modified without changing the target or the source",
                );
            }
        }
    }
    Ok(())
}
