//! Cells: brokers grouped by their values of a rule's spread labels.
//!
//! For a rule spreading over zone and cluster, the cell `(az1, k8s-a)` holds every eligible broker
//! in zone az1 and cluster k8s-a. Brokers of one cell are interchangeable as far as the rule's
//! counts go, so the combinatorial part of placement (how many replicas per cell) is solved over
//! cells, and brokers are chosen within cells afterwards, for balance.

use rustc_hash::FxHashMap;

use crate::labels::{LabelIdx, ValueIdx};
use crate::model::{Broker, BrokerIdx};
use crate::rules::Rule;

/// Dense index of a cell within one rule's [`CellSpace`].
pub type CellIdx = u32;

/// One cell: a combination of label values and the eligible brokers that have it.
#[derive(Debug, Clone)]
pub struct Cell {
    /// The value of each of the rule's spread labels, in [`CellSpace::labels`] order.
    pub values: Vec<ValueIdx>,
    /// Eligible brokers in this cell, ascending.
    pub brokers: Vec<BrokerIdx>,
}

/// The cells of one rule.
#[derive(Debug, Clone)]
pub struct CellSpace {
    /// The rule's spread labels.
    pub labels: Vec<LabelIdx>,
    /// Cells that hold at least one eligible broker.
    pub cells: Vec<Cell>,
    /// Per broker: its cell when it is eligible for the rule (alive, not excluded, has every label).
    pub broker_cell: Vec<Option<CellIdx>>,
    /// Per broker: the cell with its label values, eligible or not (a dead broker's "home").
    pub home_cell: Vec<Option<CellIdx>>,
    /// Per spread label: eligible brokers lacking that label (they cannot hold this rule's replicas).
    pub unlabelled: Vec<u32>,
}

impl CellSpace {
    /// Groups `brokers` into cells for `rule`.
    pub fn build(rule: &Rule, brokers: &[Broker]) -> CellSpace {
        let labels: Vec<LabelIdx> = rule.spread.iter().map(|(label, _)| *label).collect();
        let mut by_values: FxHashMap<Vec<ValueIdx>, CellIdx> = FxHashMap::default();
        let mut cells: Vec<Cell> = Vec::new();
        let mut broker_cell = vec![None; brokers.len()];
        let mut unlabelled = vec![0; labels.len()];
        for (index, broker) in brokers.iter().enumerate() {
            if !broker.eligible() {
                continue;
            }
            let values: Option<Vec<ValueIdx>> = labels.iter().map(|&l| broker.label(l)).collect();
            let Some(values) = values else {
                for (i, &label) in labels.iter().enumerate() {
                    if broker.label(label).is_none() {
                        unlabelled[i] += 1;
                    }
                }
                continue;
            };
            let cell = *by_values.entry(values.clone()).or_insert_with(|| {
                cells.push(Cell {
                    values,
                    brokers: Vec::new(),
                });
                (cells.len() - 1) as CellIdx
            });
            cells[cell as usize].brokers.push(index as BrokerIdx);
            broker_cell[index] = Some(cell);
        }
        let home_cell = brokers
            .iter()
            .map(|broker| {
                let values: Option<Vec<ValueIdx>> =
                    labels.iter().map(|&l| broker.label(l)).collect();
                values.and_then(|v| by_values.get(&v).copied())
            })
            .collect();
        CellSpace {
            labels,
            cells,
            broker_cell,
            home_cell,
            unlabelled,
        }
    }

    /// Number of eligible brokers in each cell.
    pub fn capacities(&self) -> Vec<u32> {
        self.cells
            .iter()
            .map(|cell| cell.brokers.len() as u32)
            .collect()
    }

    /// Total eligible brokers for the rule.
    pub fn eligible_brokers(&self) -> u32 {
        self.cells
            .iter()
            .map(|cell| cell.brokers.len() as u32)
            .sum()
    }
}
