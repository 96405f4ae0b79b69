//! The cluster a heal round works on: the admin calls apply needs, and a snapshot.

use kplace_placement::snapshot::Snapshot;

use crate::client::KafkaClient;
use crate::cluster_admin::ClusterAdmin;
use crate::error::Result;
use crate::sampling::SampleOptions;

/// A cluster a heal round can look at ([`snapshot`](HealCluster::snapshot)) and change (through
/// [`ClusterAdmin`]). [`KafkaClient`] implements it over the wire; the in-memory cluster of the
/// `fake` feature implements it for tests.
pub trait HealCluster: ClusterAdmin {
    /// The whole cluster as placement's [`Snapshot`]: brokers with racks and liveness,
    /// partitions with replicas, leader and ISR, topic min ISR, reassignments in flight.
    fn snapshot(&mut self) -> Result<Snapshot>;

    /// Like [`snapshot`](HealCluster::snapshot), with each partition's load measured over
    /// `options`' windows and the snapshot's `load_source` saying so
    /// ([`take_sampled_snapshot`](crate::sampling::take_sampled_snapshot)).
    fn sampled_snapshot(&mut self, options: SampleOptions) -> Result<Snapshot>;
}

impl HealCluster for KafkaClient {
    fn snapshot(&mut self) -> Result<Snapshot> {
        crate::snapshot::take_snapshot(self)
    }

    fn sampled_snapshot(&mut self, options: SampleOptions) -> Result<Snapshot> {
        crate::sampling::take_sampled_snapshot(self, options)
    }
}
