//! Every plan's yardstick: for each counting and resource soft goal, the best value any
//! placement meeting the hard goals can reach, computed from the policy and the cluster alone
//! (never from the heuristic's result), and the least any plan reaching the plan's goal states
//! must copy.
//!
//! - `replica-balance`: the fewest replicas the fullest broker can hold: the mean, and for every
//!   set of brokers the policy forces replicas into (a cell, a label value: [`forced`]) those
//!   replicas over its brokers, and what the operation keeps in place ([`operation`]: a drain's
//!   settled replicas, a scale-out's brokers that may not receive).
//! - `leader-balance`: the fewest leaders the most-leading broker can hold: the flow optimum
//!   over who may lead each partition ([`leaders`]: Hall's condition over candidate sets).
//! - `topic-balance`: the fewest (topic, broker) pairs outside the topic's band: one per cell
//!   whose forced replicas of the topic exceed the band on every broker of the cell.
//! - `disk-balance`, `network-in-balance`: the lowest max/mean: the mean, the largest replica,
//!   and every forced set's load over its brokers (replicas cannot be split).
//! - `network-out-balance`: the lowest max/mean: the mean, the largest leader load, and the
//!   fractional flow over who may lead ([`leaders::least_max`] weighted by network out).
//! - `cpu-balance`: the lowest max/mean: the mean, the largest leader CPU, and every forced
//!   set's follower CPU over its brokers.
//!
//! A bound the plan reaches is labelled exact (nothing can do better), otherwise relaxed.

pub mod forced;
pub mod leaders;
pub mod moves;
pub mod operation;

use kplace_placement::model::{BrokerIdx, ClusterModel};

use crate::config::GoalConfig;
use crate::goals::band::stable;
use crate::goals::topic_balance::{topic_band, TopicBandSpec};
use crate::load_model::broker_stats;
use crate::plan::{BoundKind, GoalBound};
use crate::resource::Resource;
use forced::ForcedSet;
use leaders::CandidateSet;
use operation::Kept;

/// What the bounds of one plan are computed from.
pub struct BoundInputs<'a> {
    /// The model.
    pub model: &'a ClusterModel,
    /// Replica lists before the plan.
    pub before: &'a [Vec<BrokerIdx>],
    /// Replica lists after the plan.
    pub after: &'a [Vec<BrokerIdx>],
    /// Thresholds (for the bands the "why" lines compare with).
    pub config: &'a GoalConfig,
    /// Per broker: may lead (eligible and not demoted).
    pub may_lead: Vec<bool>,
    /// The forced sets of the policy ([`forced::forced_sets`]).
    pub forced: Vec<ForcedSet>,
    /// Who may lead each partition ([`leaders::candidate_sets`]).
    pub candidates: Vec<CandidateSet>,
    /// What the operation keeps in place ([`operation::Kept`]; none unless
    /// [`BoundInputs::with_kept`]).
    pub kept: Kept,
}

impl<'a> BoundInputs<'a> {
    /// The inputs of a plan from `before` to `after`.
    pub fn new(
        model: &'a ClusterModel,
        before: &'a [Vec<BrokerIdx>],
        after: &'a [Vec<BrokerIdx>],
        config: &'a GoalConfig,
        demoted: &[bool],
    ) -> Self {
        let may_lead: Vec<bool> = model
            .brokers()
            .iter()
            .enumerate()
            .map(|(b, broker)| broker.eligible() && !demoted.get(b).copied().unwrap_or(false))
            .collect();
        BoundInputs {
            model,
            before,
            after,
            config,
            candidates: leaders::candidate_sets(model, after, &may_lead),
            may_lead,
            forced: forced::forced_sets(model, after),
            kept: Kept::default(),
        }
    }

    /// The same inputs, with what the operation keeps in place.
    #[must_use]
    pub fn with_kept(mut self, kept: Kept) -> Self {
        self.kept = kept;
        self
    }

    fn eligible(&self) -> Vec<BrokerIdx> {
        (0..self.model.brokers().len() as BrokerIdx)
            .filter(|&b| self.model.brokers()[b as usize].eligible())
            .collect()
    }

    /// The bound of the goal called `name`, when kplace computes one for it.
    pub fn goal(&self, name: &str) -> Option<GoalBound> {
        match name {
            "replica-balance" => Some(self.replicas()),
            "leader-balance" => Some(self.leaders()),
            "topic-balance" => Some(self.topics()),
            "disk-balance" => Some(self.load(Resource::Disk)),
            "network-in-balance" => Some(self.load(Resource::NetworkIn)),
            "network-out-balance" => Some(self.load(Resource::NetworkOut)),
            "cpu-balance" => Some(self.load(Resource::Cpu)),
            _ => None,
        }
    }

    fn replicas(&self) -> GoalBound {
        let model = self.model;
        let eligible = self.eligible();
        let most = |assignment: &[Vec<BrokerIdx>]| {
            let stats = broker_stats(model, assignment);
            stats.iter().map(|s| s.replicas).max().unwrap_or(0) as f64
        };
        let total: u64 = self
            .after
            .iter()
            .enumerate()
            .map(|(p, r)| u64::from(model.target_replication_factor(p as u32, r)))
            .sum();
        let mean = total.div_ceil(eligible.len().max(1) as u64);
        let worst = self
            .forced
            .iter()
            .max_by_key(|s| (s.per_broker(), s.brokers.len()));
        let bound = mean
            .max(worst.map_or(0, |s| s.per_broker()))
            .max(self.kept.least_max(&eligible, total));
        let hi = (total as f64 / eligible.len().max(1) as f64
            * (1.0 + self.config.replica_balance_threshold))
            .ceil();
        let why = worst
            .filter(|s| s.per_broker() as f64 > hi)
            .map(|s| self.forced_why(s, "replicas"));
        finish(
            "most replicas on one broker",
            most(self.before),
            most(self.after),
            bound as f64,
            why,
        )
    }

    /// "broker 8 must hold at least 18 replicas: the only eligible broker of zone=az2,
    /// cluster=k8s-b for 18 partitions of rule 1".
    fn forced_why(&self, set: &ForcedSet, what: &str) -> String {
        let ids = self.model.broker_ids(&set.brokers);
        let rules = set
            .rules
            .iter()
            .map(|r| (r + 1).to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let (who, only) = if ids.len() == 1 {
            (
                format!("broker {}", ids[0]),
                "the only eligible broker".to_string(),
            )
        } else {
            (
                format!(
                    "brokers {}",
                    ids.iter()
                        .map(|i| i.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                format!("the {} eligible brokers", ids.len()),
            )
        };
        let each = if ids.len() == 1 { "" } else { " each" };
        format!(
            "{who} must hold at least {} {what}{each}: {only} of {} for {} replicas of {} partitions of rule {rules}",
            set.per_broker(),
            set.name,
            set.replicas(),
            set.partitions.len()
        )
    }

    fn leaders(&self) -> GoalBound {
        let model = self.model;
        let most = |assignment: &[Vec<BrokerIdx>]| {
            let stats = broker_stats(model, assignment);
            stats.iter().map(|s| s.leaders).max().unwrap_or(0) as f64
        };
        let leaders = self.after.iter().filter(|r| !r.is_empty()).count() as u64;
        let brokers = self.may_lead.iter().filter(|&&m| m).count().max(1) as u64;
        let (crowded, union, _) = leaders::least_max(&self.candidates, |_| 1.0);
        let flow = (crowded - 1e-9).ceil().max(0.0) as u64;
        let bound = leaders.div_ceil(brokers).max(flow);
        let mean = leaders as f64 / brokers as f64;
        let hi = (mean * (1.0 + self.config.leader_balance_threshold)).ceil();
        let why = (bound as f64 > hi).then(|| {
            let ids = self.model.broker_ids(&union);
            format!(
                "brokers {} must lead at least {bound} partitions each: the only brokers that may lead {} partitions",
                ids.iter()
                    .map(|i| i.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                (crowded * union.len() as f64).round()
            )
        });
        finish(
            "most leaders on one broker",
            most(self.before),
            most(self.after),
            bound as f64,
            why,
        )
    }

    fn topics(&self) -> GoalBound {
        let model = self.model;
        let eligible = self.eligible();
        let spec = TopicBandSpec::from_config(self.config);
        let band = |t: usize, assignment: &[Vec<BrokerIdx>]| {
            let replicas: usize = model.topics()[t]
                .partitions
                .iter()
                .map(|&p| assignment[p as usize].len())
                .sum();
            topic_band(&spec, replicas as f64 / eligible.len().max(1) as f64)
        };
        let outside = |assignment: &[Vec<BrokerIdx>]| {
            let mut count = 0u64;
            let mut per_broker = vec![0u32; model.brokers().len()];
            for t in 0..model.topics().len() {
                let (lo, hi) = band(t, assignment);
                for &p in &model.topics()[t].partitions {
                    for &b in &assignment[p as usize] {
                        per_broker[b as usize] += 1;
                    }
                }
                for (b, n) in per_broker.iter_mut().enumerate() {
                    let (lo, hi) = if model.brokers()[b].eligible() {
                        (lo, hi)
                    } else {
                        (0, 0)
                    };
                    count += u64::from(*n < lo || *n > hi);
                    *n = 0;
                }
            }
            count as f64
        };
        // Cells of a topic's rule are disjoint: each whose forced share of the topic exceeds the
        // band on every broker holds at least one broker outside it.
        let mut bound = 0u64;
        let mut why = None;
        let mut per_topic = vec![0u64; model.topics().len()];
        for set in &self.forced {
            for &(p, n) in &set.partitions {
                let t = model.partitions()[p as usize].topic;
                if set.cell_of.contains(&model.topics()[t as usize].rule) {
                    per_topic[t as usize] += u64::from(n);
                }
            }
            for (t, n) in per_topic.iter_mut().enumerate() {
                if *n > 0 {
                    let hi = u64::from(band(t, self.after).1);
                    if n.div_ceil(set.brokers.len().max(1) as u64) > hi {
                        bound += 1;
                        why.get_or_insert_with(|| {
                            format!(
                                "topic {} puts at least {n} replicas on the {} eligible broker(s) of {}, above its band of {hi} per broker",
                                model.topics()[t].name,
                                set.brokers.len(),
                                set.name
                            )
                        });
                    }
                    *n = 0;
                }
            }
        }
        finish(
            "(topic, broker) pairs outside the topic's band",
            outside(self.before),
            outside(self.after),
            bound as f64,
            why,
        )
    }

    fn load(&self, resource: Resource) -> GoalBound {
        let model = self.model;
        let eligible = self.eligible();
        // Every replica carries the follower load and one of them the leader's extra, so the
        // total is fixed whoever leads.
        let total: f64 = self
            .after
            .iter()
            .enumerate()
            .filter(|(_, r)| !r.is_empty())
            .map(|(p, r)| {
                let p = p as u32;
                let follower = resource.replica_load(model, p, false);
                r.len() as f64 * follower + resource.replica_load(model, p, true) - follower
            })
            .sum();
        let mean = total / eligible.len().max(1) as f64;
        let ratio = |assignment: &[Vec<BrokerIdx>]| {
            let stats = broker_stats(model, assignment);
            let max = stats.iter().map(|s| resource.of(s)).fold(0.0, f64::max);
            if mean > 0.0 {
                max / mean
            } else {
                1.0
            }
        };
        let largest = (0..model.partitions().len() as u32)
            .filter(|&p| !self.after[p as usize].is_empty())
            .map(|p| resource.replica_load(model, p, true))
            .fold(0.0, f64::max);
        let mut bound = mean.max(largest);
        let mut why = None;
        let hi = mean * (1.0 + self.config.resource_balance_threshold);
        if largest > hi {
            why = Some(format!(
                "the largest replica alone is {:.2}× the mean {}",
                largest / mean,
                resource.name()
            ));
        }
        if resource == Resource::NetworkOut {
            // Only leaders carry network out: the flow over who may lead, weighted by it.
            let (per, union, _) =
                leaders::least_max(&self.candidates, |p| resource.replica_load(model, p, true));
            if per > bound {
                bound = per;
                if per > hi {
                    why = Some(format!(
                        "the {} broker(s) that may lead some partitions must serve {:.2}× the mean network-out each",
                        union.len(),
                        per / mean
                    ));
                }
            }
        }
        for set in &self.forced {
            let forced: f64 = set
                .partitions
                .iter()
                .map(|&(p, n)| f64::from(n) * resource.replica_load(model, p, false))
                .sum();
            let per = forced / set.brokers.len().max(1) as f64;
            if per > bound {
                bound = per;
                if per > hi {
                    why = Some(format!(
                        "the {} eligible broker(s) of {} must hold {:.2}× the mean {} each: forced replicas of {} partitions",
                        set.brokers.len(),
                        set.name,
                        per / mean,
                        resource.name(),
                        set.partitions.len()
                    ));
                }
            }
        }
        let bound = if mean > 0.0 { bound / mean } else { 1.0 };
        finish(
            &format!("highest {} over the mean", resource.name()),
            ratio(self.before),
            ratio(self.after),
            bound,
            why,
        )
    }
}

/// A goal bound, exact when the plan reaches it (up to float rounding). Figures are kept to nine
/// significant digits so that they read back from PLAN.json unchanged; the bound is rounded down,
/// so that it stays a lower bound.
fn finish(metric: &str, before: f64, after: f64, bound: f64, why: Option<String>) -> GoalBound {
    let (before, after, bound) = (stable(before), stable(after), stable_down(bound));
    let kind = if after <= bound * (1.0 + 1e-8) {
        BoundKind::Exact
    } else {
        BoundKind::Relaxed
    };
    GoalBound {
        metric: metric.to_string(),
        before,
        after,
        bound,
        kind,
        why,
    }
}

/// `value` rounded down to nine significant digits (positive values; others unchanged).
fn stable_down(value: f64) -> f64 {
    if value <= 0.0 || !value.is_finite() {
        return value;
    }
    let scale = 10f64.powi(8 - value.log10().floor() as i32);
    let down = (value * scale).floor() / scale;
    // The division may round up past `value`; step below it then.
    if down > value {
        down - 1.0 / scale
    } else {
        down
    }
}
