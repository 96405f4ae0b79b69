//! The least any plan reaching the plan's goal states copies: every partition that breaks its
//! rule must gain the replicas its best valid placement lacks (placement's exact cell search for
//! the most current replicas a valid placement keeps: the spread repair's proven minimum; this
//! counts replicas on dead, excluded or removed brokers and a higher replication factor), and
//! every broker the plan brings up to a band's lower edge must receive at least the difference
//! (replica count, disk bytes).

use kplace_placement::check::check;
use kplace_placement::model::{BrokerIdx, ClusterModel};
use kplace_placement::solver::PlacementSolver;

use crate::goals::band::Band;
use crate::load_model::broker_stats;
use crate::plan::{GoalOutcome, MoveBound};
use crate::resource::Resource;
use crate::state::ClusterState;

/// The move bound of a plan from `before` to `after` with the goals' outcomes (only goals the
/// plan meets count) and their thresholds.
pub fn move_bound(
    model: &ClusterModel,
    before: &[Vec<BrokerIdx>],
    after: &[Vec<BrokerIdx>],
    goals: &[GoalOutcome],
    config: &crate::config::GoalConfig,
) -> MoveBound {
    // Replicas each partition breaking its rule must gain: its replication factor less the
    // most current replicas a valid placement keeps.
    let (mut needed, mut needed_bytes) = (0u64, 0u64);
    let mut broken: Vec<u32> = check(model, before).iter().map(|v| v.partition).collect();
    broken.dedup();
    let mut solver = PlacementSolver::new(model);
    for p in broken {
        let replicas = &before[p as usize];
        let r = model.target_replication_factor(p, &after[p as usize]);
        let rule = model.rule_of(p).index;
        let space = &model.cell_spaces()[rule as usize];
        let mut keep = vec![0u32; space.cells.len()];
        for &b in replicas {
            if let Some(c) = space.broker_cell[b as usize] {
                keep[c as usize] += 1;
            }
        }
        let kept: u32 = match solver.best_keep(rule, r, &keep, None) {
            Some(x) => x.iter().zip(&keep).map(|(x, k)| (*x).min(*k)).sum(),
            None => continue,
        };
        let gain = u64::from(r.saturating_sub(kept));
        needed += gain;
        needed_bytes += gain * model.partitions()[p as usize].size;
    }
    let planned = |name: &str| goals.iter().any(|g| g.name == name);
    let state = ClusterState::new(model, after.to_vec());
    let stats_before = broker_stats(model, before);
    let stats_after = state.stats();
    // Only the brokers the plan brings up to the band's lower edge: where a goal is not met
    // (a scale-out that may not fill brokers it was not told of), the brokers it does fill
    // still had to receive the difference.
    let inflow = |resource: Resource, threshold: f64| {
        let band = Band::around_mean(&state, resource, threshold);
        stats_before
            .iter()
            .zip(stats_after)
            .enumerate()
            .filter(|(b, (_, now))| resource.of(now) >= band.lo[*b])
            .map(|(b, (was, _))| (band.lo[b] - resource.of(was)).max(0.0))
            .sum::<f64>()
    };
    let mut moves = needed;
    if planned("replica-balance") {
        moves = moves.max(inflow(Resource::Replicas, config.replica_balance_threshold) as u64);
    }
    let mut bytes = needed_bytes;
    if planned("disk-balance") {
        bytes = bytes.max(inflow(Resource::Disk, config.resource_balance_threshold).floor() as u64);
    }
    MoveBound {
        replica_moves: moves,
        bytes_to_move: bytes,
    }
}
