//! The exit-code contract, the same for every verb, and the typed failures that choose a code.

use std::process::ExitCode;

/// Exit codes as documented in `--help` and the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    Ok = 0,
    Error = 1,
    Usage = 2,
    TimedOut = 3,
    RolloutFailed = 4,
    Refused = 5,
    /// An analysis could not tell: neither Successful nor Failed.
    Inconclusive = 6,
    Interrupted = 130,
}

impl Code {
    /// The code in a word or two, as summaries name it.
    pub fn word(self) -> &'static str {
        match self {
            Code::Ok => "ok",
            Code::Error => "error",
            Code::Usage => "bad command line",
            Code::TimedOut => "timed out",
            Code::RolloutFailed => "rollout failed",
            Code::Refused => "refused",
            Code::Inconclusive => "inconclusive",
            Code::Interrupted => "interrupted",
        }
    }
}

impl From<Code> for ExitCode {
    fn from(c: Code) -> Self {
        ExitCode::from(c as u8)
    }
}

/// Failures a caller (or a CI script, through the exit code) must tell apart. Everything
/// else is an `anyhow` error with context, and exits 1.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// The rollout is not in a state where the action applies; nothing was written.
    #[error("{0}")]
    Refused(String),
    /// The rollout failed, was cancelled, rolled back, disabled or deleted.
    #[error("{0}")]
    RolloutFailed(String),
    #[error("{0}")]
    TimedOut(String),
    /// An analysis gate's metrics failed (exit 4, as a failed release: nothing approved).
    #[error("{0}")]
    AnalysisFailed(String),
    /// An analysis gate's metrics were inconclusive (nothing approved).
    #[error("{0}")]
    Inconclusive(String),
    #[error("interrupted")]
    Interrupted,
    /// A command-line argument that clap could not check (a malformed resource name).
    #[error("{0}")]
    Usage(String),
}

impl Failure {
    pub fn code(&self) -> Code {
        match self {
            Failure::Refused(_) => Code::Refused,
            Failure::RolloutFailed(_) => Code::RolloutFailed,
            Failure::TimedOut(_) => Code::TimedOut,
            Failure::AnalysisFailed(_) => Code::RolloutFailed,
            Failure::Inconclusive(_) => Code::Inconclusive,
            Failure::Interrupted => Code::Interrupted,
            Failure::Usage(_) => Code::Usage,
        }
    }
}

/// The exit code for an error that ended the command.
pub fn code_for(err: &anyhow::Error) -> Code {
    err.chain()
        .find_map(|e| e.downcast_ref::<Failure>())
        .map(Failure::code)
        .unwrap_or(Code::Error)
}

/// True when the error is only a closed stdout (`kubectl kruise ... | head`): not a failure.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn typed_failures_keep_their_code_under_context() {
        let err = Err::<(), _>(Failure::Refused("not paused".into()))
            .context("cannot approve rollout/demo")
            .unwrap_err();
        assert_eq!(code_for(&err), Code::Refused);
        assert_eq!(code_for(&anyhow::anyhow!("boom")), Code::Error);
    }

    #[test]
    fn broken_pipe_is_recognised_through_context() {
        let io = std::io::Error::new(std::io::ErrorKind::BrokenPipe, "closed");
        let err = anyhow::Error::new(io).context("writing output");
        assert!(is_broken_pipe(&err));
        assert!(!is_broken_pipe(&anyhow::anyhow!("other")));
    }
}
