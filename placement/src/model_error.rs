//! Why a snapshot and policy could not be turned into a cluster model.

use crate::snapshot::BrokerId;

/// Bad input found while building a [`crate::model::ClusterModel`]. Each variant names its place.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    /// Two brokers share an id.
    #[error("brokers: broker id {0} appears more than once")]
    DuplicateBroker(BrokerId),
    /// Two partitions share a topic and number.
    #[error("partitions: {0} appears more than once")]
    DuplicatePartition(String),
    /// A partition has no replicas.
    #[error("partitions: {0} has an empty replica list")]
    EmptyReplicas(String),
    /// A partition lists a broker twice.
    #[error("partitions: {partition} lists broker {broker} twice in its replicas")]
    DuplicateReplica {
        /// `topic-partition`.
        partition: String,
        /// The repeated broker.
        broker: BrokerId,
    },
    /// A partition's leader or ISR names a broker outside its replicas.
    #[error(
        "partitions: {partition}: {field} names broker {broker}, which is not one of its replicas"
    )]
    NotAReplica {
        /// `topic-partition`.
        partition: String,
        /// `leader` or `isr`.
        field: &'static str,
        /// The broker named.
        broker: BrokerId,
    },
    /// A regex in the policy does not compile.
    #[error("{place}: invalid regex '{pattern}': {message}")]
    BadRegex {
        /// Where in the policy, e.g. `rules[0].topics`.
        place: String,
        /// The pattern.
        pattern: String,
        /// The regex engine's message.
        message: String,
    },
    /// A rule setting is out of range.
    #[error("{place}: {message}")]
    BadRule {
        /// Where in the policy.
        place: String,
        /// What is wrong.
        message: String,
    },
    /// A broker named on the command line is not in the snapshot.
    #[error("{flag}: broker {broker} is not in the snapshot's broker list")]
    UnknownBroker {
        /// The flag, e.g. `--exclude-brokers`.
        flag: &'static str,
        /// The broker id.
        broker: BrokerId,
    },
}

impl ModelError {
    /// True when the error is in the policy (otherwise in the snapshot or a flag).
    pub fn in_policy(&self) -> bool {
        matches!(
            self,
            ModelError::BadRegex { .. } | ModelError::BadRule { .. }
        )
    }
}
