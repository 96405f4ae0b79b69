//! Goals written outside kplace, registered by value in a [`PlanRequest`] with a priority
//! position and hard or soft.
//!
//! A user's goal is any type that implements [`Goal`] (and `Clone`: every plan builds fresh goals,
//! since [`Goal::prepare`] may change them). [`PlanRequest::with_goal`] registers it;
//! [`PlanRequest::build_goals`] inserts it among the built-in goals at its [`GoalPosition`], and
//! [`make_plan`](crate::make_plan) runs it like any other: it optimises in its turn and vetoes
//! actions of every goal after it.
//!
//! [`PlanRequest`]: crate::PlanRequest
//! [`PlanRequest::with_goal`]: crate::PlanRequest::with_goal
//! [`PlanRequest::build_goals`]: crate::PlanRequest::build_goals

use std::fmt;
use std::sync::Arc;

use crate::goals::{Goal, GoalRun, DEFAULT_GOALS};
use crate::hard_failure::HardGoalFailure;
use crate::limits::Limits;
use crate::plan::GoalState;
use crate::state::{ClusterState, Proposal};

/// Where a registered goal runs in the priority order. Goals earlier in the order are met first
/// and veto every action of the goals after them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum GoalPosition {
    /// Before every other goal (it then vetoes even the spread repair's actions).
    First,
    /// Right before the goal of this name (a built-in name such as `capacity`, or a goal
    /// registered earlier).
    Before(String),
    /// Right after the goal of this name.
    After(String),
    /// After every other goal (it judges no one's actions but its own).
    Last,
}

/// Whether a registered goal must hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strength {
    /// The plan fails with the goal's [`Goal::failure`] when the goal still does not hold after
    /// its turn.
    Hard,
    /// Best effort: the goal improves what it can, and under limits that keep soft goals from
    /// copying data it may only reorder or move within copies.
    Soft,
}

/// Makes a fresh copy of a registered goal for each plan.
type Prototype = Arc<dyn Fn() -> Box<dyn Goal> + Send + Sync>;

/// A goal registered in a plan request.
#[derive(Clone)]
pub(crate) struct CustomGoal {
    pub(crate) name: String,
    pub(crate) position: GoalPosition,
    pub(crate) strength: Strength,
    prototype: Prototype,
}

impl CustomGoal {
    pub(crate) fn new<G: Goal + Clone + 'static>(
        goal: G,
        position: GoalPosition,
        strength: Strength,
    ) -> Self {
        CustomGoal {
            name: goal.name().to_string(),
            position,
            strength,
            prototype: Arc::new(move || Box::new(goal.clone())),
        }
    }

    /// A fresh instance, hard or soft as registered.
    fn build(&self) -> Box<dyn Goal> {
        Box::new(Registered {
            inner: (self.prototype)(),
            hard: self.strength == Strength::Hard,
        })
    }
}

impl fmt::Debug for CustomGoal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CustomGoal")
            .field("name", &self.name)
            .field("position", &self.position)
            .field("strength", &self.strength)
            .finish_non_exhaustive()
    }
}

/// Why a registered goal cannot be placed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegistrationError {
    /// Two goals of the same name: the plan's goal table could not tell them apart.
    #[error("goal '{name}' is registered twice or shares its name with a built-in goal")]
    DuplicateName {
        /// The registered goal's name.
        name: String,
    },
    /// [`GoalPosition::Before`] or [`GoalPosition::After`] names no goal of the list.
    #[error("goal '{goal}' is placed relative to '{anchor}', which is not in the goal list")]
    UnknownAnchor {
        /// The registered goal's name.
        goal: String,
        /// The name its position refers to.
        anchor: String,
    },
}

/// Inserts `custom`, in registration order, into `goals` (the built-in goals, already ordered).
pub(crate) fn insert(
    goals: &mut Vec<Box<dyn Goal>>,
    custom: &[CustomGoal],
) -> Result<(), RegistrationError> {
    for registered in custom {
        let name = &registered.name;
        if DEFAULT_GOALS.contains(&name.as_str())
            || name == "demote"
            || goals.iter().any(|g| g.name() == name)
        {
            return Err(RegistrationError::DuplicateName { name: name.clone() });
        }
        let anchor = |anchor: &String| {
            goals
                .iter()
                .position(|g| g.name() == anchor)
                .ok_or_else(|| RegistrationError::UnknownAnchor {
                    goal: name.clone(),
                    anchor: anchor.clone(),
                })
        };
        let at = match &registered.position {
            GoalPosition::First => 0,
            GoalPosition::Before(other) => anchor(other)?,
            GoalPosition::After(other) => anchor(other)? + 1,
            GoalPosition::Last => goals.len(),
        };
        goals.insert(at, registered.build());
    }
    Ok(())
}

/// A registered goal, hard or soft as its registration says (whatever its own [`Goal::hard`]).
struct Registered {
    inner: Box<dyn Goal>,
    hard: bool,
}

impl Goal for Registered {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn hard(&self) -> bool {
        self.hard
    }

    fn prepare(&mut self, state: &ClusterState<'_>, limits: &Limits) {
        self.inner.prepare(state, limits);
    }

    fn state(&self, state: &ClusterState<'_>) -> GoalState {
        self.inner.state(state)
    }

    fn optimize(&self, run: &mut GoalRun<'_, '_>) -> Result<(), HardGoalFailure> {
        match self.inner.optimize(run) {
            Err(failure) if !self.hard => {
                // A soft goal is best effort: what it could not do is no reason to fail the plan.
                tracing::debug!(goal = self.name(), failure = %failure, "soft goal gave up");
                Ok(())
            }
            result => result,
        }
    }

    fn accepts(&self, proposal: &Proposal, state: &ClusterState<'_>) -> bool {
        self.inner.accepts(proposal, state)
    }

    fn failure(&self, state: &ClusterState<'_>) -> HardGoalFailure {
        self.inner.failure(state)
    }
}
