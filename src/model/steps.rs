//! Canary / batch steps and the pod counts they stand for.

use std::fmt;

/// `replicas` of a step: a pod count or a percentage of the workload's replicas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntOrPercent {
    Int(i64),
    Percent(i64),
    /// Neither: shown as written, no pod count.
    Invalid(String),
}

impl IntOrPercent {
    pub fn parse_str(s: &str) -> Self {
        let t = s.trim();
        if let Some(p) = t.strip_suffix('%') {
            return p
                .trim()
                .parse()
                .map(IntOrPercent::Percent)
                .unwrap_or_else(|_| IntOrPercent::Invalid(s.into()));
        }
        t.parse()
            .map(IntOrPercent::Int)
            .unwrap_or_else(|_| IntOrPercent::Invalid(s.into()))
    }

    /// The pod count this stands for out of `total`, as the controller computes a batch
    /// target: a percentage rounds up, and the result is clamped to `[0, total]`.
    pub fn pods(&self, total: i64) -> Option<i64> {
        let total = total.max(0);
        let n = match *self {
            IntOrPercent::Int(n) => n,
            // Ceiling of p% of total, in integers (no float rounding surprises); wide enough
            // that no value a status can hold overflows.
            IntOrPercent::Percent(p) => ((i128::from(p.max(0)) * i128::from(total) + 99) / 100)
                .min(i128::from(total)) as i64,
            IntOrPercent::Invalid(_) => return None,
        };
        Some(n.clamp(0, total))
    }
}

impl fmt::Display for IntOrPercent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IntOrPercent::Int(n) => write!(f, "{n}"),
            IntOrPercent::Percent(p) => write!(f, "{p}%"),
            IntOrPercent::Invalid(s) => f.write_str(s),
        }
    }
}

/// What a step waits for once its batch is ready.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pause {
    /// No duration: waits for `approve`.
    Manual,
    /// Moves on by itself after this many seconds.
    Seconds(i64),
}

impl fmt::Display for Pause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Pause::Manual => f.write_str("manual"),
            Pause::Seconds(s) => write!(f, "{s}s"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub replicas: Option<IntOrPercent>,
    /// Traffic to the new version, e.g. `20%`.
    pub traffic: Option<String>,
    pub pause: Pause,
    /// How many request-match rules route traffic in this step.
    pub matches: usize,
}

impl Step {
    pub fn pods(&self, total: i64) -> Option<i64> {
        self.replicas.as_ref().and_then(|r| r.pods(total))
    }

    /// No traffic (or 0%) and no request matches: users do not reach the new version.
    pub fn sends_no_traffic(&self) -> bool {
        self.matches == 0
            && self
                .traffic
                .as_deref()
                .is_none_or(|t| t.trim_end_matches('%').trim().parse::<f64>() == Ok(0.0))
    }

    /// The controller moves a canary's last step on at once when it releases exactly 100%,
    /// whatever its pause says.
    pub fn is_full_release(&self) -> bool {
        self.replicas == Some(IntOrPercent::Percent(100))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_round_up_and_cap_at_the_replica_count() {
        assert_eq!(IntOrPercent::Percent(50).pods(10), Some(5));
        assert_eq!(IntOrPercent::Percent(20).pods(3), Some(1)); // 0.6 -> 1
        assert_eq!(IntOrPercent::Percent(34).pods(3), Some(2)); // 1.02 -> 2
        assert_eq!(IntOrPercent::Percent(100).pods(7), Some(7));
        assert_eq!(IntOrPercent::Percent(150).pods(4), Some(4));
        assert_eq!(IntOrPercent::Percent(1).pods(0), Some(0));
    }

    #[test]
    fn counts_are_clamped_to_the_replica_count() {
        assert_eq!(IntOrPercent::Int(1).pods(10), Some(1));
        assert_eq!(IntOrPercent::Int(12).pods(10), Some(10));
        assert_eq!(IntOrPercent::Int(-2).pods(10), Some(0));
    }

    #[test]
    fn parsing_accepts_counts_and_percentages_only() {
        assert_eq!(IntOrPercent::parse_str("50%"), IntOrPercent::Percent(50));
        assert_eq!(IntOrPercent::parse_str(" 3 "), IntOrPercent::Int(3));
        assert_eq!(
            IntOrPercent::parse_str("half"),
            IntOrPercent::Invalid("half".into())
        );
        assert_eq!(IntOrPercent::parse_str("half").pods(10), None);
        assert_eq!(IntOrPercent::Percent(5).to_string(), "5%");
    }
}
