//! End-to-end goal runs over the bundled fixtures: hard goals hold, the plan re-applies to the
//! state it reports, and planning again from the result changes nothing.

use kplace_optimizer::load_model::broker_stats;
use kplace_optimizer::planner::{make_plan, PlanRequest};
use kplace_placement::model::{ClusterModel, ModelOptions};

mod support;
use support::{applied, fixture as load};

#[test]
fn default_goals_on_fixtures_meet_hard_goals_and_are_idempotent() {
    for name in ["stretch", "rack-aware"] {
        let (snapshot, policy) = load(name);
        let model = ClusterModel::build(&snapshot, &policy, &ModelOptions::default()).unwrap();
        let plan = make_plan(&model, &PlanRequest::default()).unwrap();
        for goal in &plan.goals {
            println!(
                "{name}: {} before {:?} after {:?}",
                goal.name, goal.before.violations, goal.after.violations
            );
            if goal.hard {
                assert!(
                    goal.after.satisfied,
                    "{name}: hard goal {} violated: {:?}",
                    goal.name, goal.after.examples
                );
            }
        }
        let after = plan.apply_to(&model).unwrap();
        let reported: Vec<_> = plan.brokers.iter().map(|b| b.after).collect();
        assert_eq!(
            broker_stats(&model, &after),
            reported,
            "{name}: applying the plan gives the state it reports"
        );

        let next = applied(&snapshot, &model, &after);
        let model2 = ClusterModel::build(&next, &policy, &ModelOptions::default()).unwrap();
        let again = make_plan(&model2, &PlanRequest::default()).unwrap();
        assert_eq!(
            again.totals.replica_moves,
            0,
            "{name}: a second plan moves nothing: {:?}",
            again.partitions.first()
        );
    }
}
