//! Exact mode: placement as a mixed-integer program, solved with good_lp (HiGHS by default,
//! microlp as the pure-Rust fallback; see the crate's features).
//!
//! One binary `x[p][b]` per partition and eligible broker says "p has a replica on b", and, when
//! a bound depends on who leads, one binary `y[p][b] <= x[p][b]` says "b leads p" (exactly one
//! per partition). Subject to: each partition holds its target replication factor; each
//! (partition, spread label, value) holds the count its rule allows; each `survive` value keeps
//! at most `RF - min ISR` replicas; every capacity (disk, network in/out, CPU under their
//! thresholds, the replica maximum) holds on every broker, leaders carrying Cruise Control's
//! leader load; and every balance band (replicas, leaders, disk, network in/out, CPU within
//! ±threshold of the mean) holds on every eligible broker ([`program`]). The objective is bytes
//! copied: the size of every replica placed on a broker that does not hold it now (plus one per
//! replica, so empty partitions still count as moves), and, far below one byte, each leadership
//! that changes. Excluded-topic partitions stay as they are.
//!
//! The bands are soft goals' bounds: when no placement meets them all together with the hard
//! goals, exact mode keeps only the replica band, then only the hard goals (the balance goals
//! then run as usual from the exact placement). Proving that a set of bands cannot be met can
//! take a MILP solver very long (random loads on few replicas per broker rarely fit a ±10% band),
//! so each banded attempt has [`BANDED_ATTEMPT_SECONDS`]; an attempt that finds a placement in
//! that time but cannot prove it optimal is used and reported as such. The last attempt (hard
//! goals only) is bounded too, by [`FINAL_ATTEMPT_SECONDS`]: when it finds nothing in that time,
//! exact mode gives up with [`ExactError::OutOfTime`] rather than run on.
//!
//! It is the reference the heuristic is measured against on instances up to a few thousand
//! partitions; the heuristic is what scales.

use kplace_placement::model::{Assignment, BrokerIdx, ClusterModel, Replicas};

use crate::config::GoalConfig;
use crate::limits::Limits;
use crate::resource::Resource;

mod backend;
pub mod program;

use program::Program;

/// Seconds the solver may spend on each attempt that keeps balance bands.
pub const BANDED_ATTEMPT_SECONDS: f64 = 20.0;

/// Seconds the solver may spend on the last attempt (the hard goals only): no attempt is
/// unbounded.
pub const FINAL_ATTEMPT_SECONDS: f64 = 120.0;

/// Most binary variables exact mode builds before refusing.
pub const MAX_VARIABLES: usize = 2_000_000;

/// Why exact mode produced no placement.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ExactError {
    /// No placement meets the hard goals (spread, domain survival, capacity).
    #[error("--exact: no placement meets spread, domain survival and capacity together")]
    Infeasible,
    /// The program would be too large.
    #[error("--exact: the program would have {variables} variables (at most {MAX_VARIABLES}); use the heuristic")]
    TooLarge {
        /// Variables needed.
        variables: usize,
    },
    /// The solver found no placement within its time limit: after a banded attempt the next,
    /// looser attempt runs; after the last one exact mode gives up.
    #[error("--exact: the solver found no placement within {FINAL_ATTEMPT_SECONDS} s; plan without --exact (the heuristic scales)")]
    OutOfTime,
    /// The solver failed.
    #[error("--exact: the solver failed: {0}")]
    Solver(String),
    /// This build has no MILP backend.
    #[error("--exact: this kplace was built without a MILP backend (features exact-highs / exact-microlp)")]
    NotBuilt,
    /// The improvement phase needs HiGHS: microlp is far too slow for its neighbourhoods.
    #[error("--improve: this kplace was built without HiGHS; build it with `--features exact-highs` (see README, Building)")]
    ImproveNeedsHighs,
}

/// The chosen broker set of a partition turned into a replica list close to the current one:
/// kept replicas stay in place, new ones take the places of the removed ones, and `leader` (the
/// chosen leader, or the current one) leads if it is in the set.
pub fn ordered_like_current(
    current: &[BrokerIdx],
    leader: Option<BrokerIdx>,
    chosen: &[BrokerIdx],
) -> Replicas {
    let mut added = chosen.iter().copied().filter(|b| !current.contains(b));
    let mut list: Replicas = Vec::with_capacity(chosen.len());
    for &b in current {
        if chosen.contains(&b) {
            list.push(b);
        } else if let Some(new) = added.next() {
            list.push(new);
        }
    }
    list.extend(added);
    if let Some(position) = leader.and_then(|l| list.iter().position(|&b| b == l)) {
        list[..=position].rotate_right(1);
    }
    list
}

/// The broker set and leader the program chose for one partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chosen {
    /// The brokers that hold a replica.
    pub brokers: Vec<BrokerIdx>,
    /// The broker that leads, when the program chose leaders.
    pub leader: Option<BrokerIdx>,
}

/// Which bounds an exact placement meets besides the hard goals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetBounds {
    /// Every balance band (replicas, leaders, disk, network in/out, CPU).
    EveryBand,
    /// The replica-balance band only.
    ReplicaBand,
    /// The hard goals only.
    HardGoalsOnly,
}

/// The result of exact mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExactPlacement {
    /// The new replica lists, indexed like the model's partitions.
    pub assignment: Assignment,
    /// The bounds the placement meets.
    pub met: MetBounds,
    /// Whether the solver proved it copies the fewest bytes under those bounds, within HiGHS's
    /// default relative gap of 0.01% (false when a banded attempt ran out of time with a
    /// placement in hand).
    pub proven_optimal: bool,
}

/// Solves the placement exactly: the fewest bytes copied under the hard goals and as many
/// balance bands as can be met together (see the module's documentation).
pub fn solve_exact(
    model: &ClusterModel,
    limits: &Limits,
    config: &GoalConfig,
) -> Result<ExactPlacement, ExactError> {
    let program = Program::new(model, limits, config);
    let variables = program.placements() * if program.needs_leaders() { 2 } else { 1 };
    if variables > MAX_VARIABLES {
        return Err(ExactError::TooLarge { variables });
    }
    let attempts = [
        (
            MetBounds::EveryBand,
            program.clone(),
            Some(BANDED_ATTEMPT_SECONDS),
        ),
        (
            MetBounds::ReplicaBand,
            program.keeping(|l| l.hard || l.resource == Resource::Replicas),
            Some(BANDED_ATTEMPT_SECONDS),
        ),
        (
            MetBounds::HardGoalsOnly,
            program.keeping(|l| l.hard),
            Some(FINAL_ATTEMPT_SECONDS),
        ),
    ];
    let last = attempts.len() - 1;
    for (index, (met, attempt, seconds)) in attempts.into_iter().enumerate() {
        let solved = match backend::solve(model, &attempt, seconds) {
            Err(ExactError::Infeasible | ExactError::OutOfTime) if index < last => {
                tracing::info!(?met, "exact: no placement meets these bounds; loosening");
                continue;
            }
            other => other?,
        };
        let assignment = model
            .current()
            .iter()
            .enumerate()
            .map(|(index, current)| match &solved.chosen[index] {
                Some(set) => ordered_like_current(
                    current,
                    set.leader.or(model.partitions()[index].leader),
                    &set.brokers,
                ),
                None => current.clone(),
            })
            .collect();
        return Ok(ExactPlacement {
            assignment,
            met,
            proven_optimal: solved.optimal,
        });
    }
    Err(ExactError::Infeasible)
}
