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
    let r = model.target_replication_factor(p, &model.current()[p as usize]);
    if replicas.len() as u32 != r {
        return false;
    }
    let bounds = Bounds::new(
        rule,
        &model.cell_spaces()[rule.index as usize],
        model.labels(),
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
    let current = &model.current()[p as usize];
    let r = model.target_replication_factor(p, current);
    subsets(model.brokers().len() as u32, r)
        .into_iter()
        .filter(|s| valid(model, p, s))
        .map(|s| s.iter().filter(|b| !current.contains(b)).count())
        .min()
}

/// Whether broker ids `replicas` meet the one rule of `policy` at replication factor `r`, decided
/// straight from the policy contract over the snapshot's brokers (explicit labels only), without
/// any of the crate's own machinery: an independent oracle for the property tests.
pub fn valid_by_contract(
    brokers: &[BrokerSpec],
    policy: &Policy,
    r: u32,
    replicas: &[i32],
) -> bool {
    use std::collections::{BTreeMap, BTreeSet};
    let spread = &policy.rules[0].spread;
    let eligible: Vec<&BrokerSpec> = brokers
        .iter()
        .filter(|b| b.alive && spread.keys().all(|l| b.labels.contains_key(l)))
        .collect();
    let unique: BTreeSet<&i32> = replicas.iter().collect();
    if replicas.len() as u32 != r || unique.len() != replicas.len() {
        return false;
    }
    let on: Vec<&BrokerSpec> = match replicas
        .iter()
        .map(|id| eligible.iter().find(|b| b.id == *id).copied())
        .collect()
    {
        Some(on) => on,
        None => return false,
    };
    spread.iter().all(|(label, rule)| {
        let values: BTreeSet<&String> = eligible.iter().map(|b| &b.labels[label]).collect();
        let mut counts: BTreeMap<&String, u32> = BTreeMap::new();
        for b in &on {
            *counts.entry(&b.labels[label]).or_default() += 1;
        }
        match rule {
            Spread::Even => {
                let n = values.len() as u32;
                values.iter().all(|v| {
                    let c = counts.get(v).copied().unwrap_or(0);
                    c >= r / n && c <= r.div_ceil(n)
                })
            }
            Spread::MaxPerValue(max) => counts.values().all(|c| c <= max),
            Spread::Exact(wanted) => {
                counts.iter().all(|(v, c)| wanted.get(*v) == Some(c))
                    && wanted
                        .iter()
                        .all(|(v, w)| counts.get(v).copied().unwrap_or(0) == *w)
            }
        }
    })
}

/// The fewest replicas any placement valid by the contract must add to `current`, by exhaustive
/// search over broker ids (None when no placement is valid).
pub fn min_moves_by_contract(
    brokers: &[BrokerSpec],
    policy: &Policy,
    r: u32,
    current: &[i32],
) -> Option<usize> {
    let ids: Vec<i32> = brokers.iter().map(|b| b.id).collect();
    subsets(ids.len() as u32, r)
        .into_iter()
        .map(|s| s.iter().map(|&i| ids[i as usize]).collect::<Vec<i32>>())
        .filter(|s| valid_by_contract(brokers, policy, r, s))
        .map(|s| s.iter().filter(|b| !current.contains(b)).count())
        .min()
}
