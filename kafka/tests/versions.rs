//! Version negotiation and fallbacks against the ApiVersions answers of real brokers, recorded
//! with `cargo run -p kplace-kafka --example api_versions -- HOST:PORT` from clusters started by
//! `scripts/kafka-cluster up` (KAFKA_VERSION=3.5.2, 3.6.2, 3.9.2 in KRaft and ZooKeeper mode,
//! and 4.4.0; one broker each, on 2026-12-01).

use kafka_protocol::messages::{
    AlterPartitionReassignmentsRequest, DescribeClusterRequest, DescribeLogDirsRequest,
    ElectLeadersRequest, IncrementalAlterConfigsRequest, ListPartitionReassignmentsRequest,
    MetadataRequest,
};
use kplace_kafka::error::KafkaError;
use kplace_kafka::versions::{self, operations, release_of_level, BrokerApis, Mode, Need};

fn recorded(name: &str) -> BrokerApis {
    let path = format!(
        "{}/tests/api_versions/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn supports(apis: &BrokerApis, need: Need) -> bool {
    apis.has(need, versions::ours(need.key))
}

#[test]
fn mode_and_release_are_read_from_the_answer() {
    let cases = [
        ("kafka-3.5.2-kraft", Mode::Kraft, "3.5"),
        ("kafka-3.6.2-kraft", Mode::Kraft, "3.6"),
        ("kafka-3.9.2-kraft", Mode::Kraft, "3.9"),
        ("kafka-3.9.2-zookeeper", Mode::ZooKeeper, "3.x"),
        ("kafka-4.4.0-kraft", Mode::Kraft, "4.4"),
    ];
    for (name, mode, release) in cases {
        let apis = recorded(name);
        assert_eq!(apis.mode(), mode, "{name}");
        assert_eq!(apis.release(), release, "{name}");
    }
}

#[test]
fn the_supported_range_is_3_6_kraft_3x_zookeeper_and_4x() {
    for name in [
        "kafka-3.6.2-kraft",
        "kafka-3.9.2-kraft",
        "kafka-3.9.2-zookeeper",
        "kafka-4.4.0-kraft",
    ] {
        assert!(
            recorded(name).check_supported("b:9092").is_ok(),
            "{name} must be supported"
        );
    }
    let refused = recorded("kafka-3.5.2-kraft")
        .check_supported("b:9092")
        .expect_err("3.5 KRaft is outside the range");
    let message = refused.to_string();
    assert!(matches!(refused, KafkaError::Unsupported(_)));
    assert!(message.contains("Kafka 3.5 in KRaft mode"), "{message}");
    assert!(message.contains("3.6 and newer in KRaft mode"), "{message}");
    assert!(refused.is_bad_input(), "an unsupported cluster exits 2");
}

#[test]
fn a_zookeeper_cluster_older_than_3_0_is_refused() {
    // Kafka 2.8 in ZooKeeper mode: the 3.9.2 answer without the APIs 3.0 added
    // (ListTransactions 66, DescribeTransactions 65, AllocateProducerIds 67 and later keys).
    let mut apis = recorded("kafka-3.9.2-zookeeper");
    apis.apis.retain(|&key, _| key < 65);
    assert_eq!(apis.mode(), Mode::ZooKeeper);
    let message = apis.check_supported("b:9092").unwrap_err().to_string();
    assert!(
        message.contains("Kafka older than 3.0 in ZooKeeper mode"),
        "{message}"
    );
}

#[test]
fn describe_cluster_falls_back_to_metadata_below_v2() {
    // DescribeCluster v2 (fenced brokers) is Kafka 4.0; 3.6 has v0, 3.9 v1, ZooKeeper 3.9 v1.
    for (name, fenced_listed) in [
        ("kafka-3.6.2-kraft", false),
        ("kafka-3.9.2-kraft", false),
        ("kafka-3.9.2-zookeeper", false),
        ("kafka-4.4.0-kraft", true),
    ] {
        let apis = recorded(name);
        assert_eq!(
            supports(&apis, versions::DESCRIBE_CLUSTER_WITH_FENCED),
            fenced_listed,
            "{name}"
        );
    }
    assert_eq!(
        recorded("kafka-3.6.2-kraft").version_of::<DescribeClusterRequest>(),
        Some(0)
    );
    assert_eq!(
        recorded("kafka-3.9.2-kraft").version_of::<DescribeClusterRequest>(),
        Some(1)
    );
    assert_eq!(
        recorded("kafka-4.4.0-kraft").version_of::<DescribeClusterRequest>(),
        Some(2)
    );
}

#[test]
fn every_request_is_sent_at_the_highest_common_version() {
    // (fixture, Metadata, DescribeLogDirs, ListPartitionReassignments,
    //  AlterPartitionReassignments, ElectLeaders, IncrementalAlterConfigs)
    let cases = [
        ("kafka-3.6.2-kraft", [12, 4, 0, 0, 2, 1]),
        ("kafka-3.9.2-kraft", [12, 4, 0, 0, 2, 1]),
        ("kafka-3.9.2-zookeeper", [12, 4, 0, 0, 2, 1]),
        // 4.4 speaks Metadata v13, DescribeLogDirs v5 and AlterPartitionReassignments v1;
        // kplace's codec stops at v13, v4 and v1.
        ("kafka-4.4.0-kraft", [13, 4, 0, 1, 2, 1]),
    ];
    for (name, expected) in cases {
        let apis = recorded(name);
        let got = [
            apis.version_of::<MetadataRequest>(),
            apis.version_of::<DescribeLogDirsRequest>(),
            apis.version_of::<ListPartitionReassignmentsRequest>(),
            apis.version_of::<AlterPartitionReassignmentsRequest>(),
            apis.version_of::<ElectLeadersRequest>(),
            apis.version_of::<IncrementalAlterConfigsRequest>(),
        ];
        assert_eq!(got, expected.map(Some), "{name}");
    }
}

#[test]
fn every_operation_runs_on_every_supported_cluster() {
    for name in [
        "kafka-3.6.2-kraft",
        "kafka-3.9.2-kraft",
        "kafka-3.9.2-zookeeper",
        "kafka-4.4.0-kraft",
    ] {
        let apis = recorded(name);
        for operation in [
            operations::SNAPSHOT,
            operations::APPLY,
            operations::CANCEL,
            operations::STATUS,
        ] {
            apis.require(operation, "b:9092", versions::ours)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
}

#[test]
fn an_operation_the_cluster_is_too_old_for_names_the_api_and_version() {
    // A broker without KIP-455 (Kafka 2.3): no Alter/ListPartitionReassignments.
    let mut apis = recorded("kafka-3.9.2-zookeeper");
    apis.apis.remove(&45);
    apis.apis.remove(&46);
    let error = apis
        .require(operations::APPLY, "b:9092", versions::ours)
        .unwrap_err();
    let message = error.to_string();
    assert!(
        error.is_bad_input(),
        "refused before anything is submitted: exit 2"
    );
    assert!(
        message.starts_with("apply needs ListPartitionReassignments (API key 46) v0 or newer"),
        "{message}"
    );
    assert!(message.contains("does not speak it"), "{message}");
    // Snapshot does not alter reassignments but lists them: refused too, naming snapshot.
    let message = apis
        .require(operations::SNAPSHOT, "b:9092", versions::ours)
        .unwrap_err()
        .to_string();
    assert!(
        message.starts_with("snapshot needs ListPartitionReassignments"),
        "{message}"
    );
    // Metadata below v4 cannot be asked not to create topics.
    let mut apis = recorded("kafka-3.9.2-kraft");
    apis.apis.insert(3, (0, 3));
    let message = apis
        .require(operations::STATUS, "b:9092", versions::ours)
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("Metadata (API key 3) v4 or newer")
            && message.contains("speaks only v0..v3"),
        "{message}"
    );
}

#[test]
fn metadata_version_levels_name_their_release() {
    assert_eq!(release_of_level(11), "3.5");
    assert_eq!(release_of_level(12), "3.6");
    assert_eq!(release_of_level(14), "3.6");
    assert_eq!(release_of_level(21), "3.9");
    assert_eq!(release_of_level(33), "4.4");
    assert_eq!(release_of_level(0), "older than 3.0");
}

#[test]
fn describe_log_dirs_reports_disk_totals_on_every_supported_recording() {
    // KIP-827's total and usable bytes come from v4: Kafka 3.9.2 speaks 0..=4, 4.4.0 1..=5, and
    // kplace's codec 1..=4, so every supported recording negotiates v4.
    for name in [
        "kafka-3.6.2-kraft",
        "kafka-3.9.2-kraft",
        "kafka-3.9.2-zookeeper",
        "kafka-4.4.0-kraft",
    ] {
        let version = recorded(name).common_version(
            <DescribeLogDirsRequest as kafka_protocol::protocol::Request>::KEY,
            versions::ours(<DescribeLogDirsRequest as kafka_protocol::protocol::Request>::KEY),
        );
        assert_eq!(
            version,
            Some(kplace_kafka::disk_capacity::FIRST_VERSION_WITH_TOTALS),
            "{name}"
        );
    }
}

#[test]
fn sampling_runs_on_every_supported_cluster_at_known_versions() {
    use kafka_protocol::messages::{ListGroupsRequest, ListOffsetsRequest, OffsetFetchRequest};
    // (recording, ListOffsets, OffsetFetch, ListGroups) versions kplace sends.
    let cases = [
        ("kafka-3.6.2-kraft", 8, 8, 4),
        ("kafka-3.9.2-kraft", 9, 9, 5),
        ("kafka-3.9.2-zookeeper", 9, 9, 5),
        ("kafka-4.4.0-kraft", 10, 9, 5),
    ];
    for (name, list_offsets, offset_fetch, list_groups) in cases {
        let apis = recorded(name);
        assert!(
            apis.require(operations::SAMPLE, "b:9092", versions::ours)
                .is_ok(),
            "{name}"
        );
        assert_eq!(
            apis.version_of::<ListOffsetsRequest>(),
            Some(list_offsets),
            "{name}"
        );
        assert_eq!(
            apis.version_of::<OffsetFetchRequest>(),
            Some(offset_fetch),
            "{name}"
        );
        assert_eq!(
            apis.version_of::<ListGroupsRequest>(),
            Some(list_groups),
            "{name}"
        );
    }
}
