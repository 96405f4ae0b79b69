//! Replication throttles as `kafka-reassign-partitions --throttle` sets them, as pure data:
//! per topic `leader.replication.throttled.replicas` (the moving partitions' current replicas)
//! and `follower.replication.throttled.replicas` (the replicas being added), and per broker
//! taking part `leader.replication.throttled.rate` and `follower.replication.throttled.rate`.

use std::collections::{BTreeMap, BTreeSet};

use crate::admin::ConfigChange;

/// Topic config: replicas that leaders throttle while serving moves.
pub const LEADER_REPLICAS: &str = "leader.replication.throttled.replicas";
/// Topic config: replicas that followers throttle while catching up.
pub const FOLLOWER_REPLICAS: &str = "follower.replication.throttled.replicas";
/// Broker config: leader-side throttle rate in bytes per second.
pub const LEADER_RATE: &str = "leader.replication.throttled.rate";
/// Broker config: follower-side throttle rate in bytes per second.
pub const FOLLOWER_RATE: &str = "follower.replication.throttled.rate";

/// One move as throttling sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThrottledMove {
    /// Topic name.
    pub topic: String,
    /// Partition number.
    pub partition: i32,
    /// Replicas before the move.
    pub current: Vec<i32>,
    /// Replicas after the move.
    pub target: Vec<i32>,
}

/// The topic config changes that throttle exactly `moves` (every move of a topic must be given,
/// since the values replace what was there).
pub fn topic_throttles(moves: &[ThrottledMove]) -> BTreeMap<String, Vec<ConfigChange>> {
    let mut leaders: BTreeMap<&str, BTreeSet<(i32, i32)>> = BTreeMap::new();
    let mut followers: BTreeMap<&str, BTreeSet<(i32, i32)>> = BTreeMap::new();
    for m in moves {
        let l = leaders.entry(&m.topic).or_default();
        l.extend(m.current.iter().map(|&b| (m.partition, b)));
        let f = followers.entry(&m.topic).or_default();
        f.extend(
            m.target
                .iter()
                .filter(|b| !m.current.contains(b))
                .map(|&b| (m.partition, b)),
        );
    }
    let render = |set: &BTreeSet<(i32, i32)>| {
        set.iter()
            .map(|(p, b)| format!("{p}:{b}"))
            .collect::<Vec<_>>()
            .join(",")
    };
    leaders
        .iter()
        .map(|(topic, l)| {
            let mut changes = vec![ConfigChange::Set(LEADER_REPLICAS.into(), render(l))];
            match followers.get(topic) {
                Some(f) if !f.is_empty() => {
                    changes.push(ConfigChange::Set(FOLLOWER_REPLICAS.into(), render(f)))
                }
                _ => changes.push(ConfigChange::Delete(FOLLOWER_REPLICAS.into())),
            }
            (topic.to_string(), changes)
        })
        .collect()
}

/// The brokers taking part in `moves` (current or target replicas), which get the rates.
pub fn throttled_brokers(moves: &[ThrottledMove]) -> BTreeSet<i32> {
    moves
        .iter()
        .flat_map(|m| m.current.iter().chain(&m.target).copied())
        .collect()
}

/// Broker config changes that set both rates to `bytes_per_sec`.
pub fn rate_changes(bytes_per_sec: u64) -> Vec<ConfigChange> {
    vec![
        ConfigChange::Set(LEADER_RATE.into(), bytes_per_sec.to_string()),
        ConfigChange::Set(FOLLOWER_RATE.into(), bytes_per_sec.to_string()),
    ]
}

/// Topic config changes that remove throttles.
pub fn topic_removals() -> Vec<ConfigChange> {
    vec![
        ConfigChange::Delete(LEADER_REPLICAS.into()),
        ConfigChange::Delete(FOLLOWER_REPLICAS.into()),
    ]
}

/// Broker config changes that remove the rates.
pub fn rate_removals() -> Vec<ConfigChange> {
    vec![
        ConfigChange::Delete(LEADER_RATE.into()),
        ConfigChange::Delete(FOLLOWER_RATE.into()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttles_match_kafka_reassign_partitions() {
        let moves = vec![
            ThrottledMove {
                topic: "t".into(),
                partition: 0,
                current: vec![1, 2],
                target: vec![1, 3],
            },
            ThrottledMove {
                topic: "t".into(),
                partition: 1,
                current: vec![2, 3],
                target: vec![3, 2],
            },
        ];
        let changes = topic_throttles(&moves);
        assert_eq!(
            changes["t"],
            vec![
                ConfigChange::Set(LEADER_REPLICAS.into(), "0:1,0:2,1:2,1:3".into()),
                ConfigChange::Set(FOLLOWER_REPLICAS.into(), "0:3".into()),
            ]
        );
        assert_eq!(
            throttled_brokers(&moves).into_iter().collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
    }
}
