//! The engine: runs goals in priority order over one evolving state. Each goal optimises in turn;
//! an action is applied only when every goal that already ran accepts it (Cruise Control's rule),
//! so hard goals met early stay met. A hard goal still violated after its turn stops the run with
//! its typed explanation.

use kplace_placement::model::{Assignment, ClusterModel};

use crate::goals::{Goal, GoalRun};
use crate::hard_failure::HardGoalFailure;
use crate::limits::Limits;
use crate::plan::{GoalOutcome, GoalState};
use crate::state::ClusterState;

/// The result of a run: the new replica lists and each goal's outcome.
#[derive(Debug, Clone)]
pub struct Optimized {
    /// Replica lists after the run, indexed like the model's partitions.
    pub assignment: Assignment,
    /// Per goal, in priority order: its state before and after.
    pub goals: Vec<GoalOutcome>,
}

/// Each goal's state for an assignment, in order (as `kplace check` reports them).
pub fn evaluate(
    model: &ClusterModel,
    assignment: Assignment,
    goals: &mut [Box<dyn Goal>],
    limits: &Limits,
) -> Vec<(String, bool, GoalState)> {
    let state = ClusterState::new(model, assignment);
    goals
        .iter_mut()
        .map(|goal| {
            goal.prepare(&state, limits);
            (goal.name().to_string(), goal.hard(), goal.state(&state))
        })
        .collect()
}

/// Runs `goals` in order from the model's current assignment.
pub fn optimize(
    model: &ClusterModel,
    mut goals: Vec<Box<dyn Goal>>,
    limits: &Limits,
) -> Result<Optimized, HardGoalFailure> {
    let before: Vec<GoalState> = evaluate(model, model.current.clone(), &mut goals, limits)
        .into_iter()
        .map(|(_, _, s)| s)
        .collect();
    let mut state = ClusterState::new(model, model.current.clone());
    for index in 0..goals.len() {
        let (earlier, rest) = goals.split_at_mut(index);
        let goal = &mut rest[0];
        goal.prepare(&state, limits);
        let mut run = GoalRun::new(&mut state, limits, earlier);
        goal.optimize(&mut run)?;
        if goal.hard() && !goal.state(&state).satisfied {
            return Err(goal.failure(&state));
        }
    }
    let assignment = state.into_assignment();
    let after = evaluate(model, assignment.clone(), &mut goals, limits);
    let goals = after
        .into_iter()
        .zip(before)
        .map(|((name, hard, after), before)| GoalOutcome {
            name,
            hard,
            before,
            after,
        })
        .collect();
    Ok(Optimized { assignment, goals })
}
