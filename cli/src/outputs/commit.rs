//! Writing a checked set of outputs all or nothing:
//!
//! 1. every regular file is written in full to a temporary beside it and synced;
//! 2. standard output, FIFOs and devices are written (they cannot be taken back, so they come
//!    before any file is replaced; if one fails, no file is replaced);
//! 3. when more than one existing file is to be replaced, each gets a second name (a hard link,
//!    else a copy), so that a rename failing part-way can put back the ones already replaced;
//! 4. the temporaries are renamed over their targets, new files first, existing ones last (so a
//!    single existing file needs no second name); on a failure the renamed ones are restored (or
//!    removed, if they did not exist) and the error names both.
//!
//! Every temporary is removed on every way out, a panic included (drop guards).

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use super::target::Destination;
use super::temporary::Temporary;
use crate::exit::CliError;

/// One output with its contents.
#[derive(Debug)]
pub struct Entry {
    /// The flag and the path as given, for messages.
    pub name: String,
    /// Where it goes.
    pub destination: Destination,
    /// What to write.
    pub contents: Vec<u8>,
}

struct Staged<'a> {
    name: &'a str,
    target: &'a Path,
    temporary: Temporary,
    backup: Option<Temporary>,
    existed: bool,
}

/// Writes `entries` all or nothing; `rename` replaces a target by its temporary (`fs::rename`
/// outside tests).
pub fn commit(
    entries: &[Entry],
    rename: &mut dyn FnMut(&Path, &Path) -> io::Result<()>,
) -> Result<(), CliError> {
    let io_error = |name: &str, what: &str, e: io::Error| {
        CliError::Io(format!("{name}: {what}: {e}; nothing was written"))
    };
    let mut staged = Vec::new();
    for entry in entries {
        if let Destination::File { path, existing } = &entry.destination {
            let dir = path.parent().unwrap_or(Path::new("/"));
            let (temporary, mut file) = Temporary::create(dir)
                .map_err(|e| io_error(&entry.name, "cannot create a temporary file", e))?;
            file.write_all(&entry.contents)
                .and_then(|()| file.sync_all())
                .map_err(|e| io_error(&entry.name, "cannot write", e))?;
            if let Some(meta) = existing {
                file.set_permissions(meta.permissions())
                    .map_err(|e| io_error(&entry.name, "cannot set permissions", e))?;
            }
            staged.push(Staged {
                name: &entry.name,
                target: path,
                temporary,
                backup: None,
                existed: existing.is_some(),
            });
        }
    }
    write_streams(entries, !staged.is_empty())?;
    // New files first: removing them undoes them. An existing file renamed last needs no backup.
    staged.sort_by_key(|s| s.existed);
    if staged.iter().filter(|s| s.existed).count() > 1 {
        for s in staged.iter_mut().filter(|s| s.existed) {
            let dir = s.target.parent().unwrap_or(Path::new("/"));
            s.backup = Some(Temporary::backup_of(s.target, dir).map_err(|e| {
                io_error(s.name, "cannot keep the old version while replacing it", e)
            })?);
        }
    }
    for index in 0..staged.len() {
        let s = &staged[index];
        if let Err(e) = rename(s.temporary.path(), s.target) {
            let restored = restore(&mut staged[..index]);
            return Err(CliError::Io(format!(
                "{}: cannot replace: {e}; {restored}",
                staged[index].name
            )));
        }
        staged[index].temporary.disarm();
    }
    if let Some(dir) = staged.first().and_then(|s| s.target.parent()) {
        let _ = fs::File::open(dir).and_then(|d| d.sync_all());
    }
    Ok(())
}

/// Writes the entries that go to standard output, FIFOs and devices.
fn write_streams(entries: &[Entry], files_pending: bool) -> Result<(), CliError> {
    for entry in entries {
        let result = match &entry.destination {
            Destination::Stdout => {
                let mut out = io::stdout().lock();
                out.write_all(&entry.contents).and_then(|()| out.flush())
            }
            Destination::Device(file) => {
                let mut file = file;
                file.write_all(&entry.contents).and_then(|()| file.flush())
            }
            Destination::File { .. } => continue,
        };
        if let Err(e) = result {
            let pending = if files_pending {
                "; no file was written"
            } else {
                ""
            };
            return Err(match (&entry.destination, e.kind()) {
                (Destination::Stdout, io::ErrorKind::BrokenPipe) => {
                    CliError::ClosedPipe(files_pending.then(|| {
                        format!(
                            "standard output closed while writing {}{pending}",
                            entry.name
                        )
                    }))
                }
                _ => CliError::Io(format!("{}: cannot write: {e}{pending}", entry.name)),
            });
        }
    }
    Ok(())
}

/// Puts back the targets already replaced; says what happened, for the error message.
fn restore(replaced: &mut [Staged]) -> String {
    let mut failures = Vec::new();
    for s in replaced.iter_mut().rev() {
        let result = match &mut s.backup {
            Some(backup) => fs::rename(backup.path(), s.target).map(|()| backup.disarm()),
            None if s.existed => Err(io::Error::other("no second name was kept")),
            None => fs::remove_file(s.target),
        };
        if let Err(e) = result {
            if let Some(backup) = &mut s.backup {
                backup.disarm();
                failures.push(format!(
                    "{}: could not be restored ({e}); its previous content is in {}",
                    s.name,
                    backup.path().display()
                ));
            } else {
                failures.push(format!("{}: could not be removed again ({e})", s.name));
            }
        }
    }
    if failures.is_empty() {
        "nothing was changed".to_string()
    } else {
        failures.join("; ")
    }
}
