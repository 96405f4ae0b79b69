//! Minimal-movement repair: only partitions that break their rule change, and each moves the
//! fewest replicas possible (see [`crate::place`]).

use crate::broker_load::{leader_of, BrokerLoad};
use crate::candidate_queues::{record_move, CandidateQueues};
use crate::check::check;
use crate::feasibility::Infeasibility;
use crate::model::{ClusterModel, PartitionIdx, Replicas};
use crate::place::{place_partition, PlacementRequest};
use crate::solver::PlacementSolver;

/// What a repair changes, and what it could not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RepairOutcome {
    /// New replica lists of the partitions that change, ascending by partition.
    pub changes: Vec<(PartitionIdx, Replicas)>,
    /// Rules that cannot be met, with the partitions they left unrepaired.
    pub infeasible: Vec<(Infeasibility, Vec<PartitionIdx>)>,
}

/// Repairs every partition of `assignment` that breaks its rule.
pub fn repair(model: &ClusterModel, assignment: &[Replicas]) -> RepairOutcome {
    let mut broken: Vec<PartitionIdx> = check(model, assignment)
        .iter()
        .map(|violation| violation.partition)
        .collect();
    broken.dedup();
    let mut solver = PlacementSolver::new(model);
    let mut load = BrokerLoad::of(model, assignment);
    repair_partitions(&mut solver, assignment, &broken, &mut load)
}

/// Re-places the given partitions (ascending), updating `load` as it goes.
pub fn repair_partitions(
    solver: &mut PlacementSolver<'_>,
    assignment: &[Replicas],
    partitions: &[PartitionIdx],
    load: &mut BrokerLoad,
) -> RepairOutcome {
    let model = solver.model();
    let mut queues = CandidateQueues::new();
    let mut outcome = RepairOutcome::default();
    for &partition in partitions {
        let replicas = &assignment[partition as usize];
        let leader = leader_of(model, partition, replicas);
        let request = PlacementRequest {
            space: model.rule_of(partition).index,
            replication_factor: model.target_replication_factor(partition, replicas),
            current: replicas,
            leader,
            rotation: partition,
            balance_cells: false,
        };
        match place_partition(solver, request, load, &mut queues) {
            Ok(placed) if placed != *replicas => {
                record_move(
                    load,
                    &mut queues,
                    (replicas, leader),
                    (&placed, placed.first().copied()),
                );
                outcome.changes.push((partition, placed));
            }
            Ok(_) => {}
            Err(infeasibility) => match outcome
                .infeasible
                .iter_mut()
                .find(|(i, _)| *i == infeasibility)
            {
                Some((_, list)) => list.push(partition),
                None => outcome.infeasible.push((infeasibility, vec![partition])),
            },
        }
    }
    outcome
}
