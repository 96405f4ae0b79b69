//! Hands a [`Program`] to good_lp's solver (HiGHS when `exact-highs` is on, else microlp) and
//! reads the chosen placement back.

use super::{Chosen, ExactError, Program};
use kplace_placement::model::ClusterModel;

/// What the solver returned.
#[derive(Debug, Clone)]
pub struct Solved {
    /// Per partition: the chosen brokers and leader (`None` for frozen partitions).
    pub chosen: Vec<Option<Chosen>>,
    /// Whether the solver proved the placement optimal.
    pub optimal: bool,
}

#[cfg(any(feature = "exact-highs", feature = "exact-microlp"))]
mod milp {
    use good_lp::{
        constraint::Constraint, variable, Expression, ProblemVariables, Solution, SolutionStatus,
        SolverModel, Variable, WithTimeLimit,
    };
    use kplace_placement::check::BoundsTable;
    use kplace_placement::in_sync::may_lead;
    use kplace_placement::model::{BrokerIdx, ClusterModel, PartitionIdx};

    use super::{Chosen, ExactError, Program, Solved};

    #[cfg(feature = "exact-highs")]
    use good_lp::highs as chosen_solver;
    #[cfg(all(feature = "exact-microlp", not(feature = "exact-highs")))]
    use good_lp::microlp as chosen_solver;

    /// One partition's variables: per candidate broker, "holds a replica" and, when the program
    /// chooses leaders, "leads".
    struct Row {
        holds: Vec<(BrokerIdx, Variable)>,
        leads: Vec<Variable>,
    }

    /// Solves `program`, within `seconds` when given.
    pub fn solve(
        model: &ClusterModel,
        program: &Program,
        seconds: Option<f64>,
    ) -> Result<Solved, ExactError> {
        let with_leaders = program.needs_leaders();
        let mut vars = ProblemVariables::new();
        let rows: Vec<Row> = program
            .candidates
            .iter()
            .map(|brokers| Row {
                holds: brokers
                    .iter()
                    .map(|&b| (b, vars.add(variable().binary())))
                    .collect(),
                leads: if with_leaders {
                    brokers
                        .iter()
                        .map(|_| vars.add(variable().binary()))
                        .collect()
                } else {
                    Vec::new()
                },
            })
            .collect();
        let objective = objective(model, &rows);
        let mut constraints = placement_constraints(model, program, &rows);
        constraints.extend(broker_limits(model, program, &rows));
        let mut problem = vars.minimise(objective).using(chosen_solver);
        for constraint in constraints {
            problem.add_constraint(constraint);
        }
        if let Some(seconds) = seconds {
            problem = problem.with_time_limit(seconds);
        }
        let solution = problem.solve().map_err(|e| match e {
            good_lp::ResolutionError::Infeasible => ExactError::Infeasible,
            // HiGHS's and microlp's answers when time ran out before any placement was found.
            good_lp::ResolutionError::Other(
                "NoSolutionFound" | "Time limit reached before finding a feasible solution",
            ) => ExactError::OutOfTime,
            other => ExactError::Solver(other.to_string()),
        })?;
        // HiGHS stops at its default relative gap (0.01%) and good_lp calls that GapLimit.
        let optimal = matches!(
            solution.status(),
            SolutionStatus::Optimal | SolutionStatus::GapLimit
        );
        let chosen = rows
            .iter()
            .enumerate()
            .map(|(index, row)| {
                (!program.frozen[index]).then(|| Chosen {
                    brokers: row
                        .holds
                        .iter()
                        .filter(|&&(_, v)| solution.value(v) > 0.5)
                        .map(|&(b, _)| b)
                        .collect(),
                    leader: row
                        .holds
                        .iter()
                        .zip(&row.leads)
                        .find(|(_, &y)| solution.value(y) > 0.5)
                        .map(|(&(b, _), _)| b),
                })
            })
            .collect();
        Ok(Solved { chosen, optimal })
    }

    /// Bytes copied (size + 1 per new replica), plus, far below one byte in total, every
    /// leadership that leaves the current leader.
    fn objective(model: &ClusterModel, rows: &[Row]) -> Expression {
        let leader_weight = 1.0 / (model.partitions().len() as f64 + 1.0);
        let mut objective = Expression::from(0.0);
        for (index, row) in rows.iter().enumerate() {
            let weight = model.partitions()[index].size as f64 + 1.0;
            for (position, &(b, x)) in row.holds.iter().enumerate() {
                if !model.current()[index].contains(&b) {
                    objective += weight * x;
                }
                if let Some(&y) = row.leads.get(position) {
                    if model.partitions()[index].leader != Some(b) {
                        objective += leader_weight * y;
                    }
                }
            }
        }
        objective
    }

    /// Replication factor, spread bounds, domain survival, and leadership (one leader, among
    /// the replicas) of every partition that is not frozen.
    fn placement_constraints(
        model: &ClusterModel,
        program: &Program,
        rows: &[Row],
    ) -> Vec<Constraint> {
        let bounds = BoundsTable::for_assignment(model, model.current());
        let mut constraints = Vec::new();
        for (index, row) in rows.iter().enumerate() {
            if program.frozen[index] {
                continue;
            }
            let p = index as PartitionIdx;
            let sum_where = |keep: &dyn Fn(BrokerIdx) -> bool| -> Expression {
                row.holds
                    .iter()
                    .filter(|(b, _)| keep(*b))
                    .map(|&(_, v)| v)
                    .sum()
            };
            let replication = f64::from(program.replication[index]);
            constraints.push(sum_where(&|_| true).eq(replication));
            if !row.leads.is_empty() {
                let leaders: Expression = row.leads.iter().copied().sum();
                constraints.push(leaders.eq(if replication > 0.0 { 1.0 } else { 0.0 }));
                for (&(_, x), &y) in row.holds.iter().zip(&row.leads) {
                    constraints.push((y - x).leq(0.0));
                }
                // A current replica out of the live ISR leads only if the broker set changes
                // (some replica is a new copy): a reorder is a preferred-leader election, which
                // Kafka runs only for a replica in sync.
                let new_copies: Expression = sum_where(&|b| !model.current()[index].contains(&b));
                for (&(b, _), &y) in row.holds.iter().zip(&row.leads) {
                    let current = &model.current()[index];
                    if current.contains(&b) && !may_lead(model, p, current, b) {
                        constraints.push((y - new_copies.clone()).leq(0.0));
                    }
                }
            }
            let rule = model.rule_of(p);
            let bound = bounds.get(model, p, &model.current()[index]);
            for (position, &(label, _)) in rule.spread.iter().enumerate() {
                for (value, &(lo, hi)) in bound.per_label[position].iter().enumerate() {
                    let here = sum_where(&|b| {
                        model.brokers()[b as usize].label(label) == Some(value as u32)
                    });
                    constraints.push(here.clone().geq(f64::from(lo)));
                    constraints.push(here.leq(f64::from(hi)));
                }
            }
            if let Some(min_isr) = rule.min_insync_replicas {
                let allowed = program.replication[index].saturating_sub(min_isr);
                for &label in &rule.survive {
                    for value in 0..model.labels().value_count(label) as u32 {
                        let here =
                            sum_where(&|b| model.brokers()[b as usize].label(label) == Some(value));
                        constraints.push(here.leq(f64::from(allowed)));
                    }
                }
            }
        }
        constraints
    }

    /// Every per-broker limit: the load a broker's replicas (and leaderships) carry within it.
    fn broker_limits(model: &ClusterModel, program: &Program, rows: &[Row]) -> Vec<Constraint> {
        let brokers = model.brokers().len();
        let mut constraints = Vec::new();
        for limit in &program.limits {
            let resource = limit.resource;
            let mut load: Vec<Expression> = vec![Expression::from(0.0); brokers];
            for (index, row) in rows.iter().enumerate() {
                let p = index as PartitionIdx;
                let follower = resource.replica_load(model, p, false);
                let leader_extra = resource.replica_load(model, p, true) - follower;
                for (position, &(b, x)) in row.holds.iter().enumerate() {
                    if follower != 0.0 {
                        load[b as usize] += follower * x;
                    }
                    if let Some(&y) = row.leads.get(position) {
                        if leader_extra != 0.0 {
                            load[b as usize] += leader_extra * y;
                        }
                    }
                }
            }
            for (b, bound) in limit.bounds.iter().enumerate() {
                let Some((lo, hi)) = *bound else { continue };
                if lo.is_finite() {
                    constraints.push(load[b].clone().geq(lo));
                }
                if hi.is_finite() {
                    constraints.push(load[b].clone().leq(hi));
                }
            }
        }
        constraints
    }
}

/// Solves `program`, within `seconds` when given.
#[cfg(any(feature = "exact-highs", feature = "exact-microlp"))]
pub fn solve(
    model: &ClusterModel,
    program: &Program,
    seconds: Option<f64>,
) -> Result<Solved, ExactError> {
    milp::solve(model, program, seconds)
}

/// This build has no MILP backend.
#[cfg(not(any(feature = "exact-highs", feature = "exact-microlp")))]
pub fn solve(
    _model: &ClusterModel,
    _program: &Program,
    _seconds: Option<f64>,
) -> Result<Solved, ExactError> {
    Err(ExactError::NotBuilt)
}
