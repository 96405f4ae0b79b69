//! Reading inputs (outputs are [`crate::outputs`]).

use std::path::Path;

use kplace_optimizer::plan::Plan;
use kplace_placement::policy::Policy;
use kplace_placement::snapshot::Snapshot;

use crate::exit::{bad_input, CliError};

/// Reads a file whole, with an error that names it.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).map_err(|e| bad_input(format!("{}: cannot read: {e}", path.display())))
}

/// Reads and parses a snapshot file.
pub fn read_snapshot(path: &Path) -> Result<Snapshot, CliError> {
    let bytes = read_bytes(path)?;
    kplace_placement::parse::parse_snapshot(&bytes, &path.display().to_string())
        .map_err(|e| bad_input(e.to_string()))
}

/// Reads and parses a policy file (YAML or JSON).
pub fn read_policy(path: &Path) -> Result<Policy, CliError> {
    let bytes = read_bytes(path)?;
    let text = String::from_utf8(bytes)
        .map_err(|e| bad_input(format!("{}: not UTF-8 text: {e}", path.display())))?;
    kplace_placement::parse::parse_policy(&text, &path.display().to_string())
        .map_err(|e| bad_input(e.to_string()))
}

/// Reads and parses a plan (PLAN.json), checked against itself (version, each partition once,
/// replica lists, totals); unknown fields are accepted.
pub fn read_plan(path: &Path) -> Result<Plan, CliError> {
    let bytes = read_bytes(path)?;
    Plan::parse(&bytes, &path.display().to_string()).map_err(|e| bad_input(e.to_string()))
}
