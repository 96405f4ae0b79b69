//! Drains move only what the operation requires: `--remove-brokers 1,7` on a stretch cluster
//! with 3 brokers per cell (zone × Kubernetes cluster) moves exactly the replicas on brokers 1
//! and 7 by default; a full rebalance afterwards is an explicit choice (`--rebalance`). A
//! scale-out (`--add-brokers`, one new broker per cell) moves replicas only onto the new brokers.

use kplace_benches::stretch_cluster::{
    add_broker_per_cell, stretch_policy, stretch_snapshot, StretchSpec,
};
use kplace_optimizer::limits::Operation;
use kplace_optimizer::plan::Plan;
use kplace_optimizer::planner::{make_plan, PlanRequest};
use kplace_placement::model::{ClusterModel, ModelOptions};
use kplace_placement::snapshot::Snapshot;

const REMOVED: [i32; 2] = [1, 7];

fn cluster() -> Snapshot {
    stretch_snapshot(&StretchSpec {
        brokers_per_cell: 3,
        partitions: 246,
        partitions_per_topic: 41,
        broken_fraction: 0.0,
        dead_brokers: 0,
        seed: 14,
        with_load: true,
    })
}

/// The plan of `operation` on the stretch policy, every hard goal met.
fn planned(snapshot: &Snapshot, options: &ModelOptions, operation: Operation) -> Plan {
    let model = ClusterModel::build(snapshot, &stretch_policy(), options).expect("model");
    let plan = make_plan(&model, &PlanRequest::new().with_operation(operation)).expect("plan");
    for goal in plan.goals.iter().filter(|g| g.hard) {
        assert!(
            goal.after.satisfied,
            "{} unmet: {:?}",
            goal.name, goal.after
        );
    }
    plan
}

fn drain(snapshot: &Snapshot, only_required_moves: bool) -> Plan {
    let plan = planned(
        snapshot,
        &ModelOptions::excluding(REMOVED.to_vec()),
        Operation::default().with_only_required_moves(only_required_moves),
    );
    for p in &plan.partitions {
        assert!(
            !p.new_replicas.iter().any(|b| REMOVED.contains(b)),
            "{}-{} still on a removed broker",
            p.topic,
            p.partition
        );
    }
    plan
}

#[test]
fn drain_moves_exactly_the_drained_replicas() {
    let snapshot = cluster();
    let drained = snapshot
        .partitions
        .iter()
        .flat_map(|p| p.replicas.iter())
        .filter(|b| REMOVED.contains(b))
        .count() as u64;
    let plan = drain(&snapshot, true);
    assert_eq!(plan.totals.replica_moves, drained);
    // Only the drained replicas' partitions change (leadership may move within them too).
    let moved: u64 = plan
        .partitions
        .iter()
        .map(|p| {
            p.new_replicas
                .iter()
                .filter(|b| !p.old_replicas.contains(b))
                .count() as u64
        })
        .sum();
    assert_eq!(moved, drained);
    // Asked to rebalance, the soft goals may move more.
    let rebalanced = drain(&snapshot, false);
    eprintln!(
        "drained {drained}: default {} moves, with --rebalance {} moves",
        plan.totals.replica_moves, rebalanced.totals.replica_moves
    );
    assert!(rebalanced.totals.replica_moves > drained);
}

#[test]
fn scale_out_moves_replicas_only_onto_the_new_brokers() {
    let mut snapshot = cluster();
    let added = add_broker_per_cell(&mut snapshot, 3);
    let plan = planned(
        &snapshot,
        &ModelOptions::default(),
        Operation::default().with_add_brokers(added.clone()),
    );
    for p in &plan.partitions {
        let gained: Vec<i32> = p
            .new_replicas
            .iter()
            .copied()
            .filter(|b| !p.old_replicas.contains(b))
            .collect();
        assert!(
            gained.iter().all(|b| added.contains(b)),
            "{}-{}: {:?} -> {:?} adds a replica to an old broker",
            p.topic,
            p.partition,
            p.old_replicas,
            p.new_replicas
        );
    }
    // Every new broker receives load, about its share: 246 partitions x 6 replicas over 24
    // brokers is 61.5 each; the replica band (±10%) asks at least 55.
    for id in &added {
        let broker = plan
            .brokers
            .iter()
            .find(|b| b.id == *id)
            .expect("new broker");
        assert!(
            broker.after.replicas >= 55,
            "new broker {id} holds {} replicas",
            broker.after.replicas
        );
    }
    let gained: u64 = plan
        .partitions
        .iter()
        .map(|p| p.new_replicas.iter().filter(|b| added.contains(b)).count() as u64)
        .sum();
    assert_eq!(
        plan.totals.replica_moves, gained,
        "every move lands on a new broker"
    );
    // The move bound counts what the new brokers must receive to reach the replica band's
    // lower edge (the plan fills them), so it is not zero, and the plan is above it.
    let bound = plan.bounds.as_ref().expect("move bound").replica_moves;
    eprintln!(
        "scale-out: {} moves, move bound {bound}",
        plan.totals.replica_moves
    );
    assert!(bound >= 6 * 55, "bound {bound}");
    assert!(plan.totals.replica_moves >= bound);
}
