//! The manifests `access grant` prints or applies: a Role with the rules the verbs need, a
//! RoleBinding for the identity, and the admission policies that narrow its writes.

use serde_json::{Value, json};

use super::policy::{PolicyApi, Scope, approval_policy, identity_condition};
use super::{Granted, Options, Request, Rule, Verb, list_requests, requests, rules};

/// Who is granted: a user, a group, or a service account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    User(String),
    Group(String),
    ServiceAccount { namespace: String, name: String },
}

impl Subject {
    /// `user:NAME`, `group:NAME`, `serviceaccount:NAMESPACE:NAME` (or the service account's
    /// user name, `system:serviceaccount:NAMESPACE:NAME`).
    pub fn parse(s: &str) -> Result<Subject, String> {
        let bad = || {
            format!(
                "{s:?} is not a subject: use user:NAME, group:NAME or serviceaccount:NAMESPACE:NAME"
            )
        };
        let sa = s
            .strip_prefix("serviceaccount:")
            .or_else(|| s.strip_prefix("system:serviceaccount:"));
        let subject = if let Some(rest) = sa {
            let (namespace, name) = rest.split_once(':').ok_or_else(bad)?;
            Subject::ServiceAccount {
                namespace: namespace.to_string(),
                name: name.to_string(),
            }
        } else if let Some(name) = s.strip_prefix("user:") {
            Subject::User(name.to_string())
        } else if let Some(name) = s.strip_prefix("group:") {
            Subject::Group(name.to_string())
        } else {
            return Err(bad());
        };
        let ok = |n: &str| !n.is_empty() && !n.contains(['\'', '"', '\\', '\n']);
        match &subject {
            Subject::User(n) | Subject::Group(n) if ok(n) => Ok(subject),
            Subject::ServiceAccount { namespace, name } if ok(namespace) && ok(name) => Ok(subject),
            _ => Err(bad()),
        }
    }

    /// The user name requests from this subject carry (none for a group).
    pub fn username(&self) -> Option<String> {
        match self {
            Subject::User(n) => Some(n.clone()),
            Subject::Group(_) => None,
            Subject::ServiceAccount { namespace, name } => {
                Some(format!("system:serviceaccount:{namespace}:{name}"))
            }
        }
    }

    /// A short name, for the names of the objects made for it.
    pub fn short(&self) -> String {
        let raw = match self {
            Subject::User(n) | Subject::Group(n) => n.as_str(),
            Subject::ServiceAccount { name, .. } => name.as_str(),
        };
        let cleaned: String = raw
            .to_ascii_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        cleaned.trim_matches('-').to_string()
    }

    fn rbac(&self) -> Value {
        match self {
            Subject::User(n) => {
                json!({"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": n})
            }
            Subject::Group(n) => {
                json!({"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": n})
            }
            Subject::ServiceAccount { namespace, name } => {
                json!({"kind": "ServiceAccount", "name": name, "namespace": namespace})
            }
        }
    }
}

/// Every request of `verbs` on `targets`: the Role's rules are made from these.
pub fn all_requests(verbs: &[Verb], targets: &[Granted], opts: Options) -> Vec<Request> {
    let kubevela = targets.iter().any(|t| matches!(t, Granted::Batch { .. }));
    let mut out: Vec<Request> = Vec::new();
    for v in verbs {
        if *v == Verb::List {
            out.extend(list_requests(kubevela));
            continue;
        }
        for t in targets {
            out.extend(requests(*v, t, opts));
        }
    }
    out.sort();
    out.dedup();
    out
}

fn rule_json(r: &Rule) -> Value {
    let mut v = json!({"apiGroups": r.api_groups, "resources": r.resources, "verbs": r.verbs});
    if !r.resource_names.is_empty() {
        v["resourceNames"] = json!(r.resource_names);
    }
    v
}

/// Which admission policies the grant needs: one for Kruise status writes (approve, and
/// step jumps), one for KubeVela spec writes.
pub fn policies_needed(verbs: &[Verb], targets: &[Granted], opts: Options) -> (bool, bool) {
    let kruise = targets.iter().any(|t| matches!(t, Granted::Kruise { .. }));
    let batch = targets.iter().any(|t| matches!(t, Granted::Batch { .. }));
    let status_writes =
        verbs.contains(&Verb::Approve) || (verbs.contains(&Verb::Undo) && opts.to_step);
    let spec_writes = verbs.iter().any(|v| v.writes() && *v != Verb::Restart);
    (kruise && status_writes, batch && spec_writes)
}

/// The manifests, in the order to apply them. `policy` is None when no policy is wanted
/// (or the server has none); the Role alone then lets a granted status write change any
/// status field of the named rollouts.
pub fn manifests(
    name: &str,
    namespace: &str,
    subjects: &[Subject],
    verbs: &[Verb],
    targets: &[Granted],
    opts: Options,
    policy: Option<PolicyApi>,
) -> Vec<Value> {
    let labels = json!({"app.kubernetes.io/managed-by": "kubectl-kruise"});
    let verb_list: Vec<&str> = verbs.iter().map(|v| v.name()).collect();
    let annotations = json!({"kubectl-kruise/verbs": verb_list.join(",")});
    let rules: Vec<Value> = rules(&all_requests(verbs, targets, opts))
        .iter()
        .map(rule_json)
        .collect();
    let mut out = vec![
        json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
            "metadata": {"name": name, "namespace": namespace, "labels": labels,
                         "annotations": annotations},
            "rules": rules,
        }),
        json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": {"name": name, "namespace": namespace, "labels": labels},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
            "subjects": subjects.iter().map(Subject::rbac).collect::<Vec<_>>(),
        }),
    ];
    let Some(api) = policy else {
        return out;
    };
    let usernames: Vec<String> = subjects.iter().filter_map(Subject::username).collect();
    let groups: Vec<String> = subjects
        .iter()
        .filter_map(|s| match s {
            Subject::Group(g) => Some(g.clone()),
            _ => None,
        })
        .collect();
    let identity = identity_condition(&usernames, &groups);
    let (kruise_status, batch_spec) = policies_needed(verbs, targets, opts);
    if kruise_status {
        out.extend(approval_policy(
            api,
            &format!("{name}.{namespace}.rollouts.kruise.io"),
            Scope::KruiseStatus,
            verbs,
            opts,
            &identity,
            namespace,
        ));
    }
    if batch_spec {
        out.extend(approval_policy(
            api,
            &format!("{name}.{namespace}.oam.dev"),
            Scope::BatchSpec,
            verbs,
            opts,
            &identity,
            namespace,
        ));
    }
    out
}
