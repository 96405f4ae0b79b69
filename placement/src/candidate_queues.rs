//! The least loaded broker of a cell, fast: per cell, brokers ordered by (replica count, index).
//!
//! Filling a slot asks every viable cell for its best broker not already in the partition: fewest
//! replicas, ties broken in broker index order rotated by the request's rotation. Scanning a cell
//! of 100 brokers for each of several hundred thousand slots dominates repair; ordered sets answer
//! in a few logarithmic steps and are kept in step with the load as partitions change.

use std::collections::BTreeSet;

use rustc_hash::FxHashMap;

use crate::broker_load::BrokerLoad;
use crate::cells::{CellIdx, CellSpace};
use crate::model::BrokerIdx;
use crate::solver::SpaceId;

/// Ordered candidates per cell, for every space placement has used so far.
#[derive(Debug, Default)]
pub struct CandidateQueues {
    spaces: FxHashMap<SpaceId, SpaceQueues>,
}

#[derive(Debug)]
struct SpaceQueues {
    cell_of: Vec<Option<CellIdx>>,
    cells: Vec<BTreeSet<(u32, BrokerIdx)>>,
}

impl CandidateQueues {
    /// No queues yet; each space's are built on first use.
    pub fn new() -> Self {
        CandidateQueues::default()
    }

    /// The best broker of `cell` in space `id` not in `exclude`: fewest replicas, then broker
    /// index order starting at `start` and wrapping.
    pub fn best(
        &mut self,
        id: SpaceId,
        space: &CellSpace,
        load: &BrokerLoad,
        cell: CellIdx,
        start: BrokerIdx,
        exclude: &[BrokerIdx],
    ) -> Option<(u32, BrokerIdx)> {
        let queues = self
            .spaces
            .entry(id)
            .or_insert_with(|| SpaceQueues::build(space, load));
        let set = &queues.cells[cell as usize];
        let mut tier = set.first()?.0;
        loop {
            let wrapped = set
                .range((tier, start)..=(tier, BrokerIdx::MAX))
                .chain(set.range((tier, 0)..(tier, start)));
            if let Some(&(count, b)) = wrapped.into_iter().find(|(_, b)| !exclude.contains(b)) {
                return Some((count, b));
            }
            tier = set.range((tier + 1, 0)..).next()?.0;
        }
    }

    /// Records that broker `b`'s replica count changed from `before` to `after`.
    pub fn update(&mut self, b: BrokerIdx, before: u32, after: u32) {
        if before == after {
            return;
        }
        for queues in self.spaces.values_mut() {
            if let Some(cell) = queues.cell_of[b as usize] {
                let set = &mut queues.cells[cell as usize];
                set.remove(&(before, b));
                set.insert((after, b));
            }
        }
    }
}

impl SpaceQueues {
    fn build(space: &CellSpace, load: &BrokerLoad) -> Self {
        SpaceQueues {
            cell_of: space.broker_cell.clone(),
            cells: space
                .cells
                .iter()
                .map(|cell| {
                    cell.brokers
                        .iter()
                        .map(|&b| (load.replicas[b as usize], b))
                        .collect()
                })
                .collect(),
        }
    }
}

/// Moves one partition from `old` to `new` in `load`, keeping `queues` in step.
pub fn record_move(
    load: &mut BrokerLoad,
    queues: &mut CandidateQueues,
    old: (&[BrokerIdx], Option<BrokerIdx>),
    new: (&[BrokerIdx], Option<BrokerIdx>),
) {
    let touched: Vec<(BrokerIdx, u32)> = old
        .0
        .iter()
        .chain(new.0)
        .map(|&b| (b, load.replicas[b as usize]))
        .collect();
    load.remove(old.0, old.1);
    load.add(new.0, new.1);
    for (b, before) in touched {
        queues.update(b, before, load.replicas[b as usize]);
    }
}
