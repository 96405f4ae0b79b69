//! Shared by the report tests: running `kplace` and planning the stretch fixture with its report.
//! Each test crate uses part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("cli/ has a parent")
        .to_path_buf()
}

/// A file of the stretch fixture.
pub fn stretch(file: &str) -> PathBuf {
    repo().join("fixtures/stretch").join(file)
}

/// Runs the `kplace` binary under test.
pub fn kplace(args: &[&Path]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kplace"))
        .args(args)
        .output()
        .expect("kplace runs")
}

/// `kplace plan` on the stretch fixture with `--out PLAN --html HTML`.
pub fn plan_stretch(plan: &Path, html: &Path) -> Output {
    kplace(&[
        Path::new("plan"),
        Path::new("--snapshot"),
        &stretch("snapshot.json"),
        Path::new("--policy"),
        &stretch("policy.yaml"),
        Path::new("--out"),
        plan,
        Path::new("--html"),
        html,
    ])
}
