//! A broker killed in the middle of an apply: apply exits 4 naming it; re-running once it is back
//! finishes the plan without resubmitting.

use crate::kafka_support::{submitted, Cluster};

/// Runs the scenario.
pub fn run(cluster: &Cluster) {
    // 3 MB per partition: Kafka's replication quota lets a first burst through unthrottled, and
    // a CI run copied two 600 kB partitions in 2 s, before broker 12 was down.
    let json = cluster.topic_to_move("killed", 2, 3000, &[1, 12]);
    let flags = |throttle| ["--reassignment-json", json.as_str(), "--throttle", throttle];
    let running = cluster.start_on("apply", &flags("60000"), "batch submitted");
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
    let run = cluster.kplace_on("apply", &flags("50000000"));
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
