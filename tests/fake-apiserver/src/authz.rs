//! RBAC as kube-apiserver evaluates it, for the Roles, ClusterRoles and bindings stored in
//! the fake, and the access reviews answered from them. Enforced (see
//! [`crate::FakeApi::enforce_rbac`]) for impersonated users only: the fake's own identity
//! stays unrestricted, as a cluster admin's.

use serde_json::{Value, json};

use crate::store::Store;

pub const RBAC: &str = "rbac.authorization.k8s.io";

/// Who a request is from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInfo {
    pub name: String,
    pub groups: Vec<String>,
}

impl UserInfo {
    /// The user and groups a request carries; a service account's groups are added as the
    /// API server adds them, and every user is `system:authenticated`.
    pub fn new(name: &str, groups: &[String]) -> UserInfo {
        let mut all: Vec<String> = groups.to_vec();
        if let Some(rest) = name.strip_prefix("system:serviceaccount:")
            && let Some((ns, _)) = rest.split_once(':')
        {
            all.push("system:serviceaccounts".into());
            all.push(format!("system:serviceaccounts:{ns}"));
        }
        all.push("system:authenticated".into());
        all.dedup();
        UserInfo {
            name: name.to_string(),
            groups: all,
        }
    }

    pub fn json(&self) -> Value {
        json!({"username": self.name, "groups": self.groups})
    }
}

/// What a request asks to do, in RBAC's words.
#[derive(Debug, Clone)]
pub struct Attributes {
    pub verb: String,
    pub group: String,
    /// `rollouts`, or `rollouts/status` for a subresource.
    pub resource: String,
    pub namespace: Option<String>,
    pub name: Option<String>,
}

fn strs(v: &Value) -> Vec<&str> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// Whether the list of strings at `rule[field]` holds `want`, or `*`, as RBAC rules and
/// admission rules read their lists.
pub(crate) fn lists(rule: &Value, field: &str, want: &str) -> bool {
    let l = strs(&rule[field]);
    l.contains(&"*") || l.contains(&want)
}

fn rule_allows(rule: &Value, a: &Attributes) -> bool {
    let names = strs(&rule["resourceNames"]);
    lists(rule, "apiGroups", &a.group)
        && lists(rule, "resources", &a.resource)
        && lists(rule, "verbs", &a.verb)
        && (names.is_empty() || a.name.as_deref().is_some_and(|n| names.contains(&n)))
}

fn subject_matches(subject: &Value, binding_ns: &str, u: &UserInfo) -> bool {
    let name = subject["name"].as_str().unwrap_or_default();
    match subject["kind"].as_str() {
        Some("User") => u.name == name,
        Some("Group") => u.groups.iter().any(|g| g == name),
        Some("ServiceAccount") => {
            let ns = subject["namespace"].as_str().unwrap_or(binding_ns);
            u.name == format!("system:serviceaccount:{ns}:{name}")
        }
        _ => false,
    }
}

/// Whether `u` may do `a`, and if so, the binding that allows it (kube's reason text).
pub fn allowed(st: &Store, u: &UserInfo, a: &Attributes) -> Option<String> {
    let mut bindings: Vec<(Value, &str)> = Vec::new();
    for o in st.list(RBAC, "clusterrolebindings") {
        bindings.push((o, ""));
    }
    let ns = a.namespace.as_deref().unwrap_or("");
    if !ns.is_empty() {
        for o in st.list(RBAC, "rolebindings") {
            if o["metadata"]["namespace"] == ns {
                bindings.push((o, ns));
            }
        }
    }
    for (b, b_ns) in bindings {
        let subjects = b["subjects"].as_array().cloned().unwrap_or_default();
        if !subjects.iter().any(|s| subject_matches(s, b_ns, u)) {
            continue;
        }
        let role_name = b["roleRef"]["name"].as_str().unwrap_or_default();
        let role = match b["roleRef"]["kind"].as_str() {
            Some("Role") => st.get(RBAC, "roles", b_ns, role_name),
            Some("ClusterRole") => st.get(RBAC, "clusterroles", "", role_name),
            _ => None,
        };
        let Some(role) = role else { continue };
        if role["rules"]
            .as_array()
            .is_some_and(|rules| rules.iter().any(|r| rule_allows(r, a)))
        {
            let b_name = b["metadata"]["name"].as_str().unwrap_or_default();
            let kind = if b_ns.is_empty() {
                "ClusterRoleBinding"
            } else {
                "RoleBinding"
            };
            return Some(format!(
                "RBAC: allowed by {kind} \"{b_name}\" of {} \"{role_name}\" to {}",
                b["roleRef"]["kind"].as_str().unwrap_or_default(),
                u.name
            ));
        }
    }
    None
}

/// Answer `POST .../selfsubjectaccessreviews` (for the requester) or
/// `.../subjectaccessreviews` (for the user the review names), from the stored RBAC.
pub fn review(st: &Store, self_review: bool, body: &Value, requester: &UserInfo) -> Value {
    let spec = &body["spec"];
    let attrs = &spec["resourceAttributes"];
    let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let resource = match s(&attrs["subresource"]) {
        sub if sub.is_empty() => s(&attrs["resource"]),
        sub => format!("{}/{sub}", s(&attrs["resource"])),
    };
    let a = Attributes {
        verb: s(&attrs["verb"]),
        group: s(&attrs["group"]),
        resource,
        namespace: Some(s(&attrs["namespace"])).filter(|n| !n.is_empty()),
        name: Some(s(&attrs["name"])).filter(|n| !n.is_empty()),
    };
    let user = if self_review {
        requester.clone()
    } else {
        let groups: Vec<String> = strs(&spec["groups"])
            .into_iter()
            .map(str::to_string)
            .collect();
        UserInfo::new(spec["user"].as_str().unwrap_or_default(), &groups)
    };
    // The fake's own identity is an admin.
    let allowed = if user.name == crate::handler::ADMIN {
        Some("RBAC: allowed as the fake's admin".to_string())
    } else {
        allowed(st, &user, &a)
    };
    let mut out = body.clone();
    out["metadata"] = json!({"creationTimestamp": null});
    out["status"] = match allowed {
        Some(reason) => json!({"allowed": true, "reason": reason}),
        None => json!({"allowed": false}),
    };
    out
}
