//! Why a snapshot and policy could not be turned into a cluster model.

use crate::snapshot::BrokerId;

/// Bad input found while building a [`crate::model::ClusterModel`]. Each variant names its place.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
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
        /// `leader`, `isr` or `elr`.
        field: &'static str,
        /// The broker named.
        broker: BrokerId,
    },
    /// A snapshot value that parses but is not a valid Kafka value.
    #[error("{place}: {message}")]
    BadSnapshot {
        /// Field path, e.g. `partitions[3].replicas[1] (payments-0)`.
        place: String,
        /// What is wrong, with the value.
        message: String,
    },
    /// A replica names a broker id the snapshot's broker list lacks.
    #[error(
        "partitions: {partition} has a replica on broker {broker}, which is not in the broker list; \
         list it in brokers (with \"alive\": false if it is gone)"
    )]
    UnlistedBroker {
        /// `topic-partition` (the first that names it).
        partition: String,
        /// The broker id.
        broker: BrokerId,
    },
    /// A live broker's rack gives no full set of labels under `rack_pattern`.
    #[error(
        "brokers: broker {broker} has rack {rack} and rack_pattern '{pattern}' gives it no full \
         set of labels ({reason}); fix its rack or the pattern, or set \
         `unmatched_brokers: ineligible` in the policy to keep such brokers free of replicas"
    )]
    UnmatchedRack {
        /// The broker.
        broker: BrokerId,
        /// Its rack, quoted, or `(none)`.
        rack: String,
        /// The pattern.
        pattern: String,
        /// Why.
        reason: String,
    },
    /// An explicit broker label and the label `rack_pattern` (or `broker.rack`) gives differ.
    #[error(
        "brokers: broker {broker} has label {label}='{explicit}', but {origin} gives {label}='{derived}'; \
         one label cannot have two values"
    )]
    LabelConflict {
        /// The broker.
        broker: BrokerId,
        /// The label name.
        label: String,
        /// The explicit value.
        explicit: String,
        /// The value from the rack.
        derived: String,
        /// `rack_pattern` or `broker.rack`.
        origin: &'static str,
    },
    /// A regex in the policy does not compile.
    #[error("{place}: invalid regex '{pattern}':\n{message}")]
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

/// Which input a [`ModelError`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorSource {
    /// The snapshot (or a flag naming brokers).
    Snapshot,
    /// The policy.
    Policy,
    /// The two together: a broker's rack or labels as the policy reads them.
    Both,
}

impl ModelError {
    /// Which input the error is about, so that callers name the right file(s).
    pub fn source(&self) -> ErrorSource {
        match self {
            ModelError::BadRegex { .. } | ModelError::BadRule { .. } => ErrorSource::Policy,
            ModelError::UnmatchedRack { .. } | ModelError::LabelConflict { .. } => {
                ErrorSource::Both
            }
            _ => ErrorSource::Snapshot,
        }
    }
}
