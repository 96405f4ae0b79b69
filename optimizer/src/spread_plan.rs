//! The `spread` goal alone (`--goals spread`): repair every partition that breaks its rule,
//! moving the fewest replicas, and report the goal before and after. A thin wrapper over the goal
//! engine for callers that want the rules' typed infeasibility back.

use kplace_placement::feasibility::Infeasibility;
use kplace_placement::model::{ClusterModel, PartitionIdx};

use crate::hard_failure::HardGoalFailure;
use crate::plan::{Plan, PlanInputs};
use crate::planner::{make_plan, PlanError, PlanRequest};

/// Plans the spread goal only. Fails with the rules that cannot be met.
pub fn plan_spread(
    model: &ClusterModel,
    inputs: PlanInputs,
) -> Result<Plan, Vec<(Infeasibility, Vec<PartitionIdx>)>> {
    let request = PlanRequest {
        goals: vec!["spread".to_string()],
        inputs,
        ..PlanRequest::default()
    };
    match make_plan(model, &request) {
        Ok(plan) => Ok(plan),
        Err(PlanError::HardGoal(HardGoalFailure::Spread(groups))) => Err(groups),
        Err(other) => {
            unreachable!("the spread goal alone fails only with infeasible rules: {other}")
        }
    }
}
