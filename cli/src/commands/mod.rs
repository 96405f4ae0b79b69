//! One module per subcommand: its arguments (clap) and its `run`.

use std::process::ExitCode;

use clap::Subcommand;

use crate::exit::CliError;

/// The subcommands of `kplace`.
#[derive(Debug, Subcommand)]
pub enum Command {}

/// Runs one subcommand and returns the exit code it chose.
pub fn run(command: Command) -> Result<ExitCode, CliError> {
    match command {}
}
