//! Cancelling reassignments in flight and removing kplace's replication throttles (or, when
//! asked explicitly, every replication throttle).

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use crate::admin::ReassignmentRequest;
use crate::broker_configs::BrokerScope;
use crate::cluster_admin::ClusterAdmin;
use crate::error::{KafkaError, Result};
use crate::owned_throttles::OwnedThrottles;
use crate::throttle;

/// What a cancel did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CancelReport {
    /// Partitions whose reassignment was cancelled.
    pub cancelled: Vec<(String, i32)>,
    /// Topics whose throttle configs were changed.
    pub unthrottled_topics: Vec<String>,
    /// Brokers whose throttle rates were removed.
    pub unthrottled_brokers: Vec<i32>,
}

/// Which throttles a cancel removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThrottleRemoval {
    /// Only those kplace set (its ledger in the cluster): another operator's stay.
    KplaceOnly,
    /// Every replication throttle on every topic and broker, whoever set it.
    All,
}

/// Cancels every reassignment in flight (or only those of `only`, when given), waits until Kafka
/// has rolled them back (at most `timeout`), and removes replication throttles as `removal`
/// says.
pub fn cancel(
    admin: &mut dyn ClusterAdmin,
    only: Option<&[(String, i32)]>,
    timeout: Duration,
    removal: ThrottleRemoval,
) -> Result<CancelReport> {
    admin.require(crate::versions::operations::CANCEL)?;
    let mut report = CancelReport {
        cancelled: cancel_reassignments(admin, only, timeout)?,
        ..CancelReport::default()
    };
    let mut owned = OwnedThrottles::load(admin)?;
    let removed = owned.remove_all(admin)?;
    report.unthrottled_topics = removed.topics;
    report.unthrottled_brokers = removed.brokers;
    if removal == ThrottleRemoval::All {
        let (topics, brokers) = remove_every_throttle(admin)?;
        report.unthrottled_topics.extend(topics);
        report.unthrottled_brokers.extend(brokers);
        report.unthrottled_topics.sort();
        report.unthrottled_topics.dedup();
        report.unthrottled_brokers.sort_unstable();
        report.unthrottled_brokers.dedup();
    }
    Ok(report)
}

/// Cancels every reassignment in flight (or only those of `only`) and waits until Kafka has
/// rolled them back (at most `timeout`); throttles are left as they are. Returns the partitions
/// whose reassignment was cancelled.
pub fn cancel_reassignments(
    admin: &mut dyn ClusterAdmin,
    only: Option<&[(String, i32)]>,
    timeout: Duration,
) -> Result<Vec<(String, i32)>> {
    let only: Option<BTreeSet<(&str, i32)>> =
        only.map(|keep| keep.iter().map(|(t, p)| (t.as_str(), *p)).collect());
    let in_flight = admin.reassignments()?;
    let requests: Vec<ReassignmentRequest> = in_flight
        .iter()
        .filter(|r| {
            only.as_ref()
                .is_none_or(|keep| keep.contains(&(r.topic.as_str(), r.partition)))
        })
        .map(|r| ReassignmentRequest {
            topic: r.topic.clone(),
            partition: r.partition,
            replicas: None,
        })
        .collect();
    // A reassignment that finished meanwhile is not an error.
    const NO_REASSIGNMENT_IN_PROGRESS: &str = "NoReassignmentInProgress";
    for (_, error) in admin.alter_reassignments(&requests)? {
        match &error {
            KafkaError::Response { code, .. } if code == NO_REASSIGNMENT_IN_PROGRESS => {}
            _ => return Err(error),
        }
    }
    let cancelled_keys: Vec<(String, i32)> = requests
        .iter()
        .map(|r| (r.topic.clone(), r.partition))
        .collect();
    let cancelled: BTreeSet<(&str, i32)> = cancelled_keys
        .iter()
        .map(|(t, p)| (t.as_str(), *p))
        .collect();
    let deadline = Instant::now() + timeout;
    loop {
        let remaining: Vec<_> = admin
            .reassignments()?
            .into_iter()
            .filter(|r| cancelled.contains(&(r.topic.as_str(), r.partition)))
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
    Ok(cancelled_keys)
}

/// Removes the throttled-replica lists of every topic and the rates of every reachable broker,
/// whoever set them. Returns the topics and brokers that had one.
fn remove_every_throttle(admin: &mut dyn ClusterAdmin) -> Result<(Vec<String>, Vec<i32>)> {
    let topics: Vec<String> = admin
        .partitions(None)?
        .into_iter()
        .map(|p| p.topic)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let configs = admin.topic_configs(
        &topics,
        &[throttle::LEADER_REPLICAS, throttle::FOLLOWER_REPLICAS],
    )?;
    let throttled: BTreeMap<String, _> = configs
        .into_iter()
        .filter(|(_, entries)| entries.values().any(|v| !v.is_empty()))
        .map(|(topic, _)| {
            (
                topic,
                vec![
                    crate::admin::ConfigChange::Delete(throttle::LEADER_REPLICAS.into()),
                    crate::admin::ConfigChange::Delete(throttle::FOLLOWER_REPLICAS.into()),
                ],
            )
        })
        .collect();
    admin.alter_topic_configs(&throttled)?;
    let mut brokers = Vec::new();
    for broker in admin.brokers()?.into_iter().map(|b| b.id) {
        let removals = [
            crate::admin::ConfigChange::Delete(throttle::LEADER_RATE.into()),
            crate::admin::ConfigChange::Delete(throttle::FOLLOWER_RATE.into()),
        ];
        if admin.alter_broker_configs(BrokerScope::Broker(broker), &removals)? {
            brokers.push(broker);
        } else {
            tracing::warn!(
                broker,
                "broker is down; its throttle rates are left as they are"
            );
        }
    }
    Ok((throttled.into_keys().collect(), brokers))
}
