//! The object store: served types, objects keyed by group/resource/namespace/name, the
//! resourceVersion counter and the event log that watch streams replay from.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use tokio::sync::broadcast;

use crate::{Reaction, RequestRecord};

/// A resource type the server serves.
#[derive(Debug, Clone)]
pub struct ResourceType {
    /// `""` for the core group.
    pub group: String,
    /// Served versions, preferred first.
    pub versions: Vec<String>,
    pub kind: String,
    pub plural: String,
    pub namespaced: bool,
    pub status_subresource: bool,
    /// Custom resources refuse strategic merge patch (415).
    pub custom: bool,
    /// Kruise Rollouts' conversion webhook is installed: objects are stored in the
    /// preferred version and converted to the version asked for.
    pub converted: bool,
}

impl ResourceType {
    pub fn new(group: &str, versions: &[&str], kind: &str, plural: &str, custom: bool) -> Self {
        ResourceType {
            group: group.to_string(),
            versions: versions.iter().map(|v| v.to_string()).collect(),
            kind: kind.to_string(),
            plural: plural.to_string(),
            namespaced: true,
            status_subresource: true,
            custom,
            converted: false,
        }
    }

    /// The workload kinds Kruise Rollouts controls, plus what holds their history.
    pub fn builtin_workloads() -> Vec<ResourceType> {
        vec![
            Self::new("apps", &["v1"], "Deployment", "deployments", false),
            Self::new("apps", &["v1"], "StatefulSet", "statefulsets", false),
            Self::new("apps", &["v1"], "DaemonSet", "daemonsets", false),
            Self::new("apps", &["v1"], "ReplicaSet", "replicasets", false),
            ResourceType {
                status_subresource: false,
                ..Self::new(
                    "apps",
                    &["v1"],
                    "ControllerRevision",
                    "controllerrevisions",
                    false,
                )
            },
            Self::new(
                "apps.kruise.io",
                &["v1alpha1"],
                "CloneSet",
                "clonesets",
                true,
            ),
            Self::new(
                "apps.kruise.io",
                &["v1beta1"],
                "StatefulSet",
                "statefulsets",
                true,
            ),
            Self::new(
                "apps.kruise.io",
                &["v1alpha1"],
                "DaemonSet",
                "daemonsets",
                true,
            ),
        ]
    }

    pub fn api_version(&self, version: &str) -> String {
        if self.group.is_empty() {
            version.to_string()
        } else {
            format!("{}/{}", self.group, version)
        }
    }

    /// What kube-apiserver calls the resource in messages: `rollouts.rollouts.kruise.io`.
    pub fn qualified(&self) -> String {
        if self.group.is_empty() {
            self.plural.clone()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }
}

/// The verbs that [`crate::FakeApi::forbid`] can refuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Get,
    List,
    Watch,
    Create,
    Update,
    Patch,
    Delete,
}

impl Verb {
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Get => "get",
            Verb::List => "list",
            Verb::Watch => "watch",
            Verb::Create => "create",
            Verb::Update => "update",
            Verb::Patch => "patch",
            Verb::Delete => "delete",
        }
    }
}

pub(crate) struct Rule {
    /// `None`: every user.
    pub user: Option<String>,
    pub verb: Verb,
    pub group: String,
    pub plural: String,
    pub subresource: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Key {
    pub group: String,
    pub plural: String,
    pub namespace: String,
    pub name: String,
}

impl Key {
    pub fn new(group: &str, plural: &str, namespace: &str, name: &str) -> Self {
        Key {
            group: group.into(),
            plural: plural.into(),
            namespace: namespace.into(),
            name: name.into(),
        }
    }
}

pub(crate) struct AfterGet {
    pub key: Key,
    pub remaining: usize,
    pub reaction: Reaction,
}

/// A change as watch streams see it.
#[derive(Debug, Clone)]
pub(crate) struct WatchEvent {
    pub rv: u64,
    pub kind: &'static str,
    pub group: String,
    pub plural: String,
    pub object: Value,
}

#[derive(Default)]
pub(crate) struct Store {
    pub types: Vec<ResourceType>,
    pub objects: BTreeMap<Key, Value>,
    pub rv: u64,
    pub log: Vec<WatchEvent>,
    pub after_get: Vec<AfterGet>,
    pub forbidden: Vec<Rule>,
    pub requests: Vec<RequestRecord>,
    /// The next requests fail with this HTTP status: (remaining, code).
    pub failures: Option<(usize, u16)>,
    /// Sent as a `Warning` header with every response.
    pub warning: Option<String>,
    pub faults: Vec<crate::faults::Pending>,
    /// Watches from a resourceVersion before this one are answered 410 Gone.
    pub compacted: u64,
    pub observers: Vec<crate::WriteObserver>,
    /// Authorize impersonated users by the stored RBAC objects.
    pub rbac: bool,
    /// The minor version `/version` reports (1.x); 0 means 32.
    pub minor: u32,
    /// Served under this path prefix (a gateway's, such as Rancher's
    /// `/k8s/clusters/c-m-xxxx`): a request without it is answered 404.
    pub prefix: String,
    /// A hub: which API serves the members, and the members by name.
    pub hub: Option<crate::hub::HubKind>,
    pub members: crate::hub::Members,
    /// When set, only these bearer tokens are accepted; any other request gets 401.
    pub tokens: Option<Vec<String>>,
    /// The link in front of the server, if any: its counters are reported with the requests.
    pub link: Option<std::sync::Arc<crate::link::Counters>>,
    uid: u64,
}

pub(crate) fn meta_str<'a>(obj: &'a Value, field: &str) -> &'a str {
    obj.pointer(&format!("/metadata/{field}"))
        .and_then(Value::as_str)
        .unwrap_or("")
}

pub(crate) fn now_rfc3339() -> String {
    // Seconds precision, as kube-apiserver writes timestamps.
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

impl Store {
    /// The served type for `group/version/plural`, if that version is served.
    pub fn served(&self, group: &str, version: &str, plural: &str) -> Option<ResourceType> {
        self.types
            .iter()
            .find(|t| {
                t.group == group && t.plural == plural && t.versions.iter().any(|v| v == version)
            })
            .cloned()
    }

    pub fn type_for_api_version(&self, api_version: &str, kind: &str) -> Option<ResourceType> {
        let (group, version) = match api_version.split_once('/') {
            Some((g, v)) => (g, v),
            None => ("", api_version),
        };
        self.types
            .iter()
            .find(|t| t.group == group && t.kind == kind && t.versions.iter().any(|v| v == version))
            .cloned()
    }

    pub fn is_forbidden_for(
        &self,
        verb: Verb,
        t: &ResourceType,
        sub: Option<&str>,
        user: &str,
    ) -> bool {
        self.forbidden.iter().any(|r| {
            r.user.as_deref().is_none_or(|u| u == user)
                && r.verb == verb
                && r.group == t.group
                && r.plural == t.plural
                && r.subresource.as_deref() == sub
        })
    }

    /// The fault for the next request of `method`, if one waits for it.
    pub fn take_fault(&mut self, method: &str) -> Option<crate::faults::Fault> {
        let p = self
            .faults
            .iter_mut()
            .find(|p| p.times > 0 && p.method.as_deref().is_none_or(|m| m == method))?;
        p.times -= 1;
        let f = p.fault.clone();
        self.faults.retain(|p| p.times > 0);
        Some(f)
    }

    pub fn next_rv(&mut self) -> u64 {
        self.rv += 1;
        self.rv
    }

    pub fn get(&self, group: &str, plural: &str, namespace: &str, name: &str) -> Option<&Value> {
        self.objects.get(&Key::new(group, plural, namespace, name))
    }

    pub fn list(&self, group: &str, plural: &str) -> Vec<Value> {
        self.objects
            .iter()
            .filter(|(k, _)| k.group == group && k.plural == plural)
            .map(|(_, o)| o.clone())
            .collect()
    }

    /// Fill in server-owned metadata and store a new object.
    pub fn insert(&mut self, mut obj: Value) -> Result<Value, String> {
        let api_version = obj["apiVersion"].as_str().unwrap_or("").to_string();
        let kind = obj["kind"].as_str().unwrap_or("").to_string();
        let t = self
            .type_for_api_version(&api_version, &kind)
            .ok_or_else(|| format!("type {api_version} {kind} is not served"))?;
        if t.converted {
            obj = crate::conversion::convert(obj, &t.versions[0]);
        }
        let name = meta_str(&obj, "name").to_string();
        if name.is_empty() {
            return Err("metadata.name is required".into());
        }
        if t.namespaced && meta_str(&obj, "namespace").is_empty() {
            obj["metadata"]["namespace"] = json!("default");
        }
        let key = Key::new(&t.group, &t.plural, meta_str(&obj, "namespace"), &name);
        self.uid += 1;
        let uid = format!("00000000-0000-4000-8000-{:012}", self.uid);
        let rv = self.next_rv();
        let meta = obj["metadata"]
            .as_object_mut()
            .ok_or("metadata must be an object")?;
        meta.entry("uid").or_insert(json!(uid));
        meta.entry("creationTimestamp")
            .or_insert(json!(now_rfc3339()));
        meta.entry("generation").or_insert(json!(1));
        meta.insert("resourceVersion".into(), json!(rv.to_string()));
        self.objects.insert(key, obj.clone());
        Ok(obj)
    }

    pub fn modify(
        &mut self,
        group: &str,
        plural: &str,
        namespace: &str,
        name: &str,
        f: impl FnOnce(&mut Value),
    ) -> Option<Value> {
        let key = Key::new(group, plural, namespace, name);
        let mut obj = self.objects.get(&key)?.clone();
        f(&mut obj);
        let rv = self.next_rv();
        obj["metadata"]["resourceVersion"] = json!(rv.to_string());
        self.objects.insert(key, obj.clone());
        Some(obj)
    }

    pub fn remove(
        &mut self,
        group: &str,
        plural: &str,
        namespace: &str,
        name: &str,
    ) -> Option<Value> {
        let mut old = self
            .objects
            .remove(&Key::new(group, plural, namespace, name))?;
        let rv = self.next_rv();
        old["metadata"]["resourceVersion"] = json!(rv.to_string());
        Some(old)
    }

    /// Record a change for watch streams: in the log (for watches that start from an older
    /// resourceVersion) and to live subscribers.
    pub fn publish(&mut self, tx: &broadcast::Sender<WatchEvent>, kind: &'static str, obj: &Value) {
        let t = self.type_for_api_version(
            obj["apiVersion"].as_str().unwrap_or(""),
            obj["kind"].as_str().unwrap_or(""),
        );
        let Some(t) = t else { return };
        let ev = WatchEvent {
            rv: meta_str(obj, "resourceVersion").parse().unwrap_or(self.rv),
            kind,
            group: t.group,
            plural: t.plural,
            object: obj.clone(),
        };
        self.log.push(ev.clone());
        // No receiver is not an error: nobody is watching.
        tx.send(ev).ok();
    }

    /// Run and consume the reactions registered for GETs of `key`. Returns the changed
    /// object, if any reaction ran.
    pub fn react_after_get(&mut self, key: &Key) -> Option<Value> {
        let mut obj = self.objects.get(key)?.clone();
        let mut ran = false;
        for hook in self
            .after_get
            .iter_mut()
            .filter(|h| &h.key == key && h.remaining > 0)
        {
            hook.remaining -= 1;
            (hook.reaction)(&mut obj);
            ran = true;
        }
        self.after_get.retain(|h| h.remaining > 0);
        if !ran {
            return None;
        }
        let rv = self.next_rv();
        obj["metadata"]["resourceVersion"] = json!(rv.to_string());
        self.objects.insert(key.clone(), obj.clone());
        Some(obj)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc3339_utc_in_seconds() {
        let t = now_rfc3339();
        assert!(t.parse::<jiff::Timestamp>().is_ok(), "{t}");
        assert_eq!(t.len(), 20, "{t}");
        assert!(t.ends_with('Z'), "{t}");
    }
}
