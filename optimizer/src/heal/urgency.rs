//! The order in which a capped heal round (`--max-moves-per-round`) takes its moves: the most
//! urgent partitions first. Offline partitions (no leader, or no live in-sync replica) come
//! first, then partitions with a replica on a dead broker, then partitions under their
//! `min.insync.replicas` (writes with `acks=all` blocked), then partitions exactly at it (one more
//! failure blocks them), then the rest; within a class the plan's own order is kept. The classes
//! are placement's [`Urgency`], which apply orders its submissions by too.

use kplace_placement::model::{ClusterModel, PartitionIdx};
pub use kplace_placement::urgency::Urgency;

use crate::analysis::min_isr;

/// The urgency of a partition in the model's snapshot: its replicas and live ISR against its min
/// ISR (the rule's `min_insync_replicas`, else the topic's setting, else 1).
pub fn urgency(model: &ClusterModel, partition: PartitionIdx) -> Urgency {
    let p = &model.partitions()[partition as usize];
    kplace_placement::urgency::urgency(
        p.leader.is_some(),
        &model.current()[partition as usize][..],
        &p.isr,
        |b| model.brokers()[b as usize].alive,
        min_isr(model, partition),
    )
}

/// Sorts `items` most urgent first, keeping their order within a class (a stable sort).
/// `partition_of` names each item's partition; items it cannot place (`None`) go last.
pub fn most_urgent_first<T>(
    model: &ClusterModel,
    items: &mut [T],
    partition_of: impl Fn(&T) -> Option<PartitionIdx>,
) {
    items.sort_by_cached_key(|item| partition_of(item).map(|p| urgency(model, p)));
    // `None` sorts before `Some`: rotate the unplaceable items to the end.
    let unplaced = items
        .iter()
        .take_while(|i| partition_of(i).is_none())
        .count();
    items.rotate_left(unplaced);
}

#[cfg(test)]
mod tests {
    use super::*;
    use kplace_placement::model::ModelOptions;
    use kplace_placement::policy::Policy;
    use kplace_placement::snapshot::{BrokerSpec, PartitionSpec, Snapshot, TopicSpec};
    use proptest::prelude::*;

    /// Partition `i` has in-sync replicas `isr[i]` and replicas 1,2,3 when that names 3, else
    /// 1,2,4 (broker 3 is dead);
    /// `leaderless[i]` marks partitions without a leader; min ISR is 2.
    fn model(isr: &[Vec<i32>], leaderless: &[bool]) -> ClusterModel {
        let snapshot = Snapshot {
            brokers: (1..=4)
                .map(|id| BrokerSpec {
                    id,
                    alive: id != 3,
                    ..BrokerSpec::default()
                })
                .collect(),
            partitions: isr
                .iter()
                .enumerate()
                .map(|(i, isr)| PartitionSpec {
                    topic: "t".into(),
                    partition: i as i32,
                    replicas: if isr.contains(&3) {
                        vec![1, 2, 3]
                    } else {
                        vec![1, 2, 4]
                    },
                    leader: Some(if leaderless[i] {
                        -1
                    } else {
                        isr.first().copied().unwrap_or(-1)
                    }),
                    isr: Some(isr.clone()),
                    ..PartitionSpec::default()
                })
                .collect(),
            topics: vec![TopicSpec {
                name: "t".into(),
                min_insync_replicas: Some(2),
                ..TopicSpec::default()
            }],
            ..Snapshot::default()
        };
        ClusterModel::build(&snapshot, &Policy::default(), &ModelOptions::default()).expect("model")
    }

    #[test]
    fn classes_follow_the_live_isr() {
        let m = model(
            &[vec![1, 2], vec![1], vec![3], vec![1, 2, 3], vec![1, 2]],
            &[false, false, false, false, true],
        );
        let classes: Vec<Urgency> = (0..5).map(|p| urgency(&m, p)).collect();
        assert_eq!(
            classes,
            vec![
                Urgency::AtMinIsr,
                Urgency::UnderMinIsr,
                Urgency::Offline,             // its only in-sync replica is dead
                Urgency::DeadReplicaAtMinIsr, // broker 3 is dead: a copy to restore, 2 live in sync
                Urgency::Offline,
            ]
        );
    }

    #[test]
    fn a_capped_round_takes_the_most_urgent_first() {
        let m = model(
            &[vec![1, 2], vec![1], vec![1, 2], vec![2], vec![1]],
            &[false, false, false, false, true],
        );
        let mut moves: Vec<(&str, Option<PartitionIdx>)> = vec![
            ("at-0", Some(0)),
            ("under-1", Some(1)),
            ("unknown", None),
            ("at-2", Some(2)),
            ("under-3", Some(3)),
            ("offline-4", Some(4)),
        ];
        most_urgent_first(&m, &mut moves, |(_, p)| *p);
        let names: Vec<&str> = moves.iter().map(|(n, _)| *n).collect();
        assert_eq!(
            names,
            vec!["offline-4", "under-1", "under-3", "at-0", "at-2", "unknown"]
        );
    }

    fn isr_strategy() -> impl Strategy<Value = Vec<i32>> {
        proptest::sample::subsequence(vec![1, 2, 3], 0..=3)
    }

    proptest! {
        /// Whatever the cluster, the order is a permutation, sorted by urgency, stable within a
        /// class, and a cap keeps every partition more urgent than any it leaves out.
        #[test]
        fn ordered_stable_and_a_cap_keeps_the_most_urgent(
            isr in proptest::collection::vec(isr_strategy(), 1..24),
            leaderless in proptest::collection::vec(any::<bool>(), 24),
            cap in 0usize..24,
        ) {
            let m = model(&isr, &leaderless[..isr.len()]);
            let mut order: Vec<PartitionIdx> = (0..isr.len() as PartitionIdx).collect();
            most_urgent_first(&m, &mut order, |&p| Some(p));
            let mut sorted = order.clone();
            sorted.sort_unstable();
            prop_assert_eq!(sorted, (0..isr.len() as PartitionIdx).collect::<Vec<_>>());
            for pair in order.windows(2) {
                let (a, b) = (urgency(&m, pair[0]), urgency(&m, pair[1]));
                prop_assert!(a < b || (a == b && pair[0] < pair[1]));
            }
            let cap = cap.min(order.len());
            if let (Some(&kept), Some(&left)) = (order[..cap].last(), order.get(cap)) {
                prop_assert!(urgency(&m, kept) <= urgency(&m, left));
            }
        }
    }
}
