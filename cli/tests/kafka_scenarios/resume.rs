//! An apply killed mid-way and re-run continues from Kafka's state: every move is submitted
//! exactly once.

use super::no_throttles;
use crate::kafka_support::process::start_until;
use crate::kafka_support::{submitted, Cluster};

/// Runs the scenario.
pub fn run(cluster: &Cluster) {
    // 3 MB per partition: Kafka's replication quota lets a first burst through unthrottled, and
    // 600 kB partitions can be copied before the killed apply's moves are looked at.
    let json = cluster.topic_to_move("resume", 6, 3000, &[1, 9]);
    let apply = |throttle: &str| -> Vec<String> {
        cluster.args_on(
            "apply",
            &[
                "--reassignment-json",
                &json,
                "--max-moves",
                "2",
                "--throttle",
                throttle,
            ],
        )
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
