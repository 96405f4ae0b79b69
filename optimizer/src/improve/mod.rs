//! The improvement phase (`--improve`): large-neighbourhood search after the greedy goals.
//!
//! Greedy goals stop once their bands hold, which can leave a counting goal (most replicas or
//! most leaders on one broker) above the best value the hard goals and the operation allow
//! ([`crate::bounds`]). This phase takes, step by step, a small neighbourhood around a broker at
//! the maximum (12 brokers: the worst, a taker and a giver in every other cell, the least
//! loaded; 2 more where an operation limits destinations, brokers replicas came from; a few hundred
//! of their partitions, the ones the plan moves already first: `neighbourhood.rs`), solves it
//! with HiGHS (`subproblem.rs`) under spread, domain survival, the operation's limits, every
//! goal's band and the other counting goals' bounds, and keeps the result only when the whole
//! plan is better in priority order: no goal before the target worse, and the target's maximum,
//! the brokers at it, or its load above the bound lower; ties broken by bytes copied. Builds
//! without HiGHS refuse it.
//!
//! The budget is work, not time: a number of neighbourhoods solved, and HiGHS is bounded by
//! branch-and-bound nodes, so the same input and budget give the same plan on every machine.
//! Targets take turns in priority order; one ends when it reaches its bound, or when [`STALL`](crate::improve::STALL)
//! steps in a row keep nothing.

mod neighbourhood;
mod subproblem;

use std::collections::HashSet;

use kplace_placement::model::{Assignment, BrokerIdx, ClusterModel, PartitionIdx};
use serde::{Deserialize, Serialize};

use crate::action::Action;
use crate::exact::ExactError;
use crate::goals::band::Band;
use crate::goals::Goal;
use crate::limits::Limits;
use crate::plan::GoalCost;
use crate::resource::Resource;
use crate::state::ClusterState;
use subproblem::Target;

/// Steps in a row that keep nothing before a target is given up.
pub const STALL: usize = 2 * neighbourhood::BROKERS;

/// Neighbourhoods one second of `--improve` stands for. Only a conversion: the budget is
/// counted in neighbourhoods, never timed. Measured on a 2-core machine (benches/README.md), one
/// neighbourhood takes 0.4 to 0.5 s on 100,000-partition stretch clusters and about 3 s on a
/// scale-out of the same cluster (whose neighbourhoods hold two brokers more), so one per second
/// keeps most runs within the duration asked for; a slow case may overrun it.
pub const NEIGHBOURHOODS_PER_SECOND: u32 = 1;

/// One goal the phase works on: its index in the goal list, its resource and its bound.
#[derive(Debug, Clone, Copy)]
pub struct Goalpost {
    /// The goal's index in priority order.
    pub goal: usize,
    /// The counting resource whose maximum it lowers.
    pub resource: Resource,
    /// The best maximum the hard goals allow.
    pub bound: f64,
}

/// What the improvement phase did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Improvement {
    /// Neighbourhoods it could solve.
    pub budget: u32,
    /// Neighbourhoods solved.
    pub solved: u32,
    /// Neighbourhoods whose solution was kept.
    pub kept: u32,
    /// What the kept solutions added to the plan (negative: saved).
    pub cost: GoalCost,
}

/// Improves `start` within `budget` neighbourhoods; returns the new assignment, the report, and
/// per goal what the phase's kept steps cost on its behalf.
pub fn improve(
    model: &ClusterModel,
    limits: &Limits,
    goals: &mut [Box<dyn Goal>],
    start: Assignment,
    goalposts: &[Goalpost],
    budget: u32,
) -> Result<(Assignment, Improvement, Vec<GoalCost>), ExactError> {
    if !cfg!(feature = "exact-highs") {
        return Err(ExactError::ImproveNeedsHighs);
    }
    let mut state = ClusterState::new(model, start);
    for goal in goals.iter_mut() {
        goal.prepare(&state, limits);
    }
    let goals: &[Box<dyn Goal>] = goals;
    let bands: Vec<&Band> = goals.iter().flat_map(|g| g.bands()).collect();
    let mut report = Improvement {
        budget,
        ..Improvement::default()
    };
    let mut costs = vec![GoalCost::default(); goals.len()];
    // Targets take turns of at most TURN steps each, in priority order, until the budget is
    // spent or every target is done: a later target is not starved by an earlier one, and one
    // that working on another pushes back up gets more turns.
    let mut progress: Vec<Progress> = goalposts.iter().map(|_| Progress::default()).collect();
    while report.solved < budget && progress.iter().any(|p| !p.done) {
        for (post, progress) in goalposts.iter().zip(progress.iter_mut()) {
            let end = budget.min(report.solved + TURN);
            while !progress.done && report.solved < end {
                let Some(step) =
                    step(&mut state, limits, goals, &bands, post, goalposts, progress)?
                else {
                    continue;
                };
                report.solved += 1;
                if let Some(cost) = step {
                    costs[post.goal].add(cost);
                    report.cost.add(cost);
                    report.kept += 1;
                }
            }
        }
    }
    tracing::info!(solved = report.solved, kept = report.kept, "improve: done");
    Ok((state.into_assignment(), report, costs))
}

/// Steps a target takes in one turn at most.
const TURN: u32 = 32;

/// Where one target stands.
#[derive(Default)]
struct Progress {
    /// Steps in a row that kept nothing.
    idle: usize,
    /// Steps taken, which picks the next neighbourhood.
    round: usize,
    /// Neighbourhoods tried since the last kept step.
    tried: HashSet<(Vec<BrokerIdx>, Vec<PartitionIdx>)>,
    /// At its bound, stalled, or nothing may move.
    done: bool,
}

/// One step on `post`: `Ok(None)` when no neighbourhood was solved (a repeat, or the target is
/// done), `Ok(Some(Some(cost)))` when the solution was kept and what it cost, `Ok(Some(None))`
/// when it was solved and dropped.
fn step(
    state: &mut ClusterState<'_>,
    limits: &Limits,
    goals: &[Box<dyn Goal>],
    bands: &[&Band],
    post: &Goalpost,
    goalposts: &[Goalpost],
    progress: &mut Progress,
) -> Result<Option<Option<GoalCost>>, ExactError> {
    let (max, _) = neighbourhood::maximum(state, post.resource);
    if max <= post.bound + 1e-9 || progress.idle >= STALL {
        progress.done = true;
        return Ok(None);
    }
    let hosted = state.hosted();
    let Some(hood) =
        neighbourhood::around_worst(state, limits, &hosted, post.resource, progress.round)
    else {
        progress.done = true;
        return Ok(None);
    };
    progress.round += 1;
    // A neighbourhood already tried since the last kept step would give the same answer.
    if !progress
        .tried
        .insert((hood.brokers.clone(), hood.partitions.clone()))
    {
        progress.idle += 1;
        return Ok(None);
    }
    let target = Target {
        resource: post.resource,
        max,
        level: post.bound,
        guarded: goalposts
            .iter()
            .filter(|other| other.resource != post.resource)
            .map(|other| (other.resource, other.bound))
            .collect(),
    };
    let Some(lists) = subproblem::solve(subproblem::Step {
        state,
        limits,
        bands,
        target: &target,
        hood: &hood,
    })?
    else {
        tracing::debug!(resource = ?post.resource, max, "improve: no answer");
        progress.idle += 1;
        return Ok(Some(None));
    };
    let before = key(goals, state, goalposts);
    let copies = state.copies();
    let changed = lists.len();
    let undo = apply(state, lists);
    let after = key(goals, state, goalposts);
    tracing::debug!(
        resource = ?post.resource,
        max,
        loads = ?hood.brokers.iter().map(|&b| (b, post.resource.of(&state.stats()[b as usize]))).collect::<Vec<_>>(),
        changed,
        first_difference = ?after.iter().zip(&before).position(|(a, b)| a != b),
        "improve: solved"
    );
    if less(&after, &before) {
        progress.idle = 0;
        progress.tried.clear();
        Ok(Some(Some(GoalCost::between(copies, state.copies()))))
    } else {
        apply(state, undo);
        progress.idle += 1;
        Ok(Some(None))
    }
}

/// Applies new replica lists; returns the lists they replaced.
fn apply(
    state: &mut ClusterState<'_>,
    lists: Vec<(u32, kplace_placement::model::Replicas)>,
) -> Vec<(u32, kplace_placement::model::Replicas)> {
    let mut undo = Vec::with_capacity(lists.len());
    for (partition, replicas) in lists {
        undo.push((partition, state.replicas(partition).to_vec()));
        let proposal = state.propose(Action::Reassign {
            partition,
            replicas,
        });
        state.apply(&proposal);
    }
    undo.reverse();
    undo
}

/// The plan's standing in priority order (lower is better): per goal whether it fails, its
/// violations and score, and for a goal the phase works on its maximum, the brokers at it and
/// the load above its bound summed over brokers;
/// then bytes and replicas copied.
fn key(goals: &[Box<dyn Goal>], state: &ClusterState<'_>, goalposts: &[Goalpost]) -> Vec<f64> {
    let mut key = Vec::with_capacity(goals.len() * 5 + 2);
    for (index, goal) in goals.iter().enumerate() {
        let s = goal.state(state);
        key.extend([
            f64::from(u8::from(!s.satisfied)),
            s.violations as f64,
            s.score,
        ]);
        for post in goalposts.iter().filter(|p| p.goal == index) {
            let (max, at) = neighbourhood::maximum(state, post.resource);
            key.extend([max, at.len() as f64, neighbourhood::excess(state, post)]);
        }
    }
    let (moves, bytes) = state.copies();
    key.extend([bytes as f64, moves as f64]);
    key
}

/// Whether `a` comes before `b` lexicographically, ignoring differences below rounding.
fn less(a: &[f64], b: &[f64]) -> bool {
    for (x, y) in a.iter().zip(b) {
        let tolerance = 1e-9 * x.abs().max(y.abs()).max(1.0);
        if x < &(y - tolerance) {
            return true;
        }
        if x > &(y + tolerance) {
            return false;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::less;

    #[test]
    fn standing_compares_in_priority_order() {
        assert!(less(&[0.0, 5.0], &[1.0, 0.0]));
        assert!(!less(&[1.0, 0.0], &[0.0, 5.0]));
        assert!(!less(&[1.0, 2.0], &[1.0, 2.0 + 1e-12]));
        assert!(less(&[1.0, 2.0], &[1.0, 3.0]));
    }
}
