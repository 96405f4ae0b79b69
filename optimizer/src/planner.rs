//! From an operator's request (goal names, thresholds, operation) to a [`Plan`].
//!
//! ```
//! use kplace_optimizer::planner::{make_plan, PlanRequest};
//! use kplace_placement::model::{ClusterModel, ModelOptions};
//! use kplace_placement::parse::{parse_policy, parse_snapshot};
//!
//! let snapshot = parse_snapshot(include_bytes!("../../fixtures/rack-aware/snapshot.json"), "snapshot").unwrap();
//! let policy = parse_policy(include_str!("../../fixtures/rack-aware/policy.yaml"), "policy").unwrap();
//! let model = ClusterModel::build(&snapshot, &policy, &ModelOptions::default()).unwrap();
//! let plan = make_plan(&model, &PlanRequest::default()).unwrap();
//! assert!(plan.goals.iter().filter(|g| g.hard).all(|g| g.after.satisfied));
//! ```

use kplace_placement::model::ClusterModel;

use crate::config::GoalConfig;
use crate::engine::optimize_observed;
use crate::exact::{solve_exact, ExactError};
use crate::goals::demote::DemoteGoal;
use crate::goals::{goals_by_name, Goal, UnknownGoal, DEFAULT_GOALS};
use crate::hard_failure::HardGoalFailure;
use crate::limits::{Limits, LimitsError, Operation};
use crate::plan::{Plan, PlanInputs};

/// What to plan.
#[derive(Debug, Clone, Default)]
pub struct PlanRequest {
    /// Goal names in priority order; empty: [`DEFAULT_GOALS`].
    pub goals: Vec<String>,
    /// Thresholds.
    pub config: GoalConfig,
    /// Scale-out, demotion, excluded topics.
    pub operation: Operation,
    /// The inputs recorded in the plan.
    pub inputs: PlanInputs,
    /// Start from the exact (MILP) placement instead of the current one ([`crate::exact`]).
    pub exact: bool,
}

/// Why no plan was made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlanError {
    /// A goal name is unknown.
    #[error(transparent)]
    UnknownGoal(#[from] UnknownGoal),
    /// The operation names unknown brokers or a bad pattern.
    #[error(transparent)]
    Limits(#[from] LimitsError),
    /// Exact mode failed.
    #[error(transparent)]
    Exact(#[from] ExactError),
    /// A hard goal cannot be met.
    #[error("hard goal '{}' cannot be met", .0.goal())]
    HardGoal(HardGoalFailure),
}

impl PlanRequest {
    /// The goal names to run: the requested ones, else the defaults.
    pub fn goal_names(&self) -> Vec<String> {
        if self.goals.is_empty() {
            DEFAULT_GOALS.iter().map(|g| g.to_string()).collect()
        } else {
            self.goals.clone()
        }
    }

    /// The goals to run, with `demote` after the hard goals when brokers are demoted.
    pub fn build_goals(&self) -> Result<Vec<Box<dyn Goal>>, UnknownGoal> {
        let mut goals = goals_by_name(&self.goal_names(), &self.config)?;
        if !self.operation.demote_brokers.is_empty() {
            let at = goals.iter().position(|g| !g.hard()).unwrap_or(goals.len());
            goals.insert(at, Box::new(DemoteGoal::default()));
        }
        Ok(goals)
    }
}

/// Plans `request` over `model`.
pub fn make_plan(model: &ClusterModel, request: &PlanRequest) -> Result<Plan, PlanError> {
    let goals = request.build_goals()?;
    let limits = Limits::resolve(model, &request.operation)?;
    let start = if request.exact {
        solve_exact(model, &limits, &request.config)?.assignment
    } else {
        model.current.clone()
    };
    let optimized = optimize_observed(model, start, goals, &limits, &mut |_, _, _| {})
        .map_err(PlanError::HardGoal)?;
    Ok(Plan::build(
        model,
        request.inputs.clone(),
        &model.current,
        &optimized.assignment,
        optimized.goals,
    ))
}
