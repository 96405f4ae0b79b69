//! Kafka's admin operations that kplace needs, as plain data in and out: cluster and topic
//! metadata, log-dir sizes, configs, reassignments and preferred-leader elections.

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

use crate::client::KafkaClient;
use crate::error::{error_name, KafkaError, Result};
use crate::names::{str_bytes, topic_name};

/// Kafka's config resource type for topics.
pub const RESOURCE_TOPIC: i8 = 2;
/// Kafka's config resource type for brokers.
pub const RESOURCE_BROKER: i8 = 4;
/// How long the controller may take for a request, in milliseconds.
const REQUEST_TIMEOUT_MS: i32 = 30_000;

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
}

/// Every broker registered with the cluster, fenced ones included.
pub fn describe_cluster(client: &mut KafkaClient) -> Result<Vec<BrokerInfo>> {
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

/// Every partition of `topics` (`None`: of every topic).
pub fn partitions(
    client: &mut KafkaClient,
    topics: Option<Vec<String>>,
) -> Result<Vec<PartitionInfo>> {
    let response = client.metadata(topics)?;
    let mut out = Vec::new();
    for topic in &response.topics {
        let name = topic
            .name
            .as_ref()
            .map(|n| n.0.to_string())
            .unwrap_or_default();
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
    Ok(sizes)
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
                .with_configs(
                    entries
                        .iter()
                        .map(|change| match change {
                            ConfigChange::Set(key, value) => AlterableConfig::default()
                                .with_name(str_bytes(key))
                                .with_config_operation(0)
                                .with_value(Some(str_bytes(value))),
                            ConfigChange::Delete(key) => AlterableConfig::default()
                                .with_name(str_bytes(key))
                                .with_config_operation(1),
                        })
                        .collect(),
                )
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

/// Every reassignment in flight, sorted by topic and partition.
pub fn list_reassignments(client: &mut KafkaClient) -> Result<Vec<InFlightReassignment>> {
    let response = client.send_any(
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

/// Submits reassignments (or cancellations). Returns the partitions Kafka refused, each with
/// its error; the others were accepted.
pub fn alter_reassignments(
    client: &mut KafkaClient,
    requests: &[ReassignmentRequest],
) -> Result<Vec<KafkaError>> {
    if requests.is_empty() {
        return Ok(Vec::new());
    }
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
    let response = client.send_any(
        &AlterPartitionReassignmentsRequest::default()
            .with_timeout_ms(REQUEST_TIMEOUT_MS)
            .with_topics(topics),
    )?;
    if response.error_code != 0 {
        return Err(response_error(
            "AlterPartitionReassignments",
            "cluster",
            response.error_code,
            response.error_message.as_ref().map(|m| m.to_string()),
        ));
    }
    let mut refused = Vec::new();
    for topic in &response.responses {
        for p in &topic.partitions {
            if p.error_code != 0 {
                refused.push(response_error(
                    "AlterPartitionReassignments",
                    &format!("partition {}-{}", topic.name.0.as_str(), p.partition_index),
                    p.error_code,
                    p.error_message.as_ref().map(|m| m.to_string()),
                ));
            }
        }
    }
    Ok(refused)
}

/// Runs a preferred-leader election for `partitions`. Partitions whose preferred leader already
/// leads are not errors. Returns the partitions whose election failed.
pub fn elect_preferred_leaders(
    client: &mut KafkaClient,
    partitions: &[(String, i32)],
) -> Result<Vec<KafkaError>> {
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
    let response = client.send_any(&request)?;
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
                failed.push(response_error(
                    "ElectLeaders",
                    &format!("partition {}-{}", result.topic.0.as_str(), p.partition_id),
                    p.error_code,
                    p.error_message.as_ref().map(|m| m.to_string()),
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

fn response_error(
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
