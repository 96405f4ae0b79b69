//! The all-or-nothing commit when the environment fails part-way: a rename failing after others
//! succeeded puts every target back as it was and leaves no temporary behind.

use std::fs;
use std::io;
use std::path::Path;

use super::Outputs;
use crate::exit::CliError;

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn three_outputs(dir: &Path) -> Outputs {
    let (a, b, c) = (dir.join("a.json"), dir.join("b.json"), dir.join("c.html"));
    let mut outputs = Outputs::prepare(
        &[],
        &[
            ("--out", Some(a.as_path())),
            ("--reassignment-json", Some(b.as_path())),
            ("--html", Some(c.as_path())),
        ],
    )
    .unwrap();
    outputs.set("--out", b"new a".to_vec());
    outputs.set("--reassignment-json", b"new b".to_vec());
    outputs.set("--html", b"new c".to_vec());
    outputs
}

#[test]
fn a_rename_failing_part_way_restores_every_target() {
    for failing in 0..3 {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.json"), b"old a").unwrap();
        fs::write(dir.path().join("b.json"), b"old b").unwrap();
        let outputs = three_outputs(dir.path());
        let mut calls = 0;
        let result = outputs.commit_with(&mut |from, to| {
            calls += 1;
            if calls == failing + 1 {
                Err(io::Error::other("injected failure"))
            } else {
                fs::rename(from, to)
            }
        });
        let error = result.unwrap_err();
        assert!(matches!(error, CliError::Io(_)), "{error}");
        assert!(error.to_string().contains("injected failure"), "{error}");
        assert!(error.to_string().contains("nothing was changed"), "{error}");
        assert_eq!(
            names(dir.path()),
            ["a.json", "b.json"],
            "failing rename {failing}"
        );
        assert_eq!(fs::read(dir.path().join("a.json")).unwrap(), b"old a");
        assert_eq!(fs::read(dir.path().join("b.json")).unwrap(), b"old b");
    }
}

#[test]
fn every_rename_succeeding_commits_every_target() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.json"), b"old a").unwrap();
    fs::write(dir.path().join("b.json"), b"old b").unwrap();
    three_outputs(dir.path()).commit().unwrap();
    assert_eq!(names(dir.path()), ["a.json", "b.json", "c.html"]);
    assert_eq!(fs::read(dir.path().join("a.json")).unwrap(), b"new a");
    assert_eq!(fs::read(dir.path().join("c.html")).unwrap(), b"new c");
}

#[test]
fn a_missing_content_is_an_internal_error_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.json");
    let outputs = Outputs::prepare(&[], &[("--out", Some(a.as_path()))]).unwrap();
    assert!(matches!(outputs.commit(), Err(CliError::Internal(_))));
    assert!(names(dir.path()).is_empty());
}
