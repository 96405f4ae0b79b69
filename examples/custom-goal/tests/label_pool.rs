//! The example goal plugs into `make_plan` and is honoured: each test plans once with the goal and
//! once without it, and the two plans differ exactly where the goal says they must (so a request
//! that ignored the registered goal would fail here).

use kplace_example_custom_goal::LabelPool;
use kplace_optimizer::{
    make_plan, GoalPosition, HardGoalFailure, Plan, PlanError, PlanRequest, RegistrationError,
    Strength,
};
use kplace_placement::{check, parse_policy, parse_snapshot, ClusterModel, ModelOptions};

/// Brokers `(id, rack, pool)` and partitions of `topic` with their replica ids.
fn model(brokers: &[(i32, &str, &str)], partitions: &[(&str, Vec<i32>)]) -> ClusterModel {
    let brokers: Vec<String> = brokers
        .iter()
        .map(|(id, rack, pool)| {
            format!(r#"{{"id": {id}, "rack": "{rack}", "labels": {{"pool": "{pool}"}}}}"#)
        })
        .collect();
    let mut numbers = std::collections::HashMap::new();
    let partitions: Vec<String> = partitions
        .iter()
        .map(|(topic, replicas)| {
            let number = numbers.entry(*topic).or_insert(0);
            *number += 1;
            format!(
                r#"{{"topic": "{topic}", "partition": {}, "replicas": {replicas:?}, "size": 1000}}"#,
                *number - 1
            )
        })
        .collect();
    let snapshot = format!(
        r#"{{"brokers": [{}], "partitions": [{}]}}"#,
        brokers.join(","),
        partitions.join(",")
    );
    let snapshot = parse_snapshot(snapshot.as_bytes(), "snapshot.json").expect("snapshot");
    let policy = parse_policy(
        "rules: [{topics: '.*', spread: {rack: even}}]",
        "policy.yaml",
    )
    .expect("policy");
    ClusterModel::build(&snapshot, &policy, &ModelOptions::default()).expect("model")
}

/// Three racks, one ssd and one hdd broker in each.
const BROKERS: [(i32, &str, &str); 6] = [
    (1, "a", "ssd"),
    (2, "a", "hdd"),
    (3, "b", "ssd"),
    (4, "b", "hdd"),
    (5, "c", "ssd"),
    (6, "c", "hdd"),
];

fn ssd_pool() -> LabelPool {
    LabelPool::new("ssd-pool", "payments", "pool", "ssd").expect("pattern")
}

fn with_pool(strength: Strength) -> PlanRequest {
    PlanRequest::new().with_goal(ssd_pool(), GoalPosition::After("spread".into()), strength)
}

/// Replicas of `topic` on hdd brokers after `plan`.
fn on_hdd(model: &ClusterModel, plan: &Plan, topic: &str) -> usize {
    let after = plan.apply_to(model).expect("plan fits its model");
    let mut count = 0;
    for (p, replicas) in after.iter().enumerate() {
        if model.topics()[model.partitions()[p].topic as usize].name == topic {
            count += replicas
                .iter()
                .filter(|&&b| model.brokers()[b as usize].id % 2 == 0)
                .count();
        }
    }
    assert!(
        check(model, &after).is_empty(),
        "the spread rule still holds"
    );
    count
}

#[test]
fn replicas_outside_the_pool_move_into_it() {
    // Spread-correct already (one replica per rack); 5 of the 6 payments replicas are on hdd.
    let model = model(
        &BROKERS,
        &[
            ("payments", vec![2, 4]),
            ("payments", vec![4, 6]),
            ("payments", vec![1, 6]),
            ("logs", vec![2, 3]),
            ("logs", vec![4, 5]),
        ],
    );
    let without = make_plan(&model, &PlanRequest::new()).expect("plan without the goal");
    assert!(
        on_hdd(&model, &without, "payments") > 0,
        "nothing else moves them"
    );

    let plan = make_plan(&model, &with_pool(Strength::Hard)).expect("plan with the goal");
    assert_eq!(on_hdd(&model, &plan, "payments"), 0);
    let outcome = plan
        .goals
        .iter()
        .find(|g| g.name == "ssd-pool")
        .expect("the goal is in the plan's goal table");
    assert!(outcome.hard);
    assert_eq!(outcome.before.violations, 5);
    assert!(outcome.after.satisfied);
    let names: Vec<&str> = plan.goals.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(
        names[..2],
        ["spread", "ssd-pool"],
        "registered right after spread"
    );
}

#[test]
fn later_goals_cannot_move_replicas_out_of_the_pool() {
    // Every payments replica on the ssd brokers: replica-balance wants half of them on hdd.
    let partitions: Vec<(&str, Vec<i32>)> = (0..6)
        .map(|i| {
            (
                "payments",
                [vec![1, 3], vec![3, 5], vec![5, 1]][i % 3].clone(),
            )
        })
        .collect();
    let model = model(&BROKERS, &partitions);
    let without = make_plan(&model, &PlanRequest::new()).expect("plan without the goal");
    assert!(
        on_hdd(&model, &without, "payments") > 0,
        "replica-balance moves replicas to the empty hdd brokers"
    );

    let plan = make_plan(&model, &with_pool(Strength::Hard)).expect("plan with the goal");
    assert_eq!(on_hdd(&model, &plan, "payments"), 0, "the goal vetoes them");
}

#[test]
fn a_hard_goal_that_cannot_be_met_fails_the_plan_and_a_soft_one_does_its_best() {
    // Rack c has no ssd broker, and the spread rule (checked first) keeps a replica in rack c.
    let brokers = [
        (1, "a", "ssd"),
        (2, "a", "hdd"),
        (3, "b", "ssd"),
        (4, "b", "hdd"),
        (6, "c", "hdd"),
    ];
    let model = model(&brokers, &[("payments", vec![2, 4, 6])]);
    match make_plan(&model, &with_pool(Strength::Hard)) {
        Err(PlanError::HardGoal(HardGoalFailure::Unmet { goal, state })) => {
            assert_eq!(goal, "ssd-pool");
            assert_eq!(state.violations, 1, "only rack c's replica is left outside");
            assert!(
                state.examples[0].contains("broker 6"),
                "{:?}",
                state.examples
            );
        }
        other => panic!("expected the goal's failure, got {other:?}"),
    }

    let plan = make_plan(&model, &with_pool(Strength::Soft)).expect("soft goals never fail");
    assert_eq!(on_hdd(&model, &plan, "payments"), 1);
    let outcome = plan
        .goals
        .iter()
        .find(|g| g.name == "ssd-pool")
        .expect("goal");
    assert!(!outcome.hard && !outcome.after.satisfied);
}

#[test]
fn registrations_that_cannot_be_placed_are_refused() {
    let model = model(&BROKERS, &[("payments", vec![1, 3])]);
    let unknown = PlanRequest::new().with_goal(
        ssd_pool(),
        GoalPosition::Before("no-such-goal".into()),
        Strength::Hard,
    );
    assert!(matches!(
        make_plan(&model, &unknown),
        Err(PlanError::Registration(
            RegistrationError::UnknownAnchor { .. }
        ))
    ));
    let taken = LabelPool::new("spread", "payments", "pool", "ssd").expect("pattern");
    let twice = PlanRequest::new().with_goal(taken, GoalPosition::Last, Strength::Soft);
    assert!(matches!(
        make_plan(&model, &twice),
        Err(PlanError::Registration(
            RegistrationError::DuplicateName { .. }
        ))
    ));
}
