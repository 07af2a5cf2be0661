//! The dashboard runs the CLI's own commands, in-process: each action and each read of a
//! release is a command line, parsed by the same parser and run by the same code as in a
//! terminal, inside an output scope that holds what it prints. So the page's Approve is
//! `rollout approve` (its conditional write, its Event, its fieldManager), and the command
//! line the page shows is exactly what ran.

use clap::FromArgMatches;
use serde_json::Value;

use crate::cli::{Cli, Command};
use crate::cluster::Cluster;
use crate::exit::code_for;
use crate::output::{self, Docs, Scope, Shown, Stream};

/// What one command printed and how it ended.
#[derive(Debug, serde::Serialize)]
pub struct Ran {
    /// The exit code the command line would have ended with.
    pub code: i32,
    pub out: Vec<String>,
    pub err: Vec<String>,
    #[serde(skip)]
    pub docs: Vec<Value>,
}

/// Run `words` (after `kubectl kruise`) in `cluster`; `docs`: it prints `-o json`,
/// gathered as documents.
pub async fn run(cluster: Cluster, words: &[String], docs: bool) -> Ran {
    let argv = std::iter::once("kubectl-kruise".to_string()).chain(words.iter().cloned());
    let parsed = crate::cli::command()
        .try_get_matches_from(argv)
        .and_then(|m| Cli::from_arg_matches(&m));
    let cmd = match parsed.map(|c| c.command) {
        Ok(Command::Rollout(cmd)) => *cmd,
        Ok(_) => return refused(2, "the dashboard runs rollout commands only".into()),
        Err(e) => return refused(2, e.to_string().trim().to_string()),
    };
    let selection = match super::super::check_args(&cmd) {
        Ok(s) => s,
        Err(e) => return refused(code_for(&e) as i32, format!("error: {e:#}")),
    };
    let scope = Scope::new(
        "",
        Shown {
            docs: docs.then_some(Docs::Json),
            ..Shown::default()
        },
    );
    let res = output::scoped(
        scope.clone(),
        super::super::run_in(cluster, cmd, selection, false),
    )
    .await;
    let held = scope.finish();
    let mut ran = Ran {
        code: 0,
        out: Vec::new(),
        err: Vec::new(),
        docs: held.docs,
    };
    for (stream, line) in held.lines {
        let line = line.trim_end_matches('\n').to_string();
        match stream {
            Stream::Out => ran.out.push(line),
            Stream::Err => ran.err.push(line),
        }
    }
    match res {
        Ok(code) => ran.code = code as i32,
        Err(e) => {
            ran.code = code_for(&e) as i32;
            ran.err.push(format!("error: {e:#}"));
        }
    }
    ran
}

fn refused(code: i32, message: String) -> Ran {
    Ran {
        code,
        out: Vec::new(),
        err: vec![message],
        docs: Vec::new(),
    }
}

/// A command line as a person would type it: words with spaces or quotes quoted.
pub fn shell_line(words: &[String]) -> String {
    std::iter::once("kubectl kruise".to_string())
        .chain(words.iter().map(|w| {
            if !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c))
            {
                w.clone()
            } else {
                format!("'{}'", w.replace('\'', r"'\''"))
            }
        }))
        .collect::<Vec<_>>()
        .join(" ")
}
