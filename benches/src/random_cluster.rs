//! Cruise Control's `RandomCluster` workload as a kplace snapshot and policy.
//!
//! Cruise Control benchmarks its optimiser on random clusters: brokers spread round-robin over
//! racks, topics with random partition counts, replicas placed uniformly at random (so some
//! partitions hold two replicas in one rack) and every partition's load drawn from an exponential
//! distribution. Its standard instance is 40 brokers in 10 racks with 50,001 replicas over 3,000
//! topics at replication factor 3 ([`RandomClusterSpec::cruise_control`]); the large instance here
//! is the scale Cruise Control users reported 18-minute runs for: 215 brokers and 2.8 million
//! replicas ([`RandomClusterSpec::large`]). The policy is Cruise Control's rack awareness: at most
//! one replica per rack.

use std::collections::BTreeMap;

use kplace_placement::policy::{Policy, RuleSpec, Spread};
use kplace_placement::snapshot::{BrokerSpec, Capacity, Load, PartitionSpec, Snapshot};

use crate::rng::SplitMix64;

/// The shape of a random cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct RandomClusterSpec {
    /// Brokers, ids 0..brokers.
    pub brokers: usize,
    /// Racks; broker i sits in rack i % racks.
    pub racks: usize,
    /// Topics.
    pub topics: usize,
    /// Total replicas (partitions × replication factor, rounded up to whole partitions).
    pub replicas: usize,
    /// Replication factor.
    pub replication_factor: usize,
    /// Mean replica size in bytes (exponential).
    pub mean_size: f64,
    /// Mean produce rate per partition, bytes/s (exponential).
    pub mean_network_in: f64,
    /// Mean consume rate per partition, bytes/s (exponential).
    pub mean_network_out: f64,
    /// Mean leader CPU per partition (exponential).
    pub mean_cpu: f64,
    /// Capacity as a multiple of the mean broker load (2.5: 40% average utilisation).
    pub headroom: f64,
    /// Random seed.
    pub seed: u64,
}

impl RandomClusterSpec {
    /// Cruise Control's standard RandomCluster: 40 brokers, 10 racks, 50,001 replicas, 3,000
    /// topics, RF 3.
    pub fn cruise_control() -> Self {
        RandomClusterSpec {
            brokers: 40,
            racks: 10,
            topics: 3_000,
            replicas: 50_001,
            replication_factor: 3,
            mean_size: 512.0 * 1024.0 * 1024.0,
            mean_network_in: 100_000.0,
            mean_network_out: 300_000.0,
            mean_cpu: 0.05,
            headroom: 2.5,
            seed: 0x6b70_6c61_6365,
        }
    }

    /// The large instance: 215 brokers in 43 racks, 2.8 million replicas over 30,000 topics.
    pub fn large() -> Self {
        RandomClusterSpec {
            brokers: 215,
            racks: 43,
            topics: 30_000,
            replicas: 2_800_000,
            ..Self::cruise_control()
        }
    }

    /// Partitions: replicas / replication factor, rounded up.
    pub fn partitions(&self) -> usize {
        self.replicas.div_ceil(self.replication_factor)
    }
}

/// The rack-awareness policy Cruise Control's RackAwareGoal enforces: at most one replica per rack.
pub fn rack_aware_policy() -> Policy {
    Policy {
        rack_pattern: None,
        rules: vec![RuleSpec {
            topics: ".*".to_string(),
            spread: BTreeMap::from([("rack".to_string(), Spread::MaxPerValue(1))]),
            ..RuleSpec::default()
        }],
        ..Policy::default()
    }
}

/// Generates the cluster: deterministic for a given spec.
pub fn random_cluster(spec: &RandomClusterSpec) -> Snapshot {
    let mut rng = SplitMix64::new(spec.seed);
    let partition_count = spec.partitions();
    // Every topic gets one partition, the rest go to topics drawn with a skew (some topics are big).
    let mut per_topic = vec![1usize; spec.topics];
    for _ in spec.topics..partition_count {
        let topic = (rng.unit() * rng.unit() * spec.topics as f64) as usize;
        per_topic[topic.min(spec.topics - 1)] += 1;
    }
    let mut partitions = Vec::with_capacity(partition_count);
    for (topic, &count) in per_topic.iter().enumerate() {
        for number in 0..count {
            let mut replicas: Vec<i32> = Vec::with_capacity(spec.replication_factor);
            while replicas.len() < spec.replication_factor.min(spec.brokers) {
                let b = rng.below(spec.brokers) as i32;
                if !replicas.contains(&b) {
                    replicas.push(b);
                }
            }
            partitions.push(PartitionSpec {
                topic: format!("topic-{topic:05}"),
                partition: number as i32,
                replicas,
                size: rng.exponential(spec.mean_size) as u64,
                load: Load {
                    network_in: rng.exponential(spec.mean_network_in),
                    network_out: rng.exponential(spec.mean_network_out),
                    cpu: rng.exponential(spec.mean_cpu),
                },
                ..PartitionSpec::default()
            });
        }
    }
    let rf = spec.replication_factor as f64;
    let per_broker = |mean: f64, copies: f64| {
        mean * partition_count as f64 * copies / spec.brokers as f64 * spec.headroom
    };
    let capacity = Capacity {
        disk: Some(per_broker(spec.mean_size, rf)),
        network_in: Some(per_broker(spec.mean_network_in, rf)),
        network_out: Some(per_broker(spec.mean_network_out, 1.0)),
        cpu: Some(per_broker(spec.mean_cpu, 1.0 + (rf - 1.0) * 0.3)),
    };
    let brokers = (0..spec.brokers)
        .map(|b| BrokerSpec {
            id: b as i32,
            rack: Some(format!("rack-{:02}", b % spec.racks)),
            alive: true,
            capacity,
            ..BrokerSpec::default()
        })
        .collect();
    Snapshot {
        brokers,
        partitions,
        ..Snapshot::default()
    }
}
