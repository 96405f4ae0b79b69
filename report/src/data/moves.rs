//! The moves table, capped: the largest moves by bytes in full, and every move aggregated per
//! topic, so that a plan of a million partitions still makes a small page.

use std::collections::HashMap;

use kplace_optimizer::plan::PartitionChange;
use kplace_placement::snapshot::BrokerId;

/// One partition's move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveRow {
    /// Topic.
    pub topic: String,
    /// Partition number.
    pub partition: i32,
    /// Brokers that lose a replica.
    pub from: Vec<BrokerId>,
    /// Brokers that gain a replica.
    pub to: Vec<BrokerId>,
    /// Replicas before.
    pub old_replicas: Vec<BrokerId>,
    /// Replicas after.
    pub new_replicas: Vec<BrokerId>,
    /// Whether the leader changes.
    pub leader_moves: bool,
    /// Bytes copied.
    pub bytes: u64,
}

/// The moves of one topic, summed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicMoves {
    /// Topic.
    pub topic: String,
    /// Partitions changed.
    pub partitions: u64,
    /// Replicas created.
    pub replica_moves: u64,
    /// Bytes copied.
    pub bytes: u64,
}

/// The moves shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveTable {
    /// The largest moves by bytes (then by topic and partition), at most the cap.
    pub rows: Vec<MoveRow>,
    /// Partitions changed in the whole plan.
    pub total: u64,
    /// Per topic, most bytes first, at most the topic cap.
    pub topics: Vec<TopicMoves>,
    /// Topics with moves in the whole plan.
    pub total_topics: u64,
}

/// Builds the table from the plan's changes, keeping at most `max_rows` rows and `max_topics`
/// topic aggregates.
pub fn move_table(changes: &[PartitionChange], max_rows: usize, max_topics: usize) -> MoveTable {
    let mut order: Vec<usize> = (0..changes.len()).collect();
    let key = |&i: &usize| {
        let c = &changes[i];
        (
            std::cmp::Reverse(c.bytes_to_move),
            c.topic.as_str(),
            c.partition,
        )
    };
    if order.len() > max_rows {
        order.select_nth_unstable_by(max_rows, |a, b| key(a).cmp(&key(b)));
        order.truncate(max_rows);
    }
    order.sort_by(|a, b| key(a).cmp(&key(b)));
    let rows = order.iter().map(|&i| move_row(&changes[i])).collect();

    let mut per_topic: HashMap<&str, TopicMoves> = HashMap::new();
    for c in changes {
        let entry = per_topic
            .entry(c.topic.as_str())
            .or_insert_with(|| TopicMoves {
                topic: c.topic.clone(),
                partitions: 0,
                replica_moves: 0,
                bytes: 0,
            });
        entry.partitions += 1;
        entry.replica_moves += c
            .new_replicas
            .iter()
            .filter(|b| !c.old_replicas.contains(b))
            .count() as u64;
        entry.bytes += c.bytes_to_move;
    }
    let total_topics = per_topic.len() as u64;
    let mut topics: Vec<TopicMoves> = per_topic.into_values().collect();
    topics.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.topic.cmp(&b.topic)));
    topics.truncate(max_topics);
    MoveTable {
        rows,
        total: changes.len() as u64,
        topics,
        total_topics,
    }
}

fn move_row(c: &PartitionChange) -> MoveRow {
    MoveRow {
        topic: c.topic.clone(),
        partition: c.partition,
        from: c
            .old_replicas
            .iter()
            .copied()
            .filter(|b| !c.new_replicas.contains(b))
            .collect(),
        to: c
            .new_replicas
            .iter()
            .copied()
            .filter(|b| !c.old_replicas.contains(b))
            .collect(),
        old_replicas: c.old_replicas.clone(),
        new_replicas: c.new_replicas.clone(),
        leader_moves: c.old_leader != c.new_leader,
        bytes: c.bytes_to_move,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(
        topic: &str,
        partition: i32,
        old: &[i32],
        new: &[i32],
        bytes: u64,
    ) -> PartitionChange {
        PartitionChange {
            topic: topic.to_string(),
            partition,
            old_replicas: old.to_vec(),
            new_replicas: new.to_vec(),
            old_leader: old.first().copied(),
            new_leader: new.first().copied(),
            bytes_to_move: bytes,
            stages: Vec::new(),
        }
    }

    #[test]
    fn keeps_the_largest_moves_and_sums_every_topic() {
        let changes = [
            change("a", 0, &[1, 2], &[1, 3], 10),
            change("a", 1, &[1, 2], &[3, 4], 60),
            change("b", 0, &[1, 2], &[2, 5], 20),
        ];
        let table = move_table(&changes, 2, 1);
        assert_eq!(table.total, 3);
        assert_eq!(
            table.rows.iter().map(|r| r.bytes).collect::<Vec<_>>(),
            [60, 20]
        );
        let top = &table.rows[0];
        assert_eq!(
            (top.from.as_slice(), top.to.as_slice(), top.leader_moves),
            (&[1, 2][..], &[3, 4][..], true)
        );
        assert_eq!(table.total_topics, 2);
        assert_eq!(
            table.topics,
            [TopicMoves {
                topic: "a".to_string(),
                partitions: 2,
                replica_moves: 3,
                bytes: 70
            }]
        );
    }
}
