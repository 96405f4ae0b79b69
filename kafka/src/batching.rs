//! Which moves may run together: pure logic, no I/O.
//!
//! A move *takes part* on every broker whose replica set it changes (brokers it adds a replica to
//! and brokers it removes one from). At any time, counting the moves already in flight:
//! - no broker takes part in more than `per_broker` moves,
//! - the cluster runs no more than `cluster` moves,
//! - at most one *ISR-critical* move runs: one that keeps fewer than `min.insync.replicas` of the
//!   partition's current in-sync replicas, so the partition stays writable with `acks=all` only
//!   once new replicas have caught up. Such moves are never submitted together.
//!
//! Moves are taken in the order given (a plan's order), skipping those that do not fit, so a
//! batch is never empty when nothing is in flight and something is pending.

use std::collections::BTreeMap;

/// Concurrency limits of an apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most moves one broker takes part in at once (at least 1).
    pub per_broker: usize,
    /// Most moves in the cluster at once (at least 1).
    pub cluster: usize,
}

/// What batching needs to know of one move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveShape {
    /// Brokers whose replica set the move changes.
    pub brokers: Vec<i32>,
    /// Whether the move is ISR-critical (see the module docs).
    pub isr_critical: bool,
}

impl MoveShape {
    /// The shape of a move from `current` to `target` replicas, given the partition's ISR and
    /// `min.insync.replicas`.
    pub fn of(current: &[i32], target: &[i32], isr: &[i32], min_insync_replicas: u32) -> Self {
        let mut brokers: Vec<i32> = current
            .iter()
            .filter(|b| !target.contains(b))
            .chain(target.iter().filter(|b| !current.contains(b)))
            .copied()
            .collect();
        brokers.sort_unstable();
        brokers.dedup();
        let kept_in_sync = isr.iter().filter(|b| target.contains(b)).count();
        MoveShape {
            brokers,
            isr_critical: kept_in_sync < min_insync_replicas as usize,
        }
    }
}

/// Picks, from `pending` (in order), the moves to submit now given the moves `in_flight`.
/// Returns indexes into `pending`.
pub fn next_batch(in_flight: &[MoveShape], pending: &[MoveShape], limits: Limits) -> Vec<usize> {
    let mut per_broker: BTreeMap<i32, usize> = BTreeMap::new();
    let mut running = in_flight.len();
    let mut critical = 0;
    for shape in in_flight {
        for b in &shape.brokers {
            *per_broker.entry(*b).or_default() += 1;
        }
        critical += usize::from(shape.isr_critical);
    }
    let mut chosen = Vec::new();
    for (index, shape) in pending.iter().enumerate() {
        if running >= limits.cluster.max(1) {
            break;
        }
        if shape.isr_critical && critical > 0 {
            continue;
        }
        let fits = shape
            .brokers
            .iter()
            .all(|b| per_broker.get(b).copied().unwrap_or(0) < limits.per_broker.max(1));
        if !fits {
            continue;
        }
        for b in &shape.brokers {
            *per_broker.entry(*b).or_default() += 1;
        }
        critical += usize::from(shape.isr_critical);
        running += 1;
        chosen.push(index);
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn shape(brokers: &[i32], isr_critical: bool) -> MoveShape {
        MoveShape {
            brokers: brokers.to_vec(),
            isr_critical,
        }
    }

    #[test]
    fn shape_counts_added_and_removed_brokers() {
        let s = MoveShape::of(&[1, 2, 3], &[1, 2, 4], &[1, 2, 3], 2);
        assert_eq!(s.brokers, vec![3, 4]);
        assert!(!s.isr_critical);
        let s = MoveShape::of(&[1, 2, 3], &[4, 5, 6], &[1, 2, 3], 2);
        assert!(s.isr_critical);
        let reorder = MoveShape::of(&[1, 2, 3], &[3, 1, 2], &[1, 2, 3], 2);
        assert!(reorder.brokers.is_empty());
    }

    #[test]
    fn per_broker_limit_counts_moves_in_flight() {
        let limits = Limits {
            per_broker: 2,
            cluster: 100,
        };
        let in_flight = [shape(&[1, 5], false)];
        let pending = [
            shape(&[1, 6], false),
            shape(&[1, 7], false),
            shape(&[2, 8], false),
        ];
        assert_eq!(next_batch(&in_flight, &pending, limits), vec![0, 2]);
    }

    #[test]
    fn isr_critical_moves_are_never_together() {
        let limits = Limits {
            per_broker: 5,
            cluster: 100,
        };
        let pending = [shape(&[1], true), shape(&[2], true), shape(&[3], false)];
        assert_eq!(next_batch(&[], &pending, limits), vec![0, 2]);
        assert_eq!(next_batch(&[shape(&[9], true)], &pending, limits), vec![2]);
    }

    #[test]
    fn cluster_limit_caps_the_batch() {
        let limits = Limits {
            per_broker: 5,
            cluster: 3,
        };
        let pending: Vec<_> = (0..10).map(|i| shape(&[i], false)).collect();
        assert_eq!(
            next_batch(&[shape(&[99], false)], &pending, limits),
            vec![0, 1]
        );
    }

    fn arb_shape() -> impl Strategy<Value = MoveShape> {
        (
            proptest::collection::btree_set(0..12i32, 0..6),
            any::<bool>(),
        )
            .prop_map(|(brokers, isr_critical)| MoveShape {
                brokers: brokers.into_iter().collect(),
                isr_critical,
            })
    }

    proptest! {
        /// Every batch respects the limits together with what is in flight, and repeatedly
        /// finishing everything in flight and taking the next batch submits every move once.
        #[test]
        fn batches_respect_limits_and_cover_everything(
            pending in proptest::collection::vec(arb_shape(), 0..40),
            per_broker in 1usize..4,
            cluster in 1usize..10,
        ) {
            let limits = Limits { per_broker, cluster };
            let mut remaining: Vec<(usize, MoveShape)> = pending.iter().cloned().enumerate().collect();
            let mut submitted = Vec::new();
            let mut rounds = 0;
            while !remaining.is_empty() {
                rounds += 1;
                prop_assert!(rounds <= pending.len() + 1);
                let shapes: Vec<MoveShape> = remaining.iter().map(|(_, s)| s.clone()).collect();
                let batch = next_batch(&[], &shapes, limits);
                prop_assert!(!batch.is_empty(), "nothing in flight, yet nothing submitted");
                prop_assert!(batch.len() <= cluster);
                let mut per: BTreeMap<i32, usize> = BTreeMap::new();
                let mut critical = 0;
                for &i in &batch {
                    for b in &shapes[i].brokers { *per.entry(*b).or_default() += 1; }
                    critical += usize::from(shapes[i].isr_critical);
                }
                prop_assert!(per.values().all(|&n| n <= per_broker));
                prop_assert!(critical <= 1);
                for &i in batch.iter().rev() {
                    submitted.push(remaining.remove(i).0);
                }
            }
            submitted.sort_unstable();
            prop_assert_eq!(submitted, (0..pending.len()).collect::<Vec<_>>());
        }
    }
}
