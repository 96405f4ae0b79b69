//! How far the reassignments in flight are: bytes the added replicas hold of the leader's.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::admin;
use crate::client::KafkaClient;
use crate::error::Result;

/// One reassignment in flight and its progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReassignmentProgress {
    /// Topic name.
    pub topic: String,
    /// Partition number.
    pub partition: i32,
    /// Full replica list during the move.
    pub replicas: Vec<i32>,
    /// Replicas being added.
    pub adding_replicas: Vec<i32>,
    /// Replicas being removed.
    pub removing_replicas: Vec<i32>,
    /// Bytes the added replicas hold so far (summed).
    pub copied_bytes: u64,
    /// Bytes they need (the leader's size, once per added replica).
    pub needed_bytes: u64,
}

/// Every reassignment in flight with its progress.
pub fn reassignment_progress(client: &mut KafkaClient) -> Result<Vec<ReassignmentProgress>> {
    let in_flight = admin::list_reassignments(client)?;
    if in_flight.is_empty() {
        return Ok(Vec::new());
    }
    let leaders: BTreeMap<(String, i32), i32> = admin::partitions(client, None)?
        .into_iter()
        .map(|p| ((p.topic, p.partition), p.leader))
        .collect();
    let brokers: BTreeSet<i32> = in_flight
        .iter()
        .flat_map(|r| r.adding_replicas.iter().copied())
        .chain(leaders.values().copied().filter(|&b| b >= 0))
        .collect();
    let mut sizes: BTreeMap<i32, BTreeMap<(String, i32), u64>> = BTreeMap::new();
    for broker in brokers {
        match admin::log_dir_sizes(client, broker) {
            Ok(s) => {
                sizes.insert(broker, s);
            }
            Err(error) => tracing::warn!(broker, %error, "cannot read log-dir sizes"),
        }
    }
    let size_on = |broker: i32, key: &(String, i32)| {
        sizes
            .get(&broker)
            .and_then(|s| s.get(key))
            .copied()
            .unwrap_or(0)
    };
    Ok(in_flight
        .into_iter()
        .map(|r| {
            let key = (r.topic.clone(), r.partition);
            let leader_size = leaders.get(&key).map(|&l| size_on(l, &key)).unwrap_or(0);
            let copied = r
                .adding_replicas
                .iter()
                .map(|&b| size_on(b, &key).min(leader_size))
                .sum();
            ReassignmentProgress {
                needed_bytes: leader_size * r.adding_replicas.len() as u64,
                copied_bytes: copied,
                topic: r.topic,
                partition: r.partition,
                replicas: r.replicas,
                adding_replicas: r.adding_replicas,
                removing_replicas: r.removing_replicas,
            }
        })
        .collect())
}
