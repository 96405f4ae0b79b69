//! Moves that earn their bytes, measured against Cruise Control on its own RandomCluster workload
//! (40 brokers, 50,001 replicas): kplace's default plan copies no more bytes than Cruise
//! Control's default plan on the same input, meets every goal, and says what each goal cost.
//!
//! Cruise Control's figure at this size is derived from the issue (#14): kplace's default plan
//! before Cruise Control's topic-goal semantics copied 4,365,057,466,088 bytes, which the issue
//! measured as 2.1× Cruise Control's bytes; so Cruise Control copies about 2.079e12 bytes.

use kplace_benches::random_cluster::{rack_aware_policy, random_cluster, RandomClusterSpec};
use kplace_optimizer::planner::{make_plan, PlanRequest};
use kplace_placement::model::{ClusterModel, ModelOptions};

/// Cruise Control's bytes on the 40-broker RandomCluster (derived, see the module doc).
const CRUISE_CONTROL_BYTES: f64 = 4_365_057_466_088.0 / 2.1;

#[test]
fn default_plan_copies_no_more_than_cruise_control() {
    let snapshot = random_cluster(&RandomClusterSpec::cruise_control());
    let model = ClusterModel::build(&snapshot, &rack_aware_policy(), &ModelOptions::default())
        .expect("random cluster builds");
    let plan = make_plan(&model, &PlanRequest::default()).expect("plan");
    assert!(
        (plan.totals.bytes_to_move as f64) <= CRUISE_CONTROL_BYTES,
        "kplace copies {} bytes, Cruise Control {CRUISE_CONTROL_BYTES:.0}",
        plan.totals.bytes_to_move
    );
    for goal in &plan.goals {
        assert!(
            goal.after.satisfied,
            "{} unmet: {:?}",
            goal.name, goal.after
        );
    }
    // Each goal's cost is what its turns added; together they are the plan's totals.
    let moves: i64 = plan.goals.iter().map(|g| g.cost.replica_moves).sum();
    let bytes: i64 = plan.goals.iter().map(|g| g.cost.bytes_to_move).sum();
    assert_eq!(moves, plan.totals.replica_moves as i64);
    assert_eq!(bytes, plan.totals.bytes_to_move as i64);
    // The spread repair is the bulk; the topic goal's band (Cruise Control's 3× the mean with a
    // minimum gap of 2) costs little.
    let topic = plan
        .goals
        .iter()
        .find(|g| g.name == "topic-balance")
        .expect("topic-balance ran");
    assert!(topic.cost.bytes_to_move * 20 < bytes, "{:?}", topic.cost);
}
