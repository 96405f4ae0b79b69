//! One neighbourhood of the improvement phase as a mixed-integer program: the partitions `N`
//! may rearrange their replicas (and leaderships) among the brokers `S`; everything else stays
//! as the plan has it. Spread, domain survival, the operation's limits and every goal's band
//! (never further out of band than now, broker by broker) are constraints; the objective is,
//! first, how many brokers of `S` sit at the target resource's maximum, then bytes copied
//! (measured from the cluster's current placement), then leadership changes.

// Without HiGHS only the types remain, for the phase to refuse before it starts.
#![cfg_attr(not(feature = "exact-highs"), allow(dead_code))]

use kplace_placement::model::{BrokerIdx, PartitionIdx, Replicas};

use crate::exact::ExactError;
use crate::goals::band::Band;
use crate::limits::Limits;
use crate::resource::Resource;
use crate::state::ClusterState;

/// Seconds one neighbourhood may take: a safety net only. Neighbourhoods are small enough to
/// solve to optimality far sooner, and a solve that hits this limit is discarded (so plans stay
/// reproducible unless a machine is pathologically slow).
pub const NEIGHBOURHOOD_SECONDS: f64 = 10.0;

/// Branch-and-bound nodes HiGHS may explore per neighbourhood: the work limit that ends a hard
/// neighbourhood with its best answer so far.
pub const MAX_NODES: i32 = 200;

/// What to make better in one neighbourhood.
#[derive(Debug, Clone)]
pub struct Target {
    /// The counting resource whose maximum is lowered.
    pub resource: Resource,
    /// The maximum over every eligible broker now.
    pub max: f64,
    /// The level to bring brokers down to: the goal's bound.
    pub level: f64,
    /// The phase's other counting resources with their bounds: no broker above its bound gains
    /// load of them, none below rises above it (so lowering replicas does not pile leaders up).
    pub guarded: Vec<(Resource, f64)>,
}

/// One neighbourhood: the brokers and partitions that may change.
#[derive(Debug, Clone, Default)]
pub struct Neighbourhood {
    /// Brokers that may gain or lose replicas.
    pub brokers: Vec<BrokerIdx>,
    /// Partitions that may move among them.
    pub partitions: Vec<PartitionIdx>,
}

/// What one solve looks at.
#[derive(Clone, Copy)]
pub struct Step<'s, 'm> {
    /// The plan so far.
    pub state: &'s ClusterState<'m>,
    /// The operation's limits.
    pub limits: &'s Limits,
    /// Every goal's bands, kept broker by broker.
    pub bands: &'s [&'s Band],
    /// What to make better.
    pub target: &'s Target,
    /// The brokers and partitions that may change.
    pub hood: &'s Neighbourhood,
}

/// The new replica list of every partition of the neighbourhood that changes; `Ok(None)` when
/// the solver found no feasible answer.
pub type Answer = Result<Option<Vec<(PartitionIdx, Replicas)>>, ExactError>;

/// Solves the neighbourhood with HiGHS.
#[cfg(feature = "exact-highs")]
pub use backend::solve;

/// Without HiGHS: [`ExactError::ImproveNeedsHighs`].
#[cfg(not(feature = "exact-highs"))]
pub fn solve(_: Step<'_, '_>) -> Answer {
    Err(ExactError::ImproveNeedsHighs)
}

#[cfg(feature = "exact-highs")]
mod backend {
    use super::*;
    use good_lp::{
        variable, Expression, ProblemVariables, Solution, SolverModel, Variable, WithTimeLimit,
    };
    use kplace_placement::check::BoundsTable;
    use kplace_placement::in_sync::may_lead;

    use crate::exact::ordered_like_current;

    use good_lp::highs as chosen_solver;

    /// Bounds the solver's work: by branch-and-bound nodes (deterministic, so plans reproduce),
    /// a loose optimality gap on the bytes term (a neighbourhood's answer need not be the
    /// cheapest, only better; the phase's acceptance test decides) and the safety time limit.
    /// Any feasible answer is returned, optimal or not.
    fn limit_work(
        problem: good_lp::solvers::highs::HighsProblem,
    ) -> good_lp::solvers::highs::HighsProblem {
        problem
            .with_time_limit(NEIGHBOURHOOD_SECONDS)
            .set_option("mip_max_nodes", MAX_NODES)
            .set_option("mip_abs_gap", 0.05)
            .set_option("threads", 1)
    }

    /// One partition's variables.
    struct Row {
        partition: PartitionIdx,
        /// Its replicas outside the neighbourhood's brokers: they stay.
        fixed: Vec<BrokerIdx>,
        /// Per broker of `S` it may use: "holds a replica".
        holds: Vec<(BrokerIdx, Variable)>,
        /// Per broker of `S` that may lead it: "leads" (empty when its leader is outside `S`).
        leads: Vec<(BrokerIdx, Variable)>,
    }

    /// Solves the neighbourhood with HiGHS.
    pub fn solve(step: Step<'_, '_>) -> Answer {
        let Step {
            state,
            limits,
            bands,
            target,
            hood,
        } = step;
        let model = state.model();
        let in_s = |b: BrokerIdx| hood.brokers.contains(&b);
        let mut vars = ProblemVariables::new();
        let mut rows = Vec::with_capacity(hood.partitions.len());
        for &p in &hood.partitions {
            let now = state.replicas(p);
            let original = &model.current()[p as usize];
            let space = &model.cell_spaces()[model.rule_of(p).index as usize];
            let fixed: Vec<BrokerIdx> = now.iter().copied().filter(|&b| !in_s(b)).collect();
            let mut holds = Vec::new();
            let mut leads = Vec::new();
            let leader = state.leader(p);
            for &b in &hood.brokers {
                let allowed = space.broker_cell[b as usize].is_some()
                    && (now.contains(&b) || original.contains(&b) || limits.may_receive(model, b));
                if !allowed {
                    continue;
                }
                holds.push((b, vars.add(variable().binary())));
                let may = leader == Some(b)
                    || (!limits.demoted[b as usize]
                        && (!original.contains(&b) || may_lead(model, p, original, b)));
                if leader.is_some_and(in_s) && may {
                    leads.push((b, vars.add(variable().binary())));
                }
            }
            rows.push(Row {
                partition: p,
                fixed,
                holds,
                leads,
            });
        }
        // The objective: the highest target load over S, weighted by the brokers of S, plus
        // each broker's load above the level. The first brings the worst broker down even into
        // partners above the level (moving load between two such brokers changes no excess),
        // the second levels below the maximum; both are convex, so their LP relaxations bound
        // well.
        let highest = vars.add(variable().min(0.0).max(target.max));
        let excess: Vec<(BrokerIdx, Variable)> = hood
            .brokers
            .iter()
            .map(|&b| (b, vars.add(variable().min(0.0))))
            .collect();
        // Weights: one unit of excess outweighs every byte, bytes every leadership.
        let weight = |p: PartitionIdx| model.partitions()[p as usize].size as f64 + 1.0;
        let scale: f64 = 2.0
            * rows
                .iter()
                .map(|r| weight(r.partition) * r.holds.len() as f64)
                .sum::<f64>()
            + 1.0;
        let lightest = rows
            .iter()
            .map(|r| weight(r.partition))
            .fold(f64::INFINITY, f64::min);
        let leader_weight = lightest / scale / (2.0 * rows.len() as f64 + 2.0);
        let mut objective: Expression = excess.iter().map(|&(_, u)| u).sum::<Expression>()
            + hood.brokers.len() as f64 * highest;
        for row in &rows {
            let original = &model.current()[row.partition as usize];
            for &(b, x) in &row.holds {
                if !original.contains(&b) {
                    objective += (weight(row.partition) / scale) * x;
                }
            }
            for &(b, y) in &row.leads {
                if state.leader(row.partition) != Some(b) {
                    objective += leader_weight * y;
                }
            }
        }

        let mut problem = vars.minimise(objective).using(chosen_solver);
        let table = BoundsTable::for_assignment(model, state.assignment());
        for row in &rows {
            let p = row.partition;
            let now = state.replicas(p);
            let original = &model.current()[p as usize];
            let sum = |keep: &dyn Fn(BrokerIdx) -> bool| -> Expression {
                row.holds
                    .iter()
                    .filter(|(b, _)| keep(*b))
                    .map(|&(_, v)| v)
                    .sum()
            };
            let in_here = now.iter().filter(|&&b| in_s(b)).count() as f64;
            problem.add_constraint(sum(&|_| true).eq(in_here));
            if !limits.soft_copies {
                let new_now = now
                    .iter()
                    .filter(|&&b| in_s(b) && !original.contains(&b))
                    .count() as f64;
                problem.add_constraint(sum(&|b| !original.contains(&b)).leq(new_now));
            }
            if !row.leads.is_empty() {
                let leaders: Expression = row.leads.iter().map(|&(_, y)| y).sum();
                problem.add_constraint(leaders.eq(1.0));
                for &(b, y) in &row.leads {
                    let x = row.holds.iter().find(|(h, _)| *h == b).map(|&(_, x)| x);
                    if let Some(x) = x {
                        problem.add_constraint((y - x).leq(0.0));
                    }
                }
            }
            let rule = model.rule_of(p);
            let bound = table.get(model, p, now);
            for (position, &(label, _)) in rule.spread.iter().enumerate() {
                for (value, &(lo, hi)) in bound.per_label[position].iter().enumerate() {
                    let has = |b: BrokerIdx| {
                        model.brokers()[b as usize].label(label) == Some(value as u32)
                    };
                    if !row.holds.iter().any(|&(b, _)| has(b)) {
                        continue;
                    }
                    let fixed = row.fixed.iter().filter(|&&b| has(b)).count() as f64;
                    let here = sum(&has) + fixed;
                    problem.add_constraint(here.clone().geq(f64::from(lo)));
                    problem.add_constraint(here.leq(f64::from(hi)));
                }
            }
            if let Some(min_isr) = rule.min_insync_replicas {
                let allowed = (now.len() as u32).saturating_sub(min_isr);
                for &label in &rule.survive {
                    for value in 0..model.labels().value_count(label) as u32 {
                        let has =
                            |b: BrokerIdx| model.brokers()[b as usize].label(label) == Some(value);
                        if !row.holds.iter().any(|&(b, _)| has(b)) {
                            continue;
                        }
                        let fixed = row.fixed.iter().filter(|&&b| has(b)).count() as f64;
                        problem.add_constraint((sum(&has) + fixed).leq(f64::from(allowed)));
                    }
                }
            }
        }

        // Per broker of S and resource: the load the neighbourhood's partitions add to what stays.
        let mut resources: Vec<Resource> = vec![target.resource];
        let guarded = target.guarded.iter().map(|&(r, _)| r);
        for resource in bands.iter().filter_map(|b| b.resource).chain(guarded) {
            if !resources.contains(&resource) {
                resources.push(resource);
            }
        }
        for resource in resources {
            for &b in &hood.brokers {
                let now = resource.of(&state.stats()[b as usize]);
                let mut load = Expression::from(now);
                for row in &rows {
                    let p = row.partition;
                    let follower = resource.replica_load(model, p, false);
                    let leader_extra = resource.replica_load(model, p, true) - follower;
                    if state.replicas(p).contains(&b) {
                        load -= resource.replica_load(model, p, state.leader(p) == Some(b));
                    }
                    if let Some(&(_, x)) = row.holds.iter().find(|(h, _)| *h == b) {
                        load += follower * x;
                    }
                    if let Some(&(_, y)) = row.leads.iter().find(|(h, _)| *h == b) {
                        load += leader_extra * y;
                    } else if state.leader(p) == Some(b) {
                        // The leader stays outside the variables only when it is not in S.
                        load += leader_extra;
                    }
                }
                for band in bands.iter().filter(|band| band.resource == Some(resource)) {
                    let (lo, hi) = (band.lo[b as usize], band.hi[b as usize]);
                    // Rows in bytes would span nine orders of magnitude, which slows HiGHS
                    // down a hundredfold: each row is scaled to about 1.
                    let norm = 1.0 / now.max(if hi.is_finite() { hi } else { 0.0 }).max(1.0);
                    if hi.is_finite() {
                        problem.add_constraint((load.clone() * norm).leq(hi.max(now) * norm));
                    }
                    if lo.is_finite() && lo > 0.0 {
                        problem.add_constraint((load.clone() * norm).geq(lo.min(now) * norm));
                    }
                }
                for &(_, level) in target.guarded.iter().filter(|(r, _)| *r == resource) {
                    problem.add_constraint(load.clone().leq(now.max(level)));
                }
                if resource == target.resource {
                    let u = excess.iter().find(|(e, _)| *e == b).map(|&(_, u)| u);
                    problem.add_constraint((load.clone() - highest).leq(0.0));
                    if let Some(u) = u {
                        problem.add_constraint((load - u).leq(target.level));
                    }
                }
            }
        }
        problem = limit_work(problem);
        let solution = match problem.solve() {
            Ok(solution) => solution,
            Err(good_lp::ResolutionError::Infeasible) => return Ok(None),
            Err(good_lp::ResolutionError::Other(_)) => return Ok(None),
            Err(other) => return Err(ExactError::Solver(other.to_string())),
        };
        let lists = rows
            .iter()
            .map(|row| {
                let now = state.replicas(row.partition);
                let mut chosen = row.fixed.clone();
                chosen.extend(
                    row.holds
                        .iter()
                        .filter(|&&(_, x)| solution.value(x) > 0.5)
                        .map(|&(b, _)| b),
                );
                let leader = row
                    .leads
                    .iter()
                    .find(|&&(_, y)| solution.value(y) > 0.5)
                    .map(|&(b, _)| b)
                    .or(state.leader(row.partition));
                (row.partition, ordered_like_current(now, leader, &chosen))
            })
            .filter(|(p, list)| list.as_slice() != state.replicas(*p))
            .collect();
        Ok(Some(lists))
    }
}
