//! Takes a [`Snapshot`] of a live cluster: brokers with racks and liveness (DescribeCluster),
//! partitions with replicas, leader and ISR (Metadata), replica sizes (DescribeLogDirs on every
//! live broker), topic `min.insync.replicas` (DescribeConfigs) and reassignments in flight
//! (ListPartitionReassignments).

use std::collections::BTreeMap;

use kplace_placement::snapshot::{BrokerSpec, PartitionSpec, Snapshot, TopicSpec};

use crate::admin::{self, RESOURCE_TOPIC};
use crate::client::KafkaClient;
use crate::error::Result;

/// The config key kplace reads per topic.
pub const MIN_INSYNC_REPLICAS: &str = "min.insync.replicas";

/// Takes a snapshot of the whole cluster.
pub fn take_snapshot(client: &mut KafkaClient) -> Result<Snapshot> {
    let registered = admin::describe_cluster(client)?;
    let partitions = admin::partitions(client, None)?;
    let live: Vec<i32> = registered
        .iter()
        .filter(|b| !b.fenced)
        .map(|b| b.id)
        .collect();

    // A replica's size: the leader's copy when it reports one, else the largest copy.
    let mut sizes: BTreeMap<(String, i32), BTreeMap<i32, u64>> = BTreeMap::new();
    for &broker in &live {
        match admin::log_dir_sizes(client, broker) {
            Ok(broker_sizes) => {
                for (key, size) in broker_sizes {
                    sizes.entry(key).or_default().insert(broker, size);
                }
            }
            Err(error) => {
                tracing::warn!(broker, %error, "cannot read log-dir sizes; its replicas count as 0 bytes")
            }
        }
    }

    let mut topic_names: Vec<String> = partitions.iter().map(|p| p.topic.clone()).collect();
    topic_names.dedup();
    let configs =
        admin::describe_configs(client, RESOURCE_TOPIC, &topic_names, &[MIN_INSYNC_REPLICAS])?;
    let topics = topic_names
        .iter()
        .map(|name| TopicSpec {
            name: name.clone(),
            min_insync_replicas: configs
                .get(name)
                .and_then(|entries| entries.get(MIN_INSYNC_REPLICAS))
                .and_then(|v| v.parse().ok()),
        })
        .collect();

    let brokers = registered
        .iter()
        .map(|b| BrokerSpec {
            id: b.id,
            rack: b.rack.clone(),
            alive: !b.fenced,
            ..BrokerSpec::default()
        })
        .collect();

    let partitions = partitions
        .into_iter()
        .map(|p| {
            let copies = sizes.get(&(p.topic.clone(), p.partition));
            let size = copies
                .and_then(|c| {
                    c.get(&p.leader)
                        .copied()
                        .or_else(|| c.values().max().copied())
                })
                .unwrap_or(0);
            PartitionSpec {
                topic: p.topic,
                partition: p.partition,
                replicas: p.replicas,
                leader: Some(p.leader),
                isr: Some(p.isr),
                size,
                ..PartitionSpec::default()
            }
        })
        .collect();

    Ok(Snapshot {
        brokers,
        partitions,
        topics,
        reassignments: admin::list_reassignments(client)?,
    })
}
