//! Properties of the goal engine on random small stretch clusters (3 zones x 2 Kubernetes
//! clusters, a dead broker now and then, random sizes and loads, legacy placements that break the
//! policy): a later goal never makes an earlier goal worse, so hard goals stay met; the plan's
//! reported state is what applying it gives; planning again from the result moves nothing.

use kplace_optimizer::engine::{evaluate, optimize_observed};
use kplace_optimizer::goals::goals_by_name;
use kplace_optimizer::limits::Limits;
use kplace_optimizer::load_model::broker_stats;
use kplace_optimizer::planner::{make_plan, PlanRequest};
use proptest::prelude::*;

mod support;
use support::{applied, cluster, default_goal_names as names, model};

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// After each goal's turn, every goal of higher priority is no worse than at the end of its
    /// own latest turn, and a hard goal met stays met.
    #[test]
    fn later_goals_never_make_earlier_goals_worse(snapshot in cluster()) {
        let model = model(&snapshot);
        let limits = Limits::none(&model);
        let goals = goals_by_name(&names(), &Default::default()).expect("known goals");
        let mut last: Vec<Option<(bool, f64)>> = vec![None; goals.len()];
        let mut failures: Vec<String> = Vec::new();
        let _ = optimize_observed(&model, model.current().clone(), goals, &limits, &mut |index, state, goals| {
            for (j, goal) in goals.iter().enumerate().take(index) {
                let Some((was_satisfied, was_score)) = last[j] else { continue };
                let now = goal.state(state);
                if now.score > was_score + 1e-6 * was_score.abs().max(1.0) {
                    failures.push(format!("{} got worse in {}'s turn: {} -> {}", goal.name(), goals[index].name(), was_score, now.score));
                }
                if goal.hard() && was_satisfied && !now.satisfied {
                    failures.push(format!("hard goal {} broken by {}", goal.name(), goals[index].name()));
                }
            }
            let own = goals[index].state(state);
            last[index] = Some((own.satisfied, own.score));
        });
        prop_assert!(failures.is_empty(), "{:?}", failures);
    }

    /// The plan reports the broker load and goal states that applying it gives, and planning
    /// again from the result moves nothing.
    #[test]
    fn plans_report_what_they_do_and_are_idempotent(snapshot in cluster()) {
        let model = model(&snapshot);
        let Ok(plan) = make_plan(&model, &PlanRequest::default()) else { return Ok(()) };
        let after = plan.apply_to(&model).expect("plan fits its model");
        let reported: Vec<_> = plan.brokers.iter().map(|b| b.after).collect();
        prop_assert_eq!(broker_stats(&model, &after), reported);
        let mut goals = goals_by_name(&names(), &Default::default()).expect("known goals");
        let states = evaluate(&model, after.clone(), &mut goals, &Limits::none(&model));
        for ((name, _, state), outcome) in states.iter().zip(&plan.goals) {
            prop_assert_eq!(name, &outcome.name);
            prop_assert_eq!(state, &outcome.after);
        }

        let next = applied(&snapshot, &model, &after);
        let model2 = self::model(&next);
        let again = make_plan(&model2, &PlanRequest::default()).expect("a plan that worked once works again");
        prop_assert_eq!(again.totals.replica_moves, 0, "second plan moves {:?}", again.partitions);
        prop_assert_eq!(again.totals.leader_moves, 0, "second plan moves leaders {:?}", again.partitions);
    }
}
