//! Eligible leader replicas (KIP-966) from DescribeTopicPartitions (Kafka 3.7 and newer):
//! replicas out of the ISR that still hold every committed record. Metadata does not carry
//! them, so the snapshot asks for them separately and goes without when the cluster cannot say.

use std::collections::BTreeMap;

use kafka_protocol::messages::describe_topic_partitions_request::{Cursor, TopicRequest};
use kafka_protocol::messages::DescribeTopicPartitionsRequest;

use crate::client::KafkaClient;
use crate::error::Result;
use crate::names::topic_name;

/// Partitions per response page (Kafka's own default limit).
const PAGE: i32 = 2000;

/// The non-empty ELR of every partition of `topics` that has one, keyed by (topic, partition).
pub fn eligible_leader_replicas(
    client: &mut KafkaClient,
    topics: &[String],
) -> Result<BTreeMap<(String, i32), Vec<i32>>> {
    let mut out = BTreeMap::new();
    if topics.is_empty() {
        return Ok(out);
    }
    let requested: Vec<TopicRequest> = topics
        .iter()
        .map(|t| TopicRequest::default().with_name(topic_name(t)))
        .collect();
    let mut cursor: Option<Cursor> = None;
    loop {
        let request = DescribeTopicPartitionsRequest::default()
            .with_topics(requested.clone())
            .with_response_partition_limit(PAGE)
            .with_cursor(cursor.take());
        let response = client.send_any(&request)?;
        for topic in &response.topics {
            let Some(name) = topic.name.as_ref().filter(|_| topic.error_code == 0) else {
                continue;
            };
            for p in &topic.partitions {
                let elr: Vec<i32> = p
                    .eligible_leader_replicas
                    .iter()
                    .flatten()
                    .map(|b| b.0)
                    .collect();
                if p.error_code == 0 && !elr.is_empty() {
                    out.insert((name.0.to_string(), p.partition_index), elr);
                }
            }
        }
        match response.next_cursor {
            Some(next) => {
                cursor = Some(
                    Cursor::default()
                        .with_topic_name(next.topic_name)
                        .with_partition_index(next.partition_index),
                )
            }
            None => return Ok(out),
        }
    }
}
