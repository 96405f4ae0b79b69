//! Throttle configs as Kafka's own kafka-configs tool (ConfigCommand) sets and shows them: what
//! another operator would do, and what the throttle scenarios check.

use std::collections::BTreeMap;

use crate::kafka_support::Cluster;

/// Dynamic config entries of one entity (`topics NAME`, `brokers ID`, or `brokers` default with
/// `name = None`), as ConfigCommand describes them: key → value (`null` for sensitive ones).
pub fn configs(
    cluster: &Cluster,
    entity_type: &str,
    name: Option<&str>,
) -> BTreeMap<String, String> {
    let mut args = vec![
        "--bootstrap-server",
        cluster.bootstrap.as_str(),
        "--describe",
        "--entity-type",
        entity_type,
    ];
    match name {
        Some(name) => args.extend(["--entity-name", name]),
        None => args.push("--entity-default"),
    }
    cluster
        .tool("kafka.admin.ConfigCommand", &args)
        .lines()
        .filter_map(|line| {
            let entry = line.trim().split(" sensitive=").next()?;
            let (key, value) = entry.split_once('=')?;
            Some((key.to_string(), value.to_string()))
        })
        .collect()
}

/// Sets (`Some`) or deletes (`None`) one config entry with ConfigCommand.
pub fn alter(cluster: &Cluster, entity_type: &str, name: &str, key: &str, value: Option<&str>) {
    let setting;
    let mut args = vec![
        "--bootstrap-server",
        cluster.bootstrap.as_str(),
        "--alter",
        "--entity-type",
        entity_type,
        "--entity-name",
        name,
    ];
    match value {
        Some(value) => {
            // ConfigCommand takes list values in brackets.
            setting = format!("{key}=[{value}]");
            args.extend(["--add-config", &setting]);
        }
        None => args.extend(["--delete-config", key]),
    }
    cluster.tool("kafka.admin.ConfigCommand", &args);
}

/// The kplace ledger entries of the default broker config (none once kplace cleaned up).
pub fn ledger(cluster: &Cluster) -> Vec<String> {
    configs(cluster, "brokers", None)
        .into_keys()
        .filter(|k| k.starts_with("kplace.throttle."))
        .collect()
}

/// Like `slow_moves`, with 3 MB per partition: a follower's first fetch takes up to 1 MB
/// unthrottled, so a partition must be larger for a throttle to hold the move for long.
pub fn heavy_moves(cluster: &Cluster, topic: &str, partitions: i32, target: &[i32]) -> String {
    cluster.topic_to_move(topic, partitions, 3000, target)
}
