//! Runs one large plan once and prints where the time went, for `/usr/bin/time -v`:
//!
//! ```sh
//! cargo build --release -p kplace-benches --example plan_scale
//! /usr/bin/time -v target/release/examples/plan_scale cruise-control-large
//! ```
//!
//! Workloads, all with every default goal:
//! - `cruise-control`: Cruise Control's RandomCluster, 40 brokers, 50,001 replicas;
//! - `cruise-control-large`: 215 brokers, 2.8 million replicas;
//! - `stretch-scale-out`: a valid 1,000,000-partition stretch cluster (RF 6, 600 brokers) grown by
//!   6 brokers, one per (zone, Kubernetes cluster), planned with `--add-brokers`.

use std::time::Instant;

use kplace_benches::random_cluster::{rack_aware_policy, random_cluster, RandomClusterSpec};
use kplace_benches::stretch_cluster::{stretch_policy, stretch_snapshot, StretchSpec};
use kplace_optimizer::limits::Operation;
use kplace_optimizer::planner::{make_plan, PlanRequest};
use kplace_placement::model::{ClusterModel, ModelOptions};
use kplace_placement::policy::Policy;
use kplace_placement::snapshot::{BrokerSpec, Snapshot};

/// The snapshot, policy and request of a workload.
fn workload(name: &str) -> Option<(Snapshot, Policy, PlanRequest)> {
    match name {
        "cruise-control" => Some((
            random_cluster(&RandomClusterSpec::cruise_control()),
            rack_aware_policy(),
            PlanRequest::default(),
        )),
        "cruise-control-large" => Some((
            random_cluster(&RandomClusterSpec::large()),
            rack_aware_policy(),
            PlanRequest::default(),
        )),
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
            let cells = spec.brokers_per_cell;
            let first_new = snapshot.brokers.len() as i32 + 1;
            for cell in 0..6 {
                let template = snapshot.brokers[cell * cells].clone();
                let id = first_new + cell as i32;
                snapshot.brokers.push(BrokerSpec {
                    id,
                    alive: true,
                    ..template
                });
            }
            let request = PlanRequest::new().with_operation(
                Operation::default().with_add_brokers((first_new..first_new + 6).collect()),
            );
            Some((snapshot, stretch_policy(), request))
        }
        _ => None,
    }
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
    let Some((snapshot, policy, request)) = workload(&name) else {
        eprintln!(
            "unknown workload '{name}' (cruise-control, cruise-control-large, stretch-scale-out)"
        );
        std::process::exit(2);
    };
    let model = match ClusterModel::build(&snapshot, &policy, &ModelOptions::default()) {
        Ok(model) => model,
        Err(error) => {
            eprintln!("model: {error}");
            std::process::exit(2);
        }
    };
    drop(snapshot);
    let built = start.elapsed();
    let plan = match make_plan(&model, &request) {
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
    if let Some(b) = &plan.bounds {
        println!(
            "move bound: {} replicas, {} bytes",
            b.replica_moves, b.bytes_to_move
        );
    }
}
