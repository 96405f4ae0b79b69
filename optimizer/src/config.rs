//! Goal thresholds, with Cruise Control's defaults.

use serde::{Deserialize, Serialize};

/// The thresholds the goals use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
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
    /// `replica-balance`: allowed deviation from the mean (0.10 = ±10%).
    pub replica_balance_threshold: f64,
    /// `topic-balance`: Cruise Control's `topic.replica.count.balance.threshold`, a multiple of
    /// each topic's mean replicas per broker (3.0: a broker may hold up to about 2.8× the mean,
    /// see [`crate::goals::topic_balance::topic_band`]).
    pub topic_balance_threshold: f64,
    /// `topic-balance`: Cruise Control's `topic.replica.count.balance.min.gap`: the band reaches
    /// at least this many replicas beyond the rounded mean on either side (2). 0 with a threshold
    /// of 1.1 gives the strict form (about ±10% of the mean).
    pub topic_balance_min_gap: u32,
    /// `topic-balance`: Cruise Control's `topic.replica.count.balance.max.gap`: the band reaches
    /// at most this many replicas beyond the rounded mean (40).
    pub topic_balance_max_gap: u32,
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
            topic_balance_threshold: 3.0,
            topic_balance_min_gap: 2,
            topic_balance_max_gap: 40,
            resource_balance_threshold: 0.10,
            leader_balance_threshold: 0.10,
        }
    }
}

/// The most replicas per broker `max_replicas_per_broker` may allow: far beyond any real broker
/// (Kafka advises a few thousand), so a larger value is a typo.
pub const MAX_REPLICAS_PER_BROKER: u32 = 1_000_000;

/// A threshold that makes no sense (NaN, infinite, negative, a share beyond 1).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field} = {value}: must be {expected}")]
pub struct ConfigError {
    /// The field, e.g. `cpu_capacity_threshold` (the CLI flag is the same with dashes).
    pub field: &'static str,
    /// The value given, as written.
    pub value: String,
    /// What it must be.
    pub expected: &'static str,
}

const SHARE: &str = "a finite share greater than 0 and at most 1 (e.g. 0.8)";
const DEVIATION: &str = "a finite deviation of at least 0 (e.g. 0.10 for ±10%)";

impl GoalConfig {
    /// Checks every threshold: capacity shares finite, > 0 and <= 1 (a NaN would switch the hard
    /// capacity goal off); balance thresholds finite and >= 0; `max_replicas_per_broker` from 1
    /// to [`MAX_REPLICAS_PER_BROKER`].
    pub fn validate(&self) -> Result<(), ConfigError> {
        let shares = [
            ("disk_capacity_threshold", self.disk_capacity_threshold),
            (
                "network_in_capacity_threshold",
                self.network_in_capacity_threshold,
            ),
            (
                "network_out_capacity_threshold",
                self.network_out_capacity_threshold,
            ),
            ("cpu_capacity_threshold", self.cpu_capacity_threshold),
        ];
        for (field, value) in shares {
            if !(value.is_finite() && value > 0.0 && value <= 1.0) {
                return Err(ConfigError {
                    field,
                    value: value.to_string(),
                    expected: SHARE,
                });
            }
        }
        let deviations = [
            ("replica_balance_threshold", self.replica_balance_threshold),
            (
                "resource_balance_threshold",
                self.resource_balance_threshold,
            ),
            ("leader_balance_threshold", self.leader_balance_threshold),
        ];
        for (field, value) in deviations {
            if !(value.is_finite() && value >= 0.0) {
                return Err(ConfigError {
                    field,
                    value: value.to_string(),
                    expected: DEVIATION,
                });
            }
        }
        if let Some(n) = self.max_replicas_per_broker {
            if !(1..=MAX_REPLICAS_PER_BROKER).contains(&n) {
                return Err(ConfigError {
                    field: "max_replicas_per_broker",
                    value: n.to_string(),
                    expected: "from 1 to 1000000",
                });
            }
        }
        Ok(())
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        assert_eq!(GoalConfig::default().validate(), Ok(()));
    }

    type Breaker = fn(&mut GoalConfig);

    #[test]
    fn nonsense_thresholds_are_refused_naming_the_field() {
        let cases: [(Breaker, &str); 8] = [
            (
                |c| c.cpu_capacity_threshold = f64::NAN,
                "cpu_capacity_threshold = NaN",
            ),
            (
                |c| c.disk_capacity_threshold = 0.0,
                "disk_capacity_threshold = 0",
            ),
            (
                |c| c.network_in_capacity_threshold = 1.5,
                "network_in_capacity_threshold = 1.5",
            ),
            (
                |c| c.network_out_capacity_threshold = f64::INFINITY,
                "network_out_capacity_threshold = inf",
            ),
            (
                |c| c.replica_balance_threshold = -0.1,
                "replica_balance_threshold = -0.1",
            ),
            (
                |c| c.resource_balance_threshold = f64::NAN,
                "resource_balance_threshold = NaN",
            ),
            (
                |c| c.leader_balance_threshold = f64::NEG_INFINITY,
                "leader_balance_threshold = -inf",
            ),
            (
                |c| c.max_replicas_per_broker = Some(0),
                "max_replicas_per_broker = 0",
            ),
        ];
        for (break_it, message) in cases {
            let mut config = GoalConfig::default();
            break_it(&mut config);
            let error = config.validate().unwrap_err();
            assert!(error.to_string().starts_with(message), "{error}");
        }
    }

    #[test]
    fn edge_values_are_accepted() {
        let config = GoalConfig {
            cpu_capacity_threshold: 1.0,
            replica_balance_threshold: 0.0,
            max_replicas_per_broker: Some(MAX_REPLICAS_PER_BROKER),
            ..GoalConfig::default()
        };
        assert_eq!(config.validate(), Ok(()));
    }
}
