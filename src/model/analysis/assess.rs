//! How measurements make a verdict, as Argo's analysis controller decides it: the phase of
//! one measurement from the conditions, of a metric from its counters and limits, and of a
//! run from its metrics (the worst wins).

use std::time::Duration;

use serde::Serialize;

use super::condition::Sample;
use super::template::Metric;

/// How long after an Error the next measurement waits at most. Argo waits 10 s each time;
/// here the first retries come sooner (1 s, 2 s, 4 s, 8 s), so that a provider that is down
/// is told, with Argo's default of 4 errors in a row, in about 15 s rather than 40 s.
pub const AFTER_ERROR: Duration = Duration::from_secs(10);

/// Why a provider could not measure.
#[derive(Debug, Clone, PartialEq)]
pub struct Unmeasured {
    pub message: String,
    /// Measuring again cannot help: the template or its query is wrong (Prometheus refuses
    /// the query's syntax, the address is missing, the URL cannot be requested).
    pub fatal: bool,
}

impl Unmeasured {
    pub fn fatal(message: impl Into<String>) -> Self {
        Unmeasured {
            message: message.into(),
            fatal: true,
        }
    }
}

impl From<String> for Unmeasured {
    fn from(message: String) -> Self {
        Unmeasured {
            message,
            fatal: false,
        }
    }
}

impl From<&str> for Unmeasured {
    fn from(message: &str) -> Self {
        message.to_string().into()
    }
}

/// The verdict of a measurement, a metric or a run. Ordered from best to worst, as Argo
/// ranks them: the run takes its worst metric's phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Phase {
    Running,
    Successful,
    Inconclusive,
    Error,
    Failed,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Running => "Running",
            Phase::Successful => "Successful",
            Phase::Inconclusive => "Inconclusive",
            Phase::Error => "Error",
            Phase::Failed => "Failed",
        }
    }

    pub fn is_done(self) -> bool {
        self != Phase::Running
    }
}

/// One measurement: what was measured and what the conditions made of it.
#[derive(Debug, Clone, Serialize)]
pub struct Measurement {
    pub phase: Phase,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(rename = "finishedAt")]
    pub finished_at: String,
    /// An error that measuring again cannot mend: the metric ends at once.
    #[serde(skip)]
    pub fatal: bool,
}

impl Measurement {
    /// The phase of a value under the metric's conditions (success first; a true failure
    /// condition wins; neither set: Successful, as Argo's code does).
    pub fn judge(metric: &Metric, sample: &Sample, finished_at: String) -> Self {
        let success = metric.success.as_ref().map(|c| c.evaluate(sample));
        let failure = metric.failure.as_ref().map(|c| c.evaluate(sample));
        let verdict = match (success, failure) {
            // A true failure condition wins, even over a success condition that could not
            // be evaluated (NaN guarded by `isNaN` in the failure condition).
            (_, Some(Ok(true))) => Ok(Phase::Failed),
            (Some(Err(e)), _) | (_, Some(Err(e))) => Err(e),
            (Some(Ok(true)), _) | (None, None) | (None, Some(Ok(false))) => Ok(Phase::Successful),
            (Some(Ok(false)), None) => Ok(Phase::Failed),
            (Some(Ok(false)), Some(Ok(false))) => Ok(Phase::Inconclusive),
        };
        let (phase, message) = match verdict {
            Ok(p) => (p, None),
            Err(e) => (Phase::Error, Some(e)),
        };
        Measurement {
            phase,
            value: Some(sample.display()),
            message,
            finished_at,
            fatal: false,
        }
    }

    /// A provider that could not measure (down, an HTTP error, a query error).
    pub fn error(why: Unmeasured, finished_at: String) -> Self {
        Measurement {
            phase: Phase::Error,
            value: None,
            message: Some(why.message),
            finished_at,
            fatal: why.fatal,
        }
    }
}

/// A metric's measurements and counters so far.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MetricState {
    pub measurements: Vec<Measurement>,
    pub successful: u32,
    pub failed: u32,
    pub inconclusive: u32,
    pub error: u32,
    #[serde(skip)]
    consecutive_error: u32,
}

impl MetricState {
    pub fn record(&mut self, m: Measurement) {
        match m.phase {
            Phase::Successful => self.successful += 1,
            Phase::Failed => self.failed += 1,
            Phase::Inconclusive => self.inconclusive += 1,
            Phase::Error => self.error += 1,
            Phase::Running => {}
        }
        if m.phase == Phase::Error {
            self.consecutive_error += 1;
        } else {
            self.consecutive_error = 0;
        }
        self.measurements.push(m);
    }

    /// Measurements that count towards `count` (errors do not).
    fn counted(&self) -> u32 {
        self.successful + self.failed + self.inconclusive
    }

    /// The metric's phase: Failed past its failure limit, Inconclusive past its
    /// inconclusive limit, Error after more errors in a row than its limit, Successful once
    /// it has measured `count` times; else still Running.
    pub fn phase(&self, metric: &Metric) -> Phase {
        if self.failed as i64 > metric.failure_limit {
            Phase::Failed
        } else if self.inconclusive as i64 > metric.inconclusive_limit {
            Phase::Inconclusive
        } else if self.consecutive_error as i64 > metric.consecutive_error_limit
            || self.measurements.last().is_some_and(|m| m.fatal)
        {
            Phase::Error
        } else if self.counted() >= metric.count {
            Phase::Successful
        } else {
            Phase::Running
        }
    }

    /// How long to wait before the next measurement: the initial delay first, the interval
    /// after a measurement, and after errors 1 s, 2 s, 4 s, 8 s, then [`AFTER_ERROR`].
    pub fn next_delay(&self, metric: &Metric) -> Duration {
        match self.measurements.last() {
            None => metric.initial_delay,
            Some(m) if m.phase == Phase::Error => {
                let n = self.consecutive_error.clamp(1, 8) - 1;
                Duration::from_secs(1 << n).min(AFTER_ERROR)
            }
            Some(_) => metric.interval.unwrap_or_default(),
        }
    }
}

/// A metric's verdict and every measurement it took.
#[derive(Debug, Clone, Serialize)]
pub struct MetricReport {
    pub name: String,
    pub phase: Phase,
    #[serde(flatten)]
    pub state: MetricState,
}

impl MetricReport {
    /// Its verdict in words: a metric the run stopped before it ended is `stopped`.
    pub fn verdict(&self) -> &'static str {
        if self.phase == Phase::Running {
            "stopped"
        } else {
            self.phase.as_str()
        }
    }
}

/// The verdict of a run and every metric's measurements.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub phase: Phase,
    pub metrics: Vec<MetricReport>,
}

impl Report {
    /// One line for Events and logs: the verdict and each metric's latest value.
    pub fn summary(&self) -> String {
        let metrics: Vec<String> = self
            .metrics
            .iter()
            .map(|m| {
                let last = m.state.measurements.last();
                let value = last
                    .and_then(|x| x.value.clone().or(x.message.clone()))
                    .unwrap_or_else(|| "not measured".into());
                format!("{} {} {value}", m.name, m.verdict())
            })
            .collect();
        format!("analysis {}: {}", self.phase.as_str(), metrics.join("; "))
    }
}

/// The verdict of a run: the worst phase of its metrics, Running while any runs and none
/// has ended badly.
pub fn run_phase(phases: &[Phase]) -> Phase {
    let worst = phases.iter().copied().max().unwrap_or(Phase::Successful);
    if worst > Phase::Successful || phases.iter().all(|p| p.is_done()) {
        worst
    } else {
        Phase::Running
    }
}

#[cfg(test)]
mod tests {
    use super::super::condition::Condition;
    use super::*;
    use crate::model::analysis::template::{Prometheus, Provider};

    fn metric(success: Option<&str>, failure: Option<&str>) -> Metric {
        Metric {
            name: "m".into(),
            interval: Some(Duration::from_secs(1)),
            initial_delay: Duration::ZERO,
            count: 3,
            failure_limit: 0,
            inconclusive_limit: 0,
            consecutive_error_limit: 4,
            success: success.map(|s| Condition::compile(s).unwrap()),
            failure: failure.map(|s| Condition::compile(s).unwrap()),
            provider: Provider::Prometheus(Prometheus::default()),
        }
    }

    fn judge(m: &Metric, x: f64) -> Phase {
        Measurement::judge(m, &Sample::Numbers(vec![x]), String::new()).phase
    }

    #[test]
    fn a_measurement_is_judged_as_argo_judges_it() {
        let both = metric(Some("result[0] < 0.1"), Some("result[0] > 0.5"));
        assert_eq!(judge(&both, 0.05), Phase::Successful);
        assert_eq!(judge(&both, 0.9), Phase::Failed);
        assert_eq!(judge(&both, 0.3), Phase::Inconclusive);
        assert_eq!(judge(&both, f64::NAN), Phase::Error);
        let guarded = metric(Some("result[0] < 0.1"), Some("isNaN(result[0])"));
        assert_eq!(judge(&guarded, f64::NAN), Phase::Failed);
        assert_eq!(judge(&metric(None, None), 7.0), Phase::Successful);
        assert_eq!(
            judge(&metric(None, Some("result[0] > 0.5")), 0.1),
            Phase::Successful
        );
        let empty = Measurement::judge(&both, &Sample::Numbers(vec![]), String::new());
        assert_eq!(empty.phase, Phase::Error);
    }

    fn record(s: &mut MetricState, p: Phase) {
        s.record(Measurement {
            phase: p,
            value: None,
            message: None,
            finished_at: String::new(),
            fatal: false,
        });
    }

    #[test]
    fn errors_are_retried_soon_and_a_fatal_one_ends_the_metric_at_once() {
        let m = metric(None, None);
        let mut s = MetricState::default();
        let mut waits = Vec::new();
        for _ in 0..5 {
            record(&mut s, Phase::Error);
            waits.push(s.next_delay(&m).as_secs());
        }
        assert_eq!(waits, [1, 2, 4, 8, 10]);
        // Default limit 4: the fifth error in a row ends it, 15 s of waiting after the first.
        assert_eq!(s.phase(&m), Phase::Error);
        assert_eq!(waits[..4].iter().sum::<u64>(), 15);

        let mut s = MetricState::default();
        s.record(Measurement::error(
            Unmeasured::fatal("Prometheus answered HTTP 400, bad_data"),
            String::new(),
        ));
        assert_eq!(s.phase(&m), Phase::Error, "not measured again");
        let mut s = MetricState::default();
        s.record(Measurement::error(
            "connection refused".into(),
            String::new(),
        ));
        assert_eq!(s.phase(&m), Phase::Running, "measured again");
    }

    #[test]
    fn limits_and_count_end_a_metric() {
        let mut m = metric(None, None);
        let mut s = MetricState::default();
        assert_eq!(s.next_delay(&m), Duration::ZERO);
        record(&mut s, Phase::Successful);
        assert_eq!(s.phase(&m), Phase::Running);
        assert_eq!(s.next_delay(&m), Duration::from_secs(1));
        record(&mut s, Phase::Error);
        assert_eq!(s.next_delay(&m), Duration::from_secs(1));
        record(&mut s, Phase::Successful);
        assert_eq!(s.phase(&m), Phase::Running, "errors do not count");
        record(&mut s, Phase::Successful);
        assert_eq!(s.phase(&m), Phase::Successful);

        m.failure_limit = 1;
        let mut s = MetricState::default();
        record(&mut s, Phase::Failed);
        assert_eq!(s.phase(&m), Phase::Running, "one failure is allowed");
        record(&mut s, Phase::Failed);
        assert_eq!(s.phase(&m), Phase::Failed);

        m.consecutive_error_limit = 1;
        let mut s = MetricState::default();
        record(&mut s, Phase::Error);
        record(&mut s, Phase::Successful);
        record(&mut s, Phase::Error);
        assert_eq!(s.phase(&m), Phase::Running, "not in a row");
        record(&mut s, Phase::Error);
        assert_eq!(s.phase(&m), Phase::Error);
    }

    #[test]
    fn a_run_takes_its_worst_metric() {
        use Phase::*;
        assert_eq!(run_phase(&[Successful, Successful]), Successful);
        assert_eq!(run_phase(&[Successful, Running]), Running);
        assert_eq!(run_phase(&[Inconclusive, Running]), Inconclusive);
        assert_eq!(run_phase(&[Inconclusive, Failed, Error]), Failed);
        assert_eq!(run_phase(&[Error, Inconclusive]), Error);
    }
}
