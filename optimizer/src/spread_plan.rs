//! The `spread` goal alone: repair every partition that breaks its rule, moving the fewest
//! replicas, and report the goal before and after.

use kplace_placement::check::check;
use kplace_placement::feasibility::Infeasibility;
use kplace_placement::model::{ClusterModel, PartitionIdx};
use kplace_placement::repair::repair;

use crate::plan::{GoalOutcome, GoalState, Plan, PlanInputs};

/// How many example violations a goal state carries.
const EXAMPLES: usize = 5;

/// Plans the spread goal only. Fails with the rules that cannot be met.
pub fn plan_spread(
    model: &ClusterModel,
    inputs: PlanInputs,
) -> Result<Plan, Vec<(Infeasibility, Vec<PartitionIdx>)>> {
    let before = model.current.clone();
    let outcome = repair(model, &before);
    if !outcome.infeasible.is_empty() {
        return Err(outcome.infeasible);
    }
    let mut after = before.clone();
    for (partition, replicas) in outcome.changes {
        after[partition as usize] = replicas;
    }
    let goal = GoalOutcome {
        name: "spread".to_string(),
        hard: true,
        before: spread_state(model, &before),
        after: spread_state(model, &after),
    };
    Ok(Plan::build(model, inputs, &before, &after, vec![goal]))
}

/// The spread goal's state under an assignment: violating partitions, a few examples.
pub fn spread_state(model: &ClusterModel, assignment: &[Vec<u32>]) -> GoalState {
    let violations = check(model, assignment);
    let mut partitions: Vec<PartitionIdx> = violations.iter().map(|v| v.partition).collect();
    partitions.dedup();
    let examples = violations
        .iter()
        .take(EXAMPLES)
        .map(|v| {
            let report = v.report(model);
            format!("{}-{}: {}", report.topic, report.partition, report.message)
        })
        .collect();
    GoalState {
        satisfied: violations.is_empty(),
        score: violations.len() as f64,
        violations: partitions.len() as u64,
        examples,
    }
}
