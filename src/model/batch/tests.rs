//! Decoding, stages, batch math and decisions, on objects as KubeVela writes them.

use super::*;
use serde_json::json;

/// An AppRollout of a 5-replica CloneSet waiting at partition 1.
pub fn app_rollout() -> Value {
    json!({"apiVersion": "core.oam.dev/v1beta1", "kind": "AppRollout",
        "metadata": {"name": "rolling-example", "namespace": "default", "resourceVersion": "7"},
        "spec": {"componentList": ["metrics-provider"], "sourceAppRevisionName": "test-rolling-v1",
                 "targetAppRevisionName": "test-rolling-v2",
                 "rolloutPlan": {"batchPartition": 1, "rolloutStrategy": "IncreaseFirst",
                    "rolloutBatches": [{"replicas": "10%"}, {"replicas": 2}, {"replicas": 2}]}},
        "status": {"LastSourceAppRevision": "test-rolling-v1", "lastTargetAppRevision": "test-rolling-v2",
                   "batchRollingState": "batchReady", "rollingState": "rollingInBatches",
                   "currentBatch": 1, "rolloutOriginalSize": 5, "rolloutTargetSize": 5,
                   "upgradedReplicas": 3, "upgradedReadyReplicas": 3,
                   "conditions": [{"type": "BatchVerifying", "status": "True", "reason": ""}]}})
}

#[test]
fn the_reference_app_rollout_waits_for_approval_of_batch_2() {
    let r = decode_batch(&app_rollout()).unwrap();
    assert_eq!(r.stage(), (BatchStage::WaitingForApproval, None));
    // [10%, 2, 2] of 5: 1, 2, 2 pods; 1, 3, 5 upgraded.
    assert_eq!(
        r.batch_pods(),
        [(Some(1), Some(1)), (Some(2), Some(3)), (Some(2), Some(5))]
    );
    assert_eq!(
        decide_batch_approve(&r, None),
        Ok(BatchApprove::Write {
            from: Some(1),
            to: 2,
            batch: 2,
            total: 3
        })
    );
    assert_eq!(
        decide_batch_approve(&r, Some(2)).unwrap(),
        BatchApprove::Write {
            from: Some(1),
            to: 2,
            batch: 2,
            total: 3
        }
    );
    assert!(matches!(
        decide_batch_approve(&r, Some(1)),
        Ok(BatchApprove::Passed { .. })
    ));
    assert!(
        decide_batch_approve(&r, Some(3))
            .unwrap_err()
            .0
            .contains("not reached yet")
    );
    let s = summarize_batch(&r, None);
    assert_eq!(s.current_step_index, Some(2));
    assert_eq!(s.batches[1].status, "done");
    assert_eq!(s.batches[2].status, "pending");
}

#[test]
fn the_seed_batch_math_rounds_up_and_the_last_batch_takes_the_rest() {
    let mut obj = app_rollout();
    obj["spec"]["rolloutPlan"]["rolloutBatches"] =
        json!([{"replicas": 1}, {"replicas": "50%"}, {"replicas": "50%"}]);
    let r = decode_batch(&obj).unwrap();
    assert_eq!(
        r.batch_pods(),
        [(Some(1), Some(1)), (Some(3), Some(4)), (Some(1), Some(5))]
    );
}

#[test]
fn refusals_say_why() {
    let with = |f: &dyn Fn(&mut Value)| {
        let mut o = app_rollout();
        f(&mut o);
        decode_batch(&o).unwrap()
    };
    let paused = with(&|o| o["spec"]["rolloutPlan"]["paused"] = json!(true));
    assert_eq!(paused.stage().0, BatchStage::Paused);
    assert!(
        decide_batch_approve(&paused, None)
            .unwrap_err()
            .0
            .contains("resume it first")
    );
    let ungated = with(&|o| o["spec"]["rolloutPlan"]["batchPartition"] = json!(2));
    assert!(
        decide_batch_approve(&ungated, None)
            .unwrap_err()
            .0
            .contains("nothing to approve")
    );
    let rolling = with(&|o| o["status"]["batchRollingState"] = json!("batchInRolling"));
    assert!(
        decide_batch_approve(&rolling, None)
            .unwrap_err()
            .0
            .contains("batchInRolling")
    );
    let done = with(&|o| o["status"]["rollingState"] = json!("rolloutSucceed"));
    assert!(
        decide_batch_approve(&done, None)
            .unwrap_err()
            .0
            .contains("webhook")
    );
    assert!(decide_batch_pause(&done, true).is_err());
    let stale = with(&|o| o["spec"]["targetAppRevisionName"] = json!("test-rolling-v3"));
    assert_eq!(stale.stage().0, BatchStage::Progressing);
    assert!(
        decide_batch_approve(&stale, None)
            .unwrap_err()
            .0
            .contains("not current")
    );
    let failed = with(&|o| o["status"]["rollingState"] = json!("rolloutFailed"));
    assert_eq!(failed.stage().0, BatchStage::Failed);
    let bad = with(&|o| o["status"]["currentBatch"] = json!(7));
    assert!(
        decide_batch_approve(&bad, None)
            .unwrap_err()
            .0
            .contains("malformed")
    );
    let typed = with(&|o| o["spec"]["rolloutPlan"]["batchPartition"] = json!("1"));
    assert!(
        decide_batch_approve(&typed, None)
            .unwrap_err()
            .0
            .contains("not an integer")
    );
}

#[test]
fn undo_swaps_revisions_or_goes_to_the_previous_one() {
    let r = decode_batch(&app_rollout()).unwrap();
    assert_eq!(
        decide_batch_undo(&r),
        Ok(BatchUndo::Swap {
            source: "test-rolling-v2".into(),
            target: "test-rolling-v1".into()
        })
    );
    let t = json!({"apiVersion": "standard.oam.dev/v1alpha1", "kind": "Rollout",
        "metadata": {"name": "express-server"},
        "spec": {"componentName": "express-server", "targetRevisionName": "express-server-v2",
                 "rolloutPlan": {"rolloutBatches": [{"replicas": 2}, {"replicas": 3}]}},
        "status": {"LastSourceRevision": "express-server-v1", "lastTargetRevision": "express-server-v2"}});
    let r = decode_batch(&t).unwrap();
    assert_eq!(
        decide_batch_undo(&r),
        Ok(BatchUndo::TargetRevision("express-server-v1".into()))
    );
}

#[test]
fn type_words_never_take_the_bare_rollout() {
    assert_eq!(
        BatchKind::from_type_word("approllout"),
        Some(BatchKind::AppRollout)
    );
    assert_eq!(
        BatchKind::from_type_word("approllouts.core.oam.dev"),
        Some(BatchKind::AppRollout)
    );
    assert_eq!(
        BatchKind::from_type_word("rollouts.standard.oam.dev"),
        Some(BatchKind::TraitRollout)
    );
    assert_eq!(
        BatchKind::from_type_word("rollout.v1alpha1.standard.oam.dev"),
        Some(BatchKind::TraitRollout)
    );
    assert_eq!(BatchKind::from_type_word("rollout"), None);
    assert_eq!(
        BatchKind::from_type_word("rollouts.rollouts.kruise.io"),
        None
    );
}
