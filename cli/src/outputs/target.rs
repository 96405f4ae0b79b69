//! One output path, resolved and checked before anything is computed: what it is (standard
//! output, a device or FIFO written through, a regular file replaced by rename) and which file it
//! is (device and inode), so that an output that is an input, or two outputs naming one file, are
//! caught whatever the spelling (`./s.json`, an absolute path, a hard link, a symbolic link).

use std::ffi::OsString;
use std::fs::{self, File, Metadata, OpenOptions};
use std::io;
use std::os::fd::AsFd;
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::sys;
use super::temporary::Temporary;

/// How long an output FIFO may wait for its reader before the command is refused.
pub const FIFO_READER_WAIT: Duration = Duration::from_secs(10);

/// The identity of a file: the same device and inode is the same file, whatever the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileId {
    dev: u64,
    ino: u64,
}

impl FileId {
    /// The identity of the file `meta` describes.
    pub fn of(meta: &Metadata) -> FileId {
        FileId {
            dev: meta.dev(),
            ino: meta.ino(),
        }
    }

    /// The identity of the file at `path` (following symbolic links), if it exists.
    pub fn of_path(path: &Path) -> Option<FileId> {
        fs::metadata(path).ok().map(|m| FileId::of(&m))
    }

    /// The identity of what standard output is connected to.
    pub fn of_stdout() -> Option<FileId> {
        let fd = io::stdout().as_fd().try_clone_to_owned().ok()?;
        File::from(fd).metadata().ok().map(|m| FileId::of(&m))
    }
}

/// Which file an output names, for finding two outputs that name one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// Standard output.
    Stdout,
    /// An existing file.
    File(FileId),
    /// A file still to be created: its directory's real path joined with its name.
    New(PathBuf),
}

/// An output path, resolved without side effects.
#[derive(Debug)]
pub struct Resolved {
    /// The flag, e.g. `--out`.
    pub flag: &'static str,
    /// The path as given.
    pub given: PathBuf,
    /// Which file it is.
    pub identity: Identity,
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    Stdout,
    Fifo,
    CharDevice,
    Existing { real: PathBuf, meta: Metadata },
    New { dir: PathBuf, name: OsString },
}

/// Where an output goes, once checked.
#[derive(Debug)]
pub enum Destination {
    /// Standard output.
    Stdout,
    /// A FIFO or character device, already open, written through (never replaced).
    Device(File),
    /// A regular file, written beside `path` and renamed over it. `existing`: its metadata when
    /// it exists (its permissions carry over).
    File {
        /// The real path (symbolic links resolved).
        path: PathBuf,
        /// The target's metadata when it exists.
        existing: Option<Metadata>,
    },
}

impl Resolved {
    /// Resolves `path` of `flag`: `-` is standard output, so is a path that is the same file as
    /// standard output (`/dev/stdout`).
    pub fn new(
        flag: &'static str,
        path: &Path,
        stdout: Option<FileId>,
    ) -> Result<Resolved, String> {
        let refuse = |reason: String| format!("{flag} {}: {reason}", path.display());
        let (identity, kind) = if path.as_os_str() == "-" {
            (Identity::Stdout, Kind::Stdout)
        } else {
            match fs::metadata(path) {
                Ok(meta) => {
                    let id = FileId::of(&meta);
                    let file_type = meta.file_type();
                    if Some(id) == stdout {
                        (Identity::Stdout, Kind::Stdout)
                    } else if file_type.is_dir() {
                        return Err(refuse("is a directory; give a file name".into()));
                    } else if file_type.is_file() {
                        let real = fs::canonicalize(path)
                            .map_err(|e| refuse(format!("cannot resolve: {e}")))?;
                        (Identity::File(id), Kind::Existing { real, meta })
                    } else if file_type.is_fifo() {
                        (Identity::File(id), Kind::Fifo)
                    } else if file_type.is_char_device() {
                        (Identity::File(id), Kind::CharDevice)
                    } else {
                        return Err(refuse(
                            "is not a regular file, FIFO or character device".into(),
                        ));
                    }
                }
                Err(e)
                    if e.kind() == io::ErrorKind::NotFound
                        || matches!(e.raw_os_error(), Some(libc::ENOTDIR | libc::ENAMETOOLONG)) =>
                {
                    if fs::symlink_metadata(path).is_ok() {
                        return Err(refuse(
                            "is a symbolic link to a missing file; name the file itself".into(),
                        ));
                    }
                    let (dir, name) = new_file(path).map_err(refuse)?;
                    (Identity::New(dir.join(&name)), Kind::New { dir, name })
                }
                Err(e) => return Err(refuse(format!("cannot use: {e}"))),
            }
        };
        Ok(Resolved {
            flag,
            given: path.to_path_buf(),
            identity,
            kind,
        })
    }

    /// The identity of the file it names, when that file exists.
    pub fn file_id(&self) -> Option<FileId> {
        match self.identity {
            Identity::File(id) => Some(id),
            _ => None,
        }
    }

    /// Checks that the output can be written (and opens devices and FIFOs): the directory takes
    /// a new file, the name fits the file system, the file is writable.
    pub fn open(self) -> Result<Destination, String> {
        let refuse = |reason: String| format!("{} {}: {reason}", self.flag, self.given.display());
        match self.kind {
            Kind::Stdout => Ok(Destination::Stdout),
            Kind::CharDevice => OpenOptions::new()
                .write(true)
                .open(&self.given)
                .map(Destination::Device)
                .map_err(|e| refuse(format!("cannot open for writing: {e}"))),
            Kind::Fifo => open_fifo(&self.given)
                .map(Destination::Device)
                .map_err(refuse),
            Kind::Existing { real, meta } => {
                sys::check_writable(&real).map_err(|e| refuse(format!("not writable: {e}")))?;
                let dir = real.parent().unwrap_or(Path::new("/"));
                probe(dir).map_err(refuse)?;
                Ok(Destination::File {
                    path: real,
                    existing: Some(meta),
                })
            }
            Kind::New { dir, name } => {
                let limit = sys::name_max(&dir);
                if name.len() > limit {
                    return Err(refuse(format!(
                        "the file name is {} bytes, longer than this file system allows ({limit})",
                        name.len()
                    )));
                }
                probe(&dir).map_err(refuse)?;
                Ok(Destination::File {
                    path: dir.join(name),
                    existing: None,
                })
            }
        }
    }
}

/// The real directory and the name of a file still to be created at `path`.
fn new_file(path: &Path) -> Result<(PathBuf, OsString), String> {
    let name = match path.file_name() {
        Some(name) if !path.as_os_str().as_encoded_bytes().ends_with(b"/") => name.to_owned(),
        _ => return Err("is not a file name".into()),
    };
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    match fs::metadata(parent) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => return Err(format!("{} is not a directory", parent.display())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(format!("directory {} does not exist", parent.display()))
        }
        Err(e) => return Err(format!("directory {}: {e}", parent.display())),
    }
    let dir = fs::canonicalize(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    Ok((dir, name))
}

/// Checks that `dir` takes new files: creates a temporary and removes it again.
fn probe(dir: &Path) -> Result<(), String> {
    sys::check_writable(dir)
        .map_err(|e| format!("directory {} is not writable: {e}", dir.display()))?;
    Temporary::create(dir)
        .map(drop)
        .map_err(|e| format!("cannot create files in {}: {e}", dir.display()))
}

/// Opens a FIFO for writing, waiting at most [`FIFO_READER_WAIT`] for a reader.
fn open_fifo(path: &Path) -> Result<File, String> {
    let deadline = Instant::now() + FIFO_READER_WAIT;
    loop {
        match OpenOptions::new()
            .write(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(path)
        {
            Ok(file) => {
                sys::set_blocking(&file).map_err(|e| format!("cannot open for writing: {e}"))?;
                return Ok(file);
            }
            Err(e) if e.raw_os_error() == Some(libc::ENXIO) && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) if e.raw_os_error() == Some(libc::ENXIO) => {
                return Err(format!(
                    "is a FIFO that nobody reads (waited {} s)",
                    FIFO_READER_WAIT.as_secs()
                ))
            }
            Err(e) => return Err(format!("cannot open for writing: {e}")),
        }
    }
}
