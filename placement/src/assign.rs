//! Fresh assignment for a new topic or new partitions of an existing topic.
//!
//! Every partition meets its rule; replicas and leaders per broker come out as even as possible,
//! counting what brokers already carry; the result is deterministic. Where Kafka's own placers
//! promise something (each partition spans min(RF, racks) racks; equal replicas and leaders per
//! broker when racks are even) kplace promises at least that: unless the rule already constrains
//! `rack`, it places under the rule tightened with `rack: even` whenever that is feasible, which
//! also keeps per-rack counts within one when RF exceeds the number of racks. Leaders are then
//! chosen for all new partitions together (see [`crate::leader_balance`]).

use crate::broker_load::BrokerLoad;
use crate::candidate_queues::{record_move, CandidateQueues};
use crate::cells::CellSpace;
use crate::feasibility::Infeasibility;
use crate::internal_topics::is_internal;
use crate::labels::RACK_LABEL;
use crate::leader_balance::balance_leaders;
use crate::model::{ClusterModel, Replicas};
use crate::place::{place_partition, PlacementRequest};
use crate::rules::SpreadBound;
use crate::snapshot_check::topic_name_problem;
use crate::solver::{PlacementSolver, SpaceId};
use crate::topic_regex::names_explicitly;

/// What to assign: [`AssignRequest::new`], then the `with_*` methods for the rest.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AssignRequest {
    /// Topic name (new, or existing to add partitions).
    pub topic: String,
    /// Partition count the topic should have afterwards.
    pub partitions: u32,
    /// Replication factor; default: the rule's, else the existing topic's.
    pub replication_factor: Option<u32>,
    /// Whether new partitions of an existing topic may get a replication factor other than the
    /// topic's (refused otherwise: a different one is almost always a mistake).
    pub allow_replication_factor_change: bool,
}

impl AssignRequest {
    /// `partitions` partitions in all for `topic` (new, or existing to add partitions), with the
    /// rule's (else the topic's) replication factor.
    pub fn new(topic: impl Into<String>, partitions: u32) -> Self {
        AssignRequest {
            topic: topic.into(),
            partitions,
            replication_factor: None,
            allow_replication_factor_change: false,
        }
    }

    /// Asks for this replication factor (`None`: the rule's, else the existing topic's).
    pub fn with_replication_factor(mut self, replication_factor: Option<u32>) -> Self {
        self.replication_factor = replication_factor;
        self
    }

    /// Whether new partitions of an existing topic may get another replication factor.
    pub fn with_replication_factor_change(mut self, allow: bool) -> Self {
        self.allow_replication_factor_change = allow;
        self
    }
}

/// The new partitions' replica lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPartitions {
    /// Topic name.
    pub topic: String,
    /// Number of the first new partition.
    pub first_partition: i32,
    /// Replica lists of partitions `first_partition..`, preferred leader first.
    pub replicas: Vec<Replicas>,
}

/// Why an assignment cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AssignError {
    /// No replication factor was given and none can be derived.
    #[error("topic '{0}' is new and its rule sets no replication_factor: give one")]
    NoReplicationFactor(String),
    /// The replication factor given contradicts the rule's.
    #[error("{rule} requires replication factor {wanted}, {given} was asked for")]
    ConflictingReplicationFactor {
        /// The rule.
        rule: String,
        /// The rule's replication factor.
        wanted: u32,
        /// The one asked for.
        given: u32,
    },
    /// The topic already has at least that many partitions.
    #[error("topic '{topic}' already has {existing} partitions; ask for more than that")]
    NotMorePartitions {
        /// Topic name.
        topic: String,
        /// Its partition count now.
        existing: u32,
    },
    /// The topic name is not a legal Kafka topic name.
    #[error("--topic: {0}")]
    BadTopicName(String),
    /// New partitions of an existing topic would get another replication factor.
    #[error("topic '{topic}' has replication factor {existing}, but {source_name} asks for {asked}; keep the topic's, or allow the change explicitly")]
    ReplicationFactorChange {
        /// Topic name.
        topic: String,
        /// The topic's replication factor.
        existing: u32,
        /// The one the new partitions would get.
        asked: u32,
        /// Where it comes from: `--replication-factor` or the rule.
        source_name: String,
    },
    /// A replication factor of 0 was asked for.
    #[error("replication factor must be at least 1")]
    ZeroReplicationFactor,
    /// The rule cannot be met; the explanation renders itself with names.
    #[error(transparent)]
    Infeasible(Infeasibility),
}

/// Assigns replicas to the new partitions of `request.topic`.
pub fn assign(model: &ClusterModel, request: &AssignRequest) -> Result<NewPartitions, AssignError> {
    if let Some(problem) = topic_name_problem(&request.topic) {
        return Err(AssignError::BadTopicName(problem));
    }
    let rule = &model.rules[model.rule_for_topic_name(&request.topic) as usize];
    let existing = model
        .topic(&request.topic)
        .map(|t| &model.topics[t as usize]);
    let existing_count = existing.map_or(0, |t| t.partitions.len() as u32);
    if existing_count > 0 && request.partitions <= existing_count {
        return Err(AssignError::NotMorePartitions {
            topic: request.topic.clone(),
            existing: existing_count,
        });
    }
    let existing_rf = existing
        .and_then(|t| t.partitions.first())
        .map(|&p| model.current[p as usize].len() as u32);
    let rule_rf = match model.topic(&request.topic) {
        Some(topic) => model.rule_replication_factor(topic),
        None if is_internal(&request.topic, false)
            && !names_explicitly(&rule.topics, &request.topic) =>
        {
            None
        }
        None => rule.replication_factor,
    };
    let r = match (request.replication_factor, rule_rf) {
        (Some(given), Some(wanted)) if given != wanted => {
            return Err(AssignError::ConflictingReplicationFactor {
                rule: rule.describe(),
                wanted,
                given,
            })
        }
        (Some(r), _) | (None, Some(r)) => r,
        (None, None) => {
            existing_rf.ok_or_else(|| AssignError::NoReplicationFactor(request.topic.clone()))?
        }
    };
    if r == 0 {
        return Err(AssignError::ZeroReplicationFactor);
    }
    if let Some(existing) = existing_rf.filter(|&e| e != r) {
        if !request.allow_replication_factor_change {
            return Err(AssignError::ReplicationFactorChange {
                topic: request.topic.clone(),
                existing,
                asked: r,
                source_name: if request.replication_factor.is_some() {
                    "--replication-factor".to_string()
                } else {
                    rule.describe()
                },
            });
        }
    }
    let first_partition = existing
        .and_then(|t| {
            t.partitions
                .iter()
                .map(|&p| model.partitions[p as usize].number)
                .max()
        })
        .map_or(0, |max| max + 1);

    let mut solver = PlacementSolver::new(model);
    solver
        .feasibility(rule.index, r)
        .map_err(AssignError::Infeasible)?;
    let space = rack_tightened_space(&mut solver, rule.index, r).unwrap_or(rule.index);
    let mut load = BrokerLoad::of(model, &model.current);
    let mut queues = CandidateQueues::new();
    let count = request.partitions - existing_count;
    let mut replicas = Vec::with_capacity(count as usize);
    for index in 0..count {
        let rotation = first_partition as u32 + index;
        let request = PlacementRequest {
            space,
            replication_factor: r,
            current: &[],
            leader: None,
            rotation,
            balance_cells: true,
        };
        let placed = place_partition(&mut solver, request, &load, &mut queues)
            .map_err(AssignError::Infeasible)?;
        record_move(
            &mut load,
            &mut queues,
            (&[], None),
            (&placed, placed.first().copied()),
        );
        replicas.push(placed);
    }
    let existing_leaders = BrokerLoad::of(model, &model.current).leaders;
    balance_leaders(&mut replicas, &existing_leaders);
    Ok(NewPartitions {
        topic: request.topic.clone(),
        first_partition,
        replicas,
    })
}

/// The rule tightened with `rack: even`, when the rule does not constrain racks itself, every
/// broker it may use has a rack, and the tightened rule is still feasible.
fn rack_tightened_space(
    solver: &mut PlacementSolver<'_>,
    rule: SpaceId,
    r: u32,
) -> Option<SpaceId> {
    let model = solver.model();
    let rack = model.labels.label(RACK_LABEL)?;
    let base = solver.space(rule);
    let (rule, space) = &*base;
    if rule.spread.iter().any(|(label, _)| *label == rack) {
        return None;
    }
    let all_racked = space
        .cells
        .iter()
        .flat_map(|c| &c.brokers)
        .all(|&b| model.brokers[b as usize].rack.is_some());
    if !all_racked || space.cells.is_empty() {
        return None;
    }
    let mut tightened = rule.clone();
    tightened.spread.push((rack, SpreadBound::Even));
    let cells = CellSpace::build(&tightened, &model.brokers);
    let id = solver.add_space(tightened, cells);
    solver.feasibility(id, r).ok().map(|()| id)
}
