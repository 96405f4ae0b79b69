//! The snapshot file format: the cluster as it is, as plain serde data.
//!
//! This is a contract shared with the CLI's `snapshot` command, the tests and any operator tool that
//! writes snapshots. Required: `brokers[].id`, `partitions[].topic`, `.partition`, `.replicas`.
//! Every other field has a default. Unknown fields are rejected so that a typo such as `replica`
//! cannot pass silently.

use crate::snapshot_load::LoadSource;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::capacity_source::CapacitySource;

/// A Kafka broker id (`broker.id` / `node.id`), as Kafka's protocol carries it.
pub type BrokerId = i32;

/// Kafka's marker for "no leader" in metadata responses.
pub const NO_LEADER: BrokerId = -1;

/// The whole cluster as observed at one moment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// Every broker known to the cluster. Every id a replica list names must be here; a broker
    /// that is gone for good but still holds replicas is listed with `"alive": false`.
    pub brokers: Vec<BrokerSpec>,
    /// Every partition with its current replica list.
    pub partitions: Vec<PartitionSpec>,
    /// Per-topic settings that matter to placement (optional).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<TopicSpec>,
    /// Reassignments in flight when the snapshot was taken (optional).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reassignments: Vec<InFlightReassignment>,
    /// How the partitions' loads were obtained (optional; absent: as given by the file's writer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_source: Option<LoadSource>,
}

/// One broker. Its `Default` is alive, as in the file format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrokerSpec {
    /// The broker id.
    pub id: BrokerId,
    /// Kafka's `broker.rack` string, if set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rack: Option<String>,
    /// Explicit labels (failure-domain dimensions), e.g. `{"zone": "az1"}`.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "crate::unique_keys::deserialize"
    )]
    pub labels: BTreeMap<String, String>,
    /// Whether the broker is up. Default `true`.
    #[serde(default = "default_true", skip_serializing_if = "is_true")]
    pub alive: bool,
    /// Resource capacity; a missing dimension is unlimited.
    #[serde(default, skip_serializing_if = "Capacity::is_unlimited")]
    pub capacity: Capacity,
    /// Where each capacity came from (reported by the broker, from a `--capacity` file, or
    /// unknown); see [`crate::capacity_source`].
    #[serde(default, skip_serializing_if = "CapacitySource::is_empty")]
    pub capacity_source: CapacitySource,
}

impl Default for BrokerSpec {
    fn default() -> Self {
        BrokerSpec {
            id: 0,
            rack: None,
            labels: BTreeMap::new(),
            alive: true,
            capacity: Capacity::default(),
            capacity_source: CapacitySource::default(),
        }
    }
}

/// Capacity of a broker per resource. `None` means unlimited (not reported).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Capacity {
    /// Disk bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk: Option<f64>,
    /// Inbound network bytes per second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_in: Option<f64>,
    /// Outbound network bytes per second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_out: Option<f64>,
    /// CPU, in whatever unit the loads use (commonly percent of one broker).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<f64>,
}

impl Capacity {
    /// True when no dimension is limited.
    pub fn is_unlimited(&self) -> bool {
        self.disk.is_none()
            && self.network_in.is_none()
            && self.network_out.is_none()
            && self.cpu.is_none()
    }
}

/// One partition as it is now.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartitionSpec {
    /// Topic name.
    pub topic: String,
    /// Partition number within the topic.
    pub partition: i32,
    /// Replica list; the first entry is the preferred leader.
    pub replicas: Vec<BrokerId>,
    /// Current leader; default `replicas[0]`. `-1` (Kafka's own convention) means no leader.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leader: Option<BrokerId>,
    /// In-sync replicas; default: all replicas.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub isr: Option<Vec<BrokerId>>,
    /// Eligible leader replicas (KIP-966): replicas out of the ISR that still hold every
    /// committed record and may be elected cleanly. Absent when the cluster does not report them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elr: Option<Vec<BrokerId>>,
    /// Size of one replica on disk, in bytes. Default 0.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub size: u64,
    /// Load the partition puts on its leader (followers carry network in and a share of CPU).
    #[serde(default, skip_serializing_if = "Load::is_zero")]
    pub load: Load,
    /// The sampled rates `load` was derived from (`kplace snapshot --sample`), optional.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rates: Option<crate::snapshot_load::SampledRates>,
}

/// Load of one partition, as measured on its leader.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Load {
    /// Bytes per second produced into the partition.
    #[serde(default)]
    pub network_in: f64,
    /// Bytes per second sent by the leader: to consumers and, in sampled snapshots, to the
    /// followers replicating it.
    #[serde(default)]
    pub network_out: f64,
    /// CPU on the leader.
    #[serde(default)]
    pub cpu: f64,
}

impl Load {
    /// True when every dimension is zero.
    pub fn is_zero(&self) -> bool {
        self.network_in == 0.0 && self.network_out == 0.0 && self.cpu == 0.0
    }
}

/// Per-topic settings carried by a snapshot.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicSpec {
    /// Topic name.
    pub name: String,
    /// The topic's `min.insync.replicas`, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_insync_replicas: Option<u32>,
    /// Whether Kafka marks the topic internal (Metadata's `is_internal`). `__consumer_offsets`
    /// and `__transaction_state` count as internal either way.
    #[serde(default, skip_serializing_if = "is_false")]
    pub internal: bool,
}

/// A reassignment that Kafka is carrying out (from ListPartitionReassignments).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InFlightReassignment {
    /// Topic name.
    pub topic: String,
    /// Partition number.
    pub partition: i32,
    /// The full replica set during the move (old and new).
    #[serde(default)]
    pub replicas: Vec<BrokerId>,
    /// Replicas being added.
    #[serde(default)]
    pub adding_replicas: Vec<BrokerId>,
    /// Replicas being removed.
    #[serde(default)]
    pub removing_replicas: Vec<BrokerId>,
}

impl InFlightReassignment {
    /// The replicas Kafka is moving the partition to: `during`, the partition's replica list
    /// while the move runs (Metadata reports the union of old and new), without the replicas
    /// being removed, in that list's order.
    pub fn target(&self, during: &[BrokerId]) -> Vec<BrokerId> {
        during
            .iter()
            .filter(|b| !self.removing_replicas.contains(b))
            .copied()
            .collect()
    }
}

fn default_true() -> bool {
    true
}

fn is_false(value: &bool) -> bool {
    !*value
}

fn is_true(value: &bool) -> bool {
    *value
}

fn is_zero(value: &u64) -> bool {
    *value == 0
}

impl PartitionSpec {
    /// The current leader: the explicit `leader`, else the preferred leader `replicas[0]`.
    /// `None` when the partition has no leader (`leader: -1`).
    pub fn effective_leader(&self) -> Option<BrokerId> {
        match self.leader {
            Some(NO_LEADER) => None,
            Some(leader) => Some(leader),
            None => self.replicas.first().copied(),
        }
    }
}
