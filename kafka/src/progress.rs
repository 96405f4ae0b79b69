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
    /// Bytes each added replica holds so far (never more than the leader's).
    pub copied_by_broker: BTreeMap<i32, u64>,
}

/// Every reassignment in flight with its progress.
pub fn reassignment_progress(client: &mut KafkaClient) -> Result<Vec<ReassignmentProgress>> {
    client.require(crate::versions::operations::STATUS)?;
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
            let copied_by_broker: BTreeMap<i32, u64> = r
                .adding_replicas
                .iter()
                .map(|&b| (b, size_on(b, &key).min(leader_size)))
                .collect();
            let copied = copied_by_broker.values().sum();
            ReassignmentProgress {
                needed_bytes: leader_size * r.adding_replicas.len() as u64,
                copied_bytes: copied,
                copied_by_broker,
                topic: r.topic,
                partition: r.partition,
                replicas: r.replicas,
                adding_replicas: r.adding_replicas,
                removing_replicas: r.removing_replicas,
            }
        })
        .collect())
}

/// The figures of the reassignments in flight, in the schema of apply's progress events: two
/// looks `sample` apart give the rate and the time left (one look, `sample` zero: neither).
pub fn figures_in_flight(
    looks: &[(std::time::Instant, Vec<ReassignmentProgress>)],
) -> Option<crate::figures::Figures> {
    use crate::apply::MoveState;
    let mut transfer = crate::figures::Transfer::new(std::time::Duration::from_secs(3600));
    let mut figures = None;
    // A reassignment seen at an earlier look and gone at a later one finished in between.
    let mut seen: BTreeSet<(String, i32)> = BTreeSet::new();
    for (at, progress) in looks {
        let now: BTreeSet<(String, i32)> = progress
            .iter()
            .map(|p| (p.topic.clone(), p.partition))
            .collect();
        let mut states: Vec<((String, i32), MoveState)> = seen
            .difference(&now)
            .map(|k| (k.clone(), MoveState::Done))
            .collect();
        seen.extend(now);
        let mut copied = BTreeMap::new();
        for p in progress {
            let key = (p.topic.clone(), p.partition);
            let adds = p.adding_replicas.len().max(1) as u64;
            transfer.plan(
                key.clone(),
                p.adding_replicas.clone(),
                p.needed_bytes / adds,
            );
            for (&b, &bytes) in &p.copied_by_broker {
                copied.insert((key.clone(), b), bytes);
            }
            states.push((key, MoveState::InFlight));
        }
        let limits = crate::batching::Limits {
            per_broker: 0,
            cluster: 0,
        };
        figures = Some(transfer.look(*at, &states, &copied, limits, false));
    }
    figures
}
