//! One round of healing against a live cluster: snapshot, guards, a plan of the hard goals,
//! the most urgent moves up to a cap, and (when executing) apply.

use std::time::{Duration, SystemTime};

use kplace_optimizer::heal::guards::{guard, DeadSince, Verdict};
use kplace_optimizer::heal::hard_goals::{hard_goal_names, hard_goal_violations};
use kplace_optimizer::heal::urgency::most_urgent_first;
use kplace_optimizer::plan::{Plan, PlanInputs};
use kplace_optimizer::planner::{make_plan, PlanError, PlanRequest};
use kplace_placement::capacity_file::CapacityFile;
use kplace_placement::model::{ClusterModel, ModelOptions};
use kplace_placement::policy::Policy;
use kplace_placement::snapshot::Snapshot;

use super::cluster::HealCluster;
use super::error::HealError;
use crate::apply::{validate, ApplyEvent, ApplyOptions, ApplyReport};
use crate::batching::Limits;
use crate::cluster_admin::ClusterAdmin;
use crate::error::Result;
use crate::owned_throttles::remove_leftover_throttles;
use crate::plan_moves::moves_of_plan;
use crate::reassignment_json::Move;
use crate::sampling::{carry_loads, SampleOptions};

/// The grace period `kplace heal` gives a dead broker by default.
pub const DEFAULT_DEAD_BROKER_GRACE: Duration = Duration::from_secs(30 * 60);

/// The most moves one round takes by default.
pub const DEFAULT_MAX_MOVES_PER_ROUND: usize = 100;

/// How rounds heal: the policy, the guards' settings, the cap and whether to apply.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HealRound {
    /// The placement policy whose hard goals are restored.
    pub policy: Policy,
    /// How long a broker must be down before its replicas are moved elsewhere.
    pub dead_broker_grace: Duration,
    /// Most moves one round takes, the most urgent partitions first; the rest wait.
    pub max_moves: usize,
    /// Apply the moves (otherwise the round only plans them: [`Status::Planned`]).
    pub execute: bool,
    /// How moves are applied: batching limits, throttle, timeouts, the stop request. A round
    /// always waits for its moves (`wait` is ignored).
    pub apply: ApplyOptions,
    /// Capacities laid over every snapshot the round takes (`--capacity FILE`), over what the
    /// brokers report; `None` keeps the snapshot's.
    pub capacities: Option<CapacityFile>,
    /// Measure each partition's load before planning (`kplace heal --sample`), so the capacity
    /// goal sees network and CPU; `None` plans with the loads the snapshot has (none, live).
    /// The look after the moves keeps these rates: where replicas are does not change them.
    pub sample: Option<SampleOptions>,
}

impl HealRound {
    /// Rounds that restore `policy`'s hard goals with `kplace heal`'s defaults: a 30-minute
    /// grace, at most 100 moves, planning only, apply limits of 5 moves per broker and 100 in
    /// the cluster.
    pub fn new(policy: Policy) -> Self {
        HealRound {
            policy,
            dead_broker_grace: DEFAULT_DEAD_BROKER_GRACE,
            max_moves: DEFAULT_MAX_MOVES_PER_ROUND,
            execute: false,
            apply: ApplyOptions::new(Limits {
                per_broker: 5,
                cluster: 100,
            }),
            capacities: None,
            sample: None,
        }
    }

    /// Runs one round at time `now`: takes a snapshot, removes throttles a killed kplace left
    /// when nothing is in flight, records which brokers are down in `dead_since`, and unless a
    /// guard says wait or the hard goals hold, plans the fewest moves that restore them, keeps
    /// the [`max_moves`](Self::max_moves) most urgent and, with [`execute`](Self::execute),
    /// applies them (`on_event` sees the apply's progress) and looks again.
    ///
    /// `dead_since` is changed even when the round fails after the snapshot: keep it (a failed
    /// round must not restart a broker's grace period).
    pub fn run<C: HealCluster>(
        &self,
        cluster: &mut C,
        dead_since: &mut DeadSince,
        now: SystemTime,
        on_event: &mut dyn FnMut(&ApplyEvent),
    ) -> std::result::Result<RoundReport, HealError> {
        let snapshot = self.snapshot(cluster, None)?;
        // Throttles a killed kplace left behind go once nothing is in flight (while something
        // is, an apply may still be following it).
        if snapshot.reassignments.is_empty() {
            remove_leftover_throttles(cluster)?;
        }
        dead_since.observe(&snapshot, now);
        let model = ClusterModel::build(&snapshot, &self.policy, &ModelOptions::default())?;
        let violations = hard_goal_violations(&model);
        let verdict = guard(
            &snapshot,
            &model,
            self.policy.on_domain_outage,
            dead_since,
            now,
            self.dead_broker_grace,
        );
        let quiet = |status, reason| RoundReport {
            status,
            violations,
            moves: Vec::new(),
            applied: 0,
            reason,
            plan: None,
        };
        if let Verdict::Wait(reason) = verdict {
            let status = if violations == 0 {
                Status::Healthy
            } else {
                Status::Waiting
            };
            return Ok(quiet(status, Some(reason)));
        }
        if violations == 0 {
            return Ok(quiet(Status::Healthy, None));
        }
        let plan = self.plan(&model)?;
        let (moves, reason) = self.most_urgent(&model, &plan);
        if !self.execute {
            return Ok(RoundReport {
                status: Status::Planned,
                violations,
                moves,
                applied: 0,
                reason,
                plan: Some(plan),
            });
        }
        validate(cluster, &moves, "heal plan")?;
        let report = execute(cluster, &moves, &self.apply_options(), on_event)?;
        let after = self.snapshot(cluster, Some(&snapshot))?;
        let model_after = ClusterModel::build(&after, &self.policy, &ModelOptions::default())?;
        let remaining = hard_goal_violations(&model_after);
        Ok(RoundReport {
            status: if remaining == 0 {
                Status::Healed
            } else {
                Status::Partial
            },
            violations,
            applied: report.submitted,
            moves,
            reason: reason
                .or_else(|| (remaining > 0).then(|| format!("{remaining} violations remain"))),
            plan: Some(plan),
        })
    }

    /// A snapshot of `cluster` with [`capacities`](Self::capacities) laid over it: sampled
    /// when [`sample`](Self::sample) says so, unless `measured` (an earlier look of this round)
    /// already carries the rates.
    fn snapshot<C: HealCluster>(
        &self,
        cluster: &mut C,
        measured: Option<&Snapshot>,
    ) -> std::result::Result<Snapshot, HealError> {
        let mut snapshot = match (self.sample, measured) {
            (Some(_), Some(earlier)) => {
                let mut snapshot = cluster.snapshot()?;
                carry_loads(earlier, &mut snapshot);
                snapshot
            }
            (Some(options), None) => cluster.sampled_snapshot(options)?,
            (None, _) => cluster.snapshot()?,
        };
        if let Some(file) = &self.capacities {
            file.lay_over(&mut snapshot).map_err(HealError::Capacity)?;
        }
        Ok(snapshot)
    }

    /// The fewest moves restoring the hard goals (no balance goal runs).
    fn plan(&self, model: &ClusterModel) -> std::result::Result<Plan, HealError> {
        let request = PlanRequest::new()
            .with_goals(hard_goal_names())
            .with_inputs(PlanInputs::new(self.policy.clone()));
        make_plan(model, &request).map_err(|error| match error {
            PlanError::HardGoal(failure) => HealError::Infeasible {
                report: failure.report(model),
                failure,
            },
            other => HealError::Plan(other),
        })
    }

    /// The plan's moves, most urgent partitions first, cut to the cap; the reason names the cut.
    fn most_urgent(&self, model: &ClusterModel, plan: &Plan) -> (Vec<Move>, Option<String>) {
        let mut moves = moves_of_plan(plan);
        most_urgent_first(model, &mut moves, |m| {
            model.partition_index(&m.topic, m.partition)
        });
        let planned = moves.len();
        moves.truncate(self.max_moves);
        let reason = (planned > moves.len())
            .then(|| format!("{planned} moves planned, {} this round", moves.len()));
        (moves, reason)
    }

    fn apply_options(&self) -> ApplyOptions {
        ApplyOptions {
            wait: true,
            ..self.apply.clone()
        }
    }
}

/// Carries out a round's moves: the one place a heal round hands moves to Kafka.
fn execute(
    admin: &mut dyn ClusterAdmin,
    moves: &[Move],
    options: &ApplyOptions,
    on_event: &mut dyn FnMut(&ApplyEvent),
) -> Result<ApplyReport> {
    crate::apply::apply(admin, moves, options, on_event)
}

impl RoundReport {
    /// A report of a round that ended with `status` and saw nothing else: no violation, no
    /// move, no reason, no plan. Rounds fill in the rest; a controller's own tests can too.
    pub fn new(status: Status) -> Self {
        RoundReport {
            status,
            violations: 0,
            moves: Vec::new(),
            applied: 0,
            reason: None,
            plan: None,
        }
    }
}

/// How one round ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Status {
    /// The hard goals hold (a guard may still have said wait).
    Healthy,
    /// Moves were applied and the hard goals hold again.
    Healed,
    /// Moves were planned, not applied ([`HealRound::execute`] off).
    Planned,
    /// The hard goals are violated and a guard says wait.
    Waiting,
    /// Moves were applied and violations remain (a capped round, or Kafka refused some).
    Partial,
}

impl Status {
    /// The status as `kplace heal` prints it: `healthy`, `healed`, `planned`, `waiting`,
    /// `partial`.
    pub fn name(self) -> &'static str {
        match self {
            Status::Healthy => "healthy",
            Status::Healed => "healed",
            Status::Planned => "planned",
            Status::Waiting => "waiting",
            Status::Partial => "partial",
        }
    }

    /// Whether the cluster meets the hard goals at the end of the round.
    pub fn healthy(self) -> bool {
        matches!(self, Status::Healthy | Status::Healed)
    }
}

/// What one round saw and did.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RoundReport {
    /// How the round ended.
    pub status: Status,
    /// Hard-goal violations at the start of the round.
    pub violations: usize,
    /// The round's moves, most urgent first (planned, or applied with `execute`).
    pub moves: Vec<Move>,
    /// Moves the apply submitted (others were done or in flight already).
    pub applied: usize,
    /// Why the round waited or stopped short, in one line.
    pub reason: Option<String>,
    /// The plan the moves come from, when the round planned.
    pub plan: Option<Plan>,
}
