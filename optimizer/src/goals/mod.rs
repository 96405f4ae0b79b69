//! The goals, one per file, behind one trait.
//!
//! A goal says whether a state satisfies it ([`Goal::state`]), improves the state by proposing
//! actions ([`Goal::optimize`]), and judges actions that later goals propose ([`Goal::accepts`]):
//! a goal accepts an action exactly when the action does not make it worse. The engine
//! ([`crate::engine`]) runs goals in priority order and applies an action only when every goal
//! that already ran accepts it, so a later goal never undoes an earlier one.

use kplace_placement::model::{BrokerIdx, PartitionIdx};

use crate::action::Action;
use crate::config::GoalConfig;
use crate::hard_failure::HardGoalFailure;
use crate::limits::Limits;
use crate::plan::GoalState;
use crate::resource::Resource;
use crate::state::{ClusterState, Proposal};

pub mod band;
pub mod capacity;
pub mod demote;
pub mod destinations;
pub mod domain_survival;
pub mod leader_preference;
pub mod rebalance;
pub mod spread;
pub mod swap;
pub mod topic_balance;

/// How many human-readable examples a goal state carries.
pub const EXAMPLES: usize = 5;

/// One optimisation concern.
pub trait Goal: Send + Sync {
    /// The `--goals` name, e.g. `replica-balance`.
    fn name(&self) -> &str;

    /// Hard goals must hold or the plan fails; soft goals are best effort.
    fn hard(&self) -> bool;

    /// Recomputes whatever the goal derives from the whole state (bounds, means). The engine calls
    /// it before asking for [`Goal::state`] and before [`Goal::optimize`].
    fn prepare(&mut self, _state: &ClusterState<'_>, _limits: &Limits) {}

    /// Whether `state` satisfies the goal, how far it is, and a few examples.
    fn state(&self, state: &ClusterState<'_>) -> GoalState;

    /// Improves the state through `run`, which applies only actions every earlier goal accepts.
    /// A hard goal that cannot be met returns why.
    fn optimize(&self, run: &mut GoalRun<'_, '_>) -> Result<(), HardGoalFailure>;

    /// Whether `proposal`, proposed by a later goal, leaves this goal no worse.
    fn accepts(&self, proposal: &Proposal, state: &ClusterState<'_>) -> bool;

    /// Why a hard goal still fails after optimising (called only when [`Goal::state`] says so).
    fn failure(&self, state: &ClusterState<'_>) -> HardGoalFailure {
        HardGoalFailure::Unmet {
            goal: self.name().to_string(),
            state: self.state(state),
        }
    }
}

/// One goal's turn: the state, the goals that ran before it, and the operation's limits.
pub struct GoalRun<'a, 'm> {
    /// The state being optimised.
    pub state: &'a mut ClusterState<'m>,
    /// The operation's limits.
    pub limits: &'a Limits,
    earlier: &'a [Box<dyn Goal>],
    applied: usize,
}

impl<'a, 'm> GoalRun<'a, 'm> {
    /// A turn after `earlier` goals.
    pub fn new(
        state: &'a mut ClusterState<'m>,
        limits: &'a Limits,
        earlier: &'a [Box<dyn Goal>],
    ) -> Self {
        GoalRun {
            state,
            limits,
            earlier,
            applied: 0,
        }
    }

    /// Applies `action` when the limits allow it, `own` (the proposing goal's check) accepts it,
    /// and every earlier goal accepts it. Returns whether it was applied.
    pub fn try_apply(
        &mut self,
        action: Action,
        own: impl Fn(&Proposal, &ClusterState<'_>) -> bool,
    ) -> bool {
        if !self.limits.allows(self.state.model(), &action) {
            return false;
        }
        self.apply_if_accepted(action, own)
    }

    /// Like [`GoalRun::try_apply`] without the operation's limits: for the spread goal's repairs,
    /// which must move even excluded topics off dead or removed brokers.
    pub fn apply_if_accepted(
        &mut self,
        action: Action,
        own: impl Fn(&Proposal, &ClusterState<'_>) -> bool,
    ) -> bool {
        let proposal = self.state.propose(action);
        if proposal.changes.iter().all(|c| c.old == c.new)
            || proposal.changes.iter().any(|c| has_duplicates(&c.new))
        {
            return false;
        }
        if !own(&proposal, self.state)
            || !self
                .earlier
                .iter()
                .all(|goal| goal.accepts(&proposal, self.state))
        {
            return false;
        }
        self.state.apply(&proposal);
        self.applied += 1;
        true
    }

    /// Hands leadership of `partition` to the replica among `candidates` that leads the fewest
    /// partitions and that every earlier goal lets lead. Returns whether leadership moved.
    pub fn lead_from_least_leading(
        &mut self,
        partition: PartitionIdx,
        mut candidates: Vec<BrokerIdx>,
    ) -> bool {
        candidates.sort_by_key(|&b| (self.state.stats()[b as usize].leaders, b));
        candidates
            .into_iter()
            .any(|leader| self.try_apply(Action::Lead { partition, leader }, |_, _| true))
    }

    /// Actions applied during this turn.
    pub fn applied(&self) -> usize {
        self.applied
    }
}

/// True when a replica list names a broker twice (a move onto a broker that already holds the
/// partition).
fn has_duplicates(replicas: &[BrokerIdx]) -> bool {
    replicas
        .iter()
        .enumerate()
        .any(|(i, b)| replicas[..i].contains(b))
}

/// Every goal name, in the default priority order.
pub const DEFAULT_GOALS: [&str; 11] = [
    "spread",
    "capacity",
    "domain-survival",
    "replica-balance",
    "disk-balance",
    "network-in-balance",
    "network-out-balance",
    "cpu-balance",
    "topic-balance",
    "leader-balance",
    "leader-preference",
];

/// An unknown `--goals` name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--goals: unknown goal '{name}' (known: {})", DEFAULT_GOALS.join(", "))]
pub struct UnknownGoal {
    /// The name given.
    pub name: String,
}

/// Builds the goal called `name`.
pub fn goal_by_name(name: &str, config: &GoalConfig) -> Result<Box<dyn Goal>, UnknownGoal> {
    let resource_balance = |resource| -> Box<dyn Goal> {
        Box::new(band::BandGoal::balance(
            resource,
            config.resource_balance_threshold,
        ))
    };
    Ok(match name {
        "spread" => Box::new(spread::SpreadGoal::default()),
        "capacity" => Box::new(capacity::CapacityGoal::new(config)),
        "domain-survival" => Box::new(domain_survival::DomainSurvivalGoal::default()),
        "replica-balance" => Box::new(band::BandGoal::balance(
            Resource::Replicas,
            config.replica_balance_threshold,
        )),
        "disk-balance" => resource_balance(Resource::Disk),
        "network-in-balance" => resource_balance(Resource::NetworkIn),
        "network-out-balance" => resource_balance(Resource::NetworkOut),
        "cpu-balance" => resource_balance(Resource::Cpu),
        "topic-balance" => Box::new(topic_balance::TopicBalanceGoal::new(
            config.replica_balance_threshold,
        )),
        "leader-balance" => Box::new(band::BandGoal::balance(
            Resource::Leaders,
            config.leader_balance_threshold,
        )),
        "leader-preference" => Box::new(leader_preference::LeaderPreferenceGoal),
        other => {
            return Err(UnknownGoal {
                name: other.to_string(),
            })
        }
    })
}

/// Builds goals by name, in the order given.
pub fn goals_by_name(
    names: &[String],
    config: &GoalConfig,
) -> Result<Vec<Box<dyn Goal>>, UnknownGoal> {
    names
        .iter()
        .map(|name| goal_by_name(name, config))
        .collect()
}
