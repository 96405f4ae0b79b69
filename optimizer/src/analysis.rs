//! Failure analysis: what losing one failure domain, one broker, or a domain plus the worst
//! single broker does to every partition.
//!
//! For each scenario it counts partitions left with no in-sync survivor (offline) and partitions
//! left with fewer in-sync survivors than `min.insync.replicas` (writes with `acks=all` blocked).
//! A survivor is a replica on a live broker that holds every committed record: a member of the
//! snapshot's ISR or, when the cluster reports them, of its eligible leader replicas (KIP-966);
//! under a plan's list that changes the broker set, every replica (Kafka completes a move only
//! once every target replica is in sync); see [`kplace_placement::in_sync`]. Replicas on brokers
//! already dead, or out of sync, count as lost in every scenario. The minimum ISR of a topic is
//! its rule's `min_insync_replicas`, else the snapshot's topic setting, else 1.
//!
//! One pass over the partitions fills every scenario's counters at once (per partition only the
//! labels and brokers it touches are visited), so the cost is O(replicas²) per partition rather
//! than O(scenarios).

use kplace_placement::in_sync::holds_committed;
use kplace_placement::labels::{LabelIdx, ValueIdx};
use kplace_placement::model::{BrokerIdx, ClusterModel, PartitionIdx, Replicas};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// What one failure scenario does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Scenario {
    /// `zone=az1`, `broker=7`, or `zone=az1+broker=7`.
    pub scenario: String,
    /// `domain`, `broker` or `domain+broker`.
    pub kind: String,
    /// The brokers lost (live ones; dead ones are lost in every scenario anyway).
    pub lost_brokers: Vec<i32>,
    /// Partitions with no in-sync survivor left.
    pub offline_partitions: u64,
    /// Partitions with some in-sync survivor but fewer than min ISR: writes with acks=all blocked.
    pub under_min_isr_partitions: u64,
    /// offline + under min ISR.
    pub writes_blocked_partitions: u64,
}

/// Every scenario, domains first (by label, then value), then single brokers, then each domain
/// with its worst additional broker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct FailureAnalysis {
    /// The scenarios.
    pub scenarios: Vec<Scenario>,
}

/// Offline / under-min-ISR tallies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Tally {
    offline: i64,
    under: i64,
}

impl Tally {
    fn of(remaining: u32, min_isr: u32) -> Tally {
        Tally {
            offline: i64::from(remaining == 0),
            under: i64::from(remaining > 0 && remaining < min_isr),
        }
    }

    fn add(&mut self, other: Tally, sign: i64) {
        self.offline += sign * other.offline;
        self.under += sign * other.under;
    }
}

/// The `min.insync.replicas` that applies to a partition.
pub fn min_isr(model: &ClusterModel, partition: PartitionIdx) -> u32 {
    let topic = &model.topics()[model.partitions()[partition as usize].topic as usize];
    model.rules()[topic.rule as usize]
        .min_insync_replicas
        .or(topic.min_insync_replicas)
        .unwrap_or(1)
}

/// Scenario counters, accumulated per partition and merged across threads.
///
/// Most domains hold none of a given partition's replicas, so a partition adds its "untouched"
/// state once per label (`untouched`, `untouched_broker_delta`) and corrections only for the few
/// domains it touches (`domain_adjust`, `domain_broker_adjust`).
struct Counters {
    /// Per label position: the state of partitions as if the domain held none of their replicas.
    untouched: Vec<Tally>,
    /// Per label position and broker: the change from also losing that broker, same assumption.
    untouched_broker_delta: Vec<Vec<Tally>>,
    /// Per (label position, value): correction for partitions with replicas in that domain.
    domain_adjust: Vec<Vec<Tally>>,
    /// Per (label position, value, broker): correction of the broker delta for those partitions.
    domain_broker_adjust: Vec<Vec<Vec<Tally>>>,
    /// Per broker: losing that broker alone.
    broker: Vec<Tally>,
}

impl Counters {
    fn new(model: &ClusterModel, labels: &[LabelIdx]) -> Self {
        let brokers = model.brokers().len();
        let per_value = |l: &LabelIdx| model.labels().value_count(*l);
        Counters {
            untouched: vec![Tally::default(); labels.len()],
            untouched_broker_delta: vec![vec![Tally::default(); brokers]; labels.len()],
            domain_adjust: labels
                .iter()
                .map(|l| vec![Tally::default(); per_value(l)])
                .collect(),
            domain_broker_adjust: labels
                .iter()
                .map(|l| vec![vec![Tally::default(); brokers]; per_value(l)])
                .collect(),
            broker: vec![Tally::default(); brokers],
        }
    }

    fn merge(mut self, other: Counters) -> Counters {
        fn add_all<'a>(
            mine: impl Iterator<Item = &'a mut Tally>,
            theirs: impl Iterator<Item = &'a Tally>,
        ) {
            for (m, t) in mine.zip(theirs) {
                m.add(*t, 1);
            }
        }
        add_all(self.untouched.iter_mut(), other.untouched.iter());
        add_all(
            self.untouched_broker_delta.iter_mut().flatten(),
            other.untouched_broker_delta.iter().flatten(),
        );
        add_all(
            self.domain_adjust.iter_mut().flatten(),
            other.domain_adjust.iter().flatten(),
        );
        add_all(
            self.domain_broker_adjust.iter_mut().flatten().flatten(),
            other.domain_broker_adjust.iter().flatten().flatten(),
        );
        add_all(self.broker.iter_mut(), other.broker.iter());
        self
    }

    fn count_partition(
        &mut self,
        model: &ClusterModel,
        labels: &[LabelIdx],
        partition: PartitionIdx,
        replicas: &[BrokerIdx],
    ) {
        let min_isr = min_isr(model, partition);
        // Survivors are replicas alive and holding every committed record: out-of-sync copies
        // cannot be elected cleanly and do not count towards min ISR.
        let live: Vec<BrokerIdx> = replicas
            .iter()
            .copied()
            .filter(|&b| {
                model.brokers()[b as usize].alive && holds_committed(model, partition, replicas, b)
            })
            .collect();
        let alive = live.len() as u32;
        let untouched = Tally::of(alive, min_isr);
        let mut lose_one = untouched;
        if alive > 0 {
            lose_one = Tally::of(alive - 1, min_isr);
        }
        let mut broker_delta = lose_one;
        broker_delta.add(untouched, -1);
        for &b in &live {
            self.broker[b as usize].add(lose_one, 1);
        }
        for (position, &label) in labels.iter().enumerate() {
            self.untouched[position].add(untouched, 1);
            for &b in &live {
                self.untouched_broker_delta[position][b as usize].add(broker_delta, 1);
            }
            let mut values: Vec<(ValueIdx, u32)> = Vec::new();
            for &b in &live {
                if let Some(v) = model.brokers()[b as usize].label(label) {
                    match values.iter_mut().find(|(x, _)| *x == v) {
                        Some((_, n)) => *n += 1,
                        None => values.push((v, 1)),
                    }
                }
            }
            for &(value, here) in &values {
                let remaining = alive - here;
                let state = Tally::of(remaining, min_isr);
                let adjust = &mut self.domain_adjust[position][value as usize];
                adjust.add(state, 1);
                adjust.add(untouched, -1);
                for &b in &live {
                    // The right delta for losing b on top of this domain, minus the assumed one.
                    let mut correct = Tally::default();
                    if model.brokers()[b as usize].label(label) != Some(value) {
                        correct = Tally::of(remaining - 1, min_isr);
                        correct.add(state, -1);
                    }
                    let slot = &mut self.domain_broker_adjust[position][value as usize][b as usize];
                    slot.add(correct, 1);
                    slot.add(broker_delta, -1);
                }
            }
        }
    }

    fn domain(&self, position: usize, value: ValueIdx) -> Tally {
        let mut total = self.untouched[position];
        total.add(self.domain_adjust[position][value as usize], 1);
        total
    }

    fn domain_plus_broker(&self, position: usize, value: ValueIdx, broker: BrokerIdx) -> Tally {
        let mut total = self.domain(position, value);
        total.add(self.untouched_broker_delta[position][broker as usize], 1);
        total.add(
            self.domain_broker_adjust[position][value as usize][broker as usize],
            1,
        );
        total
    }
}

/// Analyses every scenario for an assignment (indexed like the model's partitions).
pub fn analyze(model: &ClusterModel, assignment: &[Replicas]) -> FailureAnalysis {
    let labels = model.policy_labels();
    let counters = assignment
        .par_iter()
        .with_min_len(16_384)
        .enumerate()
        .fold(
            || Counters::new(model, &labels),
            |mut counters, (index, replicas)| {
                counters.count_partition(model, &labels, index as PartitionIdx, replicas);
                counters
            },
        )
        .reduce(|| Counters::new(model, &labels), Counters::merge);

    let live_brokers: Vec<BrokerIdx> = (0..model.brokers().len() as BrokerIdx)
        .filter(|&b| model.brokers()[b as usize].alive)
        .collect();
    let id = |b: BrokerIdx| model.brokers()[b as usize].id;
    let in_domain = |b: BrokerIdx, label: LabelIdx, value: ValueIdx| {
        model.brokers()[b as usize].label(label) == Some(value)
    };
    let mut scenarios = Vec::new();
    let mut worst_cases = Vec::new();
    for (position, &label) in labels.iter().enumerate() {
        for value in 0..model.labels().value_count(label) as ValueIdx {
            let lost: Vec<i32> = live_brokers
                .iter()
                .filter(|&&b| in_domain(b, label, value))
                .map(|&b| id(b))
                .collect();
            let name = model.labels().domain_name(label, value);
            scenarios.push(scenario(
                name.clone(),
                "domain",
                lost.clone(),
                counters.domain(position, value),
            ));
            let worst = live_brokers
                .iter()
                .filter(|&&b| !in_domain(b, label, value))
                .map(|&b| (b, counters.domain_plus_broker(position, value, b)))
                .max_by_key(|&(b, t)| (t.offline + t.under, t.offline, std::cmp::Reverse(b)));
            if let Some((b, total)) = worst {
                let mut lost = lost;
                lost.push(id(b));
                worst_cases.push(scenario(
                    format!("{name}+broker={}", id(b)),
                    "domain+broker",
                    lost,
                    total,
                ));
            }
        }
    }
    for &b in &live_brokers {
        scenarios.push(scenario(
            format!("broker={}", id(b)),
            "broker",
            vec![id(b)],
            counters.broker[b as usize],
        ));
    }
    scenarios.extend(worst_cases);
    FailureAnalysis { scenarios }
}

fn scenario(name: String, kind: &str, lost_brokers: Vec<i32>, tally: Tally) -> Scenario {
    let offline = tally.offline.max(0) as u64;
    let under = tally.under.max(0) as u64;
    Scenario {
        scenario: name,
        kind: kind.to_string(),
        lost_brokers,
        offline_partitions: offline,
        under_min_isr_partitions: under,
        writes_blocked_partitions: offline + under,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kplace_placement::model::ModelOptions;

    fn stretch() -> ClusterModel {
        let snapshot = kplace_placement::parse::parse_snapshot(
            include_bytes!("../../fixtures/stretch/snapshot.json"),
            "snapshot",
        )
        .unwrap();
        let policy = kplace_placement::parse::parse_policy(
            include_str!("../../fixtures/stretch/policy.yaml"),
            "policy",
        )
        .unwrap();
        ClusterModel::build(&snapshot, &policy, &ModelOptions::default()).unwrap()
    }

    /// Counts a scenario by brute force: every partition, every replica.
    fn brute(model: &ClusterModel, lost: &[i32]) -> (u64, u64) {
        let (mut offline, mut under) = (0, 0);
        for (p, replicas) in model.current().iter().enumerate() {
            let partition = &model.partitions()[p];
            let remaining = replicas
                .iter()
                .filter(|&&b| {
                    let broker = &model.brokers()[b as usize];
                    broker.alive
                        && !lost.contains(&broker.id)
                        && (partition.isr.contains(&b) || partition.elr.contains(&b))
                })
                .count() as u32;
            let min = min_isr(model, p as PartitionIdx);
            offline += u64::from(remaining == 0);
            under += u64::from(remaining > 0 && remaining < min);
        }
        (offline, under)
    }

    #[test]
    fn every_scenario_matches_brute_force() {
        let model = stretch();
        let analysis = analyze(&model, model.current());
        assert!(analysis.scenarios.iter().any(|s| s.scenario == "zone=az1"));
        assert!(analysis
            .scenarios
            .iter()
            .any(|s| s.scenario == "cluster=k8s-b"));
        assert!(analysis.scenarios.iter().any(|s| s.scenario == "broker=3"));
        for s in &analysis.scenarios {
            let (offline, under) = brute(&model, &s.lost_brokers);
            assert_eq!(
                (s.offline_partitions, s.under_min_isr_partitions),
                (offline, under),
                "{}",
                s.scenario
            );
        }
    }

    #[test]
    fn worst_broker_is_the_worst() {
        let model = stretch();
        let analysis = analyze(&model, model.current());
        for s in analysis
            .scenarios
            .iter()
            .filter(|s| s.kind == "domain+broker")
        {
            let domain = s.scenario.split('+').next().unwrap();
            let base = analysis
                .scenarios
                .iter()
                .find(|d| d.scenario == domain)
                .unwrap();
            let best = model
                .brokers()
                .iter()
                .filter(|b| b.alive && !base.lost_brokers.contains(&b.id))
                .map(|b| {
                    let mut lost = base.lost_brokers.clone();
                    lost.push(b.id);
                    let (o, u) = brute(&model, &lost);
                    o + u
                })
                .max()
                .unwrap();
            assert_eq!(s.writes_blocked_partitions, best, "{}", s.scenario);
        }
    }

    #[test]
    fn zone_loss_after_repair_keeps_min_isr_for_payments() {
        let model = stretch();
        let plan = crate::spread_plan::plan_spread(&model, Default::default()).unwrap();
        let after = plan.apply_to(&model).unwrap();
        let analysis = analyze(&model, &after);
        // Every rule spreads evenly over zones and min ISR is 2 of 3 or 3 of 6: losing any one
        // zone blocks no writes. (Clusters are spread only for payments, so they are not checked.)
        let zones: Vec<_> = analysis
            .scenarios
            .iter()
            .filter(|s| s.scenario.starts_with("zone=") && s.kind == "domain")
            .collect();
        assert_eq!(zones.len(), 3);
        for s in zones {
            assert_eq!(s.writes_blocked_partitions, 0, "{}", s.scenario);
        }
        let before = analyze(&model, model.current());
        let az1 = |a: &FailureAnalysis| {
            a.scenarios
                .iter()
                .find(|s| s.scenario == "zone=az1")
                .unwrap()
                .writes_blocked_partitions
        };
        assert!(
            az1(&before) > 0,
            "the legacy placement does block writes when az1 goes"
        );
    }

    fn three_brokers(isr: &[i32], elr: Option<Vec<i32>>) -> ClusterModel {
        use kplace_placement::snapshot::{BrokerSpec, PartitionSpec, Snapshot, TopicSpec};
        let snapshot = Snapshot {
            brokers: (1..=4)
                .map(|id| BrokerSpec {
                    id,
                    ..BrokerSpec::default()
                })
                .collect(),
            partitions: vec![PartitionSpec {
                topic: "t".into(),
                partition: 0,
                replicas: vec![1, 2, 3],
                leader: Some(1),
                isr: Some(isr.to_vec()),
                elr,
                ..PartitionSpec::default()
            }],
            topics: vec![TopicSpec {
                name: "t".into(),
                min_insync_replicas: Some(2),
                ..TopicSpec::default()
            }],
            ..Snapshot::default()
        };
        let policy = kplace_placement::policy::Policy::default();
        ClusterModel::build(&snapshot, &policy, &ModelOptions::default()).unwrap()
    }

    fn broker_scenario(analysis: &FailureAnalysis, id: i32) -> (u64, u64) {
        let s = analysis
            .scenarios
            .iter()
            .find(|s| s.scenario == format!("broker={id}"))
            .unwrap();
        (s.offline_partitions, s.under_min_isr_partitions)
    }

    #[test]
    fn only_in_sync_survivors_count_and_eligible_leader_replicas_do() {
        // Broker 3 is out of sync: losing broker 1 leaves one in-sync copy, below min ISR 2.
        let model = three_brokers(&[1, 2], None);
        let analysis = analyze(&model, model.current());
        assert_eq!(broker_scenario(&analysis, 1), (0, 1));
        assert_eq!(
            broker_scenario(&analysis, 3),
            (0, 0),
            "losing the laggard costs nothing"
        );
        // With ISR {1} alone, losing broker 1 leaves no copy that can be elected cleanly.
        let model = three_brokers(&[1], None);
        assert_eq!(
            broker_scenario(&analyze(&model, model.current()), 1),
            (1, 0)
        );
        // Broker 2 an eligible leader replica (KIP-966): it holds every committed record.
        let model = three_brokers(&[1], Some(vec![2]));
        assert_eq!(
            broker_scenario(&analyze(&model, model.current()), 1),
            (0, 1)
        );
        // After a plan that changes the broker set every target replica is in sync.
        let model = three_brokers(&[1], None);
        let moved = vec![vec![0, 1, 3]];
        assert_eq!(broker_scenario(&analyze(&model, &moved), 1), (0, 0));
    }
}
