//! A hard goal left out of `--goals`, kept as a guard.
//!
//! Cruise Control checks every action against the hard goals whether or not a request names
//! them; kplace does the same: a hard goal missing from the list still judges every action of
//! the named goals (so none makes it worse) but proposes nothing itself, and its being unmet
//! (already before the plan) does not fail the run. The plan records it with `guard: true`.

use crate::goals::{Goal, GoalRun};
use crate::hard_failure::HardGoalFailure;
use crate::limits::Limits;
use crate::plan::GoalState;
use crate::state::{ClusterState, Proposal};

/// A hard goal that only vetoes.
pub struct Guard(pub Box<dyn Goal>);

impl Goal for Guard {
    fn name(&self) -> &str {
        self.0.name()
    }

    fn hard(&self) -> bool {
        true
    }

    fn guard(&self) -> bool {
        true
    }

    fn prepare(&mut self, state: &ClusterState<'_>, limits: &Limits) {
        self.0.prepare(state, limits);
    }

    fn state(&self, state: &ClusterState<'_>) -> GoalState {
        self.0.state(state)
    }

    fn optimize(&self, _run: &mut GoalRun<'_, '_>) -> Result<(), HardGoalFailure> {
        Ok(())
    }

    fn accepts(&self, proposal: &Proposal, state: &ClusterState<'_>) -> bool {
        self.0.accepts(proposal, state)
    }

    fn skipped(&self, state: &ClusterState<'_>) -> Option<crate::skipped::Skipped> {
        self.0.skipped(state)
    }

    fn bands(&self) -> Vec<&crate::goals::band::Band> {
        self.0.bands()
    }
}

#[cfg(test)]
mod tests {
    use crate::planner::PlanRequest;

    #[test]
    fn hard_goals_left_out_come_first_as_guards() {
        let request = PlanRequest {
            goals: vec!["replica-balance".into(), "capacity".into()],
            ..PlanRequest::default()
        };
        let goals = request.build_goals().expect("known goals");
        let names: Vec<(&str, bool, bool)> = goals
            .iter()
            .map(|g| (g.name(), g.hard(), g.guard()))
            .collect();
        assert_eq!(
            names,
            vec![
                ("spread", true, true),
                ("domain-survival", true, true),
                ("replica-balance", false, false),
                ("capacity", true, false),
            ]
        );
        let every = PlanRequest::default().build_goals().expect("defaults");
        assert!(every.iter().all(|g| !g.guard()), "no guard by default");
    }
}
