//! Kafka's own reassignment JSON, as `kafka-reassign-partitions --execute` reads it:
//! `{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,2,3]}]}`.

use serde::{Deserialize, Serialize};

use crate::snapshot::BrokerId;

/// A reassignment file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReassignmentFile {
    /// Always 1.
    pub version: u32,
    /// The partitions to move, with their complete new replica lists.
    pub partitions: Vec<ReassignmentEntry>,
}

/// One partition's new replica list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReassignmentEntry {
    /// Topic name.
    pub topic: String,
    /// Partition number.
    pub partition: i32,
    /// New replica list; the first is the preferred leader.
    pub replicas: Vec<BrokerId>,
    /// Optional log directory per replica (`"any"` for no preference), as Kafka allows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_dirs: Option<Vec<String>>,
}

impl ReassignmentFile {
    /// A version-1 file with these entries.
    pub fn new(partitions: Vec<ReassignmentEntry>) -> Self {
        ReassignmentFile {
            version: 1,
            partitions,
        }
    }
}
