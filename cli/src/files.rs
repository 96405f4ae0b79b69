//! Reading inputs and writing outputs. Outputs are all-or-nothing: every file is first written
//! beside its target under a temporary name, and only when all are written are they renamed into
//! place, so a failure leaves no partial file and no half-updated set of files.

use std::path::{Path, PathBuf};

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

/// A set of output files written together or not at all.
#[derive(Default)]
pub struct Outputs {
    pending: Vec<(PathBuf, Vec<u8>)>,
}

impl Outputs {
    /// Queues `contents` for `path`.
    pub fn add(&mut self, path: &Path, contents: Vec<u8>) {
        self.pending.push((path.to_path_buf(), contents));
    }

    /// Writes every queued file: all temporaries first, then the renames. On any error the
    /// temporaries are removed and no target is touched.
    pub fn commit(self) -> Result<(), CliError> {
        let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
        for (target, contents) in &self.pending {
            let temporary = temporary_path(target);
            if let Err(e) = std::fs::write(&temporary, contents) {
                let _ = std::fs::remove_file(&temporary);
                for (temporary, _) in &staged {
                    let _ = std::fs::remove_file(temporary);
                }
                return Err(bad_input(format!(
                    "{}: cannot write: {e}",
                    target.display()
                )));
            }
            staged.push((temporary, target.clone()));
        }
        for (temporary, target) in &staged {
            std::fs::rename(temporary, target)
                .map_err(|e| bad_input(format!("{}: cannot write: {e}", target.display())))?;
        }
        Ok(())
    }
}

fn temporary_path(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".to_string());
    target.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}
