//! kubectl's AGE column: short, rounded, and more precise while young.

use std::time::Duration;

/// `45s`, `3m20s`, `2h15m`, `36h`, `5d3h`, `40d`, `2y30d`, like `kubectl get`.
pub fn age(d: Duration) -> String {
    let s = d.as_secs();
    let (m, h, days) = (s / 60, s / 3600, s / 86_400);
    match () {
        _ if s < 120 => format!("{s}s"),
        _ if m < 10 && !s.is_multiple_of(60) => format!("{m}m{}s", s % 60),
        _ if m < 180 => format!("{m}m"),
        _ if h < 8 && !m.is_multiple_of(60) => format!("{h}h{}m", m % 60),
        _ if h < 48 => format!("{h}h"),
        _ if h < 192 && !h.is_multiple_of(24) => format!("{days}d{}h", h % 24),
        _ if days < 730 => format!("{days}d"),
        _ if days < 2920 && !days.is_multiple_of(365) => format!("{}y{}d", days / 365, days % 365),
        _ => format!("{}y", days / 365),
    }
}

/// The age of an object from its `creationTimestamp`; `<unknown>` when there is none.
pub fn age_since(created: Option<&str>, now: jiff::Timestamp) -> String {
    created
        .and_then(|t| t.parse::<jiff::Timestamp>().ok())
        .and_then(|t| now.duration_since(t).try_into().ok())
        .map(age)
        .unwrap_or_else(|| "<unknown>".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_like_kubectl() {
        let cases = [
            (45, "45s"),
            (200, "3m20s"),
            (600, "10m"),
            (7_500, "125m"),
            (3 * 3600 + 60 * 15, "3h15m"),
            (36 * 3600, "36h"),
            (5 * 86_400 + 3 * 3600, "5d3h"),
            (40 * 86_400, "40d"),
            (800 * 86_400, "2y70d"),
            (3000 * 86_400, "8y"),
        ];
        for (secs, want) in cases {
            assert_eq!(age(Duration::from_secs(secs)), want, "{secs}s");
        }
    }
}
