//! The per-broker quantities that goals bound and balance: replica and leader counts, disk,
//! network in and out, CPU.

use kplace_placement::model::{ClusterModel, PartitionIdx};
use serde::{Deserialize, Serialize};

use crate::load_model::{BrokerStats, FOLLOWER_CPU_SHARE};

/// One per-broker quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Resource {
    /// Replicas hosted.
    Replicas,
    /// Partitions led.
    Leaders,
    /// Bytes stored.
    Disk,
    /// Bytes per second received.
    NetworkIn,
    /// Bytes per second sent to consumers.
    NetworkOut,
    /// CPU.
    Cpu,
}

impl Resource {
    /// The load resources (those a snapshot's capacity bounds).
    pub const LOADS: [Resource; 4] = [
        Resource::Disk,
        Resource::NetworkIn,
        Resource::NetworkOut,
        Resource::Cpu,
    ];

    /// The name used in goal names and messages: `disk`, `network-in`, ...
    pub fn name(self) -> &'static str {
        match self {
            Resource::Replicas => "replicas",
            Resource::Leaders => "leaders",
            Resource::Disk => "disk",
            Resource::NetworkIn => "network-in",
            Resource::NetworkOut => "network-out",
            Resource::Cpu => "cpu",
        }
    }

    /// This resource's value in a broker's stats.
    pub fn of(self, stats: &BrokerStats) -> f64 {
        match self {
            Resource::Replicas => f64::from(stats.replicas),
            Resource::Leaders => f64::from(stats.leaders),
            Resource::Disk => stats.disk,
            Resource::NetworkIn => stats.network_in,
            Resource::NetworkOut => stats.network_out,
            Resource::Cpu => stats.cpu,
        }
    }

    /// What one replica of `partition` adds to a broker, as leader or follower.
    pub fn replica_load(self, model: &ClusterModel, partition: PartitionIdx, leader: bool) -> f64 {
        let p = &model.partitions()[partition as usize];
        match self {
            Resource::Replicas => 1.0,
            Resource::Leaders => f64::from(u8::from(leader)),
            Resource::Disk => p.size as f64,
            Resource::NetworkIn => p.load.network_in,
            Resource::NetworkOut if leader => p.load.network_out,
            Resource::NetworkOut => 0.0,
            Resource::Cpu if leader => p.load.cpu,
            Resource::Cpu => p.load.cpu * FOLLOWER_CPU_SHARE,
        }
    }

    /// Whether moving leadership between replicas shifts this resource.
    pub fn follows_leadership(self) -> bool {
        matches!(
            self,
            Resource::Leaders | Resource::NetworkOut | Resource::Cpu
        )
    }

    /// Whether values are whole counts (bounds are rounded outwards).
    pub fn is_count(self) -> bool {
        matches!(self, Resource::Replicas | Resource::Leaders)
    }

    /// The broker's capacity for this resource, if the snapshot gives one.
    pub fn capacity(self, capacity: &kplace_placement::snapshot::Capacity) -> Option<f64> {
        match self {
            Resource::Replicas | Resource::Leaders => None,
            Resource::Disk => capacity.disk,
            Resource::NetworkIn => capacity.network_in,
            Resource::NetworkOut => capacity.network_out,
            Resource::Cpu => capacity.cpu,
        }
    }
}
