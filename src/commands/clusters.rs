//! One command in several clusters: kubeconfig contexts (`--contexts`, `--all-contexts`) or
//! a hub's member clusters (`--member-clusters`). Each cluster runs the command exactly as
//! it runs alone, inside its own output scope, which tags its lines with the cluster's
//! name and gathers its documents; the exit code is combined as for several objects.

use std::sync::Arc;

use anyhow::Result;
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use serde_json::Value;

use super::bulk::combined;
use super::options::connect_options;
use super::reach::{Target, targets};
use super::{emit, run_in, usage};
use crate::cli::{ClusterArgs, DryRun, RolloutCommand};
use crate::cluster::ConnectOptions;
use crate::cluster::select::Selection;
use crate::exit::{Code, code_for, is_broken_pipe};
use crate::output::{self, Docs, Held, Scope, Shown};
use crate::render;

/// What the cluster flags and the command say together, checked before any connection.
pub fn check(args: &ClusterArgs, cmd: &RolloutCommand) -> Result<()> {
    let contexts = !args.contexts.is_empty() || args.all_contexts;
    if !args.contexts.is_empty() && args.all_contexts {
        return Err(usage(
            "--contexts names contexts and --all-contexts takes every one: give one of them",
        ));
    }
    if contexts && args.context.is_some() {
        return Err(usage(
            "--context names one context and --contexts several: give one of them",
        ));
    }
    if contexts && !args.member_clusters.is_empty() {
        return Err(usage(
            "--member-clusters reaches the members through the current context's hub: \
             it cannot be combined with --contexts or --all-contexts",
        ));
    }
    if contexts && args.server.is_some() {
        return Err(usage(
            "--server names one API server: it cannot be combined with --contexts or --all-contexts",
        ));
    }
    if args.contexts.iter().any(|c| c.is_empty())
        || args.member_clusters.iter().any(|m| m.is_empty())
    {
        return Err(usage(
            "an empty cluster name in --contexts or --member-clusters",
        ));
    }
    if args.member_clusters.len() > 1 && args.member_clusters.iter().any(|m| m == "all") {
        return Err(usage(
            "--member-clusters=all takes every member: give it alone, or name the members",
        ));
    }
    let many = args.many_clusters();
    if let RolloutCommand::Approve(a) = cmd
        && a.one_by_one
    {
        if !many {
            return Err(usage(
                "--one-by-one goes from cluster to cluster: give the clusters with --contexts, \
                 --all-contexts or --member-clusters",
            ));
        }
        if a.write.dry_run != DryRun::None {
            return Err(usage(
                "--one-by-one waits for each cluster to take the step: it cannot be combined \
                 with --dry-run",
            ));
        }
    }
    if let RolloutCommand::Autopilot(a) = cmd
        && a.one_by_one
        && !many
    {
        return Err(usage(
            "--one-by-one drives one cluster after another: give the clusters with --contexts, \
             --all-contexts or --member-clusters",
        ));
    }
    if many && reads_stdin(cmd) {
        return Err(usage(
            "a template from stdin (-) can be read only once: with several clusters, give a \
             file or analysistemplate/NAME",
        ));
    }
    Ok(())
}

fn reads_stdin(cmd: &RolloutCommand) -> bool {
    let templates: Vec<&String> = match cmd {
        RolloutCommand::Approve(a) => a.analysis.iter().collect(),
        RolloutCommand::Analyze(a) => a.templates.iter().collect(),
        RolloutCommand::Autopilot(a) => a
            .analysis
            .iter()
            .chain(a.analysis_step.iter().map(|(_, t)| t))
            .collect(),
        _ => Vec::new(),
    };
    templates.iter().any(|t| t.as_str() == "-")
}

/// How the clusters' runs are laid out.
enum Layout {
    /// Each cluster's output held and shown whole, in the clusters' order.
    Held,
    /// Lines shown as they come, tagged; with `fail_fast` the first cluster that fails ends
    /// the others' waits (`status --until`).
    Live { fail_fast: bool },
    /// One cluster after another, stopping at the first that does not succeed.
    Train,
    /// `list --watch`: one live view of every cluster's rollouts.
    Fleet,
    /// `autopilot --one-by-one`: a release train judged by its metrics.
    AutopilotTrain,
}

fn layout(cmd: &RolloutCommand) -> Layout {
    match cmd {
        RolloutCommand::Approve(a) if a.one_by_one => Layout::Train,
        RolloutCommand::Approve(a) if a.wait.is_some() => Layout::Live { fail_fast: false },
        RolloutCommand::Status(a) if a.until.is_some() => Layout::Live { fail_fast: true },
        RolloutCommand::Status(a) if a.watch => Layout::Live { fail_fast: false },
        RolloutCommand::Autopilot(a) if a.one_by_one => Layout::AutopilotTrain,
        RolloutCommand::Autopilot(_) => Layout::Live { fail_fast: false },
        RolloutCommand::List(a) if a.watch => Layout::Fleet,
        _ => Layout::Held,
    }
}

/// What one cluster's run came to.
struct Ran {
    name: String,
    code: Code,
}

/// Run `cmd` in every cluster the flags name.
pub async fn run(args: &ClusterArgs, cmd: RolloutCommand, sel: Option<Selection>) -> Result<Code> {
    let targets = targets(args).await?;
    let opts = connect_options(args);
    let max = usize::from(args.max_clusters_in_flight);
    let docs = cmd.documents().map(Docs::from);
    let run = Run {
        opts: &opts,
        cmd: &cmd,
        sel: &sel,
        docs,
        warnings_as_errors: args.warnings_as_errors,
    };
    let ran = match layout(&cmd) {
        Layout::Held => run.held(&targets, max).await?,
        Layout::Live { fail_fast } => run.live(&targets, max, fail_fast).await?,
        Layout::Train => return run.train(&targets).await,
        Layout::AutopilotTrain => {
            let RolloutCommand::Autopilot(a) = &cmd else {
                unreachable!("the autopilot train layout is autopilot's")
            };
            return super::train::run(&targets, &opts, a, args.warnings_as_errors).await;
        }
        Layout::Fleet => {
            let RolloutCommand::List(a) = &cmd else {
                unreachable!("the fleet layout is list --watch's")
            };
            return super::fleet::run_clusters(&targets, &opts, max, a).await;
        }
    };
    let left: Vec<&str> = targets
        .iter()
        .map(|t| t.name.as_str())
        .filter(|n| !ran.iter().any(|r| r.name == *n))
        .collect();
    eprintln!("{}", summary(&ran, &left));
    Ok(combined(ran.iter().map(|r| r.code)))
}

struct Run<'a> {
    opts: &'a ConnectOptions,
    cmd: &'a RolloutCommand,
    sel: &'a Option<Selection>,
    docs: Option<Docs>,
    warnings_as_errors: bool,
}

impl Run<'_> {
    /// The command in one cluster, in `scope`.
    async fn one(
        &self,
        t: &Target,
        scope: Arc<Scope>,
        gate: Option<&tokio::sync::Semaphore>,
    ) -> (Held, Result<Code>) {
        let res = output::scoped(scope.clone(), async {
            let cluster = match gate {
                // Live runs hold a place only while connecting (an exec login, say): their
                // waits would otherwise keep the clusters after the first few from starting.
                Some(g) => {
                    let _place = g.acquire().await?;
                    t.connect(self.opts).await?
                }
                None => t.connect(self.opts).await?,
            };
            run_in(
                cluster,
                self.cmd.clone(),
                self.sel.clone(),
                self.warnings_as_errors,
            )
            .await
        })
        .await;
        (scope.finish(), res)
    }

    async fn held(&self, targets: &[Target], max: usize) -> Result<Vec<Ran>> {
        let rows = matches!(self.cmd, RolloutCommand::List(a) if a.output.is_none());
        // Run unordered (a slow cluster holds no one else's place), shown in order: each
        // cluster's output waits only for the clusters before it to be shown.
        let mut results = futures::stream::iter(targets.iter().enumerate())
            .map(|(i, t)| async move {
                let scope = Scope::new(
                    &t.name,
                    Shown {
                        docs: self.docs,
                        rows,
                        ..Shown::default()
                    },
                );
                (i, self.one(t, scope, None).await)
            })
            .buffer_unordered(max);
        let mut done = std::collections::BTreeMap::new();
        let (mut ran, mut docs, mut table, mut kinds) = (Vec::new(), Vec::new(), Vec::new(), false);
        while let Some((i, result)) = results.next().await {
            done.insert(i, result);
            while let Some((held, res)) = done.remove(&ran.len()) {
                let t = &targets[ran.len()];
                output::show(&t.name, &held.lines)?;
                docs.extend(held.docs);
                kinds |= held.kinds;
                table.extend(held.rows.into_iter().map(|r| (t.name.clone(), r)));
                ran.push(finish(t, res)?);
            }
        }
        if let RolloutCommand::List(a) = self.cmd
            && rows
        {
            super::list::print_clusters(table, kinds, a.all_namespaces, a.chunk_size as usize)?;
        }
        self.print_docs(docs)?;
        Ok(ran)
    }

    async fn live(&self, targets: &[Target], max: usize, fail_fast: bool) -> Result<Vec<Ran>> {
        let gate = tokio::sync::Semaphore::new(max);
        let gate = &gate;
        let mut pending: FuturesUnordered<_> = targets
            .iter()
            .map(|t| async move {
                let scope = Scope::new(
                    &t.name,
                    Shown {
                        live: true,
                        docs: self.docs,
                        stream_docs: self.streams_docs(),
                        rows: false,
                    },
                );
                (t, self.one(t, scope, Some(gate)).await)
            })
            .collect();
        let (mut ran, mut docs) = (Vec::new(), Vec::new());
        while let Some((t, (held, res))) = pending.next().await {
            output::show(&t.name, &held.lines)?;
            docs.extend(held.docs);
            let r = finish(t, res)?;
            let failed = r.code != Code::Ok;
            ran.push(r);
            // Fail fast: one cluster that cannot get there fails the gate now.
            if fail_fast && failed {
                break;
            }
        }
        // Documents not streamed (`approve --wait`, `autopilot`): one List, once all ended.
        drop(pending);
        self.print_docs(docs)?;
        Ok(ran)
    }

    /// `approve --one-by-one`: a release train.
    async fn train(&self, targets: &[Target]) -> Result<Code> {
        let (mut ran, mut docs): (Vec<Ran>, Vec<Value>) = (Vec::new(), Vec::new());
        for t in targets {
            let scope = Scope::new(
                &t.name,
                Shown {
                    live: true,
                    docs: self.docs,
                    ..Shown::default()
                },
            );
            let (held, res) = self.one(t, scope, None).await;
            output::show(&t.name, &held.lines)?;
            docs.extend(held.docs);
            let r = finish(t, res)?;
            let stop = r.code != Code::Ok;
            ran.push(r);
            if stop {
                break;
            }
        }
        let approved: Vec<&str> = ran
            .iter()
            .filter(|r| r.code == Code::Ok)
            .map(|r| r.name.as_str())
            .collect();
        let untouched: Vec<&str> = targets[ran.len()..]
            .iter()
            .map(|t| t.name.as_str())
            .collect();
        let mut line = format!(
            "release train: approved in {}",
            if approved.is_empty() {
                "none".to_string()
            } else {
                approved.join(", ")
            }
        );
        if let Some(last) = ran.last().filter(|r| r.code != Code::Ok) {
            line.push_str(&format!(
                "; stopped at {} ({})",
                last.name,
                last.code.word()
            ));
        }
        if !untouched.is_empty() {
            line.push_str(&format!("; not approved: {}", untouched.join(", ")));
        }
        self.print_docs(docs)?;
        eprintln!("{line}");
        Ok(ran.last().map_or(Code::Ok, |r| r.code))
    }

    /// A followed status prints a document per change: each goes out as it comes.
    fn streams_docs(&self) -> bool {
        matches!(self.cmd, RolloutCommand::Status(a) if a.watch || a.until.is_some())
    }

    fn print_docs(&self, docs: Vec<Value>) -> Result<()> {
        if self.docs.is_some() && self.streams_docs() {
            return Ok(());
        }
        let Some(format) = self.docs else {
            return Ok(());
        };
        let list = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": docs});
        emit(&match format {
            Docs::Json => render::json(&list)?,
            Docs::Yaml => render::yaml(&list)?,
        })
    }
}

/// A cluster's exit code; its error, if any, on one line naming it.
fn finish(t: &Target, res: Result<Code>) -> Result<Ran> {
    let code = match res {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => return Err(e),
        Err(e) => {
            let code = code_for(&e);
            if code != Code::Interrupted {
                eprintln!("{}", output::tag(&t.name, &format!("error: {e:#}")));
            }
            code
        }
    };
    Ok(Ran {
        name: t.name.clone(),
        code,
    })
}

/// `3 clusters: 2 ok, 1 error (eu)`: counts in order of first appearance, the clusters
/// that did not succeed named; then those not waited for (a gate that failed fast), so
/// that every cluster is counted.
fn summary(ran: &[Ran], left: &[&str]) -> String {
    let mut counts: Vec<(Code, Vec<&str>)> = Vec::new();
    for r in ran {
        match counts.iter_mut().find(|(c, _)| *c == r.code) {
            Some((_, names)) => names.push(&r.name),
            None => counts.push((r.code, vec![&r.name])),
        }
    }
    let parts: Vec<String> = counts
        .iter()
        .map(|(code, names)| match code {
            Code::Ok => format!("{} ok", names.len()),
            other => format!("{} {} ({})", names.len(), other.word(), names.join(", ")),
        })
        .collect();
    let mut parts = parts;
    if !left.is_empty() {
        parts.push(format!(
            "{} not waited for ({})",
            left.len(),
            left.join(", ")
        ));
    }
    let total = ran.len() + left.len();
    let noun = if total == 1 { "cluster" } else { "clusters" };
    format!("{total} {noun}: {}", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ran(name: &str, code: Code) -> Ran {
        Ran {
            name: name.into(),
            code,
        }
    }

    #[test]
    fn the_summary_names_the_clusters_that_did_not_succeed() {
        let line = summary(
            &[
                ran("a", Code::Ok),
                ran("b", Code::Error),
                ran("c", Code::Ok),
                ran("d", Code::Error),
            ],
            &[],
        );
        assert_eq!(line, "4 clusters: 2 ok, 2 error (b, d)");
        // A gate that failed fast counts the clusters it did not wait for, by name.
        let line = summary(&[ran("a", Code::RolloutFailed)], &["b"]);
        assert_eq!(
            line,
            "2 clusters: 1 rollout failed (a), 1 not waited for (b)"
        );
    }
}
