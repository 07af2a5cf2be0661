//! Property tests: no input panics the decoders, the state interpretations, the decisions or
//! the argument parsers, and a decision to write is only ever made on a status that says
//! what it is written on. Arbitrary JSON is built around the fields these read, so that deep
//! paths get odd values too: wrong types, huge and negative numbers, nulls.
//!
//! 120,000 cases per run (see CASES); each test prints how many it ran.

use kubectl_kruise::cli::parse_duration;
use kubectl_kruise::cluster::resource::{parse_target, parse_targets};
use kubectl_kruise::cluster::select::check_selector;
use kubectl_kruise::model::batch::{
    BatchApprove, check_batch, decide_batch_approve, decide_batch_pause, decide_batch_undo,
    decode_batch, summarize_batch,
};
use kubectl_kruise::model::gate::{Until, check};
use kubectl_kruise::model::observe::WorkloadState;
use kubectl_kruise::model::progress::progress;
use kubectl_kruise::model::state::{
    Approve, decide_approve, decide_approve_step, decide_fast_undo, decide_to_step,
};
use kubectl_kruise::model::summary::summarize;
use kubectl_kruise::model::workload_verbs::{decide_restart, decide_workload_pause};
use kubectl_kruise::model::{StepState, WorkloadKind, decode};
use proptest::prelude::*;
use serde_json::{Map, Value, json};
use std::sync::atomic::{AtomicU32, Ordering};

/// Cases per property; six properties, 120,000 cases in all.
const CASES: u32 = 20_000;

/// Count a case of property `name`; say so once all its cases have run.
fn ran(counter: &AtomicU32, name: &str) {
    if counter.fetch_add(1, Ordering::Relaxed) + 1 == CASES {
        eprintln!("property {name}: {CASES} cases ran, none failed");
    }
}

static KRUISE: AtomicU32 = AtomicU32::new(0);
static VELA: AtomicU32 = AtomicU32::new(0);
static WORKLOADS: AtomicU32 = AtomicU32::new(0);
static TARGETS: AtomicU32 = AtomicU32::new(0);
static SELECTORS: AtomicU32 = AtomicU32::new(0);
static DURATIONS: AtomicU32 = AtomicU32::new(0);

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: CASES,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Keys the decoders read, so generated objects reach their code.
const KEYS: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "name",
    "namespace",
    "labels",
    "annotations",
    "generation",
    "spec",
    "status",
    "strategy",
    "canary",
    "blueGreen",
    "steps",
    "replicas",
    "traffic",
    "weight",
    "pause",
    "duration",
    "matches",
    "paused",
    "disabled",
    "workloadRef",
    "objectRef",
    "phase",
    "conditions",
    "type",
    "reason",
    "message",
    "canaryStatus",
    "blueGreenStatus",
    "currentStepIndex",
    "currentStepState",
    "nextStepIndex",
    "observedGeneration",
    "observedWorkloadGeneration",
    "observedRolloutID",
    "canaryReplicas",
    "canaryReadyReplicas",
    "updatedReplicas",
    "rolloutPlan",
    "rolloutBatches",
    "batchPartition",
    "currentBatch",
    "rollingState",
    "batchRollingState",
    "targetSize",
    "rolloutTargetSize",
    "upgradedReplicas",
    "lastTargetAppRevision",
    "LastSourceAppRevision",
    "targetAppRevisionName",
    "componentName",
    "updateStrategy",
    "rollingUpdate",
    "partition",
    "template",
    "containers",
    "env",
    "desiredNumberScheduled",
    "deletionTimestamp",
];

/// Strings that mean something to the decoders.
const WORDS: &[&str] = &[
    "StepPaused",
    "StepReady",
    "StepUpgrade",
    "Completed",
    "BeforeStepUpgrade",
    "Progressing",
    "Healthy",
    "Terminating",
    "Disabled",
    "InRolling",
    "Initializing",
    "Finalising",
    "Cancelling",
    "Paused",
    "Succeeded",
    "True",
    "False",
    "50%",
    "100%",
    "0%",
    "-3%",
    "1e9%",
    "rollingInBatches",
    "batchReady",
    "rolloutSucceed",
    "rolloutFailed",
    "InPlaceOnly",
    "apps/v1",
    "Deployment",
    "rollouts.kruise.io/v1beta1",
    "",
    "x",
    "ünïcode",
];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        prop_oneof![
            Just(i64::MIN),
            Just(i64::MAX),
            Just(-1i64),
            Just(0i64),
            -5i64..60,
            any::<i64>()
        ]
        .prop_map(|n| json!(n)),
        Just(json!(u64::MAX)),
        any::<f64>().prop_map(|f| json!(f)),
        prop::sample::select(WORDS).prop_map(|s| json!(s)),
        ".{0,12}".prop_map(Value::String),
    ]
}

fn arbitrary_json() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..8).prop_map(|kv| {
                Value::Object(
                    kv.into_iter()
                        .map(|(k, v)| (k.to_string(), v))
                        .collect::<Map<_, _>>(),
                )
            }),
        ]
    })
}

/// An object of `api_version`/`kind` with arbitrary spec, status and metadata.
fn object(
    api_version: &'static [&'static str],
    kind: &'static str,
) -> impl Strategy<Value = Value> {
    (
        prop::sample::select(api_version),
        arbitrary_json(),
        arbitrary_json(),
        arbitrary_json(),
    )
        .prop_map(move |(v, spec, status, meta)| {
            let mut m = match meta {
                Value::Object(m) => m,
                _ => Map::new(),
            };
            m.insert("name".into(), json!("x"));
            json!({"apiVersion": v, "kind": kind, "metadata": m, "spec": spec, "status": status})
        })
}

fn workload() -> impl Strategy<Value = Option<WorkloadState>> {
    prop::option::of((any::<i64>(), prop::option::of(any::<i64>())).prop_map(
        |(replicas, generation)| WorkloadState {
            replicas,
            generation,
            rollout_id: None,
        },
    ))
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn kruise_rollouts_of_any_shape_never_panic_and_approvals_need_a_waiting_step(
        obj in object(&["rollouts.kruise.io/v1beta1", "rollouts.kruise.io/v1alpha1"], "Rollout"),
        w in workload(),
        n in -3i64..60,
    ) {
        ran(&KRUISE, "Kruise Rollouts");
        let Ok(r) = decode(&obj) else { return Ok(()) };
        let _ = (r.stage(), r.step_label(), r.observed_stage(w.as_ref()));
        let _ = summarize(&r, w.as_ref());
        if let Ok(Approve::Write { step, total, .. }) = decide_approve(&r) {
            prop_assert!(r.problems.is_empty());
            prop_assert_eq!(r.current_state(), Some(&StepState::StepPaused));
            prop_assert!(step >= 1 && step as usize <= total && total == r.steps.len());
        }
        let _ = decide_approve_step(&r, n, None);
        if let Ok(kubectl_kruise::model::state::Jump::Write(j)) = decide_to_step(&r, n) {
            prop_assert!(j.to >= 1 && j.to as usize <= r.steps.len());
        }
        if let Ok(j) = decide_fast_undo(&r) {
            prop_assert!(j.to >= 1 && j.to < j.from && j.from as usize <= r.steps.len());
        }
        for until in [Until::Paused, Until::Completed, Until::Step(n.max(1))] {
            let _ = check(until, &r, w.as_ref());
        }
    }

    #[test]
    fn kubevela_rollouts_of_any_shape_never_panic_and_never_lower_the_partition(
        obj in prop_oneof![
            object(&["core.oam.dev/v1beta1"], "AppRollout"),
            object(&["standard.oam.dev/v1alpha1"], "Rollout"),
        ],
        n in prop::option::of(-3i64..60),
    ) {
        ran(&VELA, "KubeVela rollouts");
        let Ok(r) = decode_batch(&obj) else { return Ok(()) };
        let _ = (r.stage(), r.batch_pods(), r.staleness(), summarize_batch(&r, None));
        if let Ok(BatchApprove::Write { to, .. }) = decide_batch_approve(&r, n) {
            prop_assert!(r.problems.is_empty());
            prop_assert!(to > r.current_batch.unwrap_or(0), "the partition only goes up");
            prop_assert!(r.partition.is_none_or(|p| to > p));
        }
        let _ = (decide_batch_pause(&r, true), decide_batch_undo(&r));
        for until in [Until::Paused, Until::Completed, Until::Step(n.unwrap_or(1).max(1))] {
            let _ = check_batch(until, &r);
        }
    }

    #[test]
    fn workloads_of_any_shape_never_panic(
        obj in object(&["apps/v1", "apps.kruise.io/v1alpha1", "apps.kruise.io/v1beta1"], "Deployment"),
        k in 0usize..6,
        pause in any::<bool>(),
    ) {
        ran(&WORKLOADS, "workloads");
        let kind = WorkloadKind::ALL[k];
        let p = progress(kind, &obj);
        prop_assert!(p.target <= p.desired.max(0));
        let _ = decide_workload_pause(kind, &obj, pause);
        let _ = decide_restart(kind, &obj, "2026-01-01T00:00:00Z");
    }

    #[test]
    fn target_arguments_never_panic(args in prop::collection::vec(
        prop_oneof![".{0,30}", "(rollout|deploy|asts|approllout|application)(/[a-z0-9.-]{0,8}){0,2}"], 0..4)) {
        ran(&TARGETS, "target arguments");
        let _ = parse_targets(&args);
        let _ = parse_target(&args);
    }

    #[test]
    fn selectors_never_panic(s in prop_oneof![".{0,40}", "[a-z!=(),. ]{0,30}", "[a-z]{1,5} (in|notin) \\(([a-z]{0,4},?){0,3}\\)?"]) {
        ran(&SELECTORS, "label selectors");
        let _ = check_selector(&s);
    }

    #[test]
    fn durations_never_panic(s in prop_oneof![".{0,20}", "[0-9]{0,25}(ns|ms|s|m|h|d|y)?", "[0-9]+h[0-9]+m[0-9]+s"]) {
        ran(&DURATIONS, "durations");
        let _ = parse_duration(&s);
    }
}
