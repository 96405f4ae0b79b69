//! What the apply engine watches besides its own moves, each round: the health of the whole
//! cluster (driving the [`pace`](crate::pace)) and the bytes its moves copy (the
//! [`figures`](crate::figures)). The I/O around the pure modules, kept out of the rounds loop.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use kplace_placement::snapshot::InFlightReassignment;

use crate::admin::PartitionInfo;
use crate::apply::MoveState;
use crate::batching::Limits;
use crate::cluster_admin::ClusterAdmin;
use crate::error::Result;
use crate::figures::{Figures, Key, Transfer};
use crate::health::{assess, IsrMemory};
use crate::pace::{Pace, PaceChange, PaceSettings};
use crate::reassignment_json::Move;
use crate::snapshot::MIN_INSYNC_REPLICAS;

/// Reassignments in flight by topic and partition.
pub type InFlight = BTreeMap<String, BTreeMap<i32, InFlightReassignment>>;

/// The watcher of one apply.
#[derive(Debug)]
pub struct Watch {
    pace: Pace,
    transfer: Transfer,
    isr: IsrMemory,
    min_isr: BTreeMap<String, u32>,
    last_health: String,
    /// Partitions already under-replicated or under min ISR at the first look (a dead broker's,
    /// often the very ones the apply repairs): not trouble that *appears*, so not counted until
    /// they have been healthy once.
    baseline: Option<(BTreeSet<Key>, BTreeSet<Key>)>,
}

impl Watch {
    /// Starts watching at `now` with concurrency `limits` as the ceiling.
    pub fn new(limits: Limits, settings: PaceSettings, now: Instant) -> Self {
        Watch {
            pace: Pace::new(limits, settings, now),
            transfer: Transfer::new(crate::eta::DEFAULT_WINDOW),
            isr: IsrMemory::new(),
            min_isr: BTreeMap::new(),
            last_health: String::new(),
            baseline: None,
        }
    }

    /// The concurrency limits now.
    pub fn limits(&self) -> Limits {
        self.pace.limits()
    }

    /// Whether new submissions are held.
    pub fn holding(&self) -> bool {
        self.pace.holding()
    }

    /// How long submissions have been held, and why (the last trouble seen).
    pub fn held(&self, now: Instant) -> (Duration, &str) {
        (self.pace.held_for(now), &self.last_health)
    }

    /// The throttle rate at the current pace, `ceiling` being `--throttle`.
    pub fn rate(&self, ceiling: u64) -> u64 {
        self.pace.rate(ceiling)
    }

    /// Looks at every partition of the cluster and adapts the pace; a change is logged with its
    /// reason and returned.
    pub fn health(
        &mut self,
        admin: &mut dyn ClusterAdmin,
        in_flight: &InFlight,
        now: Instant,
    ) -> Result<Option<PaceChange>> {
        let partitions = admin.partitions(None)?;
        let unknown: Vec<String> = partitions
            .iter()
            .map(|p| p.topic.as_str())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .filter(|t| !self.min_isr.contains_key(*t))
            .map(String::from)
            .collect();
        if !unknown.is_empty() {
            for (topic, entries) in admin.topic_configs(&unknown, &[MIN_INSYNC_REPLICAS])? {
                let min = entries
                    .get(MIN_INSYNC_REPLICAS)
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(1);
                self.min_isr.insert(topic, min);
            }
        }
        let mut health = assess(&partitions, in_flight, &self.min_isr, &mut self.isr);
        self.discount_baseline(&mut health);
        if !health.healthy() {
            self.last_health = health.reason();
        }
        let change = self.pace.observe(now, &health);
        if let Some(c) = &change {
            tracing::warn!(
                from_per_broker = c.from.per_broker,
                from_cluster = c.from.cluster,
                per_broker = c.to.per_broker,
                cluster = c.to.cluster,
                holding = c.holding,
                reason = %c.reason,
                "pace changed"
            );
        }
        Ok(change)
    }

    /// Drops from `health` the partitions that were already in trouble at the first look and
    /// have not recovered since; a partition that recovered leaves the baseline for good.
    fn discount_baseline(&mut self, health: &mut crate::pace::Health) {
        let (urp, min) = self.baseline.get_or_insert_with(|| {
            let urp: BTreeSet<Key> = health.under_replicated.iter().cloned().collect();
            let min: BTreeSet<Key> = health.under_min_isr.iter().cloned().collect();
            if !urp.is_empty() || !min.is_empty() {
                tracing::info!(
                    under_replicated = urp.len(),
                    under_min_isr = min.len(),
                    "partitions already in trouble when the apply started: not counted against the pace until they recover"
                );
            }
            (urp, min)
        });
        let now_urp: BTreeSet<Key> = health.under_replicated.iter().cloned().collect();
        let now_min: BTreeSet<Key> = health.under_min_isr.iter().cloned().collect();
        urp.retain(|k| now_urp.contains(k));
        min.retain(|k| now_min.contains(k));
        health.under_replicated.retain(|k| !urp.contains(k));
        health.under_min_isr.retain(|k| !min.contains(k));
    }

    /// Records the bytes of the moves not yet known that are in flight or waiting: the
    /// partition's size on its leader (or its largest replica), once per broker added.
    pub fn plan_bytes(
        &mut self,
        admin: &mut dyn ClusterAdmin,
        moves: &[(&Move, MoveState)],
        partition: &dyn Fn(&Move) -> Option<PartitionInfo>,
        in_flight: &InFlight,
    ) {
        let mut new: Vec<(Key, Vec<i32>, Vec<i32>)> = Vec::new();
        for (m, state) in moves {
            let key = (m.topic.clone(), m.partition);
            if *state == MoveState::Done || self.transfer.knows(&key) {
                continue;
            }
            let Some(p) = partition(m) else { continue };
            let adds: Vec<i32> = match in_flight.get(&m.topic).and_then(|t| t.get(&m.partition)) {
                Some(r) => r.adding_replicas.clone(),
                None => m
                    .target
                    .iter()
                    .filter(|b| !p.replicas.contains(b))
                    .copied()
                    .collect(),
            };
            let holders: Vec<i32> = p
                .replicas
                .iter()
                .filter(|b| !adds.contains(b))
                .copied()
                .collect();
            new.push((key, adds, holders));
        }
        if new.is_empty() {
            return;
        }
        let brokers: BTreeSet<i32> = new.iter().flat_map(|(_, _, h)| h.iter().copied()).collect();
        let sizes = read_sizes(admin, brokers);
        for (key, adds, holders) in new {
            let size = holders
                .iter()
                .filter_map(|b| sizes.get(b).and_then(|s| s.get(&key)))
                .copied()
                .max()
                .unwrap_or(0);
            self.transfer.plan(key, adds, size);
        }
    }

    /// The figures of this look.
    pub fn figures(
        &mut self,
        now: Instant,
        states: &[(Key, MoveState)],
        copied: &BTreeMap<(Key, i32), u64>,
    ) -> Figures {
        self.transfer
            .look(now, states, copied, self.pace.limits(), self.pace.holding())
    }
}

/// Size in bytes of every replica on each of `brokers` (brokers whose sizes cannot be read are
/// left out, with a warning).
pub fn read_sizes(
    admin: &mut dyn ClusterAdmin,
    brokers: impl IntoIterator<Item = i32>,
) -> BTreeMap<i32, BTreeMap<Key, u64>> {
    let mut sizes = BTreeMap::new();
    for broker in brokers {
        match admin.log_dir_sizes(broker) {
            Ok(s) => {
                sizes.insert(broker, s);
            }
            Err(error) => tracing::warn!(broker, %error, "cannot read log-dir sizes"),
        }
    }
    sizes
}
