//! apply's flags without a cluster: `--throttle` takes plan's units and refuses 0, the bounded
//! waits refuse 0, `--order` takes only its named strategies and `--stage-size` at least 1; all
//! before anything connects (exit 2, the flag named).

use std::process::Command;

fn kplace(args: &[&str]) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_kplace"))
        .args(args)
        .output()
        .expect("run kplace");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn apply_with(flag: &str, value: &str) -> (i32, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let json = dir.path().join("moves.json");
    std::fs::write(
        &json,
        r#"{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,2]}]}"#,
    )
    .expect("write moves");
    kplace(&[
        "apply",
        // Nothing listens on port 1: reaching it would fail, so exit 2 from a flag must name it.
        "--bootstrap-server",
        "127.0.0.1:1",
        "--reassignment-json",
        json.to_str().unwrap_or_default(),
        flag,
        value,
    ])
}

#[test]
fn throttle_zero_is_refused_naming_the_flag() {
    let (code, stderr) = apply_with("--throttle", "0");
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("--throttle") && stderr.contains("at least 1 byte"),
        "{stderr}"
    );
}

#[test]
fn throttle_takes_plans_units() {
    let (code, stderr) = apply_with("--throttle", "100Mi");
    // Accepted: the failure is the unreachable bootstrap server, not the flag.
    assert_eq!(code, 2, "{stderr}");
    assert!(!stderr.contains("--throttle"), "{stderr}");
    assert!(stderr.contains("bootstrap"), "{stderr}");
    let (code, stderr) = apply_with("--throttle", "fast");
    assert_eq!(code, 2);
    assert!(stderr.contains("--throttle"), "{stderr}");
}

#[test]
fn a_zero_stall_timeout_is_refused() {
    let (code, stderr) = apply_with("--stall-timeout", "0s");
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--stall-timeout"), "{stderr}");
}

#[test]
fn an_unknown_order_and_a_zero_stage_size_are_refused_naming_the_flag() {
    let (code, stderr) = apply_with("--order", "fastest");
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("--order") && stderr.contains("smallest-first"),
        "{stderr}"
    );
    let (code, stderr) = apply_with("--stage-size", "0");
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--stage-size"), "{stderr}");
    let (code, stderr) = apply_with("--order", "plan");
    assert_eq!(code, 2, "{stderr}");
    assert!(!stderr.contains("--order"), "accepted: {stderr}");
}
