//! The CLI's error type and its exit codes: one code per kind of outcome, so that scripts and
//! alerts can tell them apart.

use std::process::ExitCode;

/// Exit code: success, nothing to report.
pub const OK: u8 = 0;
/// Exit code: the cluster violates the policy or a checked goal (reported on stdout).
pub const VIOLATIONS: u8 = 1;
/// Exit code: bad input (file, flag, policy, snapshot, plan, address, credentials).
pub const BAD_INPUT: u8 = 2;
/// Exit code: the rules or hard goals cannot be met (explained on stderr).
pub const INFEASIBLE: u8 = 3;
/// Exit code: Kafka failed part-way (a broker went down, a request was rejected); re-run continues.
pub const KAFKA_FAILURE: u8 = 4;
/// Exit code: an internal error (a bug); please report it.
pub const INTERNAL: u8 = 70;

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
    /// A bug: exit 70.
    #[error("internal error: {0}")]
    Internal(String),
}

impl CliError {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(match self {
            CliError::BadInput(_) => BAD_INPUT,
            CliError::Infeasible(_) => INFEASIBLE,
            CliError::Kafka(_) => KAFKA_FAILURE,
            CliError::Internal(_) => INTERNAL,
        })
    }
}

/// Shorthand for a bad-input error.
pub fn bad_input(message: impl Into<String>) -> CliError {
    CliError::BadInput(message.into())
}
