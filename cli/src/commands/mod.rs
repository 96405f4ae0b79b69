//! One module per subcommand: its arguments (clap) and its `run`.

use std::process::ExitCode;

use clap::Subcommand;

use crate::exit::CliError;

pub mod analyze;
pub mod apply;
pub mod assign;
pub mod cancel;
pub mod check;
pub mod heal;
pub mod plan;
pub mod report;
pub mod snapshot;
pub mod status;

/// The subcommands of `kplace`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a cluster against a policy and list every violation.
    Check(check::CheckArgs),
    /// Plan the fewest moves that bring a cluster back to its policy.
    Plan(plan::PlanArgs),
    /// Place the replicas of a new topic or of new partitions.
    Assign(assign::AssignArgs),
    /// What losing each failure domain or broker does: partitions offline and under min ISR.
    Analyze(analyze::AnalyzeArgs),
    /// Write the HTML preview of a saved plan.
    Report(report::ReportArgs),
    /// Take a snapshot of a running cluster.
    Snapshot(snapshot::SnapshotArgs),
    /// Apply a plan to a running cluster, in batches, and wait until it is done.
    Apply(apply::ApplyArgs),
    /// Show the reassignments in flight and their progress.
    Status(status::StatusArgs),
    /// Cancel reassignments in flight and remove replication throttles.
    Cancel(cancel::CancelArgs),
    /// Heal the cluster periodically: check, plan and (with --execute) apply.
    Heal(heal::HealArgs),
}

/// Runs one subcommand and returns the exit code it chose.
pub fn run(command: Command) -> Result<ExitCode, CliError> {
    match command {
        Command::Check(args) => check::run(args),
        Command::Plan(args) => plan::run(args),
        Command::Assign(args) => assign::run(args),
        Command::Analyze(args) => analyze::run(args),
        Command::Report(args) => report::run(args),
        Command::Snapshot(args) => snapshot::run(args),
        Command::Apply(args) => apply::run(args),
        Command::Status(args) => status::run(args),
        Command::Cancel(args) => cancel::run(args),
        Command::Heal(args) => heal::run(args),
    }
}
