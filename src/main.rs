use std::process::ExitCode;

use clap::FromArgMatches;

use kubectl_kruise::cli::{self, Cli, Command};
use kubectl_kruise::exit::{Code, code_for, is_broken_pipe};
use kubectl_kruise::{commands, complete};

/// Installed (or linked) as `kubectl-kruise-rollout`, kubectl runs this binary for
/// `kubectl kruise rollout ...` (it picks the longest matching plugin name) with the words
/// after `rollout`, so a Go `kubectl-kruise` beside it keeps serving its other commands.
fn args() -> Vec<std::ffi::OsString> {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let invoked_as = args
        .first()
        .and_then(|a| std::path::Path::new(a).file_stem())
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    if invoked_as == "kubectl-kruise-rollout" {
        // `__complete WORDS`: the words are those after `rollout`.
        let at = if args.get(1).is_some_and(|a| a == "__complete") {
            2
        } else {
            1
        };
        args.insert(at, "rollout".into());
    }
    args
}

fn main() -> ExitCode {
    // Argument completers offer the cluster's names.
    complete::install();
    // A shell's TAB: `COMPLETE=SHELL kubectl-kruise -- WORDS` answers and exits here.
    complete::shell_callback();
    // clap exits 2 on a bad command line and 0 for --help / --version.
    let cli = cli::command()
        .try_get_matches_from(args())
        .and_then(|m| Cli::from_arg_matches(&m))
        .unwrap_or_else(|e| cli::with_tips(e).exit());
    let result = match cli.command {
        Command::Complete { words } => complete::run(words),
        Command::Completion { shell } => complete::print_script(shell),
        _ => commands::run(cli),
    };
    match result {
        Ok(code) => code.into(),
        // `kubectl kruise rollout list | head`: a closed pipe is not a failure.
        Err(e) if is_broken_pipe(&e) => Code::Ok.into(),
        // Ctrl-C: the screen already shows where things stood, as with kubectl.
        Err(e) if code_for(&e) == Code::Interrupted => Code::Interrupted.into(),
        Err(e) => {
            commands::report(&e);
            code_for(&e).into()
        }
    }
}
