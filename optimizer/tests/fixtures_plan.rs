//! End-to-end goal runs over the bundled fixtures: hard goals hold, the plan re-applies to the
//! state it reports, and planning again from the result changes nothing.

use kplace_optimizer::load_model::broker_stats;
use kplace_optimizer::planner::{make_plan, PlanRequest};
use kplace_placement::model::{ClusterModel, ModelOptions};
use kplace_placement::parse::{parse_policy, parse_snapshot};
use kplace_placement::snapshot::Snapshot;

fn load(name: &str) -> (Snapshot, kplace_placement::policy::Policy) {
    let dir = format!("{}/../fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let snapshot = parse_snapshot(
        &std::fs::read(format!("{dir}/snapshot.json")).unwrap(),
        "snapshot",
    )
    .unwrap();
    let policy = parse_policy(
        &std::fs::read_to_string(format!("{dir}/policy.yaml")).unwrap(),
        "policy",
    )
    .unwrap();
    (snapshot, policy)
}

/// The snapshot with the plan's replica lists applied (leaders at the preferred position).
fn applied(snapshot: &Snapshot, model: &ClusterModel, after: &[Vec<u32>]) -> Snapshot {
    let mut next = snapshot.clone();
    for spec in &mut next.partitions {
        let p = model.partition_index(&spec.topic, spec.partition).unwrap();
        let ids = model.broker_ids(&after[p as usize]);
        if ids != spec.replicas {
            spec.leader = None;
            spec.isr = None;
            spec.replicas = ids;
        }
    }
    next
}

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
