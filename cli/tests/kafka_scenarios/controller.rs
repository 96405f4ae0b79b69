//! Requests that must reach the controller in ZooKeeper mode (AlterPartitionReassignments,
//! ListPartitionReassignments, ElectLeaders) reach it when kplace bootstraps from a broker that
//! is not the controller: kplace routes them by Metadata's controller id (a broker that is not the
//! controller answers NOT_CONTROLLER). In KRaft mode any broker forwards them; the scenario runs
//! there too.

use crate::kafka_support::Cluster;

/// Runs the scenario.
pub fn run(cluster: &Cluster) {
    let controller = cluster.zookeeper_controller();
    if cluster.zookeeper() {
        assert!(controller.is_some(), "ZooKeeper names a controller");
    }
    // A broker that is not the controller, and only that one as bootstrap.
    let via = (1..=12)
        .rev()
        .find(|b| Some(*b) != controller)
        .unwrap_or(12);
    let address = cluster
        .bootstrap
        .split(',')
        .nth(via as usize - 1)
        .expect("broker address")
        .to_string();
    cluster.create_topic("routed", &[vec![1, 3], vec![3, 1]], &[]);
    let json = cluster.write(
        "routed.json",
        r#"{"version":1,"partitions":[{"topic":"routed","partition":0,"replicas":[5,1]},{"topic":"routed","partition":1,"replicas":[3,7]}]}"#,
    );
    let run = cluster.kplace(&[
        "apply",
        "--bootstrap-server",
        &address,
        "--reassignment-json",
        &json,
    ]);
    assert_eq!(
        run.code, 0,
        "apply via broker {via} (controller: {controller:?}): {run:?}"
    );
    let replicas = cluster.replicas("routed");
    assert_eq!(replicas.get(&0), Some(&vec![5, 1]), "{replicas:?}");
    assert_eq!(replicas.get(&1), Some(&vec![3, 7]), "{replicas:?}");
    // Preferred leaders were elected through the controller as well.
    let snapshot = cluster.snapshot();
    let leaders: Vec<i64> = snapshot["partitions"]
        .as_array()
        .expect("partitions")
        .iter()
        .filter(|p| p["topic"] == "routed")
        .map(|p| p["leader"].as_i64().unwrap_or(-1))
        .collect();
    assert_eq!(leaders, vec![5, 3], "preferred leaders lead");
    let status = cluster.kplace(&["status", "--bootstrap-server", &address, "--json"]);
    assert_eq!(status.code, 0, "status via broker {via}: {status:?}");
}
