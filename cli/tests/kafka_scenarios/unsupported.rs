//! A real cluster of a Kafka outside the supported range (the one-broker cluster marked
//! "unsupported" in scripts/kafka/ci-clusters: Kafka 3.5 in KRaft mode) is refused by every
//! command with exit 2 and a message naming its version, before anything is sent to it.

use crate::kafka_support::Cluster;

/// Runs the scenario.
pub fn run(cluster: &Cluster) {
    let line: String = cluster
        .spec
        .version
        .split('.')
        .take(2)
        .collect::<Vec<_>>()
        .join(".");
    let mode = if cluster.zookeeper() {
        "ZooKeeper"
    } else {
        "KRaft"
    };
    let out = cluster.scratch.join("refused-snapshot.json");
    let out = out.to_str().unwrap_or_default();
    let run = cluster.kplace_on("snapshot", &["--out", out]);
    assert_eq!(run.code, 2, "refused as bad input: {run:?}");
    assert!(
        run.stderr
            .contains(&format!("runs Kafka {line} in {mode} mode"))
            && run.stderr.contains("does not support"),
        "the message names the version: {}",
        run.stderr
    );
    assert!(!std::path::Path::new(out).exists(), "nothing written");
    let json = cluster.write(
        "refused.json",
        r#"{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1]}]}"#,
    );
    let run = cluster.kplace_on("apply", &["--reassignment-json", &json]);
    assert_eq!(run.code, 2, "apply refused: {run:?}");
    assert!(
        run.stderr.contains(&format!("Kafka {line}")),
        "{}",
        run.stderr
    );
}
