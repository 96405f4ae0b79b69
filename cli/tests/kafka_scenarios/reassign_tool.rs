//! The reassignment JSON `kplace plan --bootstrap-server` writes is accepted by Kafka's own
//! kafka-reassign-partitions (`--execute`, then `--verify`).

use std::time::Duration;

use super::{policy_for, zone_only};
use crate::kafka_support::{replicas_of, Cluster};

/// Runs the scenario.
pub fn run(cluster: &Cluster) {
    cluster.create_topic("tool-json", &zone_only(2), &[]);
    let policy = policy_for(cluster, "tool-.*");
    let json = cluster.scratch.join("tool-reassignment.json");
    let json = json.to_str().unwrap_or_default();
    let run = cluster.kplace_on("plan", &["--policy", &policy, "--reassignment-json", json]);
    assert_eq!(run.code, 0, "{run:?}");
    let planned: serde_json::Value =
        serde_json::from_slice(&std::fs::read(json).expect("plan wrote JSON")).expect("JSON");
    let entries = planned["partitions"].as_array().map(Vec::len).unwrap_or(0);
    let planned = replicas_of(&planned, "tool-json", "replicas");
    assert_eq!(
        planned.len(),
        2,
        "both partitions change: {}",
        std::fs::read_to_string(json).unwrap_or_default()
    );

    let class = "org.apache.kafka.tools.reassign.ReassignPartitionsCommand";
    let executed = cluster.tool(
        class,
        &[
            "--bootstrap-server",
            &cluster.bootstrap,
            "--reassignment-json-file",
            json,
            "--execute",
        ],
    );
    assert!(
        executed.contains("Successfully started partition reassignment"),
        "{executed}"
    );
    cluster.wait_until(
        "kafka-reassign-partitions --verify",
        Duration::from_secs(60),
        || {
            let verified = cluster.tool(
                class,
                &[
                    "--bootstrap-server",
                    &cluster.bootstrap,
                    "--reassignment-json-file",
                    json,
                    "--verify",
                ],
            );
            !verified.contains("still in progress")
                && verified.matches("is completed").count() == entries
        },
    );
    let now = cluster.replicas("tool-json");
    assert_eq!(now, planned);
}
