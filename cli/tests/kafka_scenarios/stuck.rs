//! Bounded waits on a real cluster: a move whose destination broker is stopped for good, a move
//! that copies nothing (stall detection) and an apply past its --timeout each end with exit 4, a
//! message naming the partition and the broker, and no throttle left.

use std::time::{Duration, Instant};

use super::no_throttles;
use super::throttle_configs::{heavy_moves, ledger};
use crate::kafka_support::Cluster;

/// Runs the scenario.
pub fn run(cluster: &Cluster) {
    // 1. The destination broker stops for good while the move runs.
    let json = heavy_moves(cluster, "stuck", 1, &[1, 12]);
    let running = cluster.start_on(
        "apply",
        &[
            "--reassignment-json",
            &json,
            "--throttle",
            "10000",
            "--timeout",
            "90s",
            "--stall-timeout",
            "30s",
        ],
        "batch submitted",
    );
    let started = Instant::now();
    let stopped = cluster.script(&["stop-broker", "12"]);
    assert!(stopped.status.success(), "stop-broker 12");
    let (code, log) = running.finish();
    assert_eq!(code, 4, "{log}");
    assert!(
        started.elapsed() < Duration::from_secs(90),
        "bounded: {log}"
    );
    assert!(
        log.contains("stuck-0") && log.contains("broker 12"),
        "names the partition and the broker: {log}"
    );
    // Broker 12's own rates could not be removed while it was down: the ledger keeps them,
    // and the next kplace run (cancel here) removes them once it is back.
    let back = cluster.script(&["start-broker", "12"]);
    assert!(back.status.success(), "start-broker 12");
    cluster.cancel_all(Duration::from_secs(60));
    no_throttles(cluster, "stuck");
    assert!(
        ledger(cluster).is_empty(),
        "ledger left: {:?}",
        ledger(cluster)
    );

    // 2. A move that copies nothing: a 1 byte/s throttle lets one fetch through, then none for
    // Kafka's quota window (about 11 s); the stall timeout is shorter.
    cluster.create_topic("stalled", &[vec![1, 3]], &[]);
    cluster.fill("stalled", 4000, 1000);
    let json = cluster.write(
        "stalled.json",
        r#"{"version":1,"partitions":[{"topic":"stalled","partition":0,"replicas":[1,8]}]}"#,
    );
    let run = cluster.kplace_on(
        "apply",
        &[
            "--reassignment-json",
            &json,
            "--throttle",
            "1",
            "--stall-timeout",
            "4s",
            "--poll-interval",
            "1s",
        ],
    );
    assert_eq!(run.code, 4, "{run:?}");
    assert!(
        run.stderr.contains("stalled") && run.stderr.contains("stalled-0 (adding broker 8"),
        "names the stuck partition and broker: {}",
        run.stderr
    );
    no_throttles(cluster, "stalled");

    // 3. --timeout: re-running the same apply continues the move in flight and gives up in time.
    let run = cluster.kplace_on(
        "apply",
        &[
            "--reassignment-json",
            &json,
            "--throttle",
            "1",
            "--timeout",
            "3s",
            "--poll-interval",
            "1s",
        ],
    );
    if cluster.in_flight().is_empty() {
        // The move finished unthrottled between the runs: nothing to time out.
        assert_eq!(run.code, 0, "{run:?}");
    } else {
        assert_eq!(run.code, 4, "{run:?}");
        assert!(
            run.stderr.contains("--timeout 3s") && run.stderr.contains("stalled-0"),
            "{}",
            run.stderr
        );
    }
    no_throttles(cluster, "stalled");
    cluster.cancel_all(Duration::from_secs(60));
    assert!(
        ledger(cluster).is_empty(),
        "ledger left: {:?}",
        ledger(cluster)
    );
}
