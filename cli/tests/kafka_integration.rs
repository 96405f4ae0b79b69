//! Integration tests of the Kafka edge against a real Apache Kafka: 1 KRaft controller and 12
//! brokers in 6 cells (az1..az3 × k8s-a/k8s-b), started by `scripts/kafka-cluster`.
//!
//! One cluster serves every scenario (starting it is the slow part), so this is a
//! `harness = false` test: scenarios run in order and the cluster is stopped, every process by
//! pid, when the fixture drops, also on panic. Without Java or Maven the tests are skipped with a
//! loud message, except in CI (`CI=true`), where they must run.

mod kafka_support;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kafka_support::{submitted, Cluster};

/// Zone-only placement of RF 6 in cells of k8s-a: 2 replicas per zone, all in one Kubernetes
/// cluster (brokers 1,2 az1; 5,6 az2; 9,10 az3).
fn zone_only(partitions: usize) -> Vec<Vec<i32>> {
    let rotations = [
        vec![1, 5, 9, 2, 6, 10],
        vec![5, 9, 1, 6, 10, 2],
        vec![9, 1, 5, 10, 2, 6],
    ];
    (0..partitions).map(|p| rotations[p % 3].clone()).collect()
}

fn policy_for(cluster: &Cluster, topic_regex: &str) -> String {
    cluster.write(
        &format!("policy-{}.yaml", topic_regex.replace(|c: char| !c.is_alphanumeric(), "")),
        &format!(
            "rack_pattern: '^(?P<zone>az[0-9]+)/(?P<cluster>k8s-[a-z]+)$'\nrules:\n  - topics: '{topic_regex}'\n    spread:\n      zone: even\n      cluster: even\n"
        ),
    )
}

/// Runs one scenario; `KPLACE_IT_ONLY=text` runs only scenarios whose name contains it.
fn scenario(name: &str, run: impl FnOnce()) {
    if let Ok(only) = std::env::var("KPLACE_IT_ONLY") {
        if !name.contains(&only) {
            return;
        }
    }
    let started = Instant::now();
    eprintln!("--- {name}");
    run();
    eprintln!("--- {name}: ok in {:.1}s", started.elapsed().as_secs_f64());
}

fn main() {
    if !kafka_support::kafka_tools_available() {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!(
                "CI=true but java or mvn is missing: the Kafka integration tests must run in CI"
            );
        }
        eprintln!("\n{0}\n!!! SKIPPING the Kafka integration tests: java and mvn are needed to fetch and run Apache Kafka.\n!!! Install a JDK 17+ and Maven, then run scripts/test again.\n{0}\n", "!".repeat(100));
        return;
    }
    let started = Instant::now();
    let cluster = Cluster::up();
    scenario(
        "bad input is refused with exit 2 and nothing submitted",
        || bad_input(&cluster),
    );
    scenario(
        "heal --once --execute spreads a zone-only topic over both clusters, losing nothing",
        || heal(&cluster),
    );
    scenario(
        "kafka-reassign-partitions accepts the reassignment JSON plan writes",
        || kafka_tool_accepts_plan(&cluster),
    );
    scenario(
        "an interrupted apply continues without resubmitting",
        || interrupted_apply(&cluster),
    );
    scenario("cancel leaves no reassignment and no throttle", || {
        cancel(&cluster)
    });
    scenario(
        "a broker killed mid-apply is reported; re-running finishes",
        || broker_killed(&cluster),
    );
    drop(cluster);
    eprintln!(
        "kafka integration tests passed in {:.1}s",
        started.elapsed().as_secs_f64()
    );
}

fn bad_input(cluster: &Cluster) {
    let out = cluster.scratch.join("never.json");
    let out = out.to_str().unwrap_or_default();
    let run = cluster.kplace(&[
        "snapshot",
        "--bootstrap-server",
        "127.0.0.1:1",
        "--out",
        out,
    ]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("127.0.0.1:1"),
        "the error names the address: {}",
        run.stderr
    );

    let wrong = cluster.write(
        "wrong.properties",
        "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-256\nsasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"kplace\" password=\"not-the-password\";\n",
    );
    let run = cluster.kplace(&[
        "snapshot",
        "--bootstrap-server",
        &cluster.sasl_bootstrap,
        "--command-config",
        &wrong,
        "--out",
        out,
    ]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("authentication failed"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("not-the-password"),
        "the password leaked: {}",
        run.stderr
    );

    for (mechanism, extra) in [("PLAIN", ""), ("SCRAM-SHA-512", "")] {
        let good = cluster.write(
            &format!("good-{mechanism}.properties"),
            &format!("security.protocol=SASL_PLAINTEXT\nsasl.mechanism={mechanism}\nsasl.username=kplace\nsasl.password=kplace-secret\n{extra}"),
        );
        let run = cluster.kplace(&[
            "snapshot",
            "--bootstrap-server",
            &cluster.sasl_bootstrap,
            "--command-config",
            &good,
            "--out",
            out,
        ]);
        assert_eq!(run.code, 0, "{mechanism}: {run:?}");
    }
    assert!(std::path::Path::new(out).exists());

    cluster.create_topic("bad-input", &[vec![1, 3]], &[]);
    for (name, json, expected) in [
        (
            "unknown-topic",
            r#"{"version":1,"partitions":[{"topic":"no-such-topic","partition":0,"replicas":[1,2]}]}"#,
            "unknown topic no-such-topic",
        ),
        (
            "unknown-broker",
            r#"{"version":1,"partitions":[{"topic":"bad-input","partition":0,"replicas":[1,99]}]}"#,
            "unknown broker 99",
        ),
        (
            "unknown-partition",
            r#"{"version":1,"partitions":[{"topic":"bad-input","partition":0,"replicas":[1,5]},{"topic":"bad-input","partition":7,"replicas":[1,2]}]}"#,
            "no partition 7",
        ),
    ] {
        let file = cluster.write(&format!("{name}.json"), json);
        let run = cluster.kplace(&[
            "apply",
            "--bootstrap-server",
            &cluster.bootstrap,
            "--reassignment-json",
            &file,
        ]);
        assert_eq!(run.code, 2, "{name}: {run:?}");
        assert!(
            run.stderr.contains(expected) && run.stderr.contains(&file),
            "{name}: {}",
            run.stderr
        );
    }
    assert!(
        cluster.in_flight().is_empty(),
        "bad input submitted something"
    );
    assert_eq!(
        cluster.replicas("bad-input")[&0],
        vec![1, 3],
        "bad input moved a replica"
    );
}

fn heal(cluster: &Cluster) {
    cluster.create_topic("heal-orders", &zone_only(3), &["min.insync.replicas=2"]);
    let produced = cluster.tool(
        "VerifiableProducer",
        &[
            "--bootstrap-server",
            &cluster.bootstrap,
            "--topic",
            "heal-orders",
            "--max-messages",
            "1000",
            "--acks",
            "-1",
        ],
    );
    let acked = produced
        .lines()
        .filter(|l| l.contains("\"producer_send_success\""))
        .count();
    assert_eq!(acked, 1000, "every message is acknowledged with acks=all");

    let policy = policy_for(cluster, "heal-.*");
    let run = cluster.kplace(&[
        "heal",
        "--bootstrap-server",
        &cluster.bootstrap,
        "--policy",
        &policy,
        "--once",
    ]);
    assert_eq!(
        run.code, 1,
        "without --execute, violations are reported: {run:?}"
    );
    assert!(run.stdout.contains("status=planned"), "{}", run.stdout);
    assert!(
        cluster.in_flight().is_empty(),
        "without --execute nothing is submitted"
    );

    let run = cluster.kplace(&[
        "heal",
        "--bootstrap-server",
        &cluster.bootstrap,
        "--policy",
        &policy,
        "--once",
        "--execute",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    let summary = run.stdout.lines().last().unwrap_or_default();
    assert!(
        summary.starts_with("kplace heal: round=1 status=healed") && summary.contains("moves=3"),
        "{summary}"
    );

    for (partition, replicas) in cluster.replicas("heal-orders") {
        let mut zones: BTreeMap<String, usize> = BTreeMap::new();
        let mut clusters: BTreeMap<String, usize> = BTreeMap::new();
        for b in &replicas {
            let (zone, k8s) = Cluster::rack(*b);
            *zones.entry(zone).or_default() += 1;
            *clusters.entry(k8s).or_default() += 1;
        }
        assert_eq!(replicas.len(), 6, "partition {partition}: {replicas:?}");
        assert!(
            zones.values().all(|&n| n == 2) && zones.len() == 3,
            "partition {partition}: zones {zones:?}"
        );
        assert!(
            clusters.values().all(|&n| n == 3) && clusters.len() == 2,
            "partition {partition}: clusters {clusters:?}"
        );
    }

    let run = cluster.kplace(&[
        "heal",
        "--bootstrap-server",
        &cluster.bootstrap,
        "--policy",
        &policy,
        "--once",
    ]);
    assert_eq!(run.code, 0, "a healed cluster is healthy: {run:?}");
    assert!(run.stdout.contains("status=healthy"), "{}", run.stdout);

    let consumed = cluster.tool(
        "org.apache.kafka.tools.consumer.ConsoleConsumer",
        &[
            "--bootstrap-server",
            &cluster.bootstrap,
            "--topic",
            "heal-orders",
            "--from-beginning",
            "--max-messages",
            "1000",
            "--timeout-ms",
            "60000",
        ],
    );
    let values: BTreeSet<u32> = consumed
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect();
    assert_eq!(
        values,
        (0..1000).collect::<BTreeSet<u32>>(),
        "every message produced before is consumed after"
    );
}

fn kafka_tool_accepts_plan(cluster: &Cluster) {
    cluster.create_topic("tool-json", &zone_only(2), &[]);
    let snapshot = cluster.scratch.join("tool-snapshot.json");
    let snapshot = snapshot.to_str().unwrap_or_default();
    let run = cluster.kplace(&[
        "snapshot",
        "--bootstrap-server",
        &cluster.bootstrap,
        "--out",
        snapshot,
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    let policy = policy_for(cluster, "tool-.*");
    let json = cluster.scratch.join("tool-reassignment.json");
    let json = json.to_str().unwrap_or_default();
    let run = cluster.kplace(&[
        "plan",
        "--snapshot",
        snapshot,
        "--policy",
        &policy,
        "--reassignment-json",
        json,
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    let planned: serde_json::Value =
        serde_json::from_slice(&std::fs::read(json).expect("plan wrote JSON")).expect("JSON");
    let entries = planned["partitions"].as_array().map(Vec::len).unwrap_or(0);
    let planned: BTreeMap<i32, Vec<i32>> = planned["partitions"]
        .as_array()
        .expect("partitions")
        .iter()
        .filter(|p| p["topic"] == "tool-json")
        .map(|p| {
            let replicas = p["replicas"].as_array().expect("replicas");
            let replicas = replicas
                .iter()
                .map(|b| b.as_i64().unwrap_or(-1) as i32)
                .collect();
            (p["partition"].as_i64().unwrap_or(-1) as i32, replicas)
        })
        .collect();
    assert_eq!(
        planned.len(),
        2,
        "both partitions change: {}",
        std::fs::read_to_string(json).unwrap_or_default()
    );

    let class = "org.apache.kafka.tools.reassign.ReassignPartitionsCommand";
    let executed = cluster.tool(
        class,
        &[
            "--bootstrap-server",
            &cluster.bootstrap,
            "--reassignment-json-file",
            json,
            "--execute",
        ],
    );
    assert!(
        executed.contains("Successfully started partition reassignment"),
        "{executed}"
    );
    cluster.wait_until(
        "kafka-reassign-partitions --verify",
        Duration::from_secs(60),
        || {
            let verified = cluster.tool(
                class,
                &[
                    "--bootstrap-server",
                    &cluster.bootstrap,
                    "--reassignment-json-file",
                    json,
                    "--verify",
                ],
            );
            !verified.contains("still in progress")
                && verified.matches("is completed").count() == entries
        },
    );
    let now = cluster.replicas("tool-json");
    assert_eq!(now, planned);
}

/// A topic with some data whose partitions, all on brokers 1 and 3, move to `target`: slow
/// enough under a throttle to interrupt. Keeping broker 1 keeps the moves from being
/// ISR-critical (those run one at a time).
fn slow_moves(cluster: &Cluster, topic: &str, partitions: i32, target: &[i32]) -> String {
    cluster.create_topic(topic, &vec![vec![1, 3]; partitions as usize], &[]);
    cluster.fill(topic, 600 * partitions as u32, 1000);
    let moves: Vec<String> = (0..partitions)
        .map(|p| format!(r#"{{"topic":"{topic}","partition":{p},"replicas":{target:?}}}"#))
        .collect();
    cluster.write(
        &format!("{topic}.json"),
        &format!(r#"{{"version":1,"partitions":[{}]}}"#, moves.join(",")),
    )
}

/// A kplace process whose log (stderr) is collected as it runs.
struct Running {
    child: std::process::Child,
    log: Arc<Mutex<String>>,
    reader: std::thread::JoinHandle<()>,
}

impl Running {
    /// The log so far.
    fn log(&self) -> String {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// Waits for the process to end; its exit code and whole log.
    fn finish(mut self) -> (i32, String) {
        let code = self
            .child
            .wait()
            .expect("wait for kplace")
            .code()
            .unwrap_or(-1);
        let _ = self.reader.join();
        let log = self.log.lock().map(|l| l.clone()).unwrap_or_default();
        (code, log)
    }
}

/// Starts kplace, returns once its log shows `marker`.
fn start_until(args: &[&str], marker: &str) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kplace"))
        .args(args)
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start kplace");
    let stderr = child.stderr.take().expect("stderr");
    let log = Arc::new(Mutex::new(String::new()));
    let sink = Arc::clone(&log);
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Ok(mut log) = sink.lock() {
                log.push_str(&line);
                log.push('\n');
            }
        }
    });
    let running = Running { child, log, reader };
    let deadline = Instant::now() + Duration::from_secs(120);
    while !running.log().contains(marker) {
        assert!(
            Instant::now() < deadline,
            "kplace did not log {marker:?}:\n{}",
            running.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    running
}

fn interrupted_apply(cluster: &Cluster) {
    let json = slow_moves(cluster, "resume", 6, &[1, 9]);
    let apply = |throttle: &str| -> Vec<String> {
        vec![
            "apply",
            "--bootstrap-server",
            &cluster.bootstrap,
            "--reassignment-json",
            &json,
            "--max-moves",
            "2",
            "--throttle",
            throttle,
        ]
        .into_iter()
        .map(String::from)
        .collect()
    };
    let first: Vec<String> = apply("150000");
    let first: Vec<&str> = first.iter().map(String::as_str).collect();
    let mut running = start_until(&first, "batch submitted");
    running.child.kill().expect("kill apply");
    let (_, log) = running.finish();
    let before_kill = submitted(&log);
    assert_eq!(
        before_kill.len(),
        2,
        "the first batch holds --max-moves moves: {log}"
    );
    assert!(
        !cluster.in_flight().is_empty(),
        "the killed apply's moves are still in flight"
    );

    let second = apply("50000000");
    let second: Vec<&str> = second.iter().map(String::as_str).collect();
    let run = cluster.kplace(&second);
    assert_eq!(run.code, 0, "{run:?}");
    let after = submitted(&run.stderr);
    let overlap: Vec<_> = after.iter().filter(|m| before_kill.contains(m)).collect();
    assert!(overlap.is_empty(), "re-run submitted again: {overlap:?}");
    assert_eq!(
        before_kill.len() + after.len(),
        6,
        "every move submitted exactly once: {before_kill:?} + {after:?}"
    );
    assert!(
        run.stdout.contains("2 already in flight") || run.stdout.contains("already done"),
        "{}",
        run.stdout
    );
    assert!(cluster
        .replicas("resume")
        .values()
        .all(|r| r == &vec![1, 9]));
    assert!(cluster.in_flight().is_empty());
    no_throttles(cluster, "resume");
}

fn no_throttles(cluster: &Cluster, topic: &str) {
    let topic_configs = cluster.tool(
        "kafka.admin.ConfigCommand",
        &[
            "--bootstrap-server",
            &cluster.bootstrap,
            "--describe",
            "--entity-type",
            "topics",
            "--entity-name",
            topic,
        ],
    );
    assert!(
        !topic_configs.contains("replication.throttled.replicas="),
        "topic {topic} keeps a throttle: {topic_configs}"
    );
    let broker_configs = cluster.tool(
        "kafka.admin.ConfigCommand",
        &[
            "--bootstrap-server",
            &cluster.bootstrap,
            "--describe",
            "--entity-type",
            "brokers",
            "--all",
        ],
    );
    let leftovers: Vec<&str> = broker_configs
        .lines()
        .filter(|l| {
            l.contains("replication.throttled.rate=") && l.contains("DYNAMIC_BROKER_CONFIG")
        })
        .collect();
    assert!(
        leftovers.is_empty(),
        "brokers keep throttle rates: {leftovers:?}"
    );
}

fn cancel(cluster: &Cluster) {
    let json = slow_moves(cluster, "cancelled", 4, &[1, 10]);
    let run = cluster.kplace(&[
        "apply",
        "--bootstrap-server",
        &cluster.bootstrap,
        "--reassignment-json",
        &json,
        "--throttle",
        "50000",
        "--no-wait",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        !cluster.in_flight().is_empty(),
        "moves are in flight before cancel: {}",
        run.stdout
    );
    let run = cluster.kplace(&["cancel", "--bootstrap-server", &cluster.bootstrap]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        cluster.in_flight().is_empty(),
        "cancel leaves no reassignment running"
    );
    assert!(
        cluster
            .replicas("cancelled")
            .values()
            .all(|r| r == &vec![1, 3]),
        "cancelled moves are rolled back"
    );
    no_throttles(cluster, "cancelled");
}

fn broker_killed(cluster: &Cluster) {
    let json = slow_moves(cluster, "killed", 2, &[1, 12]);
    let args = [
        "apply",
        "--bootstrap-server",
        &cluster.bootstrap,
        "--reassignment-json",
        &json,
        "--throttle",
        "60000",
    ];
    let running = start_until(&args, "batch submitted");
    let stopped = cluster.script(&["stop-broker", "12"]);
    assert!(stopped.status.success(), "stop-broker 12");
    let (code, stderr) = running.finish();
    assert_eq!(code, 4, "apply reports Kafka failing part-way: {stderr}");
    assert!(
        stderr.contains("broker 12") && stderr.contains("re-run"),
        "the error names the broker: {stderr}"
    );

    let started = cluster.script(&["start-broker", "12"]);
    assert!(
        started.status.success(),
        "start-broker 12: {}",
        String::from_utf8_lossy(&started.stderr)
    );
    // The same apply, with a faster throttle so the test does not wait long.
    let rerun: Vec<&str> = args
        .iter()
        .map(|a| if *a == "60000" { "50000000" } else { a })
        .collect();
    let run = cluster.kplace(&rerun);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        submitted(&run.stderr).is_empty(),
        "nothing is resubmitted: {}",
        run.stderr
    );
    assert!(cluster
        .replicas("killed")
        .values()
        .all(|r| r == &vec![1, 12]));
    assert!(cluster.in_flight().is_empty());
}
