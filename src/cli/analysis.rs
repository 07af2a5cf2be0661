//! The flags of the analysis gates: `analyze`, `autopilot`, and `approve --analysis`.

use std::time::Duration;

use clap::{Args, ValueEnum};
use clap_complete::ArgValueCompleter;

use super::{DataFormat, WriteFlags, completers, parse_duration};

pub const TEMPLATE_FORMS: &str = "\
Templates are Argo Rollouts' AnalysisTemplate or ClusterAnalysisTemplate
(argoproj.io/v1alpha1): a FILE (one template, several documents or a List; `-` for stdin), or
analysistemplate/NAME or clusteranalysistemplate/NAME from the cluster. Providers prometheus
and web; conditions are CEL over `result` (result[0] < 0.01 reads as in Argo; see
docs/analysis.md for what differs). Args filled in from the rollout where the template
declares them: rollout, namespace, step, canary-hash, stable-hash, workload; in a release
train (autopilot --one-by-one), cluster: the name of the cluster being driven.";

pub const ANALYSIS_EXIT_CODES: &str = "\
Exit codes:
  0  the analysis was Successful (and, for autopilot, the release completed)
  1  error, or the analysis could not measure (Error: provider down, query error, ...)
  2  bad command line or template
  3  timed out
  4  the analysis Failed (autopilot: after --on-failure), or the release failed (a train:
     the code of the cluster it stopped at; 1 if an --undo-train undo failed)
  5  refused: the rollout is not in a state where the action applies
  6  the analysis was Inconclusive (nothing approved)";

/// Where a template comes from, and the args it is given.
#[derive(Debug, Clone, Default, Args)]
pub struct TemplateArgs {
    /// Give a template arg a value (repeatable); it must be one the template declares
    #[arg(long = "arg", value_name = "NAME=VALUE", value_parser = parse_arg)]
    pub args: Vec<(String, String)>,
}

fn parse_arg(s: &str) -> Result<(String, String), String> {
    crate::model::analysis::parse_arg(s)
}

/// `--analysis-step N=TEMPLATE`.
fn parse_step_template(s: &str) -> Result<(i64, String), String> {
    let (n, t) = s
        .split_once('=')
        .ok_or_else(|| format!("expected STEP=TEMPLATE, got {s:?}"))?;
    let n: i64 = n
        .trim()
        .parse()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| format!("{n:?} is not a step number (1, 2, ...)"))?;
    if t.trim().is_empty() {
        return Err(format!("no template after {n}="));
    }
    Ok((n, t.trim().to_string()))
}

#[derive(Debug, Clone, Args)]
pub struct AnalyzeArgs {
    /// The rollout (NAME, rollout/NAME) whose release the metrics judge
    #[arg(required = true, value_name = "TARGET", num_args = 1..=2, add = ArgValueCompleter::new(completers::targets))]
    pub resource: Vec<String>,

    /// The analysis template: FILE, -, analysistemplate/NAME or clusteranalysistemplate/NAME
    /// (repeatable: the templates run as one analysis)
    #[arg(long = "template", required = true, value_name = "TEMPLATE")]
    pub templates: Vec<String>,

    #[command(flatten)]
    pub template: TemplateArgs,

    /// Give up after this long (exit 3); by default the templates' schedule ends it
    #[arg(long, value_name = "DURATION", default_value = "0", value_parser = parse_duration, hide_default_value = true)]
    pub timeout: Duration,

    /// Every measurement for scripts instead of a table
    #[arg(short = 'o', long, value_enum, value_name = "FORMAT")]
    pub output: Option<DataFormat>,

    /// Do not record the verdict as a Kubernetes Event on the rollout
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value_t = false, action = clap::ArgAction::Set, value_name = "BOOL", hide_default_value = true, hide_possible_values = true)]
    pub no_event: bool,
}

/// What autopilot does when an analysis fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnFailure {
    /// Roll the release back (rollout undo)
    Undo,
    /// Pause the rollout where it is
    Pause,
    /// Change nothing; only stop
    None,
}

#[derive(Debug, Clone, Args)]
pub struct AutopilotArgs {
    /// The rollout (NAME, rollout/NAME) to drive
    #[arg(required = true, value_name = "TARGET", num_args = 1..=2, add = ArgValueCompleter::new(completers::targets))]
    pub resource: Vec<String>,

    /// The template every step waiting for approval is judged by: FILE, -,
    /// analysistemplate/NAME or clusteranalysistemplate/NAME (repeatable)
    #[arg(long = "analysis", required = true, value_name = "TEMPLATE")]
    pub analysis: Vec<String>,

    /// Judge step N by this template instead (repeatable: one per step)
    #[arg(long = "analysis-step", value_name = "N=TEMPLATE", value_parser = parse_step_template)]
    pub analysis_step: Vec<(i64, String)>,

    #[command(flatten)]
    pub template: TemplateArgs,

    /// What to do when an analysis fails: undo the release, pause it, or nothing
    #[arg(long, value_enum, default_value = "undo", value_name = "ACTION")]
    pub on_failure: OnFailure,

    /// Give up after this long (exit 3), leaving the release where it is
    ///
    /// In a train, this bounds each cluster's part, its bake included.
    #[arg(long, value_name = "DURATION", default_value = "0", value_parser = parse_duration, hide_default_value = true)]
    pub timeout: Duration,

    /// A release train: each cluster to its end, in order, before the next is touched
    ///
    /// A release train over the clusters of --contexts or --member-clusters: drive the
    /// release in each to its end, in the order given, before the next is touched; stop at
    /// the first that fails, acting (--on-failure) in that cluster only. A template arg named
    /// `cluster` is filled with each cluster's name.
    #[arg(long)]
    pub one_by_one: bool,

    /// Once the release completed, keep measuring it this long (a failure acts as above)
    ///
    /// After the release completes, keep measuring it by --analysis for this long before
    /// the command ends (in a train: before the next cluster starts); the first failing
    /// measurement is acted on as --on-failure says.
    #[arg(long, value_name = "DURATION", default_value = "0", value_parser = parse_duration, hide_default_value = true)]
    pub bake: Duration,

    /// A failed train also undoes the clusters it completed, newest first
    ///
    /// With --one-by-one --on-failure=undo: when a cluster fails, undo the clusters the
    /// train already completed too, newest first, each back to the revision before this
    /// release.
    #[arg(long)]
    pub undo_train: bool,

    /// Continue a stopped train here, the clusters before it checked, not written
    ///
    /// With --one-by-one: continue a stopped train at this cluster, once each cluster before
    /// it is checked (read, not written) to have completed its release; else exit 5.
    #[arg(long, value_name = "CLUSTER")]
    pub resume_from: Option<String>,

    /// A report of every step and measurement for scripts, at the end
    ///
    /// A report of every step and measurement for scripts, at the end; in a train, a JSON
    /// document (line) per event as it happens, each naming its cluster.
    #[arg(short = 'o', long, value_enum, value_name = "FORMAT")]
    pub output: Option<DataFormat>,

    #[command(flatten)]
    pub write: WriteFlags,

    /// In a train, this cluster's place: set by the train, not on the command line.
    #[arg(skip)]
    pub train: Option<TrainPlace>,
}

/// Where one cluster's autopilot stands in a release train.
#[derive(Debug, Clone, Default)]
pub struct TrainPlace {
    /// The cluster's name (a context or a member), which fills a template's `cluster` arg.
    pub cluster: String,
    /// Its place, from 1, of `of` clusters.
    pub position: usize,
    pub of: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_templates_need_a_step_and_a_template() {
        assert_eq!(
            parse_step_template("2=analysistemplate/slow").unwrap(),
            (2, "analysistemplate/slow".to_string())
        );
        assert!(parse_step_template("0=t.yaml").is_err());
        assert!(parse_step_template("x=t.yaml").is_err());
        assert!(parse_step_template("2=").is_err());
        assert!(parse_step_template("t.yaml").is_err());
    }
}
