//! What the optimizer's integration tests share: the stretch policy and a random small stretch
//! cluster generator (3 zones x 2 Kubernetes clusters), the bundled fixtures, and turning a plan's
//! replica lists back into a snapshot.
//!
//! Each test binary compiles this module on its own and uses only part of it.
#![allow(dead_code)]

use kplace_placement::model::{ClusterModel, ModelOptions};
use kplace_placement::parse::{parse_policy, parse_snapshot};
use kplace_placement::policy::Policy;
use kplace_placement::snapshot::{BrokerSpec, Load, PartitionSpec, Snapshot};
use proptest::prelude::*;

/// The stretch policy of the generated clusters: `payments.*` at RF 6 spread over zones and
/// Kubernetes clusters, everything else at RF 3 over zones, preferably led from `k8s-a`.
pub const POLICY: &str = r#"
rack_pattern: '^(?P<zone>az[0-9]+)/(?P<cluster>k8s-[a-z]+)$'
rules:
  - topics: 'payments\..*'
    replication_factor: 6
    spread: {zone: even, cluster: even}
    min_insync_replicas: 3
    survive: [zone, cluster]
  - topics: '.*'
    replication_factor: 3
    spread: {zone: even}
    min_insync_replicas: 2
    survive: [zone]
    leader: {cluster: k8s-a}
"#;

/// The model of a hand-built cluster: `brokers` and `partitions` under the policy `yaml`.
pub fn model_of(
    brokers: Vec<BrokerSpec>,
    partitions: Vec<PartitionSpec>,
    yaml: &str,
) -> ClusterModel {
    let snapshot = Snapshot {
        brokers,
        partitions,
        ..Snapshot::default()
    };
    let policy = parse_policy(yaml, "policy").expect("policy");
    ClusterModel::build(&snapshot, &policy, &ModelOptions::default()).expect("model")
}

/// The rack of cell `cell` (0..6): zones az1..az3, each with k8s-a then k8s-b.
pub fn cell_rack(cell: usize) -> String {
    format!("az{}/k8s-{}", cell / 2 + 1, ["a", "b"][cell % 2])
}

/// The brokers of a stretch cluster: `per_cell` per cell, ids from 1, cell by cell
/// ([`cell_rack`]); the broker at index `dead`, if any, is down.
pub fn stretch_brokers(per_cell: usize, dead: Option<usize>) -> Vec<BrokerSpec> {
    (0..6 * per_cell)
        .map(|i| BrokerSpec {
            id: i as i32 + 1,
            rack: Some(cell_rack(i / per_cell)),
            alive: dead != Some(i),
            ..BrokerSpec::default()
        })
        .collect()
}

/// [`POLICY`] without its leader preference (`leader: {cluster: k8s-a}`), for tests of what
/// exact mode models.
pub fn policy_without_leader_preference() -> Policy {
    let line = "    leader: {cluster: k8s-a}\n";
    assert!(POLICY.contains(line), "POLICY states a leader preference");
    parse_policy(&POLICY.replace(line, ""), "policy").expect("test policy parses")
}

/// A xorshift generator: the cluster generator's only source of randomness, seeded by proptest.
pub struct XorShift(u64);

impl XorShift {
    /// A generator from any seed.
    pub fn new(seed: u64) -> XorShift {
        XorShift(seed | 1)
    }

    /// Adds random distinct broker ids from `1..=brokers` to `replicas` until it has `rf`.
    pub fn fill_replicas(&mut self, replicas: &mut Vec<i32>, rf: usize, brokers: usize) {
        while replicas.len() < rf {
            let b = self.below(brokers) as i32 + 1;
            if !replicas.contains(&b) {
                replicas.push(b);
            }
        }
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// A random stretch cluster: 2 or 3 brokers per cell (ids from 1, cell by cell), a dead broker
/// now and then, partitions with random replica lists (often breaking the policy), random sizes
/// and loads. Every third partition is `payments.ledger` (RF 6), the rest `events-0`/`events-1`.
pub fn cluster() -> impl Strategy<Value = Snapshot> {
    (
        2usize..=3,
        4usize..=24,
        proptest::option::of(0usize..12),
        any::<u64>(),
    )
        .prop_map(|(per_cell, partitions, dead, seed)| {
            let mut rng = XorShift::new(seed);
            let brokers = stretch_brokers(per_cell, dead);
            let partitions = (0..partitions)
                .map(|i| {
                    let payments = i % 3 == 0;
                    let rf = if payments { 6 } else { 3 };
                    let mut replicas: Vec<i32> = Vec::new();
                    rng.fill_replicas(&mut replicas, rf, brokers.len());
                    PartitionSpec {
                        topic: if payments {
                            "payments.ledger".into()
                        } else {
                            format!("events-{}", i % 2)
                        },
                        partition: i as i32,
                        replicas,
                        size: 1 + rng.below(1000) as u64 * 1_000_000,
                        load: Load {
                            network_in: rng.below(100) as f64,
                            network_out: rng.below(300) as f64,
                            cpu: rng.below(10) as f64 / 10.0,
                        },
                        ..PartitionSpec::default()
                    }
                })
                .collect();
            Snapshot {
                brokers,
                partitions,
                ..Snapshot::default()
            }
        })
}

/// [`POLICY`], parsed.
pub fn policy() -> Policy {
    parse_policy(POLICY, "policy").expect("test policy parses")
}

/// The model of a generated snapshot under [`POLICY`].
pub fn model(snapshot: &Snapshot) -> ClusterModel {
    model_with(snapshot, &ModelOptions::default())
}

/// Like [`model`], with options (e.g. brokers excluded, as `--remove-brokers` does).
pub fn model_with(snapshot: &Snapshot, options: &ModelOptions) -> ClusterModel {
    ClusterModel::build(snapshot, &policy(), options).expect("generated snapshot is valid")
}

/// A bundled fixture (`fixtures/<name>/`): its snapshot and policy.
pub fn fixture(name: &str) -> (Snapshot, Policy) {
    let dir = format!("{}/../fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let snapshot = parse_snapshot(
        &std::fs::read(format!("{dir}/snapshot.json")).expect("fixture snapshot readable"),
        "snapshot",
    )
    .expect("fixture snapshot parses");
    let policy = parse_policy(
        &std::fs::read_to_string(format!("{dir}/policy.yaml")).expect("fixture policy readable"),
        "policy",
    )
    .expect("fixture policy parses");
    (snapshot, policy)
}

/// The snapshot with new replica lists applied (changed partitions led by their first replica).
pub fn applied(snapshot: &Snapshot, model: &ClusterModel, after: &[Vec<u32>]) -> Snapshot {
    let mut next = snapshot.clone();
    for spec in &mut next.partitions {
        let p = model
            .partition_index(&spec.topic, spec.partition)
            .expect("partition exists");
        let ids = model.broker_ids(&after[p as usize]);
        if ids != spec.replicas {
            spec.replicas = ids;
            spec.leader = None;
            spec.isr = None;
        }
    }
    next
}

/// Every default goal's name, in priority order.
pub fn default_goal_names() -> Vec<String> {
    kplace_optimizer::goals::default_goal_names()
}
