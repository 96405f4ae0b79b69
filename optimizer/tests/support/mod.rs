//! What the optimizer's integration tests share: the stretch policy and a random small stretch
//! cluster generator (3 zones x 2 Kubernetes clusters), the bundled fixtures, and turning a plan's
//! replica lists back into a snapshot.
//!
//! Each test binary compiles this module on its own and uses only part of it.
#![allow(dead_code)]

use kplace_placement::model::{ClusterModel, ModelOptions};
use kplace_placement::parse::{parse_policy, parse_snapshot};
use kplace_placement::policy::Policy;
use kplace_placement::snapshot::{BrokerId, BrokerSpec, Load, PartitionSpec, Snapshot};
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

/// [`POLICY`] with `events-0` kept in zone az1 (RF 2): only az1's brokers may lead it,
/// so the leader bound (Hall's condition over who may lead) often exceeds the mean.
pub const CROWDED_POLICY: &str = r#"
rack_pattern: '^(?P<zone>az[0-9]+)/(?P<cluster>k8s-[a-z]+)$'
rules:
  - topics: 'payments\..*'
    replication_factor: 6
    spread: {zone: even, cluster: even}
  - topics: 'events-0'
    replication_factor: 2
    spread: {zone: {exact: {az1: 2}}}
  - topics: '.*'
    replication_factor: 3
    spread: {zone: even}
"#;

/// Twelve brokers, two per cell, and 24 partitions all led by broker 1 (12 at RF 2 on brokers
/// 1 and 3, 12 at RF 3 on brokers 1, 5 and 9), ISR full: leadership piled on one broker, under
/// `policy` (whose rules decide who else may lead).
pub fn leaders_on_one_broker(policy: &str) -> ClusterModel {
    let brokers = (0..12)
        .map(|i| BrokerSpec {
            id: i + 1,
            rack: Some(cell_rack(i as usize / 2)),
            ..BrokerSpec::default()
        })
        .collect();
    let partitions = (0..24)
        .map(|i| PartitionSpec {
            topic: format!("events-{}", i / 12),
            partition: i % 12,
            replicas: if i < 12 { vec![1, 3] } else { vec![1, 5, 9] },
            leader: Some(1),
            isr: Some(if i < 12 { vec![1, 3] } else { vec![1, 5, 9] }),
            size: 1,
            ..PartitionSpec::default()
        })
        .collect();
    model_of(brokers, partitions, policy)
}

/// `snapshot` with one new, empty broker per entry of `cells` (ids after the highest).
pub fn with_new_brokers(snapshot: &Snapshot, cells: &[usize]) -> (Snapshot, Vec<BrokerId>) {
    let mut next = snapshot.clone();
    let first = snapshot.brokers.iter().map(|b| b.id).max().unwrap_or(0) + 1;
    let ids: Vec<BrokerId> = (first..).take(cells.len()).collect();
    for (&id, &cell) in ids.iter().zip(cells) {
        next.brokers.push(BrokerSpec {
            id,
            rack: Some(cell_rack(cell)),
            ..BrokerSpec::default()
        });
    }
    (next, ids)
}
