//! Rollout JSON (v1alpha1 or v1beta1) into the [`Rollout`] view.
//!
//! Fields are read one by one from the JSON tree rather than through derived structs: a
//! field of an unexpected type (written by a newer or buggy controller) then costs that one
//! field, not the whole object.

use serde_json::Value;

use super::conditions::conditions_of;
use super::json::{at, str_at};
use super::steps::{IntOrPercent, Pause, Step};
use super::{ApiVersion, GROUP, Release, ReleaseField, Rollout, StepState, Style, WorkloadRef};

fn i64_at(v: &Value, ptr: &str) -> Option<i64> {
    super::json::at(v, ptr).and_then(Value::as_i64)
}

fn bool_at(v: &Value, ptr: &str) -> bool {
    super::json::at(v, ptr)
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

fn int_or_percent(v: &Value) -> Option<IntOrPercent> {
    match v {
        Value::Number(n) => n.as_i64().map(IntOrPercent::Int),
        Value::String(s) => Some(IntOrPercent::parse_str(s)),
        _ => None,
    }
}

fn workload_ref(v: Option<&Value>) -> Option<WorkloadRef> {
    let v = v?;
    Some(WorkloadRef {
        api_version: str_at(v, "/apiVersion")?,
        kind: str_at(v, "/kind")?,
        name: str_at(v, "/name")?,
    })
}

fn step(v: &Value, version: ApiVersion) -> Step {
    let mut replicas = v.get("replicas").and_then(int_or_percent);
    let traffic = match version {
        ApiVersion::V1beta1 => str_at(v, "/traffic"),
        // v1alpha1 says `weight: 20`; conversion makes it `traffic: "20%"` and, when
        // `replicas` is absent, `replicas: "20%"` too.
        ApiVersion::V1alpha1 => i64_at(v, "/weight").map(|w| {
            replicas.get_or_insert(IntOrPercent::Percent(w));
            format!("{w}%")
        }),
    };
    let pause = match i64_at(v, "/pause/duration") {
        Some(s) => Pause::Seconds(s),
        None => Pause::Manual,
    };
    let matches = v
        .get("matches")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    Step {
        replicas,
        traffic,
        pause,
        matches,
    }
}

/// A field that is present but not of its type: recorded, so that no decision is made on a
/// status the plugin cannot make sense of.
fn check_type(
    v: Option<&Value>,
    path: &str,
    ok: fn(&Value) -> bool,
    what: &str,
    problems: &mut Vec<String>,
) {
    if let Some(x) = v
        && !x.is_null()
        && !ok(x)
    {
        let shown: String = x.to_string().chars().take(40).collect();
        problems.push(format!("{path} is not {what} ({shown})"));
    }
}

/// An integer that fits in i64 and is not a float (`1.5`, `2^64` and `"one"` are not).
fn is_int(v: &Value) -> bool {
    v.as_i64().is_some()
}

fn release(v: &Value, field: ReleaseField) -> Release {
    let (rev, reps, ready) = match field {
        ReleaseField::CanaryStatus => {
            ("/canaryRevision", "/canaryReplicas", "/canaryReadyReplicas")
        }
        ReleaseField::BlueGreenStatus => (
            "/updatedRevision",
            "/updatedReplicas",
            "/updatedReadyReplicas",
        ),
    };
    Release {
        current_step_index: i64_at(v, "/currentStepIndex"),
        current_step_state: v
            .get("currentStepState")
            .and_then(Value::as_str)
            .map(StepState::parse),
        next_step_index: i64_at(v, "/nextStepIndex"),
        finalising_step: str_at(v, "/finalisingStep"),
        stable_revision: str_at(v, "/stableRevision"),
        update_revision: str_at(v, rev),
        pod_template_hash: str_at(v, "/podTemplateHash"),
        replicas: i64_at(v, reps),
        ready_replicas: i64_at(v, ready),
        observed_rollout_id: str_at(v, "/observedRolloutID"),
        observed_workload_generation: i64_at(v, "/observedWorkloadGeneration"),
        message: str_at(v, "/message"),
        last_update_time: str_at(v, "/lastUpdateTime"),
    }
}

/// Why a JSON object is not a Rollout this plugin can read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    #[error("not a Rollout of {GROUP} v1alpha1 or v1beta1 (apiVersion {0:?}, kind {1:?})")]
    NotARollout(String, String),
    #[error("the object has no metadata.name")]
    NoName,
}

/// Decode a Rollout object of either API version.
pub fn decode(obj: &Value) -> Result<Rollout, DecodeError> {
    let api_version = str_at(obj, "/apiVersion").unwrap_or_default();
    let kind = str_at(obj, "/kind").unwrap_or_default();
    let version = api_version
        .strip_prefix(GROUP)
        .and_then(|v| v.strip_prefix('/'))
        .and_then(ApiVersion::parse)
        .filter(|_| kind == "Rollout")
        .ok_or_else(|| DecodeError::NotARollout(api_version.clone(), kind.clone()))?;
    let name = str_at(obj, "/metadata/name").ok_or(DecodeError::NoName)?;

    let strategy = at(obj, "/spec/strategy");
    let blue_green =
        version == ApiVersion::V1beta1 && strategy.and_then(|s| s.get("blueGreen")).is_some();
    let style = if blue_green {
        Style::BlueGreen
    } else {
        match version {
            ApiVersion::V1beta1
                if bool_at(obj, "/spec/strategy/canary/enableExtraWorkloadForCanary") =>
            {
                Style::Canary
            }
            ApiVersion::V1beta1 => Style::Partition,
            // v1alpha1 keeps the style in an annotation; anything but "partition" converts to
            // an extra canary workload.
            ApiVersion::V1alpha1 => match at(
                obj,
                "/metadata/annotations/rollouts.kruise.io~1rolling-style",
            )
            .and_then(Value::as_str)
            {
                Some(s) if s.eq_ignore_ascii_case("partition") => Style::Partition,
                _ => Style::Canary,
            },
        }
    };
    let steps_ptr = if blue_green {
        "/spec/strategy/blueGreen/steps"
    } else {
        "/spec/strategy/canary/steps"
    };
    let steps = at(obj, steps_ptr)
        .and_then(Value::as_array)
        .map(|s| s.iter().map(|v| step(v, version)).collect())
        .unwrap_or_default();

    let mut problems = Vec::new();
    check_type(
        obj.get("spec"),
        "spec",
        Value::is_object,
        "an object",
        &mut problems,
    );
    check_type(
        at(obj, "/spec/strategy"),
        "spec.strategy",
        Value::is_object,
        "an object",
        &mut problems,
    );
    check_type(
        at(obj, steps_ptr),
        &steps_ptr[1..].replace('/', "."),
        Value::is_array,
        "a list",
        &mut problems,
    );
    let status = obj.get("status");
    check_type(
        status,
        "status",
        Value::is_object,
        "an object",
        &mut problems,
    );
    let has = |f: &str| status.and_then(|s| s.get(f)).is_some_and(Value::is_object);
    let release_field = if blue_green || (!has("canaryStatus") && has("blueGreenStatus")) {
        ReleaseField::BlueGreenStatus
    } else {
        ReleaseField::CanaryStatus
    };
    let field = release_field.json_name();
    check_type(
        status.and_then(|s| s.get(field)),
        &format!("status.{field}"),
        Value::is_object,
        "an object",
        &mut problems,
    );
    let release_value = status.and_then(|s| s.get(field)).filter(|v| v.is_object());
    if let Some(rel) = release_value {
        for key in ["currentStepIndex", "nextStepIndex"] {
            check_type(
                rel.get(key),
                &format!("status.{field}.{key}"),
                is_int,
                "an integer",
                &mut problems,
            );
        }
        check_type(
            rel.get("currentStepState"),
            &format!("status.{field}.currentStepState"),
            Value::is_string,
            "a string",
            &mut problems,
        );
    }

    let workload_ptr = match version {
        ApiVersion::V1beta1 => "/spec/workloadRef",
        ApiVersion::V1alpha1 => "/spec/objectRef/workloadRef",
    };
    Ok(Rollout {
        name,
        namespace: str_at(obj, "/metadata/namespace").unwrap_or_default(),
        api_version: version,
        resource_version: str_at(obj, "/metadata/resourceVersion").unwrap_or_default(),
        generation: i64_at(obj, "/metadata/generation"),
        creation_timestamp: str_at(obj, "/metadata/creationTimestamp"),
        workload: workload_ref(at(obj, workload_ptr)),
        disabled: bool_at(obj, "/spec/disabled"),
        paused: bool_at(obj, "/spec/strategy/paused"),
        style,
        steps,
        phase: str_at(obj, "/status/phase"),
        message: str_at(obj, "/status/message"),
        observed_generation: i64_at(obj, "/status/observedGeneration"),
        conditions: conditions_of(status.and_then(|s| s.get("conditions"))),
        release_field,
        release: release_value.map(|v| release(v, release_field)),
        problems,
        owner_app: super::batch::app::owning_app(obj),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures;
    use serde_json::json;

    #[test]
    fn decodes_the_v0_5_status_block_from_the_field() {
        let r = decode(&fixtures::seed_v1beta1_paused()).unwrap();
        assert_eq!(r.api_version, ApiVersion::V1beta1);
        assert_eq!(r.style, Style::Partition);
        assert_eq!(r.steps.len(), 3);
        assert_eq!(r.steps[1].replicas, Some(IntOrPercent::Percent(50)));
        assert_eq!(r.steps[0].pause, Pause::Manual);
        assert_eq!(r.workload.as_ref().unwrap().kind, "Deployment");
        let rel = r.release.as_ref().unwrap();
        assert_eq!(rel.current_step_index, Some(1));
        assert_eq!(rel.current_step_state, Some(StepState::StepPaused));
        // v0.5 writes neither of these.
        assert_eq!(rel.next_step_index, None);
        assert_eq!(rel.finalising_step, None);
        assert_eq!(rel.ready_replicas, Some(1));
        assert_eq!(rel.stable_revision.as_deref(), Some("68556bc579"));
        assert_eq!(r.progressing_reason(), Some("InRolling"));
    }

    #[test]
    fn v1alpha1_weight_becomes_traffic_and_fills_missing_replicas() {
        let r = decode(&fixtures::v1alpha1_canary()).unwrap();
        assert_eq!(r.api_version, ApiVersion::V1alpha1);
        assert_eq!(r.style, Style::Canary);
        assert_eq!(r.workload.as_ref().unwrap().name, "echo");
        assert_eq!(r.steps[0].traffic.as_deref(), Some("20%"));
        assert_eq!(r.steps[0].replicas, Some(IntOrPercent::Int(1)));
        assert_eq!(r.steps[1].replicas, Some(IntOrPercent::Percent(60)));
        assert_eq!(r.steps[1].pause, Pause::Seconds(30));
    }

    #[test]
    fn blue_green_reads_the_blue_green_status() {
        let r = decode(&fixtures::v1beta1_blue_green()).unwrap();
        assert_eq!(r.style, Style::BlueGreen);
        assert_eq!(r.release_field, ReleaseField::BlueGreenStatus);
        let rel = r.release.unwrap();
        assert_eq!(rel.update_revision.as_deref(), Some("7d9f8c6b5"));
        assert_eq!(rel.ready_replicas, Some(2));
        assert_eq!(rel.next_step_index, Some(2));
    }

    #[test]
    fn an_object_without_status_or_steps_still_decodes() {
        let obj = json!({"apiVersion": "rollouts.kruise.io/v1beta1", "kind": "Rollout", "metadata": {"name": "bare"}});
        let r = decode(&obj).unwrap();
        assert!(r.steps.is_empty());
        assert!(r.release.is_none());
        assert!(r.workload.is_none());
        assert!(!r.paused);
    }

    #[test]
    fn a_wrongly_typed_field_costs_only_that_field() {
        let mut obj = fixtures::seed_v1beta1_paused();
        obj["status"]["canaryStatus"]["currentStepIndex"] = json!("one");
        let r = decode(&obj).unwrap();
        assert_eq!(r.current_step(), None);
        assert_eq!(r.current_state(), Some(&StepState::StepPaused));
        assert_eq!(
            r.problems,
            ["status.canaryStatus.currentStepIndex is not an integer (\"one\")"]
        );
    }

    #[test]
    fn every_value_of_the_wrong_type_is_recorded() {
        for (ptr, value, want) in [
            (
                "/status/canaryStatus/currentStepIndex",
                json!(1.5),
                "currentStepIndex is not an integer",
            ),
            (
                "/status/canaryStatus/currentStepIndex",
                json!(u64::MAX),
                "currentStepIndex is not an integer",
            ),
            (
                "/status/canaryStatus/nextStepIndex",
                json!("2"),
                "nextStepIndex is not an integer",
            ),
            (
                "/status/canaryStatus/currentStepState",
                json!(7),
                "currentStepState is not a string",
            ),
            (
                "/spec/strategy/canary/steps",
                json!({"a": 1}),
                "spec.strategy.canary.steps is not a list",
            ),
            (
                "/spec/strategy",
                json!("x"),
                "spec.strategy is not an object",
            ),
            (
                "/status/canaryStatus",
                json!([1]),
                "status.canaryStatus is not an object",
            ),
        ] {
            let mut obj = fixtures::seed_v1beta1_paused();
            // Set it, creating it where the v0.5 fixture has none.
            let (parent, key) = ptr.rsplit_once('/').unwrap();
            obj.pointer_mut(parent).unwrap()[key] = value;
            let r = decode(&obj).unwrap();
            assert!(
                r.problems.iter().any(|p| p.contains(want)),
                "{ptr}: {:?}",
                r.problems
            );
        }
        let mut obj = fixtures::seed_v1beta1_paused();
        obj["spec"] = json!(3);
        assert!(
            decode(&obj)
                .unwrap()
                .problems
                .iter()
                .any(|p| p.starts_with("spec is not an object"))
        );
        assert!(
            decode(&fixtures::seed_v1beta1_paused())
                .unwrap()
                .problems
                .is_empty()
        );
    }

    #[test]
    fn other_kinds_are_refused() {
        let obj = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"}});
        assert!(matches!(decode(&obj), Err(DecodeError::NotARollout(..))));
    }
}
