//! Runs one large plan once and prints where the time went, for `/usr/bin/time -v`:
//!
//! ```sh
//! cargo build --release -p kplace-benches --example plan_scale
//! /usr/bin/time -v target/release/examples/plan_scale cruise-control-large
//! ```
//!
//! Workloads: `cruise-control` (40 brokers, 50,001 replicas), `cruise-control-large` (215 brokers,
//! 2.8 million replicas), both with every default goal.

use std::time::Instant;

use kplace_benches::random_cluster::{rack_aware_policy, random_cluster, RandomClusterSpec};
use kplace_optimizer::planner::{make_plan, PlanRequest};
use kplace_placement::model::{ClusterModel, ModelOptions};

fn main() {
    let workload = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "cruise-control".to_string());
    let spec = match workload.as_str() {
        "cruise-control" => RandomClusterSpec::cruise_control(),
        "cruise-control-large" => RandomClusterSpec::large(),
        other => {
            eprintln!("unknown workload '{other}' (cruise-control, cruise-control-large)");
            std::process::exit(2);
        }
    };
    let start = Instant::now();
    let snapshot = random_cluster(&spec);
    let policy = rack_aware_policy();
    let model = match ClusterModel::build(&snapshot, &policy, &ModelOptions::default()) {
        Ok(model) => model,
        Err(error) => {
            eprintln!("model: {error}");
            std::process::exit(2);
        }
    };
    drop(snapshot);
    let built = start.elapsed();
    let plan = match make_plan(&model, &PlanRequest::default()) {
        Ok(plan) => plan,
        Err(error) => {
            eprintln!("plan: {error}");
            std::process::exit(3);
        }
    };
    let planned = start.elapsed() - built;
    println!(
        "workload {workload}: {} brokers, {} partitions",
        model.brokers.len(),
        model.partitions.len()
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
            "  {:<20} hard={:<5} before: {:>7} violations (score {:>10.2})  after: {:>7} (score {:>10.2})",
            goal.name, goal.hard, goal.before.violations, goal.before.score, goal.after.violations, goal.after.score
        );
    }
}
