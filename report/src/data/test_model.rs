//! A small model for the data layer's unit tests: 3 zones × 2 clusters, one broker per cell
//! (ids 1..=6: z1/a, z1/b, z2/a, z2/b, z3/a, z3/b), RF 3 spread evenly over zones (surviving
//! a zone or a cluster), and two
//! partitions: `t-0` on [1, 3, 5] (one per zone) and `t-1` on [1, 2, 3] (two in z1, none in z3).

use kplace_placement::model::{ClusterModel, ModelOptions};
use kplace_placement::parse::{parse_policy, parse_snapshot};

/// Builds the model.
pub fn model() -> ClusterModel {
    model_with(|_| {})
}

/// The same cluster, its snapshot changed by `edit` before the model is built.
pub fn model_with(edit: impl FnOnce(&mut kplace_placement::snapshot::Snapshot)) -> ClusterModel {
    let brokers: Vec<String> = ["z1/a", "z1/b", "z2/a", "z2/b", "z3/a", "z3/b"]
        .iter()
        .enumerate()
        .map(|(i, rack)| {
            format!(
                r#"{{"id": {}, "rack": "{rack}", "capacity": {{"disk": 100}}}}"#,
                i + 1
            )
        })
        .collect();
    let snapshot = format!(
        r#"{{"brokers": [{}], "partitions": [
            {{"topic": "t", "partition": 0, "replicas": [1, 3, 5], "size": 10}},
            {{"topic": "t", "partition": 1, "replicas": [1, 2, 3], "size": 20}}]}}"#,
        brokers.join(",")
    );
    let policy = "rack_pattern: '^(?P<zone>z[0-9])/(?P<cluster>[a-z])$'\n\
                  rules: [{topics: '.*', replication_factor: 3, spread: {zone: even}, survive: [zone, cluster]}]";
    let mut snapshot =
        parse_snapshot(snapshot.as_bytes(), "snapshot.json").expect("test snapshot parses");
    edit(&mut snapshot);
    let policy = parse_policy(policy, "policy.yaml").expect("test policy parses");
    ClusterModel::build(&snapshot, &policy, &ModelOptions::default()).expect("test model builds")
}
