//! Pure: which partitions an apply hands to a preferred-leader election once its moves are done.
//! A partition is elected when its target's first replica does not lead yet and is in the ISR:
//! Kafka elects a preferred leader only from the ISR, and kplace never asks it to make a replica
//! out of sync the leader (such partitions are reported and keep their leader).

use std::collections::BTreeMap;

use crate::admin::PartitionInfo;
use crate::reassignment_json::Move;

/// The elections to run after the moves.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Elections {
    /// Partitions whose preferred leader is in sync and not leading.
    pub elect: Vec<(String, i32)>,
    /// Partitions whose preferred leader does not lead and is out of sync: (topic, partition,
    /// preferred leader). Left as they are.
    pub out_of_sync: Vec<(String, i32, i32)>,
}

/// Sorts the moves' partitions into elections to run and preferred leaders out of sync, from
/// the partitions' current state (`partitions`, keyed by (topic, partition)). Partitions missing
/// from `partitions` are left out.
pub fn elections(moves: &[Move], partitions: &BTreeMap<(String, i32), PartitionInfo>) -> Elections {
    let mut out = Elections::default();
    for m in moves {
        let (Some(&preferred), Some(current)) = (
            m.target.first(),
            partitions.get(&(m.topic.clone(), m.partition)),
        ) else {
            continue;
        };
        if current.leader == preferred {
            continue;
        }
        if current.isr.contains(&preferred) {
            out.elect.push((m.topic.clone(), m.partition));
        } else {
            out.out_of_sync
                .push((m.topic.clone(), m.partition, preferred));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(partition: i32, leader: i32, isr: &[i32]) -> ((String, i32), PartitionInfo) {
        (
            ("t".to_string(), partition),
            PartitionInfo {
                topic: "t".into(),
                partition,
                replicas: vec![1, 2, 3],
                leader,
                isr: isr.to_vec(),
                internal: false,
            },
        )
    }

    fn to(partition: i32, target: &[i32]) -> Move {
        Move {
            topic: "t".into(),
            partition,
            target: target.to_vec(),
        }
    }

    #[test]
    fn only_in_sync_preferred_leaders_are_elected() {
        let partitions: BTreeMap<_, _> = [
            info(0, 1, &[1, 2, 3]),
            info(1, 2, &[1, 2, 3]),
            info(2, 2, &[2, 3]),
        ]
        .into_iter()
        .collect();
        let moves = [
            to(0, &[1, 2, 3]),
            to(1, &[1, 2, 3]),
            to(2, &[1, 2, 3]),
            to(9, &[1, 2, 3]),
        ];
        assert_eq!(
            elections(&moves, &partitions),
            Elections {
                elect: vec![("t".into(), 1)],
                out_of_sync: vec![("t".into(), 2, 1)],
            }
        );
    }
}
