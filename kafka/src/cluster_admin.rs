//! The seam between the apply engine and Kafka: the admin calls apply, cancel and the throttle
//! bookkeeping need, as a trait. [`KafkaClient`] implements it over the wire; an in-memory
//! cluster implements it for tests and the scale bench (`fake`, behind the `fake` feature).

use std::collections::BTreeMap;

use kplace_placement::snapshot::InFlightReassignment;

use crate::admin::{
    self, BrokerInfo, ConfigChange, PartitionInfo, PartitionKey, ReassignmentRequest,
};
use crate::broker_configs::{self, BrokerScope, SourcedValue};
use crate::client::KafkaClient;
use crate::error::{KafkaError, Result};
use crate::versions::Need;

/// The admin calls of apply and cancel.
pub trait ClusterAdmin {
    /// Every broker registered with the cluster, fenced ones included.
    fn brokers(&mut self) -> Result<Vec<BrokerInfo>>;
    /// Every partition of `topics` (`None`: of every topic), sorted.
    fn partitions(&mut self, topics: Option<Vec<String>>) -> Result<Vec<PartitionInfo>>;
    /// Every reassignment in flight, sorted.
    fn reassignments(&mut self) -> Result<Vec<InFlightReassignment>>;
    /// Fails, naming the operation, the API and the version needed, when the cluster is too old
    /// for `operation` (see [`crate::versions`]); nothing is sent.
    fn require(&self, operation: (&str, &[Need])) -> Result<()>;
    /// Submits reassignments or cancellations; returns each partition refused, with its error.
    fn alter_reassignments(
        &mut self,
        requests: &[ReassignmentRequest],
    ) -> Result<Vec<(PartitionKey, KafkaError)>>;
    /// Preferred-leader elections; returns each partition whose election failed, with its error.
    fn elect_preferred_leaders(
        &mut self,
        partitions: &[(String, i32)],
    ) -> Result<Vec<(PartitionKey, KafkaError)>>;
    /// `keys` of the topics' configs: topic → key → value.
    fn topic_configs(
        &mut self,
        topics: &[String],
        keys: &[&str],
    ) -> Result<BTreeMap<String, BTreeMap<String, String>>>;
    /// Changes topic configs.
    fn alter_topic_configs(&mut self, changes: &BTreeMap<String, Vec<ConfigChange>>) -> Result<()>;
    /// `keys` (empty: all) of a broker config with their sources; `None` when the broker is down.
    fn broker_configs(
        &mut self,
        scope: BrokerScope,
        keys: &[&str],
    ) -> Result<Option<BTreeMap<String, SourcedValue>>>;
    /// Changes a broker config; false when the broker is down (nothing changed).
    fn alter_broker_configs(
        &mut self,
        scope: BrokerScope,
        changes: &[ConfigChange],
    ) -> Result<bool>;
    /// Size in bytes of every replica one broker holds.
    fn log_dir_sizes(&mut self, broker: i32) -> Result<BTreeMap<(String, i32), u64>>;
}

impl ClusterAdmin for KafkaClient {
    fn brokers(&mut self) -> Result<Vec<BrokerInfo>> {
        admin::describe_cluster(self)
    }

    fn partitions(&mut self, topics: Option<Vec<String>>) -> Result<Vec<PartitionInfo>> {
        admin::partitions(self, topics)
    }

    fn reassignments(&mut self) -> Result<Vec<InFlightReassignment>> {
        admin::list_reassignments(self)
    }

    fn require(&self, operation: (&str, &[Need])) -> Result<()> {
        KafkaClient::require(self, operation)
    }

    fn alter_reassignments(
        &mut self,
        requests: &[ReassignmentRequest],
    ) -> Result<Vec<(PartitionKey, KafkaError)>> {
        admin::alter_reassignments_each(self, requests)
    }

    fn elect_preferred_leaders(
        &mut self,
        partitions: &[(String, i32)],
    ) -> Result<Vec<(PartitionKey, KafkaError)>> {
        admin::elect_preferred_leaders_each(self, partitions)
    }

    fn topic_configs(
        &mut self,
        topics: &[String],
        keys: &[&str],
    ) -> Result<BTreeMap<String, BTreeMap<String, String>>> {
        admin::describe_configs(self, admin::RESOURCE_TOPIC, topics, keys)
    }

    fn alter_topic_configs(&mut self, changes: &BTreeMap<String, Vec<ConfigChange>>) -> Result<()> {
        admin::alter_configs(self, admin::RESOURCE_TOPIC, changes)
    }

    fn broker_configs(
        &mut self,
        scope: BrokerScope,
        keys: &[&str],
    ) -> Result<Option<BTreeMap<String, SourcedValue>>> {
        broker_configs::describe(self, scope, keys)
    }

    fn alter_broker_configs(
        &mut self,
        scope: BrokerScope,
        changes: &[ConfigChange],
    ) -> Result<bool> {
        broker_configs::alter(self, scope, changes)
    }

    fn log_dir_sizes(&mut self, broker: i32) -> Result<BTreeMap<(String, i32), u64>> {
        admin::log_dir_sizes(self, broker)
    }
}
