//! The pace of an apply, adapted to the cluster's health: pure logic, no I/O.
//!
//! Concurrency starts at the configured [`Limits`] (the ceiling) and follows additive increase,
//! multiplicative decrease (AIMD):
//! - when the cluster is in trouble ([`Health`]: partitions under-replicated for a reason other
//!   than kplace's own moves, partitions under min ISR, ISR shrinks), both limits are halved
//!   (never below 1) and new submissions are held; while the trouble lasts they are halved again
//!   every [`PaceSettings::step`];
//! - once the cluster is healthy, submissions resume at the lowered limits, and after every
//!   `step` of health in a row the limits rise by one step (per broker +1, cluster + its
//!   ceiling / the per-broker ceiling), back up to the ceiling, never above.
//!
//! Every change is returned as a [`PaceChange`] with its reason, for the caller to log.
//! The throttle rate follows the cluster limit ([`Pace::rate`]): `--throttle` is its ceiling.

use std::time::{Duration, Instant};

use crate::batching::Limits;

/// How long the cluster must stay healthy before each step up (and how long trouble must last
/// before a second halving) when none is given.
pub const DEFAULT_PACE_STEP: Duration = Duration::from_secs(30);

/// How the pace adapts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct PaceSettings {
    /// Time of health before each step up; time of trouble before each further halving.
    pub step: Duration,
}

impl Default for PaceSettings {
    fn default() -> Self {
        PaceSettings {
            step: DEFAULT_PACE_STEP,
        }
    }
}

/// What one look at the cluster found wrong (empty lists: healthy).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Health {
    /// Partitions with a replica out of the ISR that no move of kplace's explains.
    pub under_replicated: Vec<(String, i32)>,
    /// Partitions with fewer in-sync replicas than their `min.insync.replicas`.
    pub under_min_isr: Vec<(String, i32)>,
    /// Replicas that left a partition's ISR since the last look: topic, partition, broker.
    pub isr_shrinks: Vec<(String, i32, i32)>,
}

impl Health {
    /// Whether nothing is wrong.
    pub fn healthy(&self) -> bool {
        self.under_replicated.is_empty()
            && self.under_min_isr.is_empty()
            && self.isr_shrinks.is_empty()
    }

    /// What is wrong, in words naming up to three partitions of each kind, e.g.
    /// `2 partitions under min ISR (t-0, t-1); 1 ISR shrink (t-3 lost broker 4)`.
    pub fn reason(&self) -> String {
        fn names<T>(items: &[T], name: impl Fn(&T) -> String) -> String {
            let mut shown: Vec<String> = items.iter().take(3).map(name).collect();
            if items.len() > 3 {
                shown.push(format!("and {} more", items.len() - 3));
            }
            shown.join(", ")
        }
        let mut parts = Vec::new();
        if !self.under_min_isr.is_empty() {
            parts.push(format!(
                "{} partitions under min ISR ({})",
                self.under_min_isr.len(),
                names(&self.under_min_isr, |(t, p)| format!("{t}-{p}"))
            ));
        }
        if !self.under_replicated.is_empty() {
            parts.push(format!(
                "{} partitions under-replicated, not by kplace's moves ({})",
                self.under_replicated.len(),
                names(&self.under_replicated, |(t, p)| format!("{t}-{p}"))
            ));
        }
        if !self.isr_shrinks.is_empty() {
            parts.push(format!(
                "{} ISR shrinks ({})",
                self.isr_shrinks.len(),
                names(&self.isr_shrinks, |(t, p, b)| format!(
                    "{t}-{p} lost broker {b}"
                ))
            ));
        }
        if parts.is_empty() {
            "cluster healthy".into()
        } else {
            parts.join("; ")
        }
    }
}

/// One change of pace and why.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PaceChange {
    /// Limits before.
    pub from: Limits,
    /// Limits after.
    pub to: Limits,
    /// Whether new submissions are held from now on.
    pub holding: bool,
    /// Why, in words (see [`Health::reason`]).
    pub reason: String,
}

impl PaceChange {
    /// A change from `from` to `to`, holding new submissions or not, for `reason`.
    pub fn new(from: Limits, to: Limits, holding: bool, reason: impl Into<String>) -> Self {
        PaceChange {
            from,
            to,
            holding,
            reason: reason.into(),
        }
    }
}

/// The AIMD controller. See the module docs.
#[derive(Debug, Clone)]
pub struct Pace {
    ceiling: Limits,
    current: Limits,
    settings: PaceSettings,
    trouble: bool,
    /// When the current trouble began.
    trouble_since: Option<Instant>,
    /// Last halving (in trouble) or start of health / last step up (healthy).
    since: Instant,
}

impl Pace {
    /// A controller starting at `ceiling` (each limit at least 1) at `now`.
    pub fn new(ceiling: Limits, settings: PaceSettings, now: Instant) -> Self {
        let ceiling = Limits {
            per_broker: ceiling.per_broker.max(1),
            cluster: ceiling.cluster.max(1),
        };
        Pace {
            ceiling,
            current: ceiling,
            settings,
            trouble: false,
            trouble_since: None,
            since: now,
        }
    }

    /// The limits to batch with now.
    pub fn limits(&self) -> Limits {
        self.current
    }

    /// Whether new submissions are held (the cluster is in trouble).
    pub fn holding(&self) -> bool {
        self.trouble
    }

    /// How long submissions have been held (zero when not holding).
    pub fn held_for(&self, now: Instant) -> Duration {
        match self.trouble_since {
            Some(start) => now.saturating_duration_since(start),
            None => Duration::ZERO,
        }
    }

    /// The throttle rate at this pace given the `ceiling` rate: scaled by the cluster limit's
    /// share of its ceiling, at least 1 byte per second, never above `ceiling`.
    pub fn rate(&self, ceiling: u64) -> u64 {
        let scaled =
            (ceiling as u128 * self.current.cluster as u128 / self.ceiling.cluster as u128) as u64;
        scaled.clamp(1.min(ceiling), ceiling)
    }

    /// Records one look at the cluster; returns the change of pace it causes, if any.
    pub fn observe(&mut self, now: Instant, health: &Health) -> Option<PaceChange> {
        let from = self.current;
        let elapsed = now.saturating_duration_since(self.since);
        if !health.healthy() {
            let onset = !self.trouble;
            if !onset && (elapsed < self.settings.step || from == one()) {
                return None;
            }
            self.trouble = true;
            self.trouble_since.get_or_insert(now);
            self.since = now;
            self.current = Limits {
                per_broker: (from.per_broker / 2).max(1),
                cluster: (from.cluster / 2).max(1),
            };
            return Some(PaceChange {
                from,
                to: self.current,
                holding: true,
                reason: if onset {
                    health.reason()
                } else {
                    format!(
                        "still in trouble after {:?}: {}",
                        self.settings.step,
                        health.reason()
                    )
                },
            });
        }
        if self.trouble {
            self.trouble = false;
            self.trouble_since = None;
            self.since = now;
            return Some(PaceChange {
                from,
                to: from,
                holding: false,
                reason: "cluster healthy again: submissions resume".into(),
            });
        }
        if from == self.ceiling || elapsed < self.settings.step {
            return None;
        }
        self.since = now;
        let cluster_step = (self.ceiling.cluster / self.ceiling.per_broker).max(1);
        self.current = Limits {
            per_broker: (from.per_broker + 1).min(self.ceiling.per_broker),
            cluster: (from.cluster + cluster_step).min(self.ceiling.cluster),
        };
        Some(PaceChange {
            from,
            to: self.current,
            holding: false,
            reason: format!("cluster healthy for {:?}", self.settings.step),
        })
    }
}

fn one() -> Limits {
    Limits {
        per_broker: 1,
        cluster: 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const STEP: Duration = Duration::from_secs(10);

    fn limits(per_broker: usize, cluster: usize) -> Limits {
        Limits {
            per_broker,
            cluster,
        }
    }

    fn trouble() -> Health {
        Health {
            under_min_isr: vec![("t".into(), 0)],
            ..Health::default()
        }
    }

    fn pace(ceiling: Limits, start: Instant) -> Pace {
        Pace::new(ceiling, PaceSettings { step: STEP }, start)
    }

    #[test]
    fn trouble_halves_and_holds_then_health_resumes_and_recovers_step_by_step() {
        let t0 = Instant::now();
        let mut p = pace(limits(5, 100), t0);
        assert_eq!(p.observe(t0, &Health::default()), None);
        let change = p.observe(t0 + STEP / 2, &trouble()).expect("halved");
        assert_eq!(change.to, limits(2, 50));
        assert!(change.holding && p.holding());
        assert!(
            change.reason.contains("under min ISR (t-0)"),
            "{}",
            change.reason
        );
        // Trouble that lasts less than a step does not halve again.
        assert_eq!(p.observe(t0 + STEP, &trouble()), None);
        let resumed = p.observe(t0 + STEP, &Health::default()).expect("resumed");
        assert!(!resumed.holding && !p.holding());
        assert_eq!(resumed.to, limits(2, 50));
        // Not healthy long enough yet.
        assert_eq!(p.observe(t0 + STEP + STEP / 2, &Health::default()), None);
        let mut now = t0 + STEP;
        let mut seen = vec![p.limits()];
        while p.limits() != limits(5, 100) {
            now += STEP;
            let change = p.observe(now, &Health::default()).expect("a step up");
            assert!(change.to.per_broker >= change.from.per_broker);
            assert!(change.to.cluster > change.from.cluster);
            seen.push(change.to);
        }
        assert_eq!(
            seen,
            vec![limits(2, 50), limits(3, 70), limits(4, 90), limits(5, 100)]
        );
        assert_eq!(p.observe(now + STEP * 5, &Health::default()), None);
    }

    #[test]
    fn lasting_trouble_halves_again_each_step_down_to_one() {
        let t0 = Instant::now();
        let mut p = pace(limits(4, 8), t0);
        let mut now = t0;
        let mut seen = Vec::new();
        for _ in 0..6 {
            if let Some(c) = p.observe(now, &trouble()) {
                seen.push(c.to);
            }
            now += STEP;
        }
        assert_eq!(seen, vec![limits(2, 4), limits(1, 2), limits(1, 1)]);
        assert!(p.holding());
    }

    #[test]
    fn rate_follows_the_cluster_limit_under_its_ceiling() {
        let t0 = Instant::now();
        let mut p = pace(limits(5, 100), t0);
        assert_eq!(p.rate(1000), 1000);
        p.observe(t0, &trouble());
        assert_eq!(p.rate(1000), 500);
        assert_eq!(p.rate(1), 1);
    }

    #[test]
    fn reason_names_partitions_and_brokers() {
        let health = Health {
            under_replicated: (0..5).map(|p| ("a".to_string(), p)).collect(),
            under_min_isr: vec![],
            isr_shrinks: vec![("b".into(), 2, 7)],
        };
        let reason = health.reason();
        assert!(reason.contains("5 partitions under-replicated"), "{reason}");
        assert!(reason.contains("a-0, a-1, a-2, and 2 more"), "{reason}");
        assert!(reason.contains("b-2 lost broker 7"), "{reason}");
    }

    proptest! {
        /// Whatever the cluster does, the limits stay within 1..=ceiling, trouble never raises
        /// them and always holds, and enough health brings them back to the ceiling.
        #[test]
        fn limits_stay_within_bounds_and_recover(
            per_broker in 1usize..20,
            cluster in 1usize..500,
            looks in proptest::collection::vec((0u64..30, any::<bool>()), 0..60),
        ) {
            let ceiling = limits(per_broker, cluster);
            let t0 = Instant::now();
            let mut p = pace(ceiling, t0);
            let mut now = t0;
            for (seconds, healthy) in looks {
                now += Duration::from_secs(seconds);
                let before = p.limits();
                let health = if healthy { Health::default() } else { trouble() };
                let change = p.observe(now, &health);
                let after = p.limits();
                prop_assert!(after.per_broker >= 1 && after.per_broker <= per_broker);
                prop_assert!(after.cluster >= 1 && after.cluster <= cluster);
                if let Some(c) = &change {
                    prop_assert_eq!(c.from, before);
                    prop_assert_eq!(c.to, after);
                    prop_assert!(!c.reason.is_empty());
                }
                if healthy {
                    prop_assert!(!p.holding());
                    prop_assert!(after.per_broker >= before.per_broker && after.cluster >= before.cluster);
                } else {
                    prop_assert!(p.holding());
                    prop_assert!(after.per_broker <= before.per_broker && after.cluster <= before.cluster);
                    if change.is_some() {
                        prop_assert_eq!(after.per_broker, (before.per_broker / 2).max(1));
                        prop_assert_eq!(after.cluster, (before.cluster / 2).max(1));
                    }
                }
            }
            // Recovery: per broker needs at most `per_broker` steps, the cluster limit at most
            // `per_broker` + 1 steps of ceiling / per_broker (and one look to resume).
            for _ in 0..(per_broker + cluster + 2) {
                now += STEP;
                p.observe(now, &Health::default());
            }
            prop_assert_eq!(p.limits(), ceiling);
        }
    }
}
