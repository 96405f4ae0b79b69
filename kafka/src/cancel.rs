//! Cancelling reassignments in flight and removing every replication throttle.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::admin::{self, ReassignmentRequest, RESOURCE_BROKER, RESOURCE_TOPIC};
use crate::client::KafkaClient;
use crate::error::{KafkaError, Result};
use crate::throttle;

/// What a cancel did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CancelReport {
    /// Partitions whose reassignment was cancelled.
    pub cancelled: Vec<(String, i32)>,
    /// Topics whose throttle configs were removed.
    pub unthrottled_topics: Vec<String>,
    /// Brokers whose throttle rates were removed.
    pub unthrottled_brokers: Vec<i32>,
}

/// Cancels every reassignment in flight (or only those of `only`, when given), waits until Kafka
/// has rolled them back, and removes replication throttles from every topic and broker.
pub fn cancel(
    client: &mut KafkaClient,
    only: Option<&[(String, i32)]>,
    timeout: Duration,
) -> Result<CancelReport> {
    let mut report = CancelReport::default();
    let in_flight = admin::list_reassignments(client)?;
    let requests: Vec<ReassignmentRequest> = in_flight
        .iter()
        .filter(|r| {
            only.is_none_or(|keep| keep.iter().any(|(t, p)| *t == r.topic && *p == r.partition))
        })
        .map(|r| ReassignmentRequest {
            topic: r.topic.clone(),
            partition: r.partition,
            replicas: None,
        })
        .collect();
    // A reassignment that finished meanwhile is not an error.
    const NO_REASSIGNMENT_IN_PROGRESS: &str = "NoReassignmentInProgress";
    for error in admin::alter_reassignments(client, &requests)? {
        match &error {
            KafkaError::Response { code, .. } if code == NO_REASSIGNMENT_IN_PROGRESS => {}
            _ => return Err(error),
        }
    }
    report.cancelled = requests
        .iter()
        .map(|r| (r.topic.clone(), r.partition))
        .collect();
    let deadline = Instant::now() + timeout;
    loop {
        let remaining: Vec<_> = admin::list_reassignments(client)?
            .into_iter()
            .filter(|r| {
                report
                    .cancelled
                    .iter()
                    .any(|(t, p)| *t == r.topic && *p == r.partition)
            })
            .collect();
        if remaining.is_empty() {
            break;
        }
        if Instant::now() >= deadline {
            return Err(KafkaError::Timeout(format!(
                "{} cancelled reassignments still run after {timeout:?}, e.g. {}-{}",
                remaining.len(),
                remaining[0].topic,
                remaining[0].partition
            )));
        }
        std::thread::sleep(Duration::from_millis(500));
    }

    let mut topics: Vec<String> = admin::partitions(client, None)?
        .into_iter()
        .map(|p| p.topic)
        .collect();
    topics.dedup();
    let configs = admin::describe_configs(
        client,
        RESOURCE_TOPIC,
        &topics,
        &[throttle::LEADER_REPLICAS, throttle::FOLLOWER_REPLICAS],
    )?;
    let throttled: BTreeMap<String, _> = configs
        .into_iter()
        .filter(|(_, entries)| entries.values().any(|v| !v.is_empty()))
        .map(|(topic, _)| (topic, throttle::topic_removals()))
        .collect();
    admin::alter_configs(client, RESOURCE_TOPIC, &throttled)?;
    report.unthrottled_topics = throttled.keys().cloned().collect();
    let brokers: Vec<i32> = admin::describe_cluster(client)?
        .into_iter()
        .map(|b| b.id)
        .collect();
    let removals: BTreeMap<String, _> = brokers
        .iter()
        .map(|b| (b.to_string(), throttle::rate_removals()))
        .collect();
    admin::alter_configs(client, RESOURCE_BROKER, &removals)?;
    report.unthrottled_brokers = brokers;
    Ok(report)
}
