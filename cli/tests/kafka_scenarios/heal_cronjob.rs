//! `kplace heal --once` run the way a Kubernetes CronJob runs it: a fresh process every few
//! seconds, with nothing but its state file between runs, on a cluster of one broker per rack
//! (4 brokers, racks rack-1..rack-4, started here: `KAFKA_RACKS=per-broker`).
//!
//! - Without a state file, or with one that is missing, `--once` refuses (exit 2) and says why.
//! - A dead broker whose rack no other broker shares is that broker's failure, not a rack
//!   outage: the rounds wait for the grace period (measured across processes through the state
//!   file), then heal it.
//! - Capped at one move a round, the partition at its min ISR goes before the one with room.
//! - The rounds after the broker's death run with `--progress json`, as a job that feeds its
//!   output to automation would: every line is a JSON event, each run ends with its `round`
//!   event, and the round that moves shows its apply's `submitted` and `progress` events.

use std::time::{Duration, Instant};

use crate::kafka_support::Cluster;

const GRACE_SECONDS: u64 = 15;

/// Runs the scenario on its own small cluster, stopped (by pid) when it ends.
pub fn run(main: &Cluster) {
    // A cluster of its own shape (4 brokers, one per rack), of the same Kafka as `main`.
    let cluster = Cluster::up_with(
        &main.spec,
        "per-broker",
        4,
        &[("KAFKA_RACKS", "per-broker")],
    );
    // Named so that the plan's own order (topics by name) would take cron-a first.
    cluster.create_topic("cron-a-roomy", &[vec![1, 3, 4]], &["min.insync.replicas=1"]);
    cluster.create_topic(
        "cron-b-at-min",
        &[vec![1, 2, 4]],
        &["min.insync.replicas=2"],
    );
    let policy = cluster.write(
        "cron-policy.yaml",
        "rules:\n  - topics: 'cron-.*'\n    spread:\n      rack: even\n",
    );
    let state = cluster.scratch.join("heal-state.json");
    let state = state.to_str().unwrap_or_default().to_string();
    let grace = format!("{GRACE_SECONDS}s");
    let heal_as = |state_file: Option<&str>, json: bool| {
        let mut args = vec![
            "heal",
            "--bootstrap-server",
            &cluster.bootstrap,
            "--policy",
            &policy,
            "--once",
            "--execute",
            "--dead-broker-grace",
            &grace,
            "--max-moves-per-round",
            "1",
        ];
        if let Some(path) = state_file {
            args.extend(["--state-file", path]);
        }
        if json {
            args.extend(["--progress", "json"]);
        }
        cluster.kplace(&args)
    };
    let heal = |state_file: Option<&str>| heal_as(state_file, false);

    let run = heal(None);
    assert_eq!(run.code, 2, "--once without a state file: {run:?}");
    assert!(
        run.stderr.contains("--state-file is required"),
        "{}",
        run.stderr
    );
    let run = heal(Some(&state));
    assert_eq!(run.code, 2, "a missing state file: {run:?}");
    assert!(run.stderr.contains("does not exist"), "{}", run.stderr);
    std::fs::write(&state, "{}").expect("create the state file");
    let run = heal(Some(&state));
    assert_eq!(run.code, 0, "a healthy cluster: {run:?}");
    assert!(run.stdout.contains("status=healthy"), "{}", run.stdout);

    assert!(
        cluster.script(&["stop-broker", "4"]).status.success(),
        "stop-broker 4"
    );
    cluster.wait_until("broker 4 fenced", Duration::from_secs(60), || {
        cluster.snapshot()["brokers"]
            .as_array()
            .is_some_and(|brokers| brokers.iter().any(|b| b["id"] == 4 && b["alive"] == false))
    });

    // A fresh process every 3 s until the cluster is healed.
    let mut first_seen: Option<Instant> = None;
    let mut waited = 0;
    let mut first_move: Option<Instant> = None;
    let healed_at: Instant;
    let deadline = Instant::now() + Duration::from_secs(240);
    loop {
        assert!(
            Instant::now() < deadline,
            "heal did not finish within 240 s"
        );
        let started = Instant::now();
        let run = heal_as(Some(&state), true);
        let events: Vec<serde_json::Value> = run
            .stdout
            .lines()
            .map(|line| {
                serde_json::from_str(line)
                    .unwrap_or_else(|e| panic!("not a JSON event ({e}): {line:?}\n{run:?}"))
            })
            .collect();
        let round = events.last().cloned().unwrap_or_default();
        assert_eq!(
            round["event"], "round",
            "the last line is the round: {run:?}"
        );
        let kinds: Vec<&str> = events.iter().filter_map(|e| e["event"].as_str()).collect();
        let summary = format!(
            "status={} moves={} applied={} reason={}",
            round["status"].as_str().unwrap_or_default(),
            round["moves"].as_array().map_or(0, Vec::len),
            round["applied"],
            round["reason"]
        );
        assert!(
            !summary.contains("domain outage"),
            "a one-broker rack is no outage: {summary}"
        );
        let seen = *first_seen.get_or_insert(started);
        if summary.contains("status=waiting") {
            assert_eq!(run.code, 1, "{run:?}");
            assert!(summary.contains("grace period"), "{summary}");
            assert!(
                first_move.is_none(),
                "waiting again after moving: {summary}"
            );
            waited += 1;
        } else if summary.contains("status=partial") {
            assert!(first_move.is_none(), "a second partial round: {summary}");
            first_move = Some(started);
            assert!(
                started.duration_since(seen) + Duration::from_secs(1)
                    >= Duration::from_secs(GRACE_SECONDS),
                "moved {:?} after the death was first seen, before the {GRACE_SECONDS}s grace",
                started.duration_since(seen)
            );
            assert!(summary.contains("moves=1 applied=1"), "{summary}");
            assert_eq!(round["moves"][0]["topic"], "cron-b-at-min", "{summary}");
            assert!(
                kinds.contains(&"submitted") && kinds.contains(&"progress"),
                "the round's apply shows its events: {kinds:?}"
            );
            assert!(
                !kinds.contains(&"finished"),
                "a heal round ends with its round event, not apply's: {kinds:?}"
            );
            let urgent = &cluster.replicas("cron-b-at-min")[&0];
            let roomy = &cluster.replicas("cron-a-roomy")[&0];
            assert!(
                !urgent.contains(&4) && roomy.contains(&4),
                "the partition at min ISR goes first: cron-b-at-min {urgent:?}, cron-a-roomy {roomy:?}"
            );
        } else if summary.contains("status=healed") {
            assert_eq!(run.code, 0, "{run:?}");
            assert!(
                first_move.is_some(),
                "healed without the capped round first: {summary}"
            );
            healed_at = started;
            break;
        } else {
            panic!("unexpected round: {run:?}");
        }
        std::thread::sleep(Duration::from_secs(3).saturating_sub(started.elapsed()));
    }
    assert!(
        waited >= 3,
        "the grace period was waited out over several runs ({waited})"
    );
    if let (Some(seen), Some(moved)) = (first_seen, first_move) {
        eprintln!(
            "    {waited} fresh runs waited; first move {:.1}s after the death was first seen \
             (grace {GRACE_SECONDS}s); healed {:.1}s after",
            moved.duration_since(seen).as_secs_f64(),
            healed_at.duration_since(seen).as_secs_f64()
        );
    }
    for topic in ["cron-a-roomy", "cron-b-at-min"] {
        let replicas = &cluster.replicas(topic)[&0];
        assert!(
            replicas.len() == 3 && !replicas.contains(&4),
            "{topic}: {replicas:?}"
        );
    }
    let run = heal(Some(&state));
    assert_eq!(run.code, 0, "healed stays healthy: {run:?}");
}
