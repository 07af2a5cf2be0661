//! Least privilege. The requests each verb of the plugin makes, per target (the one
//! inventory: `access grant` turns it into RBAC rules, `access check` into access reviews,
//! and a test runs every verb under exactly those rules), and the admission policy that
//! narrows a status write to the approval itself (`policy.rs`). Pure: no I/O.

mod manifests;
mod policy;

pub use manifests::{Subject, manifests, policies_needed};
pub use policy::{PolicyApi, approval_policy};

use std::collections::{BTreeMap, BTreeSet};

use crate::model::GROUP;
use crate::model::WorkloadKind;
use crate::model::batch::BatchKind;
use crate::model::workload::HistorySource;

/// A verb of the plugin, as `access grant --verbs` and `access check` name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verb {
    Approve,
    Pause,
    Resume,
    Undo,
    Restart,
    Status,
    History,
    List,
}

impl Verb {
    pub const ALL: [Verb; 8] = [
        Verb::Approve,
        Verb::Pause,
        Verb::Resume,
        Verb::Undo,
        Verb::Restart,
        Verb::Status,
        Verb::History,
        Verb::List,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Verb::Approve => "approve",
            Verb::Pause => "pause",
            Verb::Resume => "resume",
            Verb::Undo => "undo",
            Verb::Restart => "restart",
            Verb::Status => "status",
            Verb::History => "history",
            Verb::List => "list",
        }
    }

    pub fn parse(s: &str) -> Result<Verb, String> {
        Verb::ALL
            .into_iter()
            .find(|v| v.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Verb::ALL.iter().map(|v| v.name()).collect();
                format!("no verb {s:?}: use {}", names.join(", "))
            })
    }

    /// Whether the verb changes objects (and records an Event).
    pub fn writes(self) -> bool {
        matches!(
            self,
            Verb::Approve | Verb::Pause | Verb::Resume | Verb::Undo | Verb::Restart
        )
    }
}

/// One request, in RBAC's words: API group, resource (`rollouts/status` for a
/// subresource), verb, and the object's name when the request names one.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Request {
    pub group: String,
    pub resource: String,
    pub verb: &'static str,
    pub name: Option<String>,
}

/// A rollout to grant rights on, as read from the cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Granted {
    /// A Kruise Rollout and the workload it releases, if it names one.
    Kruise {
        name: String,
        workload: Option<(WorkloadKind, String)>,
    },
    /// An AppRollout or a trait Rollout; `app` is the Application that renders a trait
    /// Rollout, whose spec an approval or undo then writes.
    Batch {
        kind: BatchKind,
        name: String,
        app: Option<String>,
    },
}

impl Granted {
    pub fn name(&self) -> &str {
        match self {
            Granted::Kruise { name, .. } | Granted::Batch { name, .. } => name,
        }
    }

    /// `rollout.rollouts.kruise.io/web`, as results name it.
    pub fn display(&self) -> String {
        match self {
            Granted::Kruise { name, .. } => crate::model::display_name(name),
            Granted::Batch { kind, name, .. } => format!("{}/{name}", kind.resource_name()),
        }
    }
}

/// What else is granted with the verbs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// `approve --to-step` and `undo --fast`: writes of `nextStepIndex`.
    pub to_step: bool,
    /// The audit Event each change records (`create events`).
    pub events: bool,
    /// Every object of the namespace, now and later: rules without names.
    pub all_objects: bool,
}

fn req(group: &str, resource: &str, verb: &'static str, name: Option<&str>) -> Request {
    Request {
        group: group.to_string(),
        resource: resource.to_string(),
        verb,
        name: name.map(str::to_string),
    }
}

/// Get, and follow (a list then a watch, both narrowed to the one name).
fn follow(group: &str, resource: &str, name: &str) -> [Request; 3] {
    [
        req(group, resource, "get", Some(name)),
        req(group, resource, "list", Some(name)),
        req(group, resource, "watch", Some(name)),
    ]
}

/// The requests `verb` makes on `target`. A verb that does not apply to the target (restart
/// of a KubeVela rollout) makes none.
pub fn requests(verb: Verb, target: &Granted, opts: Options) -> Vec<Request> {
    let mut out = Vec::new();
    match target {
        Granted::Kruise { name, workload } => {
            let rollout = |verb, name: &str| req(GROUP, "rollouts", verb, Some(name));
            out.push(rollout("get", name));
            let w = workload.as_ref();
            let wreq = |verb| w.map(|(k, n)| req(k.group(), k.plural(), verb, Some(n)));
            match verb {
                Verb::Status => {
                    out.extend(follow(GROUP, "rollouts", name));
                    out.extend(
                        w.into_iter()
                            .flat_map(|(k, n)| follow(k.group(), k.plural(), n)),
                    );
                }
                Verb::Approve => {
                    out.extend(follow(GROUP, "rollouts", name));
                    out.push(req(GROUP, "rollouts/status", "patch", Some(name)));
                    out.extend(wreq("get"));
                }
                Verb::Pause | Verb::Resume => out.push(rollout("patch", name)),
                Verb::History | Verb::Undo | Verb::Restart => {
                    out.extend(wreq("get"));
                    if verb != Verb::Restart {
                        out.extend(w.map(|(k, _)| history(*k)));
                    }
                    if verb != Verb::History {
                        out.extend(wreq("patch"));
                    }
                    if verb == Verb::Undo && opts.to_step {
                        out.push(req(GROUP, "rollouts/status", "patch", Some(name)));
                    }
                }
                Verb::List => return list_requests(false),
            }
        }
        Granted::Batch { kind, name, app } => {
            let (group, plural) = (kind.group(), kind.plural());
            let app_req = |verb| {
                app.as_deref()
                    .map(|a| req("core.oam.dev", "applications", verb, Some(a)))
            };
            match verb {
                Verb::Restart => return out,
                Verb::List => return list_requests(true),
                _ => out.push(req(group, plural, "get", Some(name))),
            }
            match verb {
                Verb::Status => {
                    out.extend(follow(group, plural, name));
                    out.extend(app_req("get"));
                }
                Verb::Approve | Verb::Undo => {
                    if verb == Verb::Approve {
                        out.extend(follow(group, plural, name));
                    }
                    match app {
                        Some(_) => out.extend(app_req("get").into_iter().chain(app_req("patch"))),
                        None => out.push(req(group, plural, "patch", Some(name))),
                    }
                }
                Verb::Pause | Verb::Resume => out.push(req(group, plural, "patch", Some(name))),
                Verb::History => out.push(match kind {
                    BatchKind::AppRollout => {
                        req("core.oam.dev", "applicationrevisions", "list", None)
                    }
                    BatchKind::TraitRollout => req("apps", "controllerrevisions", "list", None),
                }),
                Verb::Restart | Verb::List => {}
            }
        }
    }
    if verb.writes() && opts.events {
        out.push(req("", "events", "create", None));
    }
    if opts.all_objects {
        for r in &mut out {
            r.name = None;
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Where a workload's revisions are read: all of the namespace's, by label.
fn history(kind: WorkloadKind) -> Request {
    match kind.history() {
        HistorySource::ReplicaSets => req("apps", "replicasets", "list", None),
        HistorySource::ControllerRevisions => req("apps", "controllerrevisions", "list", None),
    }
}

/// `list` reads every rollout of the namespace (and follows them with `--watch`), and
/// KubeVela's kinds where they are served.
pub fn list_requests(kubevela: bool) -> Vec<Request> {
    let mut out = vec![
        req(GROUP, "rollouts", "list", None),
        req(GROUP, "rollouts", "watch", None),
    ];
    if kubevela {
        for k in [BatchKind::AppRollout, BatchKind::TraitRollout] {
            out.push(req(k.group(), k.plural(), "list", None));
        }
    }
    out
}

/// An RBAC rule of a Role.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Rule {
    pub api_groups: Vec<String>,
    pub resources: Vec<String>,
    pub verbs: Vec<String>,
    pub resource_names: Vec<String>,
}

/// The fewest rules that allow exactly `requests`: per resource and verb, the names asked
/// for (or all, when one request names none), then grouped by identical names and verbs.
pub fn rules(requests: &[Request]) -> Vec<Rule> {
    // (group, resource, verb) -> names, or None for every object.
    let mut by_verb: BTreeMap<(String, String, &str), Option<BTreeSet<String>>> = BTreeMap::new();
    for r in requests {
        let entry = by_verb
            .entry((r.group.clone(), r.resource.clone(), r.verb))
            .or_insert_with(|| Some(BTreeSet::new()));
        match (&r.name, entry.as_mut()) {
            (Some(n), Some(names)) => {
                names.insert(n.clone());
            }
            (None, _) => *entry = None,
            (Some(_), None) => {}
        }
    }
    // (group, names) -> resource -> verbs; then resources with the same verbs share a rule.
    let mut grouped: BTreeMap<(String, Vec<String>, Vec<String>), Vec<String>> = BTreeMap::new();
    let mut verbs_of: BTreeMap<(String, String, Vec<String>), Vec<String>> = BTreeMap::new();
    for ((group, resource, verb), names) in by_verb {
        let names: Vec<String> = names.map(|n| n.into_iter().collect()).unwrap_or_default();
        verbs_of
            .entry((group, resource, names))
            .or_default()
            .push(verb.to_string());
    }
    for ((group, resource, names), mut verbs) in verbs_of {
        verbs.sort_by_key(|v| verb_order(v));
        grouped
            .entry((group, names, verbs))
            .or_default()
            .push(resource);
    }
    grouped
        .into_iter()
        .map(|((group, names, verbs), resources)| Rule {
            api_groups: vec![group],
            resources,
            verbs,
            resource_names: names,
        })
        .collect()
}

/// Verbs in kubectl's usual order, for rules a person reads.
fn verb_order(v: &str) -> usize {
    [
        "get", "list", "watch", "create", "update", "patch", "delete",
    ]
    .iter()
    .position(|x| *x == v)
    .unwrap_or(usize::MAX)
}

/// The rule that would allow `r`, for messages: `patch rollouts/status "web" in API group
/// "rollouts.kruise.io"`.
pub fn describe(r: &Request) -> String {
    let name = r
        .name
        .as_deref()
        .map(|n| format!(" {n:?}"))
        .unwrap_or_default();
    let group = if r.group.is_empty() {
        "the core API group".to_string()
    } else {
        format!("API group {:?}", r.group)
    };
    format!("{} {}{name} in {group}", r.verb, r.resource)
}

#[cfg(test)]
mod tests;
