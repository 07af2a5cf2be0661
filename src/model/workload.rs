//! The workload kinds Kruise Rollouts controls, and where each keeps its revision history.

use std::fmt;

/// What holds a workload's past pod templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistorySource {
    /// One ReplicaSet per template (`pod-template-hash`, `deployment.kubernetes.io/revision`).
    ReplicaSets,
    /// One ControllerRevision per template (`.revision`, name `<workload>-<hash>`).
    ControllerRevisions,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkloadKind {
    Deployment,
    StatefulSet,
    DaemonSet,
    CloneSet,
    /// Advanced StatefulSet, `apps.kruise.io`.
    AdvancedStatefulSet,
    /// Advanced DaemonSet, `apps.kruise.io`.
    AdvancedDaemonSet,
}

pub const KRUISE_APPS: &str = "apps.kruise.io";

impl WorkloadKind {
    pub const ALL: [WorkloadKind; 6] = [
        WorkloadKind::Deployment,
        WorkloadKind::StatefulSet,
        WorkloadKind::DaemonSet,
        WorkloadKind::CloneSet,
        WorkloadKind::AdvancedStatefulSet,
        WorkloadKind::AdvancedDaemonSet,
    ];

    pub fn kind(self) -> &'static str {
        match self {
            WorkloadKind::Deployment => "Deployment",
            WorkloadKind::StatefulSet | WorkloadKind::AdvancedStatefulSet => "StatefulSet",
            WorkloadKind::DaemonSet | WorkloadKind::AdvancedDaemonSet => "DaemonSet",
            WorkloadKind::CloneSet => "CloneSet",
        }
    }

    pub fn group(self) -> &'static str {
        match self {
            WorkloadKind::Deployment | WorkloadKind::StatefulSet | WorkloadKind::DaemonSet => {
                "apps"
            }
            _ => KRUISE_APPS,
        }
    }

    /// The version requests use: the one every supported Kruise release serves.
    pub fn version(self) -> &'static str {
        match self {
            WorkloadKind::Deployment | WorkloadKind::StatefulSet | WorkloadKind::DaemonSet => "v1",
            WorkloadKind::AdvancedStatefulSet => "v1beta1",
            WorkloadKind::CloneSet | WorkloadKind::AdvancedDaemonSet => "v1alpha1",
        }
    }

    pub fn plural(self) -> &'static str {
        match self {
            WorkloadKind::Deployment => "deployments",
            WorkloadKind::StatefulSet | WorkloadKind::AdvancedStatefulSet => "statefulsets",
            WorkloadKind::DaemonSet | WorkloadKind::AdvancedDaemonSet => "daemonsets",
            WorkloadKind::CloneSet => "clonesets",
        }
    }

    pub fn history(self) -> HistorySource {
        match self {
            WorkloadKind::Deployment => HistorySource::ReplicaSets,
            _ => HistorySource::ControllerRevisions,
        }
    }

    /// The kind a Rollout's `workloadRef` names. Any version of a group is accepted: the
    /// Advanced StatefulSet is referenced as both v1alpha1 and v1beta1.
    pub fn from_ref(api_version: &str, kind: &str) -> Option<Self> {
        let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
        Self::ALL
            .into_iter()
            .find(|k| k.group() == group && k.kind() == kind)
    }

    /// A type word as kubectl users type it: `deployment`, `deploy`, `sts`,
    /// `statefulsets.apps.kruise.io`, `asts`, `clonesets.v1alpha1.apps.kruise.io`, ... (any
    /// case). A type word without a group means the built-in kind, as in kubectl.
    pub fn from_type_word(word: &str) -> Option<Self> {
        let w = word.to_ascii_lowercase();
        let (resource, qualifier) = w.split_once('.').unwrap_or((&w, ""));
        // Short names carry their group.
        match resource {
            "asts" if qualifier.is_empty() => return Some(WorkloadKind::AdvancedStatefulSet),
            "ads" | "daemon" if qualifier.is_empty() => {
                return Some(WorkloadKind::AdvancedDaemonSet);
            }
            _ => {}
        }
        let base = match resource {
            "deployment" | "deployments" | "deploy" => WorkloadKind::Deployment,
            "statefulset" | "statefulsets" | "sts" => WorkloadKind::StatefulSet,
            "daemonset" | "daemonsets" | "ds" => WorkloadKind::DaemonSet,
            "cloneset" | "clonesets" | "clone" => WorkloadKind::CloneSet,
            _ => return None,
        };
        // `apps`, `v1.apps`, `apps.kruise.io`, `v1beta1.apps.kruise.io`.
        let group = match qualifier.split_once('.') {
            Some((v, g))
                if v.starts_with('v') && v[1..].starts_with(|c: char| c.is_ascii_digit()) =>
            {
                g
            }
            _ => qualifier,
        };
        match (base, group) {
            (WorkloadKind::CloneSet, "" | KRUISE_APPS) => Some(WorkloadKind::CloneSet),
            (WorkloadKind::CloneSet, _) => None,
            (k, "" | "apps") => Some(k),
            (WorkloadKind::StatefulSet, KRUISE_APPS) => Some(WorkloadKind::AdvancedStatefulSet),
            (WorkloadKind::DaemonSet, KRUISE_APPS) => Some(WorkloadKind::AdvancedDaemonSet),
            _ => None,
        }
    }

    /// `deployment.apps`, `cloneset.apps.kruise.io`: how kubectl names the type in output.
    pub fn resource_name(self) -> String {
        format!("{}.{}", self.kind().to_lowercase(), self.group())
    }
}

impl fmt::Display for WorkloadKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.resource_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_words_resolve_like_kubectl() {
        for (word, kind) in [
            ("deployment", WorkloadKind::Deployment),
            ("deploy", WorkloadKind::Deployment),
            ("Deployments.apps", WorkloadKind::Deployment),
            ("deployments.v1.apps", WorkloadKind::Deployment),
            ("sts", WorkloadKind::StatefulSet),
            ("statefulsets.apps", WorkloadKind::StatefulSet),
            (
                "statefulset.apps.kruise.io",
                WorkloadKind::AdvancedStatefulSet,
            ),
            (
                "statefulsets.v1beta1.apps.kruise.io",
                WorkloadKind::AdvancedStatefulSet,
            ),
            ("asts", WorkloadKind::AdvancedStatefulSet),
            ("ds", WorkloadKind::DaemonSet),
            ("daemonsets.apps.kruise.io", WorkloadKind::AdvancedDaemonSet),
            ("ads", WorkloadKind::AdvancedDaemonSet),
            ("cloneset", WorkloadKind::CloneSet),
            ("clone", WorkloadKind::CloneSet),
            ("clonesets.v1alpha1.apps.kruise.io", WorkloadKind::CloneSet),
        ] {
            assert_eq!(WorkloadKind::from_type_word(word), Some(kind), "{word}");
        }
        for word in [
            "pod",
            "clonesets.apps",
            "deployments.apps.kruise.io",
            "replicaset",
        ] {
            assert_eq!(WorkloadKind::from_type_word(word), None, "{word}");
        }
    }

    #[test]
    fn workload_refs_resolve_by_group_and_kind() {
        assert_eq!(
            WorkloadKind::from_ref("apps/v1", "Deployment"),
            Some(WorkloadKind::Deployment)
        );
        assert_eq!(
            WorkloadKind::from_ref("apps.kruise.io/v1alpha1", "StatefulSet"),
            Some(WorkloadKind::AdvancedStatefulSet)
        );
        assert_eq!(WorkloadKind::from_ref("apps/v1", "ReplicaSet"), None);
        assert_eq!(
            WorkloadKind::CloneSet.resource_name(),
            "cloneset.apps.kruise.io"
        );
    }
}
