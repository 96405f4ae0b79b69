//! Spread heatmaps: for a rule and a pair of labels (zone × cluster), per cell how many of the
//! rule's partitions hold 0, 1, 2, ... replicas there, and how many of those break the rule.
//!
//! A partition's count in a cell is flagged as a violation when the partition has too many or
//! too few replicas in the cell's row value or column value (for the labels the rule spreads
//! over). Partitions that break nothing touch only the cells they hold replicas in, so a pass
//! over a million partitions costs O(replicas), not O(cells).

use kplace_placement::check::BoundsTable;
use kplace_placement::labels::{LabelIdx, ValueIdx};
use kplace_placement::model::{BrokerIdx, ClusterModel, PartitionIdx, Replicas};
use kplace_placement::rules::RuleIdx;

/// One axis of a heatmap: a label and its values, sorted by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Axis {
    /// The label name (`zone`); empty for the single column of a one-label heatmap.
    pub label: String,
    /// Value names in display order.
    pub values: Vec<String>,
}

/// How many partitions hold `count` replicas in a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountBin {
    /// Replicas in the cell.
    pub count: u32,
    /// Partitions with that many.
    pub partitions: u64,
    /// Of those, partitions breaking the rule in the cell's row or column.
    pub violating: u64,
}

/// One cell: the distribution of replicas-per-partition counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cell {
    /// Bins by ascending count, empty bins left out.
    pub bins: Vec<CountBin>,
}

impl Cell {
    /// Replicas in the cell over all partitions.
    pub fn replicas(&self) -> u64 {
        self.bins
            .iter()
            .map(|b| u64::from(b.count) * b.partitions)
            .sum()
    }

    /// Partitions whose count here breaks the rule.
    pub fn violating(&self) -> u64 {
        self.bins.iter().map(|b| b.violating).sum()
    }
}

/// A heatmap of one rule over one label pair, for one assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heatmap {
    /// The rule, as messages name it.
    pub rule: String,
    /// Rows (the first label).
    pub rows: Axis,
    /// Columns (the second label, or one unnamed column).
    pub cols: Axis,
    /// Partitions of the rule.
    pub partitions: u64,
    /// Partitions breaking the rule in some row or column of this heatmap.
    pub violating_partitions: u64,
    /// `cells[row][col]`.
    pub cells: Vec<Vec<Cell>>,
}

/// What to draw: a rule and the labels of its rows and (optional) columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeatmapKey {
    /// The rule.
    pub rule: RuleIdx,
    /// Row label.
    pub rows: LabelIdx,
    /// Column label, `None` for a one-label heatmap.
    pub cols: Option<LabelIdx>,
}

/// The labels the policy uses (spread or survive), the one with the most values first (zones
/// before Kubernetes clusters, typically), then by name.
pub fn policy_labels(model: &ClusterModel) -> Vec<LabelIdx> {
    let mut labels = model.policy_labels();
    labels.sort_by(|&a, &b| {
        let values = |l: LabelIdx| std::cmp::Reverse(model.labels().value_count(l));
        values(a).cmp(&values(b)).then_with(|| {
            model
                .labels()
                .label_name(a)
                .cmp(model.labels().label_name(b))
        })
    });
    labels
}

/// The heatmaps worth drawing: per rule with partitions and a spread, every pair of the policy's
/// labels that the rule spreads over at least one of (one-label heatmaps when the policy uses a
/// single label). At most `max_rules` rules (those with the most partitions), in
/// policy order.
pub fn heatmap_keys(model: &ClusterModel, max_rules: usize) -> Vec<HeatmapKey> {
    let labels = policy_labels(model);
    let mut pairs: Vec<(LabelIdx, Option<LabelIdx>)> = Vec::new();
    for (i, &a) in labels.iter().enumerate() {
        pairs.extend(labels[i + 1..].iter().map(|&b| (a, Some(b))));
    }
    if labels.len() == 1 {
        pairs.push((labels[0], None));
    }
    let mut sizes = vec![0u64; model.rules().len()];
    for topic in model.topics() {
        sizes[topic.rule as usize] += topic.partitions.len() as u64;
    }
    let mut rules: Vec<RuleIdx> = (0..model.rules().len() as RuleIdx)
        .filter(|&r| sizes[r as usize] > 0 && !model.rules()[r as usize].spread.is_empty())
        .collect();
    rules.sort_by_key(|&r| (std::cmp::Reverse(sizes[r as usize]), r));
    rules.truncate(max_rules);
    rules.sort_unstable();
    let mut keys = Vec::new();
    for rule in rules {
        let spreads = |l: LabelIdx| {
            model.rules()[rule as usize]
                .spread
                .iter()
                .any(|(s, _)| *s == l)
        };
        for &(rows, cols) in &pairs {
            if spreads(rows) || cols.is_some_and(spreads) {
                keys.push(HeatmapKey { rule, rows, cols });
            }
        }
    }
    keys
}

/// Counting state of one heatmap.
struct Tally {
    key: HeatmapKey,
    /// Label value → display position, per axis.
    row_of: Vec<usize>,
    col_of: Vec<usize>,
    rows: usize,
    cols: usize,
    /// Per cell (row-major): partitions counted explicitly, and counts per replica count.
    counted: Vec<u64>,
    bins: Vec<Vec<(u64, u64)>>,
    partitions: u64,
    violating: u64,
}

impl Tally {
    fn new(model: &ClusterModel, key: HeatmapKey) -> (Tally, Axis, Axis) {
        let (row_of, rows) = axis(model, Some(key.rows));
        let (col_of, cols) = axis(model, key.cols);
        let cells = rows.values.len() * cols.values.len();
        let tally = Tally {
            key,
            row_of,
            col_of,
            rows: rows.values.len(),
            cols: cols.values.len(),
            counted: vec![0; cells],
            bins: vec![Vec::new(); cells],
            partitions: 0,
            violating: 0,
        };
        (tally, rows, cols)
    }

    fn add(&mut self, cell: usize, count: u32, violating: bool) {
        let bins = &mut self.bins[cell];
        if bins.len() <= count as usize {
            bins.resize(count as usize + 1, (0, 0));
        }
        bins[count as usize].0 += 1;
        bins[count as usize].1 += u64::from(violating);
        self.counted[cell] += 1;
    }

    fn count_partition(
        &mut self,
        model: &ClusterModel,
        bounds: &BoundsTable,
        partition: PartitionIdx,
        replicas: &[BrokerIdx],
    ) {
        self.partitions += 1;
        let rule = model.rule_of(partition);
        let position = |label: LabelIdx| rule.spread.iter().position(|(l, _)| *l == label);
        let row_label = self.key.rows;
        let col_label = self.key.cols;
        let place = |b: BrokerIdx| -> Option<(usize, usize)> {
            let broker = &model.brokers()[b as usize];
            let row = self.row_of[broker.label(row_label)? as usize];
            let col = match col_label {
                Some(label) => self.col_of[broker.label(label)? as usize],
                None => 0,
            };
            Some((row, col))
        };
        let mut cells: Vec<(usize, u32)> = Vec::with_capacity(replicas.len());
        let mut row_counts: Vec<(usize, u32)> = Vec::with_capacity(replicas.len());
        let mut col_counts: Vec<(usize, u32)> = Vec::with_capacity(replicas.len());
        for &b in replicas {
            let Some((row, col)) = place(b) else { continue };
            bump(&mut cells, row * self.cols + col);
            bump(&mut row_counts, row);
            bump(&mut col_counts, col);
        }
        let partition_bounds = bounds.get(model, partition, replicas);
        let out_of_range = |label: LabelIdx,
                            value_of: &[usize],
                            counts: &[(usize, u32)],
                            len: usize|
         -> Vec<bool> {
            let mut bad = vec![false; len];
            if let Some(pos) = position(label) {
                for (value, &display) in value_of.iter().enumerate() {
                    let count = counts
                        .iter()
                        .find(|(d, _)| *d == display)
                        .map_or(0, |(_, n)| *n);
                    let (min, max) = partition_bounds.range(pos, value as ValueIdx);
                    bad[display] |= count < min || count > max;
                }
            }
            bad
        };
        let bad_rows = out_of_range(row_label, &self.row_of, &row_counts, self.rows);
        let bad_cols = match col_label {
            Some(label) => out_of_range(label, &self.col_of, &col_counts, self.cols),
            None => vec![false],
        };
        if !bad_rows.contains(&true) && !bad_cols.contains(&true) {
            for (cell, count) in cells {
                self.add(cell, count, false);
            }
            return;
        }
        self.violating += 1;
        for (row, &bad_row) in bad_rows.iter().enumerate() {
            for (col, &bad_col) in bad_cols.iter().enumerate() {
                let cell = row * self.cols + col;
                let count = cells
                    .iter()
                    .find(|(c, _)| *c == cell)
                    .map_or(0, |(_, n)| *n);
                self.add(cell, count, bad_row || bad_col);
            }
        }
    }

    fn finish(mut self, rule: String, rows: Axis, cols: Axis) -> Heatmap {
        let mut cells = Vec::with_capacity(self.rows);
        for row in 0..self.rows {
            let mut line = Vec::with_capacity(self.cols);
            for col in 0..self.cols {
                let cell = row * self.cols + col;
                let zeros = self.partitions - self.counted[cell];
                if zeros > 0 {
                    if self.bins[cell].is_empty() {
                        self.bins[cell].push((0, 0));
                    }
                    self.bins[cell][0].0 += zeros;
                }
                let bins = self.bins[cell]
                    .iter()
                    .enumerate()
                    .filter(|(_, (partitions, _))| *partitions > 0)
                    .map(|(count, &(partitions, violating))| CountBin {
                        count: count as u32,
                        partitions,
                        violating,
                    })
                    .collect();
                line.push(Cell { bins });
            }
            cells.push(line);
        }
        Heatmap {
            rule,
            rows,
            cols,
            partitions: self.partitions,
            violating_partitions: self.violating,
            cells,
        }
    }
}

fn bump(counts: &mut Vec<(usize, u32)>, key: usize) {
    match counts.iter_mut().find(|(k, _)| *k == key) {
        Some((_, n)) => *n += 1,
        None => counts.push((key, 1)),
    }
}

/// An axis for `label` (values sorted by name) and the map from value index to position.
fn axis(model: &ClusterModel, label: Option<LabelIdx>) -> (Vec<usize>, Axis) {
    let Some(label) = label else {
        return (
            vec![0],
            Axis {
                label: String::new(),
                values: vec!["all".to_string()],
            },
        );
    };
    let count = model.labels().value_count(label);
    let mut order: Vec<ValueIdx> = (0..count as ValueIdx).collect();
    order.sort_by(|&a, &b| {
        model
            .labels()
            .value_name(label, a)
            .cmp(model.labels().value_name(label, b))
    });
    let mut position = vec![0; count];
    for (display, &value) in order.iter().enumerate() {
        position[value as usize] = display;
    }
    let values = order
        .iter()
        .map(|&v| model.labels().value_name(label, v).to_string())
        .collect();
    (
        position,
        Axis {
            label: model.labels().label_name(label).to_string(),
            values,
        },
    )
}

/// Computes the heatmaps `keys` for one assignment (indexed like the model's partitions).
pub fn heatmaps(
    model: &ClusterModel,
    assignment: &[Replicas],
    keys: &[HeatmapKey],
) -> Vec<Heatmap> {
    let bounds = BoundsTable::for_assignment(model, assignment);
    let mut tallies: Vec<(Tally, Axis, Axis)> =
        keys.iter().map(|&key| Tally::new(model, key)).collect();
    let mut by_rule: Vec<Vec<usize>> = vec![Vec::new(); model.rules().len()];
    for (index, key) in keys.iter().enumerate() {
        by_rule[key.rule as usize].push(index);
    }
    for (index, replicas) in assignment.iter().enumerate() {
        let partition = index as PartitionIdx;
        for &t in &by_rule[model.rule_of(partition).index as usize] {
            tallies[t]
                .0
                .count_partition(model, &bounds, partition, replicas);
        }
    }
    tallies
        .into_iter()
        .map(|(tally, rows, cols)| {
            let rule = model.rules()[tally.key.rule as usize].describe();
            tally.finish(rule, rows, cols)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::test_model;

    fn bins(cell: &Cell) -> Vec<(u32, u64, u64)> {
        cell.bins
            .iter()
            .map(|b| (b.count, b.partitions, b.violating))
            .collect()
    }

    #[test]
    fn counts_replicas_per_cell_and_flags_the_broken_rows() {
        let model = test_model::model();
        let keys = heatmap_keys(&model, 8);
        assert_eq!(keys.len(), 1);
        let maps = heatmaps(&model, model.current(), &keys);
        let h = &maps[0];
        assert_eq!(
            (h.rows.label.as_str(), h.cols.label.as_str()),
            ("zone", "cluster")
        );
        assert_eq!(h.rows.values, ["z1", "z2", "z3"]);
        assert_eq!(h.cols.values, ["a", "b"]);
        assert_eq!((h.partitions, h.violating_partitions), (2, 1));
        // t-1 has two replicas in z1 and none in z3: its counts in those rows are violations.
        assert_eq!(bins(&h.cells[0][0]), [(1, 2, 1)]);
        assert_eq!(bins(&h.cells[0][1]), [(0, 1, 0), (1, 1, 1)]);
        assert_eq!(bins(&h.cells[1][0]), [(1, 2, 0)]);
        assert_eq!(bins(&h.cells[1][1]), [(0, 2, 0)]);
        assert_eq!(bins(&h.cells[2][0]), [(0, 1, 1), (1, 1, 0)]);
        assert_eq!(bins(&h.cells[2][1]), [(0, 2, 1)]);
        assert_eq!(h.cells.iter().flatten().map(Cell::replicas).sum::<u64>(), 6);
    }

    #[test]
    fn a_valid_assignment_has_no_violations() {
        let model = test_model::model();
        let keys = heatmap_keys(&model, 8);
        let fixed = vec![vec![0, 2, 4], vec![1, 3, 4]];
        let h = &heatmaps(&model, &fixed, &keys)[0];
        assert_eq!(h.violating_partitions, 0);
        assert!(h.cells.iter().flatten().all(|c| c.violating() == 0));
        // Every cell accounts for every partition.
        assert!(h
            .cells
            .iter()
            .flatten()
            .all(|c| c.bins.iter().map(|b| b.partitions).sum::<u64>() == 2));
    }
}
