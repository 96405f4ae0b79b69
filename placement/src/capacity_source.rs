//! Where each of a broker's capacities came from, as the snapshot records it, so that nobody
//! takes a guess for a measurement: reported by the broker itself (disk: DescribeLogDirs v4+,
//! KIP-827), given by a `--capacity` file, or unknown.

use serde::{Deserialize, Serialize};

/// How one capacity figure was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Provenance {
    /// Reported by the broker (disk: the total bytes of the volumes of its log dirs).
    Broker,
    /// From a `--capacity` file.
    File,
    /// Nobody said: the dimension is unbounded, and goals that need it skip it.
    Unknown,
}

impl Provenance {
    /// How the figure reads in messages and reports.
    pub fn describe(self) -> &'static str {
        match self {
            Provenance::Broker => "reported by the broker",
            Provenance::File => "from the capacity file",
            Provenance::Unknown => "unknown",
        }
    }
}

/// The provenance of each dimension of a broker's capacity. A dimension with no entry was
/// given by whoever wrote the snapshot (or is absent, when the capacity has no value either).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapacitySource {
    /// Of `capacity.disk`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk: Option<Provenance>,
    /// Of `capacity.network_in`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_in: Option<Provenance>,
    /// Of `capacity.network_out`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_out: Option<Provenance>,
    /// Of `capacity.cpu`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<Provenance>,
}

impl CapacitySource {
    /// True when nothing is recorded.
    pub fn is_empty(&self) -> bool {
        *self == CapacitySource::default()
    }

    /// Every dimension at `provenance`.
    pub fn all(provenance: Provenance) -> CapacitySource {
        CapacitySource {
            disk: Some(provenance),
            network_in: Some(provenance),
            network_out: Some(provenance),
            cpu: Some(provenance),
        }
    }
}
