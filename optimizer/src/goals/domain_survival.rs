//! `domain-survival` (hard where a rule sets `min_insync_replicas` and `survive`): losing any one
//! value of each listed label leaves every partition of the rule at least min ISR replicas.

use kplace_placement::labels::{LabelIdx, ValueIdx};
use kplace_placement::model::{BrokerIdx, ClusterModel, PartitionIdx};

use rayon::prelude::*;

use crate::action::Action;
use crate::goals::spread::must_evacuate;
use crate::goals::{offender_state, Goal, GoalRun};
use crate::hard_failure::{HardGoalFailure, SurvivalGap};
use crate::limits::Limits;
use crate::plan::GoalState;
use crate::state::{ClusterState, Proposal};

/// The domain-survival goal.
#[derive(Debug, Clone, Default)]
pub struct DomainSurvivalGoal {
    /// Per partition: its topic is excluded (`--excluded-topics`), so the goal leaves it alone
    /// unless it sits on a dead or removed broker, as the spread goal does.
    frozen: Vec<bool>,
}

/// The worst single-domain loss of a partition: (replicas short of min ISR, label, value, left).
fn worst_loss(
    model: &ClusterModel,
    partition: PartitionIdx,
    replicas: &[BrokerIdx],
) -> Option<(u32, LabelIdx, ValueIdx, u32, u32)> {
    let rule = model.rule_of(partition);
    let min_isr = rule.min_insync_replicas?;
    let mut worst: Option<(u32, LabelIdx, ValueIdx, u32, u32)> = None;
    for &label in &rule.survive {
        let mut counts: Vec<(ValueIdx, u32)> = Vec::new();
        for &b in replicas {
            if let Some(v) = model.brokers()[b as usize].label(label) {
                match counts.iter_mut().find(|(x, _)| *x == v) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((v, 1)),
                }
            }
        }
        for (value, here) in counts {
            let left = replicas.len() as u32 - here;
            let short = min_isr.saturating_sub(left);
            if short > 0 && worst.is_none_or(|(s, ..)| short > s) {
                worst = Some((short, label, value, left, min_isr));
            }
        }
    }
    worst
}

fn shortfall(model: &ClusterModel, partition: PartitionIdx, replicas: &[BrokerIdx]) -> u32 {
    worst_loss(model, partition, replicas).map_or(0, |w| w.0)
}

fn gaps(state: &ClusterState<'_>, frozen: &[bool]) -> Vec<SurvivalGap> {
    let model = state.model();
    (0..model.partitions().len() as PartitionIdx)
        .into_par_iter()
        .filter(|&p| {
            !frozen.get(p as usize).copied().unwrap_or(false)
                || must_evacuate(model, state.replicas(p))
        })
        .filter_map(|p| {
            worst_loss(model, p, state.replicas(p)).map(|(_, label, value, left, min_isr)| {
                SurvivalGap {
                    partition: p,
                    domain: model.labels().domain_name(label, value),
                    left,
                    min_isr,
                }
            })
        })
        .collect()
}

impl Goal for DomainSurvivalGoal {
    fn name(&self) -> &str {
        "domain-survival"
    }

    fn hard(&self) -> bool {
        true
    }

    fn prepare(&mut self, _state: &ClusterState<'_>, limits: &Limits) {
        self.frozen = limits.frozen.clone();
    }

    fn state(&self, state: &ClusterState<'_>) -> GoalState {
        let model = state.model();
        let gaps = gaps(state, &self.frozen);
        let score = gaps
            .iter()
            .map(|g| f64::from(g.min_isr - g.left))
            .sum::<f64>()
            + 0.0;
        offender_state(&gaps, score, |g| {
            format!(
                "{}: losing {} leaves {} replicas, min ISR {}",
                model.partition_name(g.partition),
                g.domain,
                g.left,
                g.min_isr
            )
        })
    }

    fn optimize(&self, run: &mut GoalRun<'_, '_>) -> Result<(), HardGoalFailure> {
        let model = run.state.model();
        for gap in gaps(run.state, &self.frozen) {
            let p = gap.partition;
            let Some((_, label, value, ..)) = worst_loss(model, p, run.state.replicas(p)) else {
                continue;
            };
            let crowded: Vec<BrokerIdx> = run
                .state
                .replicas(p)
                .iter()
                .copied()
                .filter(|&b| model.brokers()[b as usize].label(label) == Some(value))
                .collect();
            let mut targets: Vec<BrokerIdx> = (0..model.brokers().len() as BrokerIdx)
                .filter(|&b| {
                    model.brokers()[b as usize]
                        .label(label)
                        .is_some_and(|v| v != value)
                })
                .collect();
            targets.sort_by_key(|&b| (run.state.stats()[b as usize].replicas, b));
            let improves = |pr: &Proposal, _: &ClusterState<'_>| {
                pr.changes.iter().all(|c| {
                    shortfall(model, c.partition, &c.new) < shortfall(model, c.partition, &c.old)
                })
            };
            'moved: for &from in &crowded {
                for &to in &targets {
                    if !run.state.replicas(p).contains(&to)
                        && run.try_apply(
                            Action::Move {
                                partition: p,
                                from,
                                to,
                            },
                            improves,
                        )
                    {
                        break 'moved;
                    }
                }
            }
        }
        Ok(())
    }

    fn accepts(&self, proposal: &Proposal, state: &ClusterState<'_>) -> bool {
        let model = state.model();
        proposal.changes.iter().all(|c| {
            c.is_reorder()
                || shortfall(model, c.partition, &c.new) <= shortfall(model, c.partition, &c.old)
        })
    }

    fn failure(&self, state: &ClusterState<'_>) -> HardGoalFailure {
        HardGoalFailure::DomainSurvival(gaps(state, &self.frozen))
    }
}
