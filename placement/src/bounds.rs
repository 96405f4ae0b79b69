//! The per-value replica counts a rule allows for a given replication factor.
//!
//! `even` over a label whose values among the rule's eligible brokers are V (n = |V|) allows
//! floor(r/n)..=ceil(r/n) on each value of V and nothing elsewhere; `max_per_value: N` allows
//! 0..=N anywhere; `exact` allows exactly the named counts on the named values and nothing
//! elsewhere.

use crate::cells::CellSpace;
use crate::labels::{LabelTable, ValueIdx};
use crate::rules::{Rule, SpreadBound};

/// Allowed replica count range `(min, max)` per value, per spread label of a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bounds {
    /// The replication factor the bounds are for.
    pub replication_factor: u32,
    /// Indexed by the position of the label in the rule's spread, then by [`ValueIdx`].
    pub per_label: Vec<Vec<(u32, u32)>>,
}

impl Bounds {
    /// Computes the bounds of `rule` for replication factor `r` over its eligible cells.
    pub fn new(rule: &Rule, space: &CellSpace, labels: &LabelTable, r: u32) -> Bounds {
        let per_label = rule
            .spread
            .iter()
            .enumerate()
            .map(|(position, (label, bound))| {
                let value_count = labels.value_count(*label);
                let mut present = vec![false; value_count];
                for cell in &space.cells {
                    present[cell.values[position] as usize] = true;
                }
                match bound {
                    SpreadBound::Even => {
                        let n = present.iter().filter(|&&p| p).count() as u32;
                        let low = r.checked_div(n).unwrap_or(0);
                        let high = if n == 0 { 0 } else { r.div_ceil(n) };
                        present
                            .iter()
                            .map(|&p| if p { (low, high) } else { (0, 0) })
                            .collect()
                    }
                    SpreadBound::MaxPerValue(max) => vec![(0, *max); value_count],
                    SpreadBound::Exact(counts) => {
                        let mut ranges = vec![(0, 0); value_count];
                        for &(value, count) in counts {
                            ranges[value as usize] = (count, count);
                        }
                        ranges
                    }
                }
            })
            .collect();
        Bounds {
            replication_factor: r,
            per_label,
        }
    }

    /// The allowed range for one value of the label at `position` in the rule's spread.
    pub fn range(&self, position: usize, value: ValueIdx) -> (u32, u32) {
        self.per_label[position]
            .get(value as usize)
            .copied()
            .unwrap_or((0, 0))
    }
}
