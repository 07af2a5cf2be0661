//! Tests of the step decisions in `state.rs`.

use super::*;
use crate::model::{decode, fixtures};
use serde_json::{Value, json};

fn with(mut obj: Value, f: impl FnOnce(&mut Value)) -> Rollout {
    f(&mut obj);
    decode(&obj).unwrap()
}

fn seed() -> Value {
    fixtures::seed_v1beta1_paused()
}

#[test]
fn a_paused_manual_step_waits_for_approval_in_every_version() {
    for obj in [
        seed(),
        fixtures::v1alpha1_canary(),
        fixtures::v1beta1_blue_green(),
    ] {
        let r = decode(&obj).unwrap();
        assert_eq!(r.stage(), Stage::WaitingForApproval, "{}", r.name);
        assert_eq!(
            decide_approve(&r),
            Ok(Approve::Write {
                step: 1,
                total: 3,
                queued: false
            })
        );
    }
}

#[test]
fn a_timed_pause_is_waiting_for_its_timer_and_can_still_be_approved() {
    let r = with(fixtures::v1alpha1_canary(), |o| {
        o["status"]["canaryStatus"]["currentStepIndex"] = json!(2)
    });
    assert_eq!(r.stage(), Stage::WaitingForTimer);
    assert_eq!(
        decide_approve(&r),
        Ok(Approve::Write {
            step: 2,
            total: 3,
            queued: false
        })
    );
}

#[test]
fn approval_of_a_paused_rollout_is_queued() {
    let r = with(seed(), |o| o["spec"]["strategy"]["paused"] = json!(true));
    assert_eq!(r.stage(), Stage::Paused);
    assert_eq!(
        decide_approve(&r),
        Ok(Approve::Write {
            step: 1,
            total: 3,
            queued: true
        })
    );
}

#[test]
fn an_approved_step_is_not_approved_twice() {
    let r = with(seed(), |o| {
        o["status"]["canaryStatus"]["currentStepState"] = json!("StepReady")
    });
    assert_eq!(
        decide_approve(&r),
        Ok(Approve::AlreadyApproved { step: 1, total: 3 })
    );
}

#[test]
fn a_step_still_upgrading_is_refused() {
    let r = with(seed(), |o| {
        o["status"]["canaryStatus"]["currentStepState"] = json!("StepUpgrade")
    });
    assert_eq!(r.stage(), Stage::Progressing);
    assert_eq!(
        decide_approve(&r),
        Err(Refusal(
            "step 1/3 is in StepUpgrade, not waiting for approval".into()
        ))
    );
}

#[test]
fn nothing_to_approve_outside_a_release() {
    let healthy = with(seed(), |o| {
        o["status"]["phase"] = json!("Healthy");
        o["status"]["conditions"] = json!([
            {"type": "Progressing", "status": "False", "reason": "Completed"},
            {"type": "Succeeded", "status": "True"}
        ]);
        o["status"]["canaryStatus"]["currentStepState"] = json!("Completed");
    });
    assert_eq!(healthy.stage(), Stage::Completed);
    assert!(
        decide_approve(&healthy)
            .unwrap_err()
            .0
            .contains("already completed")
    );

    // After a direct rollback the sub-status keeps StepPaused; it must not be approved.
    let rolled_back = with(seed(), |o| {
        o["status"]["phase"] = json!("Healthy");
        o["status"]["conditions"] = json!([{"type": "Succeeded", "status": "False"}]);
    });
    assert_eq!(rolled_back.stage(), Stage::Cancelled);
    assert!(decide_approve(&rolled_back).is_err());

    let disabled = with(seed(), |o| o["spec"]["disabled"] = json!(true));
    assert_eq!(
        decide_approve(&disabled),
        Err(Refusal("the rollout is disabled".into()))
    );

    let fresh = with(seed(), |o| {
        o["status"] = json!({"phase": "Healthy"});
    });
    assert_eq!(fresh.stage(), Stage::Idle);
    assert_eq!(
        decide_approve(&fresh),
        Err(Refusal("no release is in progress".into()))
    );
}

#[test]
fn progressing_reasons_map_to_stages() {
    for (reason, stage) in [
        ("Initializing", Stage::Initializing),
        ("Finalising", Stage::Finalising),
        ("Cancelling", Stage::Cancelling),
        ("Canceled", Stage::Cancelled),
        ("Paused", Stage::Paused),
    ] {
        let r = with(seed(), |o| {
            o["status"]["conditions"][0]["reason"] = json!(reason)
        });
        assert_eq!(r.stage(), stage, "{reason}");
    }
    let done = with(seed(), |o| {
        o["status"]["canaryStatus"]["currentStepState"] = json!("Completed")
    });
    assert_eq!(done.stage(), Stage::Finalising);
    assert!(decide_approve(&done).is_err());
}

#[test]
fn fast_undo_goes_back_to_the_latest_step_without_traffic() {
    // Blue-green at step 3 (100% traffic): steps 2 and 1 send none; 2 is the latest.
    let bg = with(fixtures::v1beta1_blue_green(), |o| {
        o["status"]["blueGreenStatus"]["currentStepIndex"] = json!(3);
        o["status"]["blueGreenStatus"]["nextStepIndex"] = json!(-1);
    });
    assert_eq!(
        decide_fast_undo(&bg),
        Ok(StepJump {
            from: 3,
            to: 2,
            total: 3
        })
    );
    // v0.6 canary at step 3, where step 2 routes 60% and step 1 20%: none is free of
    // traffic.
    let canary = with(fixtures::v1alpha1_canary(), |o| {
        o["status"]["canaryStatus"]["currentStepIndex"] = json!(3);
        o["status"]["canaryStatus"]["nextStepIndex"] = json!(-1);
    });
    assert_eq!(
        decide_fast_undo(&canary),
        Err(Refusal("no step before 3/3 is without traffic".into()))
    );
    let first = decode(&fixtures::v1beta1_blue_green()).unwrap();
    assert!(
        decide_fast_undo(&first)
            .unwrap_err()
            .0
            .contains("at its first step")
    );
}

#[test]
fn fast_undo_needs_a_controller_that_jumps_and_a_release() {
    // The seed is a v0.5 status: no nextStepIndex.
    let old = with(seed(), |o| {
        o["status"]["canaryStatus"]["currentStepIndex"] = json!(2)
    });
    assert!(
        decide_fast_undo(&old)
            .unwrap_err()
            .0
            .contains("v0.6 or later")
    );
    let done = with(fixtures::v1beta1_blue_green(), |o| {
        o["status"]["phase"] = json!("Healthy");
        o["status"]["conditions"] = json!([{"type": "Succeeded", "status": "True"}]);
    });
    assert_eq!(
        decide_fast_undo(&done),
        Err(Refusal("the release has already completed".into()))
    );
}

fn at(step: i64, state: &str) -> Rollout {
    with(fixtures::v1beta1_blue_green(), |o| {
        o["status"]["blueGreenStatus"]["currentStepIndex"] = json!(step);
        o["status"]["blueGreenStatus"]["currentStepState"] = json!(state);
    })
}

#[test]
fn expect_step_approves_exactly_that_step() {
    let write = Approve::Write {
        step: 2,
        total: 3,
        queued: false,
    };
    assert_eq!(
        decide_approve_step(&at(2, "StepPaused"), 2, None),
        Ok(write)
    );
    assert_eq!(
        decide_approve_step(&at(2, "StepReady"), 2, None),
        Ok(Approve::AlreadyApproved { step: 2, total: 3 })
    );
    assert_eq!(
        decide_approve_step(&at(3, "StepUpgrade"), 2, None),
        Ok(Approve::Passed {
            step: 2,
            now: "the release is at step 3/3".into()
        })
    );
    assert_eq!(
        decide_approve_step(&at(1, "StepPaused"), 2, None),
        Err(Refusal(
            "step 2 is not reached yet: the release is at step 1/3 (StepPaused)".into()
        ))
    );
    assert!(
        decide_approve_step(&at(2, "StepUpgrade"), 2, None)
            .unwrap_err()
            .0
            .contains("StepUpgrade, not waiting for approval")
    );
    assert!(
        decide_approve_step(&at(2, "StepPaused"), 2, Some("not observed"))
            .unwrap_err()
            .0
            .contains("not current yet: not observed")
    );
    assert!(decide_approve_step(&at(1, "StepPaused"), 4, None).is_err());
    let done = with(fixtures::v1beta1_blue_green(), |o| {
        o["status"]["phase"] = json!("Healthy");
        o["status"]["conditions"] = json!([{"type": "Succeeded", "status": "True"}]);
    });
    assert!(matches!(
        decide_approve_step(&done, 3, None),
        Ok(Approve::Passed { .. })
    ));
}

#[test]
fn to_step_jumps_approves_the_next_or_refuses() {
    assert_eq!(
        decide_to_step(&at(3, "StepUpgrade"), 1),
        Ok(Jump::Write(StepJump {
            from: 3,
            to: 1,
            total: 3
        }))
    );
    assert_eq!(
        decide_to_step(&at(1, "StepPaused"), 3),
        Ok(Jump::Write(StepJump {
            from: 1,
            to: 3,
            total: 3
        }))
    );
    assert!(matches!(
        decide_to_step(&at(1, "StepPaused"), 2),
        Ok(Jump::Approve(Approve::Write { step: 1, .. }))
    ));
    assert!(decide_to_step(&at(1, "StepUpgrade"), 2).is_err());
    assert_eq!(
        decide_to_step(&at(2, "StepPaused"), 2),
        Ok(Jump::Nothing("already at step 2/3".into()))
    );
    assert!(decide_to_step(&at(1, "StepPaused"), 0).is_err());
    assert!(decide_to_step(&at(1, "StepPaused"), 4).is_err());
    let v05 = decode(&seed()).unwrap();
    assert!(
        decide_to_step(&v05, 3)
            .unwrap_err()
            .0
            .contains("v0.6 or later")
    );
}

#[test]
fn pause_and_resume_are_idempotent() {
    let r = decode(&seed()).unwrap();
    assert_eq!(decide_pause(&r, true), Toggle::Write(true));
    assert_eq!(decide_pause(&r, false), Toggle::Already(false));
    let p = with(seed(), |o| o["spec"]["strategy"]["paused"] = json!(true));
    assert_eq!(decide_pause(&p, true), Toggle::Already(true));
    assert_eq!(decide_pause(&p, false), Toggle::Write(false));
}

#[test]
fn a_status_that_cannot_be_made_sense_of_is_never_acted_on() {
    for index in [
        json!(0),
        json!(-1),
        json!(4),
        json!(9999),
        json!(1u64 << 40),
        json!(i64::MIN),
        json!(1.5),
        json!("one"),
        json!(u64::MAX),
    ] {
        let r = with(seed(), |o| {
            o["status"]["canaryStatus"]["currentStepIndex"] = index.clone()
        });
        let why = decide_approve(&r).unwrap_err().0;
        assert!(
            why.contains("malformed")
                || why.contains("cannot be read safely")
                || why.contains("names no current step"),
            "{index}: {why}"
        );
        assert!(decide_to_step(&r, 2).is_err(), "{index}");
        assert!(decide_approve_step(&r, 1, None).is_err(), "{index}");
        assert!(decide_fast_undo(&r).is_err(), "{index}");
    }
    let r = with(seed(), |o| {
        o["spec"]["strategy"]["canary"]["steps"] = json!([])
    });
    assert!(decide_approve(&r).unwrap_err().0.contains("no steps"));
    let r = with(seed(), |o| {
        o["status"]["canaryStatus"]
            .as_object_mut()
            .unwrap()
            .remove("currentStepIndex")
            .map(|_| ())
            .unwrap()
    });
    assert!(
        decide_approve(&r)
            .unwrap_err()
            .0
            .contains("names no current step")
    );
    let r = with(seed(), |o| {
        o["status"]["canaryStatus"]["nextStepIndex"] = json!(40)
    });
    assert!(
        decide_to_step(&r, 2)
            .unwrap_err()
            .0
            .contains("next step 40")
    );
    for (ptr, v) in [
        ("/spec", json!([])),
        ("/spec/strategy/canary/steps", json!("3")),
        ("/status/canaryStatus/currentStepState", json!(null)),
    ] {
        let mut obj = seed();
        *obj.pointer_mut(ptr).unwrap() = v;
        let r = decode(&obj).unwrap();
        assert!(decide_approve(&r).is_err(), "{ptr}");
    }
}

#[test]
fn fast_undo_from_a_huge_index_is_refused_without_walking_to_it() {
    // Walking 2^40 indices would hang this test; the range check refuses first.
    let r = with(fixtures::v1beta1_blue_green(), |o| {
        o["status"]["blueGreenStatus"]["currentStepIndex"] = json!(1u64 << 40)
    });
    assert!(decide_fast_undo(&r).unwrap_err().0.contains("malformed"));
}
