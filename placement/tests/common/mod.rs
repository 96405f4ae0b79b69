//! Builders shared by the placement integration tests.
#![allow(dead_code)]

use std::collections::BTreeMap;

use kplace_placement::bounds::Bounds;
use kplace_placement::check::check_partition;
use kplace_placement::model::{BrokerIdx, ClusterModel, ModelOptions, PartitionIdx};
use kplace_placement::policy::{Policy, RuleSpec, Spread};
use kplace_placement::snapshot::{BrokerSpec, PartitionSpec, Snapshot};

/// A broker with explicit labels.
pub fn broker(id: i32, rack: Option<&str>, labels: &[(&str, &str)], alive: bool) -> BrokerSpec {
    BrokerSpec {
        id,
        rack: rack.map(str::to_string),
        labels: labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        alive,
        ..Default::default()
    }
}

/// A partition with the given replicas.
pub fn partition(topic: &str, number: i32, replicas: &[i32]) -> PartitionSpec {
    PartitionSpec {
        topic: topic.to_string(),
        partition: number,
        replicas: replicas.to_vec(),
        ..Default::default()
    }
}

/// A one-rule policy.
pub fn policy(rf: Option<u32>, spread: &[(&str, Spread)]) -> Policy {
    Policy {
        rules: vec![RuleSpec {
            topics: ".*".to_string(),
            replication_factor: rf,
            spread: spread
                .iter()
                .map(|(l, s)| (l.to_string(), s.clone()))
                .collect::<BTreeMap<_, _>>(),
            ..Default::default()
        }],
        ..Default::default()
    }
}

/// Builds a model with no exclusions.
pub fn model(
    brokers: Vec<BrokerSpec>,
    partitions: Vec<PartitionSpec>,
    policy: &Policy,
) -> ClusterModel {
    let snapshot = Snapshot {
        brokers,
        partitions,
        ..Default::default()
    };
    ClusterModel::build(&snapshot, policy, &ModelOptions::default()).expect("valid test model")
}

/// Whether a replica list is valid for a partition (no violation at all).
pub fn valid(model: &ClusterModel, p: PartitionIdx, replicas: &[BrokerIdx]) -> bool {
    let rule = model.rule_of(p);
    let r = model.target_replication_factor(p, &model.current[p as usize]);
    if replicas.len() as u32 != r {
        return false;
    }
    let bounds = Bounds::new(
        rule,
        &model.cell_spaces[rule.index as usize],
        &model.labels,
        r,
    );
    let mut out = Vec::new();
    check_partition(model, p, replicas, &bounds, &mut out);
    out.is_empty()
}

/// Every subset of size `r` of `0..n`, by exhaustive enumeration.
pub fn subsets(n: u32, r: u32) -> Vec<Vec<BrokerIdx>> {
    let mut out = Vec::new();
    for mask in 0u32..(1 << n) {
        if mask.count_ones() == r {
            out.push((0..n).filter(|b| mask & (1 << b) != 0).collect());
        }
    }
    out
}

/// The fewest replicas any valid placement must add to `current` (None when none is valid),
/// by exhaustive search.
pub fn min_moves(model: &ClusterModel, p: PartitionIdx) -> Option<usize> {
    let current = &model.current[p as usize];
    let r = model.target_replication_factor(p, current);
    subsets(model.brokers.len() as u32, r)
        .into_iter()
        .filter(|s| valid(model, p, s))
        .map(|s| s.iter().filter(|b| !current.contains(b)).count())
        .min()
}
