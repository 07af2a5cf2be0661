//! What the verbs that wait share: a deadline, and the workload's state a gate judges.

use std::time::Duration;

use anyhow::Result;

use crate::cluster::{ApiError, RolloutApi, WorkloadApi};
use crate::model::observe::WorkloadState;
use crate::model::{Rollout, WorkloadRef};

/// Resolves after `limit`; never, for 0.
pub async fn deadline(limit: Duration) {
    if limit.is_zero() {
        futures::future::pending::<()>().await;
    } else {
        tokio::time::sleep(limit).await;
    }
}

/// The rollout's workload as far as judging the status needs it: one GET. Errors that
/// leave the rollout usable on its own (missing, forbidden, kind not served) go to
/// `soft_error` and give `None`.
pub async fn workload_state(
    api: &RolloutApi,
    r: &Rollout,
    soft_error: impl FnOnce(&ApiError),
) -> Result<Option<WorkloadState>> {
    let Some(w) = &r.workload else {
        return Ok(None);
    };
    workload_state_of(api, w, soft_error).await
}

/// The state of the workload `w` names: one GET, soft errors as [`workload_state`] has them.
pub async fn workload_state_of(
    api: &RolloutApi,
    w: &WorkloadRef,
    soft_error: impl FnOnce(&ApiError),
) -> Result<Option<WorkloadState>> {
    match WorkloadApi::for_ref(api.cluster(), w).get(&w.name).await {
        Ok(obj) => Ok(Some(WorkloadState::from_object(w, &obj))),
        Err(e @ (ApiError::NotFound { .. } | ApiError::Forbidden(_) | ApiError::NotServed(_))) => {
            soft_error(&e);
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}
