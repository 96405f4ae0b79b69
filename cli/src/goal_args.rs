//! The goal flags `plan` and `check` share: which goals, in which order, with which thresholds.

use clap::Args;
use kplace_optimizer::config::{ConfigError, GoalConfig};

use crate::exit::{bad_input, CliError};

/// Goals and thresholds.
#[derive(Debug, Args)]
pub struct GoalArgs {
    /// Goals in priority order, comma-separated. Default: spread, capacity, domain-survival,
    /// replica-balance, disk-balance, network-in-balance, network-out-balance, cpu-balance,
    /// topic-balance, leader-balance, leader-preference. The first three are hard.
    #[arg(long, value_delimiter = ',', value_name = "GOALS")]
    pub goals: Vec<String>,
    /// Replicas per broker may deviate this much from the mean.
    #[arg(long, value_name = "SHARE", default_value_t = 0.10)]
    pub replica_balance_threshold: f64,
    /// topic-balance: a broker may hold this multiple of a topic's mean replicas per broker
    /// (Cruise Control's topic.replica.count.balance.threshold, applied with its 0.9 margin).
    /// `--topic-balance-threshold 1.1 --topic-balance-min-gap 0` is the strict form (about ±10%).
    #[arg(long, value_name = "MULTIPLE", default_value_t = 3.0)]
    pub topic_balance_threshold: f64,
    /// topic-balance: the band reaches at least this many replicas beyond the rounded mean.
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub topic_balance_min_gap: u32,
    /// topic-balance: the band reaches at most this many replicas beyond the rounded mean.
    #[arg(long, value_name = "N", default_value_t = 40)]
    pub topic_balance_max_gap: u32,
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
    /// Most replicas one broker may hold (capacity goal), 1 to 1000000; default: no limit.
    #[arg(long, value_name = "N")]
    pub max_replicas_per_broker: Option<u32>,
}

impl GoalArgs {
    /// The thresholds as the optimizer takes them, checked by it: NaN, infinite or negative
    /// values, and capacity shares of 0 or beyond 1, are refused naming the flag and the value.
    pub fn config(&self) -> Result<GoalConfig, CliError> {
        let config = self.unchecked_config();
        config.validate().map_err(|e| flag_error(&e))?;
        Ok(config)
    }

    fn unchecked_config(&self) -> GoalConfig {
        let mut config = GoalConfig::default();
        config.disk_capacity_threshold = self.disk_capacity_threshold;
        config.network_in_capacity_threshold = self.network_in_capacity_threshold;
        config.network_out_capacity_threshold = self.network_out_capacity_threshold;
        config.cpu_capacity_threshold = self.cpu_capacity_threshold;
        config.max_replicas_per_broker = self.max_replicas_per_broker;
        config.replica_balance_threshold = self.replica_balance_threshold;
        config.topic_balance_threshold = self.topic_balance_threshold;
        config.topic_balance_min_gap = self.topic_balance_min_gap;
        config.topic_balance_max_gap = self.topic_balance_max_gap;
        config.resource_balance_threshold = self.resource_balance_threshold;
        config.leader_balance_threshold = self.leader_balance_threshold;
        config
    }
}

/// A threshold error as the flag that set it: `--cpu-capacity-threshold NaN: must be ...`.
fn flag_error(error: &ConfigError) -> CliError {
    bad_input(format!(
        "--{} {}: must be {}",
        error.field.replace('_', "-"),
        error.value,
        error.expected
    ))
}
