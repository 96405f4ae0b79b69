//! `topic-balance`: each topic's replicas spread over the eligible brokers: per topic and broker,
//! within a band around the topic's mean, with Cruise Control's semantics
//! (`TopicReplicaDistributionGoal`): the band is a multiple of the mean (its
//! `topic.replica.count.balance.threshold`, default 3.0, applied with its 0.9 balance margin), and
//! reaches at least `min_gap` (2) and at most `max_gap` (40) replicas beyond the rounded mean.
//! A threshold of 1.1 with a minimum gap of 0 gives the strict form (about ±10% of the mean).

use kplace_placement::model::{BrokerIdx, PartitionIdx, TopicIdx};

use rayon::prelude::*;

use crate::action::Action;
use crate::config::GoalConfig;
use crate::goals::destinations::Rejections;
use crate::goals::{offender_state, Goal, GoalRun};
use crate::hard_failure::HardGoalFailure;
use crate::limits::Limits;
use crate::plan::GoalState;
use crate::state::{ClusterState, Proposal};

/// Destinations tried per replica moved off a broker.
const DESTINATIONS_PER_REPLICA: usize = 12;
/// Replicas tried per broker that pulls a topic's replicas.
const SOURCES_PER_BROKER: usize = 64;

/// Cruise Control's balance margin: its goals aim at 90% of the configured deviation.
pub const BALANCE_MARGIN: f64 = 0.9;

/// How wide each topic's band is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TopicBandSpec {
    /// A multiple of the topic's mean (Cruise Control's `topic.replica.count.balance.threshold`).
    pub threshold: f64,
    /// The band reaches at least this far beyond the rounded mean.
    pub min_gap: u32,
    /// The band reaches at most this far beyond the rounded mean.
    pub max_gap: u32,
}

impl TopicBandSpec {
    /// The spec of the configured thresholds.
    pub fn from_config(config: &GoalConfig) -> TopicBandSpec {
        TopicBandSpec {
            threshold: config.topic_balance_threshold,
            min_gap: config.topic_balance_min_gap,
            max_gap: config
                .topic_balance_max_gap
                .max(config.topic_balance_min_gap),
        }
    }
}

/// The allowed replicas of one topic per eligible broker `(lo, hi)` for a mean of `mean`:
/// `hi = ceil(mean × (1 + m))` and `lo = floor(mean × max(0, 1 − m))` with
/// `m = (threshold − 1) × 0.9`, then `hi` clamped to `ceil(mean) + [min_gap, max_gap]` and `lo`
/// to `floor(mean) − [max_gap, min_gap]` (never below 0), as Cruise Control computes its limits.
pub fn topic_band(spec: &TopicBandSpec, mean: f64) -> (u32, u32) {
    let margin = (spec.threshold - 1.0).max(0.0) * BALANCE_MARGIN;
    let hi = (mean * (1.0 + margin)).ceil();
    let lo = (mean * (1.0 - margin).max(0.0)).floor();
    let (min_gap, max_gap) = (f64::from(spec.min_gap), f64::from(spec.max_gap));
    let hi = hi.clamp(mean.ceil() + min_gap, mean.ceil() + max_gap);
    let lo = lo.clamp(
        (mean.floor() - max_gap).max(0.0),
        (mean.floor() - min_gap).max(0.0),
    );
    (lo as u32, hi as u32)
}

/// The topic-balance goal.
pub struct TopicBalanceGoal {
    spec: TopicBandSpec,
    /// Per topic: allowed replicas per eligible broker `(lo, hi)`.
    bounds: Vec<(u32, u32)>,
    eligible: Vec<bool>,
}

impl TopicBalanceGoal {
    /// The goal with the band of `spec` around each topic's mean.
    pub fn new(spec: TopicBandSpec) -> TopicBalanceGoal {
        TopicBalanceGoal {
            spec,
            bounds: Vec::new(),
            eligible: Vec::new(),
        }
    }

    fn range(&self, topic: TopicIdx, b: BrokerIdx) -> (u32, u32) {
        if self.eligible.get(b as usize).copied().unwrap_or(false) {
            self.bounds
                .get(topic as usize)
                .copied()
                .unwrap_or((0, u32::MAX))
        } else {
            (0, 0)
        }
    }

    fn excess(&self, topic: TopicIdx, b: BrokerIdx, count: u32) -> u32 {
        let (lo, hi) = self.range(topic, b);
        count.saturating_sub(hi) + lo.saturating_sub(count)
    }

    /// (topic, broker, count) outside the bounds.
    fn offenders(&self, state: &ClusterState<'_>) -> Vec<(TopicIdx, BrokerIdx, u32)> {
        let brokers = state.model().brokers().len() as BrokerIdx;
        (0..state.model().topics().len() as TopicIdx)
            .into_par_iter()
            .flat_map_iter(|t| {
                (0..brokers)
                    .map(move |b| (t, b, state.topic_count(t, b)))
                    .filter(|&(t, b, count)| self.excess(t, b, count) > 0)
            })
            .collect()
    }

    fn own_accepts(&self, proposal: &Proposal, state: &ClusterState<'_>, strictly: bool) -> bool {
        let model = state.model();
        let (mut was, mut will) = (0, 0);
        for c in &proposal.changes {
            let topic = model.partitions()[c.partition as usize].topic;
            for &b in c
                .old
                .iter()
                .chain(c.new.iter().filter(|b| !c.old.contains(b)))
            {
                let before = state.topic_count(topic, b);
                let after = before + u32::from(c.new.contains(&b)) - u32::from(c.old.contains(&b));
                let (e0, e1) = (self.excess(topic, b, before), self.excess(topic, b, after));
                if e1 > e0 {
                    return false;
                }
                was += e0;
                will += e1;
            }
        }
        !strictly || will < was
    }

    /// Moves replicas of topic `t` off broker `b` (above the topic's bound) onto `receivers`
    /// that have room for the topic, fewest of the topic first; copies the plan already makes
    /// are moved first.
    fn shed(
        &self,
        run: &mut GoalRun<'_, '_>,
        t: TopicIdx,
        b: BrokerIdx,
        receivers: &[BrokerIdx],
        rejections: &mut Rejections,
    ) {
        let model = run.state.model();
        let mut to: Vec<BrokerIdx> = receivers
            .iter()
            .copied()
            .filter(|&d| rejections.worth_trying(d))
            .filter(|&d| run.state.topic_count(t, d) < self.range(t, d).1)
            .collect();
        if to.is_empty() {
            return;
        }
        to.sort_by_key(|&d| {
            (
                run.state.topic_count(t, d),
                run.state.stats()[d as usize].replicas,
                d,
            )
        });
        let mut mine: Vec<PartitionIdx> = model.topics()[t as usize]
            .partitions
            .iter()
            .copied()
            .filter(|&p| run.state.replicas(p).contains(&b))
            .collect();
        // Copies the plan already makes first (moving them on copies nothing more).
        mine.sort_by_key(|&p| {
            (
                !run.state.is_new_copy(p, b),
                model.partitions()[p as usize].size,
                p,
            )
        });
        let own = |p: &Proposal, s: &ClusterState<'_>| self.own_accepts(p, s, true);
        for p in mine {
            if run.state.topic_count(t, b) <= self.range(t, b).1 {
                break;
            }
            let free: Vec<BrokerIdx> = to
                .iter()
                .copied()
                .filter(|&d| rejections.worth_trying(d) && !run.state.replicas(p).contains(&d))
                .take(DESTINATIONS_PER_REPLICA)
                .collect();
            for d in free {
                let action = Action::Move {
                    partition: p,
                    from: b,
                    to: d,
                };
                let applied = run.try_apply(action, own);
                rejections.record(d, applied);
                if applied {
                    break;
                }
            }
        }
    }

    /// Moves replicas of topic `t` onto broker `b` (below the topic's bound) from the brokers
    /// holding the most of the topic.
    fn pull(
        &self,
        run: &mut GoalRun<'_, '_>,
        t: TopicIdx,
        b: BrokerIdx,
        rejections: &mut Rejections,
    ) {
        let model = run.state.model();
        let mut from: Vec<(u32, PartitionIdx, BrokerIdx)> = model.topics()[t as usize]
            .partitions
            .iter()
            .filter(|&&p| !run.state.replicas(p).contains(&b))
            .flat_map(|&p| run.state.replicas(p).iter().map(move |&s| (p, s)))
            .map(|(p, s)| (u32::MAX - run.state.topic_count(t, s), p, s))
            .collect();
        from.sort_unstable();
        let own = |p: &Proposal, s: &ClusterState<'_>| self.own_accepts(p, s, true);
        for (_, p, s) in from.into_iter().take(SOURCES_PER_BROKER) {
            if run.state.topic_count(t, b) >= self.range(t, b).0 || !rejections.worth_trying(b) {
                break;
            }
            if !run.state.replicas(p).contains(&b) {
                let action = Action::Move {
                    partition: p,
                    from: s,
                    to: b,
                };
                let applied = run.try_apply(action, own);
                rejections.record(b, applied);
            }
        }
    }
}

impl Goal for TopicBalanceGoal {
    fn name(&self) -> &str {
        "topic-balance"
    }

    fn hard(&self) -> bool {
        false
    }

    fn prepare(&mut self, state: &ClusterState<'_>, _limits: &Limits) {
        let model = state.model();
        self.eligible = model.brokers().iter().map(|b| b.eligible()).collect();
        let eligible = self.eligible.iter().filter(|&&e| e).count().max(1) as f64;
        self.bounds = model
            .topics()
            .iter()
            .map(|topic| {
                let replicas: usize = topic
                    .partitions
                    .iter()
                    .map(|&p| state.replicas(p).len())
                    .sum();
                topic_band(&self.spec, replicas as f64 / eligible)
            })
            .collect();
    }

    fn state(&self, state: &ClusterState<'_>) -> GoalState {
        let model = state.model();
        let offenders = self.offenders(state);
        let score = offenders
            .iter()
            .map(|&(t, b, c)| f64::from(self.excess(t, b, c)))
            .sum::<f64>()
            + 0.0;
        offender_state(&offenders, score, |&(t, b, c)| {
            let (lo, hi) = self.range(t, b);
            format!(
                "topic {} on broker {}: {c} replicas outside {lo}..={hi}",
                model.topics()[t as usize].name,
                model.brokers()[b as usize].id
            )
        })
    }

    fn optimize(&self, run: &mut GoalRun<'_, '_>) -> Result<(), HardGoalFailure> {
        let model = run.state.model();
        let receivers: Vec<BrokerIdx> = (0..model.brokers().len() as BrokerIdx)
            .filter(|&d| run.limits.may_receive(model, d))
            .collect();
        let mut rejections = Rejections::new(model.brokers().len());
        for (t, b, _) in self.offenders(run.state) {
            if run.state.topic_count(t, b) > self.range(t, b).1 {
                self.shed(run, t, b, &receivers, &mut rejections);
            } else if receivers.binary_search(&b).is_ok() && rejections.worth_trying(b) {
                self.pull(run, t, b, &mut rejections);
            }
        }
        Ok(())
    }

    fn accepts(&self, proposal: &Proposal, state: &ClusterState<'_>) -> bool {
        self.own_accepts(proposal, state, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CC: TopicBandSpec = TopicBandSpec {
        threshold: 3.0,
        min_gap: 2,
        max_gap: 40,
    };

    #[test]
    fn cruise_control_defaults() {
        // A small topic (mean 0.075): the minimum gap allows up to 3 per broker.
        assert_eq!(topic_band(&CC, 0.075), (0, 3));
        // Mean 10: 2.8 × 10 = 28; the lower limit is 0 (1 − 1.8 < 0).
        assert_eq!(topic_band(&CC, 10.0), (0, 28));
        // Mean 100: 280 is capped at 100 + 40.
        assert_eq!(topic_band(&CC, 100.0), (60, 140));
    }

    #[test]
    fn strict_form() {
        let strict = TopicBandSpec {
            threshold: 1.1,
            min_gap: 0,
            max_gap: 40,
        };
        assert_eq!(topic_band(&strict, 10.0), (9, 11));
        assert_eq!(topic_band(&strict, 0.075), (0, 1));
        assert_eq!(topic_band(&strict, 10.5), (9, 12));
    }
}
