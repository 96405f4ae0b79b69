//! A scratch directory holding copies of a fixture, kplace run inside it, and the whole
//! directory's state (every entry, every byte) before and after, so that a test can assert that a
//! refused command changed nothing: inputs byte for byte, no output created, no temporary left.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// One entry of a directory tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A regular file and its bytes.
    File(Vec<u8>),
    /// A directory.
    Dir,
    /// A FIFO (never read).
    Fifo,
    /// A symbolic link and where it points.
    Link(PathBuf),
}

/// A scratch directory with the fixture's snapshot and policy.
pub struct Scratch {
    dir: tempfile::TempDir,
}

/// The path of a bundled fixture file.
pub fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(path)
}

/// Lossy UTF-8.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

impl Scratch {
    /// `snapshot.json` and `policy.yaml` of fixtures/`name`.
    pub fn of(name: &str) -> Scratch {
        let dir = tempfile::tempdir().expect("temporary directory");
        for file in ["snapshot.json", "policy.yaml"] {
            fs::copy(fixture(&format!("{name}/{file}")), dir.path().join(file)).expect("copy");
        }
        Scratch { dir }
    }

    /// The stretch fixture (12 brokers, broker 7 down; payments.* at RF 6, the rest at RF 3).
    pub fn stretch() -> Scratch {
        Scratch::of("stretch")
    }

    /// A path inside.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `name` inside, as a string.
    pub fn arg(&self, name: &str) -> String {
        self.path(name).display().to_string()
    }

    /// Writes a file inside.
    pub fn write(&self, name: &str, bytes: &[u8]) {
        fs::write(self.path(name), bytes).expect("write");
    }

    /// Every entry below the directory, by relative path.
    pub fn state(&self) -> BTreeMap<PathBuf, Entry> {
        let mut state = BTreeMap::new();
        walk(self.dir.path(), self.dir.path(), &mut state);
        state
    }

    /// kplace with `args`, run inside the directory, stdout and stderr captured.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("kplace runs")
    }

    /// The command, not yet run.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_kplace"));
        command
            .args(args)
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }

    /// Writes `plan.json` (and nothing else) from the fixture with the spread goal.
    pub fn plan(&self) -> serde_json::Value {
        let out = self.run(&[
            "plan",
            "--snapshot",
            "snapshot.json",
            "--policy",
            "policy.yaml",
            "--goals",
            "spread",
            "--out",
            "plan.json",
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        serde_json::from_slice(&fs::read(self.path("plan.json")).expect("plan written"))
            .expect("plan is JSON")
    }

    /// Asserts that kplace `args` exits with `code`, says every one of `needles` on stderr,
    /// does not panic, and leaves the directory exactly as it was. Returns stderr.
    pub fn refused(&self, args: &[&str], code: i32, needles: &[&str]) -> String {
        let before = self.state();
        let out = self.run(args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
        for needle in needles {
            assert!(
                stderr.contains(needle),
                "{args:?}: {needle:?} not in: {stderr}"
            );
        }
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(
            self.state(),
            before,
            "{args:?} changed the directory: {stderr}"
        );
        stderr
    }

    /// Asserts that no kplace temporary (nor anything else unexpected) is left: the entries are
    /// exactly `names`.
    pub fn holds_exactly(&self, names: &[&str]) {
        let mut expected: Vec<PathBuf> = names.iter().map(PathBuf::from).collect();
        expected.sort();
        let found: Vec<PathBuf> = self.state().into_keys().collect();
        assert_eq!(found, expected);
    }
}

fn walk(root: &Path, dir: &Path, state: &mut BTreeMap<PathBuf, Entry>) {
    for entry in fs::read_dir(dir).expect("readable directory") {
        let entry = entry.expect("entry");
        let path = entry.path();
        let relative = path.strip_prefix(root).expect("below root").to_path_buf();
        let kind = entry.file_type().expect("file type");
        let value = if kind.is_symlink() {
            Entry::Link(fs::read_link(&path).expect("link"))
        } else if kind.is_dir() {
            walk(root, &path, state);
            Entry::Dir
        } else if kind.is_fifo() {
            Entry::Fifo
        } else {
            Entry::File(fs::read(&path).expect("readable file"))
        };
        state.insert(relative, value);
    }
}

/// Runs `command` with standard output a pipe whose reader is already gone.
pub fn run_with_closed_stdout(mut command: Command) -> Output {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    command.stdout(Stdio::from(writer));
    command.output().expect("kplace runs")
}

/// Makes a FIFO at `path`.
pub fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .args(["-m", "600"])
        .arg(path)
        .status()
        .expect("run mkfifo");
    assert!(status.success(), "mkfifo {}", path.display());
}
