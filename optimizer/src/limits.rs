//! What an operation allows the goals to touch: partitions of excluded topics stay put, replicas
//! move only onto added brokers during a scale-out, demoted brokers lead nothing.

use kplace_placement::model::{BrokerIdx, ClusterModel, PartitionIdx};
use kplace_placement::snapshot::BrokerId;
use kplace_placement::topic_regex::anchored_topic_regex;

use crate::action::Action;

/// Why an operation's broker or topic list cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LimitsError {
    /// A flag names a broker the snapshot does not have.
    #[error("{flag}: broker {broker} is not in the snapshot")]
    UnknownBroker {
        /// The flag, e.g. `--add-brokers`.
        flag: &'static str,
        /// The broker id.
        broker: BrokerId,
    },
    /// `--add-brokers` names a broker that may not take replicas.
    #[error(
        "{flag}: broker {broker} {reason}; a broker added to take load must be up and not excluded"
    )]
    NotEligible {
        /// The flag, e.g. `--add-brokers`.
        flag: &'static str,
        /// The broker id.
        broker: BrokerId,
        /// `is down` or `is excluded (--exclude-brokers or --remove-brokers)`.
        reason: &'static str,
    },
    /// The excluded-topics pattern does not compile.
    #[error("--excluded-topics: invalid regex '{pattern}':\n{message}")]
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
    /// Whether soft goals may copy replicas. `false` for a drain that was not asked to
    /// rebalance: the hard goals make the copies the operation needs, soft goals only choose
    /// where those copies go (moving a copy the plan makes anyway) and who leads.
    pub soft_copies: bool,
}

/// The operation as ids and names, before it is resolved against a model.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Operation {
    /// `--add-brokers`: new brokers; balancing moves go only onto them.
    pub add_brokers: Vec<BrokerId>,
    /// `--demote-brokers`: brokers to move leadership off.
    pub demote_brokers: Vec<BrokerId>,
    /// `--excluded-topics`: a regex matching whole topic names to leave alone.
    pub excluded_topics: Option<String>,
    /// Move only what the operation requires: soft goals copy nothing beyond what the hard
    /// goals copy (a drain moves exactly the replicas on the drained brokers, plus what a hard
    /// goal needs). `false` (the default, and `--rebalance`) lets soft goals rebalance.
    pub only_required_moves: bool,
}

impl Operation {
    /// Adds brokers (`--add-brokers`): balancing moves go only onto them.
    #[must_use]
    pub fn with_add_brokers(mut self, brokers: Vec<BrokerId>) -> Operation {
        self.add_brokers = brokers;
        self
    }

    /// Moves leadership off these brokers (`--demote-brokers`).
    #[must_use]
    pub fn with_demote_brokers(mut self, brokers: Vec<BrokerId>) -> Operation {
        self.demote_brokers = brokers;
        self
    }

    /// Leaves topics whose whole name matches this regex alone (`--excluded-topics`).
    #[must_use]
    pub fn with_excluded_topics(mut self, pattern: Option<String>) -> Operation {
        self.excluded_topics = pattern;
        self
    }

    /// Moves only what the operation requires ([`Operation::only_required_moves`]).
    #[must_use]
    pub fn with_only_required_moves(mut self, only: bool) -> Operation {
        self.only_required_moves = only;
        self
    }
}

impl Limits {
    /// No restriction at all.
    pub fn none(model: &ClusterModel) -> Limits {
        Limits {
            frozen: vec![false; model.partitions().len()],
            destinations: None,
            demoted: vec![false; model.brokers().len()],
            soft_copies: true,
        }
    }

    /// Resolves an operation against a model.
    pub fn resolve(model: &ClusterModel, operation: &Operation) -> Result<Limits, LimitsError> {
        let mut limits = Limits::none(model);
        limits.soft_copies = !operation.only_required_moves;
        let index = |flag: &'static str, id: BrokerId| {
            model
                .broker(id)
                .ok_or(LimitsError::UnknownBroker { flag, broker: id })
        };
        if !operation.add_brokers.is_empty() {
            let mut mask = vec![false; model.brokers().len()];
            for &id in &operation.add_brokers {
                let b = index("--add-brokers", id)? as usize;
                let broker = &model.brokers()[b];
                let reason = if !broker.alive {
                    Some("is down")
                } else if broker.excluded {
                    Some("is excluded (--exclude-brokers or --remove-brokers)")
                } else {
                    None
                };
                if let Some(reason) = reason {
                    return Err(LimitsError::NotEligible {
                        flag: "--add-brokers",
                        broker: id,
                        reason,
                    });
                }
                mask[b] = true;
            }
            limits.destinations = Some(mask);
        }
        for &id in &operation.demote_brokers {
            limits.demoted[index("--demote-brokers", id)? as usize] = true;
        }
        if let Some(pattern) = &operation.excluded_topics {
            let regex = anchored_topic_regex(pattern).map_err(|e| LimitsError::BadPattern {
                pattern: e.pattern,
                message: e.message,
            })?;
            for (partition, p) in model.partitions().iter().enumerate() {
                limits.frozen[partition] = regex.is_match(&model.topics()[p.topic as usize].name);
            }
        }
        Ok(limits)
    }

    /// Whether balancing may copy a replica onto `broker`.
    pub fn may_receive(&self, model: &ClusterModel, broker: BrokerIdx) -> bool {
        model.brokers()[broker as usize].eligible()
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
