//! From an operator's request (goal names, thresholds, operation) to a [`Plan`].
//!
//! ```
//! use kplace_optimizer::planner::{make_plan, PlanRequest};
//! use kplace_placement::model::{ClusterModel, ModelOptions};
//! use kplace_placement::parse::{parse_policy, parse_snapshot};
//!
//! // Six brokers in three racks; partition 1 has two replicas in rack a.
//! let snapshot = parse_snapshot(br#"{
//!   "brokers": [{"id": 1, "rack": "a"}, {"id": 2, "rack": "a"}, {"id": 3, "rack": "b"},
//!               {"id": 4, "rack": "b"}, {"id": 5, "rack": "c"}, {"id": 6, "rack": "c"}],
//!   "partitions": [
//!     {"topic": "events", "partition": 0, "replicas": [1, 3, 5], "size": 1000},
//!     {"topic": "events", "partition": 1, "replicas": [2, 1, 4], "size": 1000}]}"#, "snapshot.json").unwrap();
//! let policy = parse_policy("rules: [{topics: '.*', spread: {rack: even}}]", "policy.yaml").unwrap();
//! let model = ClusterModel::build(&snapshot, &policy, &ModelOptions::default()).unwrap();
//! let plan = make_plan(&model, &PlanRequest::default()).unwrap();
//! assert!(plan.goals.iter().filter(|g| g.hard).all(|g| g.after.satisfied));
//! // The repair moves exactly one replica of partition 1 out of rack a.
//! let moved = plan.partitions.iter().find(|p| p.partition == 1).unwrap();
//! assert_eq!(moved.old_replicas.iter().filter(|b| !moved.new_replicas.contains(b)).count(), 1);
//! ```

use kplace_placement::model::ClusterModel;

use crate::bounds::moves::move_bound;
use crate::bounds::operation::Kept;
use crate::bounds::BoundInputs;
use crate::config::{ConfigError, GoalConfig};
use crate::engine::{evaluate_all, optimize_observed, Optimized};
use crate::exact::{solve_exact, ExactError};
use crate::goals::custom::{self, CustomGoal, GoalPosition, RegistrationError, Strength};
use crate::goals::demote::DemoteGoal;
use crate::goals::guard::Guard;
use crate::goals::{goal_by_name, goals_by_name, Goal, UnknownGoal, DEFAULT_GOALS};
use crate::hard_failure::HardGoalFailure;
use crate::improve::{improve, Goalpost, Improvement};
use crate::limits::{Limits, LimitsError, Operation};
use crate::plan::{GoalOutcome, Plan, PlanInputs};
use crate::resource::Resource;

/// What to plan: built with [`PlanRequest::new`] (or `default()`) and the `with_*` methods, or by
/// setting the public fields of a default request. New fields may be added (the type is
/// `#[non_exhaustive]`), always with a default that keeps today's behaviour.
///
/// ```
/// use kplace_optimizer::{Operation, PlanRequest};
///
/// let mut operation = Operation::default();
/// operation.demote_brokers = vec![7];
/// let request = PlanRequest::new()
///     .with_goals(["spread", "replica-balance"])
///     .with_operation(operation);
/// assert_eq!(request.goal_names(), ["spread", "replica-balance"]);
/// ```
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
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
    /// Neighbourhoods the improvement phase may solve after the goals; 0: no improvement phase
    /// ([`crate::improve`]).
    pub improve: u32,
    /// Goals registered with [`PlanRequest::with_goal`], in registration order.
    pub(crate) custom: Vec<CustomGoal>,
}

/// Why no plan was made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// A threshold makes no sense.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A goal name is unknown.
    #[error(transparent)]
    UnknownGoal(#[from] UnknownGoal),
    /// The operation names unknown brokers or a bad pattern.
    #[error(transparent)]
    Limits(#[from] LimitsError),
    /// Exact mode failed.
    #[error(transparent)]
    Exact(#[from] ExactError),
    /// A registered goal has a taken name or names an unknown goal as its position.
    #[error(transparent)]
    Registration(#[from] RegistrationError),
    /// A hard goal cannot be met.
    #[error("hard goal '{}' cannot be met", .0.goal())]
    HardGoal(#[source] HardGoalFailure),
}

impl PlanRequest {
    /// The default request: the default goals and thresholds, no operation, current placement.
    pub fn new() -> Self {
        PlanRequest::default()
    }

    /// Runs these goals, in this priority order, instead of [`DEFAULT_GOALS`] (hard goals left
    /// out still veto as guards).
    pub fn with_goals<S: Into<String>>(mut self, goals: impl IntoIterator<Item = S>) -> Self {
        self.goals = goals.into_iter().map(Into::into).collect();
        self
    }

    /// Uses these thresholds.
    pub fn with_config(mut self, config: GoalConfig) -> Self {
        self.config = config;
        self
    }

    /// Plans this operation (scale-out, demotion, excluded topics).
    pub fn with_operation(mut self, operation: Operation) -> Self {
        self.operation = operation;
        self
    }

    /// Records these inputs in the plan.
    pub fn with_inputs(mut self, inputs: PlanInputs) -> Self {
        self.inputs = inputs;
        self
    }

    /// Starts from the exact (MILP) placement when `exact` is true.
    pub fn with_exact(mut self, exact: bool) -> Self {
        self.exact = exact;
        self
    }

    /// Runs the improvement phase with a budget of `neighbourhoods` ([`crate::improve`]).
    pub fn with_improve(mut self, neighbourhoods: u32) -> Self {
        self.improve = neighbourhoods;
        self
    }

    /// Registers a goal of the caller's own (see [`Goal`] for what it must guarantee): it runs
    /// beside the built-in goals at `position`, hard or soft as `strength` says, and appears in
    /// the plan's goal table under its [`Goal::name`]. Each plan starts from a fresh clone of
    /// `goal`. Goals are inserted in registration order, each position taken in the list built so
    /// far (so a goal may be placed relative to one registered before it).
    ///
    /// ```
    /// use kplace_optimizer::{ClusterState, Goal, GoalPosition, GoalRun, GoalState};
    /// use kplace_optimizer::{HardGoalFailure, PlanRequest, Proposal, Strength};
    ///
    /// /// A goal that holds whatever happens (a real one looks at the state).
    /// #[derive(Clone)]
    /// struct Content;
    ///
    /// impl Goal for Content {
    ///     fn name(&self) -> &str { "content" }
    ///     fn hard(&self) -> bool { false }
    ///     fn state(&self, _: &ClusterState<'_>) -> GoalState {
    ///         GoalState { satisfied: true, score: 0.0, violations: 0, examples: vec![] }
    ///     }
    ///     fn optimize(&self, _: &mut GoalRun<'_, '_>) -> Result<(), HardGoalFailure> { Ok(()) }
    ///     fn accepts(&self, _: &Proposal, _: &ClusterState<'_>) -> bool { true }
    /// }
    ///
    /// let at = GoalPosition::After("spread".into());
    /// let request = PlanRequest::new().with_goal(Content, at, Strength::Hard);
    /// let goals = request.build_goals()?;
    /// let names: Vec<&str> = goals.iter().map(|g| g.name()).collect();
    /// assert_eq!(names[..2], ["spread", "content"]);
    /// # Ok::<(), kplace_optimizer::PlanError>(())
    /// ```
    pub fn with_goal<G: Goal + Clone + 'static>(
        mut self,
        goal: G,
        position: GoalPosition,
        strength: Strength,
    ) -> Self {
        self.custom.push(CustomGoal::new(goal, position, strength));
        self
    }

    /// The goal names to run: the requested ones, else the defaults.
    pub fn goal_names(&self) -> Vec<String> {
        if self.goals.is_empty() {
            crate::goals::default_goal_names()
        } else {
            self.goals.clone()
        }
    }

    /// The goals to run, with `demote` after the hard goals when brokers are demoted. Hard goals
    /// the list leaves out come first as guards ([`Guard`]): they veto every action that would
    /// make them worse, as Cruise Control's hard goals do. Registered goals
    /// ([`PlanRequest::with_goal`]) are then inserted at their positions.
    pub fn build_goals(&self) -> Result<Vec<Box<dyn Goal>>, PlanError> {
        let names = self.goal_names();
        let mut goals = Vec::new();
        for name in DEFAULT_GOALS
            .iter()
            .filter(|n| !names.iter().any(|m| m == *n))
        {
            let goal = goal_by_name(name, &self.config)?;
            if goal.hard() {
                goals.push(Box::new(Guard(goal)) as Box<dyn Goal>);
            }
        }
        goals.extend(goals_by_name(&names, &self.config)?);
        if !self.operation.demote_brokers.is_empty() {
            let at = goals.iter().position(|g| !g.hard()).unwrap_or(goals.len());
            goals.insert(at, Box::new(DemoteGoal::default()));
        }
        custom::insert(&mut goals, &self.custom)?;
        Ok(goals)
    }
}

/// Plans `request` over `model`.
pub fn make_plan(model: &ClusterModel, request: &PlanRequest) -> Result<Plan, PlanError> {
    request.config.validate()?;
    let goals = request.build_goals()?;
    let limits = Limits::resolve(model, &request.operation)?;
    let start = if request.exact {
        solve_exact(model, &limits, &request.config)?.assignment
    } else {
        model.current().clone()
    };
    let mut optimized = optimize_observed(model, start, goals, &limits, &mut |_, _, _| {})
        .map_err(PlanError::HardGoal)?;
    let improvement = if request.improve > 0 {
        Some(improve_plan(model, request, &limits, &mut optimized)?)
    } else {
        None
    };
    let after = &optimized.assignment;
    let inputs = BoundInputs::new(
        model,
        model.current(),
        after,
        &request.config,
        &limits.demoted,
    )
    .with_kept(kept(model, &limits, &optimized));
    // A goal that checked nothing (no load data) has no figure worth bounding.
    let checked = |g: &GoalOutcome| !g.skipped.as_ref().is_some_and(|s| s.is_whole());
    for goal in optimized.goals.iter_mut().filter(|g| !g.hard && checked(g)) {
        goal.bound = inputs.goal(&goal.name);
    }
    let bounds = move_bound(
        model,
        model.current(),
        after,
        &optimized.goals,
        &request.config,
    );
    let mut plan = Plan::build(
        model,
        request.inputs.clone(),
        model.current(),
        after,
        optimized.goals,
    );
    plan.bounds = Some(bounds);
    plan.improvement = improvement;
    Ok(plan)
}

/// What the operation keeps in place, for the bounds: only where capacity and domain survival
/// held before the plan (else a hard goal may move anything).
fn kept(model: &ClusterModel, limits: &Limits, optimized: &Optimized) -> Kept {
    let held = |name: &str| {
        optimized
            .goals
            .iter()
            .find(|g| g.name == name)
            .is_none_or(|g| g.before.satisfied)
    };
    let hard_goals_hold = held("capacity") && held("domain-survival");
    Kept::of(model, model.current(), limits, hard_goals_hold)
}

/// Runs the improvement phase on the goals' result: every counting goal is a target, worked on
/// while above its bound. Updates the assignment, each goal's state after and its cost.
fn improve_plan(
    model: &ClusterModel,
    request: &PlanRequest,
    limits: &Limits,
    optimized: &mut Optimized,
) -> Result<Improvement, PlanError> {
    let inputs = BoundInputs::new(
        model,
        model.current(),
        &optimized.assignment,
        &request.config,
        &limits.demoted,
    )
    .with_kept(kept(model, limits, optimized));
    let goalposts: Vec<Goalpost> = optimized
        .goals
        .iter()
        .enumerate()
        .filter(|(_, g)| !g.hard)
        .filter_map(|(index, g)| {
            let resource = match g.name.as_str() {
                "replica-balance" => Resource::Replicas,
                "leader-balance" => Resource::Leaders,
                _ => return None,
            };
            // Every counting goal, even one at its bound now: working on an earlier one may
            // push it up again.
            let bound = inputs.goal(&g.name)?;
            Some(Goalpost {
                goal: index,
                resource,
                bound: bound.bound,
            })
        })
        .collect();
    let mut goals = request.build_goals()?;
    let (assignment, report, costs) = improve(
        model,
        limits,
        &mut goals,
        optimized.assignment.clone(),
        &goalposts,
        request.improve,
    )?;
    let after = evaluate_all(model, assignment.clone(), &mut goals, limits);
    for ((outcome, evaluation), cost) in optimized.goals.iter_mut().zip(after).zip(costs) {
        outcome.after = evaluation.state;
        outcome.skipped = evaluation.skipped;
        outcome.cost.add(cost);
    }
    optimized.assignment = assignment;
    Ok(report)
}
