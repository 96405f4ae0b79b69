//! `spread` (hard): every partition meets its rule (replication factor, per-label spread,
//! eligible brokers only), repaired with the placement core's minimal-movement repair.

use kplace_placement::broker_load::BrokerLoad;
use kplace_placement::check::{check, check_partition, BoundsTable};
use kplace_placement::model::{BrokerIdx, ClusterModel, PartitionIdx};
use kplace_placement::repair::repair_partitions;
use kplace_placement::solver::PlacementSolver;

use crate::action::Action;
use crate::goals::{Goal, GoalRun, EXAMPLES};
use crate::hard_failure::HardGoalFailure;
use crate::limits::Limits;
use crate::plan::GoalState;
use crate::state::{ClusterState, Proposal};

/// The spread goal.
#[derive(Default)]
pub struct SpreadGoal {
    bounds: Option<BoundsTable>,
    frozen: Vec<bool>,
}

impl SpreadGoal {
    fn violations(
        &self,
        model: &ClusterModel,
        partition: PartitionIdx,
        replicas: &[BrokerIdx],
    ) -> usize {
        let Some(bounds) = &self.bounds else { return 0 };
        let mut out = Vec::new();
        check_partition(
            model,
            partition,
            replicas,
            bounds.get(model, partition, replicas),
            &mut out,
        );
        out.len()
    }
}

/// Whether a frozen (excluded-topic) partition must move anyway: it sits on a broker that may
/// hold no replica (dead, excluded, removed).
fn must_evacuate(model: &ClusterModel, replicas: &[BrokerIdx]) -> bool {
    replicas
        .iter()
        .any(|&b| !model.brokers[b as usize].eligible())
}

impl Goal for SpreadGoal {
    fn name(&self) -> &str {
        "spread"
    }

    fn hard(&self) -> bool {
        true
    }

    fn prepare(&mut self, state: &ClusterState<'_>, limits: &Limits) {
        self.bounds = Some(BoundsTable::for_assignment(
            state.model(),
            state.assignment(),
        ));
        self.frozen = limits.frozen.clone();
    }

    fn state(&self, state: &ClusterState<'_>) -> GoalState {
        let model = state.model();
        let counted = |p: PartitionIdx| {
            !self.frozen.get(p as usize).copied().unwrap_or(false)
                || must_evacuate(model, state.replicas(p))
        };
        let violations: Vec<_> = check(model, state.assignment())
            .into_iter()
            .filter(|v| counted(v.partition))
            .collect();
        let mut partitions: Vec<PartitionIdx> = violations.iter().map(|v| v.partition).collect();
        partitions.dedup();
        let examples = violations
            .iter()
            .take(EXAMPLES)
            .map(|v| {
                let report = v.report(model);
                format!("{}-{}: {}", report.topic, report.partition, report.message)
            })
            .collect();
        GoalState {
            satisfied: violations.is_empty(),
            score: violations.len() as f64,
            violations: partitions.len() as u64,
            examples,
        }
    }

    fn optimize(&self, run: &mut GoalRun<'_, '_>) -> Result<(), HardGoalFailure> {
        let model = run.state.model();
        let mut broken: Vec<PartitionIdx> = check(model, run.state.assignment())
            .iter()
            .map(|v| v.partition)
            .filter(|&p| {
                !run.limits.frozen_partition(p) || must_evacuate(model, run.state.replicas(p))
            })
            .collect();
        broken.dedup();
        let mut solver = PlacementSolver::new(model);
        let mut load = BrokerLoad::of(model, run.state.assignment());
        let outcome = repair_partitions(&mut solver, run.state.assignment(), &broken, &mut load);
        if !outcome.infeasible.is_empty() {
            return Err(HardGoalFailure::Spread(outcome.infeasible));
        }
        for (partition, replicas) in outcome.changes {
            run.apply_if_accepted(
                Action::Reassign {
                    partition,
                    replicas,
                },
                |_, _| true,
            );
        }
        Ok(())
    }

    fn accepts(&self, proposal: &Proposal, state: &ClusterState<'_>) -> bool {
        let model = state.model();
        proposal.changes.iter().all(|c| {
            c.is_reorder()
                || self.violations(model, c.partition, &c.new)
                    <= self.violations(model, c.partition, &c.old)
        })
    }
}
