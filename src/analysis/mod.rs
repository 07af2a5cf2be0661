//! Running an analysis: each metric measured on its own schedule (initial delay, interval,
//! count), concurrently, until every metric has its verdict or one ends badly, which stops
//! the rest as Argo's run does. Waiting is a timer, so an idle analysis costs no CPU.

mod http;
mod prometheus;
mod web;

use std::cell::RefCell;

use tokio::sync::watch;

use crate::model::analysis::{
    Measurement, Metric, MetricReport, MetricState, Phase, Provider, Report, run_phase,
};

pub use prometheus::ADDRESS_ENV;

fn now() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

async fn measure(http: &mut http::Http, metric: &Metric) -> Measurement {
    let sample = match &metric.provider {
        Provider::Prometheus(p) => prometheus::measure(http, p).await,
        Provider::Web(w) => web::measure(http, w).await,
    };
    match sample {
        Ok(s) => Measurement::judge(metric, &s, now()),
        Err(e) => Measurement::error(e, now()),
    }
}

/// Run `metrics` to a verdict; `progress` sees each measurement as it is taken.
pub async fn run(metrics: &[Metric], progress: &mut dyn FnMut(&str, &Measurement)) -> Report {
    let (stop, stopped) = watch::channel(false);
    let progress = RefCell::new(progress);
    let reports = futures::future::join_all(
        metrics
            .iter()
            .map(|m| one(m, stop.clone(), stopped.clone(), &progress)),
    )
    .await;
    let phases: Vec<Phase> = reports.iter().map(|r| r.phase).collect();
    Report {
        phase: run_phase(&phases),
        metrics: reports,
    }
}

type Progress<'a> = RefCell<&'a mut dyn FnMut(&str, &Measurement)>;

/// One metric, measured on its schedule until its verdict or until `stopped`.
async fn one(
    metric: &Metric,
    stop: watch::Sender<bool>,
    mut stopped: watch::Receiver<bool>,
    progress: &Progress<'_>,
) -> MetricReport {
    let mut http = http::Http::default();
    let mut state = MetricState::default();
    loop {
        let delay = state.next_delay(metric);
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = stopped.wait_for(|s| *s) => break,
        }
        let m = tokio::select! {
            m = measure(&mut http, metric) => m,
            _ = stopped.wait_for(|s| *s) => break,
        };
        (progress.borrow_mut())(&metric.name, &m);
        state.record(m);
        let phase = state.phase(metric);
        if phase.is_done() {
            if phase > Phase::Successful {
                // The first metric to end badly ends the run.
                let _ = stop.send(true);
            }
            break;
        }
    }
    MetricReport {
        name: metric.name.clone(),
        phase: state.phase(metric),
        state,
    }
}
