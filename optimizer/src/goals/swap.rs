//! Swaps: exchanging a heavy replica on a loaded broker for a lighter one on a less loaded broker.
//!
//! A move changes two brokers' replica counts; a swap changes none. When a count band that an
//! earlier goal keeps (replica balance, a replica maximum) turns down every move off a broker that
//! is above its band of disk, network or CPU, a swap can still shift the difference of the two
//! replicas' loads. Swaps copy two replicas, so the balancing goals try them last, after
//! leadership changes and moves (Cruise Control's order of actions).

use kplace_placement::model::{BrokerIdx, ClusterModel, PartitionIdx};

use crate::action::Action;
use crate::goals::band::Target;
use crate::goals::GoalRun;
use crate::resource::Resource;
use crate::state::ClusterState;

/// Heavy replicas of the loaded broker tried per pair of brokers.
const HEAVY_PER_PAIR: usize = 16;
/// Lighter partners on the other broker tried per heavy replica.
const PARTNERS_PER_REPLICA: usize = 8;

/// The load `partition`'s replica on `b` carries of `resource`.
fn load(
    state: &ClusterState<'_>,
    resource: Resource,
    partition: PartitionIdx,
    b: BrokerIdx,
) -> f64 {
    resource.replica_load(state.model(), partition, state.leader(partition) == Some(b))
}

/// Replicas on `b` that a swap may take: not frozen, load > 0, heaviest first (ties by index).
fn movable(
    run: &GoalRun<'_, '_>,
    resource: Resource,
    hosted: &[PartitionIdx],
    b: BrokerIdx,
) -> Vec<(f64, PartitionIdx)> {
    let mut out: Vec<(f64, PartitionIdx)> = hosted
        .iter()
        .copied()
        .filter(|&p| !run.limits.frozen_partition(p) && run.state.replicas(p).contains(&b))
        .map(|p| (load(run.state, resource, p, b), p))
        .collect();
    out.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    out
}

/// Whether `partition` can take a replica on `to` in exchange for the one on `from`.
fn fits(state: &ClusterState<'_>, partition: PartitionIdx, to: BrokerIdx) -> bool {
    !state.replicas(partition).contains(&to)
}

/// Tries swaps that move load from `heavy` to `light` until one is applied: a heavy replica of
/// `heavy` for a lighter replica of `light`, the pair whose load difference comes closest to
/// evening the two brokers out first. Returns whether a swap was applied.
pub fn try_swap(
    run: &mut GoalRun<'_, '_>,
    band: &Target<'_>,
    resource: Resource,
    hosted: &[Vec<PartitionIdx>],
    heavy: BrokerIdx,
    light: BrokerIdx,
) -> bool {
    let model: &ClusterModel = run.state.model();
    if !run.limits.may_receive(model, heavy) || !run.limits.may_receive(model, light) {
        return false;
    }
    let stats = run.state.stats();
    let gap = resource.of(&stats[heavy as usize]) - resource.of(&stats[light as usize]);
    if gap <= 0.0 {
        return false;
    }
    let partners = movable(run, resource, &hosted[light as usize], light);
    let heavies: Vec<(f64, PartitionIdx)> = movable(run, resource, &hosted[heavy as usize], heavy)
        .into_iter()
        .filter(|&(_, p)| fits(run.state, p, light))
        .take(HEAVY_PER_PAIR)
        .collect();
    for (heavy_load, first) in heavies {
        let mut lighter: Vec<(f64, PartitionIdx)> = partners
            .iter()
            .copied()
            .filter(|&(l, q)| l < heavy_load && q != first && fits(run.state, q, heavy))
            .collect();
        // Closest to half the gap first: the swap that evens the two brokers out.
        lighter.sort_by(|a, b| {
            let miss = |l: f64| ((heavy_load - l) - gap / 2.0).abs();
            miss(a.0).total_cmp(&miss(b.0)).then(a.1.cmp(&b.1))
        });
        for (_, second) in lighter.into_iter().take(PARTNERS_PER_REPLICA) {
            let action = Action::Swap {
                first,
                first_broker: heavy,
                second,
                second_broker: light,
            };
            if run.try_apply(action, |p, _| band.wants(p)) {
                return true;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use kplace_placement::model::{ClusterModel, ModelOptions};
    use kplace_placement::parse::parse_policy;
    use kplace_placement::snapshot::{BrokerSpec, PartitionSpec, Snapshot};

    use crate::planner::{make_plan, PlanRequest};

    /// Four brokers in four racks with ten single-replica partitions each: broker 1's are 100 bytes,
    /// broker 2's 1 byte, brokers 3 and 4's 50 bytes. Replica balance (±10% of 10: 9..=11) lets
    /// broker 1 give away at most two replicas by moves, leaving it at ≥ 800 bytes, far above the
    /// disk band (mean 502.75 ± 10%: at most 553). Only swaps can meet both goals.
    fn lopsided_disks() -> ClusterModel {
        let brokers = (1..=4)
            .map(|id| BrokerSpec {
                id,
                rack: Some(format!("r{id}")),
                ..BrokerSpec::default()
            })
            .collect();
        let partitions = (0..40)
            .map(|i| {
                let broker = i / 10 + 1;
                PartitionSpec {
                    topic: format!("t{i}"),
                    partition: 0,
                    replicas: vec![broker],
                    size: [100, 1, 50, 50][(broker - 1) as usize],
                    ..PartitionSpec::default()
                }
            })
            .collect();
        let snapshot = Snapshot {
            brokers,
            partitions,
            ..Snapshot::default()
        };
        let policy = parse_policy(
            "rules:\n  - topics: '.*'\n    spread: {rack: even}\n",
            "policy",
        )
        .expect("policy");
        ClusterModel::build(&snapshot, &policy, &ModelOptions::default()).expect("model")
    }

    #[test]
    fn swaps_even_out_disk_where_replica_balance_turns_every_move_down() {
        let model = lopsided_disks();
        let request = PlanRequest {
            goals: ["spread", "replica-balance", "disk-balance"]
                .map(String::from)
                .to_vec(),
            ..PlanRequest::default()
        };
        let plan = make_plan(&model, &request).expect("plan");
        for goal in &plan.goals {
            assert!(
                goal.after.satisfied,
                "{} still violated: {:?}",
                goal.name, goal.after
            );
        }
        let heavy = plan.brokers.iter().find(|b| b.id == 1).expect("broker 1");
        assert!(heavy.after.replicas >= 9, "replica balance kept");
        let gave = plan.partitions.iter().any(|c| c.old_replicas == [1]);
        let took = plan.partitions.iter().any(|c| c.new_replicas == [1]);
        assert!(gave && took, "broker 1 exchanged replicas");
    }
}
