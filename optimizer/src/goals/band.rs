//! Per-broker bands: every broker's value of one resource must lie within `[lo, hi]`.
//!
//! A balance goal is a band around the mean over eligible brokers (±threshold); the capacity goal
//! is a band under each broker's capacity. A band accepts an action when no broker the action
//! touches ends further outside the band than it was.

use kplace_placement::model::BrokerIdx;

use crate::goals::rebalance::rebalance;
use crate::goals::{offender_state, Goal, GoalRun};
use crate::hard_failure::HardGoalFailure;
use crate::limits::Limits;
use crate::plan::GoalState;
use crate::resource::Resource;
use crate::state::{ClusterState, Proposal};

/// The least a replica move must bring a load balance band (disk, network, CPU) closer: a
/// thousandth of the mean broker load, summed over the brokers it touches. A move that gains less
/// does not earn its bytes. Count bands (replicas, leaders) change by whole units, so any gain
/// counts; capacity bands (mean 0) take any gain, since they are hard.
pub const MIN_IMPROVEMENT: f64 = 0.001;

/// Bounds of one resource per broker.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Band {
    /// The resource bounded.
    pub resource: Option<Resource>,
    /// Lowest allowed value per broker.
    pub lo: Vec<f64>,
    /// Highest allowed value per broker.
    pub hi: Vec<f64>,
    /// The mean the band was built around (for messages; 0 for capacity bands).
    pub mean: f64,
}

impl Band {
    /// The band `mean × (1 ± threshold)` over eligible brokers; ineligible brokers must hold
    /// nothing. Counts round outwards (a mean of 10.5 at ±10% allows 9..=12).
    pub fn around_mean(state: &ClusterState<'_>, resource: Resource, threshold: f64) -> Band {
        let model = state.model();
        let total: f64 = state.stats().iter().map(|s| resource.of(s)).sum();
        let eligible = model.eligible_broker_count();
        let mean = total / eligible as f64;
        let (mut lo, mut hi) = (mean * (1.0 - threshold), mean * (1.0 + threshold));
        if resource.is_count() {
            (lo, hi) = (lo.floor(), hi.ceil());
        }
        let pick = |eligible: bool, value: f64| if eligible { value } else { 0.0 };
        Band {
            resource: Some(resource),
            lo: model
                .brokers()
                .iter()
                .map(|b| pick(b.eligible(), lo))
                .collect(),
            hi: model
                .brokers()
                .iter()
                .map(|b| pick(b.eligible(), hi))
                .collect(),
            mean,
        }
    }

    /// The band `0 ..= threshold × capacity` on brokers whose capacity the snapshot gives.
    pub fn under_capacity(state: &ClusterState<'_>, resource: Resource, threshold: f64) -> Band {
        let model = state.model();
        Band {
            resource: Some(resource),
            lo: vec![f64::NEG_INFINITY; model.brokers().len()],
            hi: model
                .brokers()
                .iter()
                .map(|b| {
                    resource
                        .capacity(&b.capacity)
                        .map_or(f64::INFINITY, |c| c * threshold)
                })
                .collect(),
            mean: 0.0,
        }
    }

    /// The band `0 ..= max` on every broker.
    pub fn at_most(state: &ClusterState<'_>, resource: Resource, max: f64) -> Band {
        let brokers = state.model().brokers().len();
        Band {
            resource: Some(resource),
            lo: vec![f64::NEG_INFINITY; brokers],
            hi: vec![max; brokers],
            mean: 0.0,
        }
    }

    fn resource(&self) -> Resource {
        self.resource.unwrap_or(Resource::Replicas)
    }

    /// Where the spread rules force more replicas into a set of brokers than the band allows
    /// ([`crate::bounds::forced`]), raises those brokers' upper edge to the least the fullest of
    /// them can hold: the goal then aims at the best value the hard goals allow (evening the
    /// set out) instead of turning down every move into the set.
    pub fn reach_forced(&mut self, state: &ClusterState<'_>) {
        for set in crate::bounds::forced::forced_sets(state.model(), state.assignment()) {
            let least = set.per_broker() as f64;
            for &b in &set.brokers {
                let hi = &mut self.hi[b as usize];
                if least > *hi {
                    *hi = least;
                }
            }
        }
    }

    /// How far `value` lies outside broker `b`'s band (0 inside).
    pub fn excess(&self, b: BrokerIdx, value: f64) -> f64 {
        let (lo, hi) = (self.lo[b as usize], self.hi[b as usize]);
        let slack = 1e-9 * hi.abs().clamp(1.0, 1e12);
        if value > hi + slack {
            value - hi
        } else if value < lo - slack {
            lo - value
        } else {
            0.0
        }
    }

    /// Broker `b`'s excess in `state`.
    pub fn broker_excess(&self, state: &ClusterState<'_>, b: BrokerIdx) -> f64 {
        self.excess(b, self.resource().of(&state.stats()[b as usize]))
    }

    /// True when no broker the proposal touches ends further outside the band.
    pub fn accepts(&self, proposal: &Proposal) -> bool {
        let resource = self.resource();
        proposal.brokers.iter().all(|(b, before, after)| {
            let (was, will) = (
                self.excess(*b, resource.of(before)),
                self.excess(*b, resource.of(after)),
            );
            will <= was * (1.0 + 1e-12)
        })
    }

    /// True when the proposal reduces the total excess of the brokers it touches; by at least
    /// [`MIN_IMPROVEMENT`] of the mean when it copies data and the band is a balance band of a
    /// load (not a count).
    pub fn improves(&self, proposal: &Proposal) -> bool {
        let resource = self.resource();
        let (mut was, mut will) = (0.0, 0.0);
        for (b, before, after) in &proposal.brokers {
            was += self.excess(*b, resource.of(before));
            will += self.excess(*b, resource.of(after));
        }
        let copies = proposal.changes.iter().any(|c| !c.is_reorder());
        let least = if copies && !resource.is_count() {
            MIN_IMPROVEMENT * self.mean
        } else {
            0.0
        };
        // A relative margin far above the rounding drift of incrementally kept float loads, so
        // that a state reached by many actions and the same state summed afresh agree on what
        // improves (otherwise planning again from a plan's result could find "improvements").
        will < was * (1.0 - 1e-9) && was - will >= least
    }

    /// Brokers outside the band, worst first, with their excess.
    pub fn offenders(&self, state: &ClusterState<'_>) -> Vec<(BrokerIdx, f64)> {
        let mut out: Vec<(BrokerIdx, f64)> = (0..state.model().brokers().len() as BrokerIdx)
            .map(|b| (b, self.broker_excess(state, b)))
            .filter(|(_, e)| *e > 0.0)
            .collect();
        out.sort_by(|a, b| stable(b.1).total_cmp(&stable(a.1)).then(a.0.cmp(&b.0)));
        out
    }

    /// The band's goal state: brokers outside it, total excess relative to the mean (or, for
    /// capacity bands, to the limit), and examples.
    pub fn goal_state(&self, state: &ClusterState<'_>) -> GoalState {
        let model = state.model();
        let resource = self.resource();
        let offenders = self.offenders(state);
        let scale = |b: BrokerIdx| {
            if self.mean > 0.0 {
                self.mean
            } else {
                self.hi[b as usize].abs().max(1.0)
            }
        };
        let score = offenders.iter().map(|&(b, e)| e / scale(b)).sum::<f64>() + 0.0;
        offender_state(&offenders, score, |&(b, _)| {
            let value = resource.of(&state.stats()[b as usize]);
            format!(
                "broker {}: {} {} outside {}..={}",
                model.brokers()[b as usize].id,
                resource.name(),
                round(value),
                round(self.lo[b as usize]),
                round(self.hi[b as usize])
            )
        })
    }
}

/// What one rebalancing pass aims at: bring `band` in while every band of `keep` (the other bands
/// of the same goal, e.g. the capacity goal's other resources) ends no worse. Dereferences to
/// `band`.
#[derive(Debug, Clone, Copy)]
pub struct Target<'b> {
    /// The band to meet.
    pub band: &'b Band,
    /// Bands that must accept every action too.
    pub keep: &'b [Band],
}

impl<'b> Target<'b> {
    /// A band alone.
    pub fn alone(band: &'b Band) -> Target<'b> {
        Target { band, keep: &[] }
    }

    /// Whether the goal wants `proposal`: it brings the band closer and no kept band is worse.
    pub fn wants(&self, proposal: &Proposal) -> bool {
        self.band.accepts(proposal)
            && self.band.improves(proposal)
            && self.keep.iter().all(|k| k.accepts(proposal))
    }
}

impl std::ops::Deref for Target<'_> {
    type Target = Band;

    fn deref(&self) -> &Band {
        self.band
    }
}

/// `value` to nine significant digits. Loads are float sums kept up to date action by action, so
/// the same state reached two ways differs in the last bits; ordering brokers by these rounded
/// values makes near-ties break the same way (by broker index) whichever way the state was
/// reached, and so makes plans idempotent.
pub fn stable(value: f64) -> f64 {
    if value == 0.0 || !value.is_finite() {
        return value;
    }
    let scale = 10f64.powi(8 - value.abs().log10().floor() as i32);
    (value * scale).round() / scale
}

fn round(value: f64) -> String {
    if value.is_infinite() {
        if value > 0.0 { "inf" } else { "-inf" }.to_string()
    } else if value.fract() == 0.0 || value.abs() >= 100.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.2}")
    }
}

/// A soft goal that keeps one resource within ±threshold of the mean on every eligible broker:
/// `replica-balance`, `disk-balance`, `network-in-balance`, `network-out-balance`,
/// `cpu-balance`, `leader-balance`.
pub struct BandGoal {
    name: String,
    resource: Resource,
    threshold: f64,
    band: Band,
}

impl BandGoal {
    /// The balance goal of `resource`.
    pub fn balance(resource: Resource, threshold: f64) -> BandGoal {
        BandGoal {
            name: format!("{}-balance", resource.name().trim_end_matches('s')),
            resource,
            threshold,
            band: Band::default(),
        }
    }
}

impl Goal for BandGoal {
    fn name(&self) -> &str {
        &self.name
    }

    fn hard(&self) -> bool {
        false
    }

    fn prepare(&mut self, state: &ClusterState<'_>, _limits: &Limits) {
        self.band = Band::around_mean(state, self.resource, self.threshold);
        if self.resource == Resource::Replicas {
            self.band.reach_forced(state);
        }
    }

    fn state(&self, state: &ClusterState<'_>) -> GoalState {
        self.band.goal_state(state)
    }

    fn optimize(&self, run: &mut GoalRun<'_, '_>) -> Result<(), HardGoalFailure> {
        let target = Target::alone(&self.band);
        rebalance(run, &target);
        if self.resource == Resource::Leaders && !self.band.offenders(run.state).is_empty() {
            crate::goals::leadership::exchange(run, &target);
        }
        if self.resource == Resource::Leaders {
            crate::goals::leadership::level(run);
        }
        Ok(())
    }

    fn accepts(&self, proposal: &Proposal, _state: &ClusterState<'_>) -> bool {
        self.band.accepts(proposal)
    }

    /// A resource balance with no load anywhere (network or CPU not sampled, sizes unknown)
    /// balances nothing.
    fn skipped(&self, _state: &ClusterState<'_>) -> Option<crate::skipped::Skipped> {
        (!self.resource.is_count() && self.band.mean == 0.0)
            .then(|| crate::skipped::Skipped::whole(crate::skipped::NO_LOAD_DATA))
    }

    fn bands(&self) -> Vec<&Band> {
        vec![&self.band]
    }
}
