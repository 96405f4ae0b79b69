//! The actions goals propose, cheapest first: a leadership reorder (no data moves), a replica
//! move, a swap of two replicas between brokers, a whole new replica list (spread repair), and
//! several leadership reorders at once (a leadership exchange).

use kplace_placement::model::{BrokerIdx, PartitionIdx, Replicas};

/// One change to the cluster that a goal proposes and every earlier goal must accept.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Action {
    /// Make `leader`, already a replica, the preferred leader (first in the list).
    Lead {
        /// The partition.
        partition: PartitionIdx,
        /// The replica that leads afterwards.
        leader: BrokerIdx,
    },
    /// Move the replica on `from` to `to`, keeping its position in the list (a leader replica
    /// moved stays the preferred leader).
    Move {
        /// The partition.
        partition: PartitionIdx,
        /// The broker giving the replica up.
        from: BrokerIdx,
        /// The broker receiving it (holds no replica of the partition yet).
        to: BrokerIdx,
    },
    /// Exchange two replicas: `first`'s replica on `first_broker` goes to `second_broker` and
    /// `second`'s replica on `second_broker` goes to `first_broker`.
    Swap {
        /// The first partition.
        first: PartitionIdx,
        /// Where the first partition's replica sits now.
        first_broker: BrokerIdx,
        /// The second partition.
        second: PartitionIdx,
        /// Where the second partition's replica sits now.
        second_broker: BrokerIdx,
    },
    /// Replace a partition's replica list (the spread goal's minimal-movement repair).
    Reassign {
        /// The partition.
        partition: PartitionIdx,
        /// The new list, preferred leader first.
        replicas: Replicas,
    },
    /// Reorder the replica lists of several partitions at once (each keeps its brokers): a
    /// leadership exchange whose steps no goal would accept one by one.
    Reorder {
        /// Per partition, its new list (the same brokers, preferred leader first).
        lists: Vec<(PartitionIdx, Replicas)>,
    },
}

impl Action {
    /// The new replica list of every partition the action changes, given the current lists.
    pub fn new_lists(
        &self,
        current: impl Fn(PartitionIdx) -> Replicas,
    ) -> Vec<(PartitionIdx, Replicas)> {
        let moved = |partition: PartitionIdx, from: BrokerIdx, to: BrokerIdx| {
            let mut replicas = current(partition);
            for b in replicas.iter_mut().filter(|b| **b == from) {
                *b = to;
            }
            (partition, replicas)
        };
        match self {
            Action::Lead { partition, leader } => {
                let mut replicas = current(*partition);
                if let Some(position) = replicas.iter().position(|b| b == leader) {
                    replicas[..=position].rotate_right(1);
                }
                vec![(*partition, replicas)]
            }
            Action::Move {
                partition,
                from,
                to,
            } => vec![moved(*partition, *from, *to)],
            Action::Swap {
                first,
                first_broker,
                second,
                second_broker,
            } => vec![
                moved(*first, *first_broker, *second_broker),
                moved(*second, *second_broker, *first_broker),
            ],
            Action::Reassign {
                partition,
                replicas,
            } => vec![(*partition, replicas.clone())],
            Action::Reorder { lists } => lists.clone(),
        }
    }

    /// The brokers that receive a replica (data is copied to them).
    pub fn destinations(&self) -> Vec<BrokerIdx> {
        match self {
            Action::Lead { .. } | Action::Reassign { .. } | Action::Reorder { .. } => Vec::new(),
            Action::Move { to, .. } => vec![*to],
            Action::Swap {
                first_broker,
                second_broker,
                ..
            } => vec![*first_broker, *second_broker],
        }
    }

    /// The partitions the action touches.
    pub fn partitions(&self) -> Vec<PartitionIdx> {
        match self {
            Action::Lead { partition, .. }
            | Action::Move { partition, .. }
            | Action::Reassign { partition, .. } => vec![*partition],
            Action::Swap { first, second, .. } => vec![*first, *second],
            Action::Reorder { lists } => lists.iter().map(|(p, _)| *p).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lists(p: PartitionIdx) -> Replicas {
        if p == 0 {
            vec![1, 2, 3]
        } else {
            vec![4, 5, 6]
        }
    }

    #[test]
    fn lead_rotates_the_new_leader_to_the_front_and_keeps_the_rest_in_order() {
        let action = Action::Lead {
            partition: 0,
            leader: 3,
        };
        assert_eq!(action.new_lists(lists), vec![(0, vec![3, 1, 2])]);
    }

    #[test]
    fn move_keeps_the_position_and_swap_exchanges_brokers() {
        assert_eq!(
            Action::Move {
                partition: 0,
                from: 1,
                to: 9
            }
            .new_lists(lists),
            vec![(0, vec![9, 2, 3])]
        );
        let swap = Action::Swap {
            first: 0,
            first_broker: 2,
            second: 1,
            second_broker: 5,
        };
        assert_eq!(
            swap.new_lists(lists),
            vec![(0, vec![1, 5, 3]), (1, vec![4, 2, 6])]
        );
    }
}
