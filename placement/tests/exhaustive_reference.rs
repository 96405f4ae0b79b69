//! Property tests: on random small clusters and policies, repair's output satisfies every rule
//! whenever a valid placement exists, infeasibility is reported exactly when none exists, the
//! number of replicas moved equals the exhaustive minimum, and a second repair changes nothing.

mod common;

use common::{
    broker, min_moves, min_moves_by_contract, model, partition, policy, valid, valid_by_contract,
};
use kplace_placement::policy::Spread;
use kplace_placement::policy_check::check_policy;
use kplace_placement::repair::repair;
use kplace_placement::snapshot::{BrokerSpec, PartitionSpec};
use proptest::prelude::*;

const ZONES: [&str; 3] = ["az1", "az2", "az3"];
const CLUSTERS: [&str; 2] = ["k8s-a", "k8s-b"];

fn spread_strategy(values: &'static [&'static str]) -> impl Strategy<Value = Option<Spread>> {
    prop_oneof![
        Just(None),
        Just(Some(Spread::Even)),
        (1u32..=3).prop_map(|n| Some(Spread::MaxPerValue(n))),
        proptest::collection::vec(0u32..=2, values.len()).prop_map(move |counts| {
            Some(Spread::Exact(
                values
                    .iter()
                    .zip(counts)
                    .filter(|(_, c)| *c > 0)
                    .map(|(v, c)| (v.to_string(), c))
                    .collect(),
            ))
        }),
    ]
}

/// Brokers, partitions, the rule's RF, and its zone and cluster spreads.
type Instance = (
    Vec<BrokerSpec>,
    Vec<PartitionSpec>,
    Option<u32>,
    Option<Spread>,
    Option<Spread>,
);

/// A random cluster of 3..=9 brokers (zone and cluster labels, some dead), a policy spreading
/// over zone and/or cluster, and 1..=4 partitions with random current replicas.
fn instance() -> impl Strategy<Value = Instance> {
    (3usize..=9)
        .prop_flat_map(|n| {
            (
                proptest::collection::vec(
                    (0usize..3, 0usize..2, proptest::bool::weighted(0.85)),
                    n,
                ),
                proptest::collection::vec(
                    proptest::sample::subsequence((1..=n as i32).collect::<Vec<_>>(), 1..=n.min(5)),
                    1..=4,
                ),
                proptest::option::of(1u32..=5),
                spread_strategy(&ZONES),
                spread_strategy(&CLUSTERS),
            )
        })
        .prop_map(|(brokers, replica_sets, rf, zone, cluster)| {
            let brokers = brokers
                .into_iter()
                .enumerate()
                .map(|(i, (z, c, alive))| {
                    broker(
                        i as i32 + 1,
                        None,
                        &[("zone", ZONES[z]), ("cluster", CLUSTERS[c])],
                        alive,
                    )
                })
                .collect();
            let partitions = replica_sets
                .into_iter()
                .enumerate()
                .map(|(i, mut replicas)| {
                    let len = replicas.len();
                    replicas.rotate_left(i % len);
                    partition("t", i as i32, &replicas)
                })
                .collect();
            (brokers, partitions, rf, zone, cluster)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn repair_is_valid_minimal_and_idempotent((brokers, partitions, rf, zone, cluster) in instance()) {
        let mut spread = Vec::new();
        if let Some(z) = zone { spread.push(("zone", z)); }
        if let Some(c) = cluster { spread.push(("cluster", c)); }
        let policy = policy(rf, &spread);
        let specs = brokers.clone();
        if check_policy(&policy).is_err() {
            // Exact counts that contradict the replication factor are refused up front; by the
            // contract alone, no placement of any partition meets such a rule.
            for spec in &partitions {
                let r = rf.unwrap_or(spec.replicas.len() as u32);
                prop_assert_eq!(min_moves_by_contract(&specs, &policy, r, &spec.replicas), None);
            }
            return Ok(());
        }
        let model = model(brokers, partitions, &policy);
        let outcome = repair(&model, model.current());
        let infeasible: Vec<u32> = outcome.infeasible.iter().flat_map(|(_, ps)| ps.iter().copied()).collect();
        let mut after = model.current().clone();
        for (p, replicas) in &outcome.changes {
            after[*p as usize] = replicas.clone();
        }
        for p in 0..model.partitions().len() as u32 {
            let current_ids = model.broker_ids(&model.current()[p as usize]);
            let r = model.target_replication_factor(p, &model.current()[p as usize]);
            let reference = min_moves_by_contract(&specs, &policy, r, &current_ids);
            prop_assert_eq!(reference, min_moves(&model, p), "the crate's own checker agrees with the contract");
            if infeasible.contains(&p) {
                prop_assert!(reference.is_none(), "partition {p} reported infeasible but a valid placement exists");
                continue;
            }
            let expected = reference.expect("repair succeeded, so a valid placement must exist");
            let placed = &after[p as usize];
            prop_assert!(valid(&model, p, placed), "partition {p}: {placed:?} is not valid");
            prop_assert!(valid_by_contract(&specs, &policy, r, &model.broker_ids(placed)), "partition {p}: {placed:?} breaks the contract");
            let moved = placed.iter().filter(|b| !model.current()[p as usize].contains(b)).count();
            prop_assert_eq!(moved, expected, "partition {} moved {} replicas, minimum is {}", p, moved, expected);
        }
        // Idempotence: repairing the repaired assignment changes nothing.
        let again = repair(&model, &after);
        prop_assert!(again.changes.is_empty(), "second repair changed {:?}", again.changes);
    }
}
