//! Applying moves to a live cluster through AlterPartitionReassignments, in batches that respect
//! [`batching`](crate::batching)'s limits, optionally throttled, followed until done, then a
//! preferred-leader election where the leader should change.
//!
//! The engine keeps no state of its own: every round it reads Kafka's (current replicas,
//! ListPartitionReassignments), so re-running the same apply after a crash or Ctrl-C continues
//! where Kafka is: a move already done is not redone, a move in flight is not submitted again.
//!
//! Throttles are kplace's own ([`owned_throttles`](crate::owned_throttles)): each round they are
//! made exactly what the moves in flight need, and they are removed on every way out (done, an
//! error, a stop request, a timeout or a stall), except with `wait = false`, where the moves
//! submitted stay throttled until a later apply, cancel or heal round. Waits are bounded: by
//! [`ApplyOptions::timeout`], and by [`ApplyOptions::stall_timeout`] when no move in flight
//! copies a byte.
//!
//! Bookkeeping is linear in the moves each round: Kafka's state is indexed by topic and
//! partition once per round, and nothing compares every move with every other.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use kplace_placement::snapshot::InFlightReassignment;
use kplace_placement::stages::is_step_toward;

use crate::admin::{PartitionInfo, ReassignmentRequest};
use crate::batching::{Limits, MoveShape};
use crate::cluster_admin::ClusterAdmin;
use crate::error::{KafkaError, Result};
use crate::figures::{Figures, Key};
use crate::owned_throttles::OwnedThrottles;
use crate::pace::{PaceChange, PaceSettings};
use crate::reassignment_json::Move;
use crate::schedule::{next_submissions, PendingMove, Schedule};
use crate::snapshot::MIN_INSYNC_REPLICAS;
use crate::stall::StallDetector;
use crate::stop::Stop;
use crate::throttle::ThrottledMove;
use crate::watch::{read_sizes, Watch};

/// How long brokers' metadata may lag behind the controller's when a move completes.
pub const METADATA_SETTLE: Duration = Duration::from_millis(1500);

/// The stall timeout when none is given.
pub const DEFAULT_STALL_TIMEOUT: Duration = Duration::from_secs(600);

/// How an apply runs.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApplyOptions {
    /// Concurrency limits.
    pub limits: Limits,
    /// Replication throttle in bytes per second, set while moves run and removed after.
    pub throttle: Option<u64>,
    /// Follow the moves until all are done (otherwise return after submitting one round).
    pub wait: bool,
    /// Time between two looks at Kafka's state.
    pub poll_interval: Duration,
    /// Stop waiting after this long (an error naming the moves in flight; re-running continues).
    pub timeout: Option<Duration>,
    /// Stop waiting when no move in flight has copied a byte for this long.
    pub stall_timeout: Duration,
    /// How long to let brokers' metadata settle before submitting (see [`METADATA_SETTLE`]).
    pub settle: Duration,
    /// Set by a signal handler: stop submitting, let the moves in flight finish (or cancel
    /// them, with `cancel_on_stop`), clean up, return [`KafkaError::Stopped`].
    pub stop: Stop,
    /// On a stop request, cancel the moves in flight instead of letting them finish.
    pub cancel_on_stop: bool,
    /// How the concurrency adapts to the cluster's health (see [`crate::pace`]).
    pub pace: PaceSettings,
    /// The order moves are submitted in, and how many new replicas one stage adds
    /// ([`schedule`](crate::schedule)).
    pub schedule: Schedule,
}

impl ApplyOptions {
    /// Options with these limits and every other setting at its default: waiting, no throttle,
    /// no overall timeout, a 10-minute stall timeout, a 2 s poll interval.
    pub fn new(limits: Limits) -> Self {
        ApplyOptions {
            limits,
            throttle: None,
            wait: true,
            poll_interval: Duration::from_secs(2),
            timeout: None,
            stall_timeout: DEFAULT_STALL_TIMEOUT,
            settle: METADATA_SETTLE,
            stop: Stop::default(),
            cancel_on_stop: false,
            pace: PaceSettings::default(),
            schedule: Schedule::default(),
        }
    }
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
#[non_exhaustive]
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
    /// The figures of a look: bytes, rate, time left, slowest broker (see [`crate::figures`]).
    Figures(Figures),
    /// The pace changed (see [`crate::pace`]); also logged with its reason.
    Pace(PaceChange),
    /// A stop was requested: nothing more is submitted; the moves in flight are let finish or,
    /// with `cancelling`, cancelled.
    Stopping {
        /// The signal that asked to stop.
        signal: i32,
        /// Moves in flight when the stop was seen.
        in_flight: usize,
        /// Whether they are being cancelled.
        cancelling: bool,
    },
}

/// The outcome of an apply.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApplyReport {
    /// All moves.
    pub total: usize,
    /// Moves already done when the apply started.
    pub already_done: usize,
    /// Moves already in flight when the apply started (continued, not resubmitted).
    pub already_in_flight: usize,
    /// Moves this run submitted (a stage of, at least).
    pub submitted: usize,
    /// Moves done at the end.
    pub done: usize,
    /// Moves in flight at the end (only without waiting).
    pub in_flight: usize,
    /// Moves not started at the end (only without waiting).
    pub pending: usize,
    /// Partitions whose preferred leader was elected.
    pub elected: Vec<(String, i32)>,
    /// Partitions Kafka refused (a move, or the election after it), each with the reason; the
    /// other moves went on.
    pub failed: Vec<PartitionFailure>,
}

/// A partition Kafka refused, and why (Kafka's error, naming the request).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionFailure {
    /// Topic name.
    pub topic: String,
    /// Partition number.
    pub partition: i32,
    /// Kafka's error, e.g. `AlterPartitionReassignments: partition t-3: InvalidReplicaAssignment`.
    pub reason: String,
}

/// Checks `moves` against the cluster before anything is submitted: every partition exists and
/// every target broker is registered. Errors are bad input naming `source` and the partition.
pub fn validate(admin: &mut dyn ClusterAdmin, moves: &[Move], source: &str) -> Result<()> {
    admin.require(crate::versions::operations::APPLY)?;
    let registered: BTreeSet<i32> = admin.brokers()?.iter().map(|b| b.id).collect();
    let existing: BTreeMap<String, BTreeSet<i32>> = {
        let mut map: BTreeMap<String, BTreeSet<i32>> = BTreeMap::new();
        for p in admin.partitions(None)? {
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

/// The replicas each move starts from now, for the moves that are neither done nor in flight
/// (`None` for those): what a plan made earlier must still find (the check itself is the plan's,
/// `kplace_optimizer::plan::Plan::check_current`, so `report` and `apply` judge alike).
pub fn pending_replicas(
    admin: &mut dyn ClusterAdmin,
    moves: &[Move],
) -> Result<Vec<Option<Vec<i32>>>> {
    let observed = observe(admin, &topics_of(moves))?;
    moves
        .iter()
        .map(|m| {
            let current = observed.partition(m).ok_or_else(|| unknown(m))?;
            let state = classify(m, current, observed.reassignment(m))?;
            Ok((state == MoveState::Pending).then(|| current.replicas.clone()))
        })
        .collect()
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

/// The replicas Kafka is moving a partition from: in flight, Kafka lists old and new replicas
/// together, and the old ones are those not being added.
pub fn in_flight_origin(reassignment: &InFlightReassignment) -> Vec<i32> {
    reassignment
        .replicas
        .iter()
        .filter(|b| !reassignment.adding_replicas.contains(b))
        .copied()
        .collect()
}

/// Where `m` stands given the partition's current state and the reassignment in flight, if any.
/// A reassignment in flight to `m`'s target, or to a stage of it (one that adds only target
/// replicas and removes only replicas the target drops), is `m` in flight; a reassignment in
/// flight elsewhere is an error naming the partition. Between two stages `m` is pending.
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
        let from = in_flight_origin(r);
        if same(&target, &m.target) || is_step_toward(&from, &target, &m.target) {
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

/// Kafka's state as one round sees it, indexed by topic and partition (looked up without
/// allocating).
struct Observed {
    partitions: BTreeMap<String, BTreeMap<i32, PartitionInfo>>,
    in_flight: BTreeMap<String, BTreeMap<i32, InFlightReassignment>>,
    alive: BTreeSet<i32>,
    min_isr: BTreeMap<String, u32>,
}

impl Observed {
    fn partition(&self, m: &Move) -> Option<&PartitionInfo> {
        self.partitions.get(m.topic.as_str())?.get(&m.partition)
    }

    fn reassignment(&self, m: &Move) -> Option<&InFlightReassignment> {
        self.in_flight.get(m.topic.as_str())?.get(&m.partition)
    }

    fn state(&self, m: &Move) -> Result<MoveState> {
        let current = self.partition(m).ok_or_else(|| unknown(m))?;
        classify(m, current, self.reassignment(m))
    }
}

/// Reads Kafka's state. Reassignments in flight are read before the replicas: a move that
/// completes in between is then seen in flight or done, never as not started.
fn observe(admin: &mut dyn ClusterAdmin, topics: &[String]) -> Result<Observed> {
    let mut in_flight: BTreeMap<String, BTreeMap<i32, InFlightReassignment>> = BTreeMap::new();
    for r in admin.reassignments()? {
        in_flight
            .entry(r.topic.clone())
            .or_default()
            .insert(r.partition, r);
    }
    let mut partitions: BTreeMap<String, BTreeMap<i32, PartitionInfo>> = BTreeMap::new();
    for p in admin.partitions(Some(topics.to_vec()))? {
        partitions
            .entry(p.topic.clone())
            .or_default()
            .insert(p.partition, p);
    }
    let alive = admin
        .brokers()?
        .into_iter()
        .filter(|b| !b.fenced)
        .map(|b| b.id)
        .collect();
    let min_isr = admin
        .topic_configs(topics, &[MIN_INSYNC_REPLICAS])?
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

/// The shape of a move in flight: the brokers Kafka adds and removes (its stage, which may not
/// be the move's target).
fn in_flight_shape(m: &Move, observed: &Observed) -> MoveShape {
    let isr = observed
        .partition(m)
        .map(|p| p.isr.as_slice())
        .unwrap_or_default();
    let min_isr = observed.min_isr.get(&m.topic).copied().unwrap_or(1);
    match observed.reassignment(m) {
        Some(r) => {
            let from = in_flight_origin(r);
            MoveShape::of(&from, &in_flight_target(r), isr, min_isr)
        }
        None => MoveShape::of(&m.target, &m.target, isr, min_isr),
    }
}

/// The pending moves as [`schedule`](crate::schedule) sees them, from Kafka's state.
fn pending_view<'a>(
    pending: &[&'a Move],
    observed: &'a Observed,
    sizes: &BTreeMap<(String, i32), u64>,
) -> Vec<PendingMove<'a>> {
    pending
        .iter()
        .map(|m| {
            let p = observed.partition(m);
            PendingMove {
                current: p.map(|p| p.replicas.as_slice()).unwrap_or_default(),
                target: &m.target,
                isr: p.map(|p| p.isr.as_slice()).unwrap_or_default(),
                leader: p.map(|p| p.leader).filter(|&l| l >= 0),
                min_insync_replicas: observed.min_isr.get(&m.topic).copied().unwrap_or(1),
                size: sizes
                    .get(&(m.topic.clone(), m.partition))
                    .copied()
                    .unwrap_or(0),
            }
        })
        .collect()
}

/// The next submissions of `pending` beside `in_flight`, as moves to each one's next stage.
fn next_stages(
    in_flight: &[&Move],
    pending: &[&Move],
    observed: &Observed,
    sizes: &BTreeMap<(String, i32), u64>,
    limits: Limits,
    schedule: Schedule,
) -> Vec<Move> {
    let shapes: Vec<MoveShape> = in_flight
        .iter()
        .map(|m| in_flight_shape(m, observed))
        .collect();
    let view = pending_view(pending, observed, sizes);
    let alive = |b: i32| observed.alive.contains(&b);
    next_submissions(&shapes, &view, &alive, limits, schedule)
        .into_iter()
        .map(|s| Move {
            topic: pending[s.index].topic.clone(),
            partition: pending[s.index].partition,
            target: s.replicas,
        })
        .collect()
}

/// Bytes of one replica of each move's partition, as its leader holds it (none for partitions
/// whose leader cannot be read: they count as empty). Read only when the order uses sizes.
fn partition_sizes(
    admin: &mut dyn ClusterAdmin,
    moves: &[Move],
    observed: &Observed,
    order: crate::order::Order,
) -> BTreeMap<(String, i32), u64> {
    let mut sizes = BTreeMap::new();
    if order == crate::order::Order::Plan {
        return sizes;
    }
    let leaders: BTreeSet<i32> = moves
        .iter()
        .filter_map(|m| observed.partition(m))
        .map(|p| p.leader)
        .filter(|l| observed.alive.contains(l))
        .collect();
    for broker in leaders {
        match admin.log_dir_sizes(broker) {
            Ok(held) => {
                for m in moves {
                    let key = (m.topic.clone(), m.partition);
                    if observed.partition(m).map(|p| p.leader) == Some(broker) {
                        if let Some(&bytes) = held.get(&key) {
                            sizes.insert(key, bytes);
                        }
                    }
                }
            }
            Err(error) => {
                tracing::warn!(broker, %error, "cannot read log-dir sizes; its partitions count as empty for the order")
            }
        }
    }
    sizes
}

/// One submission of a dry run: a move's next stage, and which stage of how many it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DryRunMove {
    /// The move's topic, partition and the replicas this stage submits.
    pub stage_move: Move,
    /// Which stage this is, from 1.
    pub stage: usize,
    /// How many stages the move takes from where Kafka has it now (1: no staging).
    pub stages: usize,
}

/// The batches an apply would submit if every batch finished before the next, with every new
/// replica in sync: for `--dry-run`. Moves in flight hold the first batch back; what a move in
/// flight at an intermediate stage still needs comes after.
pub fn dry_run_batches(
    admin: &mut dyn ClusterAdmin,
    moves: &[Move],
    options: &ApplyOptions,
) -> Result<Vec<Vec<DryRunMove>>> {
    /// A move as the dry run plays it out.
    struct Played<'m> {
        m: &'m Move,
        current: Vec<i32>,
        isr: Vec<i32>,
        leader: Option<i32>,
        min_isr: u32,
        size: u64,
        stage: usize,
        stages: usize,
    }
    let topics = topics_of(moves);
    let observed = observe(admin, &topics)?;
    let sizes = partition_sizes(admin, moves, &observed, options.schedule.order);
    let alive = |b: i32| observed.alive.contains(&b);
    let stage_size = options.schedule.stage_size;
    let played =
        |m: &'_ Move, current: Vec<i32>, isr: Vec<i32>, leader: Option<i32>, stage: usize| {
            let stages = stage
                + kplace_placement::stages::stages(
                    &current, &m.target, &isr, leader, alive, stage_size,
                )
                .len();
            (current, isr, leader, stages)
        };
    let mut pending: Vec<Played> = Vec::new();
    let mut after_in_flight: Vec<Played> = Vec::new();
    let mut in_flight = Vec::new();
    for m in moves {
        let Some(p) = observed.partition(m) else {
            return Err(unknown(m));
        };
        let min_isr = observed.min_isr.get(&m.topic).copied().unwrap_or(1);
        let size = sizes
            .get(&(m.topic.clone(), m.partition))
            .copied()
            .unwrap_or(0);
        let leader = Some(p.leader).filter(|&l| l >= 0);
        match observed.state(m)? {
            MoveState::Done => {}
            MoveState::InFlight => {
                in_flight.push(in_flight_shape(m, &observed));
                if let Some(r) = observed.reassignment(m) {
                    let at = in_flight_target(r);
                    if at != m.target {
                        let isr: Vec<i32> = at.iter().copied().filter(|&b| alive(b)).collect();
                        let (current, isr, leader, stages) = played(m, at, isr, leader, 1);
                        after_in_flight.push(Played {
                            m,
                            current,
                            isr,
                            leader,
                            min_isr,
                            size,
                            stage: 1,
                            stages,
                        });
                    }
                }
            }
            MoveState::Pending => {
                let (current, isr, leader, stages) =
                    played(m, p.replicas.clone(), p.isr.clone(), leader, 0);
                pending.push(Played {
                    m,
                    current,
                    isr,
                    leader,
                    min_isr,
                    size,
                    stage: 0,
                    stages,
                });
            }
        }
    }
    let mut batches = Vec::new();
    let mut first = true;
    while !pending.is_empty() || !after_in_flight.is_empty() {
        let view: Vec<PendingMove> = pending
            .iter()
            .map(|p| PendingMove {
                current: &p.current,
                target: &p.m.target,
                isr: &p.isr,
                leader: p.leader,
                min_insync_replicas: p.min_isr,
                size: p.size,
            })
            .collect();
        let next = next_submissions(
            if first { &in_flight } else { &[] },
            &view,
            &alive,
            options.limits,
            options.schedule,
        );
        if first {
            pending.append(&mut after_in_flight);
            first = false;
        }
        let mut batch = Vec::with_capacity(next.len());
        for submission in next {
            let p = &mut pending[submission.index];
            p.stage += 1;
            batch.push(DryRunMove {
                stage_move: Move {
                    topic: p.m.topic.clone(),
                    partition: p.m.partition,
                    target: submission.replicas.clone(),
                },
                stage: p.stage,
                stages: p.stages,
            });
            p.isr = submission
                .replicas
                .iter()
                .copied()
                .filter(|&b| alive(b))
                .collect();
            p.leader = match p.leader {
                Some(l) if submission.replicas.contains(&l) => Some(l),
                _ => p.isr.first().copied(),
            };
            p.current = submission.replicas;
        }
        pending.retain(|p| p.current != p.m.target);
        if !batch.is_empty() {
            batches.push(batch);
        }
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

/// How the rounds ended when nothing failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    /// Every move is done.
    AllDone,
    /// Without waiting: moves were submitted and are still in flight (their throttles stay).
    LeftInFlight,
}

/// Applies `moves`: submits them in batches, follows them (with `wait`), removes kplace's
/// throttles and elects preferred leaders when all are done. Call [`validate`] first.
///
/// Throttles left by an earlier, killed kplace run are adopted and end up removed too.
pub fn apply(
    admin: &mut dyn ClusterAdmin,
    moves: &[Move],
    options: &ApplyOptions,
    on_event: &mut dyn FnMut(&ApplyEvent),
) -> Result<ApplyReport> {
    let mut throttles = OwnedThrottles::load(admin)?;
    if !throttles.is_empty() {
        tracing::info!(
            topics = throttles.ledger().topics.len(),
            brokers = throttles.ledger().brokers.len(),
            "throttles an earlier kplace run left are taken over"
        );
    }
    let mut report = ApplyReport {
        total: moves.len(),
        ..ApplyReport::default()
    };
    let outcome = rounds(admin, moves, options, on_event, &mut throttles, &mut report);
    if !matches!(outcome, Ok(Ending::LeftInFlight)) {
        // Every other way out: kplace's throttles go.
        match (throttles.remove_all(admin), &outcome) {
            (Ok(removed), _) => {
                if !removed.topics.is_empty() || !removed.brokers.is_empty() {
                    tracing::info!(
                        topics = removed.topics.len(),
                        brokers = removed.brokers.len(),
                        "kplace's throttles removed"
                    );
                }
            }
            (Err(error), Ok(_)) => return Err(error),
            (Err(error), Err(_)) => tracing::warn!(
                %error,
                "kplace's throttles could not be removed now; the next apply, cancel or heal round removes them"
            ),
        }
    }
    if outcome? == Ending::AllDone {
        report.elected = elect_leaders(admin, moves, &mut report)?;
        if !report.elected.is_empty() {
            on_event(&ApplyEvent::Elected(report.elected.clone()));
        }
    }
    Ok(report)
}

fn rounds(
    admin: &mut dyn ClusterAdmin,
    moves: &[Move],
    options: &ApplyOptions,
    on_event: &mut dyn FnMut(&ApplyEvent),
    throttles: &mut OwnedThrottles,
    report: &mut ApplyReport,
) -> Result<Ending> {
    let topics = topics_of(moves);
    let started = Instant::now();
    let mut stall = StallDetector::new(options.stall_timeout, started);
    let mut watch = Watch::new(options.limits, options.pace, started);
    // Set once a stop request was seen: nothing more is submitted.
    let mut stopping = false;
    let mut first_round = true;
    let mut done_before = 0;
    // Moves Kafka refused: reported, never submitted again by this run.
    let mut refused_moves: BTreeSet<(String, i32)> = BTreeSet::new();
    // Moves this run submitted a stage of, and partition sizes for the order.
    let mut submitted: BTreeSet<(String, i32)> = BTreeSet::new();
    let mut sizes = BTreeMap::new();
    loop {
        let observed = observe(admin, &topics)?;
        let mut states = Vec::with_capacity(moves.len());
        for m in moves {
            let state = observed.state(m).map_err(|e| match e {
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
        let refused_pending = moves
            .iter()
            .zip(&states)
            .filter(|(m, s)| {
                **s == MoveState::Pending && refused_moves.contains(&(m.topic.clone(), m.partition))
            })
            .count();
        if report.done + refused_pending == report.total {
            // The last figures: everything copied.
            let keyed: Vec<(Key, MoveState)> = moves
                .iter()
                .zip(states.iter().copied())
                .map(|(m, s)| ((m.topic.clone(), m.partition), s))
                .collect();
            on_event(&ApplyEvent::Figures(watch.figures(
                Instant::now(),
                &keyed,
                &BTreeMap::new(),
            )));
            return Ok(Ending::AllDone);
        }
        let now = Instant::now();
        if let Some(change) = watch.health(admin, &observed.in_flight, now)? {
            on_event(&ApplyEvent::Pace(change));
        }
        if let Some(signal) = options.stop.requested() {
            if report.in_flight == 0 || options.cancel_on_stop {
                return Err(stop_now(admin, moves, &states, signal, options, report)?);
            }
            if !stopping {
                stopping = true;
                tracing::warn!(
                    in_flight = report.in_flight,
                    "stop requested: nothing more is submitted; waiting for the moves in flight to finish (a second signal ends at once)"
                );
                on_event(&ApplyEvent::Stopping {
                    signal,
                    in_flight: report.in_flight,
                    cancelling: false,
                });
            }
        }

        let waiting_on_dead: Vec<String> = moves
            .iter()
            .zip(&states)
            .filter(|(m, s)| {
                **s != MoveState::Done && !refused_moves.contains(&(m.topic.clone(), m.partition))
            })
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
        let copied = copied_bytes(admin, &in_flight_moves, &observed);
        let with_states: Vec<(&Move, MoveState)> =
            moves.iter().zip(states.iter().copied()).collect();
        watch.plan_bytes(
            admin,
            &with_states,
            &|m| observed.partition(m).cloned(),
            &observed.in_flight,
        );
        let keyed: Vec<(Key, MoveState)> = with_states
            .iter()
            .map(|(m, s)| ((m.topic.clone(), m.partition), *s))
            .collect();
        on_event(&ApplyEvent::Figures(watch.figures(now, &keyed, &copied)));
        if options.wait && !in_flight_moves.is_empty() {
            let finished = report.done.saturating_sub(done_before);
            if stall.observe(
                Instant::now(),
                &per_move(&in_flight_moves, &copied),
                finished,
            ) {
                return Err(stalled(options.stall_timeout, &in_flight_moves, &observed));
            }
        }
        let (held, why) = watch.held(now);
        if held > options.stall_timeout {
            return Err(KafkaError::Timeout(format!(
                "new moves held for {} because the cluster is in trouble: {why}. Re-run the same apply once the cluster is healthy (nothing is redone), or kplace cancel to roll back what is in flight",
                human(held)
            )));
        }
        done_before = report.done;
        if let Some(timeout) = options.timeout {
            if started.elapsed() >= timeout {
                return Err(timed_out(timeout, &in_flight_moves, &observed, report));
            }
        }

        let pending_moves: Vec<&Move> = moves
            .iter()
            .zip(&states)
            .filter(|(m, s)| {
                **s == MoveState::Pending
                    && !refused_moves.contains(&(m.topic.clone(), m.partition))
            })
            .map(|(m, _)| m)
            .collect();
        if first_round {
            sizes = partition_sizes(admin, moves, &observed, options.schedule.order);
        }
        // Each pending move's next stage, most urgent first (see `schedule`), within the limits
        // the pace allows now; none while stopping or holding.
        let batch: Vec<Move> = if stopping || watch.holding() {
            Vec::new()
        } else {
            next_stages(
                &in_flight_moves,
                &pending_moves,
                &observed,
                &sizes,
                watch.limits(),
                options.schedule,
            )
        };

        // Throttles sized by what is in flight now (and about to be): entries of moves that
        // finished go, those of the batch come. A round where nothing changed sends nothing.
        if options.throttle.is_some() || !throttles.is_empty() {
            let throttled: Vec<ThrottledMove> = in_flight_moves
                .iter()
                .copied()
                .chain(&batch)
                .filter_map(|m| {
                    let current = match observed.reassignment(m) {
                        Some(r) => in_flight_origin(r),
                        None => observed.partition(m)?.replicas.clone(),
                    };
                    Some(ThrottledMove {
                        topic: m.topic.clone(),
                        partition: m.partition,
                        current,
                        // In flight, the stage Kafka is moving to.
                        target: observed
                            .reassignment(m)
                            .map(in_flight_target)
                            .unwrap_or_else(|| m.target.clone()),
                    })
                })
                .collect();
            throttles.sync(admin, &throttled, options.throttle.map(|r| watch.rate(r)))?;
        }

        let batch = if batch.is_empty() {
            Vec::new()
        } else {
            still_pending(admin, &topics, batch.iter().collect(), options)?
        };
        // A stop requested while the batch settled: the next round handles it, nothing is sent.
        if !batch.is_empty() && options.stop.requested().is_none() {
            let requests: Vec<ReassignmentRequest> = batch
                .iter()
                .map(|m| ReassignmentRequest {
                    topic: m.topic.clone(),
                    partition: m.partition,
                    replicas: Some(m.target.clone()),
                })
                .collect();
            let refused = admin.alter_reassignments(&requests)?;
            for ((topic, partition), error) in refused {
                tracing::warn!(%topic, partition, %error, "Kafka refused the move; the others go on");
                refused_moves.insert((topic.clone(), partition));
                report.failed.push(PartitionFailure {
                    topic,
                    partition,
                    reason: error.to_string(),
                });
            }
            let batch: Vec<Move> = batch
                .into_iter()
                .filter(|m| !refused_moves.contains(&(m.topic.clone(), m.partition)))
                .collect();
            for m in &batch {
                tracing::info!(topic = %m.topic, partition = m.partition, target = ?m.target, "submitted");
            }
            for m in &batch {
                submitted.insert((m.topic.clone(), m.partition));
            }
            report.submitted = submitted.len();
            on_event(&ApplyEvent::Submitted(batch));
        }
        first_round = false;
        if !options.wait {
            let observed = observe(admin, &topics)?;
            let mut done = 0;
            let mut in_flight = 0;
            for m in moves {
                match observed.state(m) {
                    Ok(MoveState::Done) => done += 1,
                    Ok(MoveState::InFlight) => in_flight += 1,
                    _ => {}
                }
            }
            report.done = done;
            report.in_flight = in_flight;
            report.pending = report.total - done - in_flight;
            return Ok(if report.done < report.total {
                Ending::LeftInFlight
            } else {
                Ending::AllDone
            });
        }
        if stopping {
            // Stop::sleep would return at once now that a stop is requested.
            std::thread::sleep(options.poll_interval);
        } else {
            options.stop.sleep(options.poll_interval);
        }
    }
}

/// Stops at once on a stop request: with `cancel_on_stop`, cancels the moves in flight (bounded
/// by the stall timeout) first. Returns the [`KafkaError::Stopped`] to end with.
fn stop_now(
    admin: &mut dyn ClusterAdmin,
    moves: &[Move],
    states: &[MoveState],
    signal: i32,
    options: &ApplyOptions,
    report: &mut ApplyReport,
) -> Result<KafkaError> {
    let in_flight: Vec<(String, i32)> = moves
        .iter()
        .zip(states)
        .filter(|(_, s)| **s == MoveState::InFlight)
        .map(|(m, _)| (m.topic.clone(), m.partition))
        .collect();
    let mut cancelled = 0;
    if !in_flight.is_empty() && options.cancel_on_stop {
        tracing::warn!(
            in_flight = in_flight.len(),
            "stop requested with --cancel-on-stop: cancelling the moves in flight"
        );
        cancelled =
            crate::cancel::cancel_reassignments(admin, Some(&in_flight), options.stall_timeout)?
                .len();
        report.in_flight = 0;
        report.pending += in_flight.len();
    }
    Ok(stopped(signal, report, cancelled))
}

/// Runs preferred-leader elections where a move's target leader does not lead and is in sync
/// (see [`crate::election`]), skipping the partitions Kafka refused to move; a partition whose
/// election fails is recorded in `report.failed`. Returns the partitions elected.
fn elect_leaders(
    admin: &mut dyn ClusterAdmin,
    moves: &[Move],
    report: &mut ApplyReport,
) -> Result<Vec<(String, i32)>> {
    let observed = observe(admin, &topics_of(moves))?;
    let current: BTreeMap<(String, i32), PartitionInfo> = moves
        .iter()
        .filter_map(|m| {
            observed
                .partition(m)
                .map(|p| ((m.topic.clone(), m.partition), p.clone()))
        })
        .collect();
    let elections = crate::election::elections(moves, &current);
    for (topic, partition, preferred) in &elections.out_of_sync {
        tracing::warn!(%topic, partition, preferred, "preferred leader out of sync: not elected; the partition keeps its leader");
    }
    let refused: BTreeSet<(String, i32)> = report
        .failed
        .iter()
        .map(|f| (f.topic.clone(), f.partition))
        .collect();
    let to_elect: Vec<(String, i32)> = elections
        .elect
        .into_iter()
        .filter(|key| !refused.contains(key))
        .collect();
    if to_elect.is_empty() {
        return Ok(to_elect);
    }
    let failed = admin.elect_preferred_leaders(&to_elect)?;
    let failed_keys: BTreeSet<(String, i32)> = failed.iter().map(|(k, _)| k.clone()).collect();
    for ((topic, partition), error) in failed {
        report.failed.push(PartitionFailure {
            topic,
            partition,
            reason: error.to_string(),
        });
    }
    Ok(to_elect
        .into_iter()
        .filter(|k| !failed_keys.contains(k))
        .collect())
}

/// The bytes each move in flight's new replicas hold, per partition and added broker (brokers
/// whose sizes cannot be read are left out: no progress seen).
fn copied_bytes(
    admin: &mut dyn ClusterAdmin,
    in_flight: &[&Move],
    observed: &Observed,
) -> BTreeMap<(Key, i32), u64> {
    let adding = |m: &Move| -> Vec<i32> {
        observed
            .reassignment(m)
            .map(|r| r.adding_replicas.clone())
            .unwrap_or_default()
    };
    let brokers: BTreeSet<i32> = in_flight.iter().flat_map(|m| adding(m)).collect();
    let sizes = read_sizes(admin, brokers);
    let mut copied = BTreeMap::new();
    for m in in_flight {
        let key = (m.topic.clone(), m.partition);
        for b in adding(m) {
            if let Some(&bytes) = sizes.get(&b).and_then(|s| s.get(&key)) {
                copied.insert((key.clone(), b), bytes);
            }
        }
    }
    copied
}

/// The bytes of [`copied_bytes`] summed per move in flight, as the stall detector takes them.
fn per_move(in_flight: &[&Move], copied: &BTreeMap<(Key, i32), u64>) -> Vec<(Key, u64)> {
    in_flight
        .iter()
        .map(|m| {
            let key = (m.topic.clone(), m.partition);
            let bytes = copied
                .range((key.clone(), i32::MIN)..=(key.clone(), i32::MAX))
                .map(|(_, b)| b)
                .sum();
            (key, bytes)
        })
        .collect()
}

/// "t-0 (adding broker 12 from 1, 3)" for each move in flight, at most ten.
fn describe_in_flight(in_flight: &[&Move], observed: &Observed) -> String {
    let mut names: Vec<String> = in_flight
        .iter()
        .take(10)
        .map(|m| match observed.reassignment(m) {
            Some(r) => format!(
                "{}-{} (adding broker {} from {})",
                m.topic,
                m.partition,
                join(&r.adding_replicas),
                join(&in_flight_origin(r))
            ),
            None => format!("{}-{}", m.topic, m.partition),
        })
        .collect();
    if in_flight.len() > names.len() {
        names.push(format!("and {} more", in_flight.len() - names.len()));
    }
    names.join(", ")
}

fn stuck_brokers(in_flight: &[&Move], observed: &Observed) -> Vec<i32> {
    in_flight
        .iter()
        .filter_map(|m| observed.reassignment(m))
        .flat_map(|r| r.adding_replicas.iter().copied())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

fn stalled(timeout: Duration, in_flight: &[&Move], observed: &Observed) -> KafkaError {
    KafkaError::Timeout(format!(
        "stalled: no move in flight copied a byte for {}: {}; brokers receiving them: {}. Check those brokers (disk, network, throttle), then re-run the same apply to continue (nothing is redone), or kplace cancel to roll the moves back",
        human(timeout),
        describe_in_flight(in_flight, observed),
        join(&stuck_brokers(in_flight, observed))
    ))
}

fn timed_out(
    timeout: Duration,
    in_flight: &[&Move],
    observed: &Observed,
    report: &ApplyReport,
) -> KafkaError {
    KafkaError::Timeout(format!(
        "--timeout {} passed with {} of {} moves not done; in flight: {}; brokers receiving them: {}. Re-run the same apply to continue (nothing is redone), or kplace cancel to roll the moves back",
        human(timeout),
        report.total - report.done,
        report.total,
        if in_flight.is_empty() {
            "none".to_string()
        } else {
            describe_in_flight(in_flight, observed)
        },
        join(&stuck_brokers(in_flight, observed))
    ))
}

fn stopped(signal: i32, report: &ApplyReport, cancelled: usize) -> KafkaError {
    let in_flight = if cancelled > 0 {
        format!("{cancelled} moves that were in flight cancelled (rolled back, --cancel-on-stop)")
    } else {
        "no move left in flight (those in flight were let finish)".to_string()
    };
    KafkaError::Stopped {
        signal,
        message: format!(
            "stopped by {}: nothing more submitted; {} moves done, {in_flight}, {} not submitted; kplace's throttles removed. Re-run the same apply to continue (nothing is redone)",
            signal_name(signal),
            report.done,
            report.pending
        ),
    }
}

/// "SIGINT", "SIGTERM" or "signal N".
pub fn signal_name(signal: i32) -> String {
    match signal {
        2 => "SIGINT (Ctrl-C)".into(),
        15 => "SIGTERM".into(),
        n => format!("signal {n}"),
    }
}

fn human(d: Duration) -> String {
    let s = d.as_secs();
    match (s / 3600, s % 3600 / 60, s % 60) {
        (0, 0, s) => format!("{s}s"),
        (0, m, 0) => format!("{m}m"),
        (0, m, s) => format!("{m}m{s}s"),
        (h, m, _) => format!("{h}h{m}m"),
    }
}

/// Keeps the moves of `batch` that are still not started after the brokers' metadata has had
/// time to settle: a broker's metadata cache lags the controller's, so a move that just
/// completed can look not started for a moment. Submitting it again would be harmless to Kafka
/// (same target), but kplace promises never to submit a move twice.
fn still_pending(
    admin: &mut dyn ClusterAdmin,
    topics: &[String],
    batch: Vec<&Move>,
    options: &ApplyOptions,
) -> Result<Vec<Move>> {
    options.stop.sleep(options.settle);
    let observed = observe(admin, topics)?;
    let mut out = Vec::with_capacity(batch.len());
    for m in batch {
        if observed.state(m)? == MoveState::Pending {
            out.push(m.clone());
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
