//! Applying moves to a live cluster through AlterPartitionReassignments, in batches that respect
//! [`batching`](crate::batching)'s limits, optionally throttled, followed until done, then a
//! preferred-leader election where the leader should change.
//!
//! The engine keeps no state of its own: every round it reads Kafka's (current replicas,
//! ListPartitionReassignments), so re-running the same apply after a crash or Ctrl-C continues
//! where Kafka is: a move already done is not redone, a move in flight is not submitted again.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use kplace_placement::snapshot::InFlightReassignment;

use crate::admin::{self, PartitionInfo, ReassignmentRequest, RESOURCE_BROKER, RESOURCE_TOPIC};
use crate::batching::{next_batch, Limits, MoveShape};
use crate::client::KafkaClient;
use crate::error::{KafkaError, Result};
use crate::reassignment_json::Move;
use crate::snapshot::MIN_INSYNC_REPLICAS;
use crate::throttle::{self, ThrottledMove};

/// How an apply runs.
#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// Concurrency limits.
    pub limits: Limits,
    /// Replication throttle in bytes per second, set while moves run and removed after.
    pub throttle: Option<u64>,
    /// Follow the moves until all are done (otherwise return after submitting one round).
    pub wait: bool,
    /// Time between two looks at Kafka's state.
    pub poll_interval: Duration,
}

/// Where one move stands, from Kafka's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoveState {
    /// The partition's replicas are the target.
    Done,
    /// Kafka is carrying out this move.
    InFlight,
    /// Not started.
    Pending,
}

/// Progress reported to the caller while applying.
#[derive(Debug, Clone)]
pub enum ApplyEvent {
    /// Moves were submitted to Kafka.
    Submitted(Vec<Move>),
    /// A look at Kafka's state.
    Progress {
        /// Moves done.
        done: usize,
        /// Moves Kafka is carrying out.
        in_flight: usize,
        /// Moves not started.
        pending: usize,
        /// All moves.
        total: usize,
    },
    /// Preferred-leader elections were run for these partitions.
    Elected(Vec<(String, i32)>),
}

/// The outcome of an apply.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplyReport {
    /// All moves.
    pub total: usize,
    /// Moves already done when the apply started.
    pub already_done: usize,
    /// Moves already in flight when the apply started (continued, not resubmitted).
    pub already_in_flight: usize,
    /// Moves this run submitted.
    pub submitted: usize,
    /// Moves done at the end.
    pub done: usize,
    /// Moves in flight at the end (only without waiting).
    pub in_flight: usize,
    /// Moves not started at the end (only without waiting).
    pub pending: usize,
    /// Partitions whose preferred leader was elected.
    pub elected: Vec<(String, i32)>,
}

/// Checks `moves` against the cluster before anything is submitted: every partition exists and
/// every target broker is registered. Errors are bad input naming `source` and the partition.
pub fn validate(client: &mut KafkaClient, moves: &[Move], source: &str) -> Result<()> {
    let registered: BTreeSet<i32> = admin::describe_cluster(client)?
        .iter()
        .map(|b| b.id)
        .collect();
    let existing: BTreeMap<String, BTreeSet<i32>> = {
        let mut map: BTreeMap<String, BTreeSet<i32>> = BTreeMap::new();
        for p in admin::partitions(client, None)? {
            map.entry(p.topic).or_default().insert(p.partition);
        }
        map
    };
    for m in moves {
        let name = format!("{source}: partition {}-{}", m.topic, m.partition);
        match existing.get(&m.topic) {
            None => {
                return Err(KafkaError::Input(format!(
                    "{name} names unknown topic {}",
                    m.topic
                )))
            }
            Some(parts) if !parts.contains(&m.partition) => {
                return Err(KafkaError::Input(format!(
                    "{name}: topic {} has no partition {}",
                    m.topic, m.partition
                )))
            }
            Some(_) => {}
        }
        if let Some(b) = m.target.iter().find(|b| !registered.contains(b)) {
            return Err(KafkaError::Input(format!(
                "{name} names unknown broker {b}"
            )));
        }
    }
    Ok(())
}

/// Checks that every move not yet done or in flight starts from the replicas the plan was made
/// for (`expected[i]` for `moves[i]`): a plan made for another state of the cluster is bad input
/// naming `source` and the partition, and nothing is submitted.
pub fn check_plan_is_current(
    client: &mut KafkaClient,
    moves: &[Move],
    expected: &[Vec<i32>],
    source: &str,
) -> Result<()> {
    let observed = observe(client, &topics_of(moves))?;
    for (m, old) in moves.iter().zip(expected) {
        let key = (m.topic.clone(), m.partition);
        let current = observed.partitions.get(&key).ok_or_else(|| unknown(m))?;
        let state = classify(m, current, observed.in_flight.get(&key))?;
        if state == MoveState::Pending && current.replicas != *old {
            return Err(KafkaError::Input(format!(
                "{source}: partition {}-{} has replicas {:?} now, but the plan was made for {:?}: make a new plan",
                m.topic, m.partition, current.replicas, old
            )));
        }
    }
    Ok(())
}

/// The replicas Kafka is moving a partition to (its ongoing replica list without the replicas
/// being removed).
pub fn in_flight_target(reassignment: &InFlightReassignment) -> Vec<i32> {
    reassignment
        .replicas
        .iter()
        .filter(|b| !reassignment.removing_replicas.contains(b))
        .copied()
        .collect()
}

/// Where `m` stands given the partition's current state and the reassignment in flight, if any.
/// A reassignment in flight to another target is an error naming the partition.
pub fn classify(
    m: &Move,
    current: &PartitionInfo,
    in_flight: Option<&InFlightReassignment>,
) -> Result<MoveState> {
    if let Some(r) = in_flight {
        let target = in_flight_target(r);
        let same = |a: &[i32], b: &[i32]| {
            let (mut a, mut b) = (a.to_vec(), b.to_vec());
            a.sort_unstable();
            b.sort_unstable();
            a == b
        };
        if same(&target, &m.target) {
            return Ok(MoveState::InFlight);
        }
        return Err(KafkaError::Input(format!(
            "partition {}-{} is being reassigned to {:?}, not to {:?}: wait for it or run kplace cancel",
            m.topic, m.partition, target, m.target
        )));
    }
    Ok(if current.replicas == m.target {
        MoveState::Done
    } else {
        MoveState::Pending
    })
}

struct Observed {
    partitions: BTreeMap<(String, i32), PartitionInfo>,
    in_flight: BTreeMap<(String, i32), InFlightReassignment>,
    alive: BTreeSet<i32>,
    min_isr: BTreeMap<String, u32>,
}

/// Reads Kafka's state. Reassignments in flight are read before the replicas: a move that
/// completes in between is then seen in flight or done, never as not started.
fn observe(client: &mut KafkaClient, topics: &[String]) -> Result<Observed> {
    let in_flight = admin::list_reassignments(client)?
        .into_iter()
        .map(|r| ((r.topic.clone(), r.partition), r))
        .collect();
    let partitions = admin::partitions(client, Some(topics.to_vec()))?
        .into_iter()
        .map(|p| ((p.topic.clone(), p.partition), p))
        .collect();
    let alive = admin::describe_cluster(client)?
        .into_iter()
        .filter(|b| !b.fenced)
        .map(|b| b.id)
        .collect();
    let min_isr = admin::describe_configs(client, RESOURCE_TOPIC, topics, &[MIN_INSYNC_REPLICAS])?
        .into_iter()
        .filter_map(|(topic, entries)| {
            entries
                .get(MIN_INSYNC_REPLICAS)
                .and_then(|v| v.parse().ok())
                .map(|v| (topic, v))
        })
        .collect();
    Ok(Observed {
        partitions,
        in_flight,
        alive,
        min_isr,
    })
}

fn shape(m: &Move, observed: &Observed) -> MoveShape {
    let key = (m.topic.clone(), m.partition);
    let current = observed
        .partitions
        .get(&key)
        .map(|p| p.replicas.clone())
        .unwrap_or_default();
    let isr = observed
        .partitions
        .get(&key)
        .map(|p| p.isr.clone())
        .unwrap_or_default();
    MoveShape::of(
        &current,
        &m.target,
        &isr,
        observed.min_isr.get(&m.topic).copied().unwrap_or(1),
    )
}

/// The batches an apply would submit if every batch finished before the next: for `--dry-run`.
pub fn dry_run_batches(
    client: &mut KafkaClient,
    moves: &[Move],
    limits: Limits,
) -> Result<Vec<Vec<Move>>> {
    let topics = topics_of(moves);
    let observed = observe(client, &topics)?;
    let mut pending = Vec::new();
    let mut in_flight = Vec::new();
    for m in moves {
        let key = (m.topic.clone(), m.partition);
        let current = observed.partitions.get(&key).ok_or_else(|| unknown(m))?;
        match classify(m, current, observed.in_flight.get(&key))? {
            MoveState::Done => {}
            MoveState::InFlight => in_flight.push(shape(m, &observed)),
            MoveState::Pending => pending.push(m.clone()),
        }
    }
    let mut batches = Vec::new();
    let mut first = true;
    while !pending.is_empty() {
        let shapes: Vec<MoveShape> = pending.iter().map(|m| shape(m, &observed)).collect();
        let chosen = next_batch(if first { &in_flight } else { &[] }, &shapes, limits);
        first = false;
        if chosen.is_empty() {
            // Only possible in the first round, behind moves in flight: they finish first.
            continue;
        }
        let mut batch = Vec::new();
        for &i in chosen.iter().rev() {
            batch.push(pending.remove(i));
        }
        batch.reverse();
        batches.push(batch);
    }
    Ok(batches)
}

fn unknown(m: &Move) -> KafkaError {
    KafkaError::Input(format!(
        "partition {}-{} does not exist",
        m.topic, m.partition
    ))
}

fn topics_of(moves: &[Move]) -> Vec<String> {
    let set: BTreeSet<&str> = moves.iter().map(|m| m.topic.as_str()).collect();
    set.into_iter().map(String::from).collect()
}

/// Applies `moves`: submits them in batches, follows them (with `wait`), removes throttles and
/// elects preferred leaders when all are done. Call [`validate`] first.
pub fn apply(
    client: &mut KafkaClient,
    moves: &[Move],
    options: &ApplyOptions,
    on_event: &mut dyn FnMut(&ApplyEvent),
) -> Result<ApplyReport> {
    let topics = topics_of(moves);
    let mut report = ApplyReport {
        total: moves.len(),
        ..ApplyReport::default()
    };
    let mut first_round = true;
    let mut throttled: Vec<ThrottledMove> = Vec::new();
    loop {
        let observed = observe(client, &topics)?;
        let mut states = Vec::with_capacity(moves.len());
        for m in moves {
            let key = (m.topic.clone(), m.partition);
            let current = observed.partitions.get(&key).ok_or_else(|| unknown(m))?;
            let state =
                classify(m, current, observed.in_flight.get(&key)).map_err(|e| match e {
                    // Someone else's reassignment appearing mid-run is Kafka's state changing.
                    KafkaError::Input(message) if !first_round => KafkaError::BrokerDown(message),
                    other => other,
                })?;
            states.push(state);
        }
        let count = |s: MoveState| states.iter().filter(|&&x| x == s).count();
        if first_round {
            report.already_done = count(MoveState::Done);
            report.already_in_flight = count(MoveState::InFlight);
        }
        report.done = count(MoveState::Done);
        report.in_flight = count(MoveState::InFlight);
        report.pending = count(MoveState::Pending);
        on_event(&ApplyEvent::Progress {
            done: report.done,
            in_flight: report.in_flight,
            pending: report.pending,
            total: report.total,
        });
        if report.done == report.total {
            break;
        }

        let waiting_on_dead: Vec<String> = moves
            .iter()
            .zip(&states)
            .filter(|(_, s)| **s != MoveState::Done)
            .filter_map(|(m, _)| {
                let dead: Vec<i32> = m
                    .target
                    .iter()
                    .filter(|b| !observed.alive.contains(b))
                    .copied()
                    .collect();
                (!dead.is_empty())
                    .then(|| format!("{}-{} (needs broker {})", m.topic, m.partition, join(&dead)))
            })
            .collect();
        if !waiting_on_dead.is_empty() {
            return Err(KafkaError::BrokerDown(format!(
                "{} of {} moves wait on brokers that are down: {}; re-run apply once they are back (nothing is redone)",
                waiting_on_dead.len(),
                report.total - report.done,
                waiting_on_dead.iter().take(10).cloned().collect::<Vec<_>>().join(", ")
            )));
        }

        let in_flight_moves: Vec<&Move> = moves
            .iter()
            .zip(&states)
            .filter(|(_, s)| **s == MoveState::InFlight)
            .map(|(m, _)| m)
            .collect();
        let pending_moves: Vec<&Move> = moves
            .iter()
            .zip(&states)
            .filter(|(_, s)| **s == MoveState::Pending)
            .map(|(m, _)| m)
            .collect();
        let in_flight_shapes: Vec<MoveShape> = in_flight_moves
            .iter()
            .map(|m| shape(m, &observed))
            .collect();
        let pending_shapes: Vec<MoveShape> =
            pending_moves.iter().map(|m| shape(m, &observed)).collect();
        let batch: Vec<Move> = next_batch(&in_flight_shapes, &pending_shapes, options.limits)
            .into_iter()
            .map(|i| pending_moves[i].clone())
            .collect();

        if !batch.is_empty() || (first_round && !in_flight_moves.is_empty()) {
            // On the first round the throttle is (re)set for moves already in flight too, so a
            // re-run with another --throttle changes the rate.
            if let Some(rate) = options.throttle {
                throttled = in_flight_moves
                    .iter()
                    .copied()
                    .chain(&batch)
                    .map(|m| ThrottledMove {
                        topic: m.topic.clone(),
                        partition: m.partition,
                        current: observed.partitions[&(m.topic.clone(), m.partition)]
                            .replicas
                            .clone(),
                        target: m.target.clone(),
                    })
                    .chain(throttled.iter().cloned())
                    .fold(Vec::new(), |mut acc: Vec<ThrottledMove>, t| {
                        if !acc
                            .iter()
                            .any(|a| a.topic == t.topic && a.partition == t.partition)
                        {
                            acc.push(t);
                        }
                        acc
                    });
                set_throttles(client, &throttled, rate)?;
            }
        }
        let batch = if batch.is_empty() {
            batch
        } else {
            still_pending(client, &topics, batch)?
        };
        if !batch.is_empty() {
            let requests: Vec<ReassignmentRequest> = batch
                .iter()
                .map(|m| ReassignmentRequest {
                    topic: m.topic.clone(),
                    partition: m.partition,
                    replicas: Some(m.target.clone()),
                })
                .collect();
            let refused = admin::alter_reassignments(client, &requests)?;
            if let Some(first) = refused.into_iter().next() {
                return Err(first);
            }
            for m in &batch {
                tracing::info!(topic = %m.topic, partition = m.partition, target = ?m.target, "submitted");
            }
            report.submitted += batch.len();
            on_event(&ApplyEvent::Submitted(batch));
        }
        first_round = false;
        if !options.wait {
            let observed = observe(client, &topics)?;
            let mut done = 0;
            let mut in_flight = 0;
            for m in moves {
                let key = (m.topic.clone(), m.partition);
                if let Some(current) = observed.partitions.get(&key) {
                    match classify(m, current, observed.in_flight.get(&key)) {
                        Ok(MoveState::Done) => done += 1,
                        Ok(MoveState::InFlight) => in_flight += 1,
                        _ => {}
                    }
                }
            }
            report.done = done;
            report.in_flight = in_flight;
            report.pending = report.total - done - in_flight;
            if report.done < report.total {
                return Ok(report);
            }
            break;
        }
        std::thread::sleep(options.poll_interval);
    }

    remove_throttles(client, moves)?;
    let observed = observe(client, &topics)?;
    let to_elect: Vec<(String, i32)> = moves
        .iter()
        .filter(|m| {
            let leader = observed
                .partitions
                .get(&(m.topic.clone(), m.partition))
                .map(|p| p.leader);
            m.target.first().copied() != leader
        })
        .map(|m| (m.topic.clone(), m.partition))
        .collect();
    if !to_elect.is_empty() {
        let failed = admin::elect_preferred_leaders(client, &to_elect)?;
        if let Some(first) = failed.into_iter().next() {
            return Err(first);
        }
        on_event(&ApplyEvent::Elected(to_elect.clone()));
    }
    report.elected = to_elect;
    Ok(report)
}

/// How long brokers' metadata may lag behind the controller's when a move completes.
const METADATA_SETTLE: Duration = Duration::from_millis(1500);

/// Keeps the moves of `batch` that are still not started after the brokers' metadata has had
/// time to settle: a broker's metadata cache lags the controller's, so a move that just
/// completed can look not started for a moment. Submitting it again would be harmless to Kafka
/// (same target), but kplace promises never to submit a move twice.
fn still_pending(
    client: &mut KafkaClient,
    topics: &[String],
    batch: Vec<Move>,
) -> Result<Vec<Move>> {
    std::thread::sleep(METADATA_SETTLE);
    let observed = observe(client, topics)?;
    let mut out = Vec::with_capacity(batch.len());
    for m in batch {
        let key = (m.topic.clone(), m.partition);
        let current = observed.partitions.get(&key).ok_or_else(|| unknown(&m))?;
        if classify(&m, current, observed.in_flight.get(&key))? == MoveState::Pending {
            out.push(m);
        }
    }
    Ok(out)
}

fn join(ids: &[i32]) -> String {
    ids.iter()
        .map(|b| b.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn set_throttles(client: &mut KafkaClient, moves: &[ThrottledMove], rate: u64) -> Result<()> {
    admin::alter_configs(client, RESOURCE_TOPIC, &throttle::topic_throttles(moves))?;
    let brokers: BTreeMap<String, _> = throttle::throttled_brokers(moves)
        .into_iter()
        .map(|b| (b.to_string(), throttle::rate_changes(rate)))
        .collect();
    admin::alter_configs(client, RESOURCE_BROKER, &brokers)
}

/// Removes the throttles of the moves' topics and of the brokers taking part.
pub fn remove_throttles(client: &mut KafkaClient, moves: &[Move]) -> Result<()> {
    let topics: BTreeMap<String, _> = topics_of(moves)
        .into_iter()
        .map(|t| (t, throttle::topic_removals()))
        .collect();
    admin::alter_configs(client, RESOURCE_TOPIC, &topics)?;
    let registered: BTreeSet<i32> = admin::describe_cluster(client)?
        .into_iter()
        .map(|b| b.id)
        .collect();
    let brokers: BTreeMap<String, _> = registered
        .into_iter()
        .map(|b| (b.to_string(), throttle::rate_removals()))
        .collect();
    admin::alter_configs(client, RESOURCE_BROKER, &brokers)
}
