//! `kplace snapshot --sample` on a live cluster: three topics produced to at known, different
//! rates (Kafka's ProducerPerformance with `--throughput`) and one consumer group reading one of
//! them (VerifiableConsumer, which commits after every poll). The sampled produce rate of every
//! topic and the consume rate of the read topic are within 15% of the true rates; the topics
//! nobody reads show a consume rate of zero. `check --bootstrap-server --sample` says how its
//! loads were obtained. Then, with the same load running, [`skewed_load`]: `heal --sample` and
//! `plan --sample` act on it.

use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use super::{policy_for, skewed_load};
use crate::kafka_support::{repo, Cluster};

/// Bytes of every record produced.
const RECORD_SIZE: u64 = 1000;
/// Seconds the producers and the consumer run before sampling starts (JVM start, catching up).
const WARM_UP: u64 = 15;
/// The sampling window; 30 s keeps the 15% bound with commits every poll (the 60 s
/// would cost CI another half minute).
const WINDOW: u64 = 30;
/// The window of the sampled plan and of the look after applying it: with round-robin
/// producers each partition's rate holds steady, so 15 s keeps their 20% agreement.
const PLAN_WINDOW: u64 = 15;
/// Topic, records per second, replica lists: every pair in two zones and both Kubernetes
/// clusters (brokers 1,2 az1/k8s-a; 3,4 az1/k8s-b; 5,6 az2/k8s-a; 7,8 az2/k8s-b; 9,10
/// az3/k8s-a; 11,12 az3/k8s-b), so the spread policy holds, and the heavy topic's replicas and
/// leaders skewed onto brokers 1 and 2.
const TOPICS: [(&str, u64, [[i32; 2]; 4]); 3] = [
    ("rates-heavy", 400, [[1, 7], [2, 8], [1, 11], [2, 12]]),
    ("rates-medium", 150, [[3, 5], [4, 6], [3, 9], [4, 10]]),
    ("rates-light", 40, [[5, 11], [6, 12], [9, 7], [10, 8]]),
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
    // The sampled snapshot, check and heal, two sampled plans and the apply between them.
    let running = WARM_UP + WINDOW + 2 * PLAN_WINDOW + 150;
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
                    // Without keys the default partitioner sticks to one partition per batch
                    // and weighs partitions by their brokers' queues, so each partition's share
                    // shifts from window to window and with every move; round robin (even
                    // partition counts fixed by KAFKA-17632, in 3.9.1 and 4.0) gives every
                    // partition the same share in every window, so that per-partition rates
                    // measured before a plan still hold after it.
                    "partitioner.class=org.apache.kafka.clients.producer.RoundRobinPartitioner",
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
    skewed_load::heal_sees_sampled_load(cluster, &policy);
    skewed_load::plan_on_skewed_load(cluster, &policy, PLAN_WINDOW);
    drop(tools);
}
