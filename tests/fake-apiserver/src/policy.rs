//! ValidatingAdmissionPolicies, as kube-apiserver applies them to an update: each binding's
//! policy whose rules match the resource and operation, in a namespace its selector
//! matches, and whose match conditions hold, must pass every validation. Supported:
//! `resourceRules`, `namespaceSelector.matchLabels` (a namespace's labels are its
//! `kubernetes.io/metadata.name`), `matchConditions`, `validations` with `reason`.

use serde_json::{Value, json};

use crate::authz::{UserInfo, lists};
use crate::store::{ResourceType, Store};

pub const GROUP: &str = "admissionregistration.k8s.io";

fn matches_rules(policy: &Value, t: &ResourceType, version: &str, resource: &str) -> bool {
    policy["spec"]["matchConstraints"]["resourceRules"]
        .as_array()
        .is_some_and(|rules| {
            rules.iter().any(|r| {
                lists(r, "apiGroups", &t.group)
                    && lists(r, "apiVersions", version)
                    && lists(r, "resources", resource)
                    && lists(r, "operations", "UPDATE")
            })
        })
}

fn namespace_matches(binding: &Value, namespace: &str) -> bool {
    let selector = &binding["spec"]["matchResources"]["namespaceSelector"]["matchLabels"];
    selector.as_object().is_none_or(|labels| {
        labels
            .iter()
            .all(|(k, v)| k == "kubernetes.io/metadata.name" && v.as_str() == Some(namespace))
    })
}

/// A denial: (HTTP status code, reason, message).
pub type Denial = (u16, &'static str, String);

/// Admit an update of `old` to `new` by `user`, or say why not.
#[allow(clippy::too_many_arguments)]
pub fn admit(
    st: &Store,
    user: &UserInfo,
    t: &ResourceType,
    version: &str,
    sub: Option<&str>,
    namespace: &str,
    name: &str,
    old: &Value,
    new: &Value,
) -> Result<(), Denial> {
    let resource = match sub {
        Some(s) => format!("{}/{s}", t.plural),
        None => t.plural.clone(),
    };
    let request = json!({
        "operation": "UPDATE", "namespace": namespace, "name": name,
        "resource": {"group": t.group, "version": version, "resource": t.plural},
        "subResource": sub.unwrap_or(""),
        "userInfo": user.json(),
    });
    for binding in st.list(GROUP, "validatingadmissionpolicybindings") {
        let policy_name = binding["spec"]["policyName"].as_str().unwrap_or_default();
        let Some(policy) = st.get(GROUP, "validatingadmissionpolicies", "", policy_name) else {
            continue;
        };
        if !matches_rules(policy, t, version, &resource) || !namespace_matches(&binding, namespace)
        {
            continue;
        }
        let holds = |expr: &str| crate::cel::eval(expr, new, old, &request);
        let conditions = policy["spec"]["matchConditions"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let mut applies = true;
        for c in &conditions {
            match holds(c["expression"].as_str().unwrap_or("false")) {
                Ok(Some(true)) => {}
                Ok(Some(false)) => applies = false,
                // failurePolicy Fail: an error in a condition denies.
                _ => {
                    return Err(deny(
                        policy_name,
                        &binding,
                        "a match condition failed",
                        "",
                        t,
                        name,
                    ));
                }
            }
        }
        if !applies {
            continue;
        }
        for v in policy["spec"]["validations"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            let expr = v["expression"].as_str().unwrap_or("false");
            if holds(expr) != Ok(Some(true)) {
                let message = v["message"]
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("failed expression: {expr}"));
                let reason = v["reason"].as_str().unwrap_or("Invalid");
                return Err(deny(policy_name, &binding, &message, reason, t, name));
            }
        }
    }
    Ok(())
}

fn deny(
    policy: &str,
    binding: &Value,
    message: &str,
    reason: &str,
    t: &ResourceType,
    name: &str,
) -> Denial {
    let binding = binding["metadata"]["name"].as_str().unwrap_or_default();
    let what = format!("{} \"{name}\"", t.qualified());
    let text = format!(
        "ValidatingAdmissionPolicy '{policy}' with binding '{binding}' denied request: {message}"
    );
    if reason == "Forbidden" {
        (403, "Forbidden", format!("{what} is forbidden: {text}"))
    } else {
        (422, "Invalid", format!("{what} is invalid: {text}"))
    }
}
