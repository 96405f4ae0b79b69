//! `apply --progress json`: one JSON event per line on stdout; the progress events count the
//! moves done monotonically, carry the bytes to copy and an ETA, and the outcome comes last.
//! The ETA's error against the real duration is printed (recorded in benches/README.md).
//! `KPLACE_IT_PROGRESS_PARTITIONS` (default 4) sets how many partitions move, for a longer run
//! to measure the ETA on (the assertions hold for any count).

use serde_json::Value;

use super::{no_throttles, slow_moves};
use crate::kafka_support::Cluster;

/// Runs the scenario.
pub fn run(cluster: &Cluster) {
    let n: u64 = std::env::var("KPLACE_IT_PROGRESS_PARTITIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4);
    let json = slow_moves(cluster, "progressed", n as i32, &[1, 11]);
    let run = cluster.kplace(&[
        "apply",
        "--bootstrap-server",
        &cluster.bootstrap,
        "--reassignment-json",
        &json,
        "--throttle",
        "400000",
        "--max-moves-per-broker",
        "2",
        "--progress",
        "json",
        "--poll-interval",
        "1s",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    let events: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l:?}: {e}")))
        .collect();
    let last = events.last().expect("events");
    assert_eq!(last["event"], "finished", "{last}");
    assert_eq!(last["done"], n);
    let progress: Vec<&Value> = events.iter().filter(|e| e["event"] == "progress").collect();
    assert!(progress.len() >= 2, "{events:#?}");
    assert!(events.iter().any(|e| e["event"] == "submitted"));
    let total = progress[0]["total_bytes"].as_u64().expect("total_bytes");
    assert!(
        total >= n * 600 * 1000,
        "{n} partitions of 600 kB copied once each: {total}"
    );
    let mut done = 0;
    let mut copied = 0;
    for p in &progress {
        assert_eq!(p["total_bytes"].as_u64(), Some(total), "{p}");
        assert_eq!(p["total"], n);
        let now = p["done"].as_u64().expect("done");
        assert!(now >= done, "done never goes back: {progress:#?}");
        done = now;
        let bytes = p["copied_bytes"].as_u64().expect("copied_bytes");
        assert!(bytes <= total);
        copied = bytes;
    }
    assert_eq!((done, copied), (n, total), "all copied at the end");
    // The ETA's error: each estimate's predicted end against the real one.
    let end = progress
        .last()
        .and_then(|p| p["elapsed_seconds"].as_f64())
        .expect("elapsed");
    let errors: Vec<(f64, f64)> = progress
        .iter()
        .filter(|p| p["done"].as_u64() < Some(n))
        .filter_map(|p| {
            let at = p["elapsed_seconds"].as_f64()?;
            let eta = p["eta_seconds"].as_f64()?;
            Some((at, at + eta - end))
        })
        .collect();
    assert!(
        !errors.is_empty(),
        "an ETA is given while moves run: {progress:#?}"
    );
    let midway: Vec<&(f64, f64)> = errors.iter().filter(|(at, _)| *at >= end / 2.0).collect();
    eprintln!(
        "progress json: {} events, {total} bytes in {end:.1}s; ETA error (predicted end - real end) by time: {}; mean absolute error in the second half {:.1}s",
        events.len(),
        errors
            .iter()
            .map(|(at, e)| format!("{at:.1}s:{e:+.1}s"))
            .collect::<Vec<_>>()
            .join(" "),
        midway.iter().map(|(_, e)| e.abs()).sum::<f64>() / midway.len().max(1) as f64
    );
    no_throttles(cluster, "progressed");
}
