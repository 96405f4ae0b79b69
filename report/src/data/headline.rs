//! The headline: goals before and after, the totals of the plan, and how long copying its bytes
//! takes at a replication throttle.

use std::collections::HashMap;

use kplace_optimizer::plan::{GoalOutcome, MoveBound, Plan, Totals};
use kplace_placement::snapshot::BrokerId;

/// The numbers at the top of the page.
#[derive(Debug, Clone, PartialEq)]
pub struct Headline {
    /// Each goal before and after, in priority order.
    pub goals: Vec<GoalOutcome>,
    /// The plan's totals (moves, leader moves, bytes).
    pub totals: Totals,
    /// The least any plan reaching the same goal states copies, when the plan says.
    pub bounds: Option<MoveBound>,
    /// Partitions in the cluster.
    pub partitions: u64,
    /// Brokers in the cluster.
    pub brokers: u64,
    /// The replication throttle the copy time assumes, bytes per second per broker.
    pub throttle: u64,
    /// Estimated seconds to copy every moved replica at `throttle`.
    pub copy_seconds: f64,
    /// The broker whose traffic bounds the copy time, if anything moves.
    pub bottleneck: Option<BrokerId>,
    /// How the partition loads were obtained (sampled, given), when the snapshot has loads.
    pub loads: Option<String>,
}

impl Headline {
    /// Summarises `plan` for a cluster of `partitions` partitions, copying at `throttle` bytes/s.
    pub fn new(plan: &Plan, partitions: u64, throttle: u64) -> Headline {
        let (copy_seconds, bottleneck) = copy_time(plan, throttle);
        Headline {
            goals: plan.goals.clone(),
            totals: plan.totals,
            bounds: plan.bounds,
            partitions,
            brokers: plan.brokers.len() as u64,
            throttle,
            copy_seconds,
            bottleneck,
            loads: None,
        }
    }
}

/// Seconds to copy the plan's bytes when every broker's replication traffic, in and out, is
/// throttled to `throttle` bytes/s (Kafka's leader and follower replication throttles are per
/// broker): the busiest broker's traffic over the throttle. A new replica is fetched from the
/// partition's old leader, else its first old replica.
pub fn copy_time(plan: &Plan, throttle: u64) -> (f64, Option<BrokerId>) {
    let mut traffic: HashMap<BrokerId, u64> = HashMap::new();
    for change in &plan.partitions {
        let added: Vec<BrokerId> = change
            .new_replicas
            .iter()
            .copied()
            .filter(|b| !change.old_replicas.contains(b))
            .collect();
        if added.is_empty() {
            continue;
        }
        let size = change.bytes_to_move / added.len() as u64;
        for broker in &added {
            *traffic.entry(*broker).or_default() += size;
        }
        if let Some(source) = change
            .old_leader
            .or_else(|| change.old_replicas.first().copied())
        {
            *traffic.entry(source).or_default() += change.bytes_to_move;
        }
    }
    let busiest = traffic
        .into_iter()
        .max_by_key(|&(broker, bytes)| (bytes, std::cmp::Reverse(broker)));
    match busiest {
        Some((broker, bytes)) if throttle > 0 => (bytes as f64 / throttle as f64, Some(broker)),
        _ => (0.0, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kplace_optimizer::plan::{PartitionChange, PlanInputs};

    #[test]
    fn copy_time_is_the_busiest_brokers_traffic_over_the_throttle() {
        let model = crate::data::test_model::model();
        let mut plan = Plan::build(
            &model,
            PlanInputs::default(),
            model.current(),
            model.current(),
            vec![],
        );
        let change = |old: Vec<i32>, new: Vec<i32>, bytes| PartitionChange {
            topic: "t".to_string(),
            partition: 0,
            old_leader: old.first().copied(),
            new_leader: new.first().copied(),
            old_replicas: old,
            new_replicas: new,
            bytes_to_move: bytes,
            stages: Vec::new(),
        };
        // Broker 1 sends both copies (30 bytes); brokers 4 and 6 receive 10 and 20.
        plan.partitions = vec![
            change(vec![1, 3, 5], vec![1, 3, 4], 10),
            change(vec![1, 2, 3], vec![1, 3, 6], 20),
        ];
        assert_eq!(copy_time(&plan, 3), (10.0, Some(1)));
        plan.partitions.clear();
        assert_eq!(copy_time(&plan, 3), (0.0, None));
    }
}
