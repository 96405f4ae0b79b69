//! An in-memory cluster behind [`ClusterAdmin`], for tests and the scale bench: partitions,
//! reassignments that copy a fixed number of bytes per look, topic and broker configs with
//! Kafka's semantics for SET, DELETE, APPEND and SUBTRACT, and counters of what was asked.
//!
//! It is no Kafka: the leader is the first live replica, the ISR the live replicas, and log-dir
//! sizes are reported for the partitions being moved only. What it models is what apply's
//! bookkeeping depends on.

use std::collections::{BTreeMap, BTreeSet};

use kplace_placement::snapshot::{
    BrokerSpec, InFlightReassignment, PartitionSpec, Snapshot, TopicSpec,
};

use crate::admin::{BrokerInfo, ConfigChange, PartitionInfo, PartitionKey, ReassignmentRequest};
use crate::broker_configs::{BrokerScope, SourcedValue, SOURCE_DYNAMIC_BROKER};
use crate::cluster_admin::ClusterAdmin;
use crate::error::{KafkaError, Result};
use crate::versions::Need;

/// One partition of the fake cluster.
#[derive(Debug, Clone)]
struct Partition {
    replicas: Vec<i32>,
    size: u64,
    /// Target and bytes copied so far per added replica, while a reassignment runs.
    moving: Option<(Vec<i32>, BTreeMap<i32, u64>)>,
}

/// The fake cluster.
#[derive(Debug, Clone, Default)]
pub struct FakeCluster {
    brokers: BTreeMap<i32, bool>,
    racks: BTreeMap<i32, String>,
    partitions: BTreeMap<String, BTreeMap<i32, Partition>>,
    topic_configs: BTreeMap<String, BTreeMap<String, String>>,
    broker_configs: BTreeMap<BrokerScope, BTreeMap<String, String>>,
    /// The partitions being reassigned.
    moving: BTreeSet<(String, i32)>,
    /// Bytes each added replica copies per look at the reassignments.
    pub copy_per_look: u64,
    /// Brokers that copy nothing (a stuck destination).
    pub stuck: BTreeSet<i32>,
    /// Every partition ever submitted, in order (to check none is submitted twice).
    pub submitted: Vec<(String, i32)>,
    /// Every replica list ever submitted, with its partition, in order (stages).
    pub submitted_replicas: Vec<(String, i32, Vec<i32>)>,
    /// The most replicas a partition ever held at once (old and new during a move).
    pub most_replicas: usize,
    /// Admin calls answered.
    pub calls: usize,
    /// The longest throttled-replicas list value ever written, in entries.
    pub longest_throttle_list: usize,
    /// A broker down for a while: `(broker, from, until)` in looks at the reassignments
    /// (counted from 1): it goes down at look `from` and comes back at look `until`.
    pub outage: Option<(i32, usize, usize)>,
    /// Looks at the reassignments so far.
    pub looks: usize,
    /// Bytes per second produced to partitions, by (topic, partition), as a sampled snapshot
    /// measures them (others: none; nobody consumes).
    pub produce_rates: BTreeMap<(String, i32), f64>,
}

impl FakeCluster {
    /// A cluster of brokers `1..=brokers`, all alive, copying `copy_per_look` bytes per replica
    /// and look.
    pub fn new(brokers: i32, copy_per_look: u64) -> Self {
        FakeCluster {
            brokers: (1..=brokers).map(|b| (b, true)).collect(),
            copy_per_look,
            ..FakeCluster::default()
        }
    }

    /// Adds a topic whose partition `p` has replicas `replicas[p]` and `size` bytes.
    pub fn add_topic(&mut self, topic: &str, replicas: &[Vec<i32>], size: u64) {
        let parts = replicas
            .iter()
            .enumerate()
            .map(|(p, r)| {
                (
                    p as i32,
                    Partition {
                        replicas: r.clone(),
                        size,
                        moving: None,
                    },
                )
            })
            .collect();
        self.partitions.insert(topic.to_string(), parts);
    }

    /// Marks a broker down or up.
    pub fn set_alive(&mut self, broker: i32, alive: bool) {
        self.brokers.insert(broker, alive);
    }

    /// Gives a broker a rack (`broker.rack`).
    pub fn set_rack(&mut self, broker: i32, rack: &str) {
        self.racks.insert(broker, rack.to_string());
    }

    /// A topic config entry, if set.
    pub fn topic_config(&self, topic: &str, key: &str) -> Option<&str> {
        self.topic_configs.get(topic)?.get(key).map(String::as_str)
    }

    /// Sets a topic config entry, as another operator would.
    pub fn set_topic_config(&mut self, topic: &str, key: &str, value: &str) {
        self.topic_configs
            .entry(topic.to_string())
            .or_default()
            .insert(key.to_string(), value.to_string());
    }

    /// A broker config entry, if set.
    pub fn broker_config(&self, scope: BrokerScope, key: &str) -> Option<&str> {
        self.broker_configs
            .get(&scope)?
            .get(key)
            .map(String::as_str)
    }

    /// Sets a broker config entry, as another operator would.
    pub fn set_broker_config(&mut self, scope: BrokerScope, key: &str, value: &str) {
        self.broker_configs
            .entry(scope)
            .or_default()
            .insert(key.to_string(), value.to_string());
    }

    /// The current replicas of a partition.
    pub fn replicas(&self, topic: &str, partition: i32) -> Option<&[i32]> {
        Some(&self.partitions.get(topic)?.get(&partition)?.replicas)
    }

    /// Advances every reassignment by one look's copying; finished ones take their target.
    fn copy(&mut self) {
        let mut finished = Vec::new();
        for key in &self.moving {
            let Some(p) = self
                .partitions
                .get_mut(&key.0)
                .and_then(|t| t.get_mut(&key.1))
            else {
                continue;
            };
            let Some((target, copied)) = &mut p.moving else {
                continue;
            };
            for (broker, bytes) in copied.iter_mut() {
                if !self.stuck.contains(broker) && self.brokers.get(broker) == Some(&true) {
                    *bytes = (*bytes + self.copy_per_look).min(p.size);
                }
            }
            if copied.values().all(|&b| b >= p.size) {
                p.replicas = target.clone();
                p.moving = None;
                finished.push(key.clone());
            }
        }
        for key in finished {
            self.moving.remove(&key);
        }
    }
}

fn apply_changes(configs: &mut BTreeMap<String, String>, changes: &[ConfigChange]) -> usize {
    let mut longest = 0;
    let split = |v: &str| -> Vec<String> {
        v.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()
    };
    for change in changes {
        match change {
            ConfigChange::Set(k, v) => {
                configs.insert(k.clone(), v.clone());
            }
            ConfigChange::Delete(k) => {
                configs.remove(k);
            }
            ConfigChange::Append(k, v) => {
                let mut list = split(configs.get(k).map(String::as_str).unwrap_or(""));
                for e in split(v) {
                    if !list.contains(&e) {
                        list.push(e);
                    }
                }
                configs.insert(k.clone(), list.join(","));
            }
            ConfigChange::Subtract(k, v) => {
                let remove = split(v);
                let list: Vec<String> = split(configs.get(k).map(String::as_str).unwrap_or(""))
                    .into_iter()
                    .filter(|e| !remove.contains(e))
                    .collect();
                configs.insert(k.clone(), list.join(","));
            }
        }
    }
    for (k, v) in configs.iter() {
        if k.ends_with("throttled.replicas") {
            longest = longest.max(split(v).len());
        }
    }
    longest
}

impl ClusterAdmin for FakeCluster {
    fn brokers(&mut self) -> Result<Vec<BrokerInfo>> {
        self.calls += 1;
        Ok(self
            .brokers
            .iter()
            .map(|(&id, &alive)| BrokerInfo {
                id,
                address: format!("fake:{id}"),
                rack: self.racks.get(&id).cloned(),
                fenced: !alive,
            })
            .collect())
    }

    fn partitions(&mut self, topics: Option<Vec<String>>) -> Result<Vec<PartitionInfo>> {
        self.calls += 1;
        let names: Vec<String> = match topics {
            Some(t) => t,
            None => self.partitions.keys().cloned().collect(),
        };
        let mut out = Vec::new();
        for topic in names {
            let parts = self.partitions.get(&topic).ok_or_else(|| {
                KafkaError::Input(format!("Metadata: topic {topic}: UnknownTopicOrPartition"))
            })?;
            for (&partition, p) in parts {
                let isr: Vec<i32> = p
                    .replicas
                    .iter()
                    .copied()
                    .filter(|b| self.brokers.get(b) == Some(&true))
                    .collect();
                out.push(PartitionInfo {
                    topic: topic.clone(),
                    partition,
                    replicas: match &p.moving {
                        // During a move Kafka lists the target and the replicas being removed.
                        Some((target, _)) => {
                            let mut all = target.clone();
                            all.extend(p.replicas.iter().filter(|b| !target.contains(b)));
                            all
                        }
                        None => p.replicas.clone(),
                    },
                    leader: isr.first().copied().unwrap_or(-1),
                    isr,
                    internal: false,
                });
            }
        }
        Ok(out)
    }

    fn reassignments(&mut self) -> Result<Vec<InFlightReassignment>> {
        self.calls += 1;
        self.looks += 1;
        if let Some((broker, from, until)) = self.outage {
            if self.looks == from || self.looks == until {
                self.set_alive(broker, self.looks == until);
            }
        }
        self.copy();
        let mut out = Vec::new();
        for (topic, partition) in &self.moving {
            let partition = *partition;
            if let Some(p) = self.partitions.get(topic).and_then(|t| t.get(&partition)) {
                if let Some((target, copied)) = &p.moving {
                    let removing: Vec<i32> = p
                        .replicas
                        .iter()
                        .copied()
                        .filter(|b| !target.contains(b))
                        .collect();
                    let mut replicas = target.clone();
                    replicas.extend(&removing);
                    out.push(InFlightReassignment {
                        topic: topic.clone(),
                        partition,
                        replicas,
                        adding_replicas: copied.keys().copied().collect(),
                        removing_replicas: removing,
                    });
                }
            }
        }
        Ok(out)
    }

    fn require(&self, _operation: (&str, &[Need])) -> Result<()> {
        Ok(())
    }

    fn alter_reassignments(
        &mut self,
        requests: &[ReassignmentRequest],
    ) -> Result<Vec<(PartitionKey, KafkaError)>> {
        self.calls += 1;
        let mut refused = Vec::new();
        for r in requests {
            let Some(p) = self
                .partitions
                .get_mut(&r.topic)
                .and_then(|t| t.get_mut(&r.partition))
            else {
                refused.push((
                    (r.topic.clone(), r.partition),
                    KafkaError::Input(format!(
                        "partition {}-{}: UnknownTopicOrPartition",
                        r.topic, r.partition
                    )),
                ));
                continue;
            };
            let key = (r.topic.clone(), r.partition);
            match &r.replicas {
                None => {
                    p.moving = None;
                    self.moving.remove(&key);
                }
                Some(target) => {
                    self.submitted.push((r.topic.clone(), r.partition));
                    self.submitted_replicas
                        .push((r.topic.clone(), r.partition, target.clone()));
                    let union = p.replicas.len()
                        + target.iter().filter(|b| !p.replicas.contains(b)).count();
                    self.most_replicas = self.most_replicas.max(union);
                    let adding = target
                        .iter()
                        .filter(|b| !p.replicas.contains(b))
                        .map(|&b| (b, 0))
                        .collect::<BTreeMap<_, _>>();
                    if adding.is_empty() {
                        p.replicas = target.clone();
                    } else {
                        p.moving = Some((target.clone(), adding));
                        self.moving.insert(key);
                    }
                }
            }
        }
        Ok(refused)
    }

    fn elect_preferred_leaders(
        &mut self,
        _partitions: &[(String, i32)],
    ) -> Result<Vec<(PartitionKey, KafkaError)>> {
        self.calls += 1;
        Ok(Vec::new())
    }

    fn topic_configs(
        &mut self,
        topics: &[String],
        keys: &[&str],
    ) -> Result<BTreeMap<String, BTreeMap<String, String>>> {
        self.calls += 1;
        Ok(topics
            .iter()
            .map(|t| {
                let entries = self
                    .topic_configs
                    .get(t)
                    .map(|c| {
                        c.iter()
                            .filter(|(k, _)| keys.is_empty() || keys.contains(&k.as_str()))
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .collect()
                    })
                    .unwrap_or_default();
                (t.clone(), entries)
            })
            .collect())
    }

    fn alter_topic_configs(&mut self, changes: &BTreeMap<String, Vec<ConfigChange>>) -> Result<()> {
        self.calls += 1;
        for (topic, changes) in changes {
            let configs = self.topic_configs.entry(topic.clone()).or_default();
            let longest = apply_changes(configs, changes);
            self.longest_throttle_list = self.longest_throttle_list.max(longest);
        }
        Ok(())
    }

    fn broker_configs(
        &mut self,
        scope: BrokerScope,
        keys: &[&str],
    ) -> Result<Option<BTreeMap<String, SourcedValue>>> {
        self.calls += 1;
        if let BrokerScope::Broker(b) = scope {
            if self.brokers.get(&b) != Some(&true) {
                return Ok(None);
            }
        }
        Ok(Some(
            self.broker_configs
                .get(&scope)
                .map(|c| {
                    c.iter()
                        .filter(|(k, _)| keys.is_empty() || keys.contains(&k.as_str()))
                        .map(|(k, v)| {
                            (
                                k.clone(),
                                SourcedValue {
                                    value: v.clone(),
                                    source: SOURCE_DYNAMIC_BROKER,
                                },
                            )
                        })
                        .collect()
                })
                .unwrap_or_default(),
        ))
    }

    fn alter_broker_configs(
        &mut self,
        scope: BrokerScope,
        changes: &[ConfigChange],
    ) -> Result<bool> {
        self.calls += 1;
        if let BrokerScope::Broker(b) = scope {
            if self.brokers.get(&b) != Some(&true) {
                return Ok(false);
            }
        }
        apply_changes(self.broker_configs.entry(scope).or_default(), changes);
        Ok(true)
    }

    fn log_dir_sizes(&mut self, broker: i32) -> Result<BTreeMap<(String, i32), u64>> {
        self.calls += 1;
        // Only the partitions being moved: what apply reads sizes for.
        let mut out = BTreeMap::new();
        for (topic, partition) in &self.moving {
            let Some(p) = self.partitions.get(topic).and_then(|t| t.get(partition)) else {
                continue;
            };
            let held = match &p.moving {
                Some((_, copied)) if copied.contains_key(&broker) => Some(copied[&broker]),
                _ => p.replicas.contains(&broker).then_some(p.size),
            };
            if let Some(bytes) = held {
                out.insert((topic.clone(), *partition), bytes);
            }
        }
        Ok(out)
    }
}

impl crate::heal::HealCluster for FakeCluster {
    /// The fake's state as a snapshot: brokers with racks and liveness, partitions with their
    /// listed replicas, leader, ISR and size, topics' `min.insync.replicas`, reassignments.
    fn snapshot(&mut self) -> Result<Snapshot> {
        let brokers = self
            .brokers()?
            .into_iter()
            .map(|b| BrokerSpec {
                id: b.id,
                rack: b.rack,
                alive: !b.fenced,
                ..BrokerSpec::default()
            })
            .collect();
        let reassignments = self.reassignments()?;
        let partitions = self
            .partitions(None)?
            .into_iter()
            .map(|p| PartitionSpec {
                size: self
                    .partitions
                    .get(&p.topic)
                    .and_then(|t| t.get(&p.partition))
                    .map_or(0, |q| q.size),
                topic: p.topic,
                partition: p.partition,
                replicas: p.replicas,
                leader: Some(p.leader),
                isr: Some(p.isr),
                ..PartitionSpec::default()
            })
            .collect();
        let topics = self
            .partitions
            .keys()
            .map(|name| TopicSpec {
                name: name.clone(),
                min_insync_replicas: self
                    .topic_config(name, crate::snapshot::MIN_INSYNC_REPLICAS)
                    .and_then(|v| v.parse().ok()),
                ..TopicSpec::default()
            })
            .collect();
        Ok(Snapshot {
            brokers,
            partitions,
            topics,
            reassignments,
            load_source: None,
        })
    }

    /// The snapshot with loads from one window over [`FakeCluster::produce_rates`] (the fake
    /// keeps no offsets, and no time passes), derived as a live cluster's are.
    fn sampled_snapshot(&mut self, options: crate::sampling::SampleOptions) -> Result<Snapshot> {
        use crate::rates::{Figure, PartitionWindow, Window};
        let mut snapshot = self.snapshot()?;
        let partitions = snapshot
            .partitions
            .iter()
            .map(|p| {
                let key = (p.topic.clone(), p.partition);
                let produce = self.produce_rates.get(&key).copied().unwrap_or(0.0);
                let window = PartitionWindow {
                    produce: Figure::Known(produce),
                    consume: Figure::Known(0.0),
                    bytes_per_message: None,
                };
                (key, window)
            })
            .collect();
        let window = Window {
            seconds: options.window.as_secs_f64(),
            partitions,
            notes: Vec::new(),
        };
        crate::sampling::apply_windows(&mut snapshot, &[window], options);
        Ok(snapshot)
    }
}
