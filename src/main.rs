use std::process::ExitCode;

use clap::Parser;

use kubectl_kruise::cli::Cli;
use kubectl_kruise::commands;
use kubectl_kruise::exit::{Code, code_for, is_broken_pipe};

fn main() -> ExitCode {
    // clap exits 2 on a bad command line and 0 for --help / --version.
    let cli = Cli::parse();
    match commands::run(cli) {
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
