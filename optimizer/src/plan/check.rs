//! Whether a plan holds together, and whether it still fits the cluster it is used on: the one
//! check `kplace report` (against a snapshot) and `kplace apply` (against Kafka) share.

use kplace_placement::model::ClusterModel;
use kplace_placement::snapshot::BrokerId;
use rustc_hash::FxHashSet;

use super::{PartitionChange, Plan, PlanMismatch, PLAN_VERSION};

/// Where one of a plan's partitions stands on the cluster it is checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Current {
    /// The cluster has no such partition.
    Unknown,
    /// The move is done or in flight there: its starting replicas no longer matter.
    Settled,
    /// Its replicas there now, which must be the plan's `old_replicas`.
    Replicas(Vec<BrokerId>),
}

fn repeated(replicas: &[BrokerId]) -> Option<BrokerId> {
    let mut seen = FxHashSet::default();
    replicas.iter().copied().find(|b| !seen.insert(*b))
}

impl Plan {
    /// Checks the plan against itself: a version this kplace reads, each partition once, new
    /// replicas non-empty and distinct (old ones distinct), the new leader first of the new
    /// replicas, and totals that are the sums of the partitions.
    pub fn check_consistency(&self) -> Result<(), PlanMismatch> {
        if self.version != PLAN_VERSION {
            return Err(PlanMismatch::Version(self.version));
        }
        let mut seen = FxHashSet::default();
        let (mut replica_moves, mut leader_moves, mut bytes) = (0u64, 0u64, 0u128);
        for change in &self.partitions {
            let name = change.name();
            if !seen.insert((change.topic.as_str(), change.partition)) {
                return Err(PlanMismatch::Duplicate(name));
            }
            if change.new_replicas.is_empty() {
                return Err(PlanMismatch::NoReplicas(name));
            }
            for (field, replicas) in [
                ("old_replicas", &change.old_replicas),
                ("new_replicas", &change.new_replicas),
            ] {
                if let Some(broker) = repeated(replicas) {
                    return Err(PlanMismatch::RepeatedBroker {
                        partition: name,
                        field,
                        broker,
                    });
                }
            }
            if change.new_leader != change.new_replicas.first().copied() {
                return Err(PlanMismatch::Leader {
                    partition: name,
                    leader: change.new_leader,
                });
            }
            replica_moves += change
                .new_replicas
                .iter()
                .filter(|b| !change.old_replicas.contains(b))
                .count() as u64;
            leader_moves += u64::from(change.old_leader != change.new_leader);
            bytes += u128::from(change.bytes_to_move);
        }
        let t = &self.totals;
        for (field, stated, sum) in [
            (
                "partitions_changed",
                u128::from(t.partitions_changed),
                self.partitions.len() as u128,
            ),
            (
                "replica_moves",
                u128::from(t.replica_moves),
                u128::from(replica_moves),
            ),
            (
                "leader_moves",
                u128::from(t.leader_moves),
                u128::from(leader_moves),
            ),
            ("bytes_to_move", u128::from(t.bytes_to_move), bytes),
        ] {
            if stated != sum {
                return Err(PlanMismatch::Totals {
                    field,
                    stated: stated.to_string(),
                    sum: sum.to_string(),
                });
            }
        }
        Ok(())
    }

    /// Checks that every partition still starts where the plan was made: `current(index,
    /// change)` says where partition `change` (the plan's `index`-th) stands now.
    pub fn check_current(
        &self,
        mut current: impl FnMut(usize, &PartitionChange) -> Current,
    ) -> Result<(), PlanMismatch> {
        for (index, change) in self.partitions.iter().enumerate() {
            match current(index, change) {
                Current::Unknown => return Err(PlanMismatch::UnknownPartition(change.name())),
                Current::Settled => {}
                Current::Replicas(now) if now != change.old_replicas => {
                    return Err(PlanMismatch::Stale {
                        partition: change.name(),
                        now,
                        planned_for: change.old_replicas.clone(),
                    })
                }
                Current::Replicas(_) => {}
            }
        }
        Ok(())
    }

    /// Checks the plan against itself and against the snapshot `model` was built from: its old
    /// replicas are the snapshot's, its new ones are brokers the snapshot has.
    pub fn check_against(&self, model: &ClusterModel) -> Result<(), PlanMismatch> {
        self.check_consistency()?;
        self.check_current(|_, change| {
            match model.partition_index(&change.topic, change.partition) {
                Some(p) => Current::Replicas(model.broker_ids(&model.current()[p as usize])),
                None => Current::Unknown,
            }
        })?;
        self.apply_to(model).map(drop)
    }
}

impl PartitionChange {
    /// `topic-partition`.
    pub fn name(&self) -> String {
        format!("{}-{}", self.topic, self.partition)
    }
}
