//! Hostile and mistaken inputs to kplace's outputs, flags and saved plans (issue 9). Every refusal
//! asserts the exit code, that the message names the place (flag, file, partition, field), and
//! that the scratch directory is exactly as before: inputs byte for byte, no output created or
//! changed, no temporary left. Accepted oddities (FIFOs, devices, `-`, long names) assert what was
//! written and that the special file is still what it was.

mod hostile_support;

use std::fs;
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};

use hostile_support::{mkfifo, run_with_closed_stdout, text, Scratch};
use serde_json::{json, Value};

const PLAN: [&str; 7] = [
    "plan",
    "--snapshot",
    "snapshot.json",
    "--policy",
    "policy.yaml",
    "--goals",
    "spread",
];

fn plan_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = PLAN.to_vec();
    args.extend_from_slice(extra);
    args
}

// ---------------------------------------------------------------- outputs that are inputs

#[test]
fn out_naming_the_snapshot_through_dot_slash_is_refused() {
    let s = Scratch::stretch();
    s.refused(
        &plan_args(&["--out", "./snapshot.json"]),
        2,
        &[
            "--out ./snapshot.json",
            "same file as --snapshot snapshot.json",
        ],
    );
}

#[test]
fn out_naming_the_snapshot_by_absolute_path_is_refused() {
    let s = Scratch::stretch();
    let absolute = s.arg("snapshot.json");
    s.refused(
        &plan_args(&["--out", &absolute]),
        2,
        &["--out", "same file as --snapshot"],
    );
}

#[test]
fn reassignment_json_naming_a_hard_link_of_the_policy_is_refused() {
    let s = Scratch::stretch();
    fs::hard_link(s.path("policy.yaml"), s.path("linked.yaml")).unwrap();
    s.refused(
        &plan_args(&["--reassignment-json", "linked.yaml"]),
        2,
        &[
            "--reassignment-json linked.yaml",
            "same file as --policy policy.yaml",
        ],
    );
}

#[test]
fn html_naming_a_symbolic_link_to_the_snapshot_is_refused() {
    let s = Scratch::stretch();
    std::os::unix::fs::symlink("snapshot.json", s.path("report.html")).unwrap();
    s.refused(
        &plan_args(&["--html", "report.html"]),
        2,
        &["--html report.html", "--snapshot"],
    );
}

#[test]
fn report_out_naming_its_plan_is_refused() {
    let s = Scratch::stretch();
    s.plan();
    s.refused(
        &[
            "report",
            "--snapshot",
            "snapshot.json",
            "--plan",
            "plan.json",
            "--out",
            "plan.json",
        ],
        2,
        &["--out plan.json", "same file as --plan plan.json"],
    );
}

#[test]
fn report_out_naming_its_snapshot_is_refused() {
    let s = Scratch::stretch();
    s.plan();
    s.refused(
        &[
            "report",
            "--snapshot",
            "snapshot.json",
            "--plan",
            "plan.json",
            "--out",
            "./snapshot.json",
        ],
        2,
        &["--out ./snapshot.json", "--snapshot snapshot.json"],
    );
}

#[test]
fn assign_reassignment_json_naming_the_policy_is_refused() {
    let s = Scratch::stretch();
    s.refused(
        &[
            "assign",
            "--snapshot",
            "snapshot.json",
            "--policy",
            "policy.yaml",
            "--topic",
            "new",
            "--partitions",
            "3",
            "--replication-factor",
            "3",
            "--reassignment-json",
            "policy.yaml",
        ],
        2,
        &["--reassignment-json policy.yaml", "--policy"],
    );
}

#[test]
fn snapshot_out_naming_its_command_config_is_refused_before_connecting() {
    let s = Scratch::stretch();
    s.write("client.properties", b"security.protocol=PLAINTEXT\n");
    s.refused(
        &[
            "snapshot",
            "--bootstrap-server",
            "127.0.0.1:1",
            "--command-config",
            "client.properties",
            "--out",
            "client.properties",
        ],
        2,
        &["--out client.properties", "same file as --command-config"],
    );
}

#[test]
fn out_dash_with_standard_output_appended_to_the_snapshot_is_refused() {
    let s = Scratch::stretch();
    let before = s.state();
    let mut command = s.command(&plan_args(&["--out", "-"]));
    let snapshot = fs::OpenOptions::new()
        .append(true)
        .open(s.path("snapshot.json"))
        .unwrap();
    command.stdout(snapshot);
    let out = command.output().unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--out -: is the same file as --snapshot snapshot.json"),
        "{stderr}"
    );
    assert_eq!(s.state(), before);
}

// ---------------------------------------------------------------- two outputs, one file

#[test]
fn out_and_html_naming_one_new_file_are_refused() {
    let s = Scratch::stretch();
    s.refused(
        &plan_args(&["--out", "a.json", "--html", "./a.json"]),
        2,
        &["--out a.json and --html ./a.json"],
    );
}

#[test]
fn out_and_reassignment_json_naming_one_existing_file_are_refused() {
    let s = Scratch::stretch();
    s.write("a.json", b"old");
    fs::hard_link(s.path("a.json"), s.path("b.json")).unwrap();
    s.refused(
        &plan_args(&["--out", "a.json", "--reassignment-json", "b.json"]),
        2,
        &["--reassignment-json b.json and --out a.json both name one file"],
    );
}

#[test]
fn two_outputs_on_standard_output_are_refused() {
    let s = Scratch::stretch();
    s.refused(
        &plan_args(&["--out", "-", "--reassignment-json", "-"]),
        2,
        &[
            "--reassignment-json - and --out -",
            "both name standard output",
        ],
    );
}

#[test]
fn dash_and_dev_stdout_are_one_output() {
    let s = Scratch::stretch();
    s.refused(
        &plan_args(&["--out", "/dev/stdout", "--reassignment-json", "-"]),
        2,
        &[
            "--reassignment-json - and --out /dev/stdout",
            "both name standard output",
        ],
    );
}

// ---------------------------------------------------------------- unusable targets

#[test]
fn a_missing_directory_is_refused() {
    let s = Scratch::stretch();
    s.refused(
        &plan_args(&["--out", "missing/plan.json"]),
        2,
        &[
            "--out missing/plan.json",
            "directory missing does not exist",
        ],
    );
}

#[test]
fn a_path_under_a_regular_file_is_refused() {
    let s = Scratch::stretch();
    s.refused(
        &plan_args(&["--reassignment-json", "policy.yaml/r.json"]),
        2,
        &[
            "--reassignment-json policy.yaml/r.json",
            "policy.yaml is not a directory",
        ],
    );
}

#[test]
fn a_directory_as_target_is_refused() {
    let s = Scratch::stretch();
    fs::create_dir(s.path("reports")).unwrap();
    s.refused(
        &plan_args(&["--html", "reports"]),
        2,
        &["--html reports", "is a directory"],
    );
}

#[test]
fn the_current_directory_as_target_is_refused() {
    let s = Scratch::stretch();
    s.refused(
        &plan_args(&["--out", "."]),
        2,
        &["--out .", "is a directory"],
    );
}

#[test]
fn a_trailing_slash_is_not_a_file_name() {
    let s = Scratch::stretch();
    s.refused(
        &plan_args(&["--out", "plan.json/"]),
        2,
        &["--out plan.json/", "not a file name"],
    );
}

#[test]
fn a_name_longer_than_the_file_system_allows_is_refused() {
    let s = Scratch::stretch();
    let name = "n".repeat(256);
    s.refused(
        &plan_args(&["--out", &name]),
        2,
        &["--out nnnn", "longer than this file system allows (255)"],
    );
}

#[test]
fn a_dangling_symbolic_link_is_refused() {
    let s = Scratch::stretch();
    std::os::unix::fs::symlink("nowhere/plan.json", s.path("plan.json")).unwrap();
    s.refused(
        &plan_args(&["--out", "plan.json"]),
        2,
        &["--out plan.json", "symbolic link to a missing file"],
    );
}

#[test]
fn one_bad_target_writes_none_of_the_others() {
    let s = Scratch::stretch();
    s.write("old-plan.json", b"the old plan");
    s.refused(
        &plan_args(&[
            "--out",
            "old-plan.json",
            "--reassignment-json",
            "r.json",
            "--html",
            "nowhere/r.html",
        ]),
        2,
        &["--html nowhere/r.html", "does not exist"],
    );
}

#[test]
fn heal_state_file_that_is_a_directory_is_refused_before_connecting() {
    let s = Scratch::stretch();
    fs::create_dir(s.path("state")).unwrap();
    s.refused(
        &[
            "heal",
            "--bootstrap-server",
            "127.0.0.1:1",
            "--policy",
            "policy.yaml",
            "--once",
            "--state-file",
            "state",
        ],
        2,
        &["--state-file state", "is a directory"],
    );
}

#[test]
fn snapshot_out_in_a_missing_directory_is_refused_before_connecting() {
    let s = Scratch::stretch();
    s.refused(
        &[
            "snapshot",
            "--bootstrap-server",
            "127.0.0.1:1",
            "--out",
            "gone/s.json",
        ],
        2,
        &["--out gone/s.json", "does not exist"],
    );
}

#[test]
fn a_fifo_nobody_reads_is_refused_after_a_bounded_wait() {
    let s = Scratch::stretch();
    mkfifo(&s.path("pipe"));
    let started = std::time::Instant::now();
    s.refused(
        &plan_args(&["--out", "pipe"]),
        2,
        &["--out pipe", "FIFO that nobody reads"],
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
}

// ---------------------------------------------------------------- the environment failing

#[test]
fn a_full_device_is_an_io_error_and_no_file_is_written() {
    let s = Scratch::stretch();
    s.refused(
        &plan_args(&["--out", "/dev/full", "--reassignment-json", "r.json"]),
        74,
        &["--out /dev/full", "no file was written"],
    );
    assert!(fs::metadata("/dev/full")
        .unwrap()
        .file_type()
        .is_char_device());
}

#[test]
fn standard_output_failing_commits_no_file() {
    let s = Scratch::stretch();
    let before = s.state();
    let mut command = s.command(&plan_args(&["--out", "plan.json", "--format", "text"]));
    command.stdout(
        fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap(),
    );
    let out = command.output().unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(74), "{stderr}");
    assert!(
        stderr.contains("the report") && stderr.contains("no file was written"),
        "{stderr}"
    );
    assert_eq!(s.state(), before);
}

// ---------------------------------------------------------------- closed pipes

fn closed_pipe(s: &Scratch, args: &[&str]) -> String {
    let before = s.state();
    let out = run_with_closed_stdout(s.command(args));
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(141), "{args:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    assert_eq!(s.state(), before, "{args:?}");
    stderr
}

#[test]
fn check_on_a_closed_pipe_ends_quietly() {
    let s = Scratch::stretch();
    let stderr = closed_pipe(
        &s,
        &[
            "check",
            "--snapshot",
            "snapshot.json",
            "--policy",
            "policy.yaml",
        ],
    );
    assert_eq!(stderr, "");
}

#[test]
fn check_json_on_a_closed_pipe_ends_quietly() {
    let s = Scratch::stretch();
    let args = [
        "check",
        "--snapshot",
        "snapshot.json",
        "--policy",
        "policy.yaml",
        "--format",
        "json",
    ];
    assert_eq!(closed_pipe(&s, &args), "");
}

#[test]
fn analyze_on_a_closed_pipe_ends_quietly() {
    let s = Scratch::stretch();
    assert_eq!(
        closed_pipe(
            &s,
            &[
                "analyze",
                "--snapshot",
                "snapshot.json",
                "--policy",
                "policy.yaml"
            ]
        ),
        ""
    );
}

#[test]
fn assign_on_a_closed_pipe_writes_no_file() {
    let s = Scratch::stretch();
    let stderr = closed_pipe(
        &s,
        &[
            "assign",
            "--snapshot",
            "snapshot.json",
            "--policy",
            "policy.yaml",
            "--topic",
            "new",
            "--partitions",
            "3",
            "--replication-factor",
            "3",
            "--reassignment-json",
            "r.json",
        ],
    );
    assert!(
        stderr.contains("standard output closed") && stderr.contains("no file was written"),
        "{stderr}"
    );
}

#[test]
fn plan_on_a_closed_pipe_writes_no_file() {
    let s = Scratch::stretch();
    let stderr = closed_pipe(
        &s,
        &plan_args(&["--out", "plan.json", "--html", "plan.html"]),
    );
    assert!(stderr.contains("no file was written"), "{stderr}");
}

#[test]
fn plan_out_dash_on_a_closed_pipe_writes_no_file() {
    let s = Scratch::stretch();
    let stderr = closed_pipe(
        &s,
        &plan_args(&["--out", "-", "--reassignment-json", "r.json"]),
    );
    assert!(
        stderr.contains("--out -") && stderr.contains("no file was written"),
        "{stderr}"
    );
}

#[test]
fn check_piped_into_head_prints_its_first_line_and_never_panics() {
    let s = Scratch::stretch();
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "'{}' check --snapshot snapshot.json --policy policy.yaml | head -1",
            env!("CARGO_BIN_EXE_kplace")
        ))
        .current_dir(s.path(""))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    // The first line check prints for the stretch fixture: where its loads come from.
    assert!(
        text(&out.stdout).starts_with("note: loads: given in the snapshot"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(text(&out.stdout).lines().count(), 1);
    assert!(
        !text(&out.stderr).contains("panicked"),
        "{}",
        text(&out.stderr)
    );
}

// ---------------------------------------------------------------- targets written through

#[test]
fn dev_null_is_written_through_and_stays_a_device() {
    let s = Scratch::stretch();
    let out = s.run(&plan_args(&[
        "--out",
        "/dev/null",
        "--reassignment-json",
        "r.json",
    ]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(fs::metadata("/dev/null")
        .unwrap()
        .file_type()
        .is_char_device());
    s.holds_exactly(&["policy.yaml", "snapshot.json", "r.json"]);
}

#[test]
fn a_fifo_is_written_through_and_stays_a_fifo() {
    let s = Scratch::stretch();
    let fifo = s.path("plan.fifo");
    mkfifo(&fifo);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            fs::File::open(fifo)
                .unwrap()
                .read_to_end(&mut bytes)
                .unwrap();
            bytes
        })
    };
    let out = s.run(&plan_args(&["--out", "plan.fifo"]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let plan: Value =
        serde_json::from_slice(&reader.join().unwrap()).expect("the plan came through");
    assert_eq!(plan["version"], 1);
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    s.holds_exactly(&["plan.fifo", "policy.yaml", "snapshot.json"]);
}

#[test]
fn dash_writes_the_reassignment_to_stdout_and_the_summary_to_stderr() {
    let s = Scratch::stretch();
    let out = s.run(&plan_args(&[
        "--reassignment-json",
        "-",
        "--format",
        "text",
    ]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let moves: Value =
        serde_json::from_slice(&out.stdout).expect("stdout is the reassignment JSON");
    assert!(!moves["partitions"].as_array().unwrap().is_empty());
    assert!(
        text(&out.stderr).contains("Plan: 16 partitions change"),
        "{}",
        text(&out.stderr)
    );
    s.holds_exactly(&["policy.yaml", "snapshot.json"]);
}

#[test]
fn dev_stdout_is_standard_output_not_a_file_to_replace() {
    let s = Scratch::stretch();
    let out = s.run(&plan_args(&["--out", "/dev/stdout"]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let plan: Value = serde_json::from_slice(&out.stdout).expect("stdout is the plan");
    assert_eq!(plan["version"], 1);
}

#[test]
fn assign_reassignment_json_dash_is_standard_output() {
    let s = Scratch::stretch();
    let out = s.run(&[
        "assign",
        "--snapshot",
        "snapshot.json",
        "--policy",
        "policy.yaml",
        "--topic",
        "new",
        "--partitions",
        "3",
        "--replication-factor",
        "3",
        "--reassignment-json",
        "-",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let file: Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    assert_eq!(file["partitions"].as_array().unwrap().len(), 3);
    assert!(text(&out.stderr).contains("--replica-assignment"));
}

#[test]
fn a_250_byte_file_name_works_and_leaves_no_temporary() {
    let s = Scratch::stretch();
    let name = format!("{}.json", "p".repeat(245));
    assert_eq!(name.len(), 250);
    let out = s.run(&plan_args(&["--out", &name]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    s.holds_exactly(&["policy.yaml", "snapshot.json", &name]);
}

#[test]
fn a_replaced_file_keeps_its_permissions() {
    let s = Scratch::stretch();
    s.write("plan.json", b"old");
    fs::set_permissions(s.path("plan.json"), fs::Permissions::from_mode(0o640)).unwrap();
    let out = s.run(&plan_args(&[
        "--out",
        "plan.json",
        "--reassignment-json",
        "r.json",
    ]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let meta = fs::metadata(s.path("plan.json")).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o640);
    assert_ne!(fs::read(s.path("plan.json")).unwrap(), b"old");
    s.holds_exactly(&["plan.json", "policy.yaml", "r.json", "snapshot.json"]);
}

#[test]
fn output_through_a_symbolic_link_replaces_the_file_not_the_link() {
    let s = Scratch::stretch();
    fs::create_dir(s.path("plans")).unwrap();
    s.write("plans/current.json", b"old");
    std::os::unix::fs::symlink("plans/current.json", s.path("latest.json")).unwrap();
    let out = s.run(&plan_args(&["--out", "latest.json"]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(fs::symlink_metadata(s.path("latest.json"))
        .unwrap()
        .file_type()
        .is_symlink());
    let plan: Value =
        serde_json::from_slice(&fs::read(s.path("plans/current.json")).unwrap()).unwrap();
    assert_eq!(plan["version"], 1);
}

// ---------------------------------------------------------------- thresholds

#[test]
fn every_threshold_flag_refuses_nan_infinity_and_negatives() {
    let s = Scratch::stretch();
    let balance = [
        "--replica-balance-threshold",
        "--resource-balance-threshold",
        "--leader-balance-threshold",
    ];
    let capacity = [
        "--disk-capacity-threshold",
        "--network-in-capacity-threshold",
        "--network-out-capacity-threshold",
        "--cpu-capacity-threshold",
    ];
    for flag in balance.iter().chain(&capacity) {
        for value in ["NaN", "inf", "-inf", "-0.1"] {
            let setting = format!("{flag}={value}");
            let shown = format!("{flag} {value}");
            s.refused(
                &plan_args(&[&setting, "--out", "plan.json"]),
                2,
                &[&shown, "must be"],
            );
        }
    }
    for flag in capacity {
        for value in ["0", "1.5"] {
            let setting = format!("{flag}={value}");
            s.refused(
                &plan_args(&[&setting]),
                2,
                &[&format!("{flag} {value}"), "at most 1"],
            );
        }
    }
}

#[test]
fn check_refuses_a_nan_capacity_share_instead_of_switching_the_goal_off() {
    let s = Scratch::stretch();
    s.refused(
        &[
            "check",
            "--snapshot",
            "snapshot.json",
            "--policy",
            "policy.yaml",
            "--cpu-capacity-threshold",
            "NaN",
        ],
        2,
        &["--cpu-capacity-threshold NaN", "finite share"],
    );
}

#[test]
fn zero_is_a_valid_balance_threshold_and_one_a_valid_capacity_share() {
    let s = Scratch::stretch();
    let out = s.run(&plan_args(&[
        "--replica-balance-threshold",
        "0",
        "--cpu-capacity-threshold",
        "1",
    ]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

// ---------------------------------------------------------------- count bounds

#[test]
fn every_count_flag_has_an_upper_bound() {
    let s = Scratch::stretch();
    let assign = [
        "assign",
        "--snapshot",
        "snapshot.json",
        "--policy",
        "policy.yaml",
        "--topic",
        "new",
    ];
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            [&assign[..], &["--partitions", "0"]].concat(),
            "--partitions",
        ),
        (
            [&assign[..], &["--partitions", "100001"]].concat(),
            "--partitions",
        ),
        (
            [&assign[..], &["--partitions", "4294967295"]].concat(),
            "--partitions",
        ),
        (
            [
                &assign[..],
                &["--partitions", "3", "--replication-factor", "0"],
            ]
            .concat(),
            "--replication-factor",
        ),
        (
            [
                &assign[..],
                &["--partitions", "3", "--replication-factor", "40000"],
            ]
            .concat(),
            "--replication-factor",
        ),
        (
            plan_args(&["--max-replicas-per-broker", "0"]),
            "--max-replicas-per-broker 0",
        ),
        (
            plan_args(&["--max-replicas-per-broker", "2000000"]),
            "--max-replicas-per-broker 2000000",
        ),
        (
            vec![
                "apply",
                "--bootstrap-server",
                "127.0.0.1:1",
                "--plan",
                "p.json",
                "--max-moves",
                "0",
            ],
            "--max-moves",
        ),
        (
            vec![
                "apply",
                "--bootstrap-server",
                "127.0.0.1:1",
                "--plan",
                "p.json",
                "--max-moves",
                "1000000",
            ],
            "--max-moves",
        ),
        (
            vec![
                "apply",
                "--bootstrap-server",
                "127.0.0.1:1",
                "--plan",
                "p.json",
                "--max-moves-per-broker",
                "5000",
            ],
            "--max-moves-per-broker",
        ),
        (
            vec![
                "apply",
                "--bootstrap-server",
                "127.0.0.1:1",
                "--plan",
                "p.json",
                "--throttle",
                "0",
            ],
            "--throttle",
        ),
        (
            vec![
                "heal",
                "--bootstrap-server",
                "127.0.0.1:1",
                "--policy",
                "policy.yaml",
                "--once",
                "--max-moves-per-round",
                "0",
            ],
            "--max-moves-per-round",
        ),
    ];
    for (args, flag) in cases {
        s.refused(&args, 2, &[flag]);
    }
}

// ---------------------------------------------------------------- contradicting flags

#[test]
fn adding_and_removing_one_broker_is_refused() {
    let s = Scratch::stretch();
    s.refused(
        &plan_args(&[
            "--add-brokers",
            "3",
            "--remove-brokers",
            "3",
            "--out",
            "plan.json",
        ]),
        2,
        &["--add-brokers 3 and --remove-brokers 3 contradict"],
    );
}

#[test]
fn adding_a_dead_broker_is_refused() {
    let s = Scratch::stretch();
    s.refused(
        &plan_args(&["--add-brokers", "7", "--out", "plan.json"]),
        2,
        &["--add-brokers: broker 7 is down"],
    );
}

#[test]
fn adding_an_excluded_broker_is_refused() {
    let s = Scratch::stretch();
    s.refused(
        &plan_args(&["--add-brokers", "4", "--exclude-brokers", "4"]),
        2,
        &["--add-brokers 4 and --exclude-brokers 4 contradict"],
    );
}

#[test]
fn a_broker_removed_and_excluded_is_refused() {
    let s = Scratch::stretch();
    s.refused(
        &plan_args(&["--remove-brokers", "5", "--exclude-brokers", "5"]),
        2,
        &["--remove-brokers 5 and --exclude-brokers 5"],
    );
}

#[test]
fn duplicates_in_any_broker_list_are_refused() {
    let s = Scratch::stretch();
    for flag in [
        "--exclude-brokers",
        "--add-brokers",
        "--remove-brokers",
        "--demote-brokers",
    ] {
        s.refused(
            &plan_args(&[flag, "2,2", "--out", "plan.json"]),
            2,
            &[&format!("{flag}: broker 2 is named twice")],
        );
    }
    s.refused(
        &[
            "check",
            "--snapshot",
            "snapshot.json",
            "--policy",
            "policy.yaml",
            "--exclude-brokers",
            "1,3,1",
        ],
        2,
        &["--exclude-brokers: broker 1 is named twice"],
    );
}

#[test]
fn assign_refuses_another_replication_factor_for_an_existing_topic() {
    let s = Scratch::stretch();
    let args = [
        "assign",
        "--snapshot",
        "snapshot.json",
        "--policy",
        "policy.yaml",
        "--topic",
        "orders",
        "--partitions",
        "14",
        "--replication-factor",
        "4",
        "--reassignment-json",
        "r.json",
    ];
    s.refused(
        &args,
        2,
        &[
            "topic 'orders' has replication factor 3",
            "--replication-factor asks for 4",
            "--allow-replication-factor-change",
        ],
    );
    let allowed = [&args[..], &["--allow-replication-factor-change"]].concat();
    let out = s.run(&allowed);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let file: Value = serde_json::from_slice(&fs::read(s.path("r.json")).unwrap()).unwrap();
    assert!(file["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["replicas"].as_array().unwrap().len() == 4));
}

// ---------------------------------------------------------------- saved plans

/// Edits the saved plan with `edit` and asserts that `report` refuses it naming `needles`.
fn report_refuses(edit: impl FnOnce(&mut Value), needles: &[&str]) {
    let s = Scratch::stretch();
    let mut plan = s.plan();
    edit(&mut plan);
    s.write("plan.json", &serde_json::to_vec_pretty(&plan).unwrap());
    s.refused(
        &[
            "report",
            "--snapshot",
            "snapshot.json",
            "--plan",
            "plan.json",
            "--out",
            "report.html",
        ],
        2,
        &[&["plan.json"][..], needles].concat(),
    );
}

#[test]
fn report_refuses_a_plan_whose_old_replicas_are_not_the_snapshots() {
    report_refuses(
        |plan| {
            // Reversed: the same replicas (so the totals still add up), in another order.
            let old = &mut plan["partitions"][0]["old_replicas"];
            old.as_array_mut().unwrap().reverse();
        },
        &[
            "partition payments.ledger-0 has replicas",
            "but the plan was made for",
            "make a new plan",
        ],
    );
}

#[test]
fn report_refuses_a_plan_taken_before_the_cluster_changed() {
    let s = Scratch::stretch();
    s.plan();
    let mut snapshot: Value =
        serde_json::from_slice(&fs::read(s.path("snapshot.json")).unwrap()).unwrap();
    let first = snapshot["partitions"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|p| p["topic"] == "payments.ledger" && p["partition"] == 0)
        .unwrap();
    first["replicas"] = json!([1, 3, 5, 8, 9, 11]);
    first["isr"] = json!([1, 3, 5, 8, 9, 11]);
    first["leader"] = json!(1);
    s.write("snapshot.json", &serde_json::to_vec(&snapshot).unwrap());
    s.refused(
        &[
            "report",
            "--snapshot",
            "snapshot.json",
            "--plan",
            "plan.json",
            "--out",
            "report.html",
        ],
        2,
        &[
            "plan.json",
            "payments.ledger-0 has replicas [1, 3, 5, 8, 9, 11] now",
            "make a new plan",
        ],
    );
}

#[test]
fn report_refuses_a_partition_listed_twice() {
    report_refuses(
        |plan| {
            let first = plan["partitions"][0].clone();
            plan["partitions"].as_array_mut().unwrap().push(first);
        },
        &["partition payments.ledger-0 appears twice"],
    );
}

#[test]
fn report_refuses_empty_new_replicas() {
    report_refuses(
        |plan| plan["partitions"][1]["new_replicas"] = json!([]),
        &["has no new_replicas"],
    );
}

#[test]
fn report_refuses_a_broker_twice_in_new_replicas() {
    report_refuses(
        |plan| {
            let leader = plan["partitions"][0]["new_replicas"][0].clone();
            plan["partitions"][0]["new_replicas"][1] = leader;
        },
        &["payments.ledger-0 names broker", "twice in new_replicas"],
    );
}

#[test]
fn report_refuses_totals_that_are_not_the_sum() {
    report_refuses(
        |plan| plan["totals"]["bytes_to_move"] = json!(1),
        &["totals.bytes_to_move is 1, but the partitions add up to"],
    );
}

#[test]
fn report_refuses_a_new_leader_that_is_not_the_preferred_one() {
    report_refuses(
        |plan| plan["partitions"][0]["new_leader"] = json!(12345),
        &["payments.ledger-0 has new_leader 12345, not the first of its new_replicas"],
    );
}

#[test]
fn report_refuses_a_partition_the_snapshot_lacks() {
    report_refuses(
        |plan| plan["partitions"][0]["partition"] = json!(999),
        &["partition payments.ledger-999 is not in the snapshot"],
    );
}

#[test]
fn report_refuses_another_plan_version() {
    report_refuses(
        |plan| plan["version"] = json!(2),
        &["version 2 is not supported"],
    );
}

#[test]
fn report_refuses_a_plan_with_a_wrong_type_naming_the_field() {
    report_refuses(
        |plan| plan["partitions"][0]["new_replicas"] = json!("1,2,3"),
        &["partitions[0].new_replicas"],
    );
}

#[test]
fn plans_with_fields_this_kplace_does_not_know_are_read() {
    let s = Scratch::stretch();
    let mut plan = s.plan();
    plan["written_by_a_later_kplace"] = json!({"anything": [1, 2]});
    plan["partitions"][0]["reason"] = json!("spread");
    plan["totals"]["estimated_seconds"] = json!(12.5);
    plan["brokers"][0]["after"]["partitions_led"] = json!(3);
    s.write("plan.json", &serde_json::to_vec(&plan).unwrap());
    let out = s.run(&[
        "report",
        "--snapshot",
        "snapshot.json",
        "--plan",
        "plan.json",
        "--out",
        "report.html",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(fs::read_to_string(s.path("report.html"))
        .unwrap()
        .starts_with("<!DOCTYPE html>"));
    s.holds_exactly(&["plan.json", "policy.yaml", "report.html", "snapshot.json"]);
}
