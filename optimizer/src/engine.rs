//! The engine: runs goals in priority order over one evolving state. Each goal optimises in turn;
//! an action is applied only when every goal that already ran accepts it (Cruise Control's rule),
//! so hard goals met early stay met. A hard goal still violated after its turn stops the run with
//! its typed explanation.

use std::time::Instant;

use kplace_placement::model::{Assignment, ClusterModel};

use crate::goals::{Goal, GoalRun};
use crate::hard_failure::HardGoalFailure;
use crate::limits::Limits;
use crate::plan::{GoalCost, GoalOutcome, GoalState};
use crate::skipped::Skipped;
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
    evaluate_all(model, assignment, goals, limits)
        .into_iter()
        .map(|e| (e.name, e.hard, e.state))
        .collect()
}

/// One goal evaluated on an assignment.
#[derive(Debug, Clone)]
pub struct Evaluation {
    /// The goal's name.
    pub name: String,
    /// Whether it is hard.
    pub hard: bool,
    /// Its state.
    pub state: GoalState,
    /// What it could not check for lack of data ([`Goal::skipped`]).
    pub skipped: Option<Skipped>,
}

/// Like [`evaluate`], with what each goal could not check for lack of data.
pub fn evaluate_all(
    model: &ClusterModel,
    assignment: Assignment,
    goals: &mut [Box<dyn Goal>],
    limits: &Limits,
) -> Vec<Evaluation> {
    let state = ClusterState::new(model, assignment);
    goals
        .iter_mut()
        .map(|goal| {
            goal.prepare(&state, limits);
            Evaluation {
                name: goal.name().to_string(),
                hard: goal.hard(),
                state: goal.state(&state),
                skipped: goal.skipped(&state),
            }
        })
        .collect()
}

/// Full passes over the goal list at most: a pass that applies nothing ends the run, so a plan
/// made from a plan's result is empty (plans are idempotent) unless this limit was hit.
pub const MAX_PASSES: usize = 4;

/// Called after each goal's turn with the goal's index, the state, and every goal (prepared).
pub type Observer<'o> = dyn FnMut(usize, &ClusterState<'_>, &[Box<dyn Goal>]) + 'o;

/// Runs `goals` in order from the model's current assignment.
pub fn optimize(
    model: &ClusterModel,
    goals: Vec<Box<dyn Goal>>,
    limits: &Limits,
) -> Result<Optimized, HardGoalFailure> {
    optimize_observed(
        model,
        model.current().clone(),
        goals,
        limits,
        &mut |_, _, _| {},
    )
}

/// Like [`optimize`], starting from `start` (e.g. an exact placement) instead of the current
/// assignment, and calling `observe` after every goal's turn (tests use it to check that no goal
/// makes an earlier one worse). Goal states "before" are always those of the current assignment.
///
/// Goals run in priority order; the whole list runs again while a pass still changes something
/// (at most [`MAX_PASSES`]), since a goal's moves can open room for an earlier goal. Every action
/// is still accepted by every goal of higher priority than the one proposing it.
pub fn optimize_observed(
    model: &ClusterModel,
    start: Assignment,
    mut goals: Vec<Box<dyn Goal>>,
    limits: &Limits,
    observe: &mut Observer<'_>,
) -> Result<Optimized, HardGoalFailure> {
    let before: Vec<GoalState> = evaluate(model, model.current().clone(), &mut goals, limits)
        .into_iter()
        .map(|(_, _, s)| s)
        .collect();
    let mut state = ClusterState::new(model, start);
    let mut costs = vec![GoalCost::default(); goals.len()];
    for pass in 0..MAX_PASSES {
        let mut applied = 0;
        for (index, cost) in costs.iter_mut().enumerate() {
            let (earlier, rest) = goals.split_at_mut(index);
            let goal = &mut rest[0];
            let started = Instant::now();
            let copies = state.copies();
            goal.prepare(&state, limits);
            let mut run = GoalRun::new(&mut state, limits, earlier).for_goal(goal.hard());
            goal.optimize(&mut run)?;
            let turn = run.applied();
            applied += turn;
            cost.add(GoalCost::between(copies, state.copies()));
            tracing::debug!(
                goal = goal.name(),
                pass,
                applied = turn,
                ms = started.elapsed().as_millis() as u64,
                "goal turn"
            );
            if goal.hard() && !goal.guard() && !goal.state(&state).satisfied {
                return Err(goal.failure(&state));
            }
            observe(index, &state, &goals);
        }
        if applied == 0 {
            break;
        }
    }
    let assignment = state.into_assignment();
    let guards: Vec<bool> = goals.iter().map(|g| g.guard()).collect();
    let after = evaluate_all(model, assignment.clone(), &mut goals, limits);
    let goals = after
        .into_iter()
        .zip(before)
        .zip(guards)
        .zip(costs)
        .map(|(((after, before), guard), cost)| GoalOutcome {
            name: after.name,
            hard: after.hard,
            guard,
            before,
            after: after.state,
            cost,
            bound: None,
            skipped: after.skipped,
        })
        .collect();
    Ok(Optimized { assignment, goals })
}
