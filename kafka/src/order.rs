//! In which order apply offers its pending moves to [`batching`](crate::batching): pure logic,
//! no I/O. Batching takes moves in the order given, skipping those that do not fit the limits,
//! so the order decides which moves run first.
//!
//! Strategies (`--order`):
//! - `urgency` (the default): what restores durability first. Classes by placement's
//!   [`Urgency`]: partitions offline, then those with a replica on a dead broker, then those
//!   under their `min.insync.replicas`, then those at it, then the rest. Within a class, the
//!   smaller partitions first (so the count of healthy partitions rises fastest), dealt
//!   round-robin over the brokers the moves involve (sources and destinations): in size order,
//!   each move goes into the first *lap* after those of the earlier moves on its brokers, so a
//!   lap has at most one move per broker, and laps go in turn: every broker with a queue has a
//!   move near the front, rather than one broker's whole queue first.
//! - `smallest-first`: the same without the classes: smallest partitions first, round-robin.
//! - `plan`: the order of the plan (or reassignment JSON) itself.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use kplace_placement::urgency::Urgency;

/// How pending moves are ordered (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Order {
    /// Urgency classes, then smallest first, round-robin over brokers.
    #[default]
    Urgency,
    /// Smallest first, round-robin over brokers, ignoring urgency.
    SmallestFirst,
    /// The plan's own order.
    Plan,
}

impl Order {
    /// Every strategy's name, as `--order` takes it.
    pub const NAMES: [&'static str; 3] = ["urgency", "smallest-first", "plan"];

    /// The strategy's name.
    pub fn name(self) -> &'static str {
        match self {
            Order::Urgency => "urgency",
            Order::SmallestFirst => "smallest-first",
            Order::Plan => "plan",
        }
    }
}

impl fmt::Display for Order {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Order {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "urgency" => Ok(Order::Urgency),
            "smallest-first" => Ok(Order::SmallestFirst),
            "plan" => Ok(Order::Plan),
            other => Err(format!(
                "unknown order {other:?}: expected one of {}",
                Order::NAMES.join(", ")
            )),
        }
    }
}

/// What ordering needs to know of one pending move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// How urgent the partition is.
    pub urgency: Urgency,
    /// Bytes of one replica of the partition.
    pub size: u64,
    /// Brokers the move (its next stage) takes part on: sources and destinations.
    pub brokers: Vec<i32>,
}

/// The order in which to offer `candidates`: a permutation of their indexes.
pub fn arrange(order: Order, candidates: &[Candidate]) -> Vec<usize> {
    let class = |c: &Candidate| match order {
        Order::Urgency => c.urgency,
        Order::SmallestFirst | Order::Plan => Urgency::Other,
    };
    let mut indexes: Vec<usize> = (0..candidates.len()).collect();
    if order == Order::Plan {
        return indexes;
    }
    indexes.sort_by_key(|&i| (class(&candidates[i]), candidates[i].size, i));
    // Laps: each move goes into the first lap, after the laps of the smaller moves of its class
    // on the same brokers, in which none of its brokers has a move yet.
    let mut lap = vec![0usize; candidates.len()];
    let mut next_free: BTreeMap<(Urgency, i32), usize> = BTreeMap::new();
    for &i in &indexes {
        let c = &candidates[i];
        let k = class(c);
        lap[i] = c
            .brokers
            .iter()
            .map(|b| next_free.get(&(k, *b)).copied().unwrap_or(0))
            .max()
            .unwrap_or(0);
        for b in &c.brokers {
            next_free.insert((k, *b), lap[i] + 1);
        }
    }
    indexes.sort_by_key(|&i| (class(&candidates[i]), lap[i], candidates[i].size, i));
    indexes
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn c(urgency: Urgency, size: u64, brokers: &[i32]) -> Candidate {
        Candidate {
            urgency,
            size,
            brokers: brokers.to_vec(),
        }
    }

    #[test]
    fn urgent_first_then_small_then_round_robin() {
        let moves = [
            c(Urgency::Other, 1, &[1, 2]),        // 0
            c(Urgency::DeadReplica, 50, &[3, 4]), // 1
            c(Urgency::AtMinIsr, 5, &[1, 5]),     // 2
            c(Urgency::Other, 2, &[1, 2]),        // 3: second on 1 and 2
            c(Urgency::Other, 3, &[6, 7]),        // 4: first on 6 and 7
            c(Urgency::Offline, 90, &[8]),        // 5
        ];
        assert_eq!(arrange(Order::Urgency, &moves), vec![5, 1, 2, 0, 4, 3]);
        assert_eq!(
            arrange(Order::SmallestFirst, &moves),
            vec![0, 4, 1, 5, 3, 2]
        );
        assert_eq!(arrange(Order::Plan, &moves), vec![0, 1, 2, 3, 4, 5]);
    }

    #[test]
    fn names_round_trip() {
        for name in Order::NAMES {
            assert_eq!(name.parse::<Order>().map(Order::name), Ok(name));
        }
        let err = "fastest".parse::<Order>().unwrap_err();
        assert!(
            err.contains("fastest") && err.contains("smallest-first"),
            "{err}"
        );
    }

    fn arb_urgency() -> impl Strategy<Value = Urgency> {
        prop_oneof![
            Just(Urgency::Offline),
            Just(Urgency::DeadReplicaUnderMinIsr),
            Just(Urgency::DeadReplicaAtMinIsr),
            Just(Urgency::DeadReplica),
            Just(Urgency::UnderMinIsr),
            Just(Urgency::AtMinIsr),
            Just(Urgency::Other),
        ]
    }

    fn arb_candidate() -> impl Strategy<Value = Candidate> {
        (
            arb_urgency(),
            0u64..5,
            proptest::collection::btree_set(0..8i32, 1..4),
        )
            .prop_map(|(urgency, size, brokers)| Candidate {
                urgency,
                size,
                brokers: brokers.into_iter().collect(),
            })
    }

    proptest! {
        /// The order is a permutation; every move of a more urgent class comes before every
        /// move of a less urgent one; within a class each broker's moves come smallest first
        /// (round-robin only interleaves the queues of different brokers).
        #[test]
        fn classes_first_each_brokers_moves_smallest_first(
            moves in proptest::collection::vec(arb_candidate(), 0..40),
        ) {
            let order = arrange(Order::Urgency, &moves);
            let mut sorted = order.clone();
            sorted.sort_unstable();
            prop_assert_eq!(sorted, (0..moves.len()).collect::<Vec<_>>());
            for pair in order.windows(2) {
                prop_assert!(moves[pair[0]].urgency <= moves[pair[1]].urgency);
            }
            for (i, &a) in order.iter().enumerate() {
                for &b in &order[i + 1..] {
                    let shared = moves[a].brokers.iter().any(|x| moves[b].brokers.contains(x));
                    if shared && moves[a].urgency == moves[b].urgency {
                        prop_assert!((moves[a].size, a) < (moves[b].size, b));
                    }
                }
            }
            let plan = arrange(Order::Plan, &moves);
            prop_assert_eq!(plan, (0..moves.len()).collect::<Vec<_>>());
        }
    }
}
