//! Checking a placement against the policy: every violation, per partition, with a reason a person
//! can act on ("cluster=k8s-b holds 4 replicas, at most 3 allowed").

use serde::Serialize;

use crate::bounds::Bounds;
use crate::labels::{LabelIdx, ValueIdx};
use crate::model::{BrokerIdx, ClusterModel, PartitionIdx};
use crate::rules::Rule;

/// One way a partition breaks its rule.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ViolationKind {
    /// A replica sits on a broker whose rack does not match `rack_pattern`
    /// (`unmatched_brokers: ineligible`).
    UnmatchedBroker(BrokerIdx),
    /// A replica sits on a dead broker.
    DeadBroker(BrokerIdx),
    /// A replica sits on an excluded broker.
    ExcludedBroker(BrokerIdx),
    /// A replica sits on a broker lacking a label the rule spreads over.
    MissingLabel(BrokerIdx, LabelIdx),
    /// The replication factor differs from the rule's.
    ReplicationFactor {
        /// Replicas now.
        actual: u32,
        /// Replicas the rule wants.
        wanted: u32,
    },
    /// A label value holds more replicas than allowed.
    TooMany {
        /// The label.
        label: LabelIdx,
        /// The value.
        value: ValueIdx,
        /// Replicas there now.
        count: u32,
        /// Most allowed.
        max: u32,
    },
    /// A label value holds fewer replicas than required.
    TooFew {
        /// The label.
        label: LabelIdx,
        /// The value.
        value: ValueIdx,
        /// Replicas there now.
        count: u32,
        /// Fewest allowed.
        min: u32,
    },
}

/// A violation of one partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The partition.
    pub partition: PartitionIdx,
    /// What is wrong.
    pub kind: ViolationKind,
}

/// A violation as plain data with names, for output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ViolationReport {
    /// Topic name.
    pub topic: String,
    /// Partition number.
    pub partition: i32,
    /// The rule broken.
    pub rule: String,
    /// A short machine-readable kind: `unmatched-broker`, `dead-broker`, `excluded-broker`,
    /// `missing-label`, `replication-factor`, `too-many`, `too-few`.
    pub kind: &'static str,
    /// The sentence a person reads.
    pub message: String,
}

impl Violation {
    /// Renders the violation with names.
    pub fn report(&self, model: &ClusterModel) -> ViolationReport {
        let p = &model.partitions[self.partition as usize];
        let broker = |b: &BrokerIdx| model.brokers[*b as usize].id;
        let (kind, message) = match &self.kind {
            ViolationKind::UnmatchedBroker(b) => (
                "unmatched-broker",
                format!(
                    "replica on broker {}, whose rack does not match rack_pattern \
                     (unmatched_brokers: ineligible)",
                    broker(b)
                ),
            ),
            ViolationKind::DeadBroker(b) => (
                "dead-broker",
                format!("replica on broker {}, which is down", broker(b)),
            ),
            ViolationKind::ExcludedBroker(b) => (
                "excluded-broker",
                format!("replica on excluded broker {}", broker(b)),
            ),
            ViolationKind::MissingLabel(b, label) => (
                "missing-label",
                format!(
                    "replica on broker {}, which has no '{}' label",
                    broker(b),
                    model.labels.label_name(*label)
                ),
            ),
            ViolationKind::ReplicationFactor { actual, wanted } => (
                "replication-factor",
                format!("has {actual} replicas, replication factor {wanted} wanted"),
            ),
            ViolationKind::TooMany {
                label,
                value,
                count,
                max,
            } => (
                "too-many",
                format!(
                    "{} holds {count} replicas, at most {max} allowed",
                    model.labels.domain_name(*label, *value)
                ),
            ),
            ViolationKind::TooFew {
                label,
                value,
                count,
                min,
            } => (
                "too-few",
                format!(
                    "{} holds {count} replicas, at least {min} required",
                    model.labels.domain_name(*label, *value)
                ),
            ),
        };
        ViolationReport {
            topic: model.topics[p.topic as usize].name.clone(),
            partition: p.number,
            rule: model.rule_of(self.partition).describe(),
            kind,
            message,
        }
    }
}

/// Checks one partition's replica list against its rule, given the rule's bounds at the
/// partition's target replication factor. Appends violations to `out`.
pub fn check_partition(
    model: &ClusterModel,
    partition: PartitionIdx,
    replicas: &[BrokerIdx],
    bounds: &Bounds,
    out: &mut Vec<Violation>,
) {
    let rule: &Rule = model.rule_of(partition);
    let mut push = |kind| out.push(Violation { partition, kind });
    for &b in replicas {
        let broker = &model.brokers[b as usize];
        if !broker.alive {
            push(ViolationKind::DeadBroker(b));
        } else if broker.excluded {
            push(ViolationKind::ExcludedBroker(b));
        } else if broker.unmatched {
            push(ViolationKind::UnmatchedBroker(b));
        } else if let Some(&(label, _)) =
            rule.spread.iter().find(|(l, _)| broker.label(*l).is_none())
        {
            push(ViolationKind::MissingLabel(b, label));
        }
    }
    let actual = replicas.len() as u32;
    if let Some(wanted) = model.rule_replication_factor(model.partitions[partition as usize].topic)
    {
        if actual != wanted {
            push(ViolationKind::ReplicationFactor { actual, wanted });
        }
    }
    for (position, &(label, _)) in rule.spread.iter().enumerate() {
        let ranges = &bounds.per_label[position];
        let value_of = |b: &BrokerIdx| model.brokers[*b as usize].label(label);
        if ranges.len() <= SMALL_LABEL {
            // The common case (zones, clusters): counts in a stack array, values in order.
            let mut counts = [0u32; SMALL_LABEL];
            for value in replicas.iter().filter_map(value_of) {
                counts[value as usize] += 1;
            }
            for (value, (&count, &(min, max))) in counts.iter().zip(ranges).enumerate() {
                compare(&mut push, label, value as ValueIdx, count, min, max);
            }
        } else {
            // Many values (e.g. racks): count only the values present, in value order.
            let mut present: Vec<ValueIdx> = replicas.iter().filter_map(value_of).collect();
            present.sort_unstable();
            let mut index = 0;
            for (value, &(min, max)) in ranges.iter().enumerate() {
                let value = value as ValueIdx;
                let start = index;
                while index < present.len() && present[index] == value {
                    index += 1;
                }
                compare(&mut push, label, value, (index - start) as u32, min, max);
            }
        }
    }
}

/// Labels with at most this many values are counted in a stack array.
const SMALL_LABEL: usize = 16;

/// Pushes TooMany / TooFew for one label value when its count is out of range.
fn compare(
    push: &mut impl FnMut(ViolationKind),
    label: LabelIdx,
    value: ValueIdx,
    count: u32,
    min: u32,
    max: u32,
) {
    if count > max {
        push(ViolationKind::TooMany {
            label,
            value,
            count,
            max,
        });
    } else if count < min {
        push(ViolationKind::TooFew {
            label,
            value,
            count,
            min,
        });
    }
}

/// The bounds of every (rule, replication factor) pair an assignment needs.
pub struct BoundsTable {
    table: rustc_hash::FxHashMap<(crate::rules::RuleIdx, u32), Bounds>,
}

impl BoundsTable {
    /// Computes the bounds for every (rule, target replication factor) in `assignment`.
    pub fn for_assignment(model: &ClusterModel, assignment: &[crate::model::Replicas]) -> Self {
        let mut table = rustc_hash::FxHashMap::default();
        for (index, replicas) in assignment.iter().enumerate() {
            let partition = index as PartitionIdx;
            let rule = model.rule_of(partition);
            let r = model.target_replication_factor(partition, replicas);
            table.entry((rule.index, r)).or_insert_with(|| {
                let space = &model.cell_spaces[rule.index as usize];
                Bounds::new(rule, space, &model.labels, r)
            });
        }
        BoundsTable { table }
    }

    /// The bounds for a partition with the given replicas.
    pub fn get(
        &self,
        model: &ClusterModel,
        partition: PartitionIdx,
        replicas: &[BrokerIdx],
    ) -> &Bounds {
        let rule = model.rule_of(partition).index;
        let r = model.target_replication_factor(partition, replicas);
        &self.table[&(rule, r)]
    }
}

/// Checks every partition of `assignment` (indexed like the model's partitions), in parallel.
/// Violations come out in partition order.
pub fn check(model: &ClusterModel, assignment: &[crate::model::Replicas]) -> Vec<Violation> {
    use rayon::prelude::*;
    let bounds = BoundsTable::for_assignment(model, assignment);
    assignment
        .par_iter()
        .enumerate()
        .fold(Vec::new, |mut out, (index, replicas)| {
            let partition = index as PartitionIdx;
            check_partition(
                model,
                partition,
                replicas,
                bounds.get(model, partition, replicas),
                &mut out,
            );
            out
        })
        .reduce(Vec::new, |mut left, mut right| {
            left.append(&mut right);
            left
        })
}
