//! The goal flags `plan` and `check` share: which goals, in which order, with which thresholds.

use clap::Args;
use kplace_optimizer::config::GoalConfig;

/// Goals and thresholds.
#[derive(Debug, Args)]
pub struct GoalArgs {
    /// Goals in priority order, comma-separated. Default: spread, capacity, domain-survival,
    /// replica-balance, disk-balance, network-in-balance, network-out-balance, cpu-balance,
    /// topic-balance, leader-balance, leader-preference. The first three are hard.
    #[arg(long, value_delimiter = ',', value_name = "GOALS")]
    pub goals: Vec<String>,
    /// Replicas per broker (and per topic and broker) may deviate this much from the mean.
    #[arg(long, value_name = "SHARE", default_value_t = 0.10)]
    pub replica_balance_threshold: f64,
    /// Disk, network and CPU per broker may deviate this much from the mean.
    #[arg(long, value_name = "SHARE", default_value_t = 0.10)]
    pub resource_balance_threshold: f64,
    /// Leaders per broker may deviate this much from the mean.
    #[arg(long, value_name = "SHARE", default_value_t = 0.10)]
    pub leader_balance_threshold: f64,
    /// Share of disk capacity a broker may use.
    #[arg(long, value_name = "SHARE", default_value_t = 0.8)]
    pub disk_capacity_threshold: f64,
    /// Share of inbound network capacity a broker may use.
    #[arg(long, value_name = "SHARE", default_value_t = 0.8)]
    pub network_in_capacity_threshold: f64,
    /// Share of outbound network capacity a broker may use.
    #[arg(long, value_name = "SHARE", default_value_t = 0.8)]
    pub network_out_capacity_threshold: f64,
    /// Share of CPU capacity a broker may use.
    #[arg(long, value_name = "SHARE", default_value_t = 0.7)]
    pub cpu_capacity_threshold: f64,
    /// Most replicas one broker may hold (capacity goal); default: no limit.
    #[arg(long, value_name = "N")]
    pub max_replicas_per_broker: Option<u32>,
}

impl GoalArgs {
    /// The thresholds as the optimizer takes them.
    pub fn config(&self) -> GoalConfig {
        GoalConfig {
            disk_capacity_threshold: self.disk_capacity_threshold,
            network_in_capacity_threshold: self.network_in_capacity_threshold,
            network_out_capacity_threshold: self.network_out_capacity_threshold,
            cpu_capacity_threshold: self.cpu_capacity_threshold,
            max_replicas_per_broker: self.max_replicas_per_broker,
            replica_balance_threshold: self.replica_balance_threshold,
            resource_balance_threshold: self.resource_balance_threshold,
            leader_balance_threshold: self.leader_balance_threshold,
        }
    }
}
