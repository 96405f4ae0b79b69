//! What a broker speaks, from its ApiVersions answer, and what kplace makes of it: the version of
//! each request (the highest both sides speak), whether an operation can run at all (and if not,
//! which API at which version it lacks), and which Kafka release line and mode the answer comes
//! from, so that a cluster outside the supported range is refused before anything is sent.
//!
//! Kafka does not say its release number on the wire. The mode and release are read from what it
//! does say: ZooKeeper-mode brokers advertise LeaderAndIsr, which KRaft brokers never do; KRaft
//! brokers advertise the `metadata.version` feature, whose highest supported level names the
//! release (`3.6-IV2` is Kafka 3.6); a ZooKeeper-mode Kafka 3.0 or newer is known by
//! ListTransactions (KIP-664, Kafka 3.0). The recorded answers of real brokers under
//! `kafka/tests/api_versions/` show both.

use std::collections::BTreeMap;

use kafka_protocol::messages::{
    AlterPartitionReassignmentsRequest, ApiVersionsResponse, DescribeClusterRequest,
    DescribeConfigsRequest, DescribeLogDirsRequest, ElectLeadersRequest,
    IncrementalAlterConfigsRequest, ListGroupsRequest, ListOffsetsRequest,
    ListPartitionReassignmentsRequest, MetadataRequest, OffsetFetchRequest,
};
use kafka_protocol::protocol::{Message, Request, VersionRange};
use serde::{Deserialize, Serialize};

use crate::error::KafkaError;

/// The API key of LeaderAndIsr, which only ZooKeeper-mode brokers serve (a KRaft broker learns
/// its partitions from the metadata log).
const LEADER_AND_ISR: i16 = 4;
/// The API key of ListTransactions (Kafka 3.0, KIP-664).
const LIST_TRANSACTIONS: i16 = 66;
/// The feature whose levels follow the KRaft metadata format, one or more per release.
const METADATA_VERSION: &str = "metadata.version";
/// `metadata.version` level 12 is 3.6-IV0, the first level of Kafka 3.6.
const FIRST_SUPPORTED_KRAFT_LEVEL: i16 = 12;

/// `metadata.version` feature levels and the release that introduced them (Kafka's
/// `MetadataVersion` enum, printed from the kafka-server-common 4.4.0 jar); each level names
/// the release of the first entry at or below it.
const METADATA_VERSION_RELEASES: &[(i16, &str)] = &[
    (1, "3.0"),
    (2, "3.1"),
    (3, "3.2"),
    (4, "3.3"),
    (8, "3.4"),
    (9, "3.5"),
    (12, "3.6"),
    (15, "3.7"),
    (20, "3.8"),
    (21, "3.9"),
    (22, "4.0"),
    (26, "4.1"),
    (28, "4.2"),
    (30, "4.3"),
    (31, "4.4"),
    (34, "4.5"),
];

/// One broker's ApiVersions answer, as plain data (also what the recorded fixtures hold).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrokerApis {
    /// API key → the (min, max) versions the broker speaks.
    pub apis: BTreeMap<i16, (i16, i16)>,
    /// Feature → the (min, max) levels the broker's software supports.
    #[serde(default)]
    pub supported_features: BTreeMap<String, (i16, i16)>,
    /// Feature → the level in effect in the cluster.
    #[serde(default)]
    pub finalized_features: BTreeMap<String, i16>,
}

/// How the cluster keeps its metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// KRaft: controllers of their own; any broker forwards controller requests.
    Kraft,
    /// ZooKeeper: one broker is the controller; controller requests must reach it.
    ZooKeeper,
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Mode::Kraft => "KRaft",
            Mode::ZooKeeper => "ZooKeeper",
        })
    }
}

/// An API kplace uses, and the lowest version at which kplace can use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Need {
    /// Kafka's name of the API.
    pub api: &'static str,
    /// The API key.
    pub key: i16,
    /// The lowest version kplace can use.
    pub min_version: i16,
    /// The release that brought that version, for the message.
    pub since: &'static str,
}

const fn need<R: Request>(api: &'static str, min_version: i16, since: &'static str) -> Need {
    Need {
        api,
        key: R::KEY,
        min_version,
        since,
    }
}

/// Metadata from v4: the first version that can ask for no topic creation.
pub const METADATA: Need = need::<MetadataRequest>("Metadata", 4, "Kafka 0.11");
/// Replica sizes; every version kplace's codec knows gives them.
pub const DESCRIBE_LOG_DIRS: Need =
    need::<DescribeLogDirsRequest>("DescribeLogDirs", 1, "Kafka 1.1");
/// Topic and broker configs.
pub const DESCRIBE_CONFIGS: Need =
    need::<DescribeConfigsRequest>("DescribeConfigs", 0, "Kafka 0.11");
/// Reassignments in flight (KIP-455).
pub const LIST_REASSIGNMENTS: Need =
    need::<ListPartitionReassignmentsRequest>("ListPartitionReassignments", 0, "Kafka 2.4");
/// Submitting and cancelling reassignments (KIP-455).
pub const ALTER_REASSIGNMENTS: Need =
    need::<AlterPartitionReassignmentsRequest>("AlterPartitionReassignments", 0, "Kafka 2.4");
/// Throttle configs, changed entry by entry.
pub const INCREMENTAL_ALTER_CONFIGS: Need =
    need::<IncrementalAlterConfigsRequest>("IncrementalAlterConfigs", 0, "Kafka 2.3");
/// Preferred-leader elections (v0 elects preferred leaders only, which is all kplace asks).
pub const ELECT_LEADERS: Need = need::<ElectLeadersRequest>("ElectLeaders", 0, "Kafka 2.2");
/// DescribeCluster at v2 lists fenced brokers; below it kplace falls back to Metadata.
pub const DESCRIBE_CLUSTER_WITH_FENCED: Need =
    need::<DescribeClusterRequest>("DescribeCluster", 2, "Kafka 4.0");

/// Log-start and log-end offsets (v1: one offset per partition, Kafka 0.10.1).
pub const LIST_OFFSETS: Need = need::<ListOffsetsRequest>("ListOffsets", 1, "Kafka 0.10.1");
/// The groups a broker coordinates (every version lists them).
pub const LIST_GROUPS: Need = need::<ListGroupsRequest>("ListGroups", 0, "Kafka 0.9");
/// Committed offsets of several groups in one request (v8, KIP-709).
pub const OFFSET_FETCH_GROUPS: Need = need::<OffsetFetchRequest>("OffsetFetch", 8, "Kafka 3.0");

/// What each operation kplace runs against a cluster needs.
pub mod operations {
    use super::*;

    /// `snapshot` (and `plan`/`check`/`analyze --bootstrap-server`).
    pub const SNAPSHOT: (&str, &[Need]) = (
        "snapshot",
        &[
            METADATA,
            DESCRIBE_LOG_DIRS,
            DESCRIBE_CONFIGS,
            LIST_REASSIGNMENTS,
        ],
    );
    /// `snapshot --sample`: the snapshot's needs and the offsets of partitions and groups.
    pub const SAMPLE: (&str, &[Need]) = (
        "snapshot --sample",
        &[
            METADATA,
            DESCRIBE_LOG_DIRS,
            DESCRIBE_CONFIGS,
            LIST_REASSIGNMENTS,
            LIST_OFFSETS,
            LIST_GROUPS,
            OFFSET_FETCH_GROUPS,
        ],
    );
    /// `apply` (and `heal --execute`).
    pub const APPLY: (&str, &[Need]) = (
        "apply",
        &[
            METADATA,
            DESCRIBE_CONFIGS,
            LIST_REASSIGNMENTS,
            ALTER_REASSIGNMENTS,
            INCREMENTAL_ALTER_CONFIGS,
            ELECT_LEADERS,
        ],
    );
    /// `cancel`.
    pub const CANCEL: (&str, &[Need]) = (
        "cancel",
        &[
            METADATA,
            DESCRIBE_CONFIGS,
            LIST_REASSIGNMENTS,
            ALTER_REASSIGNMENTS,
            INCREMENTAL_ALTER_CONFIGS,
        ],
    );
    /// `status`.
    pub const STATUS: (&str, &[Need]) =
        ("status", &[METADATA, LIST_REASSIGNMENTS, DESCRIBE_LOG_DIRS]);
}

impl BrokerApis {
    /// The broker's answer as plain data.
    pub fn from_response(response: &ApiVersionsResponse) -> Self {
        BrokerApis {
            apis: response
                .api_keys
                .iter()
                .map(|k| (k.api_key, (k.min_version, k.max_version)))
                .collect(),
            supported_features: response
                .supported_features
                .iter()
                .map(|f| (f.name.to_string(), (f.min_version, f.max_version)))
                .collect(),
            finalized_features: response
                .finalized_features
                .iter()
                .map(|f| (f.name.to_string(), f.max_version_level))
                .collect(),
        }
    }

    /// The highest version of API `key` that both the broker and kplace (`ours`) speak.
    pub fn common_version(&self, key: i16, ours: VersionRange) -> Option<i16> {
        let &(min, max) = self.apis.get(&key)?;
        let version = ours.max.min(max);
        (version >= ours.min.max(min)).then_some(version)
    }

    /// The version at which kplace sends `R` to this broker, if any.
    pub fn version_of<R: Request>(&self) -> Option<i16> {
        self.common_version(R::KEY, R::VERSIONS)
    }

    /// Whether the broker speaks `need` at its minimum version or newer (and kplace too).
    pub fn has(&self, need: Need, ours: VersionRange) -> bool {
        self.common_version(need.key, ours)
            .is_some_and(|v| v >= need.min_version)
    }

    /// The metadata mode of the broker's cluster.
    pub fn mode(&self) -> Mode {
        if self.apis.contains_key(&LEADER_AND_ISR) {
            Mode::ZooKeeper
        } else {
            Mode::Kraft
        }
    }

    /// The release line of the broker's software, as far as the answer tells it: "3.6" and
    /// newer exactly in KRaft mode, "3.x" or "older than 3.0" in ZooKeeper mode.
    pub fn release(&self) -> String {
        match self.mode() {
            Mode::Kraft => match self.supported_features.get(METADATA_VERSION) {
                Some(&(_, max)) => release_of_level(max).to_string(),
                None => "older than 3.3".to_string(),
            },
            Mode::ZooKeeper => {
                if self.apis.contains_key(&LIST_TRANSACTIONS) {
                    "3.x".to_string()
                } else {
                    "older than 3.0".to_string()
                }
            }
        }
    }

    /// Refuses a cluster outside kplace's supported range: Kafka 3.6 and newer in KRaft mode,
    /// 3.x in ZooKeeper mode, every 4.x. `broker` names the broker in the message.
    pub fn check_supported(&self, broker: &str) -> Result<(), KafkaError> {
        let supported = match self.mode() {
            Mode::Kraft => self
                .supported_features
                .get(METADATA_VERSION)
                .is_some_and(|&(_, max)| max >= FIRST_SUPPORTED_KRAFT_LEVEL),
            Mode::ZooKeeper => self.apis.contains_key(&LIST_TRANSACTIONS),
        };
        if supported {
            return Ok(());
        }
        Err(KafkaError::Unsupported(format!(
            "broker {broker} runs Kafka {} in {} mode, which kplace does not support: kplace \
             supports Apache Kafka 3.6 and newer in KRaft mode, 3.x in ZooKeeper mode, and every 4.x",
            self.release(),
            self.mode()
        )))
    }

    /// Refuses `operation` when the broker lacks one of the APIs it needs at the version
    /// needed; the message names the operation, the API, the version and the release that has it.
    pub fn require(
        &self,
        (operation, needs): (&str, &[Need]),
        broker: &str,
        ours: impl Fn(i16) -> VersionRange,
    ) -> Result<(), KafkaError> {
        for need in needs {
            if !self.has(*need, ours(need.key)) {
                let speaks = match self.apis.get(&need.key) {
                    Some((min, max)) => format!("speaks only v{min}..v{max}"),
                    None => "does not speak it".to_string(),
                };
                return Err(KafkaError::Unsupported(format!(
                    "{operation} needs {} (API key {}) v{} or newer, and broker {broker} {speaks} \
                     (Kafka {} {}): {operation} cannot run against this cluster",
                    need.api,
                    need.key,
                    need.min_version,
                    self.release(),
                    self.mode()
                )));
            }
        }
        Ok(())
    }
}

/// The release line a `metadata.version` level belongs to.
pub fn release_of_level(level: i16) -> &'static str {
    METADATA_VERSION_RELEASES
        .iter()
        .rev()
        .find(|(first, _)| level >= *first)
        .map(|(_, release)| *release)
        .unwrap_or("older than 3.0")
}

/// The version range kplace's codec knows for the request with API key `key`.
pub fn ours(key: i16) -> VersionRange {
    macro_rules! range_of {
        ($($t:ty),*) => {
            $(if key == <$t as Request>::KEY { return <$t as Message>::VERSIONS; })*
        };
    }
    range_of!(
        MetadataRequest,
        DescribeLogDirsRequest,
        DescribeConfigsRequest,
        ListPartitionReassignmentsRequest,
        AlterPartitionReassignmentsRequest,
        IncrementalAlterConfigsRequest,
        ElectLeadersRequest,
        DescribeClusterRequest,
        ListOffsetsRequest,
        ListGroupsRequest,
        OffsetFetchRequest
    );
    VersionRange { min: 0, max: -1 }
}
