//! The figures of an apply in progress: bytes to copy and copied, moves done / in flight /
//! waiting, the copy rate, the time left and the slowest broker. Pure logic, no I/O.
//!
//! A move copies its partition once to every broker it adds. What it must copy is fixed when
//! the apply first sees it not done (the partition's size then, times the brokers added); a move
//! done counts all of it, a move in flight what its new replicas hold (never more than the
//! size), a move waiting nothing. The *slowest broker* is the receiving broker with the most
//! bytes still to receive: at equal rates it is the one that finishes last.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::apply::MoveState;
use crate::batching::Limits;
use crate::eta::RateEstimator;

/// A partition: topic and number.
pub type Key = (String, i32);

/// One look's figures, as the progress display and `--progress json` show them.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Figures {
    /// Seconds since the first look of this apply.
    pub elapsed_seconds: f64,
    /// Moves done.
    pub done: usize,
    /// Moves Kafka is carrying out.
    pub in_flight: usize,
    /// Moves not started.
    pub waiting: usize,
    /// All moves.
    pub total: usize,
    /// Bytes copied so far by the moves this apply found not done.
    pub copied_bytes: u64,
    /// Bytes those moves copy in all.
    pub total_bytes: u64,
    /// Copy rate over the last looks, bytes per second (absent until two looks).
    pub rate_bytes_per_second: Option<u64>,
    /// Time left at that rate, seconds (absent while the rate is unknown or zero).
    pub eta_seconds: Option<u64>,
    /// The receiving broker with the most bytes still to receive.
    pub slowest_broker: Option<i32>,
    /// Bytes the slowest broker has still to receive.
    pub slowest_broker_remaining_bytes: u64,
    /// Concurrency per broker now (see [`crate::pace`]).
    pub per_broker_limit: usize,
    /// Concurrency of the cluster now.
    pub cluster_limit: usize,
    /// Whether new submissions are held because the cluster is in trouble.
    pub holding: bool,
}

#[derive(Debug, Clone)]
struct Planned {
    adds: Vec<i32>,
    size: u64,
}

/// Tracks the bytes of one apply's moves across looks.
#[derive(Debug, Clone)]
pub struct Transfer {
    planned: BTreeMap<Key, Planned>,
    rate: RateEstimator,
    first_look: Option<Instant>,
}

impl Transfer {
    /// A tracker whose rate is measured over `window`.
    pub fn new(window: Duration) -> Self {
        Transfer {
            planned: BTreeMap::new(),
            rate: RateEstimator::new(window),
            first_look: None,
        }
    }

    /// Whether `key`'s bytes are known already.
    pub fn knows(&self, key: &Key) -> bool {
        self.planned.contains_key(key)
    }

    /// Records that the move of `key` copies `size` bytes to each of `adds` (first call wins).
    pub fn plan(&mut self, key: Key, adds: Vec<i32>, size: u64) {
        self.planned.entry(key).or_insert(Planned { adds, size });
    }

    /// The figures of one look at `now`: each move's state, the bytes each (partition, broker)
    /// holds for the moves in flight (`copied`), and the pace.
    pub fn look(
        &mut self,
        now: Instant,
        states: &[(Key, MoveState)],
        copied: &BTreeMap<(Key, i32), u64>,
        limits: Limits,
        holding: bool,
    ) -> Figures {
        let first = *self.first_look.get_or_insert(now);
        let mut figures = Figures {
            elapsed_seconds: now.saturating_duration_since(first).as_secs_f64(),
            done: 0,
            in_flight: 0,
            waiting: 0,
            total: states.len(),
            copied_bytes: 0,
            total_bytes: 0,
            rate_bytes_per_second: None,
            eta_seconds: None,
            slowest_broker: None,
            slowest_broker_remaining_bytes: 0,
            per_broker_limit: limits.per_broker,
            cluster_limit: limits.cluster,
            holding,
        };
        let mut remaining: BTreeMap<i32, u64> = BTreeMap::new();
        for (key, state) in states {
            match state {
                MoveState::Done => figures.done += 1,
                MoveState::InFlight => figures.in_flight += 1,
                MoveState::Pending => figures.waiting += 1,
            }
            let Some(planned) = self.planned.get(key) else {
                continue;
            };
            for &b in &planned.adds {
                let held = match state {
                    MoveState::Done => planned.size,
                    MoveState::InFlight => copied
                        .get(&(key.clone(), b))
                        .copied()
                        .unwrap_or(0)
                        .min(planned.size),
                    MoveState::Pending => 0,
                };
                figures.total_bytes += planned.size;
                figures.copied_bytes += held;
                *remaining.entry(b).or_default() += planned.size - held;
            }
        }
        if let Some((&broker, &bytes)) = remaining
            .iter()
            .filter(|(_, &bytes)| bytes > 0)
            .max_by_key(|(&b, &bytes)| (bytes, std::cmp::Reverse(b)))
        {
            figures.slowest_broker = Some(broker);
            figures.slowest_broker_remaining_bytes = bytes;
        }
        self.rate.observe(now, figures.copied_bytes);
        figures.rate_bytes_per_second = self.rate.rate().map(|r| r.round() as u64);
        figures.eta_seconds = self
            .rate
            .eta(figures.total_bytes - figures.copied_bytes)
            .map(|d| d.as_secs_f64().ceil() as u64);
        figures
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(p: i32) -> Key {
        ("t".to_string(), p)
    }

    const LIMITS: Limits = Limits {
        per_broker: 2,
        cluster: 4,
    };

    #[test]
    fn bytes_follow_the_moves_and_the_slowest_broker_has_most_left() {
        let t0 = Instant::now();
        let mut t = Transfer::new(Duration::from_secs(60));
        t.plan(key(0), vec![4], 1000);
        t.plan(key(1), vec![4, 5], 100);
        t.plan(key(2), vec![6], 300);
        let copied: BTreeMap<(Key, i32), u64> = [((key(1), 4), 50), ((key(1), 5), 500)]
            .into_iter()
            .collect();
        let states = [
            (key(0), MoveState::Pending),
            (key(1), MoveState::InFlight),
            (key(2), MoveState::Done),
            // Done before the apply started: no bytes.
            (key(3), MoveState::Done),
        ];
        let f = t.look(t0, &states, &copied, LIMITS, false);
        assert_eq!((f.done, f.in_flight, f.waiting, f.total), (2, 1, 1, 4));
        assert_eq!(f.total_bytes, 1000 + 200 + 300);
        // 50 on broker 4, 100 (capped at the size) on broker 5, 300 done.
        assert_eq!(f.copied_bytes, 450);
        assert_eq!(f.slowest_broker, Some(4));
        assert_eq!(f.slowest_broker_remaining_bytes, 1000 + 50);
        assert_eq!(f.rate_bytes_per_second, None);
        assert_eq!(f.eta_seconds, None);

        let states = [
            (key(0), MoveState::InFlight),
            (key(1), MoveState::Done),
            (key(2), MoveState::Done),
            (key(3), MoveState::Done),
        ];
        let copied: BTreeMap<(Key, i32), u64> = [((key(0), 4), 150)].into_iter().collect();
        let f = t.look(t0 + Duration::from_secs(2), &states, &copied, LIMITS, true);
        assert_eq!(f.copied_bytes, 150 + 200 + 300);
        assert_eq!(f.rate_bytes_per_second, Some(100));
        assert_eq!(f.eta_seconds, Some(9));
        assert_eq!(f.elapsed_seconds, 2.0);
        assert!(f.holding);
        assert_eq!(f.slowest_broker, Some(4));
    }

    #[test]
    fn all_done_means_no_slowest_broker_and_no_time_left() {
        let mut t = Transfer::new(Duration::from_secs(60));
        t.plan(key(0), vec![4], 10);
        let f = t.look(
            Instant::now(),
            &[(key(0), MoveState::Done)],
            &BTreeMap::new(),
            LIMITS,
            false,
        );
        assert_eq!((f.copied_bytes, f.total_bytes), (10, 10));
        assert_eq!(f.slowest_broker, None);
        assert_eq!(f.eta_seconds, Some(0));
    }
}
