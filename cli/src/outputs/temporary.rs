//! Temporary files beside the outputs: short fixed-length names (`.kplace-PID-N.tmp`, never
//! longer than 40 bytes whatever the target's name, so a 255-byte target name works) that are
//! removed when dropped unless they were renamed into place.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

static NEXT: AtomicU64 = AtomicU64::new(0);

/// A file this process created, removed on drop unless [`Temporary::disarm`]ed.
#[derive(Debug)]
pub struct Temporary {
    path: PathBuf,
    armed: bool,
}

fn next_name(dir: &Path) -> PathBuf {
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    dir.join(format!(".kplace-{}-{n}.tmp", std::process::id()))
}

impl Temporary {
    /// Creates a new empty temporary in `dir`, returning it open for writing.
    pub fn create(dir: &Path) -> io::Result<(Temporary, File)> {
        loop {
            let path = next_name(dir);
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(file) => return Ok((Temporary { path, armed: true }, file)),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// A second name for `target` in `dir`: a hard link, or a copy where links are not possible.
    pub fn backup_of(target: &Path, dir: &Path) -> io::Result<Temporary> {
        loop {
            let path = next_name(dir);
            match fs::hard_link(target, &path) {
                Ok(()) => return Ok(Temporary { path, armed: true }),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(_) => {
                    let (temporary, mut copy) = Temporary::create(dir)?;
                    io::copy(&mut File::open(target)?, &mut copy)?;
                    copy.sync_all()?;
                    return Ok(temporary);
                }
            }
        }
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Keeps the file: it was renamed into place, or must survive for the user.
    pub fn disarm(&mut self) {
        self.armed = false;
    }
}

impl Drop for Temporary {
    fn drop(&mut self) {
        if self.armed {
            let _ = fs::remove_file(&self.path);
        }
    }
}
