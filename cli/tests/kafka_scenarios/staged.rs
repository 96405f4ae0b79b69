//! Staged replica changes under load: an RF 6 topic placed zone-only (both Kubernetes-cluster
//! cells k8s-b empty of it) is re-placed to 2 per zone / 3 per Kubernetes cluster while Kafka's
//! VerifiableProducer writes with acks=all and min.insync.replicas=3. Sampled every 250 ms for
//! the whole apply, no partition holds more than RF + stage size (7) replicas and none is under
//! min ISR; every send is acknowledged and every acknowledged message is consumed afterwards.
//!
//! Then the control, for the copy-rate figure of benches/README.md: the topic is moved back
//! zone-only and the same plan applied unstaged (`--stage-size 6`), sampled the same way; its
//! replica sets stay within old ∪ new (9).

use std::collections::BTreeSet;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{policy_for, zone_only};
use crate::kafka_support::{repo, Cluster};

const TOPIC: &str = "staged-orders";

/// What the sampler saw.
#[derive(Debug, Default)]
struct Seen {
    samples: usize,
    most_replicas: usize,
    least_isr: usize,
}

/// Samples the topic's replicas and ISR every 250 ms until `stop`.
fn sample(bootstrap: String, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<Seen> {
    std::thread::spawn(move || {
        let mut client = kplace_kafka::client::KafkaClient::connect(
            &bootstrap,
            kplace_kafka::properties::ClientConfig::default(),
        )
        .expect("connect the sampler");
        let mut seen = Seen {
            least_isr: usize::MAX,
            ..Seen::default()
        };
        while !stop.load(Ordering::Relaxed) {
            let parts = kplace_kafka::admin::partitions(&mut client, Some(vec![TOPIC.into()]))
                .expect("sample the topic's metadata");
            for p in parts {
                seen.most_replicas = seen.most_replicas.max(p.replicas.len());
                seen.least_isr = seen.least_isr.min(p.isr.len());
            }
            seen.samples += 1;
            std::thread::sleep(Duration::from_millis(250));
        }
        seen
    })
}

/// Runs the scenario.
pub fn run(cluster: &Cluster) {
    cluster.create_topic(TOPIC, &zone_only(3), &["min.insync.replicas=3"]);
    cluster.fill(TOPIC, 10_000, 1000);
    let policy = policy_for(cluster, "staged-.*");
    let plan_path = cluster.scratch.join("staged-plan.json");
    let plan_file = plan_path.to_string_lossy().into_owned();
    let run = cluster.kplace(&[
        "plan",
        "--bootstrap-server",
        &cluster.bootstrap,
        "--policy",
        &policy,
        "--out",
        &plan_file,
        "--format",
        "text",
        // Only the spread rule's moves: other scenarios' topics stay where they are.
        "--goals",
        "spread",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout
            .contains("Staged (--stage-size 1): 3 partitions move in stages"),
        "{}",
        run.stdout
    );
    let plan: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&plan_path).expect("read the plan")).expect("JSON");
    let changes = plan["partitions"].as_array().expect("partitions");
    assert_eq!(
        changes.len(),
        3,
        "only the topic's partitions move: {changes:?}"
    );
    for change in changes {
        let stages = change["stages"].as_array().expect("stages");
        assert_eq!(
            stages.len(),
            3,
            "three replicas move, one per stage: {change}"
        );
        assert_eq!(stages[2], change["new_replicas"]);
    }
    let dry = cluster.kplace(&[
        "apply",
        "--bootstrap-server",
        &cluster.bootstrap,
        "--plan",
        &plan_file,
        "--dry-run",
    ]);
    assert_eq!(dry.code, 0, "{dry:?}");
    assert!(
        dry.stdout.contains("(stage 1 of 3)") && dry.stdout.contains("(stage 3 of 3)"),
        "{}",
        dry.stdout
    );

    // 500 messages a second for 30 s: longer than the apply, which must end while it writes.
    let mut producer = Command::new(repo().join("scripts/kafka-cluster"))
        .args([
            "tool",
            "VerifiableProducer",
            "--bootstrap-server",
            &cluster.bootstrap,
            "--topic",
            TOPIC,
            "--max-messages",
            "15000",
            "--throughput",
            "500",
            "--acks",
            "-1",
        ])
        .env("KAFKA_CLUSTER_DIR", &cluster.dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start VerifiableProducer");
    let (applied, seen, took) = sampled_apply(cluster, &plan_file, &[], Duration::from_secs(3));
    let still_writing = producer.try_wait().expect("producer state").is_none();
    let output = producer.wait_with_output().expect("producer output");
    assert_eq!(applied.code, 0, "{applied:?}");
    assert!(
        still_writing,
        "the producer wrote during the whole apply ({took:?})"
    );
    let copied = plan["totals"]["bytes_to_move"].as_u64().unwrap_or(0);
    print_figures("staged apply", &seen, copied, took);
    assert!(seen.samples >= 8, "sampled through the apply: {seen:?}");
    assert_eq!(
        seen.most_replicas, 7,
        "RF 6 + stage size 1, reached: {seen:?}"
    );
    assert!(seen.least_isr >= 3, "never under min ISR: {seen:?}");

    unstaged_control(cluster, &plan_file, copied);

    let log = String::from_utf8_lossy(&output.stdout);
    let acked: BTreeSet<u32> = log
        .lines()
        .filter(|l| l.contains("\"producer_send_success\""))
        .filter_map(|l| {
            let value = l.split("\"value\":\"").nth(1)?;
            value.split('"').next()?.parse().ok()
        })
        .collect();
    let failed = log
        .lines()
        .filter(|l| l.contains("\"producer_send_error\""))
        .count();
    assert_eq!(failed, 0, "no failed send");
    assert_eq!(acked.len(), 15_000, "every send acknowledged");

    let consumed = cluster.tool(
        "org.apache.kafka.tools.consumer.ConsoleConsumer",
        &[
            "--bootstrap-server",
            &cluster.bootstrap,
            "--topic",
            TOPIC,
            "--from-beginning",
            "--max-messages",
            "25000",
            "--timeout-ms",
            "30000",
        ],
    );
    let values: BTreeSet<u32> = consumed
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect();
    assert!(
        acked.is_subset(&values),
        "every acknowledged message is consumed ({} of {} missing)",
        acked.difference(&values).count(),
        acked.len()
    );
}

/// The same re-placement without staging: the topic moved back where it was (unstaged), then
/// the plan applied with `--stage-size 6`, timed and sampled like the staged apply.
fn unstaged_control(cluster: &Cluster, plan_file: &str, copied: u64) {
    let partitions: Vec<String> = zone_only(3)
        .iter()
        .enumerate()
        .map(|(p, replicas)| {
            format!(r#"{{"topic":"{TOPIC}","partition":{p},"replicas":{replicas:?}}}"#)
        })
        .collect();
    let back = cluster.write(
        "staged-back.json",
        &format!(r#"{{"version":1,"partitions":[{}]}}"#, partitions.join(",")),
    );
    let run = cluster.kplace(&[
        "apply",
        "--bootstrap-server",
        &cluster.bootstrap,
        "--reassignment-json",
        &back,
        "--stage-size",
        "6",
        "--poll-interval",
        "1s",
    ]);
    assert_eq!(run.code, 0, "moving the topic back: {run:?}");
    let (applied, seen, took) =
        sampled_apply(cluster, plan_file, &["--stage-size", "6"], Duration::ZERO);
    assert_eq!(applied.code, 0, "{applied:?}");
    assert!(
        applied.stdout.contains("3 submitted now; 3 done"),
        "all three partitions in one stage each: {}",
        applied.stdout
    );
    print_figures("unstaged apply (--stage-size 6)", &seen, copied, took);
    assert!(
        (6..=9).contains(&seen.most_replicas),
        "an unstaged set holds at most old and new replicas (9): {seen:?}"
    );
}

/// `kplace apply --plan` with `extra` flags, sampled from `warmup` before it starts until it
/// ends: its run, what the sampler saw, and how long the apply took.
fn sampled_apply(
    cluster: &Cluster,
    plan_file: &str,
    extra: &[&str],
    warmup: Duration,
) -> (crate::kafka_support::Run, Seen, Duration) {
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = sample(cluster.bootstrap.clone(), Arc::clone(&stop));
    std::thread::sleep(warmup);
    let started = Instant::now();
    let mut args = vec![
        "apply",
        "--bootstrap-server",
        &cluster.bootstrap,
        "--plan",
        plan_file,
        "--poll-interval",
        "1s",
    ];
    args.extend_from_slice(extra);
    let applied = cluster.kplace(&args);
    let took = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    (applied, sampler.join().expect("sampler"), took)
}

/// The figures benches/README.md records, on stderr.
fn print_figures(label: &str, seen: &Seen, copied: u64, took: Duration) {
    eprintln!(
        "{label}: {} samples, at most {} replicas, ISR at least {}; {} bytes copied in {:.1}s ({:.1} MB/s)",
        seen.samples,
        seen.most_replicas,
        seen.least_isr,
        copied,
        took.as_secs_f64(),
        copied as f64 / took.as_secs_f64() / 1e6
    );
}
