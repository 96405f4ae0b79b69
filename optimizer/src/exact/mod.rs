//! Exact mode: placement as a mixed-integer program, solved with good_lp (HiGHS by default,
//! microlp as the pure-Rust fallback; see the crate's features).
//!
//! One binary `x[p][b]` per partition and eligible broker says "p has a replica on b". Subject to:
//! each partition holds its target replication factor; each (partition, spread label, value)
//! holds the count its rule allows; each `survive` value keeps at most `RF - min ISR` replicas;
//! each eligible broker holds replicas within the replica-balance band (mean ±threshold, rounded
//! outwards) and disk within its capacity threshold. The objective is bytes copied: the size of
//! every replica placed on a broker that does not hold it now (plus one per replica, so empty
//! partitions still count as moves). Excluded-topic partitions stay as they are.
//!
//! It is the reference the heuristic is measured against on instances up to a few thousand
//! partitions; the heuristic is what scales.

use kplace_placement::check::BoundsTable;
use kplace_placement::model::{Assignment, BrokerIdx, ClusterModel, PartitionIdx, Replicas};

use crate::config::GoalConfig;
use crate::limits::Limits;

/// Most binary variables exact mode builds before refusing.
pub const MAX_VARIABLES: usize = 2_000_000;

/// Why exact mode produced no placement.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExactError {
    /// No placement meets the hard goals (spread, domain survival, disk capacity).
    #[error("--exact: no placement meets spread, domain survival and disk capacity together")]
    Infeasible,
    /// The program would be too large.
    #[error("--exact: the program would have {variables} variables (at most {MAX_VARIABLES}); use the heuristic")]
    TooLarge {
        /// Variables needed.
        variables: usize,
    },
    /// The solver failed.
    #[error("--exact: the solver failed: {0}")]
    Solver(String),
    /// This build has no MILP backend.
    #[error("--exact: this kplace was built without a MILP backend (features exact-highs / exact-microlp)")]
    NotBuilt,
}

/// The program's inputs, in dense form: who may host what, and the bounds.
struct Program {
    /// Per partition: eligible brokers (empty for frozen partitions).
    candidates: Vec<Vec<BrokerIdx>>,
    /// Per partition: its topic is excluded; it keeps its replicas.
    frozen: Vec<bool>,
    /// Per partition: target replication factor.
    replication: Vec<u32>,
    /// Per broker: replicas of frozen partitions it keeps.
    fixed_replicas: Vec<u32>,
    /// Per broker: bytes of frozen partitions it keeps.
    fixed_disk: Vec<f64>,
    /// Per eligible broker: allowed replicas `(lo, hi)`; `None` for ineligible brokers.
    replica_band: Vec<Option<(f64, f64)>>,
}

impl Program {
    fn new(model: &ClusterModel, limits: &Limits, config: &GoalConfig) -> Program {
        let brokers = model.brokers.len();
        let mut program = Program {
            candidates: Vec::with_capacity(model.partitions.len()),
            frozen: limits.frozen.clone(),
            replication: Vec::with_capacity(model.partitions.len()),
            fixed_replicas: vec![0; brokers],
            fixed_disk: vec![0.0; brokers],
            replica_band: vec![None; brokers],
        };
        for (index, replicas) in model.current.iter().enumerate() {
            let p = index as PartitionIdx;
            let r = model.target_replication_factor(p, replicas);
            program.replication.push(r);
            if limits.frozen_partition(p) {
                for &b in replicas {
                    program.fixed_replicas[b as usize] += 1;
                    program.fixed_disk[b as usize] += model.partitions[index].size as f64;
                }
                program.candidates.push(Vec::new());
                continue;
            }
            let space = &model.cell_spaces[model.rule_of(p).index as usize];
            let eligible =
                (0..brokers as BrokerIdx).filter(|&b| space.broker_cell[b as usize].is_some());
            program.candidates.push(eligible.collect());
        }
        let eligible = model.brokers.iter().filter(|b| b.eligible()).count().max(1) as f64;
        let total: f64 = program.replication.iter().map(|&r| f64::from(r)).sum();
        let mean = total / eligible;
        let t = config.replica_balance_threshold;
        for (b, broker) in model.brokers.iter().enumerate() {
            if broker.eligible() {
                program.replica_band[b] =
                    Some(((mean * (1.0 - t)).floor(), (mean * (1.0 + t)).ceil()));
            }
        }
        program
    }

    fn variables(&self) -> usize {
        self.candidates.iter().map(Vec::len).sum()
    }
}

/// The chosen broker set of a partition turned into a replica list close to the current one:
/// kept replicas stay in place, new ones take the places of the removed ones, the current leader
/// leads if it stays.
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

/// Solves the placement exactly. Returns the new replica lists.
pub fn solve_exact(
    model: &ClusterModel,
    limits: &Limits,
    config: &GoalConfig,
) -> Result<Assignment, ExactError> {
    let program = Program::new(model, limits, config);
    let variables = program.variables();
    if variables > MAX_VARIABLES {
        return Err(ExactError::TooLarge { variables });
    }
    // The balance band is a soft goal's: when it cannot hold together with the hard goals, the
    // exact placement meets the hard goals alone (the balance goals then run as usual).
    let chosen = match backend::solve(model, &program, config) {
        Err(ExactError::Infeasible) => {
            let hard_only = Program {
                replica_band: vec![None; program.replica_band.len()],
                ..program
            };
            backend::solve(model, &hard_only, config)?
        }
        other => other?,
    };
    Ok(model
        .current
        .iter()
        .enumerate()
        .map(|(index, current)| match &chosen[index] {
            Some(set) => ordered_like_current(current, model.partitions[index].leader, set),
            None => current.clone(),
        })
        .collect())
}

#[cfg(any(feature = "exact-highs", feature = "exact-microlp"))]
mod backend {
    use good_lp::{variable, Expression, ProblemVariables, Solution, SolverModel, Variable};

    use super::*;

    #[cfg(feature = "exact-highs")]
    use good_lp::highs as chosen_solver;
    #[cfg(all(feature = "exact-microlp", not(feature = "exact-highs")))]
    use good_lp::microlp as chosen_solver;

    /// Per partition: the chosen brokers (`None` for frozen partitions).
    pub(super) fn solve(
        model: &ClusterModel,
        program: &Program,
        config: &GoalConfig,
    ) -> Result<Vec<Option<Vec<BrokerIdx>>>, ExactError> {
        let bounds = BoundsTable::for_assignment(model, &model.current);
        let mut vars = ProblemVariables::new();
        let x: Vec<Vec<(BrokerIdx, Variable)>> = program
            .candidates
            .iter()
            .map(|brokers| {
                brokers
                    .iter()
                    .map(|&b| (b, vars.add(variable().binary())))
                    .collect()
            })
            .collect();
        let mut objective = Expression::from(0.0);
        for (index, row) in x.iter().enumerate() {
            let weight = model.partitions[index].size as f64 + 1.0;
            for &(b, v) in row {
                if !model.current[index].contains(&b) {
                    objective += weight * v;
                }
            }
        }
        let mut constraints = Vec::new();
        let brokers = model.brokers.len();
        let mut per_broker: Vec<Expression> = vec![Expression::from(0.0); brokers];
        let mut per_broker_disk: Vec<Expression> = vec![Expression::from(0.0); brokers];
        for (index, row) in x.iter().enumerate() {
            if program.frozen[index] {
                continue;
            }
            let p = index as PartitionIdx;
            let size = model.partitions[index].size as f64;
            let total: Expression = row.iter().map(|&(_, v)| v).sum();
            constraints.push(total.eq(f64::from(program.replication[index])));
            for &(b, v) in row {
                per_broker[b as usize] += v;
                per_broker_disk[b as usize] += size * v;
            }
            let rule = model.rule_of(p);
            let bound = bounds.get(model, p, &model.current[index]);
            for (position, &(label, _)) in rule.spread.iter().enumerate() {
                for (value, &(lo, hi)) in bound.per_label[position].iter().enumerate() {
                    let here: Expression = row
                        .iter()
                        .filter(|(b, _)| {
                            model.brokers[*b as usize].label(label) == Some(value as u32)
                        })
                        .map(|&(_, v)| v)
                        .sum();
                    constraints.push(here.clone().geq(f64::from(lo)));
                    constraints.push(here.leq(f64::from(hi)));
                }
            }
            if let Some(min_isr) = rule.min_insync_replicas {
                let allowed = program.replication[index].saturating_sub(min_isr);
                for &label in &rule.survive {
                    for value in 0..model.labels.value_count(label) as u32 {
                        let here: Expression = row
                            .iter()
                            .filter(|(b, _)| model.brokers[*b as usize].label(label) == Some(value))
                            .map(|&(_, v)| v)
                            .sum();
                        constraints.push(here.leq(f64::from(allowed)));
                    }
                }
            }
        }
        for (b, broker) in model.brokers.iter().enumerate() {
            if let Some((lo, hi)) = program.replica_band[b] {
                let fixed = f64::from(program.fixed_replicas[b]);
                constraints.push(per_broker[b].clone().geq(lo - fixed));
                constraints.push(per_broker[b].clone().leq(hi - fixed));
            }
            if let Some(disk) = broker.capacity.disk {
                let limit = disk * config.disk_capacity_threshold - program.fixed_disk[b];
                constraints.push(per_broker_disk[b].clone().leq(limit));
            }
        }
        let mut problem = vars.minimise(objective).using(chosen_solver);
        for constraint in constraints {
            problem.add_constraint(constraint);
        }
        let solution = problem.solve().map_err(|e| match e {
            good_lp::ResolutionError::Infeasible => ExactError::Infeasible,
            other => ExactError::Solver(other.to_string()),
        })?;
        Ok(x.iter()
            .enumerate()
            .map(|(index, row)| {
                (!program.frozen[index]).then(|| {
                    row.iter()
                        .filter(|&&(_, v)| solution.value(v) > 0.5)
                        .map(|&(b, _)| b)
                        .collect()
                })
            })
            .collect())
    }
}

#[cfg(not(any(feature = "exact-highs", feature = "exact-microlp")))]
mod backend {
    use super::*;

    pub(super) fn solve(
        _model: &ClusterModel,
        _program: &Program,
        _config: &GoalConfig,
    ) -> Result<Vec<Option<Vec<BrokerIdx>>>, ExactError> {
        Err(ExactError::NotBuilt)
    }
}
