//! A release train of `autopilot --one-by-one`: what a cluster's part came to, whether a
//! train may resume past a cluster, and the words of its last line.

use serde::Serialize;
use serde_json::Value;

use super::Rollout;
use super::observe::WorkloadState;
use super::state::Stage;

/// The reason of a train's Events on each rollout; their action says Started, Passed or
/// Stopped. One reason, so that a watch can select them (the dashboard's train panel).
pub const TRAIN_REASON: &str = "ReleaseTrain";

/// The last word of a train in one cluster, from its Event there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrainNote {
    pub cluster: String,
    pub namespace: String,
    pub rollout: String,
    /// Started, Passed or Stopped.
    pub action: String,
    pub message: String,
    /// When (RFC 3339, UTC: ordered as text).
    pub time: String,
}

/// The note a train's Event in `cluster` makes; none for another Event.
pub fn note_of(cluster: &str, event: &Value) -> Option<TrainNote> {
    if event["reason"] != TRAIN_REASON {
        return None;
    }
    let text = |v: &Value| v.as_str().map(str::to_string);
    let time = text(&event["lastTimestamp"])
        .or_else(|| text(&event["eventTime"]))
        .or_else(|| text(&event["metadata"]["creationTimestamp"]))
        .unwrap_or_default();
    Some(TrainNote {
        cluster: cluster.to_string(),
        namespace: text(&event["involvedObject"]["namespace"])?,
        rollout: text(&event["involvedObject"]["name"])?,
        action: text(&event["action"]).unwrap_or_default(),
        message: text(&event["message"]).unwrap_or_default(),
        time,
    })
}

/// Whether the release in a cluster before the one a train resumes from is complete: its
/// controller has seen the current spec and workload, and the release ended well.
pub fn completed(r: &Rollout, w: Option<&WorkloadState>) -> Result<(), String> {
    let (stage, stale) = r.observed_stage(w);
    if let Some(why) = stale {
        return Err(format!("its controller has not caught up ({why})"));
    }
    match stage {
        Stage::Completed => Ok(()),
        Stage::WaitingForApproval => Err(format!(
            "its release waits for approval at step {}",
            r.step_label()
        )),
        Stage::Cancelled | Stage::Cancelling => {
            Err("its release was cancelled or rolled back".into())
        }
        Stage::Disabled => Err("its rollout is disabled".into()),
        other => Err(format!(
            "its release is {} at step {}",
            other.as_str(),
            r.step_label()
        )),
    }
}

/// The command line that continues a train at `cluster`: the one given, its
/// `--resume-from` replaced.
pub fn resume_command(argv: &[String], cluster: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut skip = false;
    for (i, a) in argv.iter().enumerate() {
        if skip {
            skip = false;
            continue;
        }
        if a == "--resume-from" {
            skip = true;
            continue;
        }
        if a.starts_with("--resume-from=") {
            continue;
        }
        // kubectl runs the plugin by its file name: the user typed `kubectl kruise`.
        if i == 0 {
            words.push("kubectl kruise".into());
            continue;
        }
        words.push(quoted(a));
    }
    words.push(format!("--resume-from={}", quoted(cluster)));
    words.join(" ")
}

/// A word as a POSIX shell reads it back.
fn quoted(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// How a train ended, for its last line.
pub struct End<'a> {
    /// Every cluster of the train, in order.
    pub clusters: &'a [String],
    /// Clusters whose part completed (resumed ones included), in order.
    pub done: &'a [String],
    /// Where it stopped and why (the failing cluster's own words), if it stopped.
    pub stopped: Option<(&'a str, String)>,
    /// What was done about it, cluster by cluster: (`eu`, `undone in eu`).
    pub acted: &'a [(String, String)],
    /// The command that continues the train, when it stopped.
    pub resume: Option<String>,
}

/// `release train completed: canary, eu, us`, or `release train stopped at eu (2/3): WHY;
/// ...; not started: us; continue after a fix: CMD`.
pub fn summary(end: &End) -> String {
    let Some((at, why)) = &end.stopped else {
        return format!("release train completed: {}", end.clusters.join(", "));
    };
    let position = end
        .clusters
        .iter()
        .position(|c| c == at)
        .map_or(0, |i| i + 1);
    let mut line = format!(
        "release train stopped at {at} ({position}/{}): {why}",
        end.clusters.len()
    );
    for (_, a) in end.acted {
        line.push_str(&format!("; {a}"));
    }
    let kept: Vec<&str> = end
        .done
        .iter()
        .filter(|d| !end.acted.iter().any(|(c, _)| c == *d))
        .map(String::as_str)
        .collect();
    if !kept.is_empty() {
        line.push_str(&format!("; completed and left so: {}", kept.join(", ")));
    }
    let after: Vec<&str> = end
        .clusters
        .iter()
        .skip(position)
        .map(String::as_str)
        .collect();
    if !after.is_empty() {
        line.push_str(&format!("; not started: {}", after.join(", ")));
    }
    if let Some(cmd) = &end.resume {
        line.push_str(&format!("; to continue: {cmd}"));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{decode, fixtures};
    use serde_json::json;

    fn names(n: &[&str]) -> Vec<String> {
        n.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_train_event_is_a_note_of_its_cluster_and_rollout_and_other_events_are_not() {
        let ev = json!({"reason": "ReleaseTrain", "action": "Stopped",
            "message": "release train: cluster 2/3 (eu) stopped the train: x by me",
            "lastTimestamp": "2026-12-07T10:00:00Z",
            "involvedObject": {"kind": "Rollout", "namespace": "shop", "name": "web"}});
        let note = note_of("eu", &ev).unwrap();
        assert_eq!(
            (
                note.cluster.as_str(),
                note.namespace.as_str(),
                note.rollout.as_str()
            ),
            ("eu", "shop", "web")
        );
        assert_eq!(note.action, "Stopped");
        assert_eq!(note.time, "2026-12-07T10:00:00Z");
        assert!(note.message.contains("stopped the train: x"));
        let mut other = ev.clone();
        other["reason"] = json!("Approved");
        assert_eq!(note_of("eu", &other), None);
    }

    #[test]
    fn only_a_completed_release_lets_a_train_resume_past_its_cluster() {
        let w = fixtures::workload(10);
        let waiting = decode(&fixtures::seed_v1beta1_paused()).unwrap();
        let why = completed(&waiting, Some(&w)).unwrap_err();
        assert!(
            why.starts_with("its release waits for approval at step 1/"),
            "{why}"
        );
        let mut obj = fixtures::seed_v1beta1_paused();
        obj["status"]["phase"] = json!("Healthy");
        obj["status"]["canaryStatus"]["currentStepState"] = json!("Completed");
        obj["status"]["canaryStatus"]["currentStepIndex"] = json!(4);
        obj["status"]["currentStepIndex"] = json!(4);
        obj["status"]["canaryStatus"]["message"] = json!("");
        let done = decode(&obj).unwrap();
        assert_eq!(completed(&done, Some(&w)), Ok(()), "{:?}", done.stage());
        obj["spec"]["disabled"] = json!(true);
        assert!(completed(&decode(&obj).unwrap(), Some(&w)).is_err());
    }

    #[test]
    fn the_resume_command_replaces_resume_from_and_quotes_what_a_shell_would_split() {
        let argv = names(&[
            "/usr/local/bin/kubectl-kruise",
            "rollout",
            "autopilot",
            "web",
            "--contexts=a,b c",
            "--resume-from",
            "a",
            "--one-by-one",
        ]);
        assert_eq!(
            resume_command(&argv, "b c"),
            "kubectl kruise rollout autopilot web '--contexts=a,b c' --one-by-one --resume-from='b c'"
        );
    }

    #[test]
    fn the_last_line_says_where_why_what_was_done_and_what_was_not_started() {
        let clusters = names(&["canary", "eu", "us"]);
        let end = End {
            clusters: &clusters,
            done: &names(&["canary"]),
            stopped: Some(("eu", "step 2: error-ratio Failed".into())),
            acted: &[("eu".into(), "undone in eu".into())],
            resume: Some("kubectl kruise ... --resume-from=eu".into()),
        };
        assert_eq!(
            summary(&end),
            "release train stopped at eu (2/3): step 2: error-ratio Failed; undone in eu; \
             completed and left so: canary; not started: us; to continue: kubectl kruise ... \
             --resume-from=eu"
        );
        let end = End {
            clusters: &clusters,
            done: &clusters,
            stopped: None,
            acted: &[],
            resume: None,
        };
        assert_eq!(summary(&end), "release train completed: canary, eu, us");
    }
}
