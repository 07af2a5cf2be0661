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

/// How `restart` makes a kind's pods restart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestartHow {
    /// kubectl's `kubectl.kubernetes.io/restartedAt` pod-template annotation: the controller
    /// replaces every pod.
    Annotation,
    /// The annotation plus a `RESTARTED_AT` env var in every container: these kinds update
    /// pods in place where they can, and an in-place update applies a metadata change
    /// without restarting containers, but an env change cannot be made in place, so each pod
    /// is recreated. `policy` points at the field that can forbid recreating
    /// (`InPlaceOnly`).
    EnvVar { policy: &'static str },
}

/// Everything that differs between workload kinds, as data: one row per kind.
#[derive(Debug)]
pub struct KindRow {
    pub kind: &'static str,
    pub group: &'static str,
    /// The version requests use: the one every supported release serves.
    pub version: &'static str,
    pub plural: &'static str,
    /// Type words without a group, as kubectl accepts them (singular, plural, short name).
    pub words: &'static [&'static str],
    /// Short names that carry their group (`asts` is always the Advanced StatefulSet).
    pub grouped_short_names: &'static [&'static str],
    pub history: HistorySource,
    /// JSON pointer of the pause switch; `None` when the kind cannot be paused.
    pub pause: Option<&'static str>,
    /// JSON pointer of the update partition (pods kept on the old revision), if any.
    pub partition: Option<&'static str>,
    pub restart: RestartHow,
    /// Desired pods come from `status.desiredNumberScheduled` (DaemonSets), not `spec.replicas`.
    pub per_node: bool,
}

const KINDS: [KindRow; 6] = [
    KindRow {
        kind: "Deployment",
        group: "apps",
        version: "v1",
        plural: "deployments",
        words: &["deployment", "deployments", "deploy"],
        grouped_short_names: &[],
        history: HistorySource::ReplicaSets,
        pause: Some("/spec/paused"),
        partition: None,
        restart: RestartHow::Annotation,
        per_node: false,
    },
    KindRow {
        kind: "StatefulSet",
        group: "apps",
        version: "v1",
        plural: "statefulsets",
        words: &["statefulset", "statefulsets", "sts"],
        grouped_short_names: &[],
        history: HistorySource::ControllerRevisions,
        pause: None,
        partition: Some("/spec/updateStrategy/rollingUpdate/partition"),
        restart: RestartHow::Annotation,
        per_node: false,
    },
    KindRow {
        kind: "DaemonSet",
        group: "apps",
        version: "v1",
        plural: "daemonsets",
        words: &["daemonset", "daemonsets", "ds"],
        grouped_short_names: &[],
        history: HistorySource::ControllerRevisions,
        pause: None,
        partition: None,
        restart: RestartHow::Annotation,
        per_node: true,
    },
    KindRow {
        kind: "CloneSet",
        group: KRUISE_APPS,
        version: "v1alpha1",
        plural: "clonesets",
        words: &["cloneset", "clonesets", "clone"],
        grouped_short_names: &[],
        history: HistorySource::ControllerRevisions,
        pause: Some("/spec/updateStrategy/paused"),
        partition: Some("/spec/updateStrategy/partition"),
        restart: RestartHow::EnvVar {
            policy: "/spec/updateStrategy/type",
        },
        per_node: false,
    },
    KindRow {
        kind: "StatefulSet",
        group: KRUISE_APPS,
        version: "v1beta1",
        plural: "statefulsets",
        words: &["statefulset", "statefulsets", "sts"],
        grouped_short_names: &["asts"],
        history: HistorySource::ControllerRevisions,
        pause: Some("/spec/updateStrategy/rollingUpdate/paused"),
        partition: Some("/spec/updateStrategy/rollingUpdate/partition"),
        restart: RestartHow::EnvVar {
            policy: "/spec/updateStrategy/rollingUpdate/podUpdatePolicy",
        },
        per_node: false,
    },
    KindRow {
        kind: "DaemonSet",
        group: KRUISE_APPS,
        version: "v1alpha1",
        plural: "daemonsets",
        words: &["daemonset", "daemonsets", "ds"],
        grouped_short_names: &["ads", "daemon"],
        history: HistorySource::ControllerRevisions,
        pause: Some("/spec/updateStrategy/rollingUpdate/paused"),
        partition: Some("/spec/updateStrategy/rollingUpdate/partition"),
        restart: RestartHow::EnvVar {
            policy: "/spec/updateStrategy/rollingUpdate/type",
        },
        per_node: true,
    },
];

impl WorkloadKind {
    pub const ALL: [WorkloadKind; 6] = [
        WorkloadKind::Deployment,
        WorkloadKind::StatefulSet,
        WorkloadKind::DaemonSet,
        WorkloadKind::CloneSet,
        WorkloadKind::AdvancedStatefulSet,
        WorkloadKind::AdvancedDaemonSet,
    ];

    /// The kind's row of [`KINDS`].
    pub fn row(self) -> &'static KindRow {
        &KINDS[self as usize]
    }

    pub fn kind(self) -> &'static str {
        self.row().kind
    }

    pub fn group(self) -> &'static str {
        self.row().group
    }

    pub fn version(self) -> &'static str {
        self.row().version
    }

    pub fn plural(self) -> &'static str {
        self.row().plural
    }

    pub fn history(self) -> HistorySource {
        self.row().history
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
    /// case). A type word without a group means the built-in kind, as in kubectl; a word
    /// only one group has (`cloneset`) means that group's kind.
    pub fn from_type_word(word: &str) -> Option<Self> {
        let w = word.to_ascii_lowercase();
        let (resource, qualifier) = w.split_once('.').unwrap_or((&w, ""));
        if qualifier.is_empty()
            && let Some(k) = Self::ALL
                .into_iter()
                .find(|k| k.row().grouped_short_names.contains(&resource))
        {
            return Some(k);
        }
        // `apps`, `v1.apps`, `apps.kruise.io`, `v1beta1.apps.kruise.io`.
        let group = match qualifier.split_once('.') {
            Some((v, g))
                if v.starts_with('v') && v[1..].starts_with(|c: char| c.is_ascii_digit()) =>
            {
                g
            }
            _ => qualifier,
        };
        let candidates = || {
            Self::ALL
                .into_iter()
                .filter(move |k| k.row().words.contains(&resource))
        };
        if group.is_empty() {
            // The built-in kind wins, as kubectl's group priority has it.
            return candidates()
                .find(|k| k.group() == "apps")
                .or_else(|| candidates().next());
        }
        candidates().find(|k| k.group() == group)
    }

    /// The shortest type word that names this kind alone, as a hint tells a user to type
    /// it: `deployment`, `cloneset`, `asts`, `ads`.
    pub fn type_word(self) -> String {
        let row = self.row();
        match row.grouped_short_names.first() {
            Some(short) => short.to_string(),
            None => row.words[0].to_string(),
        }
    }

    /// `deployment.apps`, `cloneset.apps.kruise.io`: how kubectl names the type in output.
    pub fn resource_name(self) -> String {
        format!("{}.{}", self.kind().to_lowercase(), self.group())
    }

    /// `deployments.apps`: how the API server names the resource in messages.
    pub fn qualified_plural(self) -> String {
        format!("{}.{}", self.plural(), self.group())
    }

    pub fn api_version(self) -> String {
        format!("{}/{}", self.group(), self.version())
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
    fn the_type_word_a_hint_gives_names_its_kind_alone() {
        for k in WorkloadKind::ALL {
            assert_eq!(WorkloadKind::from_type_word(&k.type_word()), Some(k), "{k}");
        }
        assert_eq!(WorkloadKind::Deployment.type_word(), "deployment");
        assert_eq!(WorkloadKind::AdvancedStatefulSet.type_word(), "asts");
    }

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
