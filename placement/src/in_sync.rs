//! Which replicas are in sync under a replica list: who a leadership-only change may make the
//! leader, and whose copy holds every committed record (what failure analysis counts).
//!
//! Kafka elects a preferred leader only from the ISR, and completes a reassignment only once
//! every target replica has joined the ISR. So under a list that keeps a partition's current
//! broker set (a reorder: no data moves) the snapshot's ISR decides; under a list that changes
//! the set, every replica of the list is in sync by the time the list is in force.

use crate::model::{BrokerIdx, ClusterModel, PartitionIdx};

/// Whether `replicas` holds exactly the partition's current brokers (in any order).
pub fn keeps_current_set(
    model: &ClusterModel,
    partition: PartitionIdx,
    replicas: &[BrokerIdx],
) -> bool {
    let current = &model.current[partition as usize];
    current.len() == replicas.len() && replicas.iter().all(|b| current.contains(b))
}

/// Whether broker `b` may lead `partition` once the list `replicas` is in force: it is alive
/// and a replica of the list, and, when the list only reorders the current replicas, in the ISR
/// (a preferred-leader election never picks a replica out of sync).
pub fn may_lead(
    model: &ClusterModel,
    partition: PartitionIdx,
    replicas: &[BrokerIdx],
    b: BrokerIdx,
) -> bool {
    model.brokers[b as usize].alive
        && replicas.contains(&b)
        && (!keeps_current_set(model, partition, replicas)
            || model.partitions[partition as usize].isr.contains(&b))
}

/// Whether the replica on `b` holds every committed record of `partition` once `replicas` is in
/// force: any replica of a list that changes the broker set (the move completes only in sync),
/// else a member of the ISR or of the eligible leader replicas (KIP-966). Liveness is not
/// considered: callers combine this with the failure they model.
pub fn holds_committed(
    model: &ClusterModel,
    partition: PartitionIdx,
    replicas: &[BrokerIdx],
    b: BrokerIdx,
) -> bool {
    if !replicas.contains(&b) {
        return false;
    }
    if !keeps_current_set(model, partition, replicas) {
        return true;
    }
    let p = &model.partitions[partition as usize];
    p.isr.contains(&b) || p.elr.contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ModelOptions;
    use crate::policy::Policy;
    use crate::snapshot::{BrokerSpec, PartitionSpec, Snapshot};

    fn model() -> ClusterModel {
        let snapshot = Snapshot {
            brokers: (1..=5)
                .map(|id| BrokerSpec {
                    id,
                    alive: id != 5,
                    ..BrokerSpec::default()
                })
                .collect(),
            partitions: vec![PartitionSpec {
                topic: "t".into(),
                partition: 0,
                replicas: vec![1, 2, 3, 5],
                leader: Some(2),
                isr: Some(vec![2, 5]),
                elr: Some(vec![3]),
                ..PartitionSpec::default()
            }],
            ..Snapshot::default()
        };
        ClusterModel::build(&snapshot, &Policy::default(), &ModelOptions::default()).unwrap()
    }

    #[test]
    fn a_reorder_may_lead_only_from_the_live_isr() {
        let m = model();
        let b = |id| m.broker(id).unwrap();
        let reorder = vec![b(3), b(1), b(2), b(5)];
        assert!(may_lead(&m, 0, &reorder, b(2)));
        assert!(!may_lead(&m, 0, &reorder, b(1)), "out of sync");
        assert!(
            !may_lead(&m, 0, &reorder, b(3)),
            "ELR is not ISR for an election"
        );
        assert!(!may_lead(&m, 0, &reorder, b(5)), "dead");
        let moved = vec![b(1), b(2), b(3), b(4)];
        assert!(
            may_lead(&m, 0, &moved, b(1)),
            "in sync once the move completes"
        );
        assert!(!may_lead(&m, 0, &moved, b(5)), "not a replica of the list");
    }

    #[test]
    fn committed_data_is_isr_or_elr_unless_the_set_changes() {
        let m = model();
        let b = |id| m.broker(id).unwrap();
        let current = m.current[0].clone();
        let held: Vec<bool> = current
            .iter()
            .map(|&x| holds_committed(&m, 0, &current, x))
            .collect();
        assert_eq!(held, vec![false, true, true, true]);
        let moved = vec![b(1), b(2), b(3), b(4)];
        assert!(moved.iter().all(|&x| holds_committed(&m, 0, &moved, x)));
    }
}
