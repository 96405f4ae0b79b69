//! The stretch-cluster workload: one Kafka cluster over 3 availability zones x 2 Kubernetes
//! clusters, replication factor 6, policy 2 replicas per zone and 3 per Kubernetes cluster.
//!
//! Partitions start in a valid placement (each cell count pattern chosen at random among the
//! valid ones, brokers uniform within cells); a given fraction is then broken the way real
//! clusters break — a zone-only legacy placement with all 6 replicas in one Kubernetes cluster —
//! and a few brokers are dead, which breaks every partition they hold as well.

use kplace_placement::policy::{Policy, RuleSpec, Spread};
use kplace_placement::snapshot::{BrokerSpec, Capacity, Load, PartitionSpec, Snapshot};

use crate::rng::SplitMix64;

/// Zones of the stretch cluster.
pub const ZONES: [&str; 3] = ["az1", "az2", "az3"];
/// Kubernetes clusters of the stretch cluster.
pub const CLUSTERS: [&str; 2] = ["k8s-a", "k8s-b"];

/// The shape of a stretch cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct StretchSpec {
    /// Brokers in each of the 6 cells (zone x Kubernetes cluster).
    pub brokers_per_cell: usize,
    /// Partitions in all.
    pub partitions: usize,
    /// Partitions per topic.
    pub partitions_per_topic: usize,
    /// Fraction of partitions placed zone-only (all replicas in one Kubernetes cluster).
    pub broken_fraction: f64,
    /// Brokers marked dead (spread over cells).
    pub dead_brokers: usize,
    /// Random seed.
    pub seed: u64,
    /// Whether partitions carry network and CPU load. Snapshots taken from Kafka do not (its
    /// admin API reports sizes, not rates), so the spread benchmark runs without; the optimizer's
    /// balance goals need it.
    pub with_load: bool,
}

impl StretchSpec {
    /// The issue's large instance: 1,000,000 partitions at RF 6 on 600 brokers
    /// (3 zones x 2 clusters x 100), 10% broken, 3 brokers dead.
    pub fn large() -> Self {
        StretchSpec {
            brokers_per_cell: 100,
            partitions: 1_000_000,
            partitions_per_topic: 100,
            broken_fraction: 0.10,
            dead_brokers: 3,
            seed: 1,
            with_load: false,
        }
    }
}

/// The valid per-cell count patterns for RF 6 (row per zone: counts in k8s-a, k8s-b): every zone
/// holds 2 and every cluster 3.
const VALID_PATTERNS: [[[usize; 2]; 3]; 7] = [
    [[1, 1], [1, 1], [1, 1]],
    [[2, 0], [0, 2], [1, 1]],
    [[2, 0], [1, 1], [0, 2]],
    [[0, 2], [2, 0], [1, 1]],
    [[0, 2], [1, 1], [2, 0]],
    [[1, 1], [2, 0], [0, 2]],
    [[1, 1], [0, 2], [2, 0]],
];

/// Generates the snapshot.
pub fn stretch_snapshot(spec: &StretchSpec) -> Snapshot {
    let mut rng = SplitMix64::new(spec.seed);
    let per_cell = spec.brokers_per_cell;
    let mut brokers = Vec::with_capacity(6 * per_cell);
    for zone in ZONES {
        for cluster in CLUSTERS {
            for _ in 0..per_cell {
                brokers.push(BrokerSpec {
                    id: brokers.len() as i32 + 1,
                    rack: Some(format!("{zone}/{cluster}")),
                    capacity: Capacity {
                        disk: Some(4.0e12),
                        network_in: Some(1.25e9),
                        network_out: Some(1.25e9),
                        cpu: Some(100.0),
                    },
                    ..Default::default()
                });
            }
        }
    }
    let dead_stride = (brokers.len() / spec.dead_brokers.max(1)).max(1);
    for k in 0..spec.dead_brokers.min(brokers.len()) {
        brokers[k * dead_stride + 7 % per_cell].alive = false;
    }
    let cell_broker = |zone: usize, cluster: usize, rng: &mut SplitMix64, taken: &[i32]| loop {
        let id = ((zone * 2 + cluster) * per_cell + rng.below(per_cell)) as i32 + 1;
        if !taken.contains(&id) {
            return id;
        }
    };
    let mut partitions = Vec::with_capacity(spec.partitions);
    for index in 0..spec.partitions {
        let broken = rng.unit() < spec.broken_fraction;
        let pattern = if broken {
            let cluster = rng.below(2);
            let mut p = [[0; 2]; 3];
            for zone in &mut p {
                zone[cluster] = 2;
            }
            p
        } else {
            VALID_PATTERNS[rng.below(VALID_PATTERNS.len())]
        };
        let mut replicas: Vec<i32> = Vec::with_capacity(6);
        for (zone, counts) in pattern.iter().enumerate() {
            for (cluster, &count) in counts.iter().enumerate() {
                for _ in 0..count {
                    let id = cell_broker(zone, cluster, &mut rng, &replicas);
                    replicas.push(id);
                }
            }
        }
        // Shuffle so that leaders spread over zones (Fisher-Yates).
        for i in (1..replicas.len()).rev() {
            replicas.swap(i, rng.below(i + 1));
        }
        let produce = rng.exponential(50_000.0);
        partitions.push(PartitionSpec {
            topic: format!("topic-{:05}", index / spec.partitions_per_topic),
            partition: (index % spec.partitions_per_topic) as i32,
            leader: Some(replicas[0]),
            isr: Some(replicas.clone()),
            elr: None,
            replicas,
            size: rng.exponential(2.0e8) as u64,
            load: if spec.with_load {
                Load {
                    network_in: produce,
                    network_out: 3.0 * produce,
                    cpu: produce / 1.0e5,
                }
            } else {
                Load::default()
            },
            rates: None,
        });
    }
    Snapshot {
        brokers,
        partitions,
        ..Default::default()
    }
}

/// Grows a stretch cluster by one live broker per cell (zone x Kubernetes cluster), each a copy
/// of its cell's first broker with the next free id; returns the new brokers' ids.
pub fn add_broker_per_cell(snapshot: &mut Snapshot, brokers_per_cell: usize) -> Vec<i32> {
    (0..6)
        .flat_map(|cell| add_brokers_to_cell(snapshot, brokers_per_cell, cell, 1))
        .collect()
}

/// Adds `count` live brokers to `cell` (0..6: az1/k8s-a, az1/k8s-b, ..., az3/k8s-b), copies of
/// its first broker with the next free ids (cells of uneven size); returns their ids.
pub fn add_brokers_to_cell(
    snapshot: &mut Snapshot,
    brokers_per_cell: usize,
    cell: usize,
    count: usize,
) -> Vec<i32> {
    let template = snapshot.brokers[cell * brokers_per_cell].clone();
    let first_new = snapshot.brokers.iter().map(|b| b.id).max().unwrap_or(0) + 1;
    let added: Vec<i32> = (first_new..first_new + count as i32).collect();
    for &id in &added {
        snapshot.brokers.push(BrokerSpec {
            id,
            alive: true,
            ..template.clone()
        });
    }
    added
}

/// The policy: RF 6, 2 per zone and 3 per Kubernetes cluster, zone and cluster from the rack.
pub fn stretch_policy() -> Policy {
    Policy {
        rack_pattern: Some(r"^(?P<zone>[^/]+)/(?P<cluster>[^/]+)$".to_string()),
        rules: vec![RuleSpec {
            topics: ".*".to_string(),
            replication_factor: Some(6),
            spread: [
                ("zone".to_string(), Spread::Even),
                ("cluster".to_string(), Spread::Even),
            ]
            .into_iter()
            .collect(),
            min_insync_replicas: Some(3),
            survive: vec!["zone".to_string(), "cluster".to_string()],
            ..Default::default()
        }],
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kplace_placement::check::check;
    use kplace_placement::model::{ClusterModel, ModelOptions};

    #[test]
    fn broken_fraction_and_dead_brokers_show_up_in_check() {
        let spec = StretchSpec {
            brokers_per_cell: 5,
            partitions: 2_000,
            partitions_per_topic: 50,
            ..StretchSpec::large()
        };
        let snapshot = stretch_snapshot(&spec);
        assert_eq!(snapshot.brokers.len(), 30);
        assert_eq!(snapshot.brokers.iter().filter(|b| !b.alive).count(), 3);
        let model =
            ClusterModel::build(&snapshot, &stretch_policy(), &ModelOptions::default()).unwrap();
        let mut broken: Vec<u32> = check(&model, model.current())
            .iter()
            .map(|v| v.partition)
            .collect();
        broken.dedup();
        // 10% zone-only plus those on the 3 dead of 30 brokers (about 1 - 0.9^6 of the rest).
        let fraction = broken.len() as f64 / 2_000.0;
        assert!((0.45..0.60).contains(&fraction), "{fraction}");
        assert_eq!(snapshot, stretch_snapshot(&spec), "deterministic");
    }
}
