//! The CLI's error type and its exit codes: one code per kind of outcome, so that scripts and
//! alerts can tell them apart.

use std::process::ExitCode;

/// Exit code: success, nothing to report.
pub const OK: u8 = 0;
/// Exit code: the cluster violates the policy or a checked goal (reported on stdout).
pub const VIOLATIONS: u8 = 1;
/// Exit code: bad input (file, flag, policy, snapshot, plan, address, credentials), including an
/// output path that cannot be used (missing directory, a directory, not writable, one of the
/// inputs): all found before anything is computed or written.
pub const BAD_INPUT: u8 = 2;
/// Exit code: the rules or hard goals cannot be met (explained on stderr).
pub const INFEASIBLE: u8 = 3;
/// Exit code: Kafka failed part-way (a broker went down, a request was rejected); re-run continues.
pub const KAFKA_FAILURE: u8 = 4;
/// Exit code base of a stop by a signal: 128 + the signal (130 Ctrl-C, 143 SIGTERM), as shells
/// report a process a signal ended; kplace stopped submitting and cleaned up first.
pub const SIGNAL_BASE: u8 = 128;
/// Exit code: an internal error (a bug); please report it.
pub const INTERNAL: u8 = 70;
/// Exit code: the environment failed while outputs were written (disk full, I/O error, standard
/// output unwritable), after every check passed; nothing was committed. `EX_IOERR` of sysexits.h.
pub const IO_ERROR: u8 = 74;
/// Exit code: standard output was closed by its reader (`kplace check | head -1`); the status a
/// shell reports for a process that SIGPIPE ended (128 + 13). Nothing is committed after it.
pub const CLOSED_PIPE: u8 = 141;

/// Why a command failed. Every variant's message names the file, field, broker or partition.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Bad input: exit 2.
    #[error("{0}")]
    BadInput(String),
    /// Rules or hard goals cannot be met: exit 3.
    #[error("{0}")]
    Infeasible(String),
    /// Kafka failed during the command: exit 4.
    #[error("{0}")]
    Kafka(String),
    /// Stopped by a signal after cleaning up: exit 128 + the signal.
    #[error("{1}")]
    Stopped(i32, String),
    /// A bug: exit 70.
    #[error("internal error: {0}")]
    Internal(String),
    /// Writing an output failed for a reason of the environment: exit 74.
    #[error("{0}")]
    Io(String),
    /// Standard output was closed: exit 141, quietly unless outputs were discarded because of it
    /// (then the message says which).
    #[error("{}", .0.as_deref().unwrap_or("standard output closed"))]
    ClosedPipe(Option<String>),
}

impl CliError {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.code())
    }

    /// The process exit code for this error, as a number.
    pub fn code(&self) -> u8 {
        match self {
            CliError::BadInput(_) => BAD_INPUT,
            CliError::Infeasible(_) => INFEASIBLE,
            CliError::Kafka(_) => KAFKA_FAILURE,
            CliError::Stopped(signal, _) => SIGNAL_BASE.saturating_add(*signal as u8),
            CliError::Internal(_) => INTERNAL,
            CliError::Io(_) => IO_ERROR,
            CliError::ClosedPipe(_) => CLOSED_PIPE,
        }
    }

    /// Whether the error is worth a message on stderr (a closed pipe is not, unless it cost
    /// outputs).
    pub fn message(&self) -> Option<String> {
        match self {
            CliError::ClosedPipe(None) => None,
            other => Some(other.to_string()),
        }
    }
}

/// Shorthand for a bad-input error.
pub fn bad_input(message: impl Into<String>) -> CliError {
    CliError::BadInput(message.into())
}
