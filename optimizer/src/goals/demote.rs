//! `demote` (added by `--demote-brokers`): move leadership off the demoted brokers, and let no
//! later goal hand it back.

use kplace_placement::in_sync::may_lead;
use kplace_placement::model::{BrokerIdx, PartitionIdx};

use rayon::prelude::*;

use crate::goals::{offender_state, Goal, GoalRun};
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

    /// Partitions led by a demoted broker that have a replica elsewhere that may lead (alive and,
    /// since demoting only reorders, in sync).
    fn offenders(&self, state: &ClusterState<'_>) -> Vec<PartitionIdx> {
        let model = state.model();
        (0..model.partitions().len() as PartitionIdx)
            .into_par_iter()
            .filter(|&p| {
                let replicas = state.replicas(p);
                self.is_demoted(state.leader(p))
                    && replicas
                        .iter()
                        .any(|&b| !self.is_demoted(Some(b)) && may_lead(model, p, replicas, b))
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
        offender_state(&offenders, offenders.len() as f64, |&p| {
            format!(
                "{}: led by a demoted broker",
                state.model().partition_name(p)
            )
        })
    }

    fn optimize(&self, run: &mut GoalRun<'_, '_>) -> Result<(), HardGoalFailure> {
        let offenders = self.offenders(run.state);
        run.lead_each_from_least_leading(offenders, |_, b| !self.is_demoted(Some(b)));
        Ok(())
    }

    fn accepts(&self, proposal: &Proposal, _state: &ClusterState<'_>) -> bool {
        proposal
            .changes
            .iter()
            .all(|c| !self.is_demoted(c.new_leader) || self.is_demoted(c.old_leader))
    }
}
