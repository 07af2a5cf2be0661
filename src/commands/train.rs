//! `autopilot --one-by-one`: a release train. The release is driven to its end in one
//! cluster (autopilot, exactly as it runs alone, in the cluster's output scope), then in the
//! next; the first cluster that does not get there stops the train. `--on-failure` acts in
//! that cluster only (autopilot does it), `--undo-train` also in the clusters already done,
//! newest first; the clusters after it are never connected to.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{Value, json};

use super::follow::workload_state;
use super::reach::Target;
use super::{emit, run_in, usage};
use crate::cli::{AutopilotArgs, DryRun, OnFailure, RolloutCommand, TrainPlace};
use crate::cluster::{Cluster, ConnectOptions, RolloutApi, RolloutRef, TargetRef};
use crate::exit::{Code, Failure, code_for, is_broken_pipe};
use crate::model::train::{End, completed, resume_command, summary};
use crate::model::{decode, display_name};
use crate::output::{self, Scope, Shown};

pub async fn run(
    targets: &[Target],
    opts: &ConnectOptions,
    args: &AutopilotArgs,
    warnings_as_errors: bool,
) -> Result<Code> {
    let names: Vec<String> = targets.iter().map(|t| t.name.clone()).collect();
    let start = match &args.resume_from {
        None => 0,
        Some(c) => names.iter().position(|n| n == c).ok_or_else(|| {
            usage(&format!(
                "--resume-from={c} is not one of the train's clusters ({})",
                names.join(", ")
            ))
        })?,
    };
    let rollout = super::autopilot::check(args)?;
    let train = Train {
        names: &names,
        opts,
        args,
        rollout,
        view: View::new(&names),
        at: std::cell::Cell::new(start),
    };
    // Ctrl-C while a cluster's autopilot runs is its own (it stops between writes, and the
    // train says where); between two clusters' runs (connecting, checking, undoing) it
    // stops the train here, with the same words. `biased`: the train hears it first.
    let result = tokio::select! {
        biased;
        r = train.go(targets, start, warnings_as_errors) => r,
        _ = tokio::signal::ctrl_c() => Ok((Code::Interrupted, train.interrupted())),
    };
    train.view.clear();
    let (end_code, line) = result?;
    event(
        args,
        json!({"event": "TrainEnded", "code": end_code as i32, "message": line}),
    )?;
    eprintln!("{line}");
    Ok(end_code)
}

struct Train<'a> {
    names: &'a [String],
    opts: &'a ConnectOptions,
    args: &'a AutopilotArgs,
    rollout: RolloutRef,
    view: View,
    /// The cluster the train is at (checking, driving or undoing).
    at: std::cell::Cell<usize>,
}

impl Train<'_> {
    /// The train from cluster `start`: its exit code and last line.
    async fn go(
        &self,
        targets: &[Target],
        start: usize,
        warnings_as_errors: bool,
    ) -> Result<(Code, String)> {
        let mut done: Vec<String> = Vec::new();
        // A resumed train checks, and only reads, the clusters before it.
        for (i, t) in targets[..start].iter().enumerate() {
            self.at.set(i);
            self.view.set(&t.name, "checking");
            if let Err(e) = self.check_complete(t).await {
                self.view.set(&t.name, "not complete");
                return Err(e);
            }
            self.view.set(&t.name, "done (checked)");
            done.push(t.name.clone());
        }
        for (i, t) in targets.iter().enumerate().skip(start) {
            self.at.set(i);
            self.view.set(&t.name, "starting");
            let mut a = self.args.clone();
            a.train = Some(TrainPlace {
                cluster: t.name.clone(),
                position: i + 1,
                of: targets.len(),
            });
            let scope = Scope::new(
                &t.name,
                Shown {
                    live: true,
                    docs: self.args.output.map(output::Docs::from),
                    stream_docs: true,
                    rows: false,
                },
            );
            let ticker = self.view.follow(&t.name, scope.clone());
            let res = output::scoped(scope.clone(), async {
                let cluster = t.connect(self.opts).await?;
                run_in(
                    cluster,
                    RolloutCommand::Autopilot(a),
                    None,
                    warnings_as_errors,
                )
                .await
            })
            .await;
            ticker.abort();
            let held = scope.finish();
            output::show(&t.name, &held.lines)?;
            let err = match res {
                Ok(Code::Ok) => {
                    self.view.set(&t.name, "done");
                    self.result(&t.name, "completed")?;
                    done.push(t.name.clone());
                    continue;
                }
                Ok(code) => anyhow::anyhow!("autopilot ended with exit code {}", code as i32),
                Err(e) if is_broken_pipe(&e) => return Err(e),
                Err(e) => e,
            };
            let code = code_for(&err);
            let resume = resume_command(&std::env::args().collect::<Vec<_>>(), &t.name);
            if code == Code::Interrupted {
                return Ok((code, self.interrupted()));
            }
            let why = format!("{err:#}");
            self.view.set(&t.name, "failed");
            self.result(&t.name, &format!("stopped the train ({})", code.word()))?;
            output::above_view(|| eprintln!("{}", output::tag(&t.name, &format!("error: {why}"))));
            let mut acted = Vec::new();
            let mut code = code;
            if self.args.undo_train && self.args.on_failure == OnFailure::Undo {
                for name in done.iter().rev() {
                    let at = self.names.iter().position(|n| n == name).unwrap_or(0);
                    self.at.set(at);
                    let target = &targets[at];
                    self.view.set(name, "undoing");
                    match self.undo(target).await {
                        Ok(line) => {
                            self.view.set(name, "undone");
                            self.said(name, &line)?;
                            acted.push((name.clone(), format!("undone in {name}")));
                            event(
                                self.args,
                                json!({"event": "Undone", "cluster": name, "message": line}),
                            )?;
                        }
                        Err(e) => {
                            self.view.set(name, "undo failed");
                            acted.push((name.clone(), format!("undo failed in {name}: {e:#}")));
                            code = Code::Error;
                        }
                    }
                }
            }
            for later in &self.names[i + 1..] {
                self.result(later, "not started")?;
            }
            let end = End {
                clusters: self.names,
                done: &done,
                stopped: Some((&t.name, why)),
                acted: &acted,
                resume: Some(resume),
            };
            return Ok((code, summary(&end)));
        }
        let end = End {
            clusters: self.names,
            done: &done,
            stopped: None,
            acted: &[],
            resume: None,
        };
        Ok((Code::Ok, summary(&end)))
    }

    /// A cluster's result on stdout, `[eu] rollout.rollouts.kruise.io/web completed`, as
    /// every many-clusters command prints its results (`-o`: the events say it instead).
    fn result(&self, cluster: &str, what: &str) -> Result<()> {
        let line = format!("{} {what}", display_name(&self.rollout.name));
        self.said(cluster, &line)
    }

    /// A line of `cluster`'s on stdout, tagged, above the live view.
    fn said(&self, cluster: &str, line: &str) -> Result<()> {
        if self.args.output.is_some() {
            return Ok(());
        }
        let text = format!("{}\n", output::tag(cluster, line));
        output::above_view(|| emit(&text))
    }

    /// The last line of a train stopped by Ctrl-C at the cluster it is at.
    fn interrupted(&self) -> String {
        let i = self.at.get();
        let name = self.names.get(i).map_or("", String::as_str);
        self.view.set(name, "interrupted");
        let resume = resume_command(&std::env::args().collect::<Vec<_>>(), name);
        format!(
            "release train interrupted at {name} ({}/{}): nothing half-done, the release there \
             is left where it was; to continue: {resume}",
            i + 1,
            self.names.len()
        )
    }

    async fn connect(&self, t: &Target) -> Result<Cluster> {
        let mut cluster = t.connect(self.opts).await?;
        cluster.field_manager = self.args.write.field_manager.clone();
        cluster.audit = !self.args.write.no_event;
        Ok(cluster)
    }

    /// A cluster before the one a train resumes from: its release must have completed.
    async fn check_complete(&self, t: &Target) -> Result<()> {
        let api = RolloutApi::new(self.connect(t).await?);
        let name = display_name(&self.rollout.name);
        let fetched = api.get(&self.rollout).await.with_context(|| {
            format!("cannot resume the train: cannot read {name} in {}", t.name)
        })?;
        let r = decode(&fetched.object).with_context(|| format!("cannot read {name}"))?;
        let w = workload_state(&api, &r, |_| {}).await?;
        completed(&r, w.as_ref()).map_err(|why| {
            Failure::Refused(format!(
                "cannot resume the train from {}: {name} in {} is not complete: {why}; nothing \
                 was written (finish or undo it there first, or resume from {})",
                self.args.resume_from.as_deref().unwrap_or(""),
                t.name,
                t.name
            ))
        })?;
        self.result(&t.name, "complete (checked, nothing written)")?;
        event(
            self.args,
            json!({"event": "Checked", "cluster": t.name, "rollout": self.rollout.name}),
        )
    }

    /// `--undo-train`: back to the revision before this release in a cluster already done.
    async fn undo(&self, t: &Target) -> Result<String> {
        let api = RolloutApi::new(self.connect(t).await?);
        let target = TargetRef::Rollout(RolloutRef {
            name: self.rollout.name.clone(),
            version: self.rollout.version,
        });
        let undone = super::undo::roll_back(&api, target, None, DryRun::None).await?;
        Ok(undone.line)
    }
}

/// A train event as a document, with `-o json|yaml`.
fn event(args: &AutopilotArgs, doc: Value) -> Result<()> {
    super::autopilot::event_doc(args.output, &doc)
}

/// The live view on a terminal: a line per cluster (waiting, its autopilot's status,
/// done, failed). Hidden elsewhere: a pipe gets the tagged lines only.
struct View {
    multi: Option<MultiProgress>,
    bars: Vec<(String, ProgressBar)>,
}

impl View {
    fn new(names: &[String]) -> View {
        use std::io::IsTerminal;
        if !std::io::stderr().is_terminal() {
            return View {
                multi: None,
                bars: Vec::new(),
            };
        }
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let width = names.iter().map(|n| n.len()).max().unwrap_or(0);
        let style = ProgressStyle::with_template("{prefix} {spinner} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        let bars = names
            .iter()
            .map(|n| {
                let bar = multi.add(ProgressBar::new_spinner());
                bar.set_style(style.clone());
                bar.set_prefix(format!("{n:width$}"));
                bar.set_message("waiting");
                (n.clone(), bar)
            })
            .collect();
        output::set_view(Some(multi.clone()));
        View {
            multi: Some(multi),
            bars,
        }
    }

    fn bar(&self, name: &str) -> Option<&ProgressBar> {
        self.bars.iter().find(|(n, _)| n == name).map(|(_, b)| b)
    }

    fn set(&self, name: &str, text: &str) {
        if let Some(b) = self.bar(name) {
            b.set_message(text.to_string());
            b.tick();
        }
    }

    /// Show the status of the autopilot running in `scope` on its cluster's line while it
    /// runs; abort the handle when it ends.
    fn follow(&self, name: &str, scope: Arc<Scope>) -> tokio::task::JoinHandle<()> {
        let bar = self.bar(name).cloned();
        tokio::spawn(async move {
            let Some(bar) = bar else { return };
            let mut seen = String::new();
            loop {
                let now = scope.status();
                if seen != now && !now.is_empty() {
                    bar.set_message(now.clone());
                    seen = now;
                }
                bar.tick();
                tokio::time::sleep(Duration::from_millis(120)).await;
            }
        })
    }

    fn clear(&self) {
        if let Some(m) = &self.multi {
            // The lines stay as the train left them; later lines go below.
            for (_, b) in &self.bars {
                b.abandon();
            }
            let _ = m;
            output::set_view(None);
        }
    }
}
