//! An apply stopped by SIGTERM with --cancel-on-stop cancels its moves in flight, removes its
//! throttles and says how to continue (exit 143); without it, SIGTERM stops the submissions but
//! lets the moves in flight finish, throttled. One killed outright (SIGKILL) leaves its ledger,
//! and the next kplace run (here cancel) removes what it left.

use std::process::Command;
use std::time::Duration;

use super::no_throttles;
use super::throttle_configs::{heavy_moves, ledger};
use crate::kafka_support::process::start_until;
use crate::kafka_support::Cluster;

fn signal(pid: u32, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -{name} {pid}");
}

/// Runs the scenario.
pub fn run(cluster: &Cluster) {
    let json = heavy_moves(cluster, "sigterm", 2, &[1, 11]);
    let args = [
        "apply",
        "--bootstrap-server",
        &cluster.bootstrap,
        "--reassignment-json",
        &json,
        "--throttle",
        "10000",
        "--cancel-on-stop",
    ];
    let running = start_until(&args, "batch submitted");
    let recorded = ledger(cluster);
    assert!(
        !recorded.is_empty(),
        "throttles are recorded while moves run; in flight: {:?}; broker default: {:?}; log: {}",
        cluster.in_flight(),
        super::throttle_configs::configs(cluster, "brokers", None),
        running.log()
    );
    signal(running.child.id(), "TERM");
    let (code, log) = running.finish();
    assert_eq!(code, 143, "SIGTERM: exit 128 + 15: {log}");
    assert!(
        log.contains("stopped by SIGTERM") && log.contains("cancelled") && log.contains("Re-run"),
        "the message says why it stopped, what became of the moves and how to go on: {log}"
    );
    no_throttles(cluster, "sigterm");
    assert!(
        ledger(cluster).is_empty(),
        "ledger left: {:?}",
        ledger(cluster)
    );
    assert!(
        cluster.in_flight().is_empty(),
        "cancelled moves are rolled back"
    );
    assert!(cluster
        .replicas("sigterm")
        .values()
        .all(|r| r == &vec![1, 3]));

    // Without --cancel-on-stop, SIGTERM stops the submissions and waits for the moves in flight,
    // which keep their throttle meanwhile.
    let mut running = start_until(&args[..args.len() - 1], "batch submitted");
    signal(running.child.id(), "TERM");
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !running.log().contains("stop requested") {
        assert!(
            std::time::Instant::now() < deadline,
            "no stop seen: {}",
            running.log()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    std::thread::sleep(Duration::from_secs(2));
    assert!(
        running.child.try_wait().expect("poll apply").is_none(),
        "the apply waits for its moves in flight: {}",
        running.log()
    );
    assert!(!cluster.in_flight().is_empty(), "the moves go on");
    assert!(!ledger(cluster).is_empty(), "and stay throttled");

    // SIGKILL: no cleanup is possible in the process; the ledger tells the next run.
    running.child.kill().expect("kill apply");
    let _ = running.finish();
    assert!(
        !ledger(cluster).is_empty(),
        "a killed apply leaves its ledger"
    );
    let run = cluster.kplace(&["cancel", "--bootstrap-server", &cluster.bootstrap]);
    assert_eq!(run.code, 0, "{run:?}");
    cluster.wait_until("cancel to finish", Duration::from_secs(30), || {
        cluster.in_flight().is_empty()
    });
    no_throttles(cluster, "sigterm");
    assert!(
        ledger(cluster).is_empty(),
        "ledger left: {:?}",
        ledger(cluster)
    );
}
