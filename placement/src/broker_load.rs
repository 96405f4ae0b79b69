//! Replica and leader counts per broker: what placement balances when it chooses brokers.

use crate::model::{BrokerIdx, ClusterModel, PartitionIdx, Replicas};

/// Replicas and leaders per broker, indexed by [`BrokerIdx`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerLoad {
    /// Replicas per broker.
    pub replicas: Vec<u32>,
    /// Leaders per broker.
    pub leaders: Vec<u32>,
}

impl BrokerLoad {
    /// Counts an assignment.
    pub fn of(model: &ClusterModel, assignment: &[Replicas]) -> Self {
        let mut load = BrokerLoad {
            replicas: vec![0; model.brokers.len()],
            leaders: vec![0; model.brokers.len()],
        };
        for (index, replicas) in assignment.iter().enumerate() {
            load.add(replicas, leader_of(model, index as PartitionIdx, replicas));
        }
        load
    }

    /// Adds one partition's replicas and leader.
    pub fn add(&mut self, replicas: &[BrokerIdx], leader: Option<BrokerIdx>) {
        for &b in replicas {
            self.replicas[b as usize] += 1;
        }
        if let Some(leader) = leader {
            self.leaders[leader as usize] += 1;
        }
    }

    /// Removes one partition's replicas and leader.
    pub fn remove(&mut self, replicas: &[BrokerIdx], leader: Option<BrokerIdx>) {
        for &b in replicas {
            self.replicas[b as usize] -= 1;
        }
        if let Some(leader) = leader {
            self.leaders[leader as usize] -= 1;
        }
    }
}

/// The leader of a partition under a replica list: for the model's current list, the actual
/// leader from the snapshot; for any other list, the preferred leader (first entry), which a
/// preferred leader election makes the leader once the list is applied.
pub fn leader_of(
    model: &ClusterModel,
    partition: PartitionIdx,
    replicas: &[BrokerIdx],
) -> Option<BrokerIdx> {
    if model.current[partition as usize] == replicas {
        model.partitions[partition as usize].leader
    } else {
        replicas.first().copied()
    }
}
