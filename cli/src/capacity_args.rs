//! `--capacity FILE`: per-broker capacities (kplace's format or Cruise Control's, see
//! `kplace_placement::capacity_file`) laid over the snapshot's.
//!
//! Precedence, per broker and dimension: the file's entry for the broker, else the file's
//! default, else what the snapshot holds (given in a snapshot file, or reported by the brokers
//! when `--bootstrap-server` takes it), else unknown. The file is read and checked before any
//! connection is made, and checked against the cluster's brokers once the snapshot is there.

use std::path::{Path, PathBuf};

use clap::Args;
use kplace_placement::capacity_file::{parse_capacity_file, CapacityFile};
use kplace_placement::snapshot::Snapshot;

use crate::exit::{bad_input, CliError};
use crate::files::read_bytes;

/// The `--capacity` flag.
#[derive(Debug, Clone, Args)]
pub struct CapacityArgs {
    /// Broker capacities (YAML or JSON): kplace's format (`default:` and `brokers:` with
    /// `disk_bytes`, `network_in_bytes_per_second`, `network_out_bytes_per_second`,
    /// `cpu_percent`) or Cruise Control's capacity.json (`brokerCapacities`, brokerId "-1" the
    /// default, DISK in MB, NW_IN/NW_OUT in KB/s, CPU in percent or num.cores). Overrides the
    /// snapshot's capacities, also those the brokers report.
    #[arg(long, value_name = "FILE")]
    pub capacity: Option<PathBuf>,
}

impl CapacityArgs {
    /// The file this flag reads, if any (outputs must not be it).
    pub fn inputs(&self) -> Vec<(&'static str, &Path)> {
        self.capacity
            .iter()
            .map(|path| ("--capacity", path.as_path()))
            .collect()
    }

    /// Reads and checks the file on its own (before the cluster is known).
    pub fn read(&self) -> Result<Option<CapacityFile>, CliError> {
        let Some(path) = &self.capacity else {
            return Ok(None);
        };
        let bytes = read_bytes(path)?;
        let text = String::from_utf8(bytes)
            .map_err(|e| bad_input(format!("{}: not UTF-8 text: {e}", path.display())))?;
        parse_capacity_file(&text, &path.display().to_string())
            .map(Some)
            .map_err(|e| bad_input(e.to_string()))
    }
}

/// Lays `file`'s capacities over `snapshot`'s, recording them as from the file. Refused (exit
/// 2): a broker the file lists that the snapshot lacks, a broker the file leaves out when it has
/// no default.
pub fn apply(file: &CapacityFile, snapshot: &mut Snapshot) -> Result<(), CliError> {
    let overridden = file
        .lay_over(snapshot)
        .map_err(|e| bad_input(e.to_string()))?;
    if overridden > 0 {
        crate::print::stderr_line(&format!(
            "kplace: note: {}: capacities replace the snapshot's on {overridden} broker(s)",
            file.origin
        ));
    }
    Ok(())
}
