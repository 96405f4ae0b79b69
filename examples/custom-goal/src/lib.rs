//! A goal of one's own, plugged into kplace's optimizer: replicas of the topics that match a
//! pattern stay on brokers with a given label value, e.g. "topics `payments-.*` live only on
//! brokers labelled `pool=ssd`".
//!
//! This is the kind of rule stretch-cluster teams write as private Cruise Control goals. Here it
//! is one type, [`LabelPool`], that implements [`kplace_optimizer::Goal`] using only the
//! optimizer's and the placement core's public API, and is registered by value in the plan
//! request:
//!
//! ```
//! use kplace_example_custom_goal::LabelPool;
//! use kplace_optimizer::{make_plan, GoalPosition, PlanRequest, Strength};
//! use kplace_placement::{parse_policy, parse_snapshot, ClusterModel, ModelOptions};
//!
//! // Racks a and b each have one ssd and one hdd broker; payments-0 sits on the hdd ones.
//! let snapshot = parse_snapshot(br#"{
//!   "brokers": [{"id": 1, "rack": "a", "labels": {"pool": "ssd"}},
//!               {"id": 2, "rack": "a", "labels": {"pool": "hdd"}},
//!               {"id": 3, "rack": "b", "labels": {"pool": "ssd"}},
//!               {"id": 4, "rack": "b", "labels": {"pool": "hdd"}}],
//!   "partitions": [{"topic": "payments", "partition": 0, "replicas": [2, 4]}]}"#,
//!   "snapshot.json")?;
//! let policy = parse_policy("rules: [{topics: '.*', spread: {rack: even}}]", "policy.yaml")?;
//! let model = ClusterModel::build(&snapshot, &policy, &ModelOptions::default())?;
//!
//! let ssd = LabelPool::new("ssd-pool", "payments.*", "pool", "ssd")?;
//! let at = GoalPosition::After("spread".into());
//! let request = PlanRequest::new().with_goal(ssd, at, Strength::Hard);
//! let plan = make_plan(&model, &request)?;
//! assert_eq!(plan.partitions[0].new_replicas, [1, 3]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Registered [`Strength::Hard`](kplace_optimizer::Strength::Hard), the plan fails with
//! [`HardGoalFailure::Unmet`] when the goals before it leave no way to meet it (the spread rule
//! needs a rack without an ssd broker, say); registered soft, it moves what it can.

use kplace_optimizer::{
    Action, ClusterState, Goal, GoalRun, GoalState, HardGoalFailure, Limits, Proposal, EXAMPLES,
};
use kplace_placement::{BrokerIdx, ClusterModel, PartitionIdx};
use regex::Regex;

/// Replicas of matching topics only on brokers whose `label` is `value`.
#[derive(Debug, Clone)]
pub struct LabelPool {
    name: String,
    topics: Regex,
    label: String,
    value: String,
    /// Per broker: in the pool. Derived from the model in [`Goal::prepare`].
    in_pool: Vec<bool>,
    /// Per topic: matches the pattern. Derived in [`Goal::prepare`].
    matching: Vec<bool>,
}

impl LabelPool {
    /// The goal `name`, over the topics whose whole name matches the regex `topics`, keeping
    /// their replicas on brokers with `label=value`.
    pub fn new(name: &str, topics: &str, label: &str, value: &str) -> Result<Self, regex::Error> {
        Ok(LabelPool {
            name: name.to_string(),
            topics: Regex::new(&format!("^(?:{topics})$"))?,
            label: label.to_string(),
            value: value.to_string(),
            in_pool: Vec::new(),
            matching: Vec::new(),
        })
    }

    /// Whether `partition` belongs to a matching topic.
    fn governs(&self, model: &ClusterModel, partition: PartitionIdx) -> bool {
        let topic = model.partitions()[partition as usize].topic;
        self.matching.get(topic as usize).copied().unwrap_or(false)
    }

    fn in_pool(&self, broker: BrokerIdx) -> bool {
        self.in_pool.get(broker as usize).copied().unwrap_or(false)
    }

    /// Replicas of a list outside the pool.
    fn outside(&self, replicas: &[BrokerIdx]) -> usize {
        replicas.iter().filter(|&&b| !self.in_pool(b)).count()
    }
}

impl Goal for LabelPool {
    fn name(&self) -> &str {
        &self.name
    }

    fn hard(&self) -> bool {
        // The registration's strength decides; this is the goal's own default.
        true
    }

    fn prepare(&mut self, state: &ClusterState<'_>, _limits: &Limits) {
        let model = state.model();
        let label = model.labels().label(&self.label);
        let value = label.and_then(|label| model.labels().value(label, &self.value));
        self.in_pool = model
            .brokers()
            .iter()
            .map(
                |broker| matches!((label, value), (Some(l), Some(v)) if broker.label(l) == Some(v)),
            )
            .collect();
        self.matching = model
            .topics()
            .iter()
            .map(|topic| self.topics.is_match(&topic.name))
            .collect();
    }

    fn state(&self, state: &ClusterState<'_>) -> GoalState {
        let model = state.model();
        let mut violations = 0u64;
        let mut examples = Vec::new();
        for partition in 0..model.partitions().len() as PartitionIdx {
            if !self.governs(model, partition) {
                continue;
            }
            for &broker in state.replicas(partition) {
                if self.in_pool(broker) {
                    continue;
                }
                violations += 1;
                if examples.len() < EXAMPLES {
                    examples.push(format!(
                        "{}: replica on broker {}, outside {}={}",
                        model.partition_name(partition),
                        model.brokers()[broker as usize].id,
                        self.label,
                        self.value
                    ));
                }
            }
        }
        GoalState {
            satisfied: violations == 0,
            score: violations as f64,
            violations,
            examples,
        }
    }

    /// Moves each replica outside the pool to the pool broker with the fewest replicas that the
    /// earlier goals (the spread rule, capacity, ...) let it go to.
    fn optimize(&self, run: &mut GoalRun<'_, '_>) -> Result<(), HardGoalFailure> {
        let model = run.state.model();
        for partition in 0..model.partitions().len() as PartitionIdx {
            if !self.governs(model, partition) {
                continue;
            }
            let outside: Vec<BrokerIdx> = run
                .state
                .replicas(partition)
                .iter()
                .copied()
                .filter(|&b| !self.in_pool(b))
                .collect();
            for from in outside {
                let replicas = run.state.replicas(partition);
                let mut targets: Vec<BrokerIdx> = (0..model.brokers().len() as BrokerIdx)
                    .filter(|&b| {
                        self.in_pool(b)
                            && model.brokers()[b as usize].eligible()
                            && !replicas.contains(&b)
                    })
                    .collect();
                targets.sort_by_key(|&b| (run.state.stats()[b as usize].replicas, b));
                for to in targets {
                    let action = Action::Move {
                        partition,
                        from,
                        to,
                    };
                    if run.try_apply(action, |proposal, state| self.accepts(proposal, state)) {
                        break;
                    }
                }
            }
        }
        Ok(())
    }

    /// Accepts a later goal's action unless it puts more replicas of a matching topic outside
    /// the pool than there were: the veto that keeps replica-balance from refilling hdd brokers.
    fn accepts(&self, proposal: &Proposal, state: &ClusterState<'_>) -> bool {
        let model = state.model();
        proposal.changes.iter().all(|change| {
            !self.governs(model, change.partition)
                || self.outside(&change.new) <= self.outside(&change.old)
        })
    }
}
