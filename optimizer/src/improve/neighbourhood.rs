//! Which brokers and partitions one improvement step looks at, chosen from the state alone (no
//! randomness, so a plan reproduces): a broker at the target resource's maximum (the `round`-th
//! of them, in index order), the least loaded broker of every other cell, then the least loaded
//! brokers of all, and the partitions on those brokers, the worst broker's first and among each
//! broker's those with most replicas in the neighbourhood.

use kplace_placement::model::{BrokerIdx, PartitionIdx};

use super::subproblem::Neighbourhood;
use super::Goalpost;
use crate::limits::Limits;
use crate::resource::Resource;
use crate::state::ClusterState;

/// Brokers per neighbourhood.
pub const BROKERS: usize = 12;

/// Brokers more where an operation limits destinations: those replicas came from.
pub const ORIGINS: usize = 2;

/// Partitions taken from the worst broker.
pub const WORST_PARTITIONS: usize = 160;

/// Partitions taken from each other broker of the neighbourhood.
pub const OTHER_PARTITIONS: usize = 24;

/// The maximum of `resource` over eligible brokers and the eligible brokers at it.
pub fn maximum(state: &ClusterState<'_>, resource: Resource) -> (f64, Vec<BrokerIdx>) {
    let model = state.model();
    let eligible =
        (0..model.brokers().len() as BrokerIdx).filter(|&b| model.brokers()[b as usize].eligible());
    let load = |b: BrokerIdx| resource.of(&state.stats()[b as usize]);
    let max = eligible.clone().map(load).fold(0.0, f64::max);
    (max, eligible.filter(|&b| load(b) >= max).collect())
}

/// The load of `post`'s resource above its bound, summed over eligible brokers.
pub fn excess(state: &ClusterState<'_>, post: &Goalpost) -> f64 {
    let model = state.model();
    (0..model.brokers().len())
        .filter(|&b| model.brokers()[b].eligible())
        .map(|b| (post.resource.of(&state.stats()[b]) - post.bound).max(0.0))
        .sum()
}

/// The neighbourhood of the `round`-th step on `resource`, or `None` when nothing may move.
pub fn around_worst(
    state: &ClusterState<'_>,
    limits: &Limits,
    hosted: &[Vec<PartitionIdx>],
    resource: Resource,
    round: usize,
) -> Option<Neighbourhood> {
    let model = state.model();
    let (_, worst) = maximum(state, resource);
    let w = *worst.get(round % worst.len().max(1))?;
    let load = |b: BrokerIdx| resource.of(&state.stats()[b as usize]);
    // Rotating the tie order by round lets successive steps try different partners.
    let n = model.brokers().len();
    let turn = |b: BrokerIdx| (b as usize + n - round % n) % n;
    let mut light: Vec<BrokerIdx> = (0..n as BrokerIdx)
        .filter(|&b| b != w && model.brokers()[b as usize].eligible())
        .collect();
    light.sort_by(|&a, &b| {
        load(a)
            .partial_cmp(&load(b))
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(turn(a).cmp(&turn(b)))
    });
    // The least and the most loaded broker of every other cell of the finest cell space the
    // worst broker is in: load leaves a crowded cell only by exchanges across cells (a
    // partition trades its replica in the crowded cell for one in a cell its spread lets it use
    // more of, and another partition makes up the difference elsewhere), so each cell needs a
    // broker that can give and one that can take. Then the least loaded brokers of all that may
    // receive.
    let space = model
        .cell_spaces()
        .iter()
        .filter(|s| s.broker_cell[w as usize].is_some())
        .max_by_key(|s| s.cells.len());
    let size = if limits.destinations.is_some() {
        BROKERS + ORIGINS
    } else {
        BROKERS
    };
    let mut brokers = vec![w];
    if let Some(space) = space {
        let own = space.broker_cell[w as usize];
        for cell in (0..space.cells.len()).filter(|&c| Some(c as u32) != own) {
            let members = || {
                light
                    .iter()
                    .copied()
                    .filter(|&b| space.broker_cell[b as usize] == Some(cell as u32))
            };
            // The taker must be allowed to receive (an operation may send moves only onto
            // some brokers); the giver need not.
            let taker = members().find(|&b| limits.may_receive(model, b));
            for b in taker.into_iter().chain(members().next_back()) {
                if brokers.len() < BROKERS && !brokers.contains(&b) {
                    brokers.push(b);
                }
            }
        }
    }
    // Where only some brokers may receive, a taker already above the level can take more only
    // by handing a replica back to where it came from: the least loaded of those brokers.
    if limits.destinations.is_some() {
        let mut origins: Vec<BrokerIdx> = Vec::new();
        for &t in brokers.iter().filter(|&&t| limits.may_receive(model, t)) {
            for &p in &hosted[t as usize] {
                let original = &model.current()[p as usize];
                if !original.contains(&t) {
                    origins.extend(
                        original
                            .iter()
                            .filter(|o| !state.replicas(p).contains(o))
                            .filter(|&&o| model.brokers()[o as usize].eligible()),
                    );
                }
            }
        }
        origins.sort_by(|&a, &b| {
            load(a)
                .partial_cmp(&load(b))
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(turn(a).cmp(&turn(b)))
        });
        origins.dedup();
        for o in origins {
            if brokers.len() == size {
                break;
            }
            if !brokers.contains(&o) {
                brokers.push(o);
            }
        }
    }
    for &b in light.iter().filter(|&&b| limits.may_receive(model, b)) {
        if brokers.len() == size {
            break;
        }
        if !brokers.contains(&b) {
            brokers.push(b);
        }
    }
    let movable = |p: PartitionIdx| {
        !limits.frozen_partition(p)
            && state
                .replicas(p)
                .iter()
                .all(|&b| model.brokers()[b as usize].eligible())
    };
    let mut partitions: Vec<PartitionIdx> = Vec::new();
    for (position, &b) in brokers.iter().enumerate() {
        let take = if position == 0 {
            WORST_PARTITIONS
        } else {
            OTHER_PARTITIONS
        };
        let list: Vec<PartitionIdx> = hosted[b as usize]
            .iter()
            .copied()
            .filter(|&p| movable(p))
            .collect();
        // Leadership targets look first at what the broker leads; every target first at the
        // partitions the plan moves already (another destination copies no more), then those
        // with most replicas in the neighbourhood (the freest to rearrange in it), then small
        // ones (cheapest to copy); rotated by round.
        let inside = |p: PartitionIdx| {
            let original = &model.current()[p as usize];
            let now = state.replicas(p);
            let returns = original.iter().filter(|o| !now.contains(o));
            now.iter()
                .chain(returns)
                .filter(|r| brokers.contains(r))
                .count()
        };
        let unmoved = |p: PartitionIdx| state.replicas(p) == model.current()[p as usize].as_slice();
        let mut list = list;
        list.sort_by_key(|&p| {
            (
                resource == Resource::Leaders && state.leader(p) != Some(b),
                unmoved(p),
                std::cmp::Reverse(inside(p)),
                model.partitions()[p as usize].size,
            )
        });
        if !list.is_empty() {
            let shift = (round / BROKERS * take) % list.len();
            list.rotate_left(shift);
        }
        for p in list.into_iter().take(take) {
            if !partitions.contains(&p) {
                partitions.push(p);
            }
        }
    }
    (!partitions.is_empty()).then_some(Neighbourhood {
        brokers,
        partitions,
    })
}
