//! `kplace cancel` leaves no reassignment running and no throttle config behind.

use std::time::Duration;

use super::{no_throttles, slow_moves};
use crate::kafka_support::Cluster;

/// Runs the scenario.
pub fn run(cluster: &Cluster) {
    let json = slow_moves(cluster, "cancelled", 4, &[1, 10]);
    let run = cluster.kplace_on(
        "apply",
        &[
            "--reassignment-json",
            &json,
            "--throttle",
            "50000",
            "--no-wait",
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        !cluster.in_flight().is_empty(),
        "moves are in flight before cancel: {}",
        run.stdout
    );
    let run = cluster.kplace_on("cancel", &[]);
    assert_eq!(run.code, 0, "{run:?}");
    // Metadata reaches every broker asynchronously: poll briefly rather than read once.
    cluster.wait_until(
        "cancel to leave no reassignment running",
        Duration::from_secs(30),
        || cluster.in_flight().is_empty(),
    );
    // A move can finish between `apply --no-wait` and `cancel` (seen on a loaded machine); every
    // partition must end either rolled back to [1, 3] or fully moved to [1, 10], never between.
    cluster.wait_until(
        "every partition to be rolled back to [1, 3] or fully moved to [1, 10]",
        Duration::from_secs(30),
        || {
            let replicas = cluster.replicas("cancelled");
            replicas.len() == 4
                && replicas
                    .values()
                    .all(|r| r == &vec![1, 3] || r == &vec![1, 10])
        },
    );
    no_throttles(cluster, "cancelled");
}
