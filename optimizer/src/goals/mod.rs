//! The goals, one per file, behind one trait.
//!
//! A goal says whether a state satisfies it ([`Goal::state`]), improves the state by proposing
//! actions ([`Goal::optimize`]), and judges actions that later goals propose ([`Goal::accepts`]):
//! a goal accepts an action exactly when the action does not make it worse. The engine
//! ([`crate::engine`]) runs goals in priority order and applies an action only when every goal
//! that already ran accepts it, so a later goal never undoes an earlier one.

use kplace_placement::in_sync::{keeps_current_set, may_lead};
use kplace_placement::model::{BrokerIdx, ClusterModel, PartitionIdx};

use crate::action::Action;
use crate::config::GoalConfig;
use crate::hard_failure::HardGoalFailure;
use crate::limits::Limits;
use crate::plan::GoalState;
use crate::resource::Resource;
use crate::state::{ClusterState, Proposal};

pub mod band;
pub mod capacity;
pub mod custom;
pub mod demote;
pub mod destinations;
pub mod domain_survival;
pub mod guard;
pub mod leader_preference;
pub mod leadership;
pub mod rebalance;
pub mod spread;
pub mod swap;
pub mod topic_balance;

/// How many human-readable examples a goal state carries.
pub const EXAMPLES: usize = 5;

/// The state of a goal whose offenders (partitions, brokers, ...) are `offenders`: satisfied when
/// there are none, `score` as given, one violation per offender, the first [`EXAMPLES`] described.
pub fn offender_state<T>(
    offenders: &[T],
    score: f64,
    describe: impl FnMut(&T) -> String,
) -> GoalState {
    GoalState {
        satisfied: offenders.is_empty(),
        score,
        violations: offenders.len() as u64,
        examples: offenders.iter().take(EXAMPLES).map(describe).collect(),
    }
}

/// One optimisation concern, and the extension point for rules of one's own.
///
/// The built-in goals implement this trait, and so can a type in any crate: register it with
/// [`PlanRequest::with_goal`](crate::PlanRequest::with_goal) and
/// [`make_plan`](crate::make_plan) runs it beside them (see the `kplace-example-custom-goal`
/// crate in `examples/` for a complete one).
///
/// # How the engine drives goals
///
/// Goals run in priority order over one evolving [`ClusterState`]. In its turn a goal
/// [`prepare`](Goal::prepare)s, then [`optimize`](Goal::optimize)s by proposing actions through
/// [`GoalRun::try_apply`]. An action is applied only when every goal *earlier* in the order
/// [`accepts`](Goal::accepts) it, so a later goal never undoes an earlier one; the whole list runs
/// again while a pass still changes something (at most [`crate::engine::MAX_PASSES`]). After a
/// hard goal's turn its [`state`](Goal::state) must be satisfied, or the plan fails with its
/// [`failure`](Goal::failure).
///
/// # What an implementation must guarantee
///
/// - [`state`](Goal::state) is a pure function of the state (and of what
///   [`prepare`](Goal::prepare) derived): the same state gives the same answer, and `score` and
///   `violations` are 0 when satisfied and grow as the state gets worse.
/// - [`accepts`](Goal::accepts) returns true exactly when the proposal leaves the goal no worse:
///   it must accept every proposal that does not touch what the goal measures (or the other goals
///   can do nothing), and must never accept one that makes [`state`](Goal::state) worse, or the
///   goal's own earlier work is undone behind its back. It sees the proposal's changed replica
///   lists and broker loads before they are applied ([`Proposal`]).
/// - [`optimize`](Goal::optimize) changes the state only through its [`GoalRun`] (which enforces
///   the operation's limits and the earlier goals' vetoes) and only with actions that improve
///   the goal; it must terminate, and should prefer cheap actions (leadership, then moves
///   between brokers that already hold a copy) since moves must earn their bytes.
/// - A goal is `Send + Sync` and never blocks or does I/O: planning is pure.
///
/// # Reporting violations
///
/// [`state`](Goal::state) reports how many partitions or brokers break the rule and a few
/// human-readable examples (at most [`EXAMPLES`], naming topics and broker ids); they appear in
/// the plan's goal table before and after. A hard goal that cannot be met explains itself with
/// [`failure`](Goal::failure) (by default [`HardGoalFailure::Unmet`] with the final state).
pub trait Goal: Send + Sync {
    /// The goal's name, unique in a plan (`--goals` names the built-in ones, e.g.
    /// `replica-balance`).
    fn name(&self) -> &str;

    /// Hard goals must hold or the plan fails; soft goals are best effort. (For a registered
    /// goal, the [`custom::Strength`] it was registered with decides.)
    fn hard(&self) -> bool;

    /// True for a hard goal that `--goals` left out: it only vetoes actions that would make it
    /// worse ([`guard::Guard`]), and is not required to hold.
    fn guard(&self) -> bool {
        false
    }

    /// Recomputes whatever the goal derives from the whole state (bounds, means). The engine calls
    /// it before asking for [`Goal::state`] and before [`Goal::optimize`].
    fn prepare(&mut self, _state: &ClusterState<'_>, _limits: &Limits) {}

    /// Whether `state` satisfies the goal, how far it is, and a few examples.
    fn state(&self, state: &ClusterState<'_>) -> GoalState;

    /// Improves the state through `run`, which applies only actions every earlier goal accepts.
    /// A hard goal that cannot be met returns why.
    fn optimize(&self, run: &mut GoalRun<'_, '_>) -> Result<(), HardGoalFailure>;

    /// Whether `proposal`, proposed by a later goal, leaves this goal no worse (a veto when
    /// false).
    fn accepts(&self, proposal: &Proposal, state: &ClusterState<'_>) -> bool;

    /// What the goal could not check for lack of data (after [`Goal::prepare`]); `None` when it
    /// had all it needs.
    fn skipped(&self, _state: &ClusterState<'_>) -> Option<crate::skipped::Skipped> {
        None
    }

    /// The per-broker bands [`Goal::accepts`] enforces, when the goal is made of bands (so that
    /// a solver can keep them as constraints, e.g. [`leadership::exchange`]). Empty otherwise:
    /// such a goal still vets every action through [`Goal::accepts`].
    fn bands(&self) -> Vec<&band::Band> {
        Vec::new()
    }

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
    may_copy: bool,
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
            may_copy: true,
        }
    }

    /// The turn of a soft goal under limits that keep soft goals from copying
    /// ([`Limits::soft_copies`]): [`GoalRun::try_apply`] then turns down every action that
    /// creates more copies than it removes.
    pub fn for_goal(mut self, hard: bool) -> Self {
        self.may_copy = hard || self.limits.soft_copies;
        self
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
        if self.may_copy {
            self.apply_if_accepted(action, own)
        } else {
            self.apply_if_accepted(action, |p: &Proposal, s: &ClusterState<'_>| {
                copies_nothing_more(p, s) && own(p, s)
            })
        }
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
            || !leads_in_sync(self.state.model(), &proposal)
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

    /// For each of `partitions`, in order, hands leadership to the least leading of its replicas
    /// `eligible` names ([`GoalRun::lead_from_least_leading`]).
    pub fn lead_each_from_least_leading(
        &mut self,
        partitions: Vec<PartitionIdx>,
        eligible: impl Fn(PartitionIdx, BrokerIdx) -> bool,
    ) {
        for p in partitions {
            let candidates: Vec<BrokerIdx> = self
                .state
                .replicas(p)
                .iter()
                .copied()
                .filter(|&b| eligible(p, b))
                .collect();
            self.lead_from_least_leading(p, candidates);
        }
    }

    /// Hands leadership of `partition` to the replica among `candidates` that leads the fewest
    /// partitions, may lead (alive, and in sync: see [`may_lead`]) and that every earlier goal
    /// lets lead. Returns whether leadership moved.
    pub fn lead_from_least_leading(
        &mut self,
        partition: PartitionIdx,
        mut candidates: Vec<BrokerIdx>,
    ) -> bool {
        let model = self.state.model();
        let replicas = self.state.replicas(partition).to_vec();
        let actual = self.state.leader(partition);
        candidates.retain(|&b| may_lead(model, partition, &replicas, b));
        candidates.sort_by_key(|&b| (self.state.stats()[b as usize].leaders, b));
        candidates.into_iter().any(|leader| {
            let action = if replicas.first() == Some(&leader) && actual != Some(leader) {
                // Already the preferred leader but not leading (another replica took over, e.g.
                // after a failover): a list that keeps it first but differs carries the
                // partition into the plan, and apply's preferred-leader election makes it lead.
                let mut list = replicas.clone();
                list[1..].rotate_left(1);
                Action::Reassign {
                    partition,
                    replicas: list,
                }
            } else {
                Action::Lead { partition, leader }
            };
            self.try_apply(action, |_, _| true)
        })
    }

    /// The bands of every goal that ran before this one ([`Goal::bands`]).
    pub fn earlier_bands(&self) -> Vec<&'a band::Band> {
        let earlier: &'a [Box<dyn Goal>] = self.earlier;
        earlier.iter().flat_map(|goal| goal.bands()).collect()
    }

    /// Actions applied during this turn.
    pub fn applied(&self) -> usize {
        self.applied
    }
}

/// True when `proposal` creates no more copies (replicas on brokers that did not hold the
/// partition before the plan) than it removes.
fn copies_nothing_more(proposal: &Proposal, state: &ClusterState<'_>) -> bool {
    let current = &state.model().current();
    proposal.changes.iter().all(|c| {
        let before = &current[c.partition as usize];
        let new = |list: &[BrokerIdx]| list.iter().filter(|b| !before.contains(b)).count();
        new(&c.new) <= new(&c.old)
    })
}

/// The rule every action obeys, whichever goal proposes it: a list that only reorders a
/// partition's current replicas (a leadership change, applied by a preferred-leader election)
/// puts first a live replica of the snapshot's ISR. Kafka elects a preferred leader only from the
/// ISR, so any other leader would be planned but never happen. Lists that change the broker set
/// are not restricted: Kafka completes such a move only once every target replica is in sync.
fn leads_in_sync(model: &ClusterModel, proposal: &Proposal) -> bool {
    proposal
        .changes
        .iter()
        .all(|c| list_leads_in_sync(model, c.partition, &c.new))
}

/// [`leads_in_sync`] for one partition's new list.
pub(crate) fn list_leads_in_sync(
    model: &ClusterModel,
    partition: PartitionIdx,
    list: &[BrokerIdx],
) -> bool {
    list == model.current()[partition as usize].as_slice()
        || !keeps_current_set(model, partition, list)
        || list
            .first()
            .is_some_and(|&b| may_lead(model, partition, list, b))
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

/// [`DEFAULT_GOALS`] as owned names (a plan request's goal list).
pub fn default_goal_names() -> Vec<String> {
    DEFAULT_GOALS.iter().map(|g| g.to_string()).collect()
}

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
            topic_balance::TopicBandSpec::from_config(config),
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
