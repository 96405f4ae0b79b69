//! Branch and bound over per-cell replica counts.
//!
//! The question placement keeps asking is: how many replicas may each cell hold so that every
//! label's per-value bounds hold at once and the total is the replication factor, given that some
//! cells must hold at least a few (replicas already chosen) and that we would like to keep as many
//! current replicas as possible? With one label that is easy; with two it is a flow problem with
//! lower bounds; with more it is a multi-dimensional contingency table, NP-hard in general. The
//! instances are tiny (replication factor below ~10, cells below ~50 in practice), so an exact
//! depth-first search with strong incremental pruning answers in microseconds, and one code path
//! serves every number of labels. (No general ILP crate is used here: the per-partition calls are
//! far too many and too small for a solver's setup cost.)

use crate::bounds::Bounds;
use crate::cells::{Cell, CellIdx};

/// What the search should maximise, beyond feasibility.
#[derive(Debug, Clone, Copy)]
pub struct KeepObjective<'a> {
    /// Per cell, how many current replicas sit there (on eligible brokers).
    pub keep: &'a [u32],
    /// The cell of the current leader, when it sits on an eligible broker.
    pub leader_cell: Option<CellIdx>,
}

/// One cell-count problem: cells, their capacities and the rule's bounds.
#[derive(Debug, Clone, Copy)]
pub struct CellProblem<'a> {
    /// The cells (their label values).
    pub cells: &'a [Cell],
    /// Eligible brokers per cell.
    pub capacities: &'a [u32],
    /// Allowed counts per label value.
    pub bounds: &'a Bounds,
}

impl CellProblem<'_> {
    /// Finds counts `x` per cell with `lower <= x <= capacity`, sum = replication factor, every
    /// bound met. With an objective, returns one maximising `2*kept + leader_kept`, where
    /// `kept = sum min(x, keep)`; without, the first found. `None` when no counts exist.
    pub fn solve(&self, lower: &[u32], objective: Option<KeepObjective<'_>>) -> Option<Vec<u32>> {
        let mut search = Search::new(self, lower, objective);
        search.run(0, 0, 0);
        search.best.map(|(_, x)| x)
    }
}

struct Search<'p> {
    cells: &'p [Cell],
    capacities: Vec<u32>,
    ranges: &'p [Vec<(u32, u32)>],
    r: u32,
    lower: Vec<u32>,
    keep: Vec<u32>,
    leader_cell: Option<usize>,
    optimising: bool,
    order: Vec<usize>,
    optimistic_suffix: Vec<u32>,
    x: Vec<u32>,
    count: Vec<Vec<u32>>,
    remaining_capacity: Vec<Vec<u32>>,
    need: Vec<u32>,
    absorb: Vec<u32>,
    dead_values: Vec<u32>,
    undecided_capacity: u32,
    undecided_lower: u32,
    best: Option<(u32, Vec<u32>)>,
    finished: bool,
}

impl<'p> Search<'p> {
    fn new(problem: &CellProblem<'p>, lower: &[u32], objective: Option<KeepObjective<'_>>) -> Self {
        let n = problem.cells.len();
        let ranges = &problem.bounds.per_label;
        // A cell can never hold more than the tightest maximum of its values (e.g. one replica
        // per rack): counting only that much keeps the per-label pruning honest across labels,
        // without which a zone whose only rack allows one replica is found short only after
        // every combination of the other zones' racks has been tried.
        let capacities: Vec<u32> = problem
            .cells
            .iter()
            .zip(problem.capacities)
            .map(|(cell, &capacity)| {
                cell.values
                    .iter()
                    .enumerate()
                    .map(|(l, &v)| ranges[l][v as usize].1)
                    .fold(capacity, u32::min)
            })
            .collect();
        let keep = objective
            .map(|o| o.keep.to_vec())
            .unwrap_or_else(|| vec![0; n]);
        let leader_cell = objective.and_then(|o| o.leader_cell).map(|c| c as usize);
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by_key(|&c| (std::cmp::Reverse(keep[c]), std::cmp::Reverse(lower[c]), c));
        let gain = |c: usize| {
            2 * keep[c].min(capacities[c]) + u32::from(leader_cell == Some(c) && keep[c] > 0)
        };
        let mut optimistic_suffix = vec![0; n + 1];
        for depth in (0..n).rev() {
            optimistic_suffix[depth] = optimistic_suffix[depth + 1] + gain(order[depth]);
        }
        let mut remaining_capacity: Vec<Vec<u32>> =
            ranges.iter().map(|r| vec![0; r.len()]).collect();
        for (c, cell) in problem.cells.iter().enumerate() {
            for (l, &v) in cell.values.iter().enumerate() {
                remaining_capacity[l][v as usize] += capacities[c];
            }
        }
        let count: Vec<Vec<u32>> = ranges.iter().map(|r| vec![0; r.len()]).collect();
        let mut search = Search {
            cells: problem.cells,
            undecided_capacity: capacities.iter().sum(),
            capacities,
            ranges,
            r: problem.bounds.replication_factor,
            lower: lower.to_vec(),
            keep,
            leader_cell,
            optimising: objective.is_some(),
            order,
            optimistic_suffix,
            x: vec![0; n],
            need: vec![0; ranges.len()],
            absorb: vec![0; ranges.len()],
            dead_values: vec![0; ranges.len()],
            count,
            remaining_capacity,
            undecided_lower: lower.iter().sum(),
            best: None,
            finished: false,
        };
        for (l, values) in ranges.iter().enumerate() {
            for v in 0..values.len() {
                let (need, absorb, dead) = search.value_state(l, v);
                search.need[l] += need;
                search.absorb[l] += absorb;
                search.dead_values[l] += dead;
            }
        }
        search
    }

    /// For one label value: replicas still needed there, replicas it can still take, and whether
    /// its minimum has become unreachable.
    fn value_state(&self, l: usize, v: usize) -> (u32, u32, u32) {
        let (min, max) = self.ranges[l][v];
        let count = self.count[l][v];
        let room = self.remaining_capacity[l][v];
        (
            min.saturating_sub(count),
            max.saturating_sub(count).min(room),
            u32::from(count + room < min),
        )
    }

    /// Moves `capacity` of cell `c` from undecided to decided and adds `x` to its counts
    /// (or undoes that when `undo`).
    fn shift(&mut self, c: usize, x: u32, capacity: u32, undo: bool) {
        for l in 0..self.ranges.len() {
            let v = self.cells[c].values[l] as usize;
            let before = self.value_state(l, v);
            if undo {
                self.count[l][v] -= x;
                self.remaining_capacity[l][v] += capacity;
            } else {
                self.count[l][v] += x;
                self.remaining_capacity[l][v] -= capacity;
            }
            let after = self.value_state(l, v);
            self.need[l] = self.need[l] - before.0 + after.0;
            self.absorb[l] = self.absorb[l] - before.1 + after.1;
            self.dead_values[l] = self.dead_values[l] - before.2 + after.2;
        }
    }

    fn viable(&self, assigned: u32) -> bool {
        let remaining = self.r - assigned;
        self.undecided_capacity >= remaining
            && self.undecided_lower <= remaining
            && (0..self.ranges.len()).all(|l| {
                self.dead_values[l] == 0 && self.need[l] <= remaining && self.absorb[l] >= remaining
            })
    }

    fn run(&mut self, depth: usize, assigned: u32, objective: u32) {
        if self.finished {
            return;
        }
        if let Some((best, _)) = &self.best {
            if objective + self.optimistic_suffix[depth] <= *best {
                return;
            }
        }
        if assigned == self.r && self.undecided_lower == 0 && self.need.iter().all(|&n| n == 0) {
            self.record(objective);
            return;
        }
        if depth == self.order.len() {
            return;
        }
        let c = self.order[depth];
        let capacity = self.capacities[c];
        let lower = self.lower[c];
        let mut high = capacity.min(self.r - assigned);
        for l in 0..self.ranges.len() {
            let v = self.cells[c].values[l] as usize;
            high = high.min(self.ranges[l][v].1.saturating_sub(self.count[l][v]));
        }
        self.undecided_capacity -= capacity;
        self.undecided_lower -= lower;
        if lower <= high {
            for x in (lower..=high).rev() {
                self.shift(c, x, capacity, false);
                self.x[c] = x;
                if self.viable(assigned + x) {
                    let gain = 2 * x.min(self.keep[c])
                        + u32::from(self.leader_cell == Some(c) && x > 0 && self.keep[c] > 0);
                    self.run(depth + 1, assigned + x, objective + gain);
                }
                self.x[c] = 0;
                self.shift(c, x, capacity, true);
                if self.finished {
                    break;
                }
            }
        }
        self.undecided_capacity += capacity;
        self.undecided_lower += lower;
    }

    fn record(&mut self, objective: u32) {
        let better = self.best.as_ref().is_none_or(|(best, _)| objective > *best);
        if better {
            self.best = Some((objective, self.x.clone()));
        }
        if !self.optimising || objective == self.optimistic_suffix[0] {
            self.finished = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(values: &[u32], brokers: usize) -> Cell {
        Cell {
            values: values.to_vec(),
            brokers: (0..brokers as u32).collect(),
        }
    }

    /// 3 zones x 2 clusters, 2 brokers per cell; RF 6: 2 per zone, 3 per cluster.
    fn stretch() -> (Vec<Cell>, Vec<u32>, Bounds) {
        let mut cells = Vec::new();
        for zone in 0..3 {
            for cluster in 0..2 {
                cells.push(cell(&[zone, cluster], 2));
            }
        }
        let bounds = Bounds {
            replication_factor: 6,
            per_label: vec![vec![(2, 2); 3], vec![(3, 3); 2]],
        };
        (cells, vec![2; 6], bounds)
    }

    #[test]
    fn finds_two_per_zone_three_per_cluster() {
        let (cells, caps, bounds) = stretch();
        let problem = CellProblem {
            cells: &cells,
            capacities: &caps,
            bounds: &bounds,
        };
        let x = problem.solve(&[0; 6], None).expect("feasible");
        for zone in 0..3 {
            assert_eq!(x[2 * zone] + x[2 * zone + 1], 2);
        }
        assert_eq!(x[0] + x[2] + x[4], 3);
        assert_eq!(x[1] + x[3] + x[5], 3);
    }

    #[test]
    fn keeps_the_most_replicas() {
        let (cells, caps, bounds) = stretch();
        let problem = CellProblem {
            cells: &cells,
            capacities: &caps,
            bounds: &bounds,
        };
        // Zone-only legacy placement: all 6 replicas in cluster 0 (2 per zone).
        let keep = [2, 0, 2, 0, 2, 0];
        let x = problem
            .solve(
                &[0; 6],
                Some(KeepObjective {
                    keep: &keep,
                    leader_cell: Some(0),
                }),
            )
            .expect("feasible");
        let kept: u32 = x.iter().zip(keep).map(|(&x, k)| x.min(k)).sum();
        assert_eq!(kept, 3, "three must move to cluster 1, three stay");
        assert!(x[0] >= 1, "the leader's cell keeps a replica");
    }

    #[test]
    fn infeasible_when_a_cell_is_short() {
        let (cells, mut caps, bounds) = stretch();
        caps[0] = 0;
        caps[1] = 1; // zone 0 has one broker left: cannot hold 2
        let problem = CellProblem {
            cells: &cells,
            capacities: &caps,
            bounds: &bounds,
        };
        assert!(problem.solve(&[0; 6], None).is_none());
    }

    #[test]
    fn a_zone_with_one_rack_is_short_at_once_however_many_racks_elsewhere() {
        // zone (3 values) even and rack even at RF 6: zones 0 and 1 have 100 one-broker racks
        // each, zone 2 one rack with 5 brokers (one replica per rack, two needed: infeasible).
        let mut cells = Vec::new();
        let mut caps = Vec::new();
        for rack in 0..200u32 {
            cells.push(cell(&[rack / 100, rack], 1));
            caps.push(1);
        }
        cells.push(cell(&[2, 200], 5));
        caps.push(5);
        let mut racks = vec![(0, 1); 201];
        racks[200] = (0, 1);
        let bounds = Bounds {
            replication_factor: 6,
            per_label: vec![vec![(2, 2); 3], racks],
        };
        let problem = CellProblem {
            cells: &cells,
            capacities: &caps,
            bounds: &bounds,
        };
        assert!(problem.solve(&vec![0; 201], None).is_none());
    }

    #[test]
    fn respects_lower_bounds() {
        let (cells, caps, bounds) = stretch();
        let problem = CellProblem {
            cells: &cells,
            capacities: &caps,
            bounds: &bounds,
        };
        let x = problem.solve(&[2, 0, 0, 0, 0, 0], None).expect("feasible");
        assert_eq!(x[0], 2);
        assert!(
            problem.solve(&[2, 0, 2, 0, 2, 0], None).is_none(),
            "cluster 0 would hold 6"
        );
    }
}
