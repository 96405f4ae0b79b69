//! `kplace plan --out PLAN.json` then `kplace apply --plan PLAN.json`: a plan made for another
//! state of the cluster is refused (exit 2); `--dry-run` prints the batches and submits nothing;
//! the apply makes the replicas and leaders the plan's; applying again finds every move done and
//! submits nothing.

use super::{policy_for, zone_only};
use crate::kafka_support::{replicas_of, submitted, Cluster};

/// Runs the scenario.
pub fn run(cluster: &Cluster) {
    cluster.create_topic("plan-apply", &zone_only(3), &[]);
    let policy = policy_for(cluster, "plan-.*");
    let plan = cluster.scratch.join("plan-apply.json");
    let plan = plan.to_str().unwrap_or_default();
    let run = cluster.kplace_on("plan", &["--policy", &policy, "--out", plan]);
    assert_eq!(run.code, 0, "{run:?}");
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(plan).expect("plan written")).expect("JSON");
    let planned = replicas_of(&written, "plan-apply", "new_replicas");
    assert_eq!(planned.len(), 3, "every partition changes: {written}");

    let mut stale = written.clone();
    // The same replicas in another order: a plan that holds together (its totals still add up)
    // but was made for a state the partition is not in.
    if let Some(old) = stale["partitions"][0]["old_replicas"].as_array_mut() {
        old.reverse();
    }
    let stale_plan = cluster.write("plan-stale.json", &stale.to_string());
    let run = cluster.kplace_on("apply", &["--plan", &stale_plan]);
    assert_eq!(
        run.code, 2,
        "a plan made for another state is refused: {run:?}"
    );
    assert!(
        run.stderr.contains("make a new plan") && run.stderr.contains(&stale_plan),
        "{}",
        run.stderr
    );
    assert!(
        cluster.in_flight().is_empty(),
        "a stale plan submitted something"
    );

    let apply = [
        "apply",
        "--bootstrap-server",
        &cluster.bootstrap,
        "--plan",
        plan,
    ];
    let dry: Vec<&str> = apply.iter().copied().chain(["--dry-run"]).collect();
    let run = cluster.kplace(&dry);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("batch 1:") && run.stdout.contains("plan-apply-0 ->"),
        "{}",
        run.stdout
    );
    assert!(
        cluster.in_flight().is_empty(),
        "--dry-run submitted something"
    );
    assert_ne!(
        cluster.replicas("plan-apply"),
        planned,
        "--dry-run moved replicas"
    );

    let run = cluster.kplace(&apply);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(cluster.replicas("plan-apply"), planned);
    let snapshot = cluster.snapshot();
    for p in snapshot["partitions"].as_array().expect("partitions") {
        if p["topic"] == "plan-apply" {
            let partition = p["partition"].as_i64().unwrap_or(-1) as i32;
            let preferred = planned.get(&partition).and_then(|r| r.first()).copied();
            let leader = p["leader"].as_i64().map(|l| l as i32);
            assert_eq!(
                leader, preferred,
                "partition {partition}: the preferred leader leads after apply"
            );
        }
    }

    let run = cluster.kplace(&apply);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        submitted(&run.stderr).is_empty(),
        "a second apply resubmitted: {}",
        run.stderr
    );
}
