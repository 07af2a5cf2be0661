//! Acting on many objects at once: each on its own, a bounded number in flight, results in
//! a stable order, a summary line, and one exit code for mixed outcomes.

use std::future::Future;

use anyhow::Result;
use futures::StreamExt;
use serde::Serialize;
use serde_json::Value;

use super::write::Outcome;
use super::{emit, report};
use crate::cli::ObjectFormat;
use crate::cluster::select::Item;
use crate::exit::{Code, code_for, is_broken_pipe};
use crate::render;

/// Requests in flight at once: enough that a hundred objects take about as long as a few,
/// few enough not to look like a flood to the API server's priority and fairness.
pub const IN_FLIGHT: usize = 8;

/// The result for one object, as `-o json|yaml` prints it.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub kind: String,
    pub namespace: String,
    pub name: String,
    /// `approved`, `paused`, `unchanged`, `refused`, `failed`, ...
    pub result: String,
    pub message: String,
    #[serde(skip)]
    pub code: Code,
}

/// How severe a per-object exit code is when several are combined: an error outweighs a
/// failed rollout, which outweighs a timeout, then an inconclusive analysis, then a refusal.
fn severity(c: Code) -> u8 {
    match c {
        Code::Ok => 0,
        Code::Refused => 1,
        Code::Inconclusive => 2,
        Code::TimedOut => 3,
        Code::RolloutFailed => 4,
        Code::Usage => 5,
        Code::Error => 6,
        Code::Interrupted => 7,
    }
}

/// The exit code of a run over several objects (documented in `--help` and the README).
pub fn combined(codes: impl IntoIterator<Item = Code>) -> Code {
    codes
        .into_iter()
        .max_by_key(|c| severity(*c))
        .unwrap_or(Code::Ok)
}

/// `12 approved, 3 unchanged, 1 refused`: counts in order of first appearance.
pub fn summary_line(reports: &[Report]) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for r in reports {
        match counts.iter_mut().find(|(w, _)| *w == r.result) {
            Some((_, n)) => *n += 1,
            None => counts.push((&r.result, 1)),
        }
    }
    counts
        .iter()
        .map(|(w, n)| format!("{n} {w}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The document `-o json|yaml` prints for several objects.
pub fn list_doc(reports: &[Report]) -> Value {
    serde_json::json!({"apiVersion": "v1", "kind": "List", "items": reports})
}

impl Report {
    /// The report of one object: its result word and line, or the error that ended it.
    pub fn new(item: &Item, res: Result<(String, String), &anyhow::Error>) -> Report {
        let (result, message, code) = match res {
            Ok((result, message)) => (result, message, Code::Ok),
            Err(e) => {
                let code = code_for(e);
                let word = match code {
                    Code::Refused => "refused",
                    Code::TimedOut => "timed out",
                    Code::RolloutFailed => "rollout failed",
                    Code::Inconclusive => "inconclusive",
                    _ => "failed",
                };
                (word.to_string(), format!("{e:#}"), code)
            }
        };
        Report {
            kind: item.target.kind().to_string(),
            namespace: item.namespace.clone(),
            name: item.target.name().to_string(),
            result,
            message,
            code,
        }
    }
}

fn report_of(item: &Item, res: &Result<Outcome>) -> Report {
    Report::new(
        item,
        res.as_ref().map(|o| (o.result.clone(), o.message.clone())),
    )
}

/// Print one object's result as `-o` asks, its notes on stderr.
pub fn show(outcome: &Outcome, display: &str, output: Option<ObjectFormat>) -> Result<()> {
    for note in &outcome.notes {
        crate::errln!("note: {note}");
    }
    super::print_object(&outcome.object, display, &outcome.message, output)
}

/// Run `one` for every item. With a single item named on the command line (`single`) the
/// output is as for one object: the result line (or the object with `-o`), and its error
/// is the command's error. Otherwise every item is attempted, results print in item order
/// as they become known, and a summary line ends the run on stderr.
pub async fn run_all<F, Fut>(
    items: Vec<Item>,
    single: bool,
    output: Option<ObjectFormat>,
    one: F,
) -> Result<Code>
where
    F: Fn(Item) -> Fut,
    Fut: Future<Output = Result<Outcome>>,
{
    if single && items.len() == 1 {
        let item = items.into_iter().next().expect("one item");
        let display = item.target.display();
        let outcome = one(item).await?;
        if !outcome.shown {
            show(&outcome, &display, output)?;
        }
        return Ok(Code::Ok);
    }
    let mut reports = Vec::with_capacity(items.len());
    let results = futures::stream::iter(items)
        .map(|item| {
            let fut = one(item.clone());
            async move { (item, fut.await) }
        })
        .buffered(IN_FLIGHT);
    futures::pin_mut!(results);
    let interrupted = tokio::signal::ctrl_c();
    futures::pin_mut!(interrupted);
    loop {
        let (item, res) = tokio::select! {
            next = results.next() => match next {
                Some(r) => r,
                None => break,
            },
            // Each write is one request: an object is either written or untouched.
            _ = &mut interrupted => {
                crate::errln!("interrupted: {} (the rest untouched)", summary_line(&reports));
                return Ok(Code::Interrupted);
            }
        };
        let rep = report_of(&item, &res);
        match (&res, output) {
            (Ok(o), None) => {
                for note in &o.notes {
                    crate::errln!("note: {note}");
                }
                emit(&format!("{}\n", o.message))?;
            }
            (Ok(_), Some(ObjectFormat::Name)) => emit(&format!("{}\n", item.target.display()))?,
            (Err(e), _) if is_broken_pipe(e) => {
                return Ok(combined(reports.iter().map(|r| r.code)));
            }
            (Err(e), _) => report(e),
            _ => {}
        }
        reports.push(rep);
    }
    match output {
        Some(ObjectFormat::Json) => emit(&render::json(&list_doc(&reports))?)?,
        Some(ObjectFormat::Yaml) => emit(&render::yaml(&list_doc(&reports))?)?,
        _ => {}
    }
    crate::errln!("{}", summary_line(&reports));
    Ok(combined(reports.iter().map(|r| r.code)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rep(result: &str, code: Code) -> Report {
        Report {
            kind: "Rollout".into(),
            namespace: "ns".into(),
            name: "x".into(),
            result: result.into(),
            message: String::new(),
            code,
        }
    }

    #[test]
    fn mixed_outcomes_take_the_most_severe_code() {
        assert_eq!(combined([Code::Ok, Code::Ok]), Code::Ok);
        assert_eq!(combined([Code::Ok, Code::Refused]), Code::Refused);
        assert_eq!(
            combined([Code::Refused, Code::Error, Code::RolloutFailed]),
            Code::Error
        );
        assert_eq!(combined([Code::TimedOut, Code::Refused]), Code::TimedOut);
        assert_eq!(combined([]), Code::Ok);
    }

    #[test]
    fn the_summary_counts_each_result() {
        let reports = [
            rep("approved", Code::Ok),
            rep("unchanged", Code::Ok),
            rep("approved", Code::Ok),
            rep("refused", Code::Refused),
        ];
        assert_eq!(summary_line(&reports), "2 approved, 1 unchanged, 1 refused");
        let doc = list_doc(&reports[..1]);
        assert_eq!(doc["kind"], "List");
        assert_eq!(
            doc["items"][0],
            serde_json::json!({"kind": "Rollout", "namespace": "ns", "name": "x", "result": "approved", "message": ""})
        );
    }
}
