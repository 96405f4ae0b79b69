//! Acceptance cases modelled on Kafka's own rack-aware placement tests (AdminUtils /
//! StripedReplicaPlacer): kplace's fresh assignment promises at least what Kafka's placers do —
//! every partition spans min(RF, racks) racks, and replicas and leaders per broker are equal when
//! racks are even — and keeps per-rack counts within one when RF exceeds the racks. Plus the
//! 3-zone x 2-cluster stretch cluster at RF 6.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{broker, model, partition, policy};
use kplace_placement::assign::{assign, AssignRequest};
use kplace_placement::model::ClusterModel;
use kplace_placement::policy::{Policy, Spread};
use kplace_placement::repair::repair;

/// A cluster of brokers 0.. with the given racks and no partitions yet.
fn rack_cluster(racks: &[&str], policy: &Policy) -> ClusterModel {
    let brokers = racks
        .iter()
        .enumerate()
        .map(|(i, r)| broker(i as i32, Some(r), &[], true))
        .collect();
    model(brokers, Vec::new(), policy)
}

fn assign_topic(model: &ClusterModel, partitions: u32, rf: u32) -> Vec<Vec<i32>> {
    let request = AssignRequest::new("t", partitions).with_replication_factor(Some(rf));
    let placed = assign(model, &request).expect("assignable");
    placed
        .replicas
        .iter()
        .map(|r| model.broker_ids(r))
        .collect()
}

fn rack_of(model: &ClusterModel, id: i32) -> String {
    model.brokers()[model.broker(id).unwrap() as usize]
        .rack
        .clone()
        .unwrap()
}

/// Checks Kafka's promises and kplace's stronger ones for an assignment.
fn assert_rack_aware(model: &ClusterModel, assignment: &[Vec<i32>], rf: usize) {
    let racks: BTreeSet<String> = model
        .brokers()
        .iter()
        .filter_map(|b| b.rack.clone())
        .collect();
    for replicas in assignment {
        assert_eq!(replicas.len(), rf);
        let unique: BTreeSet<_> = replicas.iter().collect();
        assert_eq!(unique.len(), rf, "{replicas:?} repeats a broker");
        let mut per_rack: BTreeMap<String, usize> = BTreeMap::new();
        for &b in replicas {
            *per_rack.entry(rack_of(model, b)).or_default() += 1;
        }
        assert_eq!(
            per_rack.len(),
            rf.min(racks.len()),
            "{replicas:?} spans {per_rack:?}"
        );
        let (min, max) = (
            per_rack.values().min().unwrap(),
            per_rack.values().max().unwrap(),
        );
        if rf >= racks.len() {
            assert!(
                max - min <= 1,
                "{replicas:?}: per-rack counts {per_rack:?} differ by more than one"
            );
        }
    }
}

fn counts(assignment: &[Vec<i32>]) -> (BTreeMap<i32, usize>, BTreeMap<i32, usize>) {
    let (mut replicas, mut leaders) = (BTreeMap::new(), BTreeMap::new());
    for r in assignment {
        *leaders.entry(r[0]).or_default() += 1;
        for &b in r {
            *replicas.entry(b).or_default() += 1;
        }
    }
    (replicas, leaders)
}

fn assert_even(assignment: &[Vec<i32>], brokers: usize) {
    let (replicas, leaders) = counts(assignment);
    let total: usize = replicas.values().sum();
    assert_eq!(
        replicas.len(),
        brokers,
        "every broker gets replicas: {replicas:?}"
    );
    assert!(
        replicas.values().all(|&n| n == total / brokers),
        "replicas per broker uneven: {replicas:?}"
    );
    assert!(
        leaders.values().all(|&n| n == assignment.len() / brokers),
        "leaders per broker uneven: {leaders:?}"
    );
}

fn rack_policy() -> Policy {
    policy(None, &[("rack", Spread::Even)])
}

#[test]
fn six_brokers_three_racks_rf2_rf3_rf5() {
    let racks = ["rack1", "rack1", "rack2", "rack2", "rack3", "rack3"];
    for policy in [rack_policy(), policy(None, &[])] {
        let model = rack_cluster(&racks, &policy);
        for rf in [2usize, 3, 5] {
            let assignment = assign_topic(&model, 6, rf as u32);
            assert_rack_aware(&model, &assignment, rf);
            assert_even(&assignment, 6);
        }
    }
}

/// Issue #14: 12 partitions at RF 2 gave brokers 3 to 5 replicas where Kafka promises 4 each;
/// every multiple of the broker count at every replication factor comes out exactly even, with
/// Kafka's test rack order and the brokers grouped by rack.
#[test]
fn six_brokers_three_racks_every_rf_and_partition_count() {
    let layouts = [
        ["rack1", "rack3", "rack3", "rack2", "rack2", "rack1"],
        ["rack1", "rack1", "rack2", "rack2", "rack3", "rack3"],
    ];
    for racks in layouts {
        let model = rack_cluster(&racks, &rack_policy());
        for rf in 1..=6usize {
            for partitions in [6u32, 12, 18, 24, 36] {
                let assignment = assign_topic(&model, partitions, rf as u32);
                assert_rack_aware(&model, &assignment, rf);
                assert_even(&assignment, 6);
            }
        }
    }
}

#[test]
fn uneven_racks_still_span_three_racks_with_even_leaders() {
    // Kafka's uneven-rack case: rack1 has three brokers, rack2 one, rack3 two.
    let racks = ["rack1", "rack2", "rack1", "rack3", "rack1", "rack3"];
    let model = rack_cluster(&racks, &rack_policy());
    let assignment = assign_topic(&model, 6, 3);
    assert_rack_aware(&model, &assignment, 3);
    let (_, leaders) = counts(&assignment);
    assert!(
        leaders.values().all(|&n| n == 1),
        "one leader per broker: {leaders:?}"
    );
}

#[test]
fn ninety_six_partitions_on_twelve_brokers() {
    let racks: Vec<String> = (0..12).map(|b| format!("rack{}", b % 4)).collect();
    let racks: Vec<&str> = racks.iter().map(String::as_str).collect();
    let model = rack_cluster(&racks, &rack_policy());
    let assignment = assign_topic(&model, 96, 3);
    assert_rack_aware(&model, &assignment, 3);
    assert_even(&assignment, 12);
}

#[test]
fn single_rack() {
    let model = rack_cluster(&["rack1"; 6], &rack_policy());
    let assignment = assign_topic(&model, 6, 3);
    assert_rack_aware(&model, &assignment, 3);
    assert_even(&assignment, 6);
}

#[test]
fn counts_what_brokers_already_carry() {
    // Brokers 0 and 1 already carry a heavy topic: new replicas go elsewhere first.
    let brokers = (0..6)
        .map(|b| broker(b, Some(&format!("rack{}", b % 3)), &[], true))
        .collect();
    let partitions = (0..6).map(|p| partition("heavy", p, &[0, 1])).collect();
    let model = model(brokers, partitions, &policy(None, &[]));
    let assignment = assign_topic(&model, 4, 1);
    assert!(
        assignment.iter().all(|r| r[0] >= 2),
        "new replicas avoid loaded brokers: {assignment:?}"
    );
}

/// 3 zones x 2 Kubernetes clusters x `per_cell` brokers; rack "az1/k8s-a" etc.
pub fn stretch_brokers(per_cell: usize) -> Vec<kplace_placement::snapshot::BrokerSpec> {
    let mut brokers = Vec::new();
    for zone in ["az1", "az2", "az3"] {
        for cluster in ["k8s-a", "k8s-b"] {
            for _ in 0..per_cell {
                let id = brokers.len() as i32 + 1;
                brokers.push(broker(id, Some(&format!("{zone}/{cluster}")), &[], true));
            }
        }
    }
    brokers
}

fn stretch_policy() -> Policy {
    let mut policy = policy(
        Some(6),
        &[("zone", Spread::Even), ("cluster", Spread::Even)],
    );
    policy.rack_pattern = Some(r"^(?P<zone>[^/]+)/(?P<cluster>[^/]+)$".into());
    policy
}

fn assert_stretch(model: &ClusterModel, replicas: &[i32]) {
    let mut zones: BTreeMap<String, usize> = BTreeMap::new();
    let mut clusters: BTreeMap<String, usize> = BTreeMap::new();
    for &b in replicas {
        let rack = rack_of(model, b);
        let (zone, cluster) = rack.split_once('/').unwrap();
        *zones.entry(zone.into()).or_default() += 1;
        *clusters.entry(cluster.into()).or_default() += 1;
    }
    assert!(
        zones.values().all(|&n| n == 2) && zones.len() == 3,
        "{replicas:?}: zones {zones:?}"
    );
    assert!(
        clusters.values().all(|&n| n == 3) && clusters.len() == 2,
        "{replicas:?}: clusters {clusters:?}"
    );
}

#[test]
fn stretch_cluster_fresh_assignment_rf6() {
    let model = model(stretch_brokers(2), Vec::new(), &stretch_policy());
    let assignment = assign_topic(&model, 24, 6);
    for replicas in &assignment {
        assert_stretch(&model, replicas);
    }
    assert_even(&assignment, 12);
}

#[test]
fn stretch_cluster_repairs_zone_only_placement_with_three_moves() {
    // Legacy zone-only placement: 2 per zone, all 6 in k8s-a (brokers 1,2 | 5,6 | 9,10 are k8s-a).
    let partitions = vec![partition("payments", 0, &[1, 5, 9, 2, 6, 10])];
    let model = model(stretch_brokers(2), partitions, &stretch_policy());
    let outcome = repair(&model, model.current());
    assert!(outcome.infeasible.is_empty());
    let (_, replicas) = &outcome.changes[0];
    let ids = model.broker_ids(replicas);
    assert_stretch(&model, &ids);
    let kept = ids
        .iter()
        .filter(|b| [1, 5, 9, 2, 6, 10].contains(b))
        .count();
    assert_eq!(kept, 3, "exactly three replicas move to k8s-b: {ids:?}");
    assert_eq!(ids[0], 1, "the leader stays");
}

#[test]
fn dead_broker_replica_moves_to_its_cell_neighbour() {
    // Valid stretch placement, then broker 3 (az1/k8s-b) dies: its replica goes to broker 4.
    let mut brokers = stretch_brokers(2);
    brokers[2].alive = false;
    let partitions = vec![partition("payments", 0, &[1, 3, 5, 7, 9, 11])];
    let model = model(brokers, partitions, &stretch_policy());
    let outcome = repair(&model, model.current());
    let ids = model.broker_ids(&outcome.changes[0].1);
    assert_eq!(ids, vec![1, 5, 7, 9, 11, 4]);
}

#[test]
fn zone_outage_is_explained() {
    let mut brokers = stretch_brokers(2);
    for b in brokers
        .iter_mut()
        .filter(|b| b.rack.as_deref().unwrap().starts_with("az3"))
    {
        b.alive = false;
    }
    let partitions = vec![partition("payments", 0, &[1, 3, 5, 7, 9, 11])];
    let model = model(brokers, partitions, &stretch_policy());
    let outcome = repair(&model, model.current());
    assert_eq!(
        outcome.infeasible.len(),
        0,
        "az3 gone: 'even' spreads over the zones that remain"
    );
    let ids = model.broker_ids(&outcome.changes[0].1);
    assert!(ids.iter().all(|&b| b <= 8), "{ids:?}");
}

#[test]
fn leader_and_survive_typos_are_named() {
    let mut policy = stretch_policy();
    policy.rules[0].leader.insert("zone".into(), "az9".into());
    let snapshot = kplace_placement::snapshot::Snapshot {
        brokers: stretch_brokers(1),
        ..Default::default()
    };
    let options = kplace_placement::model::ModelOptions::default();
    let error = ClusterModel::build(&snapshot, &policy, &options).unwrap_err();
    assert_eq!(
        error.to_string(),
        "rules[0].leader.zone: no broker has zone=az9"
    );
    let mut policy = stretch_policy();
    policy.rules[0].survive = vec!["zon".into()];
    let error = ClusterModel::build(&snapshot, &policy, &options).unwrap_err();
    assert_eq!(
        error.to_string(),
        "rules[0].survive[0]: no broker has the label 'zon'"
    );
}

/// New partitions of an existing topic keep its replication factor unless the change is asked
/// for: Kafka's CreatePartitions wants the topic's, and a different one is almost always a typo.
#[test]
fn new_partitions_keep_the_topics_replication_factor_unless_allowed() {
    use kplace_placement::assign::AssignError;
    let racks = ["a", "b", "c", "a", "b", "c"];
    let brokers: Vec<_> = racks
        .iter()
        .enumerate()
        .map(|(i, r)| broker(i as i32, Some(r), &[], true))
        .collect();
    let existing = vec![partition("t", 0, &[0, 1, 2]), partition("t", 1, &[3, 4, 5])];
    for (rule_rf, asked) in [(None, Some(2)), (Some(2), None)] {
        let model = model(brokers.clone(), existing.clone(), &policy(rule_rf, &[]));
        let mut request = AssignRequest::new("t", 4).with_replication_factor(asked);
        match assign(&model, &request) {
            Err(AssignError::ReplicationFactorChange {
                existing: 3,
                asked: 2,
                topic,
                ..
            }) => {
                assert_eq!(topic, "t")
            }
            other => panic!("{rule_rf:?}/{asked:?}: {other:?}"),
        }
        request.allow_replication_factor_change = true;
        let placed = assign(&model, &request).expect("allowed");
        assert!(placed.replicas.iter().all(|r| r.len() == 2));
    }
    let model = model(brokers, existing, &policy(None, &[]));
    let request = AssignRequest::new("t", 4).with_replication_factor(Some(3));
    assert!(
        assign(&model, &request).is_ok(),
        "the topic's own factor needs no permission"
    );
}
