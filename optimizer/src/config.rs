//! Goal thresholds, with Cruise Control's defaults.

use serde::{Deserialize, Serialize};

/// The thresholds the goals use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GoalConfig {
    /// `capacity`: the share of disk capacity a broker may use.
    pub disk_capacity_threshold: f64,
    /// `capacity`: the share of inbound network capacity a broker may use.
    pub network_in_capacity_threshold: f64,
    /// `capacity`: the share of outbound network capacity a broker may use.
    pub network_out_capacity_threshold: f64,
    /// `capacity`: the share of CPU capacity a broker may use.
    pub cpu_capacity_threshold: f64,
    /// `capacity`: most replicas on one broker (`None`: no limit).
    pub max_replicas_per_broker: Option<u32>,
    /// `replica-balance` and `topic-balance`: allowed deviation from the mean (0.10 = ±10%).
    pub replica_balance_threshold: f64,
    /// `disk-balance`, `network-*-balance`, `cpu-balance`: allowed deviation from the mean.
    pub resource_balance_threshold: f64,
    /// `leader-balance`: allowed deviation from the mean.
    pub leader_balance_threshold: f64,
}

impl Default for GoalConfig {
    fn default() -> Self {
        GoalConfig {
            disk_capacity_threshold: 0.8,
            network_in_capacity_threshold: 0.8,
            network_out_capacity_threshold: 0.8,
            cpu_capacity_threshold: 0.7,
            max_replicas_per_broker: None,
            replica_balance_threshold: 0.10,
            resource_balance_threshold: 0.10,
            leader_balance_threshold: 0.10,
        }
    }
}

impl GoalConfig {
    /// The capacity threshold of a load resource.
    pub fn capacity_threshold(&self, resource: crate::resource::Resource) -> f64 {
        use crate::resource::Resource;
        match resource {
            Resource::Disk => self.disk_capacity_threshold,
            Resource::NetworkIn => self.network_in_capacity_threshold,
            Resource::NetworkOut => self.network_out_capacity_threshold,
            Resource::Cpu => self.cpu_capacity_threshold,
            Resource::Replicas | Resource::Leaders => 1.0,
        }
    }

    /// The allowed deviation from the mean of a resource's balance goal.
    pub fn balance_threshold(&self, resource: crate::resource::Resource) -> f64 {
        use crate::resource::Resource;
        match resource {
            Resource::Replicas => self.replica_balance_threshold,
            Resource::Leaders => self.leader_balance_threshold,
            Resource::Disk | Resource::NetworkIn | Resource::NetworkOut | Resource::Cpu => {
                self.resource_balance_threshold
            }
        }
    }
}
