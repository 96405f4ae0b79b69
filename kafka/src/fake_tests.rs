//! The apply engine, cancel and throttle bookkeeping against the in-memory cluster: other
//! operators' throttles survive, kplace's go on every way out, leftovers are taken over, stalls
//! and timeouts are named, and no move is submitted twice.

use std::time::Duration;

use crate::apply::{apply, ApplyEvent, ApplyOptions};
use crate::batching::Limits;
use crate::broker_configs::BrokerScope;
use crate::cancel::{cancel, ThrottleRemoval};
use crate::cluster_admin::ClusterAdmin;
use crate::error::KafkaError;
use crate::fake::FakeCluster;
use crate::owned_throttles::OwnedThrottles;
use crate::reassignment_json::Move;
use crate::throttle::{
    ThrottledMove, FOLLOWER_RATE, FOLLOWER_REPLICAS, LEADER_RATE, LEADER_REPLICAS,
};

fn options(throttle: Option<u64>) -> ApplyOptions {
    ApplyOptions {
        throttle,
        poll_interval: Duration::ZERO,
        settle: Duration::ZERO,
        ..ApplyOptions::new(Limits {
            per_broker: 2,
            cluster: 4,
        })
    }
}

/// A topic "t" of `n` partitions on brokers 1, 2, each moving to 1, 3.
fn cluster(n: usize) -> (FakeCluster, Vec<Move>) {
    let mut fake = FakeCluster::new(6, 100);
    fake.add_topic("t", &vec![vec![1, 2]; n], 300);
    let moves = (0..n as i32)
        .map(|p| Move {
            topic: "t".into(),
            partition: p,
            target: vec![1, 3],
        })
        .collect();
    (fake, moves)
}

fn no_kplace_configs(fake: &FakeCluster) {
    assert!(OwnedThrottles::load(&mut fake.clone()).unwrap().is_empty());
}

#[test]
fn an_apply_restores_another_operators_throttles() {
    let (mut fake, moves) = cluster(6);
    fake.set_topic_config("t", LEADER_REPLICAS, "5:9");
    fake.set_broker_config(BrokerScope::Broker(1), LEADER_RATE, "777");
    let report = apply(&mut fake, &moves, &options(Some(1000)), &mut |_| {}).unwrap();
    assert_eq!(report.done, 6);
    assert_eq!(fake.topic_config("t", LEADER_REPLICAS), Some("5:9"));
    assert_eq!(fake.topic_config("t", FOLLOWER_REPLICAS), None);
    assert_eq!(
        fake.broker_config(BrokerScope::Broker(1), LEADER_RATE),
        Some("777")
    );
    for b in 2..=3 {
        assert_eq!(
            fake.broker_config(BrokerScope::Broker(b), LEADER_RATE),
            None
        );
        assert_eq!(
            fake.broker_config(BrokerScope::Broker(b), FOLLOWER_RATE),
            None
        );
    }
    no_kplace_configs(&fake);
    let mut sorted = fake.submitted.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(
        sorted.len(),
        fake.submitted.len(),
        "a move was submitted twice"
    );
}

#[test]
fn throttles_hold_while_moves_run_and_only_for_those_in_flight() {
    let (mut fake, moves) = cluster(8);
    let mut seen = Vec::new();
    let mut opts = options(Some(1000));
    opts.wait = false;
    apply(&mut fake, &moves, &opts, &mut |_| {}).unwrap();
    // --no-wait leaves the submitted moves throttled, and the ledger says so.
    let follower = fake
        .topic_config("t", FOLLOWER_REPLICAS)
        .unwrap_or("")
        .to_string();
    seen.push(follower.clone());
    assert_eq!(
        follower.split(',').count(),
        2,
        "per_broker 2 on broker 2 and 3: {follower}"
    );
    // Each broker gets the rate of its role: 1 and 2 send (leader side), 3 receives.
    let rates = |b: i32| {
        (
            fake.broker_config(BrokerScope::Broker(b), LEADER_RATE),
            fake.broker_config(BrokerScope::Broker(b), FOLLOWER_RATE),
        )
    };
    assert_eq!(rates(3), (None, Some("1000")), "broker 3 only receives");
    assert_eq!(rates(1), (Some("1000"), None), "broker 1 only sends");
    assert_eq!(rates(2), (Some("1000"), None), "broker 2 only sends");
    assert_eq!(rates(4), (None, None), "broker 4 takes no part");
    assert!(!OwnedThrottles::load(&mut fake.clone()).unwrap().is_empty());
    // A later apply takes the throttles over, keeps lists to what is in flight, removes them.
    apply(&mut fake, &moves, &options(Some(1000)), &mut |_| {}).unwrap();
    assert!(
        fake.longest_throttle_list <= 2 * 2,
        "lists sized by moves in flight: {}",
        fake.longest_throttle_list
    );
    assert_eq!(fake.topic_config("t", FOLLOWER_REPLICAS), None);
    no_kplace_configs(&fake);
}

#[test]
fn a_stop_request_removes_kplaces_throttles_and_names_the_signal() {
    let (mut fake, moves) = cluster(4);
    fake.copy_per_look = 1;
    fake.set_topic_config("t", FOLLOWER_REPLICAS, "7:7");
    let opts = options(Some(1000));
    let stop = opts.stop.clone();
    let mut rounds = 0;
    let error = apply(&mut fake, &moves, &opts, &mut |_| {
        rounds += 1;
        if rounds == 3 {
            stop.request(15);
        }
    })
    .unwrap_err();
    assert!(
        matches!(error, KafkaError::Stopped { signal: 15, .. }),
        "{error}"
    );
    assert!(error.to_string().contains("SIGTERM"), "{error}");
    assert_eq!(fake.topic_config("t", FOLLOWER_REPLICAS), Some("7:7"));
    assert_eq!(fake.topic_config("t", LEADER_REPLICAS), None);
    assert_eq!(
        fake.broker_config(BrokerScope::Broker(3), FOLLOWER_RATE),
        None
    );
    no_kplace_configs(&fake);
}

#[test]
fn a_stalled_move_is_named_with_its_broker_and_leaves_no_throttle() {
    let (mut fake, moves) = cluster(1);
    fake.stuck.insert(3);
    let mut opts = options(Some(1000));
    opts.stall_timeout = Duration::from_millis(300);
    opts.poll_interval = Duration::from_millis(50);
    let error = apply(&mut fake, &moves, &opts, &mut |_| {}).unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, KafkaError::Timeout(_)), "{message}");
    assert!(message.contains("t-0 (adding broker 3"), "{message}");
    assert!(message.contains("brokers receiving them: 3"), "{message}");
    assert_eq!(fake.topic_config("t", LEADER_REPLICAS), None);
    no_kplace_configs(&fake);
}

#[test]
fn the_timeout_bounds_an_apply_that_progresses_slowly() {
    let (mut fake, moves) = cluster(2);
    fake.copy_per_look = 1;
    let mut opts = options(None);
    opts.timeout = Some(Duration::from_millis(200));
    opts.poll_interval = Duration::from_millis(20);
    let error = apply(&mut fake, &moves, &opts, &mut |_| {}).unwrap_err();
    assert!(error.to_string().contains("--timeout"), "{error}");
    assert!(error.to_string().contains("t-0"), "{error}");
}

#[test]
fn an_error_mid_apply_removes_kplaces_throttles() {
    let (mut fake, moves) = cluster(4);
    fake.copy_per_look = 10;
    let mut rounds = 0;
    let mut broken = fake.clone();
    // Broker 3 dies after the first round: apply fails, naming it, and still cleans up.
    let error = {
        let mut on_event = |_: &crate::apply::ApplyEvent| rounds += 1;
        let mut opts = options(Some(1000));
        opts.wait = false;
        apply(&mut broken, &moves, &opts, &mut on_event).unwrap();
        broken.set_alive(3, false);
        apply(&mut broken, &moves, &options(Some(1000)), &mut on_event).unwrap_err()
    };
    assert!(matches!(error, KafkaError::BrokerDown(_)), "{error}");
    // Broker 3's own rate cannot be removed while it is down: the ledger keeps it for later.
    let left = OwnedThrottles::load(&mut broken.clone()).unwrap();
    assert!(left.ledger().topics.is_empty(), "{:?}", left.ledger());
    assert_eq!(
        left.ledger().brokers.keys().copied().collect::<Vec<_>>(),
        vec![3]
    );
    assert_eq!(broken.topic_config("t", LEADER_REPLICAS), None);
    broken.set_alive(3, true);
    crate::owned_throttles::remove_leftover_throttles(&mut broken).unwrap();
    assert_eq!(
        broken.broker_config(BrokerScope::Broker(3), FOLLOWER_RATE),
        None
    );
    no_kplace_configs(&broken);
}

#[test]
fn cancel_removes_only_kplaces_throttles_unless_told_all() {
    let (mut fake, moves) = cluster(4);
    fake.copy_per_look = 1;
    fake.set_topic_config("t", LEADER_REPLICAS, "9:9");
    fake.set_broker_config(BrokerScope::Broker(5), LEADER_RATE, "555");
    let mut opts = options(Some(1000));
    opts.wait = false;
    apply(&mut fake, &moves, &opts, &mut |_| {}).unwrap();
    let mut kept = fake.clone();
    cancel(
        &mut kept,
        None,
        Duration::from_secs(5),
        ThrottleRemoval::KplaceOnly,
    )
    .unwrap();
    assert_eq!(kept.topic_config("t", LEADER_REPLICAS), Some("9:9"));
    assert_eq!(
        kept.broker_config(BrokerScope::Broker(5), LEADER_RATE),
        Some("555")
    );
    assert_eq!(
        kept.broker_config(BrokerScope::Broker(3), FOLLOWER_RATE),
        None
    );
    assert_eq!(kept.replicas("t", 0), Some(&[1, 2][..]), "rolled back");
    no_kplace_configs(&kept);
    cancel(
        &mut fake,
        None,
        Duration::from_secs(5),
        ThrottleRemoval::All,
    )
    .unwrap();
    assert_eq!(fake.topic_config("t", LEADER_REPLICAS), None);
    assert_eq!(
        fake.broker_config(BrokerScope::Broker(5), LEADER_RATE),
        None
    );
}

#[test]
fn a_rate_kplace_set_and_someone_changed_is_theirs() {
    let (mut fake, _) = cluster(1);
    let mut owned = OwnedThrottles::load(&mut fake).unwrap();
    let m = ThrottledMove {
        topic: "t".into(),
        partition: 0,
        current: vec![1, 2],
        target: vec![1, 3],
    };
    owned.sync(&mut fake, &[m], Some(1000)).unwrap();
    fake.set_broker_config(BrokerScope::Broker(2), LEADER_RATE, "4242");
    owned.remove_all(&mut fake).unwrap();
    assert_eq!(
        fake.broker_config(BrokerScope::Broker(2), LEADER_RATE),
        Some("4242")
    );
    assert_eq!(
        fake.broker_config(BrokerScope::Broker(2), FOLLOWER_RATE),
        None
    );
    no_kplace_configs(&fake);
}

#[test]
fn a_stop_lets_the_moves_in_flight_finish_and_submits_nothing_more() {
    let (mut fake, moves) = cluster(4);
    let opts = options(Some(1000));
    let stop = opts.stop.clone();
    let mut stopping = 0;
    let error = apply(&mut fake, &moves, &opts, &mut |event| match event {
        ApplyEvent::Submitted(_) => stop.request(2),
        ApplyEvent::Stopping { cancelling, .. } => {
            assert!(!cancelling);
            stopping += 1;
        }
        _ => {}
    })
    .unwrap_err();
    assert!(
        matches!(error, KafkaError::Stopped { signal: 2, .. }),
        "{error}"
    );
    assert!(error.to_string().contains("let finish"), "{error}");
    assert_eq!(stopping, 1, "the stop is announced once");
    // Broker 2 and 3 take part in every move, two at a time: the first batch finished, the
    // others were never submitted.
    assert_eq!(fake.submitted.len(), 2, "{:?}", fake.submitted);
    for (topic, partition) in &fake.submitted {
        assert_eq!(fake.replicas(topic, *partition), Some(&[1, 3][..]));
    }
    assert!(fake.reassignments().unwrap().is_empty());
    no_kplace_configs(&fake);
}

#[test]
fn cancel_on_stop_rolls_back_the_moves_in_flight() {
    let (mut fake, moves) = cluster(4);
    let mut opts = options(Some(1000));
    opts.cancel_on_stop = true;
    let stop = opts.stop.clone();
    let error = apply(&mut fake, &moves, &opts, &mut |event| {
        if let ApplyEvent::Submitted(_) = event {
            stop.request(15);
        }
    })
    .unwrap_err();
    assert!(
        matches!(error, KafkaError::Stopped { signal: 15, .. }),
        "{error}"
    );
    assert!(
        error
            .to_string()
            .contains("2 moves that were in flight cancelled"),
        "{error}"
    );
    assert!(fake.reassignments().unwrap().is_empty());
    for p in 0..4 {
        assert_eq!(fake.replicas("t", p), Some(&[1, 2][..]));
    }
    no_kplace_configs(&fake);
}

#[test]
fn a_broker_down_elsewhere_halves_the_pace_holds_and_recovers() {
    let (mut fake, moves) = cluster(12);
    // Broker 6 takes part in no move; its partition falls out of sync while it is down.
    fake.add_topic("other", &[vec![5, 6]], 10);
    fake.copy_per_look = 30;
    fake.outage = Some((6, 3, 12));
    let mut opts = options(Some(1000));
    opts.limits = Limits {
        per_broker: 4,
        cluster: 4,
    };
    opts.pace.step = Duration::ZERO;
    let mut changes = Vec::new();
    let mut submitted_while_held = 0;
    let mut holding = false;
    let report = apply(&mut fake, &moves, &opts, &mut |event| match event {
        ApplyEvent::Pace(change) => {
            holding = change.holding;
            changes.push(change.clone());
        }
        ApplyEvent::Submitted(_) if holding => submitted_while_held += 1,
        _ => {}
    })
    .unwrap();
    assert_eq!(report.done, 12);
    assert_eq!(submitted_while_held, 0);
    let first = changes.first().expect("a change of pace");
    assert!(first.holding);
    assert_eq!(first.from, opts.limits);
    assert_eq!((first.to.per_broker, first.to.cluster), (2, 2));
    assert!(first.reason.contains("other-0"), "{}", first.reason);
    let resumed = changes
        .iter()
        .position(|c| !c.holding)
        .expect("submissions resume once broker 6 is back");
    assert!(
        changes[resumed..].iter().any(|c| c.to == opts.limits),
        "back to the limits: {changes:?}"
    );
    no_kplace_configs(&fake);
}

#[test]
fn partitions_already_under_replicated_at_the_start_do_not_hold_the_apply() {
    // Broker 2 is dead from the start: every partition of "t" is under-replicated, and the moves
    // repairing them must go on.
    let (mut fake, moves) = cluster(4);
    fake.set_alive(2, false);
    let mut changes = 0;
    let report = apply(&mut fake, &moves, &options(None), &mut |event| {
        if let ApplyEvent::Pace(_) = event {
            changes += 1;
        }
    })
    .unwrap();
    assert_eq!(report.done, 4);
    assert_eq!(
        changes, 0,
        "no change of pace for trouble that was there before"
    );
}

#[test]
fn a_full_re_placement_is_staged_and_a_re_run_resumes_at_its_stage() {
    let mut fake = FakeCluster::new(12, 100);
    fake.add_topic("t", &vec![vec![1, 2, 3, 4, 5, 6]; 3], 300);
    let target = vec![7, 8, 9, 10, 11, 12];
    let moves: Vec<Move> = (0..3)
        .map(|p| Move {
            topic: "t".into(),
            partition: p,
            target: target.clone(),
        })
        .collect();
    // A first run submits the first stages and goes away (as a killed apply would).
    let first = apply(
        &mut fake,
        &moves,
        &ApplyOptions {
            wait: false,
            ..options(None)
        },
        &mut |_| {},
    )
    .unwrap();
    assert!(first.in_flight > 0, "{first:?}");
    let submitted_first = fake.submitted_replicas.len();
    assert!(fake.submitted_replicas.iter().all(|(_, _, r)| r.len() == 6));
    let report = apply(&mut fake, &moves, &options(None), &mut |_| {}).unwrap();
    assert_eq!(report.done, 3, "{report:?}");
    assert_eq!(report.already_in_flight, first.in_flight);
    for p in 0..3 {
        assert_eq!(fake.replicas("t", p), Some(&target[..]));
        let stages: Vec<&Vec<i32>> = fake
            .submitted_replicas
            .iter()
            .filter(|(_, q, _)| *q == p)
            .map(|(_, _, r)| r)
            .collect();
        assert_eq!(stages.len(), 6, "one submission per stage: {stages:?}");
        let distinct: std::collections::BTreeSet<_> = stages.iter().collect();
        assert_eq!(distinct.len(), 6, "no stage twice: {stages:?}");
    }
    assert!(fake.submitted_replicas.len() > submitted_first);
    assert_eq!(fake.most_replicas, 7, "RF 6 + stage size 1");

    // Stage size 6: one reassignment per partition, twelve replicas at once.
    let mut fake = FakeCluster::new(12, 100);
    fake.add_topic("t", &vec![vec![1, 2, 3, 4, 5, 6]; 3], 300);
    let wide = ApplyOptions {
        schedule: crate::schedule::Schedule {
            stage_size: 6,
            ..Default::default()
        },
        ..options(None)
    };
    apply(&mut fake, &moves, &wide, &mut |_| {}).unwrap();
    assert_eq!(fake.submitted_replicas.len(), 3);
    assert_eq!(fake.most_replicas, 12);
}

#[test]
fn a_dry_run_shows_every_stage_and_a_dead_brokers_partition_first() {
    let mut fake = FakeCluster::new(13, 100);
    fake.add_topic("balance", &[vec![1, 2, 3, 4, 5, 6]], 300);
    fake.add_topic("dead", &[vec![1, 2, 13]], 300);
    fake.set_alive(13, false);
    let moves = vec![
        Move {
            topic: "balance".into(),
            partition: 0,
            target: vec![7, 8, 9, 10, 11, 12],
        },
        Move {
            topic: "dead".into(),
            partition: 0,
            target: vec![1, 2, 3],
        },
    ];
    let limits = Limits {
        per_broker: 5,
        cluster: 1,
    };
    let batches =
        crate::apply::dry_run_batches(&mut fake, &moves, &ApplyOptions::new(limits)).unwrap();
    let seen: Vec<(String, usize, usize)> = batches
        .iter()
        .flatten()
        .map(|d| (d.stage_move.topic.clone(), d.stage, d.stages))
        .collect();
    let mut expected = vec![("dead".to_string(), 1, 1)];
    expected.extend((1..=6).map(|k| ("balance".to_string(), k, 6)));
    assert_eq!(seen, expected);
    assert_eq!(
        batches.last().unwrap()[0].stage_move.target,
        vec![7, 8, 9, 10, 11, 12]
    );
    assert!(fake.submitted.is_empty(), "a dry run submits nothing");
}
