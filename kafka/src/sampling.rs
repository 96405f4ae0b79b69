//! `kplace snapshot --sample`: reads the cluster's offsets several times, a window apart, and
//! turns their growth into each partition's produce and consume rates and load
//! (the [`rates`] module does the arithmetic; this module only reads).
//!
//! One reading is: every partition's log-start and log-end offsets (ListOffsets, earliest and
//! latest, at each partition's leader), every partition's size (DescribeLogDirs on every live
//! broker, the leader's copy), and the committed offsets of every group (ListGroups on every live
//! broker, then OffsetFetch at the broker that listed the group: its coordinator). Nothing is
//! written to the cluster.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use kafka_protocol::messages::list_offsets_request::{ListOffsetsPartition, ListOffsetsTopic};
use kafka_protocol::messages::offset_fetch_request::OffsetFetchRequestGroup;
use kafka_protocol::messages::{
    BrokerId, GroupId, ListGroupsRequest, ListOffsetsRequest, OffsetFetchRequest,
};
use kplace_placement::snapshot::{PartitionSpec, Snapshot};
use kplace_placement::snapshot_load::{LoadMethod, LoadSource, SampledRates};

use crate::admin::{self, PartitionInfo, RESOURCE_TOPIC};
use crate::client::KafkaClient;
use crate::connection::SERVER_TIMEOUT_MS;
use crate::error::{error_name, Result};
use crate::names::{str_bytes, topic_name};
use crate::rates::{self, Combined, Figure, PartitionKey, PartitionReading, Reading, Statistic};

/// ListOffsets' timestamp asking for the latest offset (the high watermark).
const LATEST: i64 = -1;
/// ListOffsets' timestamp asking for the earliest offset still in the log.
const EARLIEST: i64 = -2;
/// The topic config that says whether a topic is compacted.
const CLEANUP_POLICY: &str = "cleanup.policy";

/// How to sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SampleOptions {
    /// Length of one window.
    pub window: Duration,
    /// Number of windows (readings: one more).
    pub samples: u32,
    /// Which figure over the windows becomes the load.
    pub statistic: Statistic,
}

/// Takes a snapshot ([`take_snapshot`](crate::snapshot::take_snapshot), at the end of the
/// last window) whose partitions carry sampled loads and rates, and whose `load_source` says
/// how they were obtained. Takes `window × samples`.
pub fn take_sampled_snapshot(client: &mut KafkaClient, options: SampleOptions) -> Result<Snapshot> {
    client.require(crate::versions::operations::SAMPLE)?;
    let started = Instant::now();
    let mut readings = vec![read(client, started)?];
    // The windows count from the first reading's moment (connecting to every broker makes the
    // first reading slower than the next ones).
    let first = started + Duration::from_secs_f64(readings[0].at);
    for index in 1..=options.samples.max(1) {
        let due = first + options.window * index;
        std::thread::sleep(due.saturating_duration_since(Instant::now()));
        readings.push(read(client, started)?);
    }
    let mut snapshot = crate::snapshot::take_snapshot(client)?;
    let topics: Vec<String> = snapshot.topics.iter().map(|t| t.name.clone()).collect();
    let compacted = compacted_topics(client, &topics)?;
    let windows: Vec<rates::Window> = readings
        .windows(2)
        .map(|pair| rates::window(&pair[0], &pair[1], &compacted))
        .collect();
    apply_windows(&mut snapshot, &windows, options);
    Ok(snapshot)
}

/// Gives `to` (a later snapshot of the same cluster, e.g. after moves) the rates `from`
/// measured: a partition's produce and consume rates do not depend on where its replicas are,
/// so its load is derived again for its replica count now; partitions `from` does not have keep
/// theirs. `to`'s load source becomes `from`'s.
pub fn carry_loads(from: &Snapshot, to: &mut Snapshot) {
    let measured: BTreeMap<(&str, i32), &PartitionSpec> = from
        .partitions
        .iter()
        .map(|p| ((p.topic.as_str(), p.partition), p))
        .collect();
    for partition in &mut to.partitions {
        let Some(old) = measured.get(&(partition.topic.as_str(), partition.partition)) else {
            continue;
        };
        partition.load = match &old.rates {
            Some(r) => rates::load_of(r.produce, r.consume, partition.replicas.len()),
            None => old.load,
        };
        partition.rates = old.rates.clone();
    }
    to.load_source = from.load_source.clone();
}

/// Sets each partition's load and rates from the windows, and the snapshot's load source.
pub fn apply_windows(snapshot: &mut Snapshot, windows: &[rates::Window], options: SampleOptions) {
    let missing = Figure::Unknown("not read in this window (no leader?)".into());
    let mut unknown = 0u32;
    for partition in &mut snapshot.partitions {
        let key: PartitionKey = (partition.topic.clone(), partition.partition);
        let per_window: Vec<Option<&rates::PartitionWindow>> =
            windows.iter().map(|w| w.partitions.get(&key)).collect();
        let produce: Vec<&Figure> = per_window
            .iter()
            .map(|w| w.map_or(&missing, |w| &w.produce))
            .collect();
        let consume: Vec<&Figure> = per_window
            .iter()
            .map(|w| w.map_or(&missing, |w| &w.consume))
            .collect();
        let produce = rates::combine(&produce, options.statistic);
        let consume = rates::combine(&consume, options.statistic);
        let (produce_value, produce_spread) = known(&produce);
        let (consume_value, consume_spread) = known(&consume);
        if produce_value.is_none() || consume_value.is_none() {
            unknown += 1;
        }
        let note = [&produce, &consume].iter().find_map(|c| match c {
            Combined::Unknown(reason) => Some(reason.clone()),
            Combined::Known { .. } => None,
        });
        partition.load = rates::load_of(produce_value, consume_value, partition.replicas.len());
        partition.rates = Some(SampledRates {
            produce: produce_value,
            produce_spread,
            consume: consume_value,
            consume_spread,
            bytes_per_message: per_window
                .iter()
                .rev()
                .find_map(|w| w.and_then(|w| w.bytes_per_message)),
            note,
        });
    }
    let mut seen = BTreeSet::new();
    let notes: Vec<String> = windows
        .iter()
        .flat_map(|w| w.notes.iter())
        .filter(|note| seen.insert(note.as_str()))
        .cloned()
        .collect();
    let seconds = if windows.is_empty() {
        options.window.as_secs_f64()
    } else {
        windows.iter().map(|w| w.seconds).sum::<f64>() / windows.len() as f64
    };
    snapshot.load_source = Some(LoadSource {
        method: LoadMethod::Sampled,
        window_seconds: Some(seconds),
        samples: Some(windows.len() as u32),
        statistic: Some(options.statistic.to_string()),
        cpu: Some(rates::CPU_FORMULA.to_string()),
        unknown_partitions: unknown,
        notes,
    });
}

fn known(combined: &Combined) -> (Option<f64>, Option<f64>) {
    match combined {
        Combined::Known { value, spread, .. } => (Some(*value), Some(*spread)),
        Combined::Unknown(_) => (None, None),
    }
}

/// How long one reading retries the partitions whose leader just moved (a leader election
/// right before sampling, as after `apply` or a heal round, leaves brokers with metadata a few
/// milliseconds old): short, since a retried partition's offsets are read later than the
/// others' and the window is measured once for all.
const LEADER_RETRY: crate::retry::RetryPolicy = crate::retry::RetryPolicy {
    deadline: Duration::from_secs(3),
    initial_backoff: Duration::from_millis(100),
    max_backoff: Duration::from_millis(500),
};

/// One reading of the whole cluster; `at` counts from `started`.
pub fn read(client: &mut KafkaClient, started: Instant) -> Result<Reading> {
    let mut partitions = admin::partitions(client, None)?;
    let live: Vec<i32> = client.broker_addresses().keys().copied().collect();
    // Every broker's copy, so that the leader's can be taken once the leaders are settled.
    let mut copies: BTreeMap<PartitionKey, BTreeMap<i32, u64>> = BTreeMap::new();
    for &broker in &live {
        match admin::log_dir_sizes(client, broker) {
            Ok(held) => {
                for (key, size) in held {
                    copies.entry(key).or_default().insert(broker, size);
                }
            }
            Err(error) => {
                tracing::warn!(broker, %error, "cannot read log-dir sizes; its partitions' rates may be unknown")
            }
        }
    }
    let earliest = offsets(client, &mut partitions, EARLIEST)?;
    let before = started.elapsed().as_secs_f64();
    let latest = offsets(client, &mut partitions, LATEST)?;
    let at = (before + started.elapsed().as_secs_f64()) / 2.0;
    let committed = committed_offsets(client, &live)?;
    let leaders: BTreeMap<PartitionKey, i32> = partitions
        .iter()
        .map(|p| ((p.topic.clone(), p.partition), p.leader))
        .collect();
    let partitions = latest
        .into_iter()
        .filter_map(|(key, log_end)| {
            let log_start = *earliest.get(&key)?;
            let size = leaders
                .get(&key)
                .and_then(|leader| copies.get(&key)?.get(leader))
                .copied();
            Some((
                key,
                PartitionReading {
                    log_start,
                    log_end,
                    size,
                },
            ))
        })
        .collect();
    Ok(Reading {
        at,
        partitions,
        committed,
    })
}

/// The offset at `timestamp` (`LATEST` or `EARLIEST`) of every partition with a leader, asked
/// of each leader. Partitions whose leader says it no longer leads them (or cannot be reached)
/// are asked again at their leader by fresh metadata, within [`LEADER_RETRY`], and `partitions`
/// then carries the new leaders; a partition still failing is left out (unknown), with a warning.
fn offsets(
    client: &mut KafkaClient,
    partitions: &mut [PartitionInfo],
    timestamp: i64,
) -> Result<BTreeMap<PartitionKey, i64>> {
    let mut out = BTreeMap::new();
    let mut attempts = crate::retry::Attempts::new(LEADER_RETRY);
    let mut wanted: BTreeSet<PartitionKey> = partitions
        .iter()
        .filter(|p| p.leader >= 0)
        .map(|p| (p.topic.clone(), p.partition))
        .collect();
    loop {
        let asked: Vec<&PartitionInfo> = partitions
            .iter()
            .filter(|p| p.leader >= 0 && wanted.contains(&(p.topic.clone(), p.partition)))
            .collect();
        let failed = offsets_at_leaders(client, &asked, timestamp, &mut out);
        if failed.is_empty() {
            return Ok(out);
        }
        let Some(wait) = attempts.next_backoff() else {
            for ((topic, partition), why) in &failed {
                tracing::warn!(%topic, partition, %why, "ListOffsets: partition left out of this reading");
            }
            return Ok(out);
        };
        tracing::debug!(
            partitions = failed.len(),
            "ListOffsets: leaders moved; asking again"
        );
        std::thread::sleep(wait);
        let topics: BTreeSet<String> = failed.keys().map(|(t, _)| t.clone()).collect();
        let fresh = match admin::partitions(client, Some(topics.into_iter().collect())) {
            Ok(fresh) => fresh,
            Err(error) => {
                // A topic deleted meanwhile, say: the rest of the reading stands.
                tracing::warn!(%error, partitions = failed.len(), "ListOffsets: no fresh leaders; partitions left out of this reading");
                return Ok(out);
            }
        };
        let leaders: BTreeMap<(&str, i32), i32> = fresh
            .iter()
            .map(|f| ((f.topic.as_str(), f.partition), f.leader))
            .collect();
        for p in partitions.iter_mut() {
            if let Some(&leader) = leaders.get(&(p.topic.as_str(), p.partition)) {
                p.leader = leader;
            }
        }
        wanted = failed.into_keys().collect();
    }
}

/// One round of [`offsets`]: asks each leader for its partitions' offsets into `out`; returns
/// the partitions that failed in a way a fresh leader may mend, with the reason.
fn offsets_at_leaders(
    client: &mut KafkaClient,
    partitions: &[&PartitionInfo],
    timestamp: i64,
    out: &mut BTreeMap<PartitionKey, i64>,
) -> BTreeMap<PartitionKey, String> {
    let mut by_leader: BTreeMap<i32, BTreeMap<&str, Vec<i32>>> = BTreeMap::new();
    for p in partitions {
        by_leader
            .entry(p.leader)
            .or_default()
            .entry(&p.topic)
            .or_default()
            .push(p.partition);
    }
    let mut failed = BTreeMap::new();
    for (leader, topics) in by_leader {
        let keys: Vec<PartitionKey> = topics
            .iter()
            .flat_map(|(t, ns)| ns.iter().map(|&n| (t.to_string(), n)))
            .collect();
        let request = ListOffsetsRequest::default()
            .with_replica_id(BrokerId(-1))
            .with_isolation_level(0)
            .with_timeout_ms(SERVER_TIMEOUT_MS)
            .with_topics(
                topics
                    .into_iter()
                    .map(|(topic, numbers)| {
                        ListOffsetsTopic::default()
                            .with_name(topic_name(topic))
                            .with_partitions(
                                numbers
                                    .into_iter()
                                    .map(|n| {
                                        ListOffsetsPartition::default()
                                            .with_partition_index(n)
                                            .with_current_leader_epoch(-1)
                                            .with_timestamp(timestamp)
                                    })
                                    .collect(),
                            )
                    })
                    .collect(),
            );
        let response = match client.send_to_broker(leader, &request) {
            Ok(response) => response,
            Err(error) => {
                let why = format!("broker {leader}: {error}");
                failed.extend(keys.into_iter().map(|k| (k, why.clone())));
                continue;
            }
        };
        for topic in &response.topics {
            for p in &topic.partitions {
                let key = (topic.name.0.to_string(), p.partition_index);
                if p.error_code == 0 {
                    out.insert(key, p.offset);
                } else if crate::retry::is_retriable(p.error_code) {
                    failed.insert(key, error_name(p.error_code).to_string());
                } else {
                    tracing::warn!(topic = %key.0, partition = key.1, error = %error_name(p.error_code), "ListOffsets: partition left out of this reading");
                }
            }
        }
    }
    failed
}

/// Committed offsets of every group the live brokers coordinate: group → partition → offset.
/// Share groups are left out (they commit no consumer offsets); a group whose offsets cannot
/// be read is left out with a warning.
fn committed_offsets(
    client: &mut KafkaClient,
    live: &[i32],
) -> Result<BTreeMap<String, BTreeMap<PartitionKey, i64>>> {
    let mut out = BTreeMap::new();
    for &broker in live {
        let listed = match client.send_to_broker(broker, &ListGroupsRequest::default()) {
            Ok(listed) if listed.error_code == 0 => listed,
            Ok(listed) => {
                tracing::warn!(broker, error = %error_name(listed.error_code), "ListGroups failed; the groups it coordinates are not counted");
                continue;
            }
            Err(error) => {
                tracing::warn!(broker, %error, "ListGroups failed; the groups it coordinates are not counted");
                continue;
            }
        };
        let groups: Vec<String> = listed
            .groups
            .iter()
            .filter(|g| g.group_type.as_str() != "share")
            .map(|g| g.group_id.0.to_string())
            .collect();
        if groups.is_empty() {
            continue;
        }
        let request = OffsetFetchRequest::default().with_groups(
            groups
                .iter()
                .map(|g| {
                    OffsetFetchRequestGroup::default()
                        .with_group_id(GroupId(str_bytes(g)))
                        .with_topics(None)
                })
                .collect(),
        );
        let response = match client.send_to_broker(broker, &request) {
            Ok(response) => response,
            Err(error) => {
                tracing::warn!(broker, %error, "OffsetFetch failed; the groups it coordinates are not counted");
                continue;
            }
        };
        for group in &response.groups {
            if group.error_code != 0 {
                tracing::warn!(group = %group.group_id.0.as_str(), error = %error_name(group.error_code), "OffsetFetch: group not counted");
                continue;
            }
            let offsets: BTreeMap<PartitionKey, i64> = group
                .topics
                .iter()
                .flat_map(|t| {
                    t.partitions
                        .iter()
                        .filter(|p| p.error_code == 0 && p.committed_offset >= 0)
                        .map(|p| {
                            (
                                (t.name.0.to_string(), p.partition_index),
                                p.committed_offset,
                            )
                        })
                })
                .collect();
            if !offsets.is_empty() {
                out.insert(group.group_id.0.to_string(), offsets);
            }
        }
    }
    Ok(out)
}

/// Topics whose `cleanup.policy` includes `compact`.
fn compacted_topics(client: &mut KafkaClient, topics: &[String]) -> Result<BTreeSet<String>> {
    let configs = admin::describe_configs(client, RESOURCE_TOPIC, topics, &[CLEANUP_POLICY])?;
    Ok(configs
        .into_iter()
        .filter(|(_, entries)| {
            entries
                .get(CLEANUP_POLICY)
                .is_some_and(|policy| policy.split(',').any(|p| p.trim() == "compact"))
        })
        .map(|(topic, _)| topic)
        .collect())
}

#[cfg(test)]
mod tests {
    use kplace_placement::snapshot::PartitionSpec;

    use super::*;
    use crate::rates::PartitionWindow;

    fn window(seconds: f64, produce: Figure, consume: Figure) -> rates::Window {
        rates::Window {
            seconds,
            partitions: BTreeMap::from([(
                ("t".to_string(), 0),
                PartitionWindow {
                    produce,
                    consume,
                    bytes_per_message: Some(100.0),
                },
            )]),
            notes: vec!["consumer group g went away during the window: not counted in it".into()],
        }
    }

    fn snapshot() -> Snapshot {
        Snapshot {
            partitions: vec![
                PartitionSpec {
                    topic: "t".into(),
                    partition: 0,
                    replicas: vec![1, 2, 3],
                    ..PartitionSpec::default()
                },
                PartitionSpec {
                    topic: "t".into(),
                    partition: 1,
                    replicas: vec![2, 3],
                    ..PartitionSpec::default()
                },
            ],
            ..Snapshot::default()
        }
    }

    #[test]
    fn windows_become_loads_rates_and_their_source() {
        let mut s = snapshot();
        let windows = [
            window(10.0, Figure::Known(1000.0), Figure::Known(500.0)),
            window(10.0, Figure::Known(3000.0), Figure::Unknown("reset".into())),
        ];
        let options = SampleOptions {
            window: Duration::from_secs(10),
            samples: 2,
            statistic: Statistic::Mean,
        };
        apply_windows(&mut s, &windows, options);
        let rates = s.partitions[0].rates.clone().expect("rates");
        assert_eq!(rates.produce, Some(2000.0));
        assert_eq!(rates.produce_spread, Some(1000.0));
        assert_eq!(rates.consume, Some(500.0));
        assert_eq!(rates.consume_spread, Some(0.0));
        assert_eq!(s.partitions[0].load.network_in, 2000.0);
        assert_eq!(s.partitions[0].load.network_out, 500.0 + 2.0 * 2000.0);
        // Partition 1 was read in no window: unknown, load 0, said.
        let unknown = s.partitions[1].rates.clone().expect("rates");
        assert_eq!((unknown.produce, unknown.consume), (None, None));
        assert!(unknown.note.is_some_and(|n| n.contains("not read")));
        assert!(s.partitions[1].load.is_zero());
        let source = s.load_source.expect("load_source");
        assert_eq!(source.method, LoadMethod::Sampled);
        assert_eq!(
            (source.samples, source.window_seconds),
            (Some(2), Some(10.0))
        );
        assert_eq!(source.unknown_partitions, 1);
        assert_eq!(
            source.notes.len(),
            1,
            "the same note once: {:?}",
            source.notes
        );
    }
}
