//! Properties of the goal engine on random small stretch clusters (3 zones x 2 Kubernetes
//! clusters, a dead broker now and then, random sizes and loads, legacy placements that break the
//! policy): a later goal never makes an earlier goal worse, so hard goals stay met; the plan's
//! reported state is what applying it gives; planning again from the result moves nothing.

use kplace_optimizer::engine::{evaluate, optimize_observed};
use kplace_optimizer::goals::{goals_by_name, DEFAULT_GOALS};
use kplace_optimizer::limits::Limits;
use kplace_optimizer::load_model::broker_stats;
use kplace_optimizer::planner::{make_plan, PlanRequest};
use kplace_placement::model::{ClusterModel, ModelOptions};
use kplace_placement::parse::parse_policy;
use kplace_placement::snapshot::{BrokerSpec, Load, PartitionSpec, Snapshot};
use proptest::prelude::*;

const POLICY: &str = r#"
rack_pattern: '^(?P<zone>az[0-9]+)/(?P<cluster>k8s-[a-z]+)$'
rules:
  - topics: 'payments\..*'
    replication_factor: 6
    spread: {zone: even, cluster: even}
    min_insync_replicas: 3
    survive: [zone, cluster]
  - topics: '.*'
    replication_factor: 3
    spread: {zone: even}
    min_insync_replicas: 2
    survive: [zone]
    leader: {cluster: k8s-a}
"#;

/// A random stretch cluster: 2 or 3 brokers per cell, partitions with random replica lists.
fn cluster() -> impl Strategy<Value = Snapshot> {
    (
        2usize..=3,
        4usize..=24,
        proptest::option::of(0usize..12),
        any::<u64>(),
    )
        .prop_map(|(per_cell, partitions, dead, seed)| {
            let mut state = seed | 1;
            let mut next = move |n: usize| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state % n as u64) as usize
            };
            let brokers: Vec<BrokerSpec> = (0..6 * per_cell)
                .map(|i| BrokerSpec {
                    id: i as i32 + 1,
                    rack: Some(format!(
                        "az{}/k8s-{}",
                        i / (2 * per_cell) + 1,
                        ["a", "b"][(i / per_cell) % 2]
                    )),
                    alive: dead != Some(i),
                    ..BrokerSpec::default()
                })
                .collect();
            let partitions = (0..partitions)
                .map(|i| {
                    let payments = i % 3 == 0;
                    let rf = if payments { 6 } else { 3 };
                    let mut replicas: Vec<i32> = Vec::new();
                    while replicas.len() < rf {
                        let b = next(brokers.len()) as i32 + 1;
                        if !replicas.contains(&b) {
                            replicas.push(b);
                        }
                    }
                    PartitionSpec {
                        topic: if payments {
                            "payments.ledger".into()
                        } else {
                            format!("events-{}", i % 2)
                        },
                        partition: i as i32,
                        replicas,
                        size: 1 + next(1000) as u64 * 1_000_000,
                        load: Load {
                            network_in: next(100) as f64,
                            network_out: next(300) as f64,
                            cpu: next(10) as f64 / 10.0,
                        },
                        ..PartitionSpec::default()
                    }
                })
                .collect();
            Snapshot {
                brokers,
                partitions,
                ..Snapshot::default()
            }
        })
}

fn model(snapshot: &Snapshot) -> ClusterModel {
    let policy = parse_policy(POLICY, "policy").expect("test policy parses");
    ClusterModel::build(snapshot, &policy, &ModelOptions::default())
        .expect("generated snapshot is valid")
}

/// The snapshot with new replica lists applied (changed partitions led by their first replica).
fn applied(snapshot: &Snapshot, model: &ClusterModel, after: &[Vec<u32>]) -> Snapshot {
    let mut next = snapshot.clone();
    for spec in &mut next.partitions {
        let p = model
            .partition_index(&spec.topic, spec.partition)
            .expect("partition exists");
        let ids = model.broker_ids(&after[p as usize]);
        if ids != spec.replicas {
            spec.replicas = ids;
            spec.leader = None;
            spec.isr = None;
        }
    }
    next
}

fn names() -> Vec<String> {
    DEFAULT_GOALS.iter().map(|g| g.to_string()).collect()
}

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
        let _ = optimize_observed(&model, model.current.clone(), goals, &limits, &mut |index, state, goals| {
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
