//! `capacity` (hard): per broker, disk, network in/out and CPU stay under a share of the
//! broker's capacity (where the snapshot gives one), and replicas under a configured maximum.

use crate::config::GoalConfig;
use crate::goals::band::{Band, Target};
use crate::goals::rebalance::rebalance;
use crate::goals::{Goal, GoalRun};
use crate::hard_failure::{CapacityExcess, HardGoalFailure};
use crate::limits::Limits;
use crate::plan::GoalState;
use crate::resource::Resource;
use crate::skipped::{Skipped, NO_CAPACITY_DATA};
use crate::state::{ClusterState, Proposal};

/// The capacity goal: one band per bounded resource.
pub struct CapacityGoal {
    config: GoalConfig,
    bands: Vec<Band>,
}

impl CapacityGoal {
    /// The goal with the configured thresholds.
    pub fn new(config: &GoalConfig) -> CapacityGoal {
        CapacityGoal {
            config: config.clone(),
            bands: Vec::new(),
        }
    }
}

impl Goal for CapacityGoal {
    fn name(&self) -> &str {
        "capacity"
    }

    fn hard(&self) -> bool {
        true
    }

    fn prepare(&mut self, state: &ClusterState<'_>, _limits: &Limits) {
        let model = state.model();
        self.bands = Resource::LOADS
            .iter()
            .filter(|r| {
                model
                    .brokers()
                    .iter()
                    .any(|b| r.capacity(&b.capacity).is_some())
            })
            .map(|&r| Band::under_capacity(state, r, self.config.capacity_threshold(r)))
            .collect();
        if let Some(max) = self.config.max_replicas_per_broker {
            self.bands
                .push(Band::at_most(state, Resource::Replicas, f64::from(max)));
        }
    }

    fn state(&self, state: &ClusterState<'_>) -> GoalState {
        let mut total = GoalState {
            satisfied: true,
            score: 0.0,
            violations: 0,
            examples: Vec::new(),
        };
        for band in &self.bands {
            let s = band.goal_state(state);
            total.satisfied &= s.satisfied;
            total.score += s.score;
            total.violations += s.violations;
            total.examples.extend(s.examples);
        }
        total.examples.truncate(crate::goals::EXAMPLES);
        total
    }

    fn optimize(&self, run: &mut GoalRun<'_, '_>) -> Result<(), HardGoalFailure> {
        // Each resource in turn, never pushing another resource over its capacity.
        for band in &self.bands {
            rebalance(
                run,
                &Target {
                    band,
                    keep: &self.bands,
                },
            );
        }
        Ok(())
    }

    fn accepts(&self, proposal: &Proposal, _state: &ClusterState<'_>) -> bool {
        self.bands.iter().all(|band| band.accepts(proposal))
    }

    fn skipped(&self, _state: &ClusterState<'_>) -> Option<Skipped> {
        if self.bands.is_empty() {
            return Some(Skipped::whole(NO_CAPACITY_DATA));
        }
        let unbounded: Vec<Resource> = Resource::LOADS
            .into_iter()
            .filter(|&r| !self.bands.iter().any(|band| band.resource == Some(r)))
            .collect();
        (!unbounded.is_empty()).then(|| Skipped::partly(NO_CAPACITY_DATA, &unbounded))
    }

    fn bands(&self) -> Vec<&Band> {
        self.bands.iter().collect()
    }

    fn failure(&self, state: &ClusterState<'_>) -> HardGoalFailure {
        let mut excesses = Vec::new();
        for band in &self.bands {
            let Some(resource) = band.resource else {
                continue;
            };
            for (broker, _) in band.offenders(state) {
                excesses.push(CapacityExcess {
                    broker,
                    resource,
                    load: resource.of(&state.stats()[broker as usize]),
                    limit: band.hi[broker as usize],
                });
            }
        }
        HardGoalFailure::Capacity(excesses)
    }
}
