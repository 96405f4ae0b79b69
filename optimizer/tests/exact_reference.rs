//! The exact (MILP) placement as the heuristic's reference: on generated instances the heuristic
//! meets the same bounds (spread, domain survival, disk capacity, replica balance) with at most 5%
//! more replica moves than the optimum. Sizes are equal, so bytes and moves rank alike.

#![cfg(any(feature = "exact-highs", feature = "exact-microlp"))]

use kplace_optimizer::config::GoalConfig;
use kplace_optimizer::exact::solve_exact;
use kplace_optimizer::limits::Limits;
use kplace_optimizer::planner::{make_plan, PlanRequest};
use kplace_placement::check::check;
use kplace_placement::model::{ClusterModel, ModelOptions};
use kplace_placement::parse::parse_policy;
use kplace_placement::snapshot::{BrokerSpec, PartitionSpec, Snapshot};

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
"#;

/// A stretch cluster with `per_cell` brokers per (zone, cluster), random (often invalid) replica
/// lists, and one broker taking many extra replicas so that balance needs moves too.
fn instance(seed: u64, per_cell: usize, partitions: usize) -> Snapshot {
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
            alive: true,
            ..BrokerSpec::default()
        })
        .collect();
    let partitions = (0..partitions)
        .map(|i| {
            let payments = i % 5 == 0;
            let rf = if payments { 6 } else { 3 };
            let mut replicas: Vec<i32> = vec![1 + (i % 2) as i32];
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
                    format!("events-{}", i % 4)
                },
                partition: i as i32,
                replicas,
                size: 1_000_000_000,
                ..PartitionSpec::default()
            }
        })
        .collect();
    Snapshot {
        brokers,
        partitions,
        ..Snapshot::default()
    }
}

fn moves(model: &ClusterModel, after: &[Vec<u32>]) -> usize {
    model
        .current
        .iter()
        .zip(after)
        .map(|(old, new)| new.iter().filter(|b| !old.contains(b)).count())
        .sum()
}

#[test]
fn heuristic_is_within_five_percent_of_the_exact_optimum() {
    let policy = parse_policy(POLICY, "policy").expect("policy parses");
    let goals: Vec<String> = ["spread", "capacity", "domain-survival", "replica-balance"]
        .map(String::from)
        .to_vec();
    let mut worst: f64 = 0.0;
    for (seed, per_cell, partitions) in [
        (1, 2, 60),
        (2, 2, 120),
        (3, 3, 150),
        (4, 3, 240),
        (5, 4, 300),
    ] {
        let snapshot = instance(seed, per_cell, partitions);
        let model = ClusterModel::build(&snapshot, &policy, &ModelOptions::default())
            .expect("valid instance");
        let exact = solve_exact(&model, &Limits::none(&model), &GoalConfig::default())
            .expect("exact placement exists");
        assert!(
            check(&model, &exact).is_empty(),
            "seed {seed}: exact placement meets the policy"
        );
        let optimum = moves(&model, &exact);

        let plan = make_plan(
            &model,
            &PlanRequest {
                goals: goals.clone(),
                ..PlanRequest::default()
            },
        )
        .expect("plan");
        for goal in &plan.goals {
            assert!(
                goal.after.satisfied,
                "seed {seed}: heuristic leaves {} violated: {:?}",
                goal.name, goal.after.examples
            );
        }
        let heuristic = plan.totals.replica_moves as usize;
        let spread_only = make_plan(
            &model,
            &PlanRequest {
                goals: vec!["spread".into()],
                ..PlanRequest::default()
            },
        )
        .expect("plan");
        println!(
            "seed {seed}: spread alone {} moves; replica-balance before {:?}",
            spread_only.totals.replica_moves, plan.goals[3].before.violations
        );
        println!(
            "seed {seed}: {partitions} partitions, optimum {optimum} moves, heuristic {heuristic}"
        );
        worst = worst.max(heuristic as f64 / optimum.max(1) as f64);
    }
    assert!(
        worst <= 1.05,
        "heuristic needs {:.1}% more moves than the optimum on some instance",
        (worst - 1.0) * 100.0
    );
}
