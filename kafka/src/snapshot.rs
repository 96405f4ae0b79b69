//! Takes a [`Snapshot`] of a live cluster: brokers with racks and liveness (DescribeCluster),
//! partitions with replicas, leader and ISR (Metadata), replica sizes (DescribeLogDirs on every
//! live broker, and from the same answers the disk capacity brokers report, KIP-827), topic
//! `min.insync.replicas` (DescribeConfigs), eligible leader replicas
//! (DescribeTopicPartitions, where the cluster has them) and reassignments in flight
//! (ListPartitionReassignments).

use std::collections::BTreeMap;

use kplace_placement::snapshot::{BrokerSpec, PartitionSpec, Snapshot, TopicSpec};

use crate::admin::{self, RESOURCE_TOPIC};
use crate::client::KafkaClient;
use crate::disk_capacity::{snapshot_capacity, ReportedDisk};
use crate::error::Result;

/// The config key kplace reads per topic.
pub const MIN_INSYNC_REPLICAS: &str = "min.insync.replicas";

/// Takes a snapshot of the whole cluster.
pub fn take_snapshot(client: &mut KafkaClient) -> Result<Snapshot> {
    client.require(crate::versions::operations::SNAPSHOT)?;
    let registered = admin::describe_cluster(client)?;
    let partitions = admin::partitions(client, None)?;
    let live: Vec<i32> = registered
        .iter()
        .filter(|b| !b.fenced)
        .map(|b| b.id)
        .collect();

    // A replica's size: the leader's copy when it reports one, else the largest copy.
    let mut sizes: BTreeMap<(String, i32), BTreeMap<i32, u64>> = BTreeMap::new();
    // The disk capacity each broker reports (KIP-827), from the same answers.
    let mut disks: BTreeMap<i32, ReportedDisk> = BTreeMap::new();
    for &broker in &live {
        match admin::log_dirs(client, broker) {
            Ok(log_dirs) => {
                disks.extend(log_dirs.disk.map(|disk| (broker, disk)));
                for (key, size) in log_dirs.sizes {
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
    let internal: std::collections::BTreeSet<&str> = partitions
        .iter()
        .filter(|p| p.internal)
        .map(|p| p.topic.as_str())
        .collect();
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
            internal: internal.contains(name.as_str()),
        })
        .collect();

    // KIP-966's eligible leader replicas: optional knowledge, so a cluster that cannot report
    // them (before 3.7, or the request refused) gives a snapshot without.
    let eligible = crate::elr::eligible_leader_replicas(client, &topic_names).unwrap_or_else(|error| {
        tracing::info!(%error, "no eligible leader replicas (DescribeTopicPartitions); analysis uses the ISR alone");
        BTreeMap::new()
    });

    let mut brokers: Vec<BrokerSpec> = registered
        .iter()
        .map(|b| {
            let (capacity, capacity_source) = snapshot_capacity(disks.get(&b.id));
            BrokerSpec {
                id: b.id,
                rack: b.rack.clone(),
                alive: !b.fenced,
                capacity,
                capacity_source,
                ..BrokerSpec::default()
            }
        })
        .collect();
    brokers.extend(unregistered_replica_holders(&registered, &partitions));

    let partitions = partitions
        .into_iter()
        .map(|p| {
            let copies = sizes.get(&(p.topic.clone(), p.partition));
            let elr = eligible.get(&(p.topic.clone(), p.partition)).cloned();
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
                elr,
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
        load_source: None,
    })
}

/// Brokers that hold replicas but are not registered (gone for good), as dead brokers: the
/// snapshot contract requires every replica's broker to be listed, and a missing one is refused.
fn unregistered_replica_holders(
    registered: &[admin::BrokerInfo],
    partitions: &[admin::PartitionInfo],
) -> Vec<BrokerSpec> {
    let known: std::collections::BTreeSet<i32> = registered.iter().map(|b| b.id).collect();
    let gone: std::collections::BTreeSet<i32> = partitions
        .iter()
        .flat_map(|p| p.replicas.iter().copied())
        .filter(|id| !known.contains(id))
        .collect();
    gone.into_iter()
        .map(|id| BrokerSpec {
            id,
            alive: false,
            capacity_source: snapshot_capacity(None).1,
            ..BrokerSpec::default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replica_holders_that_are_not_registered_are_listed_dead() {
        let registered = vec![admin::BrokerInfo {
            id: 1,
            address: "localhost:9092".into(),
            rack: Some("a".into()),
            fenced: false,
        }];
        let partition = |replicas: Vec<i32>| admin::PartitionInfo {
            topic: "t".into(),
            partition: 0,
            leader: 1,
            isr: vec![1],
            replicas,
            internal: false,
        };
        let gone = unregistered_replica_holders(
            &registered,
            &[partition(vec![1, 9]), partition(vec![9, 4])],
        );
        let ids: Vec<(i32, bool)> = gone.iter().map(|b| (b.id, b.alive)).collect();
        assert_eq!(ids, vec![(4, false), (9, false)]);
    }
}
