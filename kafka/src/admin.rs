//! Kafka's admin operations that kplace needs, as plain data in and out: cluster and topic
//! metadata, log-dir sizes, configs, reassignments and preferred-leader elections.
//!
//! Each is sent at the highest version both sides speak, with fallbacks where the broker is
//! older: DescribeCluster below v2 (Kafka before 4.0, or absent) gives way to Metadata for the
//! brokers; DescribeLogDirs gives sizes at every version, and from v4 (Kafka 3.3, KIP-827) the
//! total and usable bytes of each log dir's volume, which the snapshot takes as disk capacity. Reassignments and elections go to the controller ([`Route::Controller`]).
//! Partition-level errors are returned per partition, so one bad partition does not fail a batch.

use std::collections::BTreeMap;

use kafka_protocol::messages::alter_partition_reassignments_request::{
    ReassignablePartition, ReassignableTopic,
};
use kafka_protocol::messages::describe_configs_request::DescribeConfigsResource;
use kafka_protocol::messages::elect_leaders_request::TopicPartitions;
use kafka_protocol::messages::incremental_alter_configs_request::{
    AlterConfigsResource, AlterableConfig,
};
use kafka_protocol::messages::{
    AlterPartitionReassignmentsRequest, BrokerId, DescribeClusterRequest, DescribeConfigsRequest,
    DescribeLogDirsRequest, ElectLeadersRequest, IncrementalAlterConfigsRequest,
    ListPartitionReassignmentsRequest,
};
use kplace_placement::snapshot::InFlightReassignment;

use crate::client::{KafkaClient, Resend, Route};
use crate::connection::SERVER_TIMEOUT_MS;
use crate::error::{error_name, KafkaError, Result};
use crate::names::{str_bytes, topic_name};
use crate::retry::{self, Attempts};
use crate::versions;

/// Kafka's config resource type for topics.
pub const RESOURCE_TOPIC: i8 = 2;
/// Kafka's config resource type for brokers.
pub const RESOURCE_BROKER: i8 = 4;
/// How long the controller may take for a request, in milliseconds.
const REQUEST_TIMEOUT_MS: i32 = SERVER_TIMEOUT_MS;

/// A broker as the cluster describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerInfo {
    /// Broker id.
    pub id: i32,
    /// "host:port" of the listener kplace uses.
    pub address: String,
    /// `broker.rack`, if set.
    pub rack: Option<String>,
    /// Registered but fenced (down or not yet caught up).
    pub fenced: bool,
}

/// One partition as the metadata describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionInfo {
    /// Topic name.
    pub topic: String,
    /// Partition number.
    pub partition: i32,
    /// Replica list (preferred leader first).
    pub replicas: Vec<i32>,
    /// Current leader, -1 when none.
    pub leader: i32,
    /// In-sync replicas.
    pub isr: Vec<i32>,
    /// Whether the topic is internal (`__consumer_offsets`, ...).
    pub internal: bool,
}

/// A change to one config entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigChange {
    /// Set the entry to a value.
    Set(String, String),
    /// Remove the entry (back to its default).
    Delete(String),
    /// Add these comma-separated elements to a list entry (Kafka's APPEND, KIP-339).
    Append(String, String),
    /// Remove these comma-separated elements from a list entry (Kafka's SUBTRACT).
    Subtract(String, String),
}

impl ConfigChange {
    /// The change as IncrementalAlterConfigs carries it.
    pub fn alterable(&self) -> AlterableConfig {
        let (key, operation, value) = match self {
            ConfigChange::Set(key, value) => (key, 0, Some(value)),
            ConfigChange::Delete(key) => (key, 1, None),
            ConfigChange::Append(key, value) => (key, 2, Some(value)),
            ConfigChange::Subtract(key, value) => (key, 3, Some(value)),
        };
        AlterableConfig::default()
            .with_name(str_bytes(key))
            .with_config_operation(operation)
            .with_value(value.map(|v| str_bytes(v)))
    }
}

/// Every broker of the cluster, those that are down included, sorted by id.
///
/// From DescribeCluster v2 (Kafka 4.0) on, the cluster lists its fenced brokers itself. Older
/// clusters list only live brokers (Metadata in ZooKeeper mode, and DescribeCluster or Metadata
/// in KRaft mode before 4.0): there a broker that holds replicas but is not listed is down, and
/// is returned as fenced, without address or rack (the cluster no longer says them).
pub fn describe_cluster(client: &mut KafkaClient) -> Result<Vec<BrokerInfo>> {
    if !client.supports(versions::DESCRIBE_CLUSTER_WITH_FENCED) {
        return brokers_from_metadata(client);
    }
    let response =
        client.send_any(&DescribeClusterRequest::default().with_include_fenced_brokers(true))?;
    if response.error_code != 0 {
        return Err(response_error(
            "DescribeCluster",
            "cluster",
            response.error_code,
            response.error_message.as_ref().map(|m| m.to_string()),
        ));
    }
    Ok(response
        .brokers
        .iter()
        .map(|b| BrokerInfo {
            id: b.broker_id.0,
            address: format!("{}:{}", b.host.as_str(), b.port),
            rack: b.rack.as_ref().map(|r| r.to_string()),
            fenced: b.is_fenced,
        })
        .collect())
}

/// The brokers Metadata lists (live), plus, as fenced, every broker id that holds a replica
/// but is not listed.
fn brokers_from_metadata(client: &mut KafkaClient) -> Result<Vec<BrokerInfo>> {
    Ok(brokers_of(&client.metadata(None)?))
}

/// The brokers a Metadata response of every topic shows: those it lists (live) and, as fenced,
/// the ids that hold replicas but are not listed.
pub fn brokers_of(response: &kafka_protocol::messages::MetadataResponse) -> Vec<BrokerInfo> {
    let mut brokers: BTreeMap<i32, BrokerInfo> = response
        .brokers
        .iter()
        .map(|b| {
            (
                b.node_id.0,
                BrokerInfo {
                    id: b.node_id.0,
                    address: format!("{}:{}", b.host.as_str(), b.port),
                    rack: b.rack.as_ref().map(|r| r.to_string()),
                    fenced: false,
                },
            )
        })
        .collect();
    for topic in &response.topics {
        for partition in &topic.partitions {
            for replica in &partition.replica_nodes {
                brokers.entry(replica.0).or_insert_with(|| BrokerInfo {
                    id: replica.0,
                    address: String::new(),
                    rack: None,
                    fenced: true,
                });
            }
        }
    }
    brokers.into_values().collect()
}

/// Every partition of `topics` (`None`: of every topic). A topic Kafka cannot describe yet
/// (LEADER_NOT_AVAILABLE while it is being created, ...) is asked again with backoff; a topic
/// that does not exist is an error naming it (it is never created).
pub fn partitions(
    client: &mut KafkaClient,
    topics: Option<Vec<String>>,
) -> Result<Vec<PartitionInfo>> {
    let mut attempts = Attempts::new(retry::RetryPolicy::default());
    let response = loop {
        let response = client.metadata(topics.clone())?;
        let retriable = response
            .topics
            .iter()
            .find(|t| retry::is_retriable(t.error_code));
        match (retriable, attempts.next_backoff()) {
            (Some(topic), Some(wait)) => {
                tracing::debug!(topic = ?topic.name, error = %error_name(topic.error_code), "metadata not ready; asking again");
                std::thread::sleep(wait);
            }
            _ => break response,
        }
    };
    let mut out = Vec::new();
    for topic in &response.topics {
        let name = topic
            .name
            .as_ref()
            .map(|n| n.0.to_string())
            .unwrap_or_default();
        if topic.error_code == retry::UNKNOWN_TOPIC_OR_PARTITION {
            return Err(KafkaError::Response {
                request: "Metadata",
                subject: format!("topic {name}"),
                code: error_name(topic.error_code),
                message: Some(
                    "the topic does not exist (deleted?); kplace does not create it".into(),
                ),
            });
        }
        if topic.error_code != 0 {
            return Err(response_error(
                "Metadata",
                &format!("topic {name}"),
                topic.error_code,
                None,
            ));
        }
        for p in &topic.partitions {
            out.push(PartitionInfo {
                topic: name.clone(),
                partition: p.partition_index,
                replicas: p.replica_nodes.iter().map(|b| b.0).collect(),
                leader: p.leader_id.0,
                isr: p.isr_nodes.iter().map(|b| b.0).collect(),
                internal: topic.is_internal,
            });
        }
    }
    out.sort_by(|a, b| (&a.topic, a.partition).cmp(&(&b.topic, b.partition)));
    Ok(out)
}

/// Size in bytes of every replica one broker holds, keyed by (topic, partition). Future
/// replicas (being moved between a broker's own log dirs) are left out.
pub fn log_dir_sizes(
    client: &mut KafkaClient,
    broker: i32,
) -> Result<BTreeMap<(String, i32), u64>> {
    Ok(log_dirs(client, broker)?.sizes)
}

/// What one broker's DescribeLogDirs answer says: replica sizes, and the disk capacity of its
/// log dirs where it reports one (KIP-827).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogDirs {
    /// Size in bytes of every replica, keyed by (topic, partition) (as [`log_dir_sizes`]).
    pub sizes: BTreeMap<(String, i32), u64>,
    /// The volumes' capacity, when the broker reports it ([`crate::disk_capacity`]).
    pub disk: Option<crate::disk_capacity::ReportedDisk>,
}

/// One broker's log dirs: replica sizes and reported disk capacity, from one DescribeLogDirs.
pub fn log_dirs(client: &mut KafkaClient, broker: i32) -> Result<LogDirs> {
    let response =
        client.send_to_broker(broker, &DescribeLogDirsRequest::default().with_topics(None))?;
    if response.error_code != 0 {
        return Err(response_error(
            "DescribeLogDirs",
            &format!("broker {broker}"),
            response.error_code,
            None,
        ));
    }
    let mut sizes = BTreeMap::new();
    for dir in &response.results {
        if dir.error_code != 0 {
            tracing::warn!(broker, log_dir = %dir.log_dir.as_str(), error = %error_name(dir.error_code), "log dir unreadable; its sizes are left out");
            continue;
        }
        for topic in &dir.topics {
            for p in &topic.partitions {
                if !p.is_future_key {
                    sizes.insert(
                        (topic.name.0.to_string(), p.partition_index),
                        p.partition_size.max(0) as u64,
                    );
                }
            }
        }
    }
    Ok(LogDirs {
        sizes,
        disk: crate::disk_capacity::reported_disk(&response.results),
    })
}

/// Reads config entries of resources of one type (`RESOURCE_TOPIC` or `RESOURCE_BROKER`).
/// `keys`: only those entries; empty for all. Returns resource name → key → value.
pub fn describe_configs(
    client: &mut KafkaClient,
    resource_type: i8,
    names: &[String],
    keys: &[&str],
) -> Result<BTreeMap<String, BTreeMap<String, String>>> {
    if names.is_empty() {
        return Ok(BTreeMap::new());
    }
    let keys = if keys.is_empty() {
        None
    } else {
        Some(keys.iter().map(|k| str_bytes(k)).collect())
    };
    let request = DescribeConfigsRequest::default().with_resources(
        names
            .iter()
            .map(|name| {
                DescribeConfigsResource::default()
                    .with_resource_type(resource_type)
                    .with_resource_name(str_bytes(name))
                    .with_configuration_keys(keys.clone())
            })
            .collect(),
    );
    let response = client.send_any(&request)?;
    let mut out = BTreeMap::new();
    for result in &response.results {
        let subject = format!(
            "{} {}",
            resource_kind(resource_type),
            result.resource_name.as_str()
        );
        if result.error_code != 0 {
            return Err(response_error(
                "DescribeConfigs",
                &subject,
                result.error_code,
                result.error_message.as_ref().map(|m| m.to_string()),
            ));
        }
        let entries = result
            .configs
            .iter()
            .filter_map(|c| {
                c.value
                    .as_ref()
                    .map(|v| (c.name.to_string(), v.to_string()))
            })
            .collect();
        out.insert(result.resource_name.to_string(), entries);
    }
    Ok(out)
}

/// Changes config entries of resources (`RESOURCE_TOPIC` or `RESOURCE_BROKER`) incrementally.
pub fn alter_configs(
    client: &mut KafkaClient,
    resource_type: i8,
    changes: &BTreeMap<String, Vec<ConfigChange>>,
) -> Result<()> {
    let changes: Vec<_> = changes.iter().filter(|(_, c)| !c.is_empty()).collect();
    if changes.is_empty() {
        return Ok(());
    }
    let resources: Vec<AlterConfigsResource> = changes
        .iter()
        .map(|(name, entries)| {
            AlterConfigsResource::default()
                .with_resource_type(resource_type)
                .with_resource_name(str_bytes(name))
                .with_configs(entries.iter().map(ConfigChange::alterable).collect())
        })
        .collect();
    let responses = if resource_type == RESOURCE_BROKER {
        // A broker's own configs must be changed through that broker.
        let mut responses = Vec::new();
        for resource in resources {
            let name = resource.resource_name.as_str().to_string();
            let broker: i32 = name.parse().map_err(|_| {
                KafkaError::Input(format!("broker config: {name:?} is not a broker id"))
            })?;
            if !client.broker_addresses().contains_key(&broker) {
                tracing::warn!(
                    broker,
                    "broker is down; its throttle configs are left as they are"
                );
                continue;
            }
            let request = IncrementalAlterConfigsRequest::default().with_resources(vec![resource]);
            responses.extend(client.send_to_broker(broker, &request)?.responses);
        }
        responses
    } else {
        client
            .send_any(&IncrementalAlterConfigsRequest::default().with_resources(resources))?
            .responses
    };
    for result in &responses {
        if result.error_code != 0 {
            let subject = format!(
                "{} {}",
                resource_kind(resource_type),
                result.resource_name.as_str()
            );
            return Err(response_error(
                "IncrementalAlterConfigs",
                &subject,
                result.error_code,
                result.error_message.as_ref().map(|m| m.to_string()),
            ));
        }
    }
    Ok(())
}

/// Every reassignment in flight, sorted by topic and partition (asked of the controller).
pub fn list_reassignments(client: &mut KafkaClient) -> Result<Vec<InFlightReassignment>> {
    let response = client.send(
        Route::Controller,
        Resend::Safe,
        &ListPartitionReassignmentsRequest::default()
            .with_timeout_ms(REQUEST_TIMEOUT_MS)
            .with_topics(None),
    )?;
    if response.error_code != 0 {
        return Err(response_error(
            "ListPartitionReassignments",
            "cluster",
            response.error_code,
            response.error_message.as_ref().map(|m| m.to_string()),
        ));
    }
    let mut out = Vec::new();
    for topic in &response.topics {
        for p in &topic.partitions {
            out.push(InFlightReassignment {
                topic: topic.name.0.to_string(),
                partition: p.partition_index,
                replicas: ids(&p.replicas),
                adding_replicas: ids(&p.adding_replicas),
                removing_replicas: ids(&p.removing_replicas),
            });
        }
    }
    out.sort_by(|a, b| (&a.topic, a.partition).cmp(&(&b.topic, b.partition)));
    Ok(out)
}

/// One partition's reassignment request: a new replica list, or `None` to cancel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReassignmentRequest {
    /// Topic name.
    pub topic: String,
    /// Partition number.
    pub partition: i32,
    /// Target replicas; `None` cancels the partition's reassignment.
    pub replicas: Option<Vec<i32>>,
}

/// Submits reassignments (or cancellations) to the controller. Returns the partitions Kafka
/// refused, each with its error; the others were accepted. See [`alter_reassignments_each`].
pub fn alter_reassignments(
    client: &mut KafkaClient,
    requests: &[ReassignmentRequest],
) -> Result<Vec<KafkaError>> {
    Ok(alter_reassignments_each(client, requests)?
        .into_iter()
        .map(|(_, error)| error)
        .collect())
}

/// A partition, as (topic, partition number).
pub type PartitionKey = (String, i32);

/// Submits reassignments (or cancellations) to the controller. Returns the partitions Kafka
/// refused, each with its error; the others were accepted.
///
/// Partitions refused with a retriable error (NOT_CONTROLLER, ...) are submitted again after a
/// backoff. When the request timed out, or failed after it may have reached the controller, it
/// is never blindly sent again: the reassignments in flight and the replicas are read back
/// first, and only the partitions that show neither their target nor its reassignment are sent
/// again, so a move is not submitted twice.
pub fn alter_reassignments_each(
    client: &mut KafkaClient,
    requests: &[ReassignmentRequest],
) -> Result<Vec<(PartitionKey, KafkaError)>> {
    let mut pending: Vec<ReassignmentRequest> = requests.to_vec();
    let mut refused = Vec::new();
    let mut attempts = Attempts::new(retry::RetryPolicy::default());
    while !pending.is_empty() {
        let (again, unsure) = match submit_reassignments(client, &pending) {
            Ok(outcome) => {
                refused.extend(outcome.refused);
                (outcome.retriable, outcome.timed_out)
            }
            Err(KafkaError::Uncertain(reason)) => {
                tracing::warn!(%reason, "reassignment request may have been carried out; reading the state back");
                (Vec::new(), std::mem::take(&mut pending))
            }
            Err(e) => return Err(e),
        };
        let mut next = again;
        if !unsure.is_empty() {
            next.extend(not_carried_out(client, unsure)?);
        }
        if next.is_empty() {
            break;
        }
        match attempts.next_backoff() {
            Some(wait) => std::thread::sleep(wait),
            None => {
                return Err(KafkaError::Timeout(format!(
                    "AlterPartitionReassignments: {} partitions still not accepted after retries, e.g. {}-{}",
                    next.len(),
                    next[0].topic,
                    next[0].partition
                )))
            }
        }
        pending = next;
    }
    Ok(refused)
}

/// What one AlterPartitionReassignments answer said, per partition.
struct Submitted {
    refused: Vec<(PartitionKey, KafkaError)>,
    retriable: Vec<ReassignmentRequest>,
    timed_out: Vec<ReassignmentRequest>,
}

/// The requests of `unsure` that Kafka shows no sign of: neither in flight to their target nor
/// done (a cancellation: no longer in flight).
fn not_carried_out(
    client: &mut KafkaClient,
    unsure: Vec<ReassignmentRequest>,
) -> Result<Vec<ReassignmentRequest>> {
    let in_flight: BTreeMap<(String, i32), InFlightReassignment> = list_reassignments(client)?
        .into_iter()
        .map(|r| ((r.topic.clone(), r.partition), r))
        .collect();
    let mut topics: Vec<String> = unsure.iter().map(|r| r.topic.clone()).collect();
    topics.sort();
    topics.dedup();
    let current: BTreeMap<(String, i32), Vec<i32>> = partitions(client, Some(topics))?
        .into_iter()
        .map(|p| ((p.topic, p.partition), p.replicas))
        .collect();
    let sorted = |v: &[i32]| {
        let mut v = v.to_vec();
        v.sort_unstable();
        v
    };
    Ok(unsure
        .into_iter()
        .filter(|r| {
            let key = (r.topic.clone(), r.partition);
            let flight = in_flight.get(&key);
            let seen = match &r.replicas {
                None => flight.is_none(),
                Some(target) => {
                    flight.is_some_and(|f| {
                        let moving_to: Vec<i32> = f
                            .replicas
                            .iter()
                            .filter(|b| !f.removing_replicas.contains(b))
                            .copied()
                            .collect();
                        sorted(&moving_to) == sorted(target)
                    }) || (flight.is_none() && current.get(&key) == Some(target))
                }
            };
            if seen {
                tracing::info!(topic = %r.topic, partition = r.partition, "read back: Kafka has the request; not sent again");
            }
            !seen
        })
        .collect())
}

fn submit_reassignments(
    client: &mut KafkaClient,
    requests: &[ReassignmentRequest],
) -> Result<Submitted> {
    let mut by_topic: BTreeMap<&str, Vec<&ReassignmentRequest>> = BTreeMap::new();
    for request in requests {
        by_topic.entry(&request.topic).or_default().push(request);
    }
    let topics = by_topic
        .into_iter()
        .map(|(topic, parts)| {
            ReassignableTopic::default()
                .with_name(topic_name(topic))
                .with_partitions(
                    parts
                        .into_iter()
                        .map(|r| {
                            ReassignablePartition::default()
                                .with_partition_index(r.partition)
                                .with_replicas(
                                    r.replicas
                                        .as_ref()
                                        .map(|rs| rs.iter().map(|&b| BrokerId(b)).collect()),
                                )
                        })
                        .collect(),
                )
        })
        .collect();
    let response = client.send(
        Route::Controller,
        Resend::Never,
        &AlterPartitionReassignmentsRequest::default()
            .with_timeout_ms(REQUEST_TIMEOUT_MS)
            .with_topics(topics),
    )?;
    let mut outcome = Submitted {
        refused: Vec::new(),
        retriable: Vec::new(),
        timed_out: Vec::new(),
    };
    if response.error_code == retry::REQUEST_TIMED_OUT {
        outcome.timed_out = requests.to_vec();
        return Ok(outcome);
    }
    if response.error_code != 0 {
        return Err(response_error(
            "AlterPartitionReassignments",
            "cluster",
            response.error_code,
            response.error_message.as_ref().map(|m| m.to_string()),
        ));
    }
    let by_partition: BTreeMap<(&str, i32), &ReassignmentRequest> = requests
        .iter()
        .map(|r| ((r.topic.as_str(), r.partition), r))
        .collect();
    for topic in &response.responses {
        for p in &topic.partitions {
            if p.error_code == 0 {
                continue;
            }
            let request = by_partition
                .get(&(topic.name.0.as_str(), p.partition_index))
                .map(|r| (*r).clone());
            match request {
                Some(r) if p.error_code == retry::REQUEST_TIMED_OUT => outcome.timed_out.push(r),
                Some(r) if retry::is_retriable(p.error_code) => outcome.retriable.push(r),
                _ => outcome.refused.push((
                    (topic.name.0.to_string(), p.partition_index),
                    response_error(
                        "AlterPartitionReassignments",
                        &format!("partition {}-{}", topic.name.0.as_str(), p.partition_index),
                        p.error_code,
                        p.error_message.as_ref().map(|m| m.to_string()),
                    ),
                )),
            }
        }
    }
    Ok(outcome)
}

/// Runs a preferred-leader election for `partitions`. Partitions whose preferred leader already
/// leads are not errors. Returns the partitions whose election failed.
pub fn elect_preferred_leaders(
    client: &mut KafkaClient,
    partitions: &[(String, i32)],
) -> Result<Vec<KafkaError>> {
    Ok(elect_preferred_leaders_each(client, partitions)?
        .into_iter()
        .map(|(_, error)| error)
        .collect())
}

/// Runs a preferred-leader election for `partitions`; returns each partition whose election
/// failed, with its error.
pub fn elect_preferred_leaders_each(
    client: &mut KafkaClient,
    partitions: &[(String, i32)],
) -> Result<Vec<(PartitionKey, KafkaError)>> {
    if partitions.is_empty() {
        return Ok(Vec::new());
    }
    let mut by_topic: BTreeMap<&str, Vec<i32>> = BTreeMap::new();
    for (topic, partition) in partitions {
        by_topic.entry(topic).or_default().push(*partition);
    }
    let request = ElectLeadersRequest::default()
        .with_election_type(0)
        .with_timeout_ms(REQUEST_TIMEOUT_MS)
        .with_topic_partitions(Some(
            by_topic
                .into_iter()
                .map(|(topic, parts)| {
                    TopicPartitions::default()
                        .with_topic(topic_name(topic))
                        .with_partitions(parts)
                })
                .collect(),
        ));
    let response = client.send(Route::Controller, Resend::Safe, &request)?;
    if response.error_code != 0 {
        return Err(response_error(
            "ElectLeaders",
            "cluster",
            response.error_code,
            None,
        ));
    }
    const ELECTION_NOT_NEEDED: i16 = 84;
    let mut failed = Vec::new();
    for result in &response.replica_election_results {
        for p in &result.partition_result {
            if p.error_code != 0 && p.error_code != ELECTION_NOT_NEEDED {
                failed.push((
                    (result.topic.0.to_string(), p.partition_id),
                    response_error(
                        "ElectLeaders",
                        &format!("partition {}-{}", result.topic.0.as_str(), p.partition_id),
                        p.error_code,
                        p.error_message.as_ref().map(|m| m.to_string()),
                    ),
                ));
            }
        }
    }
    Ok(failed)
}

fn ids(brokers: &[BrokerId]) -> Vec<i32> {
    brokers.iter().map(|b| b.0).collect()
}

fn resource_kind(resource_type: i8) -> &'static str {
    match resource_type {
        RESOURCE_TOPIC => "topic",
        RESOURCE_BROKER => "broker",
        _ => "resource",
    }
}

pub(crate) fn response_error(
    request: &'static str,
    subject: &str,
    code: i16,
    message: Option<String>,
) -> KafkaError {
    KafkaError::Response {
        request,
        subject: subject.to_string(),
        code: error_name(code),
        message,
    }
}

#[cfg(test)]
mod tests {
    use kafka_protocol::messages::metadata_response::{
        MetadataResponseBroker, MetadataResponsePartition, MetadataResponseTopic,
    };
    use kafka_protocol::messages::MetadataResponse;
    use kafka_protocol::protocol::StrBytes;

    use super::*;

    #[test]
    fn brokers_that_hold_replicas_but_are_not_listed_are_down() {
        let broker = |id: i32, rack: &'static str| {
            MetadataResponseBroker::default()
                .with_node_id(BrokerId(id))
                .with_host(StrBytes::from_static_str("127.0.0.1"))
                .with_port(9090 + id)
                .with_rack(Some(StrBytes::from_static_str(rack)))
        };
        let partition = |index: i32, replicas: &[i32]| {
            MetadataResponsePartition::default()
                .with_partition_index(index)
                .with_replica_nodes(replicas.iter().map(|&b| BrokerId(b)).collect())
        };
        // Broker 3 is down: ZooKeeper-mode Metadata lists brokers 1 and 2 only.
        let response = MetadataResponse::default()
            .with_brokers(vec![broker(2, "az2"), broker(1, "az1")])
            .with_topics(vec![MetadataResponseTopic::default()
                .with_name(Some(topic_name("t")))
                .with_partitions(vec![partition(0, &[1, 3]), partition(1, &[2, 3])])]);
        let brokers = brokers_of(&response);
        let summary: Vec<(i32, bool, Option<&str>)> = brokers
            .iter()
            .map(|b| (b.id, b.fenced, b.rack.as_deref()))
            .collect();
        assert_eq!(
            summary,
            vec![
                (1, false, Some("az1")),
                (2, false, Some("az2")),
                (3, true, None)
            ]
        );
        assert_eq!(brokers[0].address, "127.0.0.1:9091");
    }
}
