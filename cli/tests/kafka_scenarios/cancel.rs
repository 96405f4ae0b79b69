//! `kplace cancel` leaves no reassignment running and no throttle config behind.

use std::time::Duration;

use super::{no_throttles, slow_moves};
use crate::kafka_support::Cluster;

/// Runs the scenario.
pub fn run(cluster: &Cluster) {
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
    // Metadata reaches every broker asynchronously: poll briefly rather than read once.
    cluster.wait_until(
        "cancel to leave no reassignment running",
        Duration::from_secs(30),
        || cluster.in_flight().is_empty(),
    );
    cluster.wait_until(
        "the cancelled moves to be rolled back to [1, 3]",
        Duration::from_secs(30),
        || cluster.replicas("cancelled").values().all(|r| r == &vec![1, 3]),
    );
    no_throttles(cluster, "cancelled");
}
