//! Resource load per broker under Cruise Control's leader/follower model.
//!
//! A partition's measured load is its leader's. Every replica, leader or follower, stores the
//! partition (disk = size) and receives its produce traffic (the leader from clients, followers
//! by replication, so network in counts on all replicas). Only the leader serves consumers and,
//! in sampled snapshots' figures, its followers (network out) and does most of the CPU work; a follower carries a fixed share of the leader's
//! CPU ([`FOLLOWER_CPU_SHARE`]).

use kplace_placement::broker_load::leader_of;
use kplace_placement::model::{BrokerIdx, ClusterModel, PartitionIdx, Replicas};
use serde::{Deserialize, Serialize};

/// Share of a partition's leader CPU that each follower carries.
pub const FOLLOWER_CPU_SHARE: f64 = 0.3;

/// One broker's load.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct BrokerStats {
    /// Replicas hosted.
    pub replicas: u32,
    /// Partitions led.
    pub leaders: u32,
    /// Bytes stored.
    pub disk: f64,
    /// Bytes per second received (produce and replication).
    pub network_in: f64,
    /// Bytes per second sent to consumers.
    pub network_out: f64,
    /// CPU, in the snapshot's unit.
    pub cpu: f64,
}

impl BrokerStats {
    /// Adds one replica of `partition` (as its leader or a follower).
    pub fn add_replica(&mut self, model: &ClusterModel, partition: PartitionIdx, leader: bool) {
        self.replicas += 1;
        self.leaders += u32::from(leader);
        self.shift(model, partition, leader, 1.0);
    }

    /// Removes one replica of `partition` (as its leader or a follower).
    pub fn remove_replica(&mut self, model: &ClusterModel, partition: PartitionIdx, leader: bool) {
        self.replicas -= 1;
        self.leaders -= u32::from(leader);
        self.shift(model, partition, leader, -1.0);
    }

    fn shift(&mut self, model: &ClusterModel, partition: PartitionIdx, leader: bool, sign: f64) {
        let p = &model.partitions()[partition as usize];
        self.disk += sign * p.size as f64;
        self.network_in += sign * p.load.network_in;
        if leader {
            self.network_out += sign * p.load.network_out;
            self.cpu += sign * p.load.cpu;
        } else {
            self.cpu += sign * p.load.cpu * FOLLOWER_CPU_SHARE;
        }
    }
}

/// Load of every broker under an assignment, indexed by [`BrokerIdx`].
pub fn broker_stats(model: &ClusterModel, assignment: &[Replicas]) -> Vec<BrokerStats> {
    let mut stats = vec![BrokerStats::default(); model.brokers().len()];
    for (index, replicas) in assignment.iter().enumerate() {
        let partition = index as PartitionIdx;
        let leader = leader_of(model, partition, replicas);
        for &b in replicas {
            stats[b as usize].add_replica(model, partition, Some(b) == leader);
        }
    }
    stats
}

/// Bytes that must be copied to move a partition from `old` to `new`: its size once per broker
/// that newly receives a replica.
pub fn bytes_to_move(
    model: &ClusterModel,
    partition: PartitionIdx,
    old: &[BrokerIdx],
    new: &[BrokerIdx],
) -> u64 {
    let added = new.iter().filter(|b| !old.contains(b)).count() as u64;
    added * model.partitions()[partition as usize].size
}
