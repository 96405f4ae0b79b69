//! The exact (MILP) placement as the heuristic's reference: on generated instances the exact
//! placement meets every goal it models (spread, capacity, domain survival, the replica, disk,
//! network, CPU and leader balance bands), and the heuristic meets the same goals with at most 5%
//! more replica moves than the optimum. Sizes are equal, so bytes and moves rank alike.

// HiGHS only: the pure-Rust fallback (microlp) cannot solve these programs with leadership
// variables in reasonable time. The test suite (scripts/test) builds with `exact-highs`.
#![cfg(feature = "exact-highs")]

use kplace_optimizer::config::GoalConfig;
use kplace_optimizer::engine::evaluate;
use kplace_optimizer::exact::{solve_exact, MetBounds};
use kplace_optimizer::goals::{default_goal_names, goals_by_name};
use kplace_optimizer::limits::Limits;
use kplace_optimizer::load_model::FOLLOWER_CPU_SHARE;
use kplace_optimizer::planner::{make_plan, PlanRequest};
use kplace_placement::check::check;
use kplace_placement::model::{ClusterModel, ModelOptions};
use kplace_placement::snapshot::{Capacity, Load, PartitionSpec, Snapshot};

mod support;
use support::{policy_without_leader_preference, stretch_brokers, XorShift};

/// The goals exact mode models, in priority order: the default list but topic balance and
/// leader preference.
fn modelled_goals() -> Vec<String> {
    let mut goals = default_goal_names();
    goals.retain(|g| !matches!(g.as_str(), "topic-balance" | "leader-preference"));
    goals
}

/// A stretch cluster with `per_cell` brokers per (zone, cluster), random (often invalid) replica
/// lists, and one broker taking many extra replicas so that balance needs moves too.
fn instance(seed: u64, per_cell: usize, partitions: usize) -> Snapshot {
    let mut rng = XorShift::new(seed);
    let brokers = stretch_brokers(per_cell, None);
    let partitions = (0..partitions)
        .map(|i| {
            let payments = i % 5 == 0;
            let rf = if payments { 6 } else { 3 };
            let mut replicas: Vec<i32> = vec![1 + (i % 2) as i32];
            rng.fill_replicas(&mut replicas, rf, brokers.len());
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
        .current()
        .iter()
        .zip(after)
        .map(|(old, new)| new.iter().filter(|b| !old.contains(b)).count())
        .sum()
}

#[test]
fn heuristic_is_within_five_percent_of_the_exact_optimum() {
    let policy = policy_without_leader_preference();
    let goals = modelled_goals();
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
        let solved = solve_exact(&model, &Limits::none(&model), &GoalConfig::default())
            .expect("exact placement exists");
        assert_eq!(solved.met, MetBounds::EveryBand, "seed {seed}");
        assert!(solved.proven_optimal, "seed {seed}: solved to optimality");
        let exact = solved.assignment;
        assert!(
            check(&model, &exact).is_empty(),
            "seed {seed}: exact placement meets the policy"
        );
        let optimum = moves(&model, &exact);
        let mut modelled = goals_by_name(&goals, &GoalConfig::default()).expect("goals");
        let limits = Limits::none(&model);
        for (name, _, state) in evaluate(&model, exact.clone(), &mut modelled, &limits) {
            assert!(
                state.satisfied,
                "seed {seed}: exact placement leaves {name} violated: {:?}",
                state.examples
            );
        }

        let plan = make_plan(&model, &PlanRequest::new().with_goals(goals.clone())).expect("plan");
        for goal in &plan.goals {
            assert!(
                goal.after.satisfied,
                "seed {seed}: heuristic leaves {} violated: {:?}",
                goal.name, goal.after.examples
            );
        }
        let heuristic = plan.totals.replica_moves as usize;
        let spread_only =
            make_plan(&model, &PlanRequest::new().with_goals(["spread"])).expect("plan");
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

/// `instance` with random sizes and loads, and every broker's capacity set so that the capacity
/// thresholds allow 1.2 times the mean load (brokers 1 and 2 lead everything at first, so their
/// network out and CPU start above capacity).
fn loaded_instance(seed: u64, per_cell: usize, partitions: usize) -> Snapshot {
    let mut snapshot = instance(seed, per_cell, partitions);
    let mut rng = XorShift::new(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let mut next = move |n: u64| rng.below(n as usize) as u64;
    let (mut disk, mut network_in, mut network_out, mut cpu) = (0.0, 0.0, 0.0, 0.0);
    for p in &mut snapshot.partitions {
        p.size = (1 + next(1_000)) * 1_000_000;
        p.load = Load {
            network_in: (1 + next(100)) as f64,
            network_out: (1 + next(300)) as f64,
            cpu: (1 + next(10)) as f64 / 10.0,
        };
        let followers = (p.replicas.len() - 1) as f64;
        disk += p.size as f64 * p.replicas.len() as f64;
        network_in += p.load.network_in * p.replicas.len() as f64;
        network_out += p.load.network_out;
        cpu += p.load.cpu * (1.0 + followers * FOLLOWER_CPU_SHARE);
    }
    let brokers = snapshot.brokers.len() as f64;
    let config = GoalConfig::default();
    let room = |total: f64, threshold: f64| Some(1.2 * total / brokers / threshold);
    for broker in &mut snapshot.brokers {
        broker.capacity = Capacity {
            disk: room(disk, config.disk_capacity_threshold),
            network_in: room(network_in, config.network_in_capacity_threshold),
            network_out: room(network_out, config.network_out_capacity_threshold),
            cpu: room(cpu, config.cpu_capacity_threshold),
        };
    }
    snapshot
}

#[test]
fn exact_placement_meets_capacity_and_every_band_under_real_loads() {
    let policy = policy_without_leader_preference();
    for (seed, per_cell, partitions) in [(11, 1, 90), (12, 1, 150), (13, 2, 240)] {
        let snapshot = loaded_instance(seed, per_cell, partitions);
        let model = ClusterModel::build(&snapshot, &policy, &ModelOptions::default())
            .expect("valid instance");
        let limits = Limits::none(&model);
        let solved = solve_exact(&model, &limits, &GoalConfig::default()).expect("exact placement");
        let exact = solved.assignment;
        let mut goals = goals_by_name(&modelled_goals(), &GoalConfig::default()).expect("goals");
        let before = evaluate(&model, model.current().clone(), &mut goals, &limits);
        assert!(
            !before[1].2.satisfied,
            "seed {seed}: the instance starts over capacity"
        );
        for (name, hard, state) in evaluate(&model, exact.clone(), &mut goals, &limits) {
            assert!(
                state.satisfied || !(hard || solved.met == MetBounds::EveryBand),
                "seed {seed}: exact placement ({:?}) leaves {name} violated: {:?}",
                solved.met,
                state.examples
            );
        }
        // The heuristic is greedy: where a capacity can only be met by rearranging several
        // partitions at once (here, when both brokers of the overloaded cell lead everything),
        // it may fail a hard goal that the exact placement meets. Record what it does; when it
        // meets every modelled goal, the exact placement must copy no more than it does.
        let optimum = bytes(&model, &exact);
        let request = PlanRequest::new().with_goals(modelled_goals());
        match make_plan(&model, &request) {
            Ok(plan) => {
                let unmet: Vec<&String> = plan
                    .goals
                    .iter()
                    .filter(|g| !g.after.satisfied)
                    .map(|g| &g.name)
                    .collect();
                println!(
                    "seed {seed}: {partitions} partitions, exact ({:?}, optimal {}) {optimum} bytes, heuristic {} bytes ({:+.1}%), unmet {unmet:?}",
                    solved.met,
                    solved.proven_optimal,
                    plan.totals.bytes_to_move,
                    (plan.totals.bytes_to_move as f64 / optimum.max(1) as f64 - 1.0) * 100.0,
                );
                if unmet.is_empty() && solved.met == MetBounds::EveryBand && solved.proven_optimal {
                    assert!(
                        optimum as f64 <= plan.totals.bytes_to_move as f64 * 1.0001,
                        "seed {seed}: the exact placement copies more than the heuristic"
                    );
                }
            }
            Err(error) => println!(
                "seed {seed}: {partitions} partitions, exact ({:?}) {optimum} bytes, heuristic fails: {error:?}",
                solved.met
            ),
        }
    }
}

/// Bytes the placement `after` copies.
fn bytes(model: &ClusterModel, after: &[Vec<u32>]) -> u64 {
    model
        .current()
        .iter()
        .zip(after)
        .enumerate()
        .map(|(index, (old, new))| {
            new.iter().filter(|b| !old.contains(b)).count() as u64 * model.partitions()[index].size
        })
        .sum()
}
