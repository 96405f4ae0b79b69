//! The plan file (PLAN.json): what kplace proposes, versioned, as plain serde data.
//!
//! It is the contract between `kplace plan` and `kplace apply` / `kplace report`, and what an
//! engineer reviews: per changed partition the old and new replicas, leaders and bytes to copy;
//! per goal its status and score before and after; per broker its load before and after; totals.
//! The README documents the schema. Readers accept fields they do not know ([`Plan::parse`]):
//! fields are only ever added.

mod check;
mod read;
mod staging;

pub use check::Current;
pub use read::PlanReadError;
pub use staging::Staging;

use std::collections::BTreeMap;

use kplace_placement::broker_load::leader_of;
use kplace_placement::model::{ClusterModel, PartitionIdx, Replicas};
use kplace_placement::snapshot::BrokerId;
use serde::{Deserialize, Serialize};

use crate::load_model::{broker_stats, bytes_to_move, BrokerStats};

/// The schema version written into every plan.
pub const PLAN_VERSION: u32 = 1;

/// A reassignment plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Schema version ([`PLAN_VERSION`]).
    pub version: u32,
    /// The kplace version that wrote it.
    pub kplace_version: String,
    /// What the plan was made from, so that a saved plan can be re-read with its snapshot alone.
    pub inputs: PlanInputs,
    /// Per goal, in priority order: status and score before and after.
    pub goals: Vec<GoalOutcome>,
    /// Partitions whose replica list changes.
    pub partitions: Vec<PartitionChange>,
    /// Every broker's load before and after.
    pub brokers: Vec<BrokerChange>,
    /// Sums over the changes.
    pub totals: Totals,
    /// What the operator should know about how the inputs were read: brokers kept free of
    /// replicas for their rack (`unmatched_brokers: ineligible`), internal topics that keep
    /// their replication factor.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The least any plan reaching the same goal states copies ([`crate::bounds`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bounds: Option<MoveBound>,
    /// How apply stages the moves, as the cluster stood when planned ([`Plan::with_stages`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staging: Option<Staging>,
    /// What the improvement phase did, when `--improve` ran ([`crate::improve`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub improvement: Option<crate::improve::Improvement>,
}

/// The inputs of a plan besides the snapshot.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PlanInputs {
    /// The policy the plan meets.
    pub policy: kplace_placement::policy::Policy,
    /// Brokers kept free of replicas (`--exclude-brokers`, `--remove-brokers`).
    #[serde(default)]
    pub excluded_brokers: Vec<BrokerId>,
}

impl PlanInputs {
    /// Inputs with this policy and no broker kept free.
    pub fn new(policy: kplace_placement::policy::Policy) -> PlanInputs {
        PlanInputs {
            policy,
            excluded_brokers: Vec::new(),
        }
    }

    /// Keeps these brokers free of replicas (`--exclude-brokers`, `--remove-brokers`).
    #[must_use]
    pub fn with_excluded_brokers(mut self, brokers: Vec<BrokerId>) -> PlanInputs {
        self.excluded_brokers = brokers;
        self
    }
}

/// A plan that does not fit the cluster it is applied to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PlanMismatch {
    /// The plan names a partition the snapshot lacks.
    #[error("plan: partition {0} is not in the snapshot")]
    UnknownPartition(String),
    /// The plan names a broker the snapshot lacks.
    #[error("plan: partition {partition} names broker {broker}, which is not in the snapshot")]
    UnknownBroker {
        /// `topic-partition`.
        partition: String,
        /// The broker id.
        broker: BrokerId,
    },
    /// The plan's version is not one this kplace reads.
    #[error("plan: version {0} is not supported (this kplace reads version {PLAN_VERSION})")]
    Version(u32),
    /// A partition appears twice.
    #[error("plan: partition {0} appears twice in partitions")]
    Duplicate(String),
    /// A partition would have no replica.
    #[error("plan: partition {0} has no new_replicas")]
    NoReplicas(String),
    /// A replica list names a broker twice.
    #[error("plan: partition {partition} names broker {broker} twice in {field}")]
    RepeatedBroker {
        /// `topic-partition`.
        partition: String,
        /// `old_replicas` or `new_replicas`.
        field: &'static str,
        /// The broker id.
        broker: BrokerId,
    },
    /// The new leader is not the preferred one.
    #[error(
        "plan: partition {partition} has new_leader {}, not the first of its new_replicas",
        .leader.map_or_else(|| "null".to_string(), |b| b.to_string())
    )]
    Leader {
        /// `topic-partition`.
        partition: String,
        /// The new leader given.
        leader: Option<BrokerId>,
    },
    /// A total is not the sum over the partitions.
    #[error("plan: totals.{field} is {stated}, but the partitions add up to {sum}")]
    Totals {
        /// The field of `totals`.
        field: &'static str,
        /// The value in the plan.
        stated: String,
        /// The sum over the partitions.
        sum: String,
    },
    /// The cluster changed since the plan was made.
    #[error("partition {partition} has replicas {now:?} now, but the plan was made for {planned_for:?}: make a new plan")]
    Stale {
        /// `topic-partition`.
        partition: String,
        /// Its replicas now.
        now: Vec<BrokerId>,
        /// The plan's `old_replicas`.
        planned_for: Vec<BrokerId>,
    },
}

/// One goal's state before and after the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoalOutcome {
    /// The goal's `--goals` name, e.g. `spread`.
    pub name: String,
    /// Hard goals must hold; soft goals are best effort.
    pub hard: bool,
    /// A hard goal `--goals` left out: it vetoed every action that would have made it worse,
    /// but proposed none (it need not hold, only not get worse).
    #[serde(default, skip_serializing_if = "is_false")]
    pub guard: bool,
    /// Before the plan.
    pub before: GoalState,
    /// After the plan.
    pub after: GoalState,
    /// What the goal's turns added to the plan.
    #[serde(default)]
    pub cost: GoalCost,
    /// The best value the hard goals allow, for soft goals with a computed bound
    /// ([`crate::bounds`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bound: Option<GoalBound>,
    /// What the goal could not check for lack of data (no capacities, no load); when it checked
    /// nothing, `satisfied` is no verdict ([`crate::skipped`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<crate::skipped::Skipped>,
}

/// How a bound was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BoundKind {
    /// The best value there is: the plan reaches a valid lower bound, so it cannot be beaten.
    Exact,
    /// A valid lower bound from a relaxation; the best value may be higher.
    Relaxed,
}

/// One soft goal's figure before and after the plan against the best the hard goals allow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoalBound {
    /// What is measured, e.g. `most replicas on one broker` (lower is better).
    pub metric: String,
    /// Before the plan.
    pub before: f64,
    /// After the plan.
    pub after: f64,
    /// No placement meeting the hard goals does better than this.
    pub bound: f64,
    /// Exact or relaxed.
    pub kind: BoundKind,
    /// Why the goal's band cannot be met, in one line, when the bound says it cannot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

/// What any plan reaching the plan's goal states must copy at least.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoveBound {
    /// Replica moves at least.
    pub replica_moves: u64,
    /// Bytes copied at least.
    pub bytes_to_move: u64,
}

/// What one goal's turns added to the plan, net: replicas created and bytes copied while it
/// optimised, minus the copies it undid (a goal that moves an earlier goal's new copy back to
/// where it was counts negative). Over all goals the costs sum to the plan's totals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoalCost {
    /// Net replicas created on brokers that did not hold them.
    pub replica_moves: i64,
    /// Net bytes those copies move.
    pub bytes_to_move: i64,
}

impl GoalCost {
    /// The cost of going from copies `(moves, bytes)` `before` to `after`.
    pub fn between(before: (u64, u64), after: (u64, u64)) -> GoalCost {
        GoalCost {
            replica_moves: after.0 as i64 - before.0 as i64,
            bytes_to_move: after.1 as i64 - before.1 as i64,
        }
    }

    /// Adds another turn's cost.
    pub fn add(&mut self, other: GoalCost) {
        self.replica_moves += other.replica_moves;
        self.bytes_to_move += other.bytes_to_move;
    }
}

fn is_false(value: &bool) -> bool {
    !*value
}

/// A goal's state at one moment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoalState {
    /// Whether the goal holds.
    pub satisfied: bool,
    /// How far from satisfied: 0 when satisfied, larger is worse (goal-specific unit).
    pub score: f64,
    /// Number of violations (partitions or brokers, goal-specific).
    pub violations: u64,
    /// A few human-readable examples of what is wrong.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<String>,
}

/// One partition's move.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionChange {
    /// Topic name.
    pub topic: String,
    /// Partition number.
    pub partition: i32,
    /// Replicas before (preferred leader first).
    pub old_replicas: Vec<BrokerId>,
    /// Replicas after (preferred leader first).
    pub new_replicas: Vec<BrokerId>,
    /// Leader before (`None` when offline).
    pub old_leader: Option<BrokerId>,
    /// Leader after the move and a preferred leader election.
    pub new_leader: Option<BrokerId>,
    /// Bytes copied: the partition's size once per newly added replica.
    pub bytes_to_move: u64,
    /// The replica lists apply submits one after another when the move takes more than one
    /// stage (the last is `new_replicas`); empty when one reassignment does it. Informational:
    /// apply derives each stage again from Kafka's state.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stages: Vec<Vec<BrokerId>>,
}

/// One broker's load before and after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BrokerChange {
    /// Broker id.
    pub id: BrokerId,
    /// `broker.rack`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rack: Option<String>,
    /// Every label of the broker (explicit, from the rack pattern, and `rack`).
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Whether it is up.
    pub alive: bool,
    /// Whether it may hold replicas (alive, not excluded or being removed).
    pub eligible: bool,
    /// Capacity, where the snapshot gives it.
    #[serde(default)]
    pub capacity: kplace_placement::snapshot::Capacity,
    /// Load before.
    pub before: BrokerStats,
    /// Load after.
    pub after: BrokerStats,
}

/// Sums over a plan.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Partitions whose replica list changes (including reorders).
    pub partitions_changed: u64,
    /// Replicas created on a broker that did not hold one.
    pub replica_moves: u64,
    /// Partitions whose leader changes.
    pub leader_moves: u64,
    /// Bytes copied.
    pub bytes_to_move: u64,
}

impl Plan {
    /// Builds a plan from the assignment before and after, with the goals' outcomes.
    pub fn build(
        model: &ClusterModel,
        inputs: PlanInputs,
        before: &[Replicas],
        after: &[Replicas],
        goals: Vec<GoalOutcome>,
    ) -> Plan {
        let mut partitions = Vec::new();
        let mut totals = Totals::default();
        for (index, (old, new)) in before.iter().zip(after).enumerate() {
            if old == new {
                continue;
            }
            let partition = index as PartitionIdx;
            let p = &model.partitions()[index];
            let id = |b: u32| model.brokers()[b as usize].id;
            let old_leader = leader_of(model, partition, old).map(id);
            let new_leader = new.first().copied().map(id);
            let bytes = bytes_to_move(model, partition, old, new);
            totals.partitions_changed += 1;
            totals.replica_moves += new.iter().filter(|b| !old.contains(b)).count() as u64;
            totals.leader_moves += u64::from(old_leader != new_leader);
            totals.bytes_to_move += bytes;
            partitions.push(PartitionChange {
                topic: model.topics()[p.topic as usize].name.clone(),
                partition: p.number,
                old_replicas: model.broker_ids(old),
                new_replicas: model.broker_ids(new),
                old_leader,
                new_leader,
                bytes_to_move: bytes,
                stages: Vec::new(),
            });
        }
        let stats_before = broker_stats(model, before);
        let stats_after = broker_stats(model, after);
        let brokers = model
            .brokers()
            .iter()
            .enumerate()
            .map(|(index, broker)| BrokerChange {
                id: broker.id,
                rack: broker.rack.clone(),
                labels: broker
                    .labels
                    .iter()
                    .enumerate()
                    .filter_map(|(label, value)| {
                        value.map(|v| {
                            let label = label as u32;
                            (
                                model.labels().label_name(label).to_string(),
                                model.labels().value_name(label, v).to_string(),
                            )
                        })
                    })
                    .collect(),
                alive: broker.alive,
                eligible: broker.eligible(),
                capacity: broker.capacity,
                before: stats_before[index],
                after: stats_after[index],
            })
            .collect();
        Plan {
            version: PLAN_VERSION,
            kplace_version: env!("CARGO_PKG_VERSION").to_string(),
            inputs,
            goals,
            partitions,
            brokers,
            totals,
            notes: model.notes(),
            bounds: None,
            staging: None,
            improvement: None,
        }
    }

    /// The assignment after the plan, applied to `model`'s current assignment.
    pub fn apply_to(&self, model: &ClusterModel) -> Result<Vec<Replicas>, PlanMismatch> {
        if self.version != PLAN_VERSION {
            return Err(PlanMismatch::Version(self.version));
        }
        let mut after = model.current().clone();
        for change in &self.partitions {
            let name = || format!("{}-{}", change.topic, change.partition);
            let partition = model
                .partition_index(&change.topic, change.partition)
                .ok_or_else(|| PlanMismatch::UnknownPartition(name()))?;
            after[partition as usize] = change
                .new_replicas
                .iter()
                .map(|&id| {
                    model.broker(id).ok_or_else(|| PlanMismatch::UnknownBroker {
                        partition: name(),
                        broker: id,
                    })
                })
                .collect::<Result<_, _>>()?;
        }
        Ok(after)
    }

    /// Kafka's reassignment JSON for the plan's changes.
    pub fn reassignment_file(&self) -> kplace_placement::reassignment::ReassignmentFile {
        kplace_placement::reassignment::ReassignmentFile::new(
            self.partitions
                .iter()
                .map(|change| kplace_placement::reassignment::ReassignmentEntry {
                    topic: change.topic.clone(),
                    partition: change.partition,
                    replicas: change.new_replicas.clone(),
                    log_dirs: None,
                })
                .collect(),
        )
    }
}
