//! The cluster as the goals see it while they optimise: replica lists plus everything derived
//! from them that goals ask about often (per-broker load, per-topic per-broker replica counts,
//! leaders), kept up to date incrementally so that evaluating and applying an action costs
//! O(replication factor), not O(cluster).

use kplace_placement::broker_load::leader_of;
use kplace_placement::model::{
    Assignment, BrokerIdx, ClusterModel, PartitionIdx, Replicas, TopicIdx,
};

use crate::action::Action;
use crate::load_model::BrokerStats;

/// One partition's replica list before and after an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListChange {
    /// The partition.
    pub partition: PartitionIdx,
    /// Replicas before.
    pub old: Replicas,
    /// Replicas after.
    pub new: Replicas,
    /// Leader before.
    pub old_leader: Option<BrokerIdx>,
    /// Leader after (the preferred leader once the list changes).
    pub new_leader: Option<BrokerIdx>,
}

impl ListChange {
    /// True when the action only reorders the list (a leadership change, no data copied).
    pub fn is_reorder(&self) -> bool {
        self.old.len() == self.new.len() && self.new.iter().all(|b| self.old.contains(b))
    }
}

/// An action with its consequences worked out, for goals to accept or reject.
#[derive(Debug, Clone)]
pub struct Proposal {
    /// The action.
    pub action: Action,
    /// The partitions it changes.
    pub changes: Vec<ListChange>,
    /// Every broker whose load changes: (broker, before, after).
    pub brokers: Vec<(BrokerIdx, BrokerStats, BrokerStats)>,
}

/// The evolving cluster state.
#[derive(Debug, Clone)]
pub struct ClusterState<'m> {
    model: &'m ClusterModel,
    assignment: Assignment,
    leaders: Vec<Option<BrokerIdx>>,
    stats: Vec<BrokerStats>,
    topic_counts: Vec<u32>,
    /// Per partition: whether its replica list differs from the model's current one. Most
    /// questions about "copies the plan makes" are answered from this flag alone, without reading
    /// the (heap-allocated, cache-cold) original list.
    changed: Vec<bool>,
    /// Replicas the plan so far creates (on brokers that did not hold them) and their bytes.
    copies: u64,
    copied_bytes: u64,
}

impl<'m> ClusterState<'m> {
    /// The state of `assignment` (indexed like the model's partitions).
    pub fn new(model: &'m ClusterModel, assignment: Assignment) -> Self {
        let brokers = model.brokers().len();
        let mut state = ClusterState {
            model,
            leaders: vec![None; assignment.len()],
            stats: vec![BrokerStats::default(); brokers],
            topic_counts: vec![0; model.topics().len() * brokers],
            changed: vec![false; assignment.len()],
            copies: 0,
            copied_bytes: 0,
            assignment,
        };
        for partition in 0..state.assignment.len() as PartitionIdx {
            let leader = leader_of(model, partition, &state.assignment[partition as usize]);
            state.leaders[partition as usize] = leader;
            let replicas = std::mem::take(&mut state.assignment[partition as usize]);
            state.count(partition, &replicas, leader, true);
            state.changed[partition as usize] = replicas != model.current()[partition as usize];
            state.tally(partition, &replicas, true);
            state.assignment[partition as usize] = replicas;
        }
        state
    }

    /// Replicas the plan so far creates and the bytes they copy: `(moves, bytes)`, as the plan's
    /// totals count them.
    pub fn copies(&self) -> (u64, u64) {
        (self.copies, self.copied_bytes)
    }

    /// Adds (or removes) the copies `replicas` of `partition` make to the running totals.
    fn tally(&mut self, partition: PartitionIdx, replicas: &[BrokerIdx], add: bool) {
        let current = &self.model.current()[partition as usize];
        let new = replicas.iter().filter(|b| !current.contains(b)).count() as u64;
        let bytes = new * self.model.partitions()[partition as usize].size;
        if add {
            self.copies += new;
            self.copied_bytes += bytes;
        } else {
            self.copies -= new;
            self.copied_bytes -= bytes;
        }
    }

    /// The model.
    pub fn model(&self) -> &'m ClusterModel {
        self.model
    }

    /// Every replica list.
    pub fn assignment(&self) -> &Assignment {
        &self.assignment
    }

    /// The replica list of a partition.
    pub fn replicas(&self, partition: PartitionIdx) -> &[BrokerIdx] {
        &self.assignment[partition as usize]
    }

    /// The leader of a partition (the snapshot's actual leader until its list changes).
    pub fn leader(&self, partition: PartitionIdx) -> Option<BrokerIdx> {
        self.leaders[partition as usize]
    }

    /// Load of every broker.
    pub fn stats(&self) -> &[BrokerStats] {
        &self.stats
    }

    /// Replicas of `topic` on broker `broker`.
    pub fn topic_count(&self, topic: TopicIdx, broker: BrokerIdx) -> u32 {
        self.topic_counts[topic as usize * self.model.brokers().len() + broker as usize]
    }

    /// Whether the plan so far changes `partition`'s replica list.
    pub fn is_changed(&self, partition: PartitionIdx) -> bool {
        self.changed[partition as usize]
    }

    /// Whether a replica of `partition` on broker `b` would be a copy the plan makes: `b` did not
    /// hold the partition before the plan.
    pub fn is_new_copy(&self, partition: PartitionIdx, b: BrokerIdx) -> bool {
        let index = partition as usize;
        if self.changed[index] {
            !self.model.current()[index].contains(&b)
        } else {
            !self.assignment[index].contains(&b)
        }
    }

    /// Whether moving `partition`'s replica from `from` to `to` copies no more data than the plan
    /// already does: the replica on `from` is a copy the plan makes anyway, or `to` held it
    /// before. Only partitions the plan already changes have such moves.
    pub fn is_free_move(&self, partition: PartitionIdx, from: BrokerIdx, to: BrokerIdx) -> bool {
        self.changed[partition as usize]
            && (self.is_new_copy(partition, from) || !self.is_new_copy(partition, to))
    }

    /// Per broker, the partitions it holds a replica of, ascending.
    pub fn hosted(&self) -> Vec<Vec<PartitionIdx>> {
        let mut hosted = vec![Vec::new(); self.model.brokers().len()];
        for (partition, replicas) in self.assignment.iter().enumerate() {
            for &b in replicas {
                hosted[b as usize].push(partition as PartitionIdx);
            }
        }
        hosted
    }

    /// Works out what `action` would change, without changing anything.
    pub fn propose(&self, action: Action) -> Proposal {
        let lists = action.new_lists(|p| self.assignment[p as usize].clone());
        let changes: Vec<ListChange> = lists
            .into_iter()
            .map(|(partition, new)| ListChange {
                partition,
                old: self.assignment[partition as usize].clone(),
                new_leader: leader_of(self.model, partition, &new),
                new,
                old_leader: self.leaders[partition as usize],
            })
            .collect();
        let mut brokers: Vec<(BrokerIdx, BrokerStats, BrokerStats)> = Vec::new();
        let touch =
            |b: BrokerIdx, brokers: &mut Vec<(BrokerIdx, BrokerStats, BrokerStats)>| match brokers
                .iter()
                .position(|(x, _, _)| *x == b)
            {
                Some(i) => i,
                None => {
                    brokers.push((b, self.stats[b as usize], self.stats[b as usize]));
                    brokers.len() - 1
                }
            };
        for change in &changes {
            for &b in &change.old {
                let i = touch(b, &mut brokers);
                brokers[i].2.remove_replica(
                    self.model,
                    change.partition,
                    change.old_leader == Some(b),
                );
            }
            for &b in &change.new {
                let i = touch(b, &mut brokers);
                brokers[i].2.add_replica(
                    self.model,
                    change.partition,
                    change.new_leader == Some(b),
                );
            }
        }
        brokers.retain(|(_, before, after)| before != after);
        brokers.sort_unstable_by_key(|(b, _, _)| *b);
        Proposal {
            action,
            changes,
            brokers,
        }
    }

    /// Applies a proposal made against this state.
    pub fn apply(&mut self, proposal: &Proposal) {
        for change in &proposal.changes {
            self.count(change.partition, &change.old, change.old_leader, false);
            self.count(change.partition, &change.new, change.new_leader, true);
            let index = change.partition as usize;
            if !change.is_reorder() {
                self.tally(change.partition, &change.old, false);
                self.tally(change.partition, &change.new, true);
            }
            self.changed[index] = change.new != self.model.current()[index];
            self.assignment[index] = change.new.clone();
            self.leaders[index] = change.new_leader;
        }
    }

    /// Consumes the state, returning the replica lists.
    pub fn into_assignment(self) -> Assignment {
        self.assignment
    }

    fn count(
        &mut self,
        partition: PartitionIdx,
        replicas: &[BrokerIdx],
        leader: Option<BrokerIdx>,
        add: bool,
    ) {
        let brokers = self.model.brokers().len();
        let topic = self.model.partitions()[partition as usize].topic as usize;
        for &b in replicas {
            let stats = &mut self.stats[b as usize];
            let slot = &mut self.topic_counts[topic * brokers + b as usize];
            if add {
                stats.add_replica(self.model, partition, leader == Some(b));
                *slot += 1;
            } else {
                stats.remove_replica(self.model, partition, leader == Some(b));
                *slot -= 1;
            }
        }
    }
}
