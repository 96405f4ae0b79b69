//! A command's outputs, written together or not at all, and never over anything they must not
//! replace.
//!
//! [`Outputs::prepare`] runs before anything is computed: it resolves every output flag's path
//! (`-` is standard output, for every output flag), refuses (exit 2, naming the flag and path) an
//! output that is the same file as an input (device and inode, so `./s.json`, absolute paths and
//! hard links are caught), two outputs naming one file, a missing directory, a directory, a path
//! under a regular file, a name longer than the file system allows, and anything not writable;
//! it opens FIFOs (waiting a bounded time for a reader) and character devices, which are written
//! through and never replaced. [`Outputs::commit`] then writes everything all or nothing
//! (see [`commit`]); text for standard output is committed with the files.

mod commit;
mod sys;
mod target;
mod temporary;

use std::io;
use std::path::{Path, PathBuf};

use target::{Destination, FileId, Identity, Resolved};

use crate::exit::{bad_input, CliError};

struct Slot {
    flag: &'static str,
    given: PathBuf,
    destination: Destination,
    contents: Option<Vec<u8>>,
}

/// A set of checked outputs waiting for their contents.
pub struct Outputs {
    slots: Vec<Slot>,
    stdout_text: Option<Vec<u8>>,
}

impl Outputs {
    /// Checks every output (`(flag, path)`, absent flags as `None`) against each other and against
    /// the command's `inputs` (`(flag, path)` of every file it reads).
    pub fn prepare(
        inputs: &[(&'static str, &Path)],
        outputs: &[(&'static str, Option<&Path>)],
    ) -> Result<Outputs, CliError> {
        let stdout = FileId::of_stdout();
        let mut resolved: Vec<Resolved> = Vec::new();
        for &(flag, path) in outputs {
            let Some(path) = path else { continue };
            let r = Resolved::new(flag, path, stdout).map_err(bad_input)?;
            // Standard output redirected onto an input (`--out - >> s.json`) counts too.
            let id = match r.identity {
                Identity::Stdout => stdout,
                _ => r.file_id(),
            };
            if let Some(id) = id {
                if let Some((input_flag, input)) = inputs
                    .iter()
                    .find(|(_, input)| FileId::of_path(input) == Some(id))
                {
                    return Err(bad_input(format!(
                        "{flag} {}: is the same file as {input_flag} {}; kplace never writes over its inputs",
                        path.display(),
                        input.display()
                    )));
                }
            }
            if let Some(other) = resolved.iter().find(|o| o.identity == r.identity) {
                let what = match r.identity {
                    Identity::Stdout => "standard output".to_string(),
                    _ => "one file".to_string(),
                };
                return Err(bad_input(format!(
                    "{} {} and {flag} {} both name {what}; give each output its own file",
                    other.flag,
                    other.given.display(),
                    path.display()
                )));
            }
            resolved.push(r);
        }
        let slots = resolved
            .into_iter()
            .map(|r| {
                let (flag, given) = (r.flag, r.given.clone());
                r.open().map_err(bad_input).map(|destination| Slot {
                    flag,
                    given,
                    destination,
                    contents: None,
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Outputs {
            slots,
            stdout_text: None,
        })
    }

    /// Whether `flag` was given.
    pub fn wants(&self, flag: &str) -> bool {
        self.slots.iter().any(|s| s.flag == flag)
    }

    /// Whether an output goes to standard output (then the command's own text goes to stderr).
    pub fn uses_stdout(&self) -> bool {
        self.slots
            .iter()
            .any(|s| matches!(s.destination, Destination::Stdout))
    }

    /// Sets the contents of output `flag` (ignored when the flag was not given).
    pub fn set(&mut self, flag: &str, contents: Vec<u8>) {
        if let Some(slot) = self.slots.iter_mut().find(|s| s.flag == flag) {
            slot.contents = Some(contents);
        }
    }

    /// The command's report for standard output, written with the outputs (before any file is
    /// replaced, so that a closed pipe commits nothing); it goes to standard error instead when
    /// an output is `-`.
    pub fn set_stdout_text(&mut self, text: Vec<u8>) {
        self.stdout_text = Some(text);
    }

    /// Writes everything, all or nothing.
    pub fn commit(self) -> Result<(), CliError> {
        self.commit_with(&mut |from, to| std::fs::rename(from, to))
    }

    fn commit_with(
        self,
        rename: &mut dyn FnMut(&Path, &Path) -> io::Result<()>,
    ) -> Result<(), CliError> {
        let to_stderr = self.uses_stdout();
        let mut entries = Vec::new();
        for slot in self.slots {
            let contents = slot.contents.ok_or_else(|| {
                CliError::Internal(format!("{}: no contents were produced", slot.flag))
            })?;
            entries.push(commit::Entry {
                name: format!("{} {}", slot.flag, slot.given.display()),
                destination: slot.destination,
                contents,
            });
        }
        let mut stderr_text = None;
        if let Some(text) = self.stdout_text {
            if to_stderr {
                stderr_text = Some(text);
            } else {
                // Last of the streams: written only once every FIFO and device took its output.
                entries.push(commit::Entry {
                    name: "the report".to_string(),
                    destination: Destination::Stdout,
                    contents: text,
                });
            }
        }
        commit::commit(&entries, rename)?;
        if let Some(text) = stderr_text {
            let _ = io::Write::write_all(&mut io::stderr().lock(), &text);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
