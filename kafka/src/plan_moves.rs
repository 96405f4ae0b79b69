//! A plan's partition changes as the moves apply and cancel take.

use kplace_optimizer::plan::Plan;

use crate::reassignment_json::Move;

/// One move per partition the plan changes, in the plan's order, to its new replicas.
pub fn moves_of_plan(plan: &Plan) -> Vec<Move> {
    plan.partitions
        .iter()
        .map(|change| Move {
            topic: change.topic.clone(),
            partition: change.partition,
            target: change.new_replicas.clone(),
        })
        .collect()
}
