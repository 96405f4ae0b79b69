//! What an operation allows the goals to touch: partitions of excluded topics stay put, replicas
//! move only onto added brokers during a scale-out, demoted brokers lead nothing.

use kplace_placement::model::{BrokerIdx, ClusterModel, PartitionIdx};
use kplace_placement::snapshot::BrokerId;

use crate::action::Action;

/// Why an operation's broker or topic list cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitsError {
    /// A flag names a broker the snapshot does not have.
    #[error("{flag}: broker {broker} is not in the snapshot")]
    UnknownBroker {
        /// The flag, e.g. `--add-brokers`.
        flag: &'static str,
        /// The broker id.
        broker: BrokerId,
    },
    /// The excluded-topics pattern does not compile.
    #[error("--excluded-topics: bad regex '{pattern}': {message}")]
    BadPattern {
        /// The pattern.
        pattern: String,
        /// The regex error.
        message: String,
    },
}

/// The operation's restrictions, by dense index.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Per partition: its topic is excluded; no goal moves it (except off ineligible brokers).
    pub frozen: Vec<bool>,
    /// Per broker: may receive replicas by balancing moves (`None`: every eligible broker).
    pub destinations: Option<Vec<bool>>,
    /// Per broker: must lead nothing.
    pub demoted: Vec<bool>,
}

/// The operation as ids and names, before it is resolved against a model.
#[derive(Debug, Clone, Default)]
pub struct Operation {
    /// `--add-brokers`: new brokers; balancing moves go only onto them.
    pub add_brokers: Vec<BrokerId>,
    /// `--demote-brokers`: brokers to move leadership off.
    pub demote_brokers: Vec<BrokerId>,
    /// `--excluded-topics`: a regex matching whole topic names to leave alone.
    pub excluded_topics: Option<String>,
}

impl Limits {
    /// No restriction at all.
    pub fn none(model: &ClusterModel) -> Limits {
        Limits {
            frozen: vec![false; model.partitions.len()],
            destinations: None,
            demoted: vec![false; model.brokers.len()],
        }
    }

    /// Resolves an operation against a model.
    pub fn resolve(model: &ClusterModel, operation: &Operation) -> Result<Limits, LimitsError> {
        let mut limits = Limits::none(model);
        let index = |flag: &'static str, id: BrokerId| {
            model
                .broker(id)
                .filter(|&b| model.brokers[b as usize].listed)
                .ok_or(LimitsError::UnknownBroker { flag, broker: id })
        };
        if !operation.add_brokers.is_empty() {
            let mut mask = vec![false; model.brokers.len()];
            for &id in &operation.add_brokers {
                mask[index("--add-brokers", id)? as usize] = true;
            }
            limits.destinations = Some(mask);
        }
        for &id in &operation.demote_brokers {
            limits.demoted[index("--demote-brokers", id)? as usize] = true;
        }
        if let Some(pattern) = &operation.excluded_topics {
            let regex = regex::Regex::new(&format!("^(?:{pattern})$")).map_err(|e| {
                LimitsError::BadPattern {
                    pattern: pattern.clone(),
                    message: e.to_string(),
                }
            })?;
            for (partition, p) in model.partitions.iter().enumerate() {
                limits.frozen[partition] = regex.is_match(&model.topics[p.topic as usize].name);
            }
        }
        Ok(limits)
    }

    /// Whether balancing may copy a replica onto `broker`.
    pub fn may_receive(&self, model: &ClusterModel, broker: BrokerIdx) -> bool {
        model.brokers[broker as usize].eligible()
            && self
                .destinations
                .as_ref()
                .is_none_or(|mask| mask[broker as usize])
    }

    /// Whether a goal may take `action` at all (before any goal is asked).
    pub fn allows(&self, model: &ClusterModel, action: &Action) -> bool {
        action
            .partitions()
            .iter()
            .all(|&p| !self.frozen[p as usize])
            && action
                .destinations()
                .iter()
                .all(|&b| self.may_receive(model, b))
    }

    /// Whether any partition is frozen.
    pub fn frozen_partition(&self, partition: PartitionIdx) -> bool {
        self.frozen[partition as usize]
    }
}
