//! Who may lead each partition in some placement meeting the spread rules, and the least the
//! most-leading broker then carries.
//!
//! A partition's leader is one of its replicas, so it sits on a broker of a cell of the
//! partition's rule that some valid placement gives a replica (placement's exact cell search
//! with that cell required), and one that may lead (eligible, not demoted). Partitions of one
//! (rule, replication factor) share that candidate set. Choosing a leader per partition among
//! its candidates so that no broker leads more than `k` is a bipartite b-matching; by Hall's
//! theorem it exists exactly when, for every union `U` of candidate sets, the partitions whose
//! candidates all lie in `U` number at most `k × |U|`. [`least_max`] evaluates that condition
//! over every union (when there are at most [`ENUMERATED`] distinct sets: the bound is then the
//! flow optimum, exact for leadership alone), else over the single sets, their pairs and the
//! union of all (a valid relaxation). With loads in place of counts (network out, a leader's
//! CPU) the same quotient is the fractional relaxation: still a lower bound.

use std::collections::BTreeMap;

use kplace_placement::bounds::Bounds;
use kplace_placement::model::{BrokerIdx, ClusterModel, PartitionIdx};
use kplace_placement::rules::RuleIdx;
use kplace_placement::search::CellProblem;

/// Distinct candidate sets up to which every union is tried (2^ENUMERATED unions).
pub const ENUMERATED: usize = 12;

/// Partitions that may be led by exactly the same brokers.
#[derive(Debug, Clone, PartialEq)]
pub struct CandidateSet {
    /// The brokers that may lead them (ascending).
    pub brokers: Vec<BrokerIdx>,
    /// The partitions.
    pub partitions: Vec<PartitionIdx>,
    /// Their rules (for messages).
    pub rules: Vec<RuleIdx>,
}

/// The candidate sets of an assignment's partitions (by the replication factor each is to
/// have), for brokers that `may_lead`. Partitions whose rule cannot be met are left out.
pub fn candidate_sets(
    model: &ClusterModel,
    assignment: &[Vec<BrokerIdx>],
    may_lead: &[bool],
) -> Vec<CandidateSet> {
    let mut groups: BTreeMap<(RuleIdx, u32), Vec<PartitionIdx>> = BTreeMap::new();
    for (p, replicas) in assignment.iter().enumerate() {
        let p = p as PartitionIdx;
        let r = model.target_replication_factor(p, replicas);
        if r > 0 {
            groups
                .entry((model.rule_of(p).index, r))
                .or_default()
                .push(p);
        }
    }
    let mut sets: BTreeMap<Vec<BrokerIdx>, CandidateSet> = BTreeMap::new();
    for ((rule, r), partitions) in groups {
        let brokers = leading_brokers(model, rule, r, may_lead);
        if brokers.is_empty() {
            continue;
        }
        let set = sets.entry(brokers.clone()).or_insert_with(|| CandidateSet {
            brokers,
            partitions: Vec::new(),
            rules: Vec::new(),
        });
        set.partitions.extend(partitions);
        if !set.rules.contains(&rule) {
            set.rules.push(rule);
        }
    }
    sets.into_values().collect()
}

/// The brokers (that may lead) of every cell of `rule` that some valid placement at
/// replication factor `r` gives a replica.
fn leading_brokers(
    model: &ClusterModel,
    rule: RuleIdx,
    r: u32,
    may_lead: &[bool],
) -> Vec<BrokerIdx> {
    let space = &model.cell_spaces()[rule as usize];
    let bounds = Bounds::new(&model.rules()[rule as usize], space, model.labels(), r);
    let capacities = space.capacities();
    let problem = CellProblem {
        cells: &space.cells,
        capacities: &capacities,
        bounds: &bounds,
    };
    let mut out: Vec<BrokerIdx> = Vec::new();
    for (c, cell) in space.cells.iter().enumerate() {
        let mut lower = vec![0; space.cells.len()];
        lower[c] = 1;
        if problem.solve(&lower, None).is_some() {
            out.extend(
                cell.brokers
                    .iter()
                    .copied()
                    .filter(|&b| may_lead.get(b as usize).copied().unwrap_or(false)),
            );
        }
    }
    out.sort_unstable();
    out
}

/// The least the most loaded broker carries when each partition puts `weight` on one broker of
/// its candidate set: the largest (weight of the partitions whose candidates lie in `U`) / |U|
/// over unions `U` of candidate sets, with the union reaching it. Whether every union was tried.
pub fn least_max(
    sets: &[CandidateSet],
    weight: impl Fn(PartitionIdx) -> f64,
) -> (f64, Vec<BrokerIdx>, bool) {
    let totals: Vec<f64> = sets
        .iter()
        .map(|s| s.partitions.iter().map(|&p| weight(p)).sum())
        .collect();
    let every = sets.len() <= ENUMERATED;
    let unions: Vec<Vec<usize>> = if every {
        (1..1usize << sets.len())
            .map(|mask| (0..sets.len()).filter(|i| mask >> i & 1 == 1).collect())
            .collect()
    } else {
        let mut out: Vec<Vec<usize>> = (0..sets.len()).map(|i| vec![i]).collect();
        for i in 0..sets.len() {
            for j in i + 1..sets.len() {
                out.push(vec![i, j]);
            }
        }
        out.push((0..sets.len()).collect());
        out
    };
    let mut best = (0.0, Vec::new());
    for members in unions {
        let mut union: Vec<BrokerIdx> = members
            .iter()
            .flat_map(|&i| sets[i].brokers.iter().copied())
            .collect();
        union.sort_unstable();
        union.dedup();
        let inside: f64 = sets
            .iter()
            .zip(&totals)
            .filter(|(s, _)| s.brokers.iter().all(|b| union.binary_search(b).is_ok()))
            .map(|(_, t)| t)
            .sum();
        let per = inside / union.len().max(1) as f64;
        if per > best.0 {
            best = (per, union);
        }
    }
    (best.0, best.1, every)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(brokers: &[BrokerIdx], partitions: std::ops::Range<PartitionIdx>) -> CandidateSet {
        CandidateSet {
            brokers: brokers.to_vec(),
            partitions: partitions.collect(),
            rules: vec![0],
        }
    }

    #[test]
    fn hall_finds_the_crowded_union() {
        // 6 partitions may be led only by broker 0 or 1, 2 more by any of 4 brokers: the
        // average is 2, but brokers 0 and 1 lead at least 3 each.
        let sets = [set(&[0, 1], 0..6), set(&[0, 1, 2, 3], 6..8)];
        let (most, union, every) = least_max(&sets, |_| 1.0);
        assert_eq!((most, union, every), (3.0, vec![0, 1], true));
        // Disjoint sets: each on its own.
        let sets = [set(&[0], 0..3), set(&[1, 2], 3..5)];
        assert_eq!(least_max(&sets, |_| 1.0).0, 3.0);
    }
}
