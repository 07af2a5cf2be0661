//! The one way verbs write: read, decide, write a merge patch conditional on the
//! resourceVersion just read; on 409 read again, decide again, retry (bounded).

use std::time::Duration;

use anyhow::{Result, anyhow};
use serde_json::{Value, json};

use crate::cli::DryRun;
use crate::cluster::{ApiError, Cluster, Fetched, ObjectApi, RolloutApi, RolloutRef, events};
use crate::exit::Failure;
use crate::model::state::Refusal;
use crate::model::{ApiVersion, Rollout, decode};

/// Attempts before giving up on a rollout that keeps changing under us.
pub const MAX_ATTEMPTS: u32 = 5;

/// Before reading again after a conflict: long enough for the other writer to finish.
async fn conflict_backoff(attempt: u32) {
    tokio::time::sleep(Duration::from_millis(50 * u64::from(attempt))).await;
}

/// The object a merge patch would produce, for a client-side dry run (nothing is sent).
fn merged(object: &Value, patch: &Value) -> Value {
    let mut out = object.clone();
    json_patch::merge(&mut out, patch);
    out
}

/// What a verb decided after reading the object.
pub enum Plan {
    /// Merge `patch` (without metadata: the resourceVersion is added here) into the object,
    /// or into its status subresource when `status`. `done` is the result line.
    Write {
        patch: Value,
        status: bool,
        done: String,
        notes: Vec<String>,
    },
    /// Nothing to write; the message says why that is fine.
    Nothing(String),
}

pub struct Outcome {
    /// The object after the write, or as read when nothing was written.
    pub object: Value,
    pub message: String,
    pub notes: Vec<String>,
    /// One word for summaries: `approved`, `paused`, ..., or `unchanged`.
    pub result: String,
    /// Already printed (before a `--wait`), so the runner does not print it again.
    pub shown: bool,
}

/// A verb's result word and the reason of its audit Event.
fn words(verb: &str) -> (&'static str, &'static str) {
    match verb {
        "approve" => ("approved", "Approved"),
        "pause" => ("paused", "Paused"),
        "resume" => ("resumed", "Resumed"),
        "restart" => ("restarted", "Restarted"),
        "move" => ("moved", "StepMoved"),
        "undo" | "undo --fast" => ("rolled back", "RolledBack"),
        _ => ("changed", "Changed"),
    }
}

/// The result word of a verb that wrote: `approved`, `paused`, ...
pub fn past(verb: &str) -> &'static str {
    words(verb).0
}

/// Record the audit Event of a write that was made (not for dry runs).
pub async fn audit(cluster: &Cluster, dry_run: DryRun, verb: &str, object: &Value, message: &str) {
    if dry_run == DryRun::None {
        events::record(cluster, object, words(verb).1, message).await;
    }
}

/// A blue-green Rollout read through v1alpha1 has an empty spec and status, and writing
/// it back through that version breaks the conversion. Never write such a view.
fn ensure_writable(r: &Rollout, version: ApiVersion) -> Result<(), Refusal> {
    if version == ApiVersion::V1alpha1 && r.workload.is_none() && r.steps.is_empty() {
        return Err(Refusal(format!(
            "it reads empty through v1alpha1 (a blue-green rollout?); writing it there would \
             damage it. Name it as rollouts.v1beta1.rollouts.kruise.io/{}",
            r.name
        )));
    }
    Ok(())
}

/// Read `target`, let `decide` choose, and carry the plan out without losing anyone
/// else's write. `verb` names the action in messages ("approve").
pub async fn write_checked<F>(
    api: &RolloutApi,
    target: &RolloutRef,
    verb: &str,
    dry_run: DryRun,
    decide: F,
) -> Result<Outcome>
where
    F: FnMut(&Rollout) -> Result<Plan, Refusal>,
{
    let fetched = api.get(target).await?;
    write_from(api, fetched, verb, dry_run, decide).await
}

/// [`write_checked`], starting from a rollout the caller has just read.
pub async fn write_from<F>(
    api: &RolloutApi,
    fetched: Fetched,
    verb: &str,
    dry_run: DryRun,
    mut decide: F,
) -> Result<Outcome>
where
    F: FnMut(&Rollout) -> Result<Plan, Refusal>,
{
    let target = fetched.target();
    let version = fetched.version;
    let display = crate::model::display_name(&target.name);
    write_object(
        &api.at(version),
        &target.name,
        &display,
        Some(fetched.object),
        verb,
        dry_run,
        |obj| {
            let r = decode(obj).map_err(|e| Refusal(format!("cannot read it: {e}")))?;
            ensure_writable(&r, version)?;
            decide(&r)
        },
    )
    .await
}

/// The one write loop, for objects of any kind: read `name` (or start from `first`, just
/// read), let `decide` choose, write a merge patch conditional on the resourceVersion read;
/// on a conflict read again and decide again. `display` names the object in messages.
pub async fn write_object<F>(
    api: &ObjectApi,
    name: &str,
    display: &str,
    first: Option<Value>,
    verb: &str,
    dry_run: DryRun,
    mut decide: F,
) -> Result<Outcome>
where
    F: FnMut(&Value) -> Result<Plan, Refusal>,
{
    let mut first = first;
    let what = format!("{verb} {display}");
    let (past, _) = words(verb);
    let outcome = retry_conflicts(&what, async || {
        // After a conflict: read again and decide again on what is there now.
        let current = match first.take() {
            Some(o) => o,
            None => api.get(name).await?,
        };
        let plan = decide(&current)
            .map_err(|why| Failure::Refused(format!("cannot {verb} {display}: {why}")))?;
        let (mut patch, status, done, notes) = match plan {
            Plan::Nothing(message) => {
                return Ok(Attempt::Done(Outcome {
                    object: current,
                    message,
                    notes: Vec::new(),
                    result: "unchanged".into(),
                    shown: false,
                }));
            }
            Plan::Write {
                patch,
                status,
                done,
                notes,
            } => (patch, status, done, notes),
        };
        let rv = current
            .pointer("/metadata/resourceVersion")
            .cloned()
            .unwrap_or(Value::Null);
        // The precondition: the server refuses (409) if the object changed since this read.
        patch["metadata"] = json!({ "resourceVersion": rv });
        let sent = match send(dry_run, &current, &patch, async |server| {
            api.patch(name, &patch, status, server).await
        })
        .await
        {
            Ok(sent) => sent,
            // The write may or may not have been applied: read it back to tell.
            Err(e) if dry_run == DryRun::None && e.outcome_unknown() => {
                let object = api.get(name).await.map_err(|again| {
                    anyhow!(
                        "the outcome of {verb} {display} is unknown: {e}; reading it back \
                         failed too: {again}"
                    )
                })?;
                return match decide(&object) {
                    Ok(Plan::Nothing(_)) => Ok(Attempt::Done(Outcome {
                        object,
                        message: done,
                        notes: vec![format!(
                            "the answer to the write was lost ({e}); read back, the change is in place"
                        )],
                        result: past.to_string(),
                        shown: false,
                    })),
                    _ => Err(anyhow!(
                        "the outcome of {verb} {display} was unknown ({e}); read back, the \
                         change is not in place: nothing was changed, try again"
                    )),
                };
            }
            Err(e) => return Err(anyhow::Error::new(e).context(format!("cannot {verb} {display}"))),
        };
        Ok(sent.map(|object| Outcome {
            object,
            message: format!("{done}{}", dry_run.suffix()),
            notes,
            result: format!(
                "{past}{}",
                if dry_run == DryRun::None {
                    ""
                } else {
                    " (dry run)"
                }
            ),
            shown: false,
        }))
    })
    .await?;
    if outcome.result == past {
        audit(
            api.cluster(),
            dry_run,
            verb,
            &outcome.object,
            &outcome.message,
        )
        .await;
    }
    Ok(outcome)
}

/// One read–decide–write attempt: done, or beaten to it by another writer (409).
pub enum Attempt<T> {
    Done(T),
    Conflict,
}

impl<T> Attempt<T> {
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Attempt<U> {
        match self {
            Attempt::Done(t) => Attempt::Done(f(t)),
            Attempt::Conflict => Attempt::Conflict,
        }
    }
}

/// The one retry loop of every write: run `attempt` (which reads, decides and writes) until
/// it is done, backing off between conflicts, at most [`MAX_ATTEMPTS`] times. `what` names
/// the action and object in the give-up message ("approve rollout.rollouts.kruise.io/x").
pub async fn retry_conflicts<T>(
    what: &str,
    mut attempt: impl AsyncFnMut() -> Result<Attempt<T>>,
) -> Result<T> {
    for n in 1..=MAX_ATTEMPTS {
        match attempt().await? {
            Attempt::Done(t) => return Ok(t),
            // Someone (usually the controller) wrote in between: back off a little.
            Attempt::Conflict if n < MAX_ATTEMPTS => conflict_backoff(n).await,
            Attempt::Conflict => {}
        }
    }
    Err(anyhow!(
        "cannot {what}: it changed between every read and write ({MAX_ATTEMPTS} conflicts); \
         nothing was written, try again"
    ))
}

/// Send a conditional merge patch through `write` (its argument: a server dry run), or for
/// a client dry run only work out the object it would produce. A 409 is a conflict to retry.
pub async fn send(
    dry_run: DryRun,
    current: &Value,
    patch: &Value,
    write: impl AsyncFnOnce(bool) -> Result<Value, ApiError>,
) -> Result<Attempt<Value>, ApiError> {
    let written = match dry_run {
        DryRun::Client => Ok(merged(current, patch)),
        DryRun::Server | DryRun::None => write(dry_run == DryRun::Server).await,
    };
    match written {
        Ok(object) => Ok(Attempt::Done(object)),
        Err(ApiError::Conflict(_)) => Ok(Attempt::Conflict),
        Err(e) => Err(e),
    }
}
