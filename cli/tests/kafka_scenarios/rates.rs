//! `kplace snapshot --sample` on a live cluster: three topics produced to at known, different
//! rates (Kafka's ProducerPerformance with `--throughput`) and one consumer group reading one of
//! them (VerifiableConsumer, which commits after every poll). The sampled produce rate of every
//! topic and the consume rate of the read topic are within 15% of the true rates; the topics
//! nobody reads show a consume rate of zero. `check --bootstrap-server --sample` says how its
//! loads were obtained.

use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use super::policy_for;
use crate::kafka_support::{repo, Cluster};

/// Bytes of every record produced.
const RECORD_SIZE: u64 = 1000;
/// Seconds the producers and the consumer run before sampling starts (JVM start, catching up).
const WARM_UP: u64 = 15;
/// The sampling window; 30 s keeps the 15% bound with commits every poll (the 60 s
/// would cost CI another half minute).
const WINDOW: u64 = 30;
/// Topic, records per second, replica lists (the heavy topic's leaders on brokers 1 and 2).
const TOPICS: [(&str, u64, [[i32; 2]; 4]); 3] = [
    ("rates-heavy", 400, [[1, 3], [2, 4], [1, 5], [2, 6]]),
    ("rates-medium", 150, [[3, 7], [4, 8], [5, 9], [6, 10]]),
    ("rates-light", 40, [[7, 11], [8, 12], [9, 1], [10, 2]]),
];
/// The topic the consumer group reads.
const READ: &str = "rates-medium";

/// A Kafka tool running in the background, in a process group of its own that is killed (by
/// its id) when dropped, on every way out of the test.
struct Background(Child);

impl Background {
    fn start(cluster: &Cluster, class: &str, args: &[&str]) -> Background {
        let child = Command::new(repo().join("scripts/kafka-cluster"))
            .arg("tool")
            .arg(class)
            .args(args)
            .env("KAFKA_CLUSTER_DIR", &cluster.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("start a Kafka tool");
        Background(child)
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = self.0.wait();
    }
}

/// Per topic: the sum over its partitions of `rates.<field>` in a sampled snapshot.
fn topic_rate(snapshot: &Value, topic: &str, field: &str) -> f64 {
    snapshot["partitions"]
        .as_array()
        .expect("partitions")
        .iter()
        .filter(|p| p["topic"] == topic)
        .map(|p| {
            p["rates"][field]
                .as_f64()
                .unwrap_or_else(|| panic!("{topic}: rates.{field} unknown: {p}"))
        })
        .sum()
}

/// Runs the scenario.
pub fn run(cluster: &Cluster) {
    for (topic, _, replicas) in &TOPICS {
        let assignment: Vec<Vec<i32>> = replicas.iter().map(|r| r.to_vec()).collect();
        cluster.create_topic(topic, &assignment, &[]);
    }
    let bootstrap = format!("bootstrap.servers={}", cluster.bootstrap);
    let running = WARM_UP + WINDOW + 60;
    let mut tools: Vec<Background> = TOPICS
        .iter()
        .map(|(topic, rate, _)| {
            Background::start(
                cluster,
                "ProducerPerformance",
                &[
                    "--topic",
                    topic,
                    "--num-records",
                    &(rate * running).to_string(),
                    "--record-size",
                    &RECORD_SIZE.to_string(),
                    "--throughput",
                    &rate.to_string(),
                    "--producer-props",
                    &bootstrap,
                    "acks=1",
                    "linger.ms=100",
                ],
            )
        })
        .collect();
    tools.push(Background::start(
        cluster,
        "VerifiableConsumer",
        &[
            "--bootstrap-server",
            &cluster.bootstrap,
            "--topic",
            READ,
            "--group-id",
            "rates-readers",
        ],
    ));
    std::thread::sleep(Duration::from_secs(WARM_UP));

    let out = cluster.scratch.join("sampled.json");
    let run = cluster.kplace(&[
        "snapshot",
        "--bootstrap-server",
        &cluster.bootstrap,
        "--sample",
        &format!("{WINDOW}s"),
        "--out",
        out.to_str().unwrap_or_default(),
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    let snapshot: Value =
        serde_json::from_slice(&std::fs::read(&out).expect("snapshot written")).expect("JSON");

    let mut report = Vec::new();
    for (topic, rate, _) in &TOPICS {
        let truth = (rate * RECORD_SIZE) as f64;
        let produce = topic_rate(&snapshot, topic, "produce");
        let consume = topic_rate(&snapshot, topic, "consume");
        report.push(format!(
            "{topic}: true {truth:.0} B/s, produce {produce:.0} B/s, consume {consume:.0} B/s"
        ));
        eprintln!("{}", report[report.len() - 1]);
        assert!(
            (produce - truth).abs() <= 0.15 * truth,
            "{topic}: produce {produce:.0} B/s, true {truth:.0} B/s: {report:?}"
        );
        if *topic == READ {
            assert!(
                (consume - truth).abs() <= 0.15 * truth,
                "{topic}: consume {consume:.0} B/s, true {truth:.0} B/s: {report:?}"
            );
        } else {
            assert_eq!(consume, 0.0, "{topic} is read by nobody: {report:?}");
        }
        // The load model's figures: network in = produce, network out adds the one follower.
        for p in snapshot["partitions"]
            .as_array()
            .expect("partitions")
            .iter()
            .filter(|p| p["topic"] == *topic)
        {
            let produce = p["rates"]["produce"].as_f64().unwrap_or_default();
            let consume = p["rates"]["consume"].as_f64().unwrap_or_default();
            let load = &p["load"];
            let network_in = load["network_in"].as_f64().unwrap_or_default();
            let network_out = load["network_out"].as_f64().unwrap_or_default();
            assert!((network_in - produce).abs() < 1e-6, "{p}");
            assert!((network_out - (consume + produce)).abs() < 1e-6, "{p}");
        }
    }
    eprintln!("sampled rates: {}", report.join("; "));
    let source = &snapshot["load_source"];
    assert_eq!(source["method"], "sampled", "{source}");
    assert_eq!(source["samples"], 1, "{source}");
    let window = source["window_seconds"].as_f64().expect("window_seconds");
    assert!((window - WINDOW as f64).abs() < 2.0, "{source}");
    assert!(
        run.stderr.contains("loads sampled over 1 × 30 s (mean)"),
        "{}",
        run.stderr
    );

    let policy = policy_for(cluster, "rates-.*");
    let check = cluster.kplace(&[
        "check",
        "--bootstrap-server",
        &cluster.bootstrap,
        "--policy",
        &policy,
        "--sample",
        "3s",
    ]);
    // The window runs from one reading's log-end offsets to the next; reading sizes first
    // makes a 3 s window measure about 3-4 s (the rates use the measured length).
    assert!(
        check.stdout.contains("note: loads: sampled over 1 × ")
            && check.stdout.contains(" s (mean); CPU estimated"),
        "{check:?}"
    );
    drop(tools);
}
