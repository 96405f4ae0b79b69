//! Runs one large plan once and prints where the time went, for `/usr/bin/time -v`:
//!
//! ```sh
//! cargo build --release -p kplace-benches --example plan_scale
//! /usr/bin/time -v target/release/examples/plan_scale cruise-control-large
//! ```
//!
//! A second argument runs the improvement phase with that many neighbourhoods (`--improve`;
//! build with `--features kplace-optimizer/exact-highs`).
//!
//! Workloads, all with every default goal:
//! - `cruise-control`: Cruise Control's RandomCluster, 40 brokers, 50,001 replicas;
//! - `cruise-control-large`: 215 brokers, 2.8 million replicas;
//! - `stretch-scale-out`: a valid 1,000,000-partition stretch cluster (RF 6, 600 brokers) grown by
//!   6 brokers, one per (zone, Kubernetes cluster), planned with `--add-brokers`;
//! - `stretch-100k`: 100,000 RF-6 partitions on uneven cells (20 brokers per cell, 2 and 1
//!   empty brokers more in two of them), 3 dead brokers, 10% zone-only, with load (a twentieth
//!   of the generator's, within the brokers' CPU capacity); `stretch-100k-drain` drains brokers
//!   1 and 7 (`--remove-brokers`, only the required moves) and `stretch-100k-scale-out` adds one
//!   broker per cell (`--add-brokers`) to the same cluster healthy (none dead or zone-only).

use std::time::Instant;

use kplace_benches::random_cluster::{rack_aware_policy, random_cluster, RandomClusterSpec};
use kplace_benches::stretch_cluster::{
    add_broker_per_cell, add_brokers_to_cell, stretch_policy, stretch_snapshot, StretchSpec,
};
use kplace_optimizer::limits::Operation;
use kplace_optimizer::planner::{make_plan, PlanRequest};
use kplace_placement::model::{ClusterModel, ModelOptions};
use kplace_placement::policy::Policy;
use kplace_placement::snapshot::Snapshot;

/// The 100,000-partition stretch cluster of issue #14's quality figures: 20 brokers per cell,
/// cells made uneven (2 more brokers in az1/k8s-a, 1 more in az3/k8s-b, all empty), with
/// network and CPU load; `broken`: 3 brokers dead and 10% of the partitions zone-only, else
/// every broker alive and every partition placed as the policy asks.
fn stretch_100k(broken: bool) -> Snapshot {
    let spec = StretchSpec {
        brokers_per_cell: 20,
        partitions: 100_000,
        partitions_per_topic: 50,
        broken_fraction: if broken { 0.10 } else { 0.0 },
        dead_brokers: if broken { 3 } else { 0 },
        seed: 14,
        with_load: true,
    };
    let mut snapshot = stretch_snapshot(&spec);
    // The generator's per-partition load is sized for 1,000,000 partitions on 600 brokers'
    // worth of traffic spread thinner; 5,000 replicas per broker at that load exceed the
    // brokers' CPU capacity, so a twentieth of it.
    for p in &mut snapshot.partitions {
        p.load.network_in /= 20.0;
        p.load.network_out /= 20.0;
        p.load.cpu /= 20.0;
    }
    add_brokers_to_cell(&mut snapshot, spec.brokers_per_cell, 0, 2);
    add_brokers_to_cell(&mut snapshot, spec.brokers_per_cell, 5, 1);
    snapshot
}

/// The snapshot, policy, model options and request of a workload.
fn workload(name: &str) -> Option<(Snapshot, Policy, ModelOptions, PlanRequest)> {
    if let Some(found) = stretch_100k_workload(name) {
        return Some(found);
    }
    let (snapshot, policy, request) = match name {
        "cruise-control" => (
            random_cluster(&RandomClusterSpec::cruise_control()),
            rack_aware_policy(),
            PlanRequest::default(),
        ),
        "cruise-control-large" => (
            random_cluster(&RandomClusterSpec::large()),
            rack_aware_policy(),
            PlanRequest::default(),
        ),
        "stretch-scale-out" => {
            let spec = StretchSpec {
                broken_fraction: 0.0,
                dead_brokers: 0,
                ..StretchSpec::large()
            };
            let mut snapshot = stretch_snapshot(&spec);
            for broker in &mut snapshot.brokers {
                broker.alive = true;
            }
            let added = add_broker_per_cell(&mut snapshot, spec.brokers_per_cell);
            let request =
                PlanRequest::new().with_operation(Operation::default().with_add_brokers(added));
            (snapshot, stretch_policy(), request)
        }
        _ => return None,
    };
    Some((snapshot, policy, ModelOptions::default(), request))
}

/// `stretch-100k` (a full plan of the broken cluster), `stretch-100k-drain` (`--remove-brokers
/// 1,7` of the healthy one) and `stretch-100k-scale-out` (`--add-brokers`, one per cell, to the
/// healthy one).
fn stretch_100k_workload(name: &str) -> Option<(Snapshot, Policy, ModelOptions, PlanRequest)> {
    let mut snapshot = stretch_100k(name == "stretch-100k");
    let (options, request) = match name {
        "stretch-100k" => (ModelOptions::default(), PlanRequest::default()),
        "stretch-100k-drain" => (
            ModelOptions::excluding(vec![1, 7]),
            PlanRequest::new().with_operation(Operation::default().with_only_required_moves(true)),
        ),
        "stretch-100k-scale-out" => {
            let added = add_broker_per_cell(&mut snapshot, 20);
            (
                ModelOptions::default(),
                PlanRequest::new().with_operation(Operation::default().with_add_brokers(added)),
            )
        }
        _ => return None,
    };
    Some((snapshot, stretch_policy(), options, request))
}

fn main() {
    // `RUST_LOG=kplace_optimizer=debug` prints each goal's turn with its time.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let name = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "cruise-control".to_string());
    let start = Instant::now();
    let improve: u32 = std::env::args()
        .nth(2)
        .map_or(0, |n| n.parse().expect("neighbourhoods: a number"));
    let Some((snapshot, policy, options, request)) = workload(&name) else {
        eprintln!(
            "unknown workload '{name}' (cruise-control, cruise-control-large, stretch-scale-out, \
             stretch-100k, stretch-100k-drain, stretch-100k-scale-out)"
        );
        std::process::exit(2);
    };
    let model = match ClusterModel::build(&snapshot, &policy, &options) {
        Ok(model) => model,
        Err(error) => {
            eprintln!("model: {error}");
            std::process::exit(2);
        }
    };
    drop(snapshot);
    let built = start.elapsed();
    let plan = match make_plan(&model, &request.with_improve(improve)) {
        Ok(plan) => plan,
        Err(error) => {
            eprintln!("plan: {error}");
            std::process::exit(3);
        }
    };
    let planned = start.elapsed() - built;
    println!(
        "workload {name}: {} brokers, {} partitions",
        model.brokers().len(),
        model.partitions().len()
    );
    println!(
        "generate + model: {:.2} s, plan (all default goals): {:.2} s",
        built.as_secs_f64(),
        planned.as_secs_f64()
    );
    println!(
        "moves: {} replicas ({} bytes), {} leaders, {} partitions changed",
        plan.totals.replica_moves,
        plan.totals.bytes_to_move,
        plan.totals.leader_moves,
        plan.totals.partitions_changed
    );
    for goal in &plan.goals {
        println!(
            "  {:<20} hard={:<5} before: {:>7} violations (score {:>10.2})  after: {:>7} (score {:>10.2})  cost: {} moves, {} bytes",
            goal.name, goal.hard, goal.before.violations, goal.before.score, goal.after.violations, goal.after.score,
            goal.cost.replica_moves, goal.cost.bytes_to_move
        );
        if let Some(b) = &goal.bound {
            println!(
                "      {}: {} -> {}, bound {} ({:?})",
                b.metric, b.before, b.after, b.bound, b.kind
            );
        }
    }
    if let Some(i) = &plan.improvement {
        println!(
            "improve: {} of {} neighbourhoods solved, {} kept, {} moves ({} bytes)",
            i.solved, i.budget, i.kept, i.cost.replica_moves, i.cost.bytes_to_move
        );
    }
    if let Some(b) = &plan.bounds {
        println!(
            "move bound: {} replicas, {} bytes",
            b.replica_moves, b.bytes_to_move
        );
    }
}
