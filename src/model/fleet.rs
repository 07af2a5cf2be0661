//! A fleet at a glance: which stages need a person, in what order, and the one-line count.

/// Sort rank: what needs a person comes first.
pub fn attention(stage: &str) -> u8 {
    match stage {
        "WaitingForApproval" => 0,
        // KubeVela's kinds fail or abandon a rollout where Kruise's cancel it.
        "Cancelling" | "Cancelled" | "Failed" | "Abandoning" => 1,
        "Paused" => 2,
        "Progressing" | "Initializing" | "WaitingForTimer" | "Finalising" | "Terminating" => 3,
        _ => 4,
    }
}

/// The group a stage is counted in, for the summary line.
fn group(stage: &str) -> &'static str {
    if matches!(stage, "Failed" | "Abandoning") {
        return "failed";
    }
    match attention(stage) {
        0 => "waiting for approval",
        1 => "cancelled or rolled back",
        2 => "paused",
        3 => "progressing",
        _ => "settled",
    }
}

/// `41 rollouts: 3 waiting for approval, 2 progressing, 1 cancelled or rolled back`.
pub fn summary_line<'a>(stages: impl IntoIterator<Item = &'a str>) -> String {
    let order = [
        "waiting for approval",
        "failed",
        "cancelled or rolled back",
        "paused",
        "progressing",
    ];
    let mut counts = [0usize; 5];
    let mut total = 0;
    for s in stages {
        total += 1;
        if let Some(i) = order.iter().position(|g| *g == group(s)) {
            counts[i] += 1;
        }
    }
    let parts: Vec<String> = order
        .iter()
        .zip(counts)
        .filter(|(_, n)| *n > 0)
        .map(|(g, n)| format!("{n} {g}"))
        .collect();
    let noun = if total == 1 { "rollout" } else { "rollouts" };
    if parts.is_empty() {
        format!("{total} {noun}: all settled")
    } else {
        format!("{total} {noun}: {}", parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_counts_what_needs_a_person_first() {
        let stages = [
            "WaitingForApproval",
            "Progressing",
            "Completed",
            "WaitingForApproval",
            "Cancelled",
            "Initializing",
        ];
        assert_eq!(
            summary_line(stages),
            "6 rollouts: 2 waiting for approval, 1 cancelled or rolled back, 2 progressing"
        );
        assert_eq!(summary_line(["Completed"]), "1 rollout: all settled");
        assert_eq!(
            summary_line(["Failed", "Completed"]),
            "2 rollouts: 1 failed"
        );
        assert!(attention("Failed") < attention("Progressing"));
        assert!(attention("WaitingForApproval") < attention("Paused"));
        assert!(attention("Paused") < attention("Progressing"));
        assert!(attention("Progressing") < attention("Completed"));
    }
}
