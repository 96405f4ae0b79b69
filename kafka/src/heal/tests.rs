//! Heal rounds against the in-memory cluster: each guard holds a round back, a round plans and
//! applies the fewest moves, a capped round takes the most urgent, and the state is saved after
//! every round, failed ones too.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use kplace_optimizer::heal::guards::DeadSince;
use kplace_placement::policy::Policy;

use super::*;
use crate::apply::ApplyOptions;
use crate::batching::Limits;
use crate::fake::FakeCluster;

const RACKS: [&str; 6] = ["az1", "az1", "az2", "az2", "az3", "az3"];

/// Six brokers, two per rack az1..az3, copying 100 bytes a look.
fn cluster() -> FakeCluster {
    let mut fake = FakeCluster::new(6, 100);
    for (i, rack) in RACKS.iter().enumerate() {
        fake.set_rack(i as i32 + 1, rack);
    }
    fake
}

/// One replica per rack.
fn policy() -> Policy {
    kplace_placement::parse::parse_policy(
        "rules:\n  - topics: '.*'\n    spread:\n      rack: even\n",
        "policy",
    )
    .expect("policy")
}

fn healing(execute: bool) -> HealRound {
    HealRound {
        execute,
        dead_broker_grace: Duration::from_secs(600),
        apply: ApplyOptions {
            poll_interval: Duration::ZERO,
            settle: Duration::ZERO,
            ..ApplyOptions::new(Limits {
                per_broker: 2,
                cluster: 4,
            })
        },
        ..HealRound::new(policy())
    }
}

fn at(seconds: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(seconds)
}

fn rack_of(broker: i32) -> &'static str {
    RACKS[broker as usize - 1]
}

/// Every partition of `topic` has one replica in each rack.
fn spread_over_racks(fake: &FakeCluster, topic: &str, partitions: i32) -> bool {
    (0..partitions).all(|p| {
        let replicas = fake.replicas(topic, p).expect("partition");
        let mut racks: Vec<&str> = replicas.iter().map(|&b| rack_of(b)).collect();
        racks.sort_unstable();
        racks == ["az1", "az2", "az3"]
    })
}

fn run(
    round: &HealRound,
    fake: &mut FakeCluster,
    state: &mut DeadSince,
    now: SystemTime,
) -> RoundReport {
    round
        .run(fake, state, now, &mut |_| {})
        .expect("the round runs")
}

#[test]
fn a_round_plans_and_applies_the_moves_that_restore_the_spread() {
    let mut fake = cluster();
    // Two replicas in az1 each, none in az3.
    fake.add_topic("t", &[vec![1, 2, 3], vec![2, 1, 4]], 300);
    let mut state = DeadSince::default();

    let planned = run(&healing(false), &mut fake, &mut state, at(1000));
    assert_eq!(planned.status, Status::Planned);
    assert_eq!(planned.violations, 2, "{planned:?}");
    assert_eq!(planned.moves.len(), 2);
    assert!(fake.submitted.is_empty(), "planning submits nothing");

    let healed = run(&healing(true), &mut fake, &mut state, at(1001));
    assert_eq!(healed.status, Status::Healed, "{healed:?}");
    assert_eq!(healed.applied, 2);
    assert!(spread_over_racks(&fake, "t", 2));
    for (p, m) in healed.moves.iter().enumerate() {
        let kept = fake.replicas("t", p as i32).expect("partition");
        assert_eq!(kept, m.target.as_slice());
    }
    // Each partition keeps two of its replicas: one move of one replica each.
    for (p, before) in [[1, 2, 3], [2, 1, 4]].iter().enumerate() {
        let after = fake.replicas("t", p as i32).expect("partition");
        assert_eq!(before.iter().filter(|b| after.contains(b)).count(), 2);
    }

    let again = run(&healing(true), &mut fake, &mut state, at(1002));
    assert_eq!(again.status, Status::Healthy);
    assert!(again.moves.is_empty());
}

#[test]
fn a_dead_broker_within_its_grace_period_moves_nothing_then_is_healed() {
    let mut fake = cluster();
    fake.add_topic("t", &[vec![1, 3, 5]], 300);
    fake.set_alive(5, false);
    let round = healing(true);
    let mut state = DeadSince::default();

    let waiting = run(&round, &mut fake, &mut state, at(1000));
    assert_eq!(waiting.status, Status::Waiting, "{waiting:?}");
    assert!(waiting.moves.is_empty());
    let reason = waiting.reason.as_deref().unwrap_or_default();
    assert!(reason.contains("grace") && reason.contains('5'), "{reason}");
    assert!(fake.submitted.is_empty());
    assert_eq!(
        state.brokers.get(&5),
        Some(&1000),
        "first seen down at 1000"
    );

    // Still within the grace period: the first sighting counts, not the latest.
    let waiting = run(&round, &mut fake, &mut state, at(1599));
    assert_eq!(waiting.status, Status::Waiting);
    assert!(fake.submitted.is_empty());

    let healed = run(&round, &mut fake, &mut state, at(1600));
    assert_eq!(healed.status, Status::Healed, "{healed:?}");
    let replicas = fake.replicas("t", 0).expect("partition");
    assert!(!replicas.contains(&5), "{replicas:?}");
    assert!(
        replicas.contains(&6),
        "az3's live broker takes the copy: {replicas:?}"
    );
}

#[test]
fn a_rack_wholly_down_is_an_outage_and_the_round_waits() {
    let mut fake = cluster();
    fake.add_topic("t", &[vec![1, 3, 5]], 300);
    fake.set_alive(5, false);
    fake.set_alive(6, false);
    let mut state = DeadSince::default();
    // Long after the grace period: the outage alone holds the round back.
    state.brokers.insert(5, 0);
    state.brokers.insert(6, 0);

    let waiting = run(&healing(true), &mut fake, &mut state, at(100_000));
    assert_eq!(waiting.status, Status::Waiting, "{waiting:?}");
    let reason = waiting.reason.as_deref().unwrap_or_default();
    assert!(
        reason.contains("domain outage") && reason.contains("rack=az3"),
        "{reason}"
    );
    assert!(fake.submitted.is_empty());
}

#[test]
fn a_reassignment_in_flight_holds_the_round_back() {
    let mut fake = cluster();
    fake.add_topic("t", &[vec![1, 2, 3]], 300);
    fake.add_topic("other", &[vec![1, 3, 5]], 300);
    // Someone else's reassignment, stuck on its destination.
    fake.stuck.insert(6);
    let refused = crate::cluster_admin::ClusterAdmin::alter_reassignments(
        &mut fake,
        &[crate::admin::ReassignmentRequest {
            topic: "other".into(),
            partition: 0,
            replicas: Some(vec![1, 3, 6]),
        }],
    )
    .expect("submitted");
    assert!(refused.is_empty());
    let submitted = fake.submitted.len();

    let waiting = run(&healing(true), &mut fake, &mut state(), at(1000));
    assert_eq!(waiting.status, Status::Waiting, "{waiting:?}");
    assert_eq!(waiting.reason.as_deref(), Some("1 reassignments in flight"));
    assert_eq!(fake.submitted.len(), submitted, "nothing new submitted");
}

fn state() -> DeadSince {
    DeadSince::default()
}

#[test]
fn a_capped_round_takes_the_most_urgent_partition_first() {
    let mut fake = cluster();
    // Partition 0 is merely misplaced; partition 1 has a replica on a long-dead broker, so it
    // is at its min ISR of 2: it goes first.
    fake.add_topic("t", &[vec![1, 2, 3], vec![1, 3, 5]], 300);
    fake.set_topic_config("t", "min.insync.replicas", "2");
    fake.set_alive(5, false);
    let mut state = state();
    state.brokers.insert(5, 0);
    let round = HealRound {
        max_moves: 1,
        ..healing(true)
    };

    let partial = run(&round, &mut fake, &mut state, at(100_000));
    assert_eq!(partial.status, Status::Partial, "{partial:?}");
    assert_eq!(partial.moves.len(), 1);
    assert_eq!(partial.moves[0].partition, 1, "{partial:?}");
    assert_eq!(
        partial.reason.as_deref(),
        Some("2 moves planned, 1 this round")
    );
    assert_eq!(
        fake.replicas("t", 0),
        Some(&[1, 2, 3][..]),
        "left for later"
    );
}

/// Records what it was asked to save.
#[derive(Default)]
struct Recorder {
    saved: Vec<DeadSince>,
}

impl StateStore for Recorder {
    type Error = String;

    fn load(&mut self) -> Result<DeadSince, String> {
        let mut state = DeadSince::default();
        state.brokers.insert(5, 1000);
        Ok(state)
    }

    fn save(&mut self, state: &DeadSince) -> Result<(), String> {
        self.saved.push(state.clone());
        Ok(())
    }
}

#[test]
fn a_healer_starts_from_its_store_and_saves_after_every_round_failed_ones_too() {
    let mut fake = cluster();
    fake.add_topic("t", &[vec![1, 3, 5]], 300);
    fake.set_alive(5, false);
    fake.set_alive(2, false);
    let mut healer = Healer::new(healing(false), Recorder::default()).expect("loads");

    let report = healer
        .round(&mut fake, at(1200), &mut |_| {})
        .expect("saved")
        .expect("the round runs");
    assert_eq!(
        report.status,
        Status::Waiting,
        "broker 2 is in its grace period"
    );
    assert_eq!(
        healer.store().saved.last().map(|s| s.brokers.clone()),
        Some([(2, 1200), (5, 1000)].into())
    );

    // A policy the live cluster does not fit (racks its pattern cannot read): the round
    // fails, the state is saved all the same.
    let mut failing = Healer::new(
        HealRound {
            policy: kplace_placement::parse::parse_policy(
                "rack_pattern: '^(?P<zone>[^/]+)/(?P<cluster>[^/]+)$'\nrules:\n  - topics: '.*'\n    spread:\n      zone: even\n",
                "policy",
            )
            .expect("policy"),
            ..healing(false)
        },
        Recorder::default(),
    )
    .expect("loads");
    let outcome = failing
        .round(&mut fake, at(1300), &mut |_| {})
        .expect("saved");
    assert!(matches!(outcome, Err(HealError::Model(_))), "{outcome:?}");
    assert_eq!(failing.store().saved.len(), 1);
    assert_eq!(failing.state().brokers.get(&2), Some(&1300));
}

#[test]
fn an_in_memory_healer_carries_the_state_from_round_to_round() {
    let mut fake = cluster();
    fake.add_topic("t", &[vec![1, 3, 5]], 300);
    fake.set_alive(5, false);
    let mut healer = Healer::new(healing(true), InMemory).unwrap_or_else(|e| match e {});
    let mut round = |now| {
        healer
            .round(&mut fake, at(now), &mut |_| {})
            .unwrap_or_else(|e| match e {})
            .expect("the round runs")
            .status
    };
    assert_eq!(round(1000), Status::Waiting);
    assert_eq!(round(1300), Status::Waiting);
    assert_eq!(round(1600), Status::Healed);
}

#[test]
fn a_capacity_file_that_does_not_fit_the_cluster_fails_the_round_before_any_move() {
    let mut fake = cluster();
    fake.add_topic("t", &[vec![1, 2, 3]], 300);
    let file = kplace_placement::capacity_file::parse_capacity_file(
        "brokers:\n  - id: 99\n    disk_bytes: 1000000\n",
        "capacity.yaml",
    )
    .expect("parses");
    let round = HealRound {
        capacities: Some(file),
        ..healing(true)
    };
    let error = round
        .run(&mut fake, &mut state(), at(1000), &mut |_| {})
        .expect_err("broker 99 is not in the cluster");
    assert!(
        matches!(&error, HealError::Capacity(_)) && error.to_string().contains("broker 99"),
        "{error}"
    );
    assert!(fake.submitted.is_empty(), "nothing submitted");
}

#[test]
fn with_sampling_a_round_sees_network_load_and_heals_what_exceeds_capacity() {
    let mut fake = cluster();
    // Two partitions on brokers 1, 3, 5 (spread holds), 500 B/s each: 1000 B/s into each of
    // them against a capacity of 700 (the capacity goal keeps loads under 80% of it: 560).
    fake.add_topic("t", &[vec![1, 3, 5], vec![3, 5, 1]], 300);
    for p in 0..2 {
        fake.produce_rates.insert(("t".to_string(), p), 500.0);
    }
    let file = kplace_placement::capacity_file::parse_capacity_file(
        "default:\n  network_in_bytes_per_second: 700\n",
        "capacity.yaml",
    )
    .expect("parses");
    let unsampled = HealRound {
        capacities: Some(file.clone()),
        ..healing(true)
    };
    let blind = run(&unsampled, &mut fake, &mut state(), at(1000));
    assert_eq!(blind.status, Status::Healthy, "no load seen: {blind:?}");
    assert!(fake.submitted.is_empty());

    let sampled = HealRound {
        sample: Some(crate::sampling::SampleOptions {
            window: Duration::from_secs(60),
            samples: 1,
            statistic: crate::rates::Statistic::Mean,
        }),
        ..unsampled
    };
    let healed = run(&sampled, &mut fake, &mut state(), at(1001));
    assert_eq!(healed.status, Status::Healed, "{healed:?}");
    assert!(healed.violations > 0 && healed.applied >= 1, "{healed:?}");
    let plan = healed.plan.as_ref().expect("a plan");
    let capacity = plan
        .goals
        .iter()
        .find(|g| g.name == "capacity")
        .expect("capacity goal");
    let unchecked = capacity
        .skipped
        .as_ref()
        .map_or(&[][..], |s| &s.resources[..]);
    assert!(!unchecked.iter().any(|r| r == "network-in"), "{capacity:?}");
    // No broker receives more than its capacity: the partitions no longer share all brokers.
    let mut inflow = std::collections::BTreeMap::<i32, f64>::new();
    for p in 0..2 {
        for &broker in fake.replicas("t", p).expect("partition").iter() {
            *inflow.entry(broker).or_default() += 500.0;
        }
    }
    assert!(inflow.values().all(|&bytes| bytes <= 560.0), "{inflow:?}");
    assert!(spread_over_racks(&fake, "t", 2));
    let again = run(&sampled, &mut fake, &mut state(), at(1002));
    assert_eq!(again.status, Status::Healthy, "{again:?}");
}
