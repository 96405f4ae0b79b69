//! Another operator's throttles, set with Kafka's own kafka-configs, survive an apply and a
//! cancel: kplace adds its entries to their list and removes only its own, keeps their broker
//! rates, and leaves no ledger entry behind.

use std::time::Duration;

use super::slow_moves;
use super::throttle_configs::{alter, configs, ledger};
use crate::kafka_support::Cluster;

const LEADER_LIST: &str = "leader.replication.throttled.replicas";
const FOLLOWER_LIST: &str = "follower.replication.throttled.replicas";
const LEADER_RATE: &str = "leader.replication.throttled.rate";
const FOLLOWER_RATE: &str = "follower.replication.throttled.rate";

/// Runs the scenario.
pub fn run(cluster: &Cluster) {
    let topic = "others";
    let json = slow_moves(cluster, topic, 2, &[1, 10]);
    // Theirs: 0:1 is an entry kplace's moves need too; 7:7 is not; broker 10 (a destination)
    // and broker 5 (not involved) have their rates.
    alter(cluster, "topics", topic, LEADER_LIST, Some("0:1,7:7"));
    alter(cluster, "brokers", "10", FOLLOWER_RATE, Some("40000000"));
    alter(cluster, "brokers", "5", LEADER_RATE, Some("1234567"));
    let theirs = |cluster: &Cluster| {
        let topic_configs = configs(cluster, "topics", Some(topic));
        assert_eq!(
            topic_configs.get(LEADER_LIST).map(String::as_str),
            Some("0:1,7:7"),
            "their leader list is back as it was: {topic_configs:?}"
        );
        assert_eq!(topic_configs.get(FOLLOWER_LIST), None, "{topic_configs:?}");
        let b10 = configs(cluster, "brokers", Some("10"));
        assert_eq!(
            b10.get(FOLLOWER_RATE).map(String::as_str),
            Some("40000000"),
            "{b10:?}"
        );
        assert_eq!(
            b10.get(LEADER_RATE),
            None,
            "kplace's rate on broker 10 is gone: {b10:?}"
        );
        let b5 = configs(cluster, "brokers", Some("5"));
        assert_eq!(
            b5.get(LEADER_RATE).map(String::as_str),
            Some("1234567"),
            "{b5:?}"
        );
        for b in ["1", "3"] {
            let rates = configs(cluster, "brokers", Some(b));
            assert!(
                !rates.contains_key(LEADER_RATE) && !rates.contains_key(FOLLOWER_RATE),
                "broker {b} keeps a rate kplace set: {rates:?}"
            );
        }
        assert!(
            ledger(cluster).is_empty(),
            "ledger left: {:?}",
            ledger(cluster)
        );
    };

    // An apply that runs to the end.
    let run = cluster.kplace_on(
        "apply",
        &["--reassignment-json", &json, "--throttle", "50Mi"],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr.contains("broker=10") && run.stderr.contains("did not set"),
        "kplace says broker 10 keeps their rate: {}",
        run.stderr
    );
    theirs(cluster);

    // Moves submitted and left throttled (--no-wait), then cancelled.
    let back = cluster.write(
        "others-back.json",
        r#"{"version":1,"partitions":[{"topic":"others","partition":0,"replicas":[1,3]},{"topic":"others","partition":1,"replicas":[1,3]}]}"#,
    );
    let run = cluster.kplace_on(
        "apply",
        &[
            "--reassignment-json",
            &back,
            "--throttle",
            "20000",
            "--no-wait",
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
    let during = configs(cluster, "topics", Some(topic));
    let leaders = during.get(LEADER_LIST).cloned().unwrap_or_default();
    assert!(
        leaders.contains("7:7") && leaders.contains("0:10"),
        "kplace's entries are added to theirs: {during:?}"
    );
    assert!(
        !ledger(cluster).is_empty(),
        "the ledger records kplace's entries"
    );
    cluster.cancel_all(Duration::from_secs(30));
    theirs(cluster);

    // Leave the cluster as the other scenarios expect it: no throttle at all.
    alter(cluster, "topics", topic, LEADER_LIST, None);
    alter(cluster, "brokers", "10", FOLLOWER_RATE, None);
    alter(cluster, "brokers", "5", LEADER_RATE, None);
}
