//! The mixed-integer program of exact mode in dense form, before any solver sees it: which
//! brokers may host each partition, and every per-broker bound as a linear limit on the replicas
//! (and leaderships) the program places.

use kplace_placement::model::{BrokerIdx, ClusterModel, PartitionIdx};

use crate::config::GoalConfig;
use crate::limits::Limits;
use crate::resource::Resource;

/// Every resource a limit can bound.
const RESOURCES: [Resource; 6] = [
    Resource::Replicas,
    Resource::Leaders,
    Resource::Disk,
    Resource::NetworkIn,
    Resource::NetworkOut,
    Resource::Cpu,
];

/// One per-broker bound on a resource: a capacity (hard) or a balance band (soft).
#[derive(Debug, Clone)]
pub struct BrokerLimit {
    /// The resource bounded.
    pub resource: Resource,
    /// A hard goal's bound (capacity) rather than a soft goal's (balance).
    pub hard: bool,
    /// Per broker: `(lo, hi)` for what the placed (not frozen) partitions may add; `None` where
    /// the broker is not bounded.
    pub bounds: Vec<Option<(f64, f64)>>,
}

/// The program's inputs.
#[derive(Debug, Clone)]
pub struct Program {
    /// Per partition: brokers that may host it (empty for frozen partitions).
    pub candidates: Vec<Vec<BrokerIdx>>,
    /// Per partition: its topic is excluded; it keeps its replicas.
    pub frozen: Vec<bool>,
    /// Per partition: target replication factor.
    pub replication: Vec<u32>,
    /// Per-broker limits, capacities first.
    pub limits: Vec<BrokerLimit>,
}

impl Program {
    /// The program of `model` under the operation's `limits`, with every capacity of `config`
    /// and every balance band that has something to balance.
    pub fn new(model: &ClusterModel, limits: &Limits, config: &GoalConfig) -> Program {
        let brokers = model.brokers().len();
        let mut candidates = Vec::with_capacity(model.partitions().len());
        let mut replication = Vec::with_capacity(model.partitions().len());
        for (index, replicas) in model.current().iter().enumerate() {
            let p = index as PartitionIdx;
            replication.push(model.target_replication_factor(p, replicas));
            if limits.frozen_partition(p) {
                candidates.push(Vec::new());
                continue;
            }
            let space = &model.cell_spaces()[model.rule_of(p).index as usize];
            let eligible =
                (0..brokers as BrokerIdx).filter(|&b| space.broker_cell[b as usize].is_some());
            candidates.push(eligible.collect());
        }
        let mut program = Program {
            candidates,
            frozen: limits.frozen.clone(),
            replication,
            limits: Vec::new(),
        };
        let fixed = program.fixed_load(model);
        program.limits = capacities(model, config, &fixed)
            .into_iter()
            .chain(balance_bands(model, config, &program, &fixed))
            .collect();
        program
    }

    /// Binary variables per replica placement.
    pub fn placements(&self) -> usize {
        self.candidates.iter().map(Vec::len).sum()
    }

    /// Whether any limit depends on who leads (so the program needs leadership variables).
    pub fn needs_leaders(&self) -> bool {
        self.limits.iter().any(|l| l.resource.follows_leadership())
    }

    /// The same program keeping only the limits `keep` selects.
    pub fn keeping(&self, keep: impl Fn(&BrokerLimit) -> bool) -> Program {
        Program {
            limits: self.limits.iter().filter(|l| keep(l)).cloned().collect(),
            ..self.clone()
        }
    }

    /// Per resource (in [`RESOURCES`] order) and broker: the load frozen partitions keep there.
    fn fixed_load(&self, model: &ClusterModel) -> Vec<Vec<f64>> {
        let mut fixed = vec![vec![0.0; model.brokers().len()]; RESOURCES.len()];
        for (index, replicas) in model.current().iter().enumerate() {
            if !self.frozen[index] {
                continue;
            }
            let p = index as PartitionIdx;
            for &b in replicas {
                let leads = model.partitions()[index].leader == Some(b);
                for (r, resource) in RESOURCES.iter().enumerate() {
                    fixed[r][b as usize] += resource.replica_load(model, p, leads);
                }
            }
        }
        fixed
    }
}

fn resource_index(resource: Resource) -> usize {
    RESOURCES
        .iter()
        .position(|&r| r == resource)
        .expect("every resource is listed")
}

/// The capacity goal's bounds: each load under its threshold of the broker's capacity, replicas
/// under the configured maximum.
fn capacities(model: &ClusterModel, config: &GoalConfig, fixed: &[Vec<f64>]) -> Vec<BrokerLimit> {
    let mut out: Vec<BrokerLimit> = Resource::LOADS
        .iter()
        .map(|&resource| BrokerLimit {
            resource,
            hard: true,
            bounds: model
                .brokers()
                .iter()
                .enumerate()
                .map(|(b, broker)| {
                    resource.capacity(&broker.capacity).map(|capacity| {
                        let room = capacity * config.capacity_threshold(resource);
                        (f64::NEG_INFINITY, room - fixed[resource_index(resource)][b])
                    })
                })
                .collect(),
        })
        .filter(|limit| limit.bounds.iter().any(Option::is_some))
        .collect();
    if let Some(max) = config.max_replicas_per_broker {
        let fixed = &fixed[resource_index(Resource::Replicas)];
        out.push(BrokerLimit {
            resource: Resource::Replicas,
            hard: true,
            bounds: fixed
                .iter()
                .map(|f| Some((f64::NEG_INFINITY, f64::from(max) - f)))
                .collect(),
        });
    }
    out
}

/// The balance goals' bands: every eligible broker within ±threshold of the mean the target
/// placement gives (counts rounded outwards), for each resource the cluster carries.
fn balance_bands(
    model: &ClusterModel,
    config: &GoalConfig,
    program: &Program,
    fixed: &[Vec<f64>],
) -> Vec<BrokerLimit> {
    let eligible = model.eligible_broker_count() as f64;
    RESOURCES
        .iter()
        .filter_map(|&resource| {
            let total: f64 = (0..model.partitions().len())
                .filter(|&index| program.replication[index] > 0)
                .map(|index| {
                    let p = index as PartitionIdx;
                    let followers = f64::from(program.replication[index] - 1);
                    resource.replica_load(model, p, true)
                        + followers * resource.replica_load(model, p, false)
                })
                .sum();
            if total <= 0.0 {
                return None;
            }
            let mean = total / eligible;
            let threshold = config.balance_threshold(resource);
            let (mut lo, mut hi) = (mean * (1.0 - threshold), mean * (1.0 + threshold));
            if resource.is_count() {
                (lo, hi) = (lo.floor(), hi.ceil());
            }
            let fixed = &fixed[resource_index(resource)];
            Some(BrokerLimit {
                resource,
                hard: false,
                bounds: model
                    .brokers()
                    .iter()
                    .enumerate()
                    .map(|(b, broker)| broker.eligible().then(|| (lo - fixed[b], hi - fixed[b])))
                    .collect(),
            })
        })
        .collect()
}
