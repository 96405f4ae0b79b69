//! Property tests of fresh assignment: every new partition meets its rule, the result is
//! deterministic, and on symmetric clusters (equal brokers per rack, racks even) replicas and
//! leaders per broker differ by at most one.

mod common;

use std::collections::BTreeMap;

use common::{broker, model, policy};
use kplace_placement::assign::{assign, AssignRequest};
use kplace_placement::model::ClusterModel;
use kplace_placement::policy::Spread;
use proptest::prelude::*;

fn spread(counts: &BTreeMap<i32, usize>, brokers: usize) -> usize {
    let max = counts.values().copied().max().unwrap_or(0);
    let min = if counts.len() < brokers {
        0
    } else {
        counts.values().copied().min().unwrap_or(0)
    };
    max - min
}

fn new_topic(model: &ClusterModel, partitions: u32, rf: u32) -> Vec<Vec<i32>> {
    let request = AssignRequest::new("new", partitions).with_replication_factor(Some(rf));
    let placed = assign(model, &request).expect("feasible");
    placed
        .replicas
        .iter()
        .map(|r| model.broker_ids(r))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn symmetric_clusters_come_out_even(racks in 1usize..=5, per_rack in 1usize..=4, rf in 1u32..=6, partitions in 1u32..=60) {
        let n = racks * per_rack;
        prop_assume!(rf as usize <= n);
        let brokers = (0..n).map(|b| broker(b as i32, Some(&format!("r{}", b % racks)), &[], true)).collect();
        let model = model(brokers, Vec::new(), &policy(None, &[("rack", Spread::Even)]));
        let assignment = new_topic(&model, partitions, rf);
        let again = new_topic(&model, partitions, rf);
        prop_assert_eq!(&assignment, &again, "deterministic");
        let mut replicas = BTreeMap::new();
        let mut leaders = BTreeMap::new();
        for r in &assignment {
            *leaders.entry(r[0]).or_insert(0usize) += 1;
            for &b in r {
                *replicas.entry(b).or_insert(0usize) += 1;
            }
            let mut per_rack = vec![0usize; racks];
            for &b in r {
                per_rack[b as usize % racks] += 1;
            }
            let used = per_rack.iter().filter(|&&c| c > 0).count();
            prop_assert_eq!(used, (rf as usize).min(racks), "{:?} spans {} racks", r, used);
        }
        prop_assert!(spread(&replicas, n) <= 1, "replicas per broker {:?}", replicas);
        prop_assert!(spread(&leaders, n) <= 1, "leaders per broker {:?}", leaders);
    }

    #[test]
    fn every_new_partition_meets_a_two_label_rule(cells in proptest::collection::vec(1usize..=3, 6), partitions in 1u32..=30) {
        // 3 zones x 2 clusters with 1..=3 brokers per cell; RF 6 with 2 per zone and 3 per cluster.
        let mut brokers = Vec::new();
        for (cell, &count) in cells.iter().enumerate() {
            for _ in 0..count {
                let id = brokers.len() as i32;
                let labels = [("zone", ["a", "b", "c"][cell / 2]), ("cluster", ["x", "y"][cell % 2])];
                brokers.push(broker(id, None, &labels, true));
            }
        }
        let model = model(brokers, Vec::new(), &policy(Some(6), &[("zone", Spread::Even), ("cluster", Spread::Even)]));
        let request = AssignRequest::new("new", partitions);
        let placed = assign(&model, &request).expect("always feasible: every cell has a broker");
        let ids: Vec<Vec<i32>> = placed.replicas.iter().map(|r| model.broker_ids(r)).collect();
        for r in &ids {
            let mut zones = BTreeMap::new();
            let mut clusters = BTreeMap::new();
            for &b in r {
                let broker = &model.brokers()[model.broker(b).unwrap() as usize];
                let zone = model.labels().label("zone").unwrap();
                let cluster = model.labels().label("cluster").unwrap();
                *zones.entry(broker.label(zone)).or_insert(0) += 1;
                *clusters.entry(broker.label(cluster)).or_insert(0) += 1;
            }
            prop_assert!(zones.len() == 3 && zones.values().all(|&c| c == 2), "{:?}", r);
            prop_assert!(clusters.len() == 2 && clusters.values().all(|&c| c == 3), "{:?}", r);
        }
    }
}
