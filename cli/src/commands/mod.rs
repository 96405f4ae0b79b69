//! One module per subcommand: its arguments (clap) and its `run`.

use std::process::ExitCode;

use clap::Subcommand;

use crate::exit::CliError;

pub mod assign;
pub mod check;
pub mod plan;

/// The subcommands of `kplace`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a cluster against a policy and list every violation.
    Check(check::CheckArgs),
    /// Plan the fewest moves that bring a cluster back to its policy.
    Plan(plan::PlanArgs),
    /// Place the replicas of a new topic or of new partitions.
    Assign(assign::AssignArgs),
}

/// Runs one subcommand and returns the exit code it chose.
pub fn run(command: Command) -> Result<ExitCode, CliError> {
    match command {
        Command::Check(args) => check::run(args),
        Command::Plan(args) => plan::run(args),
        Command::Assign(args) => assign::run(args),
    }
}
