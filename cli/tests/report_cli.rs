//! `kplace report`: re-rendering a saved plan gives the same page as `kplace plan --html`, and
//! bad input is refused with a message naming the file, exit 2 and nothing written.

use std::path::{Path, PathBuf};
use std::process::Output;

mod report_support;
use report_support::{kplace, plan_stretch, repo, stretch};

/// Plans the stretch fixture into `dir`: the plan and its report.
fn plan(dir: &Path) -> (PathBuf, PathBuf) {
    let (plan, html) = (dir.join("plan.json"), dir.join("plan.html"));
    let out = plan_stretch(&plan, &html);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (plan, html)
}

fn report(snapshot: &Path, plan: &Path, out: &Path) -> Output {
    kplace(&[
        Path::new("report"),
        Path::new("--snapshot"),
        snapshot,
        Path::new("--plan"),
        plan,
        Path::new("--out"),
        out,
    ])
}

#[test]
fn report_of_a_saved_plan_matches_plan_html() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (plan, html) = plan(dir.path());
    let again = dir.path().join("again.html");
    let out = report(&stretch("snapshot.json"), &plan, &again);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let first = std::fs::read_to_string(html).expect("plan --html wrote");
    let second = std::fs::read_to_string(again).expect("report wrote");
    assert!(second.contains(r#"id="headline""#));
    if let Some(at) = first.bytes().zip(second.bytes()).position(|(a, b)| a != b) {
        let context = |s: &str| {
            String::from_utf8_lossy(&s.as_bytes()[at.saturating_sub(200)..(at + 200).min(s.len())])
                .into_owned()
        };
        panic!(
            "the pages differ at byte {at}:\n{}\n---\n{}",
            context(&first),
            context(&second)
        );
    }
    assert_eq!(
        first.len(),
        second.len(),
        "the saved plan renders to the same page"
    );
}

#[test]
fn bad_input_exits_2_naming_the_file_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (plan, _) = plan(dir.path());
    let out = dir.path().join("report.html");
    let garbage = dir.path().join("garbage.json");
    std::fs::write(&garbage, b"{\"version\": 1, \"oops\": true}").expect("write");
    let rack_aware = repo().join("fixtures/rack-aware/snapshot.json");
    let missing = dir.path().join("missing.json");
    for (snapshot, plan_file, names) in [
        (stretch("snapshot.json"), garbage.clone(), garbage.clone()),
        (rack_aware.clone(), plan.clone(), plan.clone()),
        (missing.clone(), plan.clone(), missing.clone()),
    ] {
        let result = report(&snapshot, &plan_file, &out);
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert_eq!(result.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains(&names.display().to_string()),
            "message names {}: {stderr}",
            names.display()
        );
        assert!(!out.exists(), "nothing written");
    }
}

#[test]
fn plan_html_is_written_with_the_other_outputs_or_not_at_all() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plan = dir.path().join("plan.json");
    let html = dir.path().join("no-such-dir").join("plan.html");
    let out = plan_stretch(&plan, &html);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("plan.html"), "names the file: {stderr}");
    assert!(!plan.exists(), "no plan without its report");
}
