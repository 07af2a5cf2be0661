//! What `autopilot` does next with a release, from the rollout's status alone.

use std::time::Duration;

use super::Rollout;
use super::analysis::Metric;
use super::observe::WorkloadState;
use super::state::Stage;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Step N waits for approval: judge it by its analysis.
    Judge(i64),
    /// The release completed.
    Done,
    /// It never will complete without a new release.
    Failed(String),
    /// The controller is working (or the release has not started): wait for the next change.
    Wait,
}

/// The next move, trusting the step fields only once the controller has observed the
/// current spec and workload (a status from before a new release is not a waiting step).
pub fn next(r: &Rollout, w: Option<&WorkloadState>) -> Next {
    let (stage, stale) = r.observed_stage(w);
    match stage {
        Stage::Cancelled | Stage::Cancelling => {
            Next::Failed("the release was cancelled or rolled back".into())
        }
        Stage::Disabled => Next::Failed("the rollout is disabled".into()),
        Stage::Terminating => Next::Failed("the rollout is being deleted".into()),
        _ if stale.is_some() => Next::Wait,
        Stage::WaitingForApproval => Next::Judge(r.current_step().unwrap_or(0)),
        Stage::Completed => Next::Done,
        _ => Next::Wait,
    }
}

/// The pause between two rounds of measurements while a release bakes: the template's
/// shortest interval, or 10 s for a template that measures once.
pub fn bake_pause(metrics: &[Metric]) -> Duration {
    metrics
        .iter()
        .filter_map(|m| m.interval)
        .min()
        .unwrap_or(Duration::from_secs(10))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{decode, fixtures};
    use serde_json::json;

    #[test]
    fn a_waiting_step_is_judged_a_moving_one_waited_on_a_disabled_one_failed() {
        let r = decode(&fixtures::seed_v1beta1_paused()).unwrap();
        let w = fixtures::workload(10);
        assert_eq!(next(&r, Some(&w)), Next::Judge(r.current_step().unwrap()));
        let mut obj = fixtures::seed_v1beta1_paused();
        obj["status"]["canaryStatus"]["currentStepState"] = json!("StepUpgrade");
        assert_eq!(next(&decode(&obj).unwrap(), Some(&w)), Next::Wait);
        obj["spec"]["disabled"] = json!(true);
        assert!(matches!(
            next(&decode(&obj).unwrap(), Some(&w)),
            Next::Failed(_)
        ));
    }
}
