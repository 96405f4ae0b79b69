//! `kplace cancel` leaves no reassignment running and no throttle config behind.

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
