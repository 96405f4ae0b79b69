//! `demote` (added by `--demote-brokers`): move leadership off the demoted brokers, and let no
//! later goal hand it back.

use kplace_placement::model::{BrokerIdx, PartitionIdx};

use rayon::prelude::*;

use crate::goals::{Goal, GoalRun, EXAMPLES};
use crate::hard_failure::HardGoalFailure;
use crate::limits::Limits;
use crate::plan::GoalState;
use crate::state::{ClusterState, Proposal};

/// The demote goal.
#[derive(Default)]
pub struct DemoteGoal {
    demoted: Vec<bool>,
}

impl DemoteGoal {
    fn is_demoted(&self, leader: Option<BrokerIdx>) -> bool {
        leader.is_some_and(|b| self.demoted.get(b as usize).copied().unwrap_or(false))
    }

    /// Partitions led by a demoted broker that have a replica elsewhere to lead.
    fn offenders(&self, state: &ClusterState<'_>) -> Vec<PartitionIdx> {
        (0..state.model().partitions.len() as PartitionIdx)
            .into_par_iter()
            .filter(|&p| {
                self.is_demoted(state.leader(p))
                    && state.replicas(p).iter().any(|&b| !self.is_demoted(Some(b)))
            })
            .collect()
    }
}

impl Goal for DemoteGoal {
    fn name(&self) -> &str {
        "demote"
    }

    fn hard(&self) -> bool {
        false
    }

    fn prepare(&mut self, _state: &ClusterState<'_>, limits: &Limits) {
        self.demoted = limits.demoted.clone();
    }

    fn state(&self, state: &ClusterState<'_>) -> GoalState {
        let offenders = self.offenders(state);
        GoalState {
            satisfied: offenders.is_empty(),
            score: offenders.len() as f64,
            violations: offenders.len() as u64,
            examples: offenders
                .iter()
                .take(EXAMPLES)
                .map(|&p| {
                    format!(
                        "{}: led by a demoted broker",
                        state.model().partition_name(p)
                    )
                })
                .collect(),
        }
    }

    fn optimize(&self, run: &mut GoalRun<'_, '_>) -> Result<(), HardGoalFailure> {
        for p in self.offenders(run.state) {
            let others: Vec<BrokerIdx> = run
                .state
                .replicas(p)
                .iter()
                .copied()
                .filter(|&b| !self.is_demoted(Some(b)))
                .collect();
            run.lead_from_least_leading(p, others);
        }
        Ok(())
    }

    fn accepts(&self, proposal: &Proposal, _state: &ClusterState<'_>) -> bool {
        proposal
            .changes
            .iter()
            .all(|c| !self.is_demoted(c.new_leader) || self.is_demoted(c.old_leader))
    }
}
