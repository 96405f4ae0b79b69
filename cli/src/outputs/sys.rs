//! The three POSIX calls output checks need that std does not wrap, through rustix's safe
//! bindings: `access(2)` (may this process write here, as the kernel decides, so also for root
//! and read-only mounts), the file system's name limit (`statvfs`'s `f_namemax`, what
//! `pathconf(_PC_NAME_MAX)` reports) and `fcntl(F_SETFL)` (a FIFO opened without blocking is
//! switched back to blocking writes).

use std::io;
use std::os::fd::AsFd;
use std::path::Path;

use rustix::fs::{Access, OFlags};

/// Whether the kernel would let this process write `path` (`access(path, W_OK)`).
pub fn check_writable(path: &Path) -> io::Result<()> {
    rustix::fs::access(path, Access::WRITE_OK).map_err(io::Error::from)
}

/// The longest file name the file system of directory `dir` accepts (255 when unknown).
pub fn name_max(dir: &Path) -> usize {
    rustix::fs::statvfs(dir)
        .ok()
        .and_then(|stats| usize::try_from(stats.f_namemax).ok())
        .filter(|&n| n > 0)
        .unwrap_or(255)
}

/// Clears `O_NONBLOCK` on an open file.
pub fn set_blocking(file: &impl AsFd) -> io::Result<()> {
    let flags = rustix::fs::fcntl_getfl(file)?;
    rustix::fs::fcntl_setfl(file, flags & !OFlags::NONBLOCK)?;
    Ok(())
}
