//! Hostile and mistaken snapshots and policies (issue "Do no harm", the input contracts): every
//! case runs `kplace` in a temporary directory and asserts the exit code, that the message names
//! the place (file, field path, broker, partition or flag), that no output file was created, that
//! no temporary is left, and that the inputs are byte-for-byte unchanged. The second half checks
//! what kplace does instead of harm where the input is legal: unmatched brokers marked
//! ineligible, dead unregistered brokers, internal topics, hard goals left out of `--goals`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const SNAPSHOT: &str = "s.json";
const POLICY_YAML: &str = "p.yaml";
const POLICY_JSON: &str = "p.json";
const OUT: &str = "out.json";
const REASSIGNMENT: &str = "r.json";
const CAPACITY: &str = "capacity.json";

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(path)
}

fn stretch_snapshot() -> Value {
    serde_json::from_slice(&std::fs::read(fixture("stretch/snapshot.json")).expect("fixture"))
        .expect("fixture parses")
}

fn stretch_policy() -> String {
    std::fs::read_to_string(fixture("stretch/policy.yaml")).expect("fixture")
}

/// The stretch snapshot after `change`, as text.
fn snapshot_with(change: impl FnOnce(&mut Value)) -> String {
    let mut snapshot = stretch_snapshot();
    change(&mut snapshot);
    serde_json::to_string_pretty(&snapshot).expect("serialises")
}

fn kplace(dir: &Path, args: &[String]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kplace"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("kplace runs")
}

/// One hostile input.
struct Case {
    name: &'static str,
    /// `plan`, `check` or `assign`.
    command: &'static str,
    snapshot: String,
    policy: String,
    policy_file: &'static str,
    extra: Vec<String>,
    code: i32,
    /// Every one of these must appear in the message.
    names: Vec<String>,
    /// A `--capacity` file's text, if the case gives one.
    capacity: Option<String>,
}

impl Case {
    fn new(name: &'static str) -> Case {
        Case {
            name,
            command: "plan",
            snapshot: snapshot_with(|_| {}),
            policy: stretch_policy(),
            policy_file: POLICY_YAML,
            extra: Vec::new(),
            code: 2,
            names: Vec::new(),
            capacity: None,
        }
    }
    fn capacity(mut self, text: &str) -> Case {
        self.capacity = Some(text.to_string());
        self
    }
    fn snapshot(mut self, change: impl FnOnce(&mut Value)) -> Case {
        self.snapshot = snapshot_with(change);
        self
    }
    fn snapshot_text(mut self, text: String) -> Case {
        self.snapshot = text;
        self
    }
    fn policy(mut self, text: &str) -> Case {
        self.policy = text.to_string();
        self
    }
    fn json_policy(mut self, text: &str) -> Case {
        self.policy = text.to_string();
        self.policy_file = POLICY_JSON;
        self
    }
    fn command(mut self, command: &'static str) -> Case {
        self.command = command;
        self
    }
    fn args(mut self, extra: &[&str]) -> Case {
        self.extra = extra.iter().map(|s| s.to_string()).collect();
        self
    }
    fn names(mut self, names: &[&str]) -> Case {
        self.names = names.iter().map(|s| s.to_string()).collect();
        self
    }

    /// Runs the case and checks every promise; returns stderr.
    fn run(&self) -> String {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join(SNAPSHOT), &self.snapshot).expect("write");
        std::fs::write(dir.path().join(self.policy_file), &self.policy).expect("write");
        if let Some(capacity) = &self.capacity {
            std::fs::write(dir.path().join(CAPACITY), capacity).expect("write");
        }
        let mut args: Vec<String> = vec![
            self.command.into(),
            "--snapshot".into(),
            SNAPSHOT.into(),
            "--policy".into(),
            self.policy_file.into(),
        ];
        match self.command {
            "plan" => args.extend(
                [
                    "--out",
                    OUT,
                    "--reassignment-json",
                    REASSIGNMENT,
                    "--format",
                    "json",
                ]
                .map(String::from),
            ),
            "assign" => args.extend(["--reassignment-json", REASSIGNMENT].map(String::from)),
            _ => {}
        }
        if self.capacity.is_some() {
            args.extend(["--capacity", CAPACITY].map(String::from));
        }
        args.extend(self.extra.iter().cloned());
        let started = Instant::now();
        let out = kplace(dir.path(), &args);
        let elapsed = started.elapsed();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let name = self.name;
        assert_eq!(out.status.code(), Some(self.code), "{name}: {stderr}");
        assert!(
            elapsed < Duration::from_secs(20),
            "{name}: took {elapsed:?}"
        );
        for expected in &self.names {
            assert!(
                stderr.contains(expected.as_str()),
                "{name}: message names {expected:?}: {stderr}"
            );
        }
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        let mut inputs = vec![SNAPSHOT.to_string(), self.policy_file.to_string()];
        if let Some(capacity) = &self.capacity {
            inputs.push(CAPACITY.to_string());
            assert_eq!(
                std::fs::read(dir.path().join(CAPACITY)).expect("read"),
                capacity.as_bytes(),
                "{name}: capacity file unchanged"
            );
        }
        inputs.sort();
        assert_eq!(left, inputs, "{name}: no output and no temporary is left");
        assert_eq!(
            std::fs::read(dir.path().join(SNAPSHOT)).expect("read"),
            self.snapshot.as_bytes(),
            "{name}: snapshot unchanged"
        );
        assert_eq!(
            std::fs::read(dir.path().join(self.policy_file)).expect("read"),
            self.policy.as_bytes(),
            "{name}: policy unchanged"
        );
        stderr
    }
}

fn partition0(s: &mut Value) -> &mut Value {
    &mut s["partitions"][0]
}

/// The snapshot cases: numbers and names that parse but are not Kafka's.
fn snapshot_cases() -> Vec<Case> {
    vec![
        Case::new("negative broker id")
            .snapshot(|s| s["brokers"][0]["id"] = json!(-1))
            .names(&[SNAPSHOT, "brokers[0].id", "-1"]),
        Case::new("broker id beyond int32")
            .snapshot(|s| s["brokers"][0]["id"] = json!(2147483648u64))
            .names(&[SNAPSHOT, "brokers[0].id", "2147483648"]),
        Case::new("negative replica id")
            .snapshot(|s| partition0(s)["replicas"][1] = json!(-3))
            .names(&[SNAPSHOT, "partitions[0].replicas[1]", "-3"]),
        Case::new("negative partition number")
            .snapshot(|s| partition0(s)["partition"] = json!(-1))
            .names(&[SNAPSHOT, "partitions[0].partition", "-1"]),
        Case::new("leader -2")
            .snapshot(|s| partition0(s)["leader"] = json!(-2))
            .names(&[SNAPSHOT, "partitions[0].leader", "-2"]),
        Case::new("duplicate ISR entry")
            .snapshot(|s| partition0(s)["isr"] = json!([1, 6, 6]))
            .names(&[SNAPSHOT, "partitions[0].isr[2]", "payments.ledger-0", "6"]),
        Case::new("negative ISR entry")
            .snapshot(|s| partition0(s)["isr"] = json!([1, -1]))
            .names(&[SNAPSHOT, "partitions[0].isr[1]", "-1"]),
        Case::new("negative cpu load")
            .snapshot(|s| partition0(s)["load"]["cpu"] = json!(-0.5))
            .names(&[SNAPSHOT, "partitions[0].load.cpu", "-0.5", "negative"]),
        Case::new("negative network-in load")
            .snapshot(|s| partition0(s)["load"]["network_in"] = json!(-1.0))
            .names(&[SNAPSHOT, "partitions[0].load.network_in", "-1"]),
        Case::new("negative network-out load")
            .snapshot(|s| s["partitions"][3]["load"]["network_out"] = json!(-7.0))
            .names(&[SNAPSHOT, "partitions[3].load.network_out", "-7"]),
        Case::new("infinite load")
            .snapshot_text(snapshot_with(|_| {}).replacen("\"cpu\": 0.03", "\"cpu\": 1e999", 1))
            .names(&[SNAPSHOT, "partitions[0].load.cpu"]),
        Case::new("negative size")
            .snapshot(|s| partition0(s)["size"] = json!(-1))
            .names(&[SNAPSHOT, "partitions[0].size", "-1"]),
        Case::new("negative disk capacity")
            .snapshot(|s| s["brokers"][2]["capacity"]["disk"] = json!(-1e12))
            .names(&[SNAPSHOT, "brokers[2].capacity.disk", "negative"]),
        Case::new("negative cpu capacity")
            .snapshot(|s| s["brokers"][0]["capacity"]["cpu"] = json!(-100.0))
            .names(&[SNAPSHOT, "brokers[0].capacity.cpu", "-100"]),
        Case::new("empty topic name")
            .snapshot(|s| partition0(s)["topic"] = json!(""))
            .names(&[SNAPSHOT, "partitions[0].topic", "empty"]),
        Case::new("topic named .")
            .snapshot(|s| partition0(s)["topic"] = json!("."))
            .names(&[SNAPSHOT, "partitions[0].topic", "'.'"]),
        Case::new("topic named ..")
            .snapshot(|s| partition0(s)["topic"] = json!(".."))
            .names(&[SNAPSHOT, "partitions[0].topic", "'..'"]),
        Case::new("topic name with a space")
            .snapshot(|s| partition0(s)["topic"] = json!("pay ments"))
            .names(&[SNAPSHOT, "partitions[0].topic", "pay ments"]),
        Case::new("topic name with a non-ASCII letter")
            .snapshot(|s| partition0(s)["topic"] = json!("caf\u{e9}"))
            .names(&[SNAPSHOT, "partitions[0].topic"]),
        Case::new("topic name of 250 characters")
            .snapshot(|s| partition0(s)["topic"] = json!("a".repeat(250)))
            .names(&[SNAPSHOT, "partitions[0].topic", "249"]),
        Case::new("illegal name in topic settings")
            .snapshot(|s| s["topics"][0]["name"] = json!("a/b"))
            .names(&[SNAPSHOT, "topics[0].name", "a/b"]),
        Case::new("topic min.insync.replicas 0")
            .snapshot(|s| s["topics"][1]["min_insync_replicas"] = json!(0))
            .names(&[SNAPSHOT, "topics[1].min_insync_replicas", "payments.events"]),
        Case::new("in-flight reassignment with a negative partition")
            .snapshot(|s| {
                s["reassignments"] =
                    json!([{"topic": "orders", "partition": -4, "replicas": [1, 2]}])
            })
            .names(&[SNAPSHOT, "reassignments[0].partition", "-4"]),
        Case::new("replica on a broker the snapshot does not list")
            .snapshot(|s| partition0(s)["replicas"][5] = json!(99))
            .names(&[SNAPSHOT, "broker 99", "payments.ledger-0", "alive"]),
        Case::new("duplicate label key in a broker")
            .snapshot_text(
                snapshot_with(|s| s["brokers"][0]["labels"] = json!({"room": "r1"})).replacen(
                    "\"room\": \"r1\"",
                    "\"room\": \"r1\", \"room\": \"r2\"",
                    1,
                ),
            )
            .names(&[SNAPSHOT, "brokers[0].labels", "duplicate key `room`"]),
        Case::new("deeply nested snapshot")
            .snapshot_text(format!(
                "{{\"brokers\": {}{}",
                "[".repeat(200_000),
                "]".repeat(200_000)
            ))
            .names(&[SNAPSHOT, "brokers[0]"]),
        Case::new("check: replica on an unlisted broker")
            .command("check")
            .snapshot(|s| s["partitions"][7]["replicas"][0] = json!(42))
            .names(&[SNAPSHOT, "broker 42"]),
        Case::new("assign: illegal topic name")
            .command("assign")
            .args(&["--topic", "new topic!", "--partitions", "3"])
            .names(&["--topic", "new topic!"]),
    ]
}

/// The policy cases: duplicate keys, contradicting counts, rack-pattern surprises, regexes,
/// nesting.
fn policy_cases() -> Vec<Case> {
    let typo_rack = |rack: Value| move |s: &mut Value| s["brokers"][3]["rack"] = rack;
    vec![
        Case::new("duplicate spread key (YAML)")
            .policy("rules:\n  - topics: '.*'\n    spread: {zone: even, zone: {max_per_value: 1}}\n")
            .names(&[POLICY_YAML, "rules[0].spread", "duplicate"]),
        Case::new("duplicate exact value (YAML)")
            .policy("rack_pattern: '^(?P<zone>az[0-9]+)/(?P<cluster>k8s-[a-z]+)$'\nrules:\n  - topics: '.*'\n    replication_factor: 3\n    spread:\n      zone: {exact: {az1: 1, az2: 1, az1: 1}}\n")
            .names(&[POLICY_YAML, "rules[0].spread.zone", "duplicate"]),
        Case::new("duplicate leader key (YAML)")
            .policy("rack_pattern: '^(?P<zone>az[0-9]+)/(?P<cluster>k8s-[a-z]+)$'\nrules:\n  - topics: '.*'\n    leader: {zone: az1, zone: az2}\n")
            .names(&[POLICY_YAML, "rules[0].leader", "duplicate"]),
        Case::new("duplicate spread key (JSON)")
            .json_policy(r#"{"rules": [{"topics": ".*", "spread": {"rack": "even", "rack": {"max_per_value": 1}}}]}"#)
            .names(&[POLICY_JSON, "rules[0].spread", "duplicate"]),
        Case::new("duplicate rule field")
            .policy("rules:\n  - topics: '.*'\n    replication_factor: 3\n    replication_factor: 1\n")
            .names(&[POLICY_YAML, "rules[0]", "duplicate field `replication_factor`"]),
        Case::new("duplicate top-level key")
            .policy("rack_pattern: '^(?P<zone>.*)$'\nrack_pattern: '^(?P<zone>az[0-9]+)/.*$'\nrules: []\n")
            .names(&[POLICY_YAML, "duplicate"]),
        Case::new("min_insync_replicas 0")
            .policy("rules:\n  - topics: '.*'\n    min_insync_replicas: 0\n")
            .names(&[POLICY_YAML, "rules[0].min_insync_replicas", "0"]),
        Case::new("min_insync_replicas above the replication factor")
            .policy("rules:\n  - topics: '.*'\n    replication_factor: 3\n    min_insync_replicas: 4\n")
            .names(&[POLICY_YAML, "rules[0].min_insync_replicas", "4", "3"]),
        Case::new("min_insync_replicas above the exact total")
            .policy("rack_pattern: '^(?P<zone>az[0-9]+)/(?P<cluster>k8s-[a-z]+)$'\nrules:\n  - topics: '.*'\n    spread: {zone: {exact: {az1: 1, az2: 1}}}\n    min_insync_replicas: 3\n")
            .names(&[POLICY_YAML, "rules[0].min_insync_replicas", "spread.zone.exact"]),
        Case::new("exact counts that contradict the replication factor")
            .policy("rack_pattern: '^(?P<zone>az[0-9]+)/(?P<cluster>k8s-[a-z]+)$'\nrules:\n  - topics: '.*'\n    replication_factor: 6\n    spread: {zone: {exact: {az1: 2, az2: 2}}}\n")
            .names(&[POLICY_YAML, "rules[0].spread.zone.exact", "4", "6"]),
        Case::new("two exact spreads with different totals")
            .policy("rack_pattern: '^(?P<zone>az[0-9]+)/(?P<cluster>k8s-[a-z]+)$'\nrules:\n  - topics: '.*'\n    spread:\n      cluster: {exact: {k8s-a: 3}}\n      zone: {exact: {az1: 1, az2: 1}}\n")
            .names(&[POLICY_YAML, "rules[0].spread.zone.exact", "rules[0].spread.cluster.exact"]),
        Case::new("replication_factor 0")
            .policy("rules:\n  - topics: '.*'\n    replication_factor: 0\n")
            .names(&[POLICY_YAML, "rules[0].replication_factor"]),
        Case::new("rack_pattern group named rack")
            .policy("rack_pattern: '^(?P<zone>az[0-9]+)/(?P<rack>k8s-[a-z]+)$'\nrules:\n  - topics: '.*'\n    spread: {zone: even}\n")
            .names(&[POLICY_YAML, "rack_pattern", "'rack'"]),
        Case::new("explicit label contradicting rack_pattern")
            .snapshot(|s| s["brokers"][0]["labels"] = json!({"zone": "az3"}))
            .names(&[SNAPSHOT, POLICY_YAML, "broker 1", "zone='az3'", "zone='az1'"]),
        Case::new("explicit rack label contradicting broker.rack")
            .snapshot(|s| s["brokers"][1]["labels"] = json!({"rack": "elsewhere"}))
            .names(&[SNAPSHOT, "broker 2", "broker.rack", "elsewhere"]),
        Case::new("rack with a trailing space")
            .snapshot(typo_rack(json!("az1/k8s-b ")))
            .names(&[SNAPSHOT, "broker 4", "'az1/k8s-b '", "rack_pattern", "unmatched_brokers"]),
        Case::new("rack with a typo")
            .snapshot(typo_rack(json!("zz1/k8s-b")))
            .names(&[SNAPSHOT, "broker 4", "'zz1/k8s-b'", "(?P<zone>az[0-9]+)"]),
        Case::new("live broker without a rack")
            .snapshot(|s| {
                s["brokers"][3].as_object_mut().expect("object").remove("rack");
            })
            .names(&[SNAPSHOT, "broker 4", "(none)", "no rack"]),
        Case::new("optional rack_pattern group that does not take part")
            .policy("rack_pattern: '^(?P<zone>az[0-9]+)(/(?P<cluster>k8s-[a-z]+))?$'\nrules:\n  - topics: '.*'\n    spread: {zone: even, cluster: even}\n")
            .snapshot(typo_rack(json!("az1")))
            .names(&[SNAPSHOT, "broker 4", "'cluster'", "does not take part"]),
        Case::new("check: rack with a typo")
            .command("check")
            .snapshot(typo_rack(json!("az1-k8s-b")))
            .names(&[SNAPSHOT, "broker 4", "'az1-k8s-b'"]),
        Case::new("unbalanced topics regex that anchoring would accept")
            .policy("rules:\n  - topics: 'payments)|(x'\n    replication_factor: 1\n")
            .names(&[POLICY_YAML, "rules[0].topics", "    payments)|(x\n            ^\n"]),
        Case::new("topics regex with an unclosed group")
            .policy("rules:\n  - topics: 'payments\\.(ledger'\n    replication_factor: 1\n")
            .names(&[POLICY_YAML, "rules[0].topics", "payments\\.(ledger"]),
        Case::new("--excluded-topics that anchoring would accept")
            .args(&["--excluded-topics", "orders)|(x"])
            .names(&["--excluded-topics", "orders)|(x"]),
        Case::new("--excluded-topics that does not compile")
            .args(&["--excluded-topics", "[orders"])
            .names(&["--excluded-topics", "[orders"]),
        Case::new("invalid rack_pattern")
            .policy("rack_pattern: '^(?P<zone>az[0-9]+'\nrules: []\n")
            .names(&[POLICY_YAML, "rack_pattern"]),
        Case::new("400 KB of nested brackets")
            .policy(&format!("rules: {}", "[".repeat(400_000)))
            .names(&[POLICY_YAML, "line 1", "nested more than 64"]),
        Case::new("400 KB of nested braces (JSON policy)")
            .json_policy(&"{\"a\": ".repeat(60_000))
            .names(&[POLICY_JSON, "nested more than 64"]),
        Case::new("deep compact block sequences")
            .policy(&format!("rules:\n{}x\n", "- ".repeat(100_000)))
            .names(&[POLICY_YAML, "line 2", "nested more than 64"]),
        Case::new("check: deep nesting")
            .command("check")
            .policy(&format!("rules: [{}", "{a: [".repeat(50_000)))
            .names(&[POLICY_YAML, "nested"]),
    ]
}

#[test]
fn hostile_snapshots_are_refused_naming_the_place() {
    let cases = snapshot_cases();
    assert!(cases.len() >= 25, "{} snapshot cases", cases.len());
    for case in &cases {
        case.run();
    }
}

#[test]
fn hostile_policies_are_refused_naming_the_place() {
    let cases = policy_cases();
    assert!(cases.len() >= 25, "{} policy cases", cases.len());
    for case in &cases {
        case.run();
    }
}

/// Mistaken `--capacity` files, in both formats (the stretch fixture's brokers are 1..=12).
fn capacity_cases() -> Vec<Case> {
    let cc = |entries: &str| format!(r#"{{"brokerCapacities": [{entries}]}}"#);
    let cc_entry = |id: &str, disk: &str| {
        format!(
            r#"{{"brokerId": {id}, "capacity": {{"DISK": {disk}, "CPU": "100", "NW_IN": "1000", "NW_OUT": "1000"}}}}"#
        )
    };
    let default = cc_entry("\"-1\"", "\"1000\"");
    vec![
        Case::new("capacity file naming an unknown broker")
            .capacity(&cc(&format!("{default},{}", cc_entry("\"42\"", "\"1\""))))
            .names(&[CAPACITY, "brokerCapacities[1]", "broker 42 is not in the cluster"]),
        Case::new("capacity file with a negative disk")
            .capacity(&cc(&format!("{default},{}", cc_entry("\"3\"", "\"-5\""))))
            .names(&[CAPACITY, "brokerCapacities[1].capacity.DISK", "broker 3", "negative"]),
        Case::new("capacity file with NaN")
            .capacity(&cc(&cc_entry("\"-1\"", "\"NaN\"")))
            .names(&[CAPACITY, "capacity.DISK", "default entry", "NaN"]),
        Case::new("capacity file listing a broker twice")
            .capacity(&cc(&format!("{default},{},{}", cc_entry("\"3\"", "\"1\""), cc_entry("3", "\"2\""))))
            .names(&[CAPACITY, "brokerCapacities[2]", "broker 3 is listed twice"]),
        Case::new("capacity file without default leaving brokers out")
            .capacity(&cc(&cc_entry("\"1\"", "\"1\"")))
            .names(&[CAPACITY, "2, 3", "not listed", "no default entry"]),
        Case::new("capacity file missing a resource")
            .capacity(r#"{"brokerCapacities": [{"brokerId": "-1", "capacity": {"DISK": "1", "CPU": "100", "NW_IN": "1"}}]}"#)
            .names(&[CAPACITY, "brokerCapacities[0].capacity", "NW_OUT"]),
        Case::new("capacity file in kplace format with a typo")
            .capacity("default:\n  disk_byte: 1.0e12\n")
            .names(&[CAPACITY, "line 2", "disk_byte"]),
        Case::new("capacity file in kplace format with a negative network")
            .capacity("default: {cpu_percent: 100}\nbrokers:\n  - {id: 4, network_in_bytes_per_second: -1}\n")
            .names(&[CAPACITY, "brokers[0].network_in_bytes_per_second", "broker 4", "negative"]),
        Case::new("capacity file in kplace format with a zero cpu")
            .capacity("default: {cpu_percent: 0}\n")
            .names(&[CAPACITY, "default.cpu_percent", "default entry"]),
        Case::new("capacity file that is not a capacity file")
            .capacity("[1, 2, 3]\n")
            .names(&[CAPACITY]),
        Case::new("capacity file that is empty")
            .capacity("")
            .names(&[CAPACITY]),
        Case::new("capacity file refused by check too")
            .command("check")
            .capacity(&cc(&cc_entry("\"99\"", "\"1\"")))
            .names(&[CAPACITY, "broker 99"]),
        Case::new("capacity file refused by analyze too")
            .command("analyze")
            .capacity("brokers:\n  - {id: 1, disk_bytes: .inf}\n")
            .names(&[CAPACITY, "brokers[0].disk_bytes", "broker 1"]),
    ]
}

#[test]
fn hostile_capacity_files_are_refused_naming_the_place() {
    for case in &capacity_cases() {
        case.run();
    }
}

#[test]
fn case_names_are_distinct() {
    let mut names: Vec<&str> = snapshot_cases()
        .iter()
        .chain(policy_cases().iter())
        .chain(capacity_cases().iter())
        .map(|c| c.name)
        .collect();
    let count = names.len();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), count, "each case is distinct");
    assert!(count >= 45, "{count} cases");
}

// ---- Legal inputs: what kplace does instead of harm ----

/// Writes the inputs into a temp dir and runs `plan` with PLAN.json out; returns (dir, plan, stdout).
fn plan_ok(snapshot: &str, policy: &str, extra: &[&str]) -> (tempfile::TempDir, Value, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join(SNAPSHOT), snapshot).expect("write");
    std::fs::write(dir.path().join(POLICY_YAML), policy).expect("write");
    let mut args: Vec<String> = [
        "plan",
        "--snapshot",
        SNAPSHOT,
        "--policy",
        POLICY_YAML,
        "--out",
        OUT,
        "--format",
        "text",
    ]
    .map(String::from)
    .to_vec();
    args.extend(extra.iter().map(|s| s.to_string()));
    let out = kplace(dir.path(), &args);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plan = serde_json::from_slice(&std::fs::read(dir.path().join(OUT)).expect("plan written"))
        .expect("plan parses");
    (dir, plan, stdout)
}

fn new_replicas<'p>(plan: &'p Value, topic: &str, partition: i64) -> Option<&'p Vec<Value>> {
    plan["partitions"]
        .as_array()
        .expect("partitions")
        .iter()
        .find(|p| p["topic"] == topic && p["partition"] == partition)
        .map(|p| p["new_replicas"].as_array().expect("replicas"))
}

#[test]
fn unmatched_brokers_marked_ineligible_are_drained_and_named() {
    let snapshot = snapshot_with(|s| s["brokers"][3]["rack"] = json!("az1/k8s-b "));
    let policy = format!("{}unmatched_brokers: ineligible\n", stretch_policy());
    let (dir, plan, stdout) = plan_ok(&snapshot, &policy, &[]);
    assert!(
        stdout.contains("note: brokers 4 hold no replicas"),
        "{stdout}"
    );
    assert!(
        plan["notes"][0]
            .as_str()
            .is_some_and(|n| n.contains("brokers 4")),
        "{plan}"
    );
    for change in plan["partitions"].as_array().expect("partitions") {
        assert!(
            !change["new_replicas"]
                .as_array()
                .expect("list")
                .contains(&json!(4)),
            "nothing is planned onto broker 4: {change}"
        );
    }
    let check = kplace(
        dir.path(),
        &[
            "check",
            "--snapshot",
            SNAPSHOT,
            "--policy",
            POLICY_YAML,
            "--format",
            "json",
        ]
        .map(String::from),
    );
    let report: Value = serde_json::from_slice(&check.stdout).expect("check json");
    assert!(
        report["notes"][0]
            .as_str()
            .is_some_and(|n| n.contains("brokers 4")),
        "{report}"
    );
    assert!(
        report["violations"]
            .as_array()
            .expect("violations")
            .iter()
            .any(|v| v["kind"] == "unmatched-broker"),
        "replicas on broker 4 are reported: {report}"
    );
}

#[test]
fn a_dead_broker_with_a_bad_rack_is_not_refused() {
    // Broker 7 is dead in the fixture: its labels no longer decide anything but its neighbours.
    let snapshot = snapshot_with(|s| s["brokers"][6]["rack"] = json!("gone"));
    plan_ok(&snapshot, &stretch_policy(), &[]);
}

#[test]
fn replicas_on_a_broker_listed_dead_are_moved_off_it() {
    let snapshot = snapshot_with(|s| {
        s["partitions"][0]["replicas"][5] = json!(99);
        s["partitions"][0]["isr"] = json!([1, 6, 5, 2, 10]);
        s["brokers"]
            .as_array_mut()
            .expect("brokers")
            .push(json!({"id": 99, "alive": false}));
    });
    let (_dir, plan, _) = plan_ok(&snapshot, &stretch_policy(), &[]);
    let after = new_replicas(&plan, "payments.ledger", 0).expect("partition 0 changes");
    assert!(!after.contains(&json!(99)), "{after:?}");
    assert_eq!(after.len(), 6);
}

#[test]
fn a_partition_without_leader_is_accepted_and_minus_one_is_never_planned() {
    let snapshot = snapshot_with(|s| s["partitions"][0]["leader"] = json!(-1));
    let (_dir, plan, _) = plan_ok(&snapshot, &stretch_policy(), &[]);
    for change in plan["partitions"].as_array().expect("partitions") {
        assert!(
            !change["new_replicas"]
                .as_array()
                .expect("list")
                .contains(&json!(-1)),
            "{change}"
        );
        assert_ne!(change["new_leader"], json!(-1), "{change}");
    }
}

#[test]
fn internal_topics_keep_their_replication_factor_unless_named() {
    // Six brokers over three zones, no capacities: only spread decides.
    let brokers: Vec<Value> = (1..=6)
        .map(|id| json!({"id": id, "rack": format!("az{}/k8s-a", (id - 1) % 3 + 1)}))
        .collect();
    let snapshot = json!({
        "brokers": brokers,
        "partitions": [
            {"topic": "orders", "partition": 0, "replicas": [1, 2, 3]},
            {"topic": "__consumer_offsets", "partition": 0, "replicas": [1, 2, 3]},
            {"topic": "__consumer_offsets", "partition": 1, "replicas": [4, 5, 6]},
            {"topic": "_schemas", "partition": 0, "replicas": [2, 3, 4]},
        ],
        "topics": [{"name": "_schemas", "internal": true}],
    })
    .to_string();
    let catch_all = "rack_pattern: '^(?P<zone>az[0-9]+)/(?P<cluster>k8s-[a-z]+)$'\nrules:\n  - topics: '.*'\n    replication_factor: 4\n    spread: {zone: {max_per_value: 2}}\n";
    let (_dir, plan, stdout) = plan_ok(&snapshot, catch_all, &[]);
    for (topic, number) in [
        ("__consumer_offsets", 0),
        ("__consumer_offsets", 1),
        ("_schemas", 0),
    ] {
        if let Some(after) = new_replicas(&plan, topic, number) {
            assert_eq!(after.len(), 3, "{topic}-{number} keeps RF 3: {after:?}");
        }
    }
    assert_eq!(
        new_replicas(&plan, "orders", 0).map(Vec::len),
        Some(4),
        "ordinary topics follow the rule"
    );
    assert!(
        stdout.contains("note: internal topic __consumer_offsets keeps its replication factor"),
        "{stdout}"
    );
    let named = "rack_pattern: '^(?P<zone>az[0-9]+)/(?P<cluster>k8s-[a-z]+)$'\nrules:\n  - topics: '__consumer_offsets'\n    replication_factor: 4\n    spread: {zone: {max_per_value: 2}}\n  - topics: '.*'\n    spread: {zone: {max_per_value: 2}}\n";
    let (_dir, plan, _) = plan_ok(&snapshot, named, &[]);
    assert_eq!(
        new_replicas(&plan, "__consumer_offsets", 0).map(Vec::len),
        Some(4),
        "a rule that names it explicitly sets its RF"
    );
}

/// Number of violations of goal `name` after the plan, and whether it was a guard.
fn goal_after(plan: &Value, name: &str) -> (u64, u64, bool) {
    let goal = plan["goals"]
        .as_array()
        .expect("goals")
        .iter()
        .find(|g| g["name"] == name)
        .unwrap_or_else(|| panic!("goal {name} reported: {plan}"));
    (
        goal["before"]["score"]
            .as_f64()
            .map_or(0, |s| (s * 1000.0) as u64),
        goal["after"]["score"]
            .as_f64()
            .map_or(0, |s| (s * 1000.0) as u64),
        goal["guard"] == json!(true),
    )
}

#[test]
fn hard_goals_left_out_of_goals_guard_every_move() {
    let snapshot = snapshot_with(|_| {});
    for goals in [
        "replica-balance",
        "disk-balance,leader-balance",
        "topic-balance",
    ] {
        let (_dir, plan, stdout) = plan_ok(&snapshot, &stretch_policy(), &["--goals", goals]);
        for hard in ["spread", "capacity", "domain-survival"] {
            let (before, after, guard) = goal_after(&plan, hard);
            assert!(guard, "--goals {goals}: {hard} is a guard");
            assert!(
                after <= before,
                "--goals {goals}: {hard} got worse ({before} -> {after})"
            );
        }
        assert!(
            stdout.contains("guard: hard goals not in --goals"),
            "{stdout}"
        );
    }
    let (_dir, plan, _) = plan_ok(&snapshot, &stretch_policy(), &[]);
    assert!(
        plan["goals"]
            .as_array()
            .expect("goals")
            .iter()
            .all(|g| g.get("guard").is_none()),
        "no guard when every hard goal runs"
    );
}

#[test]
fn a_regex_meant_for_no_topic_changes_no_topic() {
    // Before: `payments)|(x` was accepted as `^(?:payments)|(x)$` and cut payments.* to RF 1.
    let policy = "rules:\n  - topics: 'payments\\.ledger|payments\\.events'\n    replication_factor: 6\n  - topics: '.*'\n";
    let (_dir, plan, _) = plan_ok(&snapshot_with(|_| {}), policy, &["--goals", "spread"]);
    for change in plan["partitions"].as_array().expect("partitions") {
        if change["topic"]
            .as_str()
            .is_some_and(|t| t.starts_with("payments"))
        {
            assert_eq!(
                change["new_replicas"].as_array().map(Vec::len),
                Some(6),
                "{change}"
            );
        }
    }
}
