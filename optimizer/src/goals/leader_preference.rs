//! `leader-preference`: a rule may name a preferred leader location (`leader: {zone: az1}`);
//! partitions with a replica there are led from there.

use kplace_placement::in_sync::may_lead;
use kplace_placement::model::{BrokerIdx, ClusterModel, PartitionIdx};

use rayon::prelude::*;

use crate::goals::{offender_state, Goal, GoalRun};
use crate::hard_failure::HardGoalFailure;
use crate::plan::GoalState;
use crate::state::{ClusterState, Proposal};

/// The leader-preference goal.
pub struct LeaderPreferenceGoal;

fn preferred(model: &ClusterModel, partition: PartitionIdx, b: BrokerIdx) -> bool {
    let broker = &model.brokers()[b as usize];
    model
        .rule_of(partition)
        .leader
        .iter()
        .all(|&(label, value)| broker.label(label) == Some(value))
}

/// True when the partition could be led from its preferred location (by a replica there that may
/// lead: alive and, for a reorder, in sync) but is not.
fn misled(
    model: &ClusterModel,
    partition: PartitionIdx,
    replicas: &[BrokerIdx],
    leader: Option<BrokerIdx>,
) -> bool {
    !model.rule_of(partition).leader.is_empty()
        && !leader.is_some_and(|l| preferred(model, partition, l))
        && replicas
            .iter()
            .any(|&b| preferred(model, partition, b) && may_lead(model, partition, replicas, b))
}

fn misled_partitions(state: &ClusterState<'_>) -> Vec<PartitionIdx> {
    let model = state.model();
    (0..model.partitions().len() as PartitionIdx)
        .into_par_iter()
        .filter(|&p| misled(model, p, state.replicas(p), state.leader(p)))
        .collect()
}

impl Goal for LeaderPreferenceGoal {
    fn name(&self) -> &str {
        "leader-preference"
    }

    fn hard(&self) -> bool {
        false
    }

    fn state(&self, state: &ClusterState<'_>) -> GoalState {
        let model = state.model();
        let misled = misled_partitions(state);
        offender_state(&misled, misled.len() as f64, |&p| {
            format!(
                "{}: led outside its preferred leader location",
                model.partition_name(p)
            )
        })
    }

    fn optimize(&self, run: &mut GoalRun<'_, '_>) -> Result<(), HardGoalFailure> {
        let model = run.state.model();
        let misled = misled_partitions(run.state);
        run.lead_each_from_least_leading(misled, |p, b| preferred(model, p, b));
        Ok(())
    }

    fn accepts(&self, proposal: &Proposal, state: &ClusterState<'_>) -> bool {
        let model = state.model();
        proposal.changes.iter().all(|c| {
            !misled(model, c.partition, &c.new, c.new_leader)
                || misled(model, c.partition, &c.old, c.old_leader)
        })
    }
}
