//! Analysis gates: Argo Rollouts' `AnalysisTemplate` format read into typed metrics, their
//! conditions (CEL over `result`), and how measurements make a metric's and a run's verdict.
//! Pure: the providers that measure live in `crate::analysis`.

mod args;
mod assess;
mod condition;
mod fields;
mod template;

pub use args::{RolloutArgs, parse_arg};
pub use assess::{Measurement, MetricReport, MetricState, Phase, Report, Unmeasured, run_phase};
pub use condition::{Condition, Sample};
pub use template::{Metric, Prometheus, Provider, Template, Web};
