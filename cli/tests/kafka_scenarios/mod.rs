//! The scenarios of the Kafka integration tests, one per file, and what they share.

pub mod bad_input;
pub mod broker_down;
pub mod cancel;
pub mod capacity;
pub mod controller;
pub mod heal;
pub mod heal_cronjob;
pub mod no_auto_create;
pub mod others_throttles;
pub mod outage;
pub mod pace;
pub mod plan_apply;
pub mod progress_json;
pub mod rates;
pub mod reassign_tool;
pub mod resume;
pub mod sigterm;
pub mod skewed_load;
pub mod staged;
pub mod stuck;
pub mod throttle_configs;
pub mod tls;
pub mod unsupported;
pub mod urgent_first;

use crate::kafka_support::Cluster;

/// Zone-only placement of RF 6 in cells of k8s-a: 2 replicas per zone, all in one Kubernetes
/// cluster (brokers 1,2 az1; 5,6 az2; 9,10 az3).
pub fn zone_only(partitions: usize) -> Vec<Vec<i32>> {
    let rotations = [
        vec![1, 5, 9, 2, 6, 10],
        vec![5, 9, 1, 6, 10, 2],
        vec![9, 1, 5, 10, 2, 6],
    ];
    (0..partitions).map(|p| rotations[p % 3].clone()).collect()
}

pub fn policy_for(cluster: &Cluster, topic_regex: &str) -> String {
    cluster.write(
        &format!("policy-{}.yaml", topic_regex.replace(|c: char| !c.is_alphanumeric(), "")),
        &format!(
            "rack_pattern: '^(?P<zone>az[0-9]+)/(?P<cluster>k8s-[a-z]+)$'\nrules:\n  - topics: '{topic_regex}'\n    spread:\n      zone: even\n      cluster: even\n"
        ),
    )
}

/// A topic with some data whose partitions, all on brokers 1 and 3, move to `target`: slow
/// enough under a throttle to interrupt. Keeping broker 1 keeps the moves from being
/// ISR-critical (those run one at a time).
pub fn slow_moves(cluster: &Cluster, topic: &str, partitions: i32, target: &[i32]) -> String {
    cluster.topic_to_move(topic, partitions, 600, target)
}

pub fn no_throttles(cluster: &Cluster, topic: &str) {
    let topic_configs = cluster.tool(
        "kafka.admin.ConfigCommand",
        &[
            "--bootstrap-server",
            &cluster.bootstrap,
            "--describe",
            "--entity-type",
            "topics",
            "--entity-name",
            topic,
        ],
    );
    assert!(
        !topic_configs.contains("replication.throttled.replicas="),
        "topic {topic} keeps a throttle: {topic_configs}"
    );
    let broker_configs = cluster.tool(
        "kafka.admin.ConfigCommand",
        &[
            "--bootstrap-server",
            &cluster.bootstrap,
            "--describe",
            "--entity-type",
            "brokers",
            "--all",
        ],
    );
    let leftovers: Vec<&str> = broker_configs
        .lines()
        .filter(|l| {
            l.contains("replication.throttled.rate=") && l.contains("DYNAMIC_BROKER_CONFIG")
        })
        .collect();
    assert!(
        leftovers.is_empty(),
        "brokers keep throttle rates: {leftovers:?}"
    );
}
