//! Leadership exchanges: leadership is cheap (a reorder copies nothing), so a leadership-only
//! change that brings the leader band closer without breaking an earlier goal's band is taken
//! even when no single step of it would be.
//!
//! Single leadership changes are often all turned down: moving one leadership off a broker that
//! leads too many partitions drops that broker's network out or CPU below an earlier balance
//! goal's band, or lifts the receiver above it. Re-choosing the leaders of a neighbourhood of
//! partitions at once (a broker gives two light leaderships away and takes one heavy one) meets
//! both. [`exchange`] takes the partitions that have a replica on the brokers outside the leader
//! band and solves their leadership exactly as a small MILP (good_lp; HiGHS where built):
//! each partition led by one of its replicas that may lead (in sync, not demoted); on every
//! broker, leaders and every leadership-dependent band of an earlier goal (network out, CPU,
//! their capacities) no further outside its band than before; least leader-band excess, then
//! fewest leadership changes. The result is one [`Action::Reorder`](crate::action::Action::Reorder) that every earlier goal
//! still vets, so a goal whose constraints the program does not know (demote, leader
//! preference) still holds. Deterministic: the neighbourhood is chosen by broker and partition
//! index and the solver has no time limit (the neighbourhood's size bounds the work).
//!
//! [`level`] goes on where the band holds: leaderships pass from the most-leading brokers to
//! replicas on brokers leading at least two fewer, towards the leader bound.

use kplace_placement::model::{BrokerIdx, PartitionIdx, Replicas};

use crate::goals::band::Target;
use crate::goals::GoalRun;

/// Most partitions in one neighbourhood: keeps each program small enough to solve in
/// milliseconds with HiGHS (and in well under a second with microlp).
pub const MAX_PARTITIONS: usize = 160;

/// Neighbourhoods solved per goal turn at most.
pub const SOLVES: usize = 12;

/// Re-chooses the leaders of neighbourhoods around the brokers outside `band` (a leader band)
/// while every earlier goal's leadership-dependent band holds. Returns whether anything changed.
pub fn exchange(run: &mut GoalRun<'_, '_>, band: &Target<'_>) -> bool {
    let mut changed = false;
    let mut tried: Vec<BrokerIdx> = Vec::new();
    for _ in 0..SOLVES {
        let offenders = band.offenders(run.state);
        let Some(&(worst, _)) = offenders.iter().find(|(b, _)| !tried.contains(b)) else {
            break;
        };
        tried.push(worst);
        let partitions = neighbourhood(run, worst);
        let Some(lists) = milp::solve(run, band, &partitions) else {
            continue;
        };
        if lists.is_empty() {
            continue;
        }
        if run.try_apply(crate::action::Action::Reorder { lists }, |p, _| {
            band.wants(p)
        }) {
            changed = true;
        }
    }
    changed
}

/// Leadership changes [`level`] applies per goal turn at most (each lowers the sum of squared
/// leader counts, so the loop ends anyway; this bounds the work on huge clusters).
pub const LEVEL_STEPS: usize = 100_000;

/// Leadership copies nothing, so once the leader band holds, leaderships still pass from the
/// most-leading brokers to a replica on a broker leading at least two fewer (the pair ends more
/// even; the sum of squares drops by at least 2), towards the bound, while every earlier goal
/// accepts the change. Stops when the most-leading brokers have no such change left. Broker
/// and partition order by index: deterministic. Returns whether anything changed.
pub fn level(run: &mut GoalRun<'_, '_>) -> bool {
    let mut changed = false;
    let mut steps = 0;
    let mut stuck: Vec<BrokerIdx> = Vec::new();
    // Leadership changes keep every replica where it is, so who hosts what holds throughout.
    let hosted = run.state.hosted();
    while steps < LEVEL_STEPS {
        let leaders = |run: &GoalRun<'_, '_>, b: BrokerIdx| run.state.stats()[b as usize].leaders;
        let model = run.state.model();
        let Some(top) = (0..model.brokers().len() as BrokerIdx)
            .filter(|b| !stuck.contains(b))
            .max_by_key(|&b| (leaders(run, b), std::cmp::Reverse(b)))
        else {
            break;
        };
        let most = leaders(run, top);
        let mut led: Vec<PartitionIdx> = hosted[top as usize]
            .iter()
            .copied()
            .filter(|&p| run.state.leader(p) == Some(top) && !run.limits.frozen_partition(p))
            .collect();
        led.sort_unstable();
        let mut moved = false;
        'partitions: for p in led {
            let mut others: Vec<BrokerIdx> = run
                .state
                .replicas(p)
                .iter()
                .copied()
                .filter(|&c| c != top && leaders(run, c) + 2 <= most)
                .collect();
            others.sort_by_key(|&c| (leaders(run, c), c));
            for c in others {
                if list_led_by(run, p, c).is_none() {
                    continue;
                }
                let action = crate::action::Action::Lead {
                    partition: p,
                    leader: c,
                };
                if run.try_apply(action, |_, _| true) {
                    moved = true;
                    break 'partitions;
                }
            }
        }
        if moved {
            steps += 1;
            changed = true;
            // A broker that could not shed at this level may once the level drops (its
            // partners lead fewer by then); within a level it stays passed over.
            if (0..model.brokers().len() as BrokerIdx).all(|b| leaders(run, b) < most) {
                stuck.clear();
            }
        } else {
            // Nothing leaves this broker; the next most-leading one may still shed.
            stuck.push(top);
            let still_most = (0..model.brokers().len() as BrokerIdx)
                .filter(|b| !stuck.contains(b))
                .any(|b| leaders(run, b) == most);
            if !still_most {
                break;
            }
        }
    }
    changed
}

/// The partitions (not frozen) around `worst`, breadth first: those with a replica on it, then
/// those with a replica on a broker the first share a partition with, and so on (so that
/// leadership can pass along a chain: `worst` to a full broker, that one on to a broker with
/// room), by index within each step, at most [`MAX_PARTITIONS`].
fn neighbourhood(run: &GoalRun<'_, '_>, worst: BrokerIdx) -> Vec<PartitionIdx> {
    let state = &run.state;
    let model = state.model();
    let hosted = state.hosted();
    let open = |p: PartitionIdx| !run.limits.frozen_partition(p) && state.replicas(p).len() > 1;
    let mut taken = vec![false; model.partitions().len()];
    let mut reached = vec![false; model.brokers().len()];
    reached[worst as usize] = true;
    let mut frontier = vec![worst];
    let mut out: Vec<PartitionIdx> = Vec::new();
    while !frontier.is_empty() && out.len() < MAX_PARTITIONS {
        let mut next = Vec::new();
        for &b in &frontier {
            for &p in &hosted[b as usize] {
                if out.len() == MAX_PARTITIONS {
                    break;
                }
                if taken[p as usize] || !open(p) {
                    continue;
                }
                taken[p as usize] = true;
                out.push(p);
                for &other in state.replicas(p) {
                    if !reached[other as usize] {
                        reached[other as usize] = true;
                        next.push(other);
                    }
                }
            }
        }
        next.sort_unstable();
        frontier = next;
    }
    out.sort_unstable();
    out
}

/// The replica list that makes `b` lead `partition`, when a reorder can (see
/// [`super::list_leads_in_sync`]); `None` for the current leader or a replica that may not lead.
fn list_led_by(run: &GoalRun<'_, '_>, partition: PartitionIdx, b: BrokerIdx) -> Option<Replicas> {
    let state = &run.state;
    let model = state.model();
    if state.leader(partition) == Some(b) || run.limits.demoted[b as usize] {
        return None;
    }
    let mut list = state.replicas(partition).to_vec();
    let position = list.iter().position(|&x| x == b)?;
    if position == 0 {
        // The preferred leader that does not lead (a failover): a list that keeps it first but
        // differs makes apply's election hand it leadership.
        list[1..].rotate_left(1);
    } else {
        list[..=position].rotate_right(1);
    }
    let leads = kplace_placement::broker_load::leader_of(model, partition, &list) == Some(b);
    (leads
        && list.as_slice() != state.replicas(partition)
        && super::list_leads_in_sync(model, partition, &list))
    .then_some(list)
}

#[cfg(any(feature = "exact-highs", feature = "exact-microlp"))]
mod milp {
    use good_lp::{variable, Expression, ProblemVariables, Solution, SolverModel, Variable};
    use kplace_placement::model::{BrokerIdx, PartitionIdx, Replicas};

    use super::list_led_by;
    use crate::goals::band::{Band, Target};
    use crate::goals::GoalRun;
    use crate::resource::Resource;

    #[cfg(feature = "exact-highs")]
    use good_lp::highs as chosen_solver;
    #[cfg(all(feature = "exact-microlp", not(feature = "exact-highs")))]
    use good_lp::microlp as chosen_solver;

    /// One partition's choices: keep its leader (`None`) or a new list led by another replica.
    struct Row {
        partition: PartitionIdx,
        leader: Option<BrokerIdx>,
        options: Vec<(Option<(BrokerIdx, Replicas)>, Variable)>,
    }

    /// The new lists of the partitions whose leader the program changes; `None` when the
    /// program cannot be solved (or nothing can change).
    pub(super) fn solve(
        run: &GoalRun<'_, '_>,
        band: &Target<'_>,
        partitions: &[PartitionIdx],
    ) -> Option<Vec<(PartitionIdx, Replicas)>> {
        let state = &run.state;
        let model = state.model();
        let mut vars = ProblemVariables::new();
        let rows: Vec<Row> = partitions
            .iter()
            .filter_map(|&p| {
                let others: Vec<(BrokerIdx, Replicas)> = state
                    .replicas(p)
                    .iter()
                    .filter_map(|&b| list_led_by(run, p, b).map(|list| (b, list)))
                    .collect();
                (!others.is_empty()).then(|| Row {
                    partition: p,
                    leader: state.leader(p),
                    options: std::iter::once(None)
                        .chain(others.into_iter().map(Some))
                        .map(|o| (o, vars.add(variable().binary())))
                        .collect(),
                })
            })
            .collect();
        if rows.is_empty() {
            return None;
        }
        let mut bands: Vec<&Band> = run.earlier_bands();
        bands.retain(|b| b.resource.is_some_and(|r| r.follows_leadership()));
        let own: &Band = band.band;
        bands.push(own);
        let weight = rows.len() as f64 + 1.0;
        let mut objective = Expression::from(0.0);
        let mut constraints = Vec::new();
        for row in &rows {
            let one: Expression = row.options.iter().map(|&(_, v)| v).sum();
            constraints.push(one.eq(1.0));
            for (option, v) in &row.options {
                if option.is_some() {
                    objective += *v;
                }
            }
        }
        let brokers = model.brokers().len();
        for (index, limit) in bands.iter().enumerate() {
            let resource = limit.resource.unwrap_or(Resource::Leaders);
            // Per broker: its value with every neighbourhood leadership as now, plus the shift
            // each choice makes.
            let mut load: Vec<Option<Expression>> = vec![None; brokers];
            for row in &rows {
                let p = row.partition;
                let delta =
                    resource.replica_load(model, p, true) - resource.replica_load(model, p, false);
                if delta == 0.0 {
                    continue;
                }
                let now = state.stats();
                let mut shift = |b: BrokerIdx, by: Expression| {
                    let slot = load[b as usize]
                        .get_or_insert_with(|| Expression::from(resource.of(&now[b as usize])));
                    *slot += by;
                };
                for (option, v) in &row.options {
                    if let Some((b, _)) = option {
                        shift(*b, delta * *v);
                        if let Some(old) = row.leader {
                            shift(old, -delta * *v);
                        }
                    }
                }
            }
            let last = index + 1 == bands.len();
            for (b, expression) in load.into_iter().enumerate() {
                let Some(expression) = expression else {
                    continue;
                };
                let now = resource.of(&state.stats()[b]);
                let excess = limit.excess(b as BrokerIdx, now);
                let (lo, hi) = (limit.lo[b], limit.hi[b]);
                // No broker ends further outside than now; loads a little inside the edges, so
                // that float drift in the engine's own sums cannot turn the result down (counts
                // are whole numbers: their edges are exact).
                let edge = |x: f64| if x.is_finite() { x.abs() } else { 0.0 };
                let tolerance = if resource.is_count() {
                    0.0
                } else {
                    1e-7 * edge(lo).max(edge(hi)).max(1.0)
                };
                if lo.is_finite() {
                    let floor = (lo - excess + tolerance).min(now);
                    constraints.push(expression.clone().geq(floor));
                }
                if hi.is_finite() {
                    let ceiling = (hi + excess - tolerance).max(now);
                    constraints.push(expression.clone().leq(ceiling));
                }
                if last {
                    // The own band's excess, minimised.
                    let over = vars.add(variable().min(0.0));
                    let under = vars.add(variable().min(0.0));
                    constraints.push((expression.clone() - over).leq(hi));
                    constraints.push((expression + under).geq(lo));
                    objective += weight * over + weight * under;
                }
            }
        }
        let mut problem = vars.minimise(objective).using(chosen_solver);
        for constraint in constraints {
            problem.add_constraint(constraint);
        }
        let solution = problem.solve().ok()?;
        Some(
            rows.into_iter()
                .filter_map(|row| {
                    row.options
                        .into_iter()
                        .find(|(_, v)| solution.value(*v) > 0.5)
                        .and_then(|(option, _)| option)
                        .map(|(_, list)| (row.partition, list))
                })
                .collect(),
        )
    }
}

#[cfg(not(any(feature = "exact-highs", feature = "exact-microlp")))]
mod milp {
    use kplace_placement::model::{PartitionIdx, Replicas};

    use crate::goals::band::Target;
    use crate::goals::GoalRun;

    /// This build has no MILP backend: no exchange.
    pub(super) fn solve(
        _run: &GoalRun<'_, '_>,
        _band: &Target<'_>,
        _partitions: &[PartitionIdx],
    ) -> Option<Vec<(PartitionIdx, Replicas)>> {
        None
    }
}
