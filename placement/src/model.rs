//! The cluster model: a snapshot and a policy compiled into dense, index-based data.
//!
//! Brokers, topics, partitions, labels and values are numbered densely so that the algorithms run
//! on integers; names are kept for messages and output only.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::broker_ids::BrokerIds;

use crate::cells::CellSpace;
use crate::internal_topics::is_internal;
use crate::labels::{LabelIdx, LabelTable, ValueIdx, RACK_LABEL};
use crate::model_error::ModelError;
use crate::policy::{Policy, UnmatchedBrokers};
use crate::policy_check::check_policy;
use crate::rack_pattern::RackPattern;
use crate::rules::{Rule, RuleIdx};
use crate::snapshot::{
    BrokerId, BrokerSpec, Capacity, InFlightReassignment, Load, PartitionSpec, Snapshot, TopicSpec,
};
use crate::snapshot_check::check_snapshot;
use crate::snapshot_load::LoadSource;
use crate::topic_regex::names_explicitly;

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

/// Options that change which brokers may hold replicas: `ModelOptions::default()`, or
/// [`ModelOptions::excluding`].
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ModelOptions {
    /// Brokers that must hold no replica (`--exclude-brokers`).
    pub exclude_brokers: Vec<BrokerId>,
}

impl ModelOptions {
    /// Options under which `brokers` hold no replica (they are being removed).
    pub fn excluding(brokers: Vec<BrokerId>) -> Self {
        ModelOptions {
            exclude_brokers: brokers,
        }
    }
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
    /// Its rack gives no full set of labels under `rack_pattern` and the policy says
    /// `unmatched_brokers: ineligible`: it may hold no replica.
    pub unmatched: bool,
    /// Resource capacity.
    pub capacity: Capacity,
}

impl Broker {
    /// May this broker hold replicas at all? (alive, not excluded, not an unmatched rack)
    pub fn eligible(&self) -> bool {
        self.alive && !self.excluded && !self.unmatched
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
    /// One of Kafka's internal topics ([`crate::internal_topics`]).
    pub internal: bool,
    /// An internal topic whose rule sets a replication factor without naming it explicitly:
    /// it keeps its current replication factor (and is spread like any other topic).
    pub keeps_replication_factor: bool,
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
    /// Eligible leader replicas (KIP-966), empty when the cluster reports none.
    pub elr: Vec<BrokerIdx>,
    /// Whether a reassignment was in flight: the replica list is then its target (see
    /// [`ClusterModel::build`]).
    pub in_flight: bool,
    /// Bytes of one replica.
    pub size: u64,
    /// Load on the leader.
    pub load: Load,
}

/// A snapshot and a policy, compiled.
#[derive(Debug, Clone)]
pub struct ClusterModel {
    /// Brokers by dense index (read through [`ClusterModel::brokers`]).
    pub(crate) brokers: Vec<Broker>,
    /// Labels and values (read through [`ClusterModel::labels`]).
    pub(crate) labels: LabelTable,
    /// Compiled rules, in policy order (derived: read through [`ClusterModel::rules`]).
    pub(crate) rules: Vec<Rule>,
    /// Per rule: the brokers eligible for it, grouped into cells (derived: read through
    /// [`ClusterModel::cell_spaces`]).
    pub(crate) cell_spaces: Vec<CellSpace>,
    /// Topics by dense index (read through [`ClusterModel::topics`]).
    pub(crate) topics: Vec<Topic>,
    /// Partitions by dense index (read through [`ClusterModel::partitions`]).
    pub(crate) partitions: Vec<Partition>,
    /// Current replica lists, indexed like `partitions` (read through
    /// [`ClusterModel::current`]).
    pub(crate) current: Assignment,
    /// How the snapshot's partition loads were obtained (read through
    /// [`ClusterModel::load_source`]).
    pub(crate) load_source: Option<LoadSource>,
    broker_index: BrokerIds,
    topic_index: FxHashMap<String, TopicIdx>,
}

impl ClusterModel {
    /// Brokers by dense index ([`BrokerIdx`]), in ascending id order. The model is read-only
    /// once built: its indexes (id to index, topic name to index) stay true because nothing
    /// outside the crate can change what they index.
    pub fn brokers(&self) -> &[Broker] {
        &self.brokers
    }

    /// How many brokers may hold replicas ([`Broker::eligible`]), at least 1: the divisor of
    /// every per-broker mean.
    pub fn eligible_broker_count(&self) -> usize {
        self.brokers.iter().filter(|b| b.eligible()).count().max(1)
    }

    /// The labels brokers carry and their values.
    pub fn labels(&self) -> &LabelTable {
        &self.labels
    }

    /// Topics by dense index ([`TopicIdx`]).
    pub fn topics(&self) -> &[Topic] {
        &self.topics
    }

    /// Partitions by dense index ([`PartitionIdx`]).
    pub fn partitions(&self) -> &[Partition] {
        &self.partitions
    }

    /// The current replica lists, indexed like [`ClusterModel::partitions`]; a partition with a
    /// reassignment in flight is at its target (see [`ClusterModel::build`]).
    pub fn current(&self) -> &Assignment {
        &self.current
    }

    /// How the snapshot's partition loads were obtained (its `load_source`), when it says.
    pub fn load_source(&self) -> Option<&LoadSource> {
        self.load_source.as_ref()
    }

    /// The compiled rules, in policy order, then the implicit rule for topics no rule matches.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Per rule (indexed like [`ClusterModel::rules`]): the brokers eligible for it, grouped
    /// into cells.
    pub fn cell_spaces(&self) -> &[CellSpace] {
        &self.cell_spaces
    }

    /// Compiles a snapshot and a policy.
    ///
    /// A partition with a reassignment in flight is modelled at the reassignment's target, as
    /// it will be once Kafka finishes the move (Metadata reports the union of old and new
    /// replicas meanwhile, which is no placement at all): its replicas are the target, its ISR
    /// and ELR keep only target members, and a leader being removed gives way to the target's
    /// first replica. [`Partition::in_flight`] marks such partitions.
    pub fn build(
        snapshot: &Snapshot,
        policy: &Policy,
        options: &ModelOptions,
    ) -> Result<ClusterModel, ModelError> {
        check_snapshot(snapshot)?;
        check_policy(policy)?;
        let mut labels = LabelTable::default();
        // `rack` is always a label, interned first.
        labels.intern_label(RACK_LABEL);
        let rack_pattern = policy
            .rack_pattern
            .as_deref()
            .map(RackPattern::compile)
            .transpose()?;
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
            let (values, unmatched) =
                broker_labels(spec, rack_pattern.as_ref(), policy, &mut labels)?;
            brokers.push((spec, values, unmatched));
        }
        let label_count = labels.label_count();
        let brokers: Vec<Broker> = brokers
            .into_iter()
            .map(|(spec, values, unmatched)| {
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
                    unmatched,
                    capacity: spec.capacity,
                }
            })
            .collect();

        for id in &options.exclude_brokers {
            if broker_index.get(*id).is_none() {
                return Err(ModelError::UnknownBroker {
                    flag: "--exclude-brokers",
                    broker: *id,
                });
            }
        }

        let topic_specs: FxHashMap<&str, &TopicSpec> = snapshot
            .topics
            .iter()
            .map(|t| (t.name.as_str(), t))
            .collect();
        let mut topics: Vec<Topic> = Vec::new();
        let mut topic_lookup: FxHashMap<&str, TopicIdx> = FxHashMap::default();
        let topic_of: Vec<TopicIdx> = snapshot
            .partitions
            .iter()
            .map(|spec| {
                *topic_lookup.entry(spec.topic.as_str()).or_insert_with(|| {
                    let topic_spec = topic_specs.get(spec.topic.as_str());
                    let rule = first_matching_rule(&rules, &spec.topic);
                    let internal = is_internal(&spec.topic, topic_spec.is_some_and(|t| t.internal));
                    let rule_spec = &rules[rule as usize];
                    topics.push(Topic {
                        name: spec.topic.clone(),
                        rule,
                        min_insync_replicas: topic_spec.and_then(|t| t.min_insync_replicas),
                        internal,
                        keeps_replication_factor: internal
                            && rule_spec.replication_factor.is_some()
                            && !names_explicitly(&rule_spec.topics, &spec.topic),
                        partitions: Vec::new(),
                    });
                    (topics.len() - 1) as TopicIdx
                })
            })
            .collect();

        let in_flight: FxHashMap<(&str, i32), &InFlightReassignment> = snapshot
            .reassignments
            .iter()
            .map(|r| ((r.topic.as_str(), r.partition), r))
            .collect();
        let built: Vec<Result<(Partition, Replicas), ModelError>> = snapshot
            .partitions
            .par_iter()
            .zip(topic_of.par_iter())
            .map(
                |(spec, &topic)| match in_flight.get(&(spec.topic.as_str(), spec.partition)) {
                    Some(reassignment) => {
                        let settled = at_target(spec, reassignment);
                        build_partition(&settled, topic, &broker_index).map(|(mut p, r)| {
                            p.in_flight = true;
                            (p, r)
                        })
                    }
                    None => build_partition(spec, topic, &broker_index),
                },
            )
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
            load_source: snapshot.load_source.clone(),
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

    /// The replication factor a topic's rule sets for it: `None` when the rule sets none, or for
    /// an internal topic the rule does not name explicitly (it keeps its own).
    pub fn rule_replication_factor(&self, topic: TopicIdx) -> Option<u32> {
        let topic = &self.topics[topic as usize];
        if topic.keeps_replication_factor {
            None
        } else {
            self.rules[topic.rule as usize].replication_factor
        }
    }

    /// The replication factor a partition should have: its rule's, else its current one.
    pub fn target_replication_factor(
        &self,
        partition: PartitionIdx,
        replicas: &[BrokerIdx],
    ) -> u32 {
        self.rule_replication_factor(self.partitions[partition as usize].topic)
            .unwrap_or(replicas.len() as u32)
    }

    /// Brokers that hold no replica because their rack does not match `rack_pattern`
    /// (`unmatched_brokers: ineligible`), by id.
    pub fn unmatched_brokers(&self) -> Vec<BrokerId> {
        self.brokers
            .iter()
            .filter(|b| b.unmatched)
            .map(|b| b.id)
            .collect()
    }

    /// What the operator should know about how the policy was read, one sentence each:
    /// brokers kept free of replicas for their rack, internal topics that keep their
    /// replication factor. `check` and `plan` print these.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        let unmatched = self.unmatched_brokers();
        if !unmatched.is_empty() {
            let ids: Vec<String> = unmatched.iter().map(|id| id.to_string()).collect();
            notes.push(format!(
                "brokers {} hold no replicas: their rack does not match rack_pattern \
                 (unmatched_brokers: ineligible)",
                ids.join(", ")
            ));
        }
        if let Some(note) = self.load_note() {
            notes.push(note);
        }
        for topic in self.topics.iter().filter(|t| t.keeps_replication_factor) {
            let rule = &self.rules[topic.rule as usize];
            notes.push(format!(
                "internal topic {} keeps its replication factor: {} sets {} but does not \
                 name it (a rule whose topics pattern names it explicitly would)",
                topic.name,
                rule.describe(),
                rule.replication_factor.unwrap_or_default()
            ));
        }
        notes
    }

    /// How the partition loads were obtained, for people: sampled (over which windows), or given
    /// by the snapshot's writer; `None` when the snapshot has no loads at all.
    pub fn load_note(&self) -> Option<String> {
        match &self.load_source {
            Some(source) => Some(format!("loads: {}", source.describe())),
            None => self.partitions.iter().any(|p| !p.load.is_zero()).then(|| {
                "loads: given in the snapshot (how they were obtained is not recorded)".into()
            }),
        }
    }

    /// Broker ids of a replica list.
    pub fn broker_ids(&self, replicas: &[BrokerIdx]) -> Vec<BrokerId> {
        replicas
            .iter()
            .map(|&b| self.brokers[b as usize].id)
            .collect()
    }
}

/// A partition's spec as it will be once `reassignment` completes: replicas the target, ISR and
/// ELR restricted to it, and a leader being removed replaced by the target's first replica (the
/// one Kafka's controller elects when the move completes). A target left empty (a malformed
/// reassignment) keeps the spec as it is, so that the model reports what is there.
fn at_target(spec: &PartitionSpec, reassignment: &InFlightReassignment) -> PartitionSpec {
    let target = reassignment.target(&spec.replicas);
    if target.is_empty() {
        return spec.clone();
    }
    let within = |ids: &Option<Vec<BrokerId>>| {
        ids.as_ref()
            .map(|ids| ids.iter().filter(|b| target.contains(b)).copied().collect())
    };
    let leader = match spec.effective_leader() {
        Some(leader) if target.contains(&leader) => Some(leader),
        Some(_) => None,
        None => spec.leader,
    };
    PartitionSpec {
        replicas: target.clone(),
        leader,
        isr: within(&spec.isr),
        elr: within(&spec.elr),
        ..spec.clone()
    }
}

/// Builds one partition from its spec: replicas, leader, ISR and ELR by broker index, checked.
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
        let index = ids.get(id).ok_or_else(|| ModelError::UnlistedBroker {
            partition: name(),
            broker: id,
        })?;
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
    let elr = spec
        .elr
        .iter()
        .flatten()
        .map(|&id| as_replica("elr", id))
        .collect::<Result<_, _>>()?;
    let partition = Partition {
        topic,
        number: spec.partition,
        leader,
        isr,
        elr,
        in_flight: false,
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
    let carried = |label: LabelIdx| brokers.iter().any(|b| b.label(label).is_some());
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
            if !brokers.iter().any(|b| b.label(label) == Some(value)) {
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

/// A broker's labels: `rack`, the groups of `rack_pattern`, then its explicit labels. An explicit
/// label that contradicts one derived from the rack is refused, and so is a live broker whose rack
/// the pattern does not fully match, unless the policy marks such brokers ineligible (then the
/// second value is true).
fn broker_labels(
    spec: &BrokerSpec,
    pattern: Option<&RackPattern>,
    policy: &Policy,
    labels: &mut LabelTable,
) -> Result<(Vec<(LabelIdx, ValueIdx)>, bool), ModelError> {
    let mut derived: Vec<(&str, &str, &'static str)> = Vec::new();
    if let Some(rack) = &spec.rack {
        derived.push((RACK_LABEL, rack.as_str(), "broker.rack"));
    }
    let mut unmatched = false;
    if let Some(pattern) = pattern {
        let (found, problem) = pattern.labels(spec.rack.as_deref());
        derived.extend(found.into_iter().map(|(n, v)| (n, v, "rack_pattern")));
        if let (Some(problem), true) = (problem, spec.alive) {
            if policy.unmatched_brokers == UnmatchedBrokers::Refuse {
                return Err(ModelError::UnmatchedRack {
                    broker: spec.id,
                    rack: spec
                        .rack
                        .as_ref()
                        .map_or("(none)".to_string(), |r| format!("'{}'", r.escape_debug())),
                    pattern: pattern.pattern.clone(),
                    reason: problem.to_string(),
                });
            }
            unmatched = true;
        }
    }
    for (name, value) in &spec.labels {
        if let Some(&(_, other, origin)) = derived.iter().find(|(n, _, _)| n == name) {
            if other != value {
                return Err(ModelError::LabelConflict {
                    broker: spec.id,
                    label: name.clone(),
                    explicit: value.clone(),
                    derived: other.to_string(),
                    origin,
                });
            }
        }
    }
    let mut values = Vec::with_capacity(derived.len() + spec.labels.len());
    for (name, value, _) in derived {
        let label = labels.intern_label(name);
        values.push((label, labels.intern_value(label, value)));
    }
    for (name, value) in &spec.labels {
        let label = labels.intern_label(name);
        values.push((label, labels.intern_value(label, value)));
    }
    Ok((values, unmatched))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::BrokerSpec;

    #[test]
    fn a_partition_in_flight_is_modelled_at_its_target_not_the_union() {
        let snapshot = Snapshot {
            brokers: (1..=6)
                .map(|id| BrokerSpec {
                    id,
                    ..BrokerSpec::default()
                })
                .collect(),
            partitions: vec![PartitionSpec {
                topic: "t".into(),
                partition: 0,
                // Metadata's union during the move 1,2,3 -> 4,2,5: target first, then removing.
                replicas: vec![4, 2, 5, 1, 3],
                leader: Some(1),
                isr: Some(vec![1, 2, 3, 4]),
                ..PartitionSpec::default()
            }],
            reassignments: vec![InFlightReassignment {
                topic: "t".into(),
                partition: 0,
                replicas: vec![4, 2, 5, 1, 3],
                adding_replicas: vec![4, 5],
                removing_replicas: vec![1, 3],
            }],
            ..Snapshot::default()
        };
        let model = ClusterModel::build(&snapshot, &Policy::default(), &ModelOptions::default())
            .expect("model");
        assert_eq!(model.broker_ids(&model.current[0]), vec![4, 2, 5]);
        let p = &model.partitions[0];
        assert!(p.in_flight);
        assert_eq!(model.broker_ids(&p.isr), vec![2, 4]);
        assert_eq!(
            p.leader.map(|l| model.brokers[l as usize].id),
            Some(4),
            "the leader being removed gives way to the target's first replica"
        );
    }
}
