//! The release model: a Rollout of either API version decoded into one view, and what its
//! state means. Pure: no I/O, so every rule here is tested on fixtures alone.
//!
//! Decoding is tolerant on purpose: controllers up to v0.5 write statuses without
//! `nextStepIndex`, `finalisingStep` or the top-level step mirrors, and newer controllers add
//! fields we do not know. Every field is optional; unknown fields are ignored here and never
//! written back (writes are merge patches of the one field they change).

pub mod access;
pub mod analysis;
pub mod autopilot;
pub mod batch;
mod conditions;
mod decode;
pub mod detail;
pub mod fleet;
pub mod gate;
pub(crate) mod json;
pub mod observe;
pub mod progress;
pub mod revision;
pub mod state;
pub mod steps;
pub mod summary;
pub mod train;
pub mod view;
pub mod workload;
pub mod workload_verbs;

use std::fmt;

pub use conditions::Condition;
pub use decode::decode;
pub use steps::{IntOrPercent, Pause, Step};
pub use workload::WorkloadKind;

pub const GROUP: &str = "rollouts.kruise.io";

/// The Rollout API versions in use today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApiVersion {
    V1alpha1,
    V1beta1,
}

impl ApiVersion {
    pub fn version(self) -> &'static str {
        match self {
            ApiVersion::V1alpha1 => "v1alpha1",
            ApiVersion::V1beta1 => "v1beta1",
        }
    }

    pub fn parse(version: &str) -> Option<Self> {
        match version {
            "v1alpha1" => Some(ApiVersion::V1alpha1),
            "v1beta1" => Some(ApiVersion::V1beta1),
            _ => None,
        }
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{GROUP}/{}", self.version())
    }
}

/// How the release moves pods, derived from the spec as the controller derives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// In-place batches on the workload itself (partition).
    Partition,
    /// An extra canary workload beside the stable one.
    Canary,
    BlueGreen,
}

impl Style {
    pub fn as_str(self) -> &'static str {
        match self {
            Style::Partition => "partition",
            Style::Canary => "canary",
            Style::BlueGreen => "blueGreen",
        }
    }
}

/// Which status block holds the release progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReleaseField {
    CanaryStatus,
    BlueGreenStatus,
}

impl ReleaseField {
    pub fn json_name(self) -> &'static str {
        match self {
            ReleaseField::CanaryStatus => "canaryStatus",
            ReleaseField::BlueGreenStatus => "blueGreenStatus",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkloadRef {
    pub api_version: String,
    pub kind: String,
    pub name: String,
}

/// The states of a step, as the controller writes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepState {
    BeforeStepUpgrade,
    StepUpgrade,
    StepTrafficRouting,
    StepMetricsAnalysis,
    StepPaused,
    StepReady,
    Completed,
    /// A state this version does not know; shown as written.
    Other(String),
}

impl StepState {
    pub fn parse(s: &str) -> Self {
        match s {
            "BeforeStepUpgrade" => StepState::BeforeStepUpgrade,
            "StepUpgrade" => StepState::StepUpgrade,
            "StepTrafficRouting" => StepState::StepTrafficRouting,
            "StepMetricsAnalysis" => StepState::StepMetricsAnalysis,
            "StepPaused" => StepState::StepPaused,
            "StepReady" => StepState::StepReady,
            "Completed" => StepState::Completed,
            other => StepState::Other(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            StepState::BeforeStepUpgrade => "BeforeStepUpgrade",
            StepState::StepUpgrade => "StepUpgrade",
            StepState::StepTrafficRouting => "StepTrafficRouting",
            StepState::StepMetricsAnalysis => "StepMetricsAnalysis",
            StepState::StepPaused => "StepPaused",
            StepState::StepReady => "StepReady",
            StepState::Completed => "Completed",
            StepState::Other(s) => s,
        }
    }
}

/// `status.canaryStatus` or `status.blueGreenStatus`: the progress of the current release.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Release {
    pub current_step_index: Option<i64>,
    pub current_step_state: Option<StepState>,
    /// v0.6+ only.
    pub next_step_index: Option<i64>,
    pub finalising_step: Option<String>,
    pub stable_revision: Option<String>,
    /// `canaryRevision`, or `updatedRevision` for blue-green.
    pub update_revision: Option<String>,
    pub pod_template_hash: Option<String>,
    /// `canaryReplicas` / `updatedReplicas`: new-version pods the controller has made.
    pub replicas: Option<i64>,
    /// `canaryReadyReplicas` / `updatedReadyReplicas`.
    pub ready_replicas: Option<i64>,
    pub observed_rollout_id: Option<String>,
    pub observed_workload_generation: Option<i64>,
    pub message: Option<String>,
    pub last_update_time: Option<String>,
}

/// A Rollout of either API version, as one view.
#[derive(Debug, Clone, PartialEq)]
pub struct Rollout {
    pub name: String,
    pub namespace: String,
    pub api_version: ApiVersion,
    pub resource_version: String,
    pub generation: Option<i64>,
    pub creation_timestamp: Option<String>,
    pub workload: Option<WorkloadRef>,
    pub disabled: bool,
    pub paused: bool,
    pub style: Style,
    pub steps: Vec<Step>,
    pub phase: Option<String>,
    pub message: Option<String>,
    pub observed_generation: Option<i64>,
    pub conditions: Vec<Condition>,
    /// Where the release progress lives (and where an approval must be written).
    pub release_field: ReleaseField,
    pub release: Option<Release>,
    /// Fields present with a value of the wrong type: no decision is made on such a rollout.
    pub problems: Vec<String>,
    /// The KubeVela Application that renders it (label `app.oam.dev/name`), if any.
    pub owner_app: Option<String>,
}

impl Rollout {
    /// `rollout.rollouts.kruise.io/NAME`, as kubectl names objects in its output.
    pub fn display_name(&self) -> String {
        display_name(&self.name)
    }

    pub fn condition(&self, type_: &str) -> Option<&Condition> {
        self.conditions.iter().find(|c| c.type_ == type_)
    }

    /// The reason of the `Progressing` condition: where the release sub-machine is.
    pub fn progressing_reason(&self) -> Option<&str> {
        self.condition("Progressing")
            .and_then(|c| c.reason.as_deref())
    }

    pub fn current_step(&self) -> Option<i64> {
        self.release.as_ref().and_then(|r| r.current_step_index)
    }

    pub fn current_state(&self) -> Option<&StepState> {
        self.release
            .as_ref()
            .and_then(|r| r.current_step_state.as_ref())
    }

    /// The step the release is at, as written in the spec (1-based index).
    pub fn step(&self, index: i64) -> Option<&Step> {
        usize::try_from(index)
            .ok()
            .and_then(|i| i.checked_sub(1))
            .and_then(|i| self.steps.get(i))
    }
}

pub fn display_name(name: &str) -> String {
    format!("rollout.{GROUP}/{name}")
}

/// The fixtures under `tests/fixtures/`, shared by the unit tests.
#[cfg(test)]
pub(crate) mod fixtures {
    use serde_json::Value;

    fn load(yaml: &str) -> Value {
        serde_saphyr::from_str(yaml).expect("fixture parses")
    }

    /// The v0.5 status block of a real release, paused at step 1 of 3.
    pub fn seed_v1beta1_paused() -> Value {
        load(include_str!(
            "../../tests/fixtures/rollout-seed-v1beta1.yaml"
        ))
    }

    pub fn v1alpha1_canary() -> Value {
        load(include_str!(
            "../../tests/fixtures/rollout-v1alpha1-canary.yaml"
        ))
    }

    /// A workload with `replicas` pods whose changes the controller has observed.
    pub fn workload(replicas: i64) -> super::observe::WorkloadState {
        super::observe::WorkloadState {
            replicas,
            ..Default::default()
        }
    }

    pub fn v1beta1_blue_green() -> Value {
        load(include_str!(
            "../../tests/fixtures/rollout-v1beta1-bluegreen.yaml"
        ))
    }
}
