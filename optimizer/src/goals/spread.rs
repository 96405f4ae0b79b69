//! `spread` (hard): every partition meets its rule (replication factor, per-label spread,
//! eligible brokers only), repaired with the placement core's minimal-movement repair, each
//! replacement then moved onto a neighbour of the replica it replaces where one is free.

use std::collections::BTreeMap;

use kplace_placement::broker_load::BrokerLoad;
use kplace_placement::check::{check, check_partition, BoundsTable};
use kplace_placement::labels::ValueIdx;
use kplace_placement::model::{BrokerIdx, ClusterModel, PartitionIdx, Replicas};
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
pub(crate) fn must_evacuate(model: &ClusterModel, replicas: &[BrokerIdx]) -> bool {
    replicas
        .iter()
        .any(|&b| !model.brokers()[b as usize].eligible())
}

/// Eligible brokers grouped by their labels: a broker's neighbours are the eligible brokers with
/// exactly its labels (the same rack, zone, Kubernetes cluster, ...).
///
/// The placement core fills a replaced replica's slot from the rule's cell, which for a rule that
/// spreads over zones only is the whole zone: a drained `az1/k8s-a` broker's replica could land on
/// `az1/k8s-b` although `az1/k8s-a` has room. Moves should stay close to what the drained or dead
/// broker held, so each replacement is moved onto a neighbour of the replica it replaces when one
/// is free; that neighbour is in the same cell of the rule, so the spread is unchanged.
struct Neighbours<'m> {
    groups: BTreeMap<&'m [Option<ValueIdx>], Vec<BrokerIdx>>,
}

impl<'m> Neighbours<'m> {
    fn of(model: &'m ClusterModel) -> Self {
        let mut groups: BTreeMap<&[Option<ValueIdx>], Vec<BrokerIdx>> = BTreeMap::new();
        for (b, broker) in model.brokers().iter().enumerate() {
            if broker.eligible() {
                groups
                    .entry(&broker.labels)
                    .or_default()
                    .push(b as BrokerIdx);
            }
        }
        Neighbours { groups }
    }

    /// `repaired` (the placement core's new list for `partition`, whose list was `old`) with each
    /// new replica that replaces a dropped one in the same cell of the rule but not on a broker
    /// with its labels moved onto the least loaded such broker that is free. Keeps `load` current.
    fn keep_close(
        &self,
        model: &ClusterModel,
        partition: PartitionIdx,
        old: &[BrokerIdx],
        mut repaired: Replicas,
        load: &mut BrokerLoad,
    ) -> Replicas {
        let labels = |b: BrokerIdx| model.brokers()[b as usize].labels.as_slice();
        let rule = model.rule_of(partition);
        let same_cell = |a: BrokerIdx, b: BrokerIdx| {
            rule.spread.iter().all(|&(label, _)| {
                let value = |x: BrokerIdx| model.brokers()[x as usize].label(label);
                value(a) == value(b)
            })
        };
        // Positions whose replica is kept, or already replaces a dropped one from its neighbours.
        let mut settled: Vec<bool> = repaired.iter().map(|b| old.contains(b)).collect();
        let mut pending = Vec::new();
        for &dropped in old.iter().filter(|b| !repaired.contains(b)) {
            match (0..repaired.len())
                .find(|&i| !settled[i] && labels(repaired[i]) == labels(dropped))
            {
                Some(i) => settled[i] = true,
                None => pending.push(dropped),
            }
        }
        // A broker with no known labels (e.g. dead and without a rack) has no neighbours.
        for dropped in pending.into_iter().filter(|&d| {
            model.brokers()[d as usize]
                .labels
                .iter()
                .any(Option::is_some)
        }) {
            let Some(i) =
                (0..repaired.len()).find(|&i| !settled[i] && same_cell(repaired[i], dropped))
            else {
                continue;
            };
            let Some(&neighbour) = self.groups.get(labels(dropped)).and_then(|group| {
                group
                    .iter()
                    .filter(|b| !repaired.contains(b))
                    .min_by_key(|&&b| (load.replicas[b as usize], b))
            }) else {
                continue;
            };
            load.remove(&repaired, repaired.first().copied());
            repaired[i] = neighbour;
            load.add(&repaired, repaired.first().copied());
            settled[i] = true;
        }
        repaired
    }
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
        let neighbours = Neighbours::of(model);
        for (partition, replicas) in outcome.changes {
            let replicas = neighbours.keep_close(
                model,
                partition,
                run.state.replicas(partition),
                replicas,
                &mut load,
            );
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
