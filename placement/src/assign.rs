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
use crate::labels::RACK_LABEL;
use crate::leader_balance::balance_leaders;
use crate::model::{ClusterModel, Replicas};
use crate::place::{place_partition, PlacementRequest};
use crate::rules::SpreadBound;
use crate::solver::{PlacementSolver, SpaceId};

/// What to assign.
#[derive(Debug, Clone)]
pub struct AssignRequest {
    /// Topic name (new, or existing to add partitions).
    pub topic: String,
    /// Partition count the topic should have afterwards.
    pub partitions: u32,
    /// Replication factor; default: the rule's, else the existing topic's.
    pub replication_factor: Option<u32>,
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
    /// A replication factor of 0 was asked for.
    #[error("replication factor must be at least 1")]
    ZeroReplicationFactor,
    /// The rule cannot be met (render with [`Infeasibility::report`] for names).
    #[error("rule {} cannot be met at replication factor {}", .0.rule + 1, .0.replication_factor)]
    Infeasible(Infeasibility),
}

/// Assigns replicas to the new partitions of `request.topic`.
pub fn assign(model: &ClusterModel, request: &AssignRequest) -> Result<NewPartitions, AssignError> {
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
    let r = match (request.replication_factor, rule.replication_factor) {
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
