//! kplace-placement: the pure core of kplace.
//!
//! No I/O, no async, no global state, no clock: the same inputs give the same output.
//!
//! Two contracts come in: a [`Snapshot`] of the cluster (brokers with their labels, partitions
//! with their replicas, sizes and loads) and a [`Policy`] (rules that say, per topic pattern, how
//! replicas spread over failure-domain labels such as zone, Kubernetes cluster and rack).
//! [`parse_snapshot`] and [`parse_policy`] read them with errors that name the file and field.
//! [`ClusterModel::build`] compiles the two into a model indexed by dense broker, topic and
//! partition indices ([`BrokerIdx`], [`TopicIdx`], [`PartitionIdx`]); everything else works on
//! the model:
//!
//! - [`check`]: every partition that breaks its rule, as [`Violation`]s that render themselves.
//! - [`repair`]: the minimal-movement repair of those partitions ([`RepairOutcome`]); a rule no
//!   placement can meet is an [`Infeasibility`] that says why (feasibility is decided by the
//!   same search).
//! - [`assign`]: replica lists for a new topic or new partitions ([`AssignRequest`]).
//!
//! ```
//! use kplace_placement::{check, parse_policy, parse_snapshot, repair, ClusterModel, ModelOptions};
//!
//! let snapshot = parse_snapshot(br#"{
//!   "brokers": [{"id": 1, "rack": "a"}, {"id": 2, "rack": "a"}, {"id": 3, "rack": "b"}],
//!   "partitions": [{"topic": "events", "partition": 0, "replicas": [1, 2]}]}"#, "snapshot.json")?;
//! let policy = parse_policy("rules: [{topics: '.*', spread: {rack: even}}]", "policy.yaml")?;
//! let model = ClusterModel::build(&snapshot, &policy, &ModelOptions::default())?;
//! assert!(!check(&model, model.current()).is_empty()); // both replicas in rack a
//! let outcome = repair(&model, model.current());
//! let mut after = model.current().clone();
//! for (partition, replicas) in outcome.changes {
//!     after[partition as usize] = replicas;
//! }
//! assert!(check(&model, &after).is_empty() && outcome.infeasible.is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Stability
//!
//! The items re-exported here are the crate's public API. The modules hidden from these docs
//! are the workspace's own internals (the other kplace crates, the CLI and benches use them);
//! they may change in any release.

pub use assign::{assign, AssignError, AssignRequest, NewPartitions};
pub use capacity_file::{parse_capacity_file, CapacityFile};
pub use check::{check, Violation, ViolationKind, ViolationReport};
pub use feasibility::{Infeasibility, InfeasibilityReport, InfeasibleReason};
pub use labels::{LabelIdx, LabelTable, ValueIdx, RACK_LABEL};
pub use model::{
    Assignment, Broker, BrokerIdx, ClusterModel, ModelOptions, Partition, PartitionIdx, Replicas,
    Topic, TopicIdx,
};
pub use model_error::{ErrorSource, ModelError};
pub use parse::{parse_json, parse_policy, parse_snapshot, ParseError};
pub use policy::{OnDomainOutage, Policy, RuleSpec, Spread, UnmatchedBrokers};
pub use reassignment::{ReassignmentEntry, ReassignmentFile};
pub use repair::{repair, RepairOutcome};
pub use snapshot::{
    BrokerId, BrokerSpec, Capacity, InFlightReassignment, Load, PartitionSpec, Snapshot, TopicSpec,
    NO_LEADER,
};
pub use snapshot_load::{LoadMethod, LoadSource, SampledRates};

#[doc(hidden)]
pub mod assign;
#[doc(hidden)]
pub mod bounds;
#[doc(hidden)]
pub mod broker_ids;
#[doc(hidden)]
pub mod broker_load;
#[doc(hidden)]
pub mod candidate_queues;
#[doc(hidden)]
pub mod capacity_file;
#[doc(hidden)]
pub mod capacity_source;
#[doc(hidden)]
pub mod cells;
#[doc(hidden)]
pub mod check;
#[doc(hidden)]
pub mod feasibility;
#[doc(hidden)]
pub mod in_sync;
#[doc(hidden)]
pub mod internal_topics;
#[doc(hidden)]
pub mod labels;
#[doc(hidden)]
pub mod leader_balance;
#[doc(hidden)]
pub mod model;
#[doc(hidden)]
pub mod model_error;
#[doc(hidden)]
pub mod nesting;
#[doc(hidden)]
pub mod parse;
#[doc(hidden)]
pub mod place;
#[doc(hidden)]
pub mod policy;
#[doc(hidden)]
pub mod policy_check;
#[doc(hidden)]
pub mod rack_pattern;
#[doc(hidden)]
pub mod reassignment;
#[doc(hidden)]
pub mod repair;
#[doc(hidden)]
pub mod rules;
#[doc(hidden)]
pub mod search;
#[doc(hidden)]
pub mod snapshot;
#[doc(hidden)]
pub mod snapshot_check;
#[doc(hidden)]
pub mod snapshot_load;
#[doc(hidden)]
pub mod solver;
#[doc(hidden)]
pub mod stages;
#[doc(hidden)]
pub mod topic_regex;
#[doc(hidden)]
pub mod unique_keys;
#[doc(hidden)]
pub mod urgency;
