//! The stages of a plan's moves (`plan --stage-size`): what apply would submit, one stage after
//! another, were the cluster as the snapshot shows it. The stages themselves are placement's
//! ([`kplace_placement::stages`]), the same function apply runs on Kafka's state each round.

use kplace_placement::model::ClusterModel;
use kplace_placement::stages::stages;
use serde::{Deserialize, Serialize};

use super::Plan;

/// How a plan's moves are staged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Staging {
    /// Most new replicas one stage adds (`--stage-size`).
    pub stage_size: u32,
    /// Partitions moved in more than one stage.
    pub staged_partitions: u64,
    /// Reassignments apply submits in all (one per stage, one per unstaged move).
    pub stages: u64,
    /// The most replicas any partition holds at once while a stage copies.
    pub most_replicas: u64,
}

impl Plan {
    /// The plan with each move's stages at `stage_size` (see [`Staging`]), from the ISR, leaders
    /// and live brokers of `model`'s snapshot. Partitions the model lacks are left unstaged.
    pub fn with_stages(mut self, model: &ClusterModel, stage_size: u32) -> Plan {
        let alive = |id: i32| {
            model
                .broker(id)
                .is_some_and(|b| model.brokers()[b as usize].alive)
        };
        let mut staging = Staging {
            stage_size,
            staged_partitions: 0,
            stages: 0,
            most_replicas: 0,
        };
        for change in &mut self.partitions {
            let Some(index) = model.partition_index(&change.topic, change.partition) else {
                continue;
            };
            let p = &model.partitions()[index as usize];
            let isr = model.broker_ids(&p.isr);
            let leader = p.leader.map(|b| model.brokers()[b as usize].id);
            let all = stages(
                &change.old_replicas,
                &change.new_replicas,
                &isr,
                leader,
                alive,
                stage_size as usize,
            );
            let mut from = change.old_replicas.clone();
            for stage in &all {
                let union = from.len() + stage.iter().filter(|b| !from.contains(b)).count();
                staging.most_replicas = staging.most_replicas.max(union as u64);
                from.clone_from(stage);
            }
            staging.stages += all.len() as u64;
            if all.len() > 1 {
                staging.staged_partitions += 1;
                change.stages = all;
            } else {
                change.stages = Vec::new();
            }
        }
        self.staging = Some(staging);
        self
    }
}
