//! The cluster model: a snapshot and a policy compiled into dense, index-based data.
//!
//! Brokers, topics, partitions, labels and values are numbered densely so that the algorithms run
//! on integers; names are kept for messages and output only.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::broker_ids::BrokerIds;

use crate::cells::CellSpace;
use crate::labels::{LabelIdx, LabelTable, ValueIdx, RACK_LABEL};
use crate::model_error::ModelError;
use crate::policy::Policy;
use crate::rules::{Rule, RuleIdx};
use crate::snapshot::{BrokerId, Capacity, Load, PartitionSpec, Snapshot};

/// Dense index of a broker in [`ClusterModel::brokers`].
pub type BrokerIdx = u32;
/// Dense index of a topic in [`ClusterModel::topics`].
pub type TopicIdx = u32;
/// Dense index of a partition in [`ClusterModel::partitions`].
pub type PartitionIdx = u32;
/// A replica list by broker index; the first entry is the preferred leader.
pub type Replicas = Vec<BrokerIdx>;
/// A replica list per partition, indexed by [`PartitionIdx`].
pub type Assignment = Vec<Replicas>;

/// Options that change which brokers may hold replicas.
#[derive(Debug, Clone, Default)]
pub struct ModelOptions {
    /// Brokers that must hold no replica (`--exclude-brokers`).
    pub exclude_brokers: Vec<BrokerId>,
}

/// One broker.
#[derive(Debug, Clone)]
pub struct Broker {
    /// Kafka broker id.
    pub id: BrokerId,
    /// `broker.rack`, if set.
    pub rack: Option<String>,
    /// Value per label (indexed by [`LabelIdx`]); `None` where the broker lacks the label.
    pub labels: Vec<Option<ValueIdx>>,
    /// Whether the broker is up.
    pub alive: bool,
    /// Whether the operator excluded it from placement.
    pub excluded: bool,
    /// False for ids that only appear in replica lists (gone from the cluster).
    pub listed: bool,
    /// Resource capacity.
    pub capacity: Capacity,
}

impl Broker {
    /// A broker that only appears in replica lists: gone from the cluster, dead, unlabelled.
    fn unlisted(id: BrokerId, label_count: usize) -> Broker {
        Broker {
            id,
            rack: None,
            labels: vec![None; label_count],
            alive: false,
            excluded: false,
            listed: false,
            capacity: Capacity::default(),
        }
    }

    /// May this broker hold replicas at all? (alive and not excluded)
    pub fn eligible(&self) -> bool {
        self.alive && !self.excluded
    }

    /// The broker's value of `label`.
    pub fn label(&self, label: LabelIdx) -> Option<ValueIdx> {
        self.labels.get(label as usize).copied().flatten()
    }
}

/// One topic.
#[derive(Debug, Clone)]
pub struct Topic {
    /// Topic name.
    pub name: String,
    /// The rule that governs it: the first policy rule that matches, else the implicit one.
    pub rule: RuleIdx,
    /// `min.insync.replicas` from the snapshot's topic settings, if given.
    pub min_insync_replicas: Option<u32>,
    /// Its partitions, in snapshot order.
    pub partitions: Vec<PartitionIdx>,
}

/// One partition.
#[derive(Debug, Clone)]
pub struct Partition {
    /// Its topic.
    pub topic: TopicIdx,
    /// Partition number within the topic.
    pub number: i32,
    /// Current actual leader, `None` when offline.
    pub leader: Option<BrokerIdx>,
    /// In-sync replicas.
    pub isr: Vec<BrokerIdx>,
    /// Bytes of one replica.
    pub size: u64,
    /// Load on the leader.
    pub load: Load,
}

/// A snapshot and a policy, compiled.
#[derive(Debug, Clone)]
pub struct ClusterModel {
    /// Brokers by dense index.
    pub brokers: Vec<Broker>,
    /// Labels and values.
    pub labels: LabelTable,
    /// Compiled rules, in policy order.
    pub rules: Vec<Rule>,
    /// Per rule: the brokers eligible for it, grouped into cells.
    pub cell_spaces: Vec<CellSpace>,
    /// Topics by dense index.
    pub topics: Vec<Topic>,
    /// Partitions by dense index.
    pub partitions: Vec<Partition>,
    /// Current replica lists, indexed like `partitions`.
    pub current: Assignment,
    broker_index: BrokerIds,
    topic_index: FxHashMap<String, TopicIdx>,
}

impl ClusterModel {
    /// Compiles a snapshot and a policy.
    pub fn build(
        snapshot: &Snapshot,
        policy: &Policy,
        options: &ModelOptions,
    ) -> Result<ClusterModel, ModelError> {
        let mut labels = LabelTable::default();
        let rack_label = labels.intern_label(RACK_LABEL);
        let rack_pattern = compile_rack_pattern(policy)?;
        let mut rules = policy
            .rules
            .iter()
            .enumerate()
            .map(|(index, spec)| Rule::compile(index, spec, &mut labels))
            .collect::<Result<Vec<_>, _>>()?;
        rules.push(Rule::implicit(rules.len()));

        let mut brokers = Vec::with_capacity(snapshot.brokers.len());
        let mut broker_index = BrokerIds::with_capacity(snapshot.brokers.len());
        for spec in &snapshot.brokers {
            if !broker_index.insert(spec.id, brokers.len() as BrokerIdx) {
                return Err(ModelError::DuplicateBroker(spec.id));
            }
            let mut values: Vec<(LabelIdx, ValueIdx)> = Vec::new();
            if let Some(rack) = &spec.rack {
                values.push((rack_label, labels.intern_value(rack_label, rack)));
                if let Some(pattern) = &rack_pattern {
                    if let Some(captures) = pattern.captures(rack) {
                        for name in pattern.capture_names().flatten() {
                            if let Some(found) = captures.name(name) {
                                let label = labels.intern_label(name);
                                values.push((label, labels.intern_value(label, found.as_str())));
                            }
                        }
                    }
                }
            }
            for (name, value) in &spec.labels {
                let label = labels.intern_label(name);
                values.push((label, labels.intern_value(label, value)));
            }
            brokers.push((spec, values));
        }
        let label_count = labels.label_count();
        let mut brokers: Vec<Broker> = brokers
            .into_iter()
            .map(|(spec, values)| {
                let mut per_label = vec![None; label_count];
                for (label, value) in values {
                    per_label[label as usize] = Some(value);
                }
                Broker {
                    id: spec.id,
                    rack: spec.rack.clone(),
                    labels: per_label,
                    alive: spec.alive,
                    excluded: options.exclude_brokers.contains(&spec.id),
                    listed: true,
                    capacity: spec.capacity,
                }
            })
            .collect();

        // Ids that appear only in replica lists: brokers gone from the cluster, kept as dead and
        // unlabelled so that their replicas are reported and moved.
        for spec in &snapshot.partitions {
            for &id in &spec.replicas {
                if broker_index.get(id).is_none() {
                    broker_index.insert(id, brokers.len() as BrokerIdx);
                    brokers.push(Broker::unlisted(id, label_count));
                }
            }
        }

        for id in &options.exclude_brokers {
            match broker_index.get(*id) {
                Some(index) if brokers[index as usize].listed => {}
                _ => {
                    return Err(ModelError::UnknownBroker {
                        flag: "--exclude-brokers",
                        broker: *id,
                    })
                }
            }
        }

        let topic_min_isr: FxHashMap<&str, u32> = snapshot
            .topics
            .iter()
            .filter_map(|t| t.min_insync_replicas.map(|m| (t.name.as_str(), m)))
            .collect();
        let mut topics: Vec<Topic> = Vec::new();
        let mut topic_lookup: FxHashMap<&str, TopicIdx> = FxHashMap::default();
        let topic_of: Vec<TopicIdx> = snapshot
            .partitions
            .iter()
            .map(|spec| {
                *topic_lookup.entry(spec.topic.as_str()).or_insert_with(|| {
                    topics.push(Topic {
                        name: spec.topic.clone(),
                        rule: first_matching_rule(&rules, &spec.topic),
                        min_insync_replicas: topic_min_isr.get(spec.topic.as_str()).copied(),
                        partitions: Vec::new(),
                    });
                    (topics.len() - 1) as TopicIdx
                })
            })
            .collect();

        let built: Vec<Result<(Partition, Replicas), ModelError>> = snapshot
            .partitions
            .par_iter()
            .zip(topic_of.par_iter())
            .map(|(spec, &topic)| build_partition(spec, topic, &broker_index))
            .collect();
        let mut partitions = Vec::with_capacity(built.len());
        let mut current = Vec::with_capacity(built.len());
        for (index, outcome) in built.into_iter().enumerate() {
            let (partition, replicas) = outcome?;
            topics[partition.topic as usize]
                .partitions
                .push(index as PartitionIdx);
            partitions.push(partition);
            current.push(replicas);
        }
        if let Some(duplicate) = topics.par_iter().find_map_first(|topic| {
            let mut numbers: Vec<i32> = topic
                .partitions
                .iter()
                .map(|&p| partitions[p as usize].number)
                .collect();
            numbers.sort_unstable();
            numbers
                .windows(2)
                .find(|pair| pair[0] == pair[1])
                .map(|pair| format!("{}-{}", topic.name, pair[0]))
        }) {
            return Err(ModelError::DuplicatePartition(duplicate));
        }
        let topic_index = topics
            .iter()
            .enumerate()
            .map(|(index, topic)| (topic.name.clone(), index as TopicIdx))
            .collect();
        check_named_labels(&rules, &brokers, &labels)?;
        let cell_spaces = rules
            .iter()
            .map(|rule| CellSpace::build(rule, &brokers))
            .collect();
        Ok(ClusterModel {
            brokers,
            labels,
            rules,
            cell_spaces,
            topics,
            partitions,
            current,
            broker_index,
            topic_index,
        })
    }

    /// Dense index of a broker id.
    pub fn broker(&self, id: BrokerId) -> Option<BrokerIdx> {
        self.broker_index.get(id)
    }

    /// Dense index of a topic name.
    pub fn topic(&self, name: &str) -> Option<TopicIdx> {
        self.topic_index.get(name).copied()
    }

    /// The labels the policy uses (spread or survive), in label-index order, each once.
    pub fn policy_labels(&self) -> Vec<LabelIdx> {
        let mut labels: Vec<LabelIdx> = self
            .rules
            .iter()
            .flat_map(|rule| {
                rule.spread
                    .iter()
                    .map(|(l, _)| *l)
                    .chain(rule.survive.iter().copied())
            })
            .collect();
        labels.sort_unstable();
        labels.dedup();
        labels
    }

    /// Dense index of partition `number` of topic `topic`.
    pub fn partition_index(&self, topic: &str, number: i32) -> Option<PartitionIdx> {
        let topic = &self.topics[self.topic(topic)? as usize];
        topic
            .partitions
            .iter()
            .copied()
            .find(|&p| self.partitions[p as usize].number == number)
    }

    /// The rule that applies to a topic name (first whose pattern matches it whole).
    pub fn rule_for_topic_name(&self, name: &str) -> RuleIdx {
        first_matching_rule(&self.rules, name)
    }

    /// The rule governing a partition.
    pub fn rule_of(&self, partition: PartitionIdx) -> &Rule {
        let topic = self.partitions[partition as usize].topic;
        &self.rules[self.topics[topic as usize].rule as usize]
    }

    /// `topic-partition`, the way Kafka names a partition.
    pub fn partition_name(&self, partition: PartitionIdx) -> String {
        let p = &self.partitions[partition as usize];
        format!("{}-{}", self.topics[p.topic as usize].name, p.number)
    }

    /// The replication factor a partition should have: its rule's, else its current one.
    pub fn target_replication_factor(
        &self,
        partition: PartitionIdx,
        replicas: &[BrokerIdx],
    ) -> u32 {
        self.rule_of(partition)
            .replication_factor
            .unwrap_or(replicas.len() as u32)
    }

    /// Broker ids of a replica list.
    pub fn broker_ids(&self, replicas: &[BrokerIdx]) -> Vec<BrokerId> {
        replicas
            .iter()
            .map(|&b| self.brokers[b as usize].id)
            .collect()
    }
}

/// Builds one partition from its spec: replicas, leader and ISR by broker index, checked.
fn build_partition(
    spec: &PartitionSpec,
    topic: TopicIdx,
    ids: &BrokerIds,
) -> Result<(Partition, Replicas), ModelError> {
    let name = || format!("{}-{}", spec.topic, spec.partition);
    if spec.replicas.is_empty() {
        return Err(ModelError::EmptyReplicas(name()));
    }
    let mut replicas = Vec::with_capacity(spec.replicas.len());
    for &id in &spec.replicas {
        let index = ids.get(id).expect("every replica id was registered before");
        if replicas.contains(&index) {
            return Err(ModelError::DuplicateReplica {
                partition: name(),
                broker: id,
            });
        }
        replicas.push(index);
    }
    let as_replica = |field: &'static str, id: BrokerId| {
        ids.get(id)
            .filter(|i| replicas.contains(i))
            .ok_or_else(|| ModelError::NotAReplica {
                partition: name(),
                field,
                broker: id,
            })
    };
    let leader = spec
        .effective_leader()
        .map(|id| as_replica("leader", id))
        .transpose()?;
    let isr = match &spec.isr {
        Some(isr) => isr
            .iter()
            .map(|&id| as_replica("isr", id))
            .collect::<Result<_, _>>()?,
        None => replicas.clone(),
    };
    let partition = Partition {
        topic,
        number: spec.partition,
        leader,
        isr,
        size: spec.size,
        load: spec.load,
    };
    Ok((partition, replicas))
}

/// Rejects `survive` labels no broker carries and `leader` locations no broker has: a typo there
/// would otherwise silently switch the requirement off. (Spread labels are not checked here: a
/// spread over a missing label is reported as a typed infeasibility when placing.)
fn check_named_labels(
    rules: &[Rule],
    brokers: &[Broker],
    labels: &LabelTable,
) -> Result<(), ModelError> {
    let carried = |label: LabelIdx| brokers.iter().any(|b| b.listed && b.label(label).is_some());
    for rule in rules {
        for (position, &label) in rule.survive.iter().enumerate() {
            if !carried(label) {
                return Err(ModelError::BadRule {
                    place: format!("rules[{}].survive[{position}]", rule.index),
                    message: format!("no broker has the label '{}'", labels.label_name(label)),
                });
            }
        }
        for &(label, value) in &rule.leader {
            if !brokers
                .iter()
                .any(|b| b.listed && b.label(label) == Some(value))
            {
                return Err(ModelError::BadRule {
                    place: format!("rules[{}].leader.{}", rule.index, labels.label_name(label)),
                    message: format!("no broker has {}", labels.domain_name(label, value)),
                });
            }
        }
    }
    Ok(())
}

/// The first rule whose pattern matches `name` whole; the implicit last rule matches everything.
fn first_matching_rule(rules: &[Rule], name: &str) -> RuleIdx {
    rules
        .iter()
        .find(|rule| rule.regex.is_match(name))
        .map_or((rules.len() - 1) as RuleIdx, |rule| rule.index)
}

fn compile_rack_pattern(policy: &Policy) -> Result<Option<regex::Regex>, ModelError> {
    policy
        .rack_pattern
        .as_ref()
        .map(|pattern| {
            regex::Regex::new(pattern).map_err(|error| ModelError::BadRegex {
                place: "rack_pattern".to_string(),
                pattern: pattern.clone(),
                message: error.to_string(),
            })
        })
        .transpose()
}
