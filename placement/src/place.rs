//! Placing one partition: keep the largest valid-completable subset of its current replicas, then
//! fill the remaining slots with the least loaded brokers that keep the placement completable.
//!
//! Keeping is solved exactly over cells (see [`crate::search`]), so the number of replicas moved
//! is the true minimum. Filling prefers, in order: a broker in the same cell as a replica being
//! replaced (so a dead broker's replica moves to its neighbour), fewer replicas, then broker
//! index order rotated by the request's `rotation` (deterministic, and ties rotate). When the
//! current leader leaves (or for a new partition) the member leading the fewest partitions leads.

use crate::broker_load::BrokerLoad;
use crate::candidate_queues::CandidateQueues;
use crate::cells::CellIdx;
use crate::feasibility::Infeasibility;
use crate::model::{BrokerIdx, Replicas};
use crate::solver::{PlacementSolver, SpaceId};

/// How a candidate broker ranks, best first: its cell still owes the partition a replica, fewer
/// replicas, fewer replicas per broker in its cell (fresh assignment only), rotated index.
type Preference = (bool, u32, u64, u32);

/// A partition to place.
#[derive(Debug, Clone, Copy)]
pub struct PlacementRequest<'a> {
    /// The rule and cells to place under.
    pub space: SpaceId,
    /// The replication factor to reach.
    pub replication_factor: u32,
    /// Current replicas (empty for a new partition).
    pub current: &'a [BrokerIdx],
    /// Current leader, if any.
    pub leader: Option<BrokerIdx>,
    /// Where ties between equally loaded brokers start (broker index order, rotated by this):
    /// successive new partitions pass different values so that ties rotate over the brokers,
    /// as Kafka's placers do with their shifting start index.
    pub rotation: u32,
    /// Between equally loaded brokers, prefer the cell holding the fewest replicas per broker
    /// (fresh assignment: keeps racks, and so brokers, even when partitions fill several cells).
    pub balance_cells: bool,
}

/// Places one partition. Returns the new replica list (preferred leader first), which equals
/// `current` when it is already valid.
pub fn place_partition(
    solver: &mut PlacementSolver<'_>,
    request: PlacementRequest<'_>,
    load: &BrokerLoad,
    queues: &mut CandidateQueues,
) -> Result<Replicas, Infeasibility> {
    let PlacementRequest {
        space: id,
        replication_factor: r,
        current,
        leader,
        rotation,
        balance_cells,
    } = request;
    let broker_count = load.replicas.len() as u32;
    let rotated =
        |b: BrokerIdx| (b + broker_count - rotation % broker_count.max(1)) % broker_count.max(1);
    solver.feasibility(id, r)?;
    let shared = solver.space(id);
    let space = &shared.1;
    let cell_count = space.cells.len();

    let mut keep = vec![0u32; cell_count];
    for &b in current {
        if let Some(cell) = space.broker_cell[b as usize] {
            keep[cell as usize] += 1;
        }
    }
    let leader_cell = leader.and_then(|l| space.broker_cell[l as usize]);
    let target = solver
        .best_keep(id, r, &keep, leader_cell)
        .expect("a feasible rule has a best keep");

    // Which current replicas stay: per cell, the leader first, then the least loaded.
    let mut kept: Vec<BrokerIdx> = Vec::with_capacity(r as usize);
    let mut chosen = vec![0u32; cell_count];
    let mut candidates: Vec<(bool, u32, usize, BrokerIdx)> = current
        .iter()
        .enumerate()
        .filter_map(|(position, &b)| {
            space.broker_cell[b as usize]
                .map(|_| (Some(b) != leader, load.replicas[b as usize], position, b))
        })
        .collect();
    candidates.sort_unstable();
    for &(_, _, _, b) in &candidates {
        let cell = space.broker_cell[b as usize].expect("filtered to eligible") as usize;
        if chosen[cell] < target[cell] {
            chosen[cell] += 1;
            kept.push(b);
        }
    }
    kept.sort_by_key(|b| current.iter().position(|c| c == b));

    // Cells that lost a replica get the first claim on its replacement.
    let mut credit = vec![0u32; cell_count];
    for &b in current {
        if !kept.contains(&b) {
            if let Some(home) = space.home_cell[b as usize] {
                credit[home as usize] += 1;
            }
        }
    }

    let start = rotation % broker_count.max(1);
    let mut added: Vec<BrokerIdx> = Vec::new();
    let mut members: Vec<BrokerIdx> = kept.clone();
    // While every cell holds at most what `target` gives it, `target` itself completes the
    // placement, so a cell below its target needs no search.
    let mut within_target = true;
    while members.len() < r as usize {
        // Each cell's best broker, best first; the first whose cell can still complete wins.
        let cell_share = |cell: usize| -> u64 {
            if !balance_cells {
                return 0;
            }
            let brokers = &space.cells[cell].brokers;
            let total: u64 = brokers
                .iter()
                .map(|&b| u64::from(load.replicas[b as usize]))
                .sum();
            total * 1_000_000 / brokers.len().max(1) as u64
        };
        let mut candidates: Vec<(Preference, BrokerIdx, usize)> = (0..cell_count)
            .filter(|&cell| (chosen[cell] as usize) < space.cells[cell].brokers.len())
            .filter_map(|cell| {
                let (replicas, b) =
                    queues.best(id, space, load, cell as CellIdx, start, &members)?;
                Some((
                    (credit[cell] == 0, replicas, cell_share(cell), rotated(b)),
                    b,
                    cell,
                ))
            })
            .collect();
        candidates.sort_unstable();
        let (_, b, cell) = candidates
            .into_iter()
            .find(|&(_, _, cell)| {
                if within_target && chosen[cell] < target[cell] {
                    return true;
                }
                chosen[cell] += 1;
                let viable = solver.completable(id, r, &chosen);
                chosen[cell] -= 1;
                viable
            })
            .expect("a completable placement has a next broker");
        chosen[cell] += 1;
        within_target &= chosen[cell] <= target[cell];
        credit[cell] = credit[cell].saturating_sub(1);
        added.push(b);
        members.push(b);
    }

    let mut result = kept;
    result.extend_from_slice(&added);
    if result.len() == current.len() && result.iter().all(|b| current.contains(b)) {
        return Ok(current.to_vec());
    }
    // The current leader keeps leading when it stays; otherwise the member that leads the fewest
    // partitions leads (ties in rotated broker order), so that leader counts stay even.
    let position = match leader.and_then(|l| result.iter().position(|&b| b == l)) {
        Some(position) => position,
        None => (0..result.len())
            .min_by_key(|&i| (load.leaders[result[i] as usize], rotated(result[i])))
            .unwrap_or(0),
    };
    result[..=position].rotate_right(1);
    Ok(result)
}
