//! The placement solver: cell searches per (rule, replication factor), memoised.
//!
//! Most partitions of a large cluster look alike at the level of cells (how many replicas sit in
//! each cell), so the answers of the cell search are cached by that shape; repairing 100,000
//! partitions asks the search a few hundred distinct questions.

use std::sync::Arc;

use rustc_hash::FxHashMap;

use crate::bounds::Bounds;
use crate::cells::{CellIdx, CellSpace};
use crate::feasibility::Infeasibility;
use crate::model::ClusterModel;
use crate::rules::Rule;
use crate::search::{CellProblem, KeepObjective};

/// Identifies a (rule, cell space) pair inside a solver: the model's rules first, in order, then
/// any spaces added with [`PlacementSolver::add_space`].
pub type SpaceId = u32;

/// Per-cell counts as a cache key: packed 4 bits a cell into one integer when there are at most
/// 32 cells and no count above 15 (every realistic policy), so that the hot path allocates
/// nothing; otherwise the sparse list `(cell, count)` of non-zero counts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum CellCounts {
    Packed(u128),
    Sparse(Vec<(CellIdx, u32)>),
}

struct RuleCase {
    bounds: Bounds,
    feasible: Result<(), Infeasibility>,
    keep_memo: FxHashMap<(CellCounts, Option<CellIdx>), Option<Vec<u32>>>,
    completable_memo: FxHashMap<CellCounts, bool>,
}

/// Answers placement questions for one model, caching what it learns.
pub struct PlacementSolver<'m> {
    model: &'m ClusterModel,
    spaces: Vec<Arc<(Rule, CellSpace)>>,
    capacities: Vec<Vec<u32>>,
    cases: FxHashMap<(SpaceId, u32), RuleCase>,
}

impl<'m> PlacementSolver<'m> {
    /// A solver over the model's rules.
    pub fn new(model: &'m ClusterModel) -> Self {
        let spaces: Vec<Arc<(Rule, CellSpace)>> = model
            .rules
            .iter()
            .cloned()
            .zip(model.cell_spaces.iter().cloned())
            .map(Arc::new)
            .collect();
        let capacities = spaces.iter().map(|pair| pair.1.capacities()).collect();
        PlacementSolver {
            model,
            spaces,
            capacities,
            cases: FxHashMap::default(),
        }
    }

    /// The model the solver answers for.
    pub fn model(&self) -> &'m ClusterModel {
        self.model
    }

    /// Adds a rule with its own cell space (e.g. a rule tightened with `rack: even`).
    pub fn add_space(&mut self, rule: Rule, space: CellSpace) -> SpaceId {
        self.capacities.push(space.capacities());
        self.spaces.push(Arc::new((rule, space)));
        (self.spaces.len() - 1) as SpaceId
    }

    /// The rule and cells of a space (shared, so callers may hold it while asking the solver).
    pub fn space(&self, id: SpaceId) -> Arc<(Rule, CellSpace)> {
        Arc::clone(&self.spaces[id as usize])
    }

    /// Builds the cached case of (`id`, `r`) if it is not there yet and returns it.
    fn case(&mut self, id: SpaceId, r: u32) -> &RuleCase {
        let (rule, space) = &*self.spaces[id as usize];
        let capacities = &self.capacities[id as usize];
        let labels = &self.model.labels;
        self.cases.entry((id, r)).or_insert_with(|| {
            let bounds = Bounds::new(rule, space, labels, r);
            let problem = CellProblem {
                cells: &space.cells,
                capacities,
                bounds: &bounds,
            };
            let lower = vec![0; space.cells.len()];
            let feasible = match problem.solve(&lower, None) {
                Some(_) => Ok(()),
                None => Err(Infeasibility::explain(rule, space, &bounds, labels)),
            };
            RuleCase {
                bounds,
                feasible,
                keep_memo: FxHashMap::default(),
                completable_memo: FxHashMap::default(),
            }
        })
    }

    fn case_mut(&mut self, id: SpaceId, r: u32) -> &mut RuleCase {
        self.case(id, r);
        self.cases
            .get_mut(&(id, r))
            .expect("case was built just above")
    }

    /// The bounds of space `id` at replication factor `r`.
    pub fn bounds(&mut self, id: SpaceId, r: u32) -> &Bounds {
        &self.case(id, r).bounds
    }

    /// Whether the rule of space `id` can be met at all at replication factor `r`.
    pub fn feasibility(&mut self, id: SpaceId, r: u32) -> Result<(), Infeasibility> {
        self.case(id, r).feasible.clone()
    }

    /// Per-cell counts that keep the most of `keep` (replicas per cell now), preferring to keep
    /// one in `leader_cell`. `None` when the rule cannot be met at `r`.
    pub fn best_keep(
        &mut self,
        id: SpaceId,
        r: u32,
        keep: &[u32],
        leader_cell: Option<CellIdx>,
    ) -> Option<Vec<u32>> {
        let key = (sparse(keep), leader_cell);
        let case = self.case(id, r);
        if let Some(found) = case.keep_memo.get(&key) {
            return found.clone();
        }
        let problem = CellProblem {
            cells: &self.spaces[id as usize].1.cells,
            capacities: &self.capacities[id as usize],
            bounds: &self.cases[&(id, r)].bounds,
        };
        let lower = vec![0; problem.cells.len()];
        let answer = problem.solve(&lower, Some(KeepObjective { keep, leader_cell }));
        self.case_mut(id, r).keep_memo.insert(key, answer.clone());
        answer
    }

    /// Whether a partial placement with `chosen` replicas per cell can be completed to a valid
    /// one (a complete placement is "completable" exactly when it is valid).
    pub fn completable(&mut self, id: SpaceId, r: u32, chosen: &[u32]) -> bool {
        let key = sparse(chosen);
        if let Some(&known) = self.case(id, r).completable_memo.get(&key) {
            return known;
        }
        let capacities = &self.capacities[id as usize];
        let fits = chosen.iter().zip(capacities).all(|(c, cap)| c <= cap);
        let answer = fits && {
            let problem = CellProblem {
                cells: &self.spaces[id as usize].1.cells,
                capacities,
                bounds: &self.cases[&(id, r)].bounds,
            };
            problem.solve(chosen, None).is_some()
        };
        self.case_mut(id, r).completable_memo.insert(key, answer);
        answer
    }
}

fn sparse(counts: &[u32]) -> CellCounts {
    if counts.len() <= 32 && counts.iter().all(|&n| n < 16) {
        let packed = counts
            .iter()
            .enumerate()
            .fold(0u128, |key, (cell, &n)| key | (u128::from(n) << (4 * cell)));
        return CellCounts::Packed(packed);
    }
    CellCounts::Sparse(
        counts
            .iter()
            .enumerate()
            .filter(|(_, &n)| n > 0)
            .map(|(cell, &n)| (cell as CellIdx, n))
            .collect(),
    )
}
