//! Property tests: no input panics the decoders, the state interpretations, the decisions or
//! the argument parsers, and a decision to write is only ever made on a status that says
//! what it is written on. Arbitrary JSON is built around the fields these read, so that deep
//! paths get odd values too: wrong types, huge and negative numbers, nulls.
//!
//! 160,000 cases per run (see CASES); each test prints how many it ran.
//!
//! And one story: for releases of every state, each renderer (a table row, a live line, the
//! status block, JSON) shows the phase, step and state words of the one view model.

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
use kubectl_kruise::render;
use proptest::prelude::*;
use serde_json::{Map, Value, json};
use std::sync::atomic::{AtomicU32, Ordering};

/// Cases per property; eight properties, 160,000 cases in all.
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
static VIEWS: AtomicU32 = AtomicU32::new(0);
static BATCH_VIEWS: AtomicU32 = AtomicU32::new(0);

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

/// A Kruise Rollout in any state the controller writes: phase, Progressing reason, step
/// index and state, pause, disabled, steps of each kind, replica counts and generations.
fn release() -> impl Strategy<Value = Value> {
    let phases = prop::sample::select(vec![
        "Progressing",
        "Healthy",
        "Initial",
        "Disabled",
        "Terminating",
        "",
    ]);
    let reasons = prop::sample::select(vec![
        "InRolling",
        "Initializing",
        "Finalising",
        "Cancelling",
        "Completed",
        "Paused",
        "",
    ]);
    let states = prop::sample::select(vec![
        "BeforeStepUpgrade",
        "StepUpgrade",
        "StepTrafficRouting",
        "StepMetricsAnalysis",
        "StepPaused",
        "StepReady",
        "Completed",
        "SomethingNew",
    ]);
    let pauses = prop::sample::select(vec![
        json!({}),
        json!({"duration": 30}),
        json!({"duration": 0}),
    ]);
    (
        (phases, reasons, states, prop::sample::select(vec!["True", "False", ""])),
        (0i64..6, prop::collection::vec((1i64..101, pauses, any::<bool>()), 0..5)),
        (any::<bool>(), any::<bool>(), 0i64..12, 0i64..12, 30i64..33),
        (prop::option::of("[a-f0-9]{6}"), any::<bool>(), prop::sample::select(vec!["v1beta1", "v1alpha1"])),
    )
        .prop_map(
            |((phase, reason, state, succeeded), (step, steps), (paused, disabled, ready, made, observed),
              (hash, blue_green, version))| {
                let steps: Vec<Value> = steps
                    .into_iter()
                    .map(|(pct, pause, traffic)| {
                        let mut s = json!({"replicas": format!("{pct}%"), "pause": pause});
                        if traffic {
                            s["traffic"] = json!(format!("{pct}%"));
                        }
                        s
                    })
                    .collect();
                let field = if blue_green && version == "v1beta1" { "blueGreenStatus" } else { "canaryStatus" };
                let (made_f, ready_f) = if field == "blueGreenStatus" {
                    ("updatedReplicas", "updatedReadyReplicas")
                } else {
                    ("canaryReplicas", "canaryReadyReplicas")
                };
                let strategy = if field == "blueGreenStatus" {
                    json!({"blueGreen": {"steps": steps}, "paused": paused})
                } else {
                    json!({"canary": {"steps": steps}, "paused": paused})
                };
                let mut conditions = vec![json!({"type": "Progressing", "status": "True", "reason": reason})];
                if !succeeded.is_empty() {
                    conditions.push(json!({"type": "Succeeded", "status": succeeded, "message": "done"}));
                }
                let mut release = json!({
                    "currentStepIndex": step,
                    "currentStepState": state,
                    "stableRevision": "68556bc579",
                    "canaryRevision": "5c9556986d",
                    "podTemplateHash": hash,
                    "observedWorkloadGeneration": observed,
                });
                release[made_f] = json!(made);
                release[ready_f] = json!(ready);
                let mut status = json!({
                    "observedGeneration": 2,
                    "phase": phase,
                    "message": "a message",
                    "conditions": conditions,
                });
                status[field] = release;
                json!({
                    "apiVersion": format!("rollouts.kruise.io/{version}"),
                    "kind": "Rollout",
                    "metadata": {"name": "web", "namespace": "shop", "generation": 2},
                    "spec": {
                        "disabled": disabled,
                        "workloadRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web-app"},
                        "strategy": strategy,
                    },
                    "status": status,
                })
            },
        )
}

/// A KubeVela AppRollout or trait Rollout in any state its controller writes.
fn batch_release() -> impl Strategy<Value = Value> {
    let rolling = prop::sample::select(vec![
        "",
        "locatingTargetApp",
        "initializing",
        "rollingInBatches",
        "finalising",
        "rolloutSucceed",
        "rolloutFailed",
        "rolloutAbandoning",
    ]);
    let batch = prop::sample::select(vec![
        "",
        "batchInitializing",
        "batchRolling",
        "batchReady",
        "batchVerifying",
    ]);
    (
        rolling,
        batch,
        (
            any::<bool>(),
            0i64..4,
            prop::option::of(0i64..4),
            0i64..11,
            0i64..11,
        ),
        any::<bool>(),
    )
        .prop_map(
            |(rolling, batch, (paused, current, partition, upgraded, ready), app)| {
                let plan = json!({
                    "rolloutBatches": [{"replicas": 1}, {"replicas": "50%"}, {"replicas": "50%"}],
                    "targetSize": 10, "paused": paused, "batchPartition": partition,
                });
                let status = json!({
                    "rollingState": rolling, "batchRollingState": batch, "currentBatch": current,
                    "upgradedReplicas": upgraded, "upgradedReadyReplicas": ready,
                    "lastTargetAppRevision": "v2", "lastSourceAppRevision": "v1",
                });
                if app {
                    json!({"apiVersion": "core.oam.dev/v1beta1", "kind": "AppRollout",
                       "metadata": {"name": "app", "namespace": "default"},
                       "spec": {"targetAppRevisionName": "v2", "sourceAppRevisionName": "v1",
                                "rolloutPlan": plan},
                       "status": status})
                } else {
                    json!({"apiVersion": "standard.oam.dev/v1alpha1", "kind": "Rollout",
                       "metadata": {"name": "trait", "namespace": "default"},
                       "spec": {"targetRevisionName": "v2", "sourceRevisionName": "v1",
                                "componentName": "c", "rolloutPlan": plan},
                       "status": status})
                }
            },
        )
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn every_view_of_a_release_says_what_the_view_model_says(
        obj in release(),
        replicas in 0i64..20,
        generation in 30i64..33,
    ) {
        ran(&VIEWS, "one view of Kruise releases");
        let Ok(r) = decode(&obj) else { return Ok(()) };
        let w = WorkloadState { replicas, generation: Some(generation), rollout_id: None };
        for workload in [None, Some(&w)] {
            let s = summarize(&r, workload);
            let v = &s.view;
            // A table row (list, the fleet, the many-clusters table).
            let row = render::list_row(v, "1m", false);
            prop_assert_eq!(&row[3], &v.step_label());
            prop_assert_eq!(&row[4], v.state);
            prop_assert_eq!(&row[6], &v.phase.clone().unwrap_or_else(|| "-".into()));
            // A live line (status --watch, list --watch in a pipe).
            let line = render::status_line(v);
            prop_assert!(line.starts_with(&format!("shop/web  {}", v.state)), "{}", line);
            prop_assert!(line.contains(&v.text), "{}", line);
            if v.step.is_some() {
                prop_assert!(line.contains(&format!("step {}", v.step_label())), "{}", line);
            }
            // The status block.
            let block = render::status_view(&s);
            prop_assert!(
                block.lines().any(|l| l.starts_with("Stage:") && l.ends_with(&v.text)),
                "{}",
                block
            );
            if let Some(p) = &v.phase {
                prop_assert!(block.lines().any(|l| l.starts_with("Phase:") && l.contains(p.as_str())), "{}", block);
            }
            // JSON.
            let doc = serde_json::to_value(&s).unwrap();
            prop_assert_eq!(doc["stage"].as_str(), Some(v.state));
            prop_assert_eq!(doc["stateText"].as_str(), Some(v.text.as_str()));
            prop_assert_eq!(doc["currentStepIndex"].as_i64(), v.step);
            prop_assert_eq!(doc["totalSteps"].as_u64(), Some(v.total_steps as u64));
            prop_assert_eq!(doc["phase"].as_str(), v.phase.as_deref());
            prop_assert_eq!(doc["workloadChecked"].as_bool(), Some(workload.is_some()));
        }
        // list reads no workload and status does: where they differ, status says it waits for
        // the controller to catch up, and list says it did not check.
        let (listed, shown) = (summarize(&r, None).view, summarize(&r, Some(&w)).view);
        if listed.state != shown.state {
            prop_assert_eq!(shown.waiting_for, Some("the controller"));
            prop_assert!(shown.why.is_some());
            prop_assert!(!listed.workload_checked);
        }
    }

    #[test]
    fn every_view_of_a_kubevela_release_says_what_the_view_model_says(obj in batch_release()) {
        ran(&BATCH_VIEWS, "one view of KubeVela releases");
        let Ok(r) = decode_batch(&obj) else { return Ok(()) };
        let s = summarize_batch(&r, None);
        let v = &s.view;
        let row = render::list_row(v, "1m", false);
        prop_assert_eq!(&row[3], &v.step_label());
        prop_assert_eq!(&row[4], v.state);
        let line = render::status_line(v);
        prop_assert!(line.contains(&v.text), "{}", line);
        let block = render::batch_view(&s);
        prop_assert!(block.lines().any(|l| l.starts_with("Stage:") && l.ends_with(&v.text)), "{}", block);
        let doc = serde_json::to_value(&s).unwrap();
        prop_assert_eq!(doc["stage"].as_str(), Some(v.state));
        prop_assert_eq!(doc["stateText"].as_str(), Some(v.text.as_str()));
        prop_assert_eq!(doc["currentStepIndex"].as_i64(), v.step);
    }

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
