//! A broker stopped during an apply (partitions elsewhere fall out of sync): the apply halves
//! its concurrency and holds new moves, the log says why, it resumes and climbs back once the
//! broker is back, and the apply finishes.
//!
//! Measured (Kafka 4.4.0): halved 2/100 -> 1/50 on "2 partitions under-replicated, not by
//! kplace's moves (pace-bystander-0, -1); 2 ISR shrinks (... lost broker 8)", halved again to
//! 1/25 after 2 s, resumed 2.4 s later when broker 8 was back, stepped to 2/75 after 2 s.

use std::time::{Duration, Instant};

use super::no_throttles;
use crate::kafka_support::process::start_until;
use crate::kafka_support::Cluster;

/// The broker stopped: part of no move, it holds a replica of the bystander topic.
const STOPPED: &str = "8";

/// Runs the scenario.
pub fn run(cluster: &Cluster) {
    cluster.create_topic("pace-bystander", &[vec![7, 8], vec![8, 7]], &[]);
    // Ten small moves at two per broker need five rounds of submit-and-poll whatever the
    // throttle lets through (Kafka's replication quota lets a first burst of about ten seconds'
    // worth pass at once, and a CI run once copied all four larger partitions in 4 s, before the
    // stopped broker was noticed): moves are still waiting when the pace holds them.
    let json = cluster.topic_to_move("paced", 10, 240, &[1, 12]);
    let args = [
        "apply",
        "--bootstrap-server",
        &cluster.bootstrap,
        "--reassignment-json",
        &json,
        "--throttle",
        "100000",
        "--max-moves-per-broker",
        "2",
        "--pace-step",
        "2s",
        "--poll-interval",
        "1s",
    ];
    let running = start_until(&args, "batch submitted");
    let stopped = cluster.script(&["stop-broker", STOPPED]);
    assert!(stopped.status.success(), "stop-broker {STOPPED}");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !running.log().contains("holding=true") {
        assert!(
            Instant::now() < deadline,
            "no change of pace after broker {STOPPED} stopped: {}",
            running.log()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let started = cluster.script(&["start-broker", STOPPED]);
    assert!(
        started.status.success(),
        "start-broker {STOPPED}: {}",
        String::from_utf8_lossy(&started.stderr)
    );
    let (code, log) = running.finish();
    assert_eq!(code, 0, "the apply finishes: {log}");
    let changes: Vec<&str> = log.lines().filter(|l| l.contains("pace changed")).collect();
    let halved = changes
        .iter()
        .position(|l| l.contains("holding=true"))
        .unwrap_or_else(|| panic!("no halving in {changes:#?}"));
    assert!(
        changes[halved].contains("from_per_broker=2 from_cluster=100 per_broker=1 cluster=50"),
        "concurrency halved: {}",
        changes[halved]
    );
    assert!(
        changes[halved].contains("under-replicated") || changes[halved].contains("ISR shrink"),
        "the reason is named: {}",
        changes[halved]
    );
    let resumed = changes[halved..]
        .iter()
        .position(|l| l.contains("submissions resume"))
        .unwrap_or_else(|| panic!("no resumption in {changes:#?}"));
    // Concurrency climbs again once healthy (back to the limits unless the apply ends first).
    assert!(
        changes[halved + resumed..]
            .iter()
            .any(|l| l.contains("reason=cluster healthy for 2s")),
        "a step back up: {changes:#?}"
    );
    // No move was submitted while held: every submission is before the halving or after the
    // resumption in the log.
    let lines: Vec<&str> = log.lines().collect();
    let at = |needle: &str| lines.iter().position(|l| l.contains(needle));
    let (held_at, resumed_at) = (
        at("holding=true").expect("halving logged"),
        at("submissions resume").expect("resumption logged"),
    );
    assert!(
        !lines[held_at..resumed_at]
            .iter()
            .any(|l| l.contains("batch submitted")),
        "nothing submitted while held: {log}"
    );
    assert!(cluster
        .replicas("paced")
        .values()
        .all(|r| r == &vec![1, 12]));
    assert!(cluster.in_flight().is_empty());
    no_throttles(cluster, "paced");
}
