//! What the self-healing job restores: the hard goals of the default goal list (spread,
//! capacity, domain survival). Balance goals are left to planned rebalances an engineer reviews.

use kplace_placement::model::ClusterModel;

use crate::config::GoalConfig;
use crate::engine::evaluate;
use crate::goals::{goal_by_name, Goal, DEFAULT_GOALS};
use crate::limits::Limits;

/// The hard goals of [`DEFAULT_GOALS`], in priority order, with default thresholds.
pub fn hard_goals() -> Vec<Box<dyn Goal>> {
    let config = GoalConfig::default();
    DEFAULT_GOALS
        .iter()
        .filter_map(|name| goal_by_name(name, &config).ok())
        .filter(|goal| goal.hard())
        .collect()
}

/// The names of [`hard_goals`], for a plan request's goal list.
pub fn hard_goal_names() -> Vec<String> {
    hard_goals()
        .iter()
        .map(|goal| goal.name().to_string())
        .collect()
}

/// Violations of the hard goals in the model's current state, summed over the goals.
pub fn hard_goal_violations(model: &ClusterModel) -> usize {
    let mut goals = hard_goals();
    evaluate(
        model,
        model.current().clone(),
        &mut goals,
        &Limits::none(model),
    )
    .iter()
    .map(|(_, _, state)| state.violations as usize)
    .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hard_goals_are_spread_capacity_and_domain_survival() {
        assert_eq!(
            hard_goal_names(),
            vec!["spread", "capacity", "domain-survival"]
        );
    }
}
