//! The cluster's health as the pace of an apply sees it ([`Health`]): pure logic, no I/O.
//!
//! - A partition is *under-replicated not by kplace* when a replica that is not being added by a
//!   reassignment is out of its ISR (a new replica catching up is the move's own doing; an old
//!   one falling out is not), or when it has no leader.
//! - A partition is *under min ISR* when its ISR is smaller than its `min.insync.replicas`.
//! - An *ISR shrink* is a replica in the ISR at the last look that is not any more, while it is
//!   still one of the partition's replicas and no reassignment is removing it.

use std::collections::BTreeMap;

use kplace_placement::snapshot::InFlightReassignment;

use crate::admin::PartitionInfo;
use crate::pace::Health;

/// ISR per partition, as the last look saw it.
pub type IsrMemory = BTreeMap<(String, i32), Vec<i32>>;

/// The health of `partitions` given the reassignments in flight (topic → partition →
/// reassignment), `min.insync.replicas` per topic (1 when absent) and the ISRs of the last look
/// (`previous`, updated to this look's).
pub fn assess(
    partitions: &[PartitionInfo],
    in_flight: &BTreeMap<String, BTreeMap<i32, InFlightReassignment>>,
    min_isr: &BTreeMap<String, u32>,
    previous: &mut IsrMemory,
) -> Health {
    let mut health = Health::default();
    let mut next = IsrMemory::new();
    for p in partitions {
        let key = (p.topic.clone(), p.partition);
        let moving = in_flight.get(&p.topic).and_then(|t| t.get(&p.partition));
        let adding: &[i32] = moving.map(|r| r.adding_replicas.as_slice()).unwrap_or(&[]);
        let removing: &[i32] = moving
            .map(|r| r.removing_replicas.as_slice())
            .unwrap_or(&[]);
        let out_of_sync = p
            .replicas
            .iter()
            .any(|b| !adding.contains(b) && !p.isr.contains(b));
        if out_of_sync || p.leader < 0 {
            health.under_replicated.push(key.clone());
        }
        let min = min_isr.get(&p.topic).copied().unwrap_or(1) as usize;
        if p.isr.len() < min {
            health.under_min_isr.push(key.clone());
        }
        if let Some(before) = previous.get(&key) {
            for &b in before {
                if !p.isr.contains(&b) && p.replicas.contains(&b) && !removing.contains(&b) {
                    health.isr_shrinks.push((p.topic.clone(), p.partition, b));
                }
            }
        }
        next.insert(key, p.isr.clone());
    }
    *previous = next;
    health
}

#[cfg(test)]
mod tests {
    use super::*;

    fn partition(topic: &str, partition: i32, replicas: &[i32], isr: &[i32]) -> PartitionInfo {
        PartitionInfo {
            topic: topic.into(),
            partition,
            replicas: replicas.to_vec(),
            leader: isr.first().copied().unwrap_or(-1),
            isr: isr.to_vec(),
            internal: false,
        }
    }

    fn moving(
        topic: &str,
        partition: i32,
        replicas: &[i32],
        adding: &[i32],
        removing: &[i32],
    ) -> BTreeMap<String, BTreeMap<i32, InFlightReassignment>> {
        let mut map: BTreeMap<String, BTreeMap<i32, InFlightReassignment>> = BTreeMap::new();
        map.entry(topic.into()).or_default().insert(
            partition,
            InFlightReassignment {
                topic: topic.into(),
                partition,
                replicas: replicas.to_vec(),
                adding_replicas: adding.to_vec(),
                removing_replicas: removing.to_vec(),
            },
        );
        map
    }

    #[test]
    fn a_replica_catching_up_for_a_move_is_not_trouble() {
        let parts = [partition("t", 0, &[1, 2, 3, 4], &[1, 2, 3])];
        let in_flight = moving("t", 0, &[1, 2, 3, 4], &[4], &[3]);
        let mut memory = IsrMemory::new();
        let health = assess(&parts, &in_flight, &BTreeMap::new(), &mut memory);
        assert!(health.healthy(), "{health:?}");
        assert_eq!(memory.get(&("t".to_string(), 0)), Some(&vec![1, 2, 3]));
    }

    #[test]
    fn an_old_replica_out_of_sync_is_trouble_even_while_moving() {
        let parts = [
            partition("t", 0, &[1, 2, 3, 4], &[1, 2]),
            partition("u", 0, &[1, 2], &[1, 2]),
        ];
        let in_flight = moving("t", 0, &[1, 2, 3, 4], &[4], &[3]);
        let health = assess(&parts, &in_flight, &BTreeMap::new(), &mut IsrMemory::new());
        assert_eq!(health.under_replicated, vec![("t".to_string(), 0)]);
    }

    #[test]
    fn under_min_isr_uses_the_topic_setting() {
        let parts = [
            partition("a", 0, &[1, 2, 3], &[1, 2]),
            partition("b", 0, &[1, 2, 3], &[1, 2]),
        ];
        let min: BTreeMap<String, u32> = [("a".to_string(), 3)].into_iter().collect();
        let health = assess(&parts, &BTreeMap::new(), &min, &mut IsrMemory::new());
        assert_eq!(health.under_min_isr, vec![("a".to_string(), 0)]);
        assert_eq!(health.under_replicated.len(), 2);
    }

    #[test]
    fn isr_shrinks_count_replicas_that_left_but_not_those_a_move_removes() {
        let mut memory = IsrMemory::new();
        let none = BTreeMap::new();
        let first = [
            partition("t", 0, &[1, 2, 3], &[1, 2, 3]),
            partition("t", 1, &[1, 2, 3, 4], &[1, 2, 3, 4]),
        ];
        assert!(assess(&first, &none, &BTreeMap::new(), &mut memory).healthy());
        let second = [
            partition("t", 0, &[1, 2, 3], &[1, 3]),
            // Broker 4 leaves the ISR because the move removes it: not a shrink.
            partition("t", 1, &[1, 2, 3, 4], &[1, 2, 3]),
        ];
        let in_flight = moving("t", 1, &[1, 2, 3, 4], &[], &[4]);
        let health = assess(&second, &in_flight, &BTreeMap::new(), &mut memory);
        assert_eq!(health.isr_shrinks, vec![("t".to_string(), 0, 2)]);
        // A completed move whose old replica left the replica set: not a shrink either.
        let third = [
            partition("t", 0, &[1, 2, 3], &[1, 2, 3]),
            partition("t", 1, &[1, 2, 3], &[1, 2, 3]),
        ];
        assert!(assess(&third, &none, &BTreeMap::new(), &mut memory).healthy());
    }

    #[test]
    fn a_partition_without_leader_is_trouble() {
        let parts = [partition("t", 0, &[1], &[])];
        let health = assess(
            &parts,
            &BTreeMap::new(),
            &BTreeMap::new(),
            &mut IsrMemory::new(),
        );
        assert_eq!(health.under_replicated, vec![("t".to_string(), 0)]);
        assert_eq!(health.under_min_isr, vec![("t".to_string(), 0)]);
    }
}
