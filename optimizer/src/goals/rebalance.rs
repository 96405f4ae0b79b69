//! Bringing every broker into a [`Band`](crate::goals::band::Band): brokers above it shed load, brokers below it pull load,
//! leadership changes first (no data moves), then replica moves of the partitions that relieve
//! the most load per byte copied, then swaps ([`crate::goals::swap`]) where moves are turned down.

use kplace_placement::model::{BrokerIdx, PartitionIdx};

use crate::action::Action;
use crate::goals::band::{stable, Target};
use crate::goals::destinations::same_domain;
use crate::goals::swap::try_swap;
use crate::goals::GoalRun;
use crate::resource::Resource;

/// Rounds of shed-and-fill before giving up on a band that cannot be met.
const ROUNDS: usize = 3;
/// Destinations tried per candidate replica.
const DESTINATIONS_PER_REPLICA: usize = 12;
/// Moves tried per under-loaded broker and phase (a scale-out broker pulls thousands of replicas).
const PULL_ATTEMPTS_PER_BROKER: usize = 40_000;
/// Candidate replicas tried per broker before moving on (bounds the work on hopeless brokers).
const CANDIDATES_PER_BROKER: usize = 4_000;
/// Brokers furthest the other way that a broker outside the band tries swaps with.
const SWAP_PARTNERS: usize = 8;
/// Swaps applied per pair of brokers and round at most.
const SWAPS_PER_PAIR: usize = 1_000;

/// Moves load until every broker is within `band` or nothing more can be done.
pub fn rebalance(run: &mut GoalRun<'_, '_>, band: &Target<'_>) {
    let Some(resource) = band.resource else {
        return;
    };
    for _ in 0..ROUNDS {
        let shed = shed(run, band, resource);
        let filled = fill(run, band, resource);
        let swapped = swaps(run, band, resource);
        if !(shed || filled || swapped) {
            break;
        }
    }
}

/// Brokers still outside the band after the moves exchange replicas with the brokers furthest the
/// other way ([`try_swap`]). Only loads that differ between replicas can be evened out this way,
/// so replica and leader counts never swap. Returns whether anything was swapped.
fn swaps(run: &mut GoalRun<'_, '_>, band: &Target<'_>, resource: Resource) -> bool {
    if resource.is_count() {
        return false;
    }
    let offenders = band.offenders(run.state);
    if offenders.is_empty() {
        return false;
    }
    let hosted = run.state.hosted();
    let by_load = destinations(run, resource);
    let mut swapped = false;
    for (b, _) in offenders {
        let over = value(run, resource, b) > band.hi[b as usize];
        let partners: Vec<BrokerIdx> = if over {
            by_load.iter().copied().take(SWAP_PARTNERS).collect()
        } else {
            by_load.iter().rev().copied().take(SWAP_PARTNERS).collect()
        };
        for other in partners.into_iter().filter(|&o| o != b) {
            let (heavy, light) = if over { (b, other) } else { (other, b) };
            let mut budget = SWAPS_PER_PAIR;
            while budget > 0
                && band.broker_excess(run.state, b) > 0.0
                && try_swap(run, band, resource, &hosted, heavy, light)
            {
                budget -= 1;
                swapped = true;
            }
        }
    }
    swapped
}

/// Broker `b`'s load of `resource`, rounded so that orderings do not depend on float drift.
fn value(run: &GoalRun<'_, '_>, resource: Resource, b: BrokerIdx) -> f64 {
    stable(resource.of(&run.state.stats()[b as usize]))
}

/// The replicas of broker `b` that carry some of `resource`, most load per byte first.
fn candidates(
    run: &GoalRun<'_, '_>,
    resource: Resource,
    hosted: &[PartitionIdx],
    b: BrokerIdx,
    keep: impl Fn(PartitionIdx) -> bool,
) -> Vec<PartitionIdx> {
    let model = run.state.model();
    let mut out: Vec<(bool, f64, f64, PartitionIdx)> = hosted
        .iter()
        .copied()
        .filter(|&p| {
            !run.limits.frozen_partition(p) && keep(p) && run.state.replicas(p).contains(&b)
        })
        .filter_map(|p| {
            let load = resource.replica_load(model, p, run.state.leader(p) == Some(b));
            let per_byte = load / (model.partitions()[p as usize].size as f64 + 1.0);
            (load > 0.0).then_some((!run.state.is_new_copy(p, b), per_byte, load, p))
        })
        .collect();
    out.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then(b.1.total_cmp(&a.1))
            .then(b.2.total_cmp(&a.2))
            .then(a.3.cmp(&b.3))
    });
    out.into_iter()
        .map(|(_, _, _, p)| p)
        .take(CANDIDATES_PER_BROKER)
        .collect()
}

/// The two phases of every search for moves: first moves that copy nothing more, then any.
const PHASES: [bool; 2] = [true, false];

/// Brokers that may receive replicas, least loaded first.
fn destinations(run: &GoalRun<'_, '_>, resource: Resource) -> Vec<BrokerIdx> {
    let model = run.state.model();
    let mut out: Vec<BrokerIdx> = (0..model.brokers().len() as BrokerIdx)
        .filter(|&b| run.limits.may_receive(model, b))
        .collect();
    out.sort_by(|&a, &b| {
        value(run, resource, a)
            .total_cmp(&value(run, resource, b))
            .then(a.cmp(&b))
    });
    out
}

/// Tries to hand leadership of `partition` from `b` to another replica.
fn try_lead_away(
    run: &mut GoalRun<'_, '_>,
    band: &Target<'_>,
    resource: Resource,
    partition: PartitionIdx,
    b: BrokerIdx,
) -> bool {
    if run.state.leader(partition) != Some(b) {
        return false;
    }
    let mut others: Vec<BrokerIdx> = run
        .state
        .replicas(partition)
        .iter()
        .copied()
        .filter(|&c| c != b)
        .collect();
    others.sort_by(|&x, &y| {
        value(run, resource, x)
            .total_cmp(&value(run, resource, y))
            .then(x.cmp(&y))
    });
    others.into_iter().any(|c| {
        run.try_apply(
            Action::Lead {
                partition,
                leader: c,
            },
            |p, _| band.wants(p),
        )
    })
}

/// Tries to move `partition`'s replica from `from` to one of `to` (in order, same domain first).
fn try_move(
    run: &mut GoalRun<'_, '_>,
    band: &Target<'_>,
    partition: PartitionIdx,
    from: BrokerIdx,
    to: &[BrokerIdx],
    free_only: bool,
) -> bool {
    let model = run.state.model();
    let free: Vec<BrokerIdx> = to
        .iter()
        .copied()
        .filter(|&d| d != from && !run.state.replicas(partition).contains(&d))
        .filter(|&d| !free_only || run.state.is_free_move(partition, from, d))
        .collect();
    // Brokers that held the replica before the plan first (moving back copies nothing), then the
    // same failure domain, then the rest.
    let (back, others): (Vec<BrokerIdx>, Vec<BrokerIdx>) = free
        .into_iter()
        .partition(|&d| !run.state.is_new_copy(partition, d));
    let (near, far): (Vec<BrokerIdx>, Vec<BrokerIdx>) = others
        .into_iter()
        .partition(|&d| same_domain(model, from, d));
    let tries = back
        .iter()
        .chain(near.iter().take(DESTINATIONS_PER_REPLICA / 2))
        .chain(far.iter().take(DESTINATIONS_PER_REPLICA / 2));
    for &d in tries {
        if run.try_apply(
            Action::Move {
                partition,
                from,
                to: d,
            },
            |p, _| band.wants(p),
        ) {
            return true;
        }
    }
    false
}

/// Re-routes a partition the plan already changes so that it frees `from` at no extra copy: the
/// replica on `from` goes back to a broker that held the partition before the plan, and, to keep
/// the spread, one of the plan's new copies moves to another broker (`to`, in order).
fn try_reroute(
    run: &mut GoalRun<'_, '_>,
    band: &Target<'_>,
    partition: PartitionIdx,
    from: BrokerIdx,
    to: &[BrokerIdx],
) -> bool {
    let model = run.state.model();
    let current = run.state.replicas(partition).to_vec();
    let original = &model.current()[partition as usize];
    let dropped: Vec<BrokerIdx> = original
        .iter()
        .copied()
        .filter(|b| !current.contains(b))
        .collect();
    let copies: Vec<BrokerIdx> = current
        .iter()
        .copied()
        .filter(|&b| b != from && run.state.is_new_copy(partition, b))
        .collect();
    for &back in &dropped {
        if !model.brokers()[back as usize].eligible() {
            continue;
        }
        for &copy in &copies {
            let targets = to
                .iter()
                .copied()
                .filter(|d| !current.contains(d) && *d != back);
            for d in targets.take(DESTINATIONS_PER_REPLICA) {
                let replicas: Vec<BrokerIdx> = current
                    .iter()
                    .map(|&b| {
                        if b == from {
                            back
                        } else if b == copy {
                            d
                        } else {
                            b
                        }
                    })
                    .collect();
                let action = Action::Reassign {
                    partition,
                    replicas,
                };
                if run.try_apply(action, |p, _| band.wants(p)) {
                    return true;
                }
            }
        }
    }
    false
}

/// Brokers above the band give load away. Returns whether anything moved.
fn shed(run: &mut GoalRun<'_, '_>, band: &Target<'_>, resource: Resource) -> bool {
    let model = run.state.model();
    let over: Vec<BrokerIdx> = (0..model.brokers().len() as BrokerIdx)
        .filter(|&b| {
            value(run, resource, b) > band.hi[b as usize] && band.broker_excess(run.state, b) > 0.0
        })
        .collect();
    if over.is_empty() {
        return false;
    }
    let hosted = run.state.hosted();
    let mut moved = false;
    for b in over {
        let list = candidates(run, resource, &hosted[b as usize], b, |_| true);
        let above = |run: &GoalRun<'_, '_>| {
            value(run, resource, b) > band.hi[b as usize] && band.broker_excess(run.state, b) > 0.0
        };
        if resource.follows_leadership() {
            for &p in &list {
                if !above(run) {
                    break;
                }
                moved |= try_lead_away(run, band, resource, p, b);
            }
        }
        if resource == Resource::Leaders {
            continue;
        }
        let mut to = destinations(run, resource);
        for free_only in PHASES {
            for &p in &list {
                if !above(run) {
                    break;
                }
                if try_move(run, band, p, b, &to, free_only)
                    || (free_only && try_reroute(run, band, p, b, &to))
                {
                    moved = true;
                    to = destinations(run, resource);
                }
            }
        }
    }
    moved
}

/// Brokers below the band take load from the most loaded brokers. Returns whether anything moved.
fn fill(run: &mut GoalRun<'_, '_>, band: &Target<'_>, resource: Resource) -> bool {
    let model = run.state.model();
    let under: Vec<BrokerIdx> = (0..model.brokers().len() as BrokerIdx)
        .filter(|&b| run.limits.may_receive(model, b) || resource.follows_leadership())
        .filter(|&b| {
            value(run, resource, b) < band.lo[b as usize] && band.broker_excess(run.state, b) > 0.0
        })
        .collect();
    if under.is_empty() {
        return false;
    }
    let hosted = run.state.hosted();
    let mut moved = false;
    for u in under {
        let mut sources: Vec<BrokerIdx> = (0..model.brokers().len() as BrokerIdx)
            .filter(|&s| s != u && value(run, resource, s) > band.lo[s as usize])
            .collect();
        sources.sort_by(|&x, &y| {
            (!same_domain(model, x, u), -value(run, resource, x))
                .partial_cmp(&(!same_domain(model, y, u), -value(run, resource, y)))
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(x.cmp(&y))
        });
        for free_only in PHASES {
            moved |= pull(run, band, resource, u, &sources, &hosted, free_only);
        }
    }
    moved
}

/// Moves load from `sources` (in order) onto the under-loaded broker `u`.
fn pull(
    run: &mut GoalRun<'_, '_>,
    band: &Target<'_>,
    resource: Resource,
    u: BrokerIdx,
    sources: &[BrokerIdx],
    hosted: &[Vec<PartitionIdx>],
    free_only: bool,
) -> bool {
    let model = run.state.model();
    let below = |run: &GoalRun<'_, '_>| {
        value(run, resource, u) < band.lo[u as usize] && band.broker_excess(run.state, u) > 0.0
    };
    let mut moved = false;
    let mut budget = PULL_ATTEMPTS_PER_BROKER;
    'sources: for &s in sources {
        // Free: a leadership handoff to `u`, or a replica move that copies nothing more.
        let keep = |p: PartitionIdx| {
            !free_only
                || (resource.follows_leadership() && run.state.replicas(p).contains(&u))
                || run.state.is_free_move(p, s, u)
        };
        for p in candidates(run, resource, &hosted[s as usize], s, keep) {
            if !below(run) || budget == 0 {
                break 'sources;
            }
            budget -= 1;
            let own =
                |pr: &crate::state::Proposal, _: &crate::state::ClusterState<'_>| band.wants(pr);
            if resource.follows_leadership() && run.state.replicas(p).contains(&u) {
                moved |= run.try_apply(
                    Action::Lead {
                        partition: p,
                        leader: u,
                    },
                    own,
                );
            } else if resource != Resource::Leaders
                && run.limits.may_receive(model, u)
                && !run.state.replicas(p).contains(&u)
            {
                moved |= run.try_apply(
                    Action::Move {
                        partition: p,
                        from: s,
                        to: u,
                    },
                    own,
                );
            }
        }
    }
    moved
}
