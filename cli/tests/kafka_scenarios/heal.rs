//! `kplace heal --once --execute` spreads a zone-only topic over both Kubernetes clusters without
//! losing a message produced with acks=all.

use std::collections::{BTreeMap, BTreeSet};

use super::{policy_for, zone_only};
use crate::kafka_support::Cluster;

/// Runs the scenario.
pub fn run(cluster: &Cluster) {
    cluster.create_topic("heal-orders", &zone_only(3), &["min.insync.replicas=2"]);
    let produced = cluster.tool(
        "VerifiableProducer",
        &[
            "--bootstrap-server",
            &cluster.bootstrap,
            "--topic",
            "heal-orders",
            "--max-messages",
            "1000",
            "--acks",
            "-1",
        ],
    );
    let acked = produced
        .lines()
        .filter(|l| l.contains("\"producer_send_success\""))
        .count();
    assert_eq!(acked, 1000, "every message is acknowledged with acks=all");

    let policy = policy_for(cluster, "heal-.*");
    let state = cluster.write("heal-state.json", "{}");
    let run = cluster.heal_once(&policy, &state, &[]);
    assert_eq!(
        run.code, 1,
        "without --execute, violations are reported: {run:?}"
    );
    assert!(run.stdout.contains("status=planned"), "{}", run.stdout);
    assert!(
        cluster.in_flight().is_empty(),
        "without --execute nothing is submitted"
    );

    let run = cluster.heal_once(&policy, &state, &["--execute"]);
    assert_eq!(run.code, 0, "{run:?}");
    let summary = run.stdout.lines().last().unwrap_or_default();
    assert!(
        summary.starts_with("kplace heal: round=1 status=healed") && summary.contains("moves=3"),
        "{summary}"
    );

    for (partition, replicas) in cluster.replicas("heal-orders") {
        let mut zones: BTreeMap<String, usize> = BTreeMap::new();
        let mut clusters: BTreeMap<String, usize> = BTreeMap::new();
        for b in &replicas {
            let (zone, k8s) = Cluster::rack(*b);
            *zones.entry(zone).or_default() += 1;
            *clusters.entry(k8s).or_default() += 1;
        }
        assert_eq!(replicas.len(), 6, "partition {partition}: {replicas:?}");
        assert!(
            zones.values().all(|&n| n == 2) && zones.len() == 3,
            "partition {partition}: zones {zones:?}"
        );
        assert!(
            clusters.values().all(|&n| n == 3) && clusters.len() == 2,
            "partition {partition}: clusters {clusters:?}"
        );
    }

    let run = cluster.heal_once(&policy, &state, &[]);
    assert_eq!(run.code, 0, "a healed cluster is healthy: {run:?}");
    assert!(run.stdout.contains("status=healthy"), "{}", run.stdout);

    let consumed = cluster.tool(
        "org.apache.kafka.tools.consumer.ConsoleConsumer",
        &[
            "--bootstrap-server",
            &cluster.bootstrap,
            "--topic",
            "heal-orders",
            "--from-beginning",
            "--max-messages",
            "1000",
            "--timeout-ms",
            "60000",
        ],
    );
    let values: BTreeSet<u32> = consumed
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect();
    assert_eq!(
        values,
        (0..1000).collect::<BTreeSet<u32>>(),
        "every message produced before is consumed after"
    );
}
