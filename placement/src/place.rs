//! Placing one partition: keep the largest valid-completable subset of its current replicas, then
//! fill the remaining slots with the least loaded brokers that keep the placement completable.
//!
//! Keeping is solved exactly over cells (see [`crate::search`]), so the number of replicas moved
//! is the true minimum. Filling prefers, in order: a broker in the same cell as a replica being
//! replaced (so a dead broker's replica moves to its neighbour), fewer replicas, then broker
//! index order rotated by the request's `rotation` (deterministic, and ties rotate). A new
//! partition is led by the chosen broker that leads the fewest partitions.

use crate::broker_load::BrokerLoad;
use crate::candidate_queues::CandidateQueues;
use crate::cells::CellIdx;
use crate::feasibility::Infeasibility;
use crate::model::{BrokerIdx, Replicas};
use crate::solver::{PlacementSolver, SpaceId};

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
    while members.len() < r as usize {
        let mut best: Option<((bool, u32, u32), BrokerIdx, usize)> = None;
        for cell in 0..cell_count {
            if chosen[cell] as usize >= space.cells[cell].brokers.len() {
                continue;
            }
            chosen[cell] += 1;
            let viable = solver.completable(id, r, &chosen);
            chosen[cell] -= 1;
            if !viable {
                continue;
            }
            let found = queues.best(id, space, load, cell as CellIdx, start, &members);
            if let Some((replicas, b)) = found {
                let key = (credit[cell] == 0, replicas, rotated(b));
                if best.as_ref().is_none_or(|(k, _, _)| key < *k) {
                    best = Some((key, b, cell));
                }
            }
        }
        let (_, b, cell) = best.expect("a completable placement has a next broker");
        chosen[cell] += 1;
        credit[cell] = credit[cell].saturating_sub(1);
        added.push(b);
        members.push(b);
    }

    let kept_count = kept.len();
    let mut result = kept;
    result.extend_from_slice(&added);
    if result.len() == current.len() && result.iter().all(|b| current.contains(b)) {
        return Ok(current.to_vec());
    }
    // The current leader keeps leading when it stays; otherwise the first kept replica (in the old
    // order) leads; with nothing kept, the new replica that leads the fewest partitions.
    let position = match leader.and_then(|l| result.iter().position(|&b| b == l)) {
        Some(position) => position,
        None if kept_count == 0 => (0..result.len())
            .min_by_key(|&i| (load.leaders[result[i] as usize], rotated(result[i])))
            .unwrap_or(0),
        None => 0,
    };
    result[..=position].rotate_right(1);
    Ok(result)
}
