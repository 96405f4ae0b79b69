//! End-to-end tests of the offline placement commands (check, plan --goals spread, assign) on the
//! bundled fixtures: exit codes, messages that name the place, all-or-nothing outputs, and that a
//! plan applied to its snapshot checks clean and plans empty.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn kplace(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kplace"))
        .args(args)
        .output()
        .expect("kplace runs")
}

fn fixture(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(path)
        .display()
        .to_string()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn stretch() -> (String, String) {
    (
        fixture("stretch/snapshot.json"),
        fixture("stretch/policy.yaml"),
    )
}

/// Applies a reassignment file to a snapshot file, returning the new snapshot's path.
fn apply(snapshot: &str, reassignment: &Path, dir: &Path) -> PathBuf {
    let mut snapshot: Value = serde_json::from_slice(&std::fs::read(snapshot).unwrap()).unwrap();
    let moves: Value = serde_json::from_slice(&std::fs::read(reassignment).unwrap()).unwrap();
    for m in moves["partitions"].as_array().unwrap() {
        for p in snapshot["partitions"].as_array_mut().unwrap() {
            if p["topic"] == m["topic"] && p["partition"] == m["partition"] {
                p["replicas"] = m["replicas"].clone();
                p["leader"] = m["replicas"][0].clone();
                p["isr"] = m["replicas"].clone();
            }
        }
    }
    let path = dir.join("after.json");
    std::fs::write(&path, serde_json::to_vec(&snapshot).unwrap()).unwrap();
    path
}

#[test]
fn check_reports_violations_with_reasons_and_exit_1() {
    let (snapshot, policy) = stretch();
    let out = kplace(&["check", "--snapshot", &snapshot, "--policy", &policy]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("payments.ledger-0: cluster=k8s-a holds 6 replicas, at most 3 allowed"),
        "{stdout}"
    );
    assert!(
        stdout.contains("replica on broker 7, which is down"),
        "{stdout}"
    );
}

/// Runs `kplace plan` (with `extra` flags) writing Kafka's reassignment JSON; returns its path.
fn plan_to(dir: &Path, name: &str, snapshot: &str, policy: &str, extra: &[&str]) -> PathBuf {
    let reassignment = dir.join(name);
    let mut args = vec![
        "plan",
        "--snapshot",
        snapshot,
        "--policy",
        policy,
        "--reassignment-json",
    ];
    args.push(reassignment.to_str().unwrap());
    args.extend_from_slice(extra);
    let out = kplace(&args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    reassignment
}

fn entries(path: &Path) -> Vec<Value> {
    let moves: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    assert_eq!(moves["version"], 1);
    moves["partitions"].as_array().unwrap().clone()
}

#[test]
fn spread_plan_writes_kafkas_format_and_a_second_plan_is_empty() {
    let (snapshot, policy) = stretch();
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.json");
    let reassignment = plan_to(
        dir.path(),
        "r.json",
        &snapshot,
        &policy,
        &["--goals", "spread", "--out", plan.to_str().unwrap()],
    );
    let moves = entries(&reassignment);
    assert!(!moves.is_empty());
    for entry in &moves {
        let keys: Vec<&String> = entry.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            ["partition", "replicas", "topic"],
            "Kafka's format, nothing else"
        );
    }
    let plan: Value = serde_json::from_slice(&std::fs::read(&plan).unwrap()).unwrap();
    assert_eq!(
        plan["totals"]["partitions_changed"].as_u64().unwrap() as usize,
        moves.len()
    );

    let after = apply(&snapshot, &reassignment, dir.path());
    let again = plan_to(
        dir.path(),
        "again.json",
        after.to_str().unwrap(),
        &policy,
        &["--goals", "spread"],
    );
    assert_eq!(entries(&again).len(), 0, "idempotent");
}

#[test]
fn full_plan_applied_checks_clean() {
    let (snapshot, policy) = stretch();
    let dir = tempfile::tempdir().unwrap();
    let out = kplace(&["check", "--snapshot", &snapshot, "--policy", &policy]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the fixture breaks hard goals before"
    );
    let reassignment = plan_to(dir.path(), "r.json", &snapshot, &policy, &[]);
    let after = apply(&snapshot, &reassignment, dir.path());
    let out = kplace(&[
        "check",
        "--snapshot",
        after.to_str().unwrap(),
        "--policy",
        &policy,
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "every hard goal holds after: {}",
        text(&out.stdout)
    );
}

#[test]
fn snapshot_typo_names_file_and_field_exit_2_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("typo.json");
    std::fs::write(&snapshot, r#"{"brokers": [{"id": 1}], "partitions": [{"topic": "t", "partition": 0, "replica": [1]}]}"#).unwrap();
    let out_file = dir.path().join("plan.json");
    std::fs::write(&out_file, "previous").unwrap();
    let (_, policy) = stretch();
    let out = kplace(&[
        "plan",
        "--snapshot",
        snapshot.to_str().unwrap(),
        "--policy",
        &policy,
        "--out",
        out_file.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("typo.json"), "{stderr}");
    assert!(stderr.contains("partitions[0].replica"), "{stderr}");
    assert!(stderr.contains("unknown field `replica`"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&out_file).unwrap(),
        "previous",
        "untouched"
    );
    let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(leftovers, 2, "no temporary file left behind");
}

/// Runs `kplace check` on the stretch snapshot with a policy of the given text.
fn check_with_policy(text_of_policy: &str) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("p.yaml");
    std::fs::write(&policy, text_of_policy).unwrap();
    let (snapshot, _) = stretch();
    let out = kplace(&[
        "check",
        "--snapshot",
        &snapshot,
        "--policy",
        policy.to_str().unwrap(),
    ]);
    (out.status.code(), text(&out.stderr))
}

#[test]
fn policy_errors_name_line_and_field() {
    let (code, stderr) =
        check_with_policy("rules:\n  - topics: '.*'\n    spread: {zone: evenly}\n");
    assert_eq!(code, Some(2));
    assert!(stderr.contains("p.yaml: line 3"), "{stderr}");
    assert!(stderr.contains("rules[0].spread.zone"), "{stderr}");

    let (code, stderr) = check_with_policy("rules:\n  - topics: 'payments(('\n");
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("rules[0].topics: invalid regex"),
        "{stderr}"
    );
}

#[test]
fn infeasible_policy_is_explained_with_exit_3() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("p.yaml");
    std::fs::write(
        &policy,
        "rack_pattern: '^(?P<zone>[^/]+)/(?P<cluster>[^/]+)$'\nrules:\n  - topics: '.*'\n    replication_factor: 3\n    spread: {zone: {exact: {az1: 1, az2: 1, az9: 1}}}\n",
    )
    .unwrap();
    let (snapshot, _) = stretch();
    let out_file = dir.path().join("r.json");
    let out = kplace(&[
        "plan",
        "--goals",
        "spread",
        "--snapshot",
        &snapshot,
        "--policy",
        policy.to_str().unwrap(),
        "--reassignment-json",
        out_file.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(3));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(
            "zone=az9 must hold at least 1 replicas but has 0 eligible brokers (1 missing)"
        ),
        "{stderr}"
    );
    assert!(!out_file.exists(), "nothing written");
}

#[test]
fn exclude_unknown_broker_is_bad_input() {
    let (snapshot, policy) = stretch();
    let out = kplace(&[
        "check",
        "--snapshot",
        &snapshot,
        "--policy",
        &policy,
        "--exclude-brokers",
        "99",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--exclude-brokers: broker 99 is not in the snapshot"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn assign_places_a_new_topic_evenly() {
    let (snapshot, policy) = stretch();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("new.json");
    let out = kplace(&[
        "assign",
        "--snapshot",
        &snapshot,
        "--policy",
        &policy,
        "--topic",
        "payments.refunds",
        "--partitions",
        "12",
        "--reassignment-json",
        file.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("--replica-assignment "),
        "{}",
        text(&out.stdout)
    );
    let placed: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let partitions = placed["partitions"].as_array().unwrap();
    assert_eq!(partitions.len(), 12);
    for p in partitions {
        let replicas: Vec<i64> = p["replicas"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b.as_i64().unwrap())
            .collect();
        assert_eq!(replicas.len(), 6, "the rule's RF");
        assert!(!replicas.contains(&7), "broker 7 is dead");
        // Brokers 2k+1, 2k+2 share a cell; cells go az1/k8s-a, az1/k8s-b, az2/k8s-a, ...
        let cell = |b: i64| (b - 1) / 2;
        let zones: Vec<i64> = replicas.iter().map(|&b| cell(b) / 2).collect();
        let clusters: Vec<i64> = replicas.iter().map(|&b| cell(b) % 2).collect();
        for zone in 0..3 {
            assert_eq!(
                zones.iter().filter(|&&z| z == zone).count(),
                2,
                "{replicas:?}"
            );
        }
        assert_eq!(
            clusters.iter().filter(|&&c| c == 0).count(),
            3,
            "{replicas:?}"
        );
    }

    let out = kplace(&[
        "assign",
        "--snapshot",
        &snapshot,
        "--policy",
        &policy,
        "--topic",
        "payments.refunds",
        "--partitions",
        "3",
        "--replication-factor",
        "3",
    ]);
    assert_eq!(out.status.code(), Some(2), "RF contradicting the rule");
    assert!(
        text(&out.stderr).contains("requires replication factor 6"),
        "{}",
        text(&out.stderr)
    );
}

/// A partition mid-reassignment is checked at its target, not at the union of old and new
/// replicas that Metadata (and so the snapshot) reports meanwhile; stderr says so.
#[test]
fn a_partition_in_flight_is_checked_at_its_target_and_the_note_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let brokers: Vec<Value> = (1..=6)
        .map(|id| serde_json::json!({"id": id, "rack": format!("az{}", (id - 1) / 2 + 1)}))
        .collect();
    // Moving 1,3,5 -> 2,3,5 (az1, az2, az3 either way): the union 2,3,5,1 has four replicas.
    let partition = serde_json::json!({"topic": "orders", "partition": 0, "replicas": [2, 3, 5, 1],
        "leader": 1, "isr": [1, 3, 5]});
    let reassignment = serde_json::json!({"topic": "orders", "partition": 0,
        "replicas": [2, 3, 5, 1], "adding_replicas": [2], "removing_replicas": [1]});
    let policy = dir.path().join("policy.yaml");
    std::fs::write(
        &policy,
        "rules:\n  - topics: '.*'\n    replication_factor: 3\n    spread:\n      rack: even\n",
    )
    .unwrap();
    let write = |name: &str, snapshot: Value| {
        let path = dir.path().join(name);
        std::fs::write(&path, serde_json::to_vec(&snapshot).unwrap()).unwrap();
        path.display().to_string()
    };
    let policy = policy.display().to_string();
    let moving = write(
        "moving.json",
        serde_json::json!({"brokers": brokers, "partitions": [partition],
            "reassignments": [reassignment]}),
    );
    let out = kplace(&["check", "--snapshot", &moving, "--policy", &policy]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("1 reassignment(s) in flight (orders-0)") && stderr.contains("targets"),
        "{stderr}"
    );
    let union = write(
        "union.json",
        serde_json::json!({"brokers": brokers, "partitions": [partition]}),
    );
    let out = kplace(&["check", "--snapshot", &union, "--policy", &policy]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "read as a placement, the union breaks the rule: {}",
        text(&out.stdout)
    );
}

#[test]
fn sampling_needs_a_live_cluster_and_loads_say_where_they_come_from() {
    let (snapshot, policy) = stretch();
    let out = kplace(&[
        "check",
        "--snapshot",
        &snapshot,
        "--policy",
        &policy,
        "--sample",
        "60s",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("--sample needs --bootstrap-server"),
        "{}",
        text(&out.stderr)
    );
    let out = kplace(&[
        "check",
        "--snapshot",
        &snapshot,
        "--policy",
        &policy,
        "--samples",
        "3",
    ]);
    assert_eq!(out.status.code(), Some(2), "--samples without --sample");

    // The stretch fixture carries loads but no load_source: check says they are given.
    let out = kplace(&["check", "--snapshot", &snapshot, "--policy", &policy]);
    assert!(
        text(&out.stdout).contains("note: loads: given in the snapshot"),
        "{}",
        text(&out.stdout)
    );
}
