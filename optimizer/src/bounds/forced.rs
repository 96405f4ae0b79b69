//! Replicas the policy forces into a set of brokers, whatever the placement: per (rule,
//! replication factor), the fewest replicas each cell (and each label value) can hold in any
//! valid placement, found with placement's exact cell search by capping the cell's capacity.
//! Summed over partitions and divided by the set's brokers, that is a lower bound on the
//! fullest broker of the set (a partition puts at most one replica on a broker).

use std::collections::BTreeMap;

use kplace_placement::bounds::Bounds;
use kplace_placement::cells::CellSpace;
use kplace_placement::model::{BrokerIdx, ClusterModel, PartitionIdx};
use kplace_placement::rules::RuleIdx;
use kplace_placement::search::CellProblem;

/// A set of brokers and the replicas the policy forces into it.
#[derive(Debug, Clone, PartialEq)]
pub struct ForcedSet {
    /// The brokers (eligible, ascending).
    pub brokers: Vec<BrokerIdx>,
    /// The set as domains, e.g. `zone=az2, cluster=k8s-b`.
    pub name: String,
    /// Per partition forced into the set: how many of its replicas must be there.
    pub partitions: Vec<(PartitionIdx, u32)>,
    /// The rules those partitions follow (for messages).
    pub rules: Vec<RuleIdx>,
    /// The rules for which the set is a cell (cells of one rule are disjoint).
    pub cell_of: Vec<RuleIdx>,
}

impl ForcedSet {
    /// Replicas forced into the set.
    pub fn replicas(&self) -> u64 {
        self.partitions.iter().map(|&(_, n)| u64::from(n)).sum()
    }

    /// The least the fullest broker of the set holds: forced replicas over brokers, rounded up.
    pub fn per_broker(&self) -> u64 {
        self.replicas().div_ceil(self.brokers.len().max(1) as u64)
    }
}

/// Every set of brokers (a rule's cell or one value of one of its labels) into which some
/// partition must put a replica, keyed by the broker set (rules with the same cells add up).
pub fn forced_sets(model: &ClusterModel, assignment: &[Vec<BrokerIdx>]) -> Vec<ForcedSet> {
    let mut groups: BTreeMap<(RuleIdx, u32), Vec<PartitionIdx>> = BTreeMap::new();
    for (p, replicas) in assignment.iter().enumerate() {
        let p = p as PartitionIdx;
        let rule = model.rule_of(p).index;
        let r = model.target_replication_factor(p, replicas);
        groups.entry((rule, r)).or_default().push(p);
    }
    let mut sets: BTreeMap<Vec<BrokerIdx>, ForcedSet> = BTreeMap::new();
    for ((rule, r), partitions) in groups {
        let space = &model.cell_spaces()[rule as usize];
        for (brokers, name, least, cell) in minimum_per_set(model, rule, space, r) {
            if least == 0 || brokers.is_empty() {
                continue;
            }
            let set = sets.entry(brokers.clone()).or_insert_with(|| ForcedSet {
                brokers,
                name,
                partitions: Vec::new(),
                rules: Vec::new(),
                cell_of: Vec::new(),
            });
            if cell && !set.cell_of.contains(&rule) {
                set.cell_of.push(rule);
            }
            set.partitions
                .extend(partitions.iter().map(|&p| (p, least)));
            if !set.rules.contains(&rule) {
                set.rules.push(rule);
            }
        }
    }
    // One broker set can be both a cell and a label value (a zone left with one eligible cell):
    // a partition then must put the larger of the two minima there, not their sum.
    for set in sets.values_mut() {
        set.partitions
            .sort_unstable_by_key(|&(p, n)| (p, std::cmp::Reverse(n)));
        set.partitions.dedup_by_key(|&mut (p, _)| p);
    }
    sets.into_values().collect()
}

/// For one rule at replication factor `r`: each cell and each label value with the fewest
/// replicas a valid placement puts there (and whether it is a cell). Empty when the rule cannot
/// be met at all.
fn minimum_per_set(
    model: &ClusterModel,
    rule: RuleIdx,
    space: &CellSpace,
    r: u32,
) -> Vec<(Vec<BrokerIdx>, String, u32, bool)> {
    let rule = &model.rules()[rule as usize];
    let bounds = Bounds::new(rule, space, model.labels(), r);
    let capacities = space.capacities();
    let lower = vec![0; space.cells.len()];
    let feasible = |capacities: &[u32]| {
        CellProblem {
            cells: &space.cells,
            capacities,
            bounds: &bounds,
        }
        .solve(&lower, None)
        .is_some()
    };
    if !feasible(&capacities) {
        return Vec::new();
    }
    let domain = |position: usize, value| {
        let label = space.labels[position];
        format!(
            "{}={}",
            model.labels().label_name(label),
            model.labels().value_name(label, value)
        )
    };
    let mut out = Vec::new();
    for (c, cell) in space.cells.iter().enumerate() {
        let mut capped = capacities.clone();
        let least = (0..capacities[c])
            .find(|&k| {
                capped[c] = k;
                feasible(&capped)
            })
            .unwrap_or(capacities[c]);
        let name = if cell.values.is_empty() {
            "every eligible broker".to_string()
        } else {
            (0..cell.values.len())
                .map(|i| domain(i, cell.values[i]))
                .collect::<Vec<_>>()
                .join(", ")
        };
        out.push((cell.brokers.clone(), name, least, true));
    }
    // Label values over several cells: their rule minimum (the cells' minima may add up to less).
    if space.labels.len() > 1 {
        for position in 0..space.labels.len() {
            let mut by_value: BTreeMap<u32, Vec<BrokerIdx>> = BTreeMap::new();
            for cell in &space.cells {
                by_value
                    .entry(cell.values[position])
                    .or_default()
                    .extend(&cell.brokers);
            }
            for (value, mut brokers) in by_value {
                brokers.sort_unstable();
                let least = bounds.range(position, value).0;
                out.push((brokers, domain(position, value), least, false));
            }
        }
    }
    out
}
