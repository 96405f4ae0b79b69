//! The self-healing job's guards, as pure functions over a snapshot and its compiled model:
//! whether a round may plan new moves, and if not, why.
//!
//! - No new moves while reassignments are in flight.
//! - When every broker of one label value is down (a zone or cluster outage), wait for it unless
//!   the policy says `on_domain_outage: reprotect`. Only the labels the policy spreads or
//!   survives over are domains here, and a value that only one broker carries is that broker's
//!   failure (the grace period's business), not an outage: in a cluster of one broker per rack a
//!   dead broker would otherwise make every round wait.
//! - A dead broker is healed only once it has been down for the grace period; [`DeadSince`]
//!   remembers since when (in memory, or in a small JSON state file between `--once` runs).

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use kplace_placement::model::ClusterModel;
use kplace_placement::policy::OnDomainOutage;
use kplace_placement::snapshot::{BrokerId, Snapshot};
use serde::{Deserialize, Serialize};

/// Since when each down broker has been seen down (seconds since the Unix epoch).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadSince {
    /// Broker id → first time seen down. Absent in a fresh state file (`{}`).
    #[serde(default)]
    pub brokers: BTreeMap<BrokerId, u64>,
}

impl DeadSince {
    /// Records the brokers down in `snapshot` at `now`; forgets brokers that are back.
    pub fn observe(&mut self, snapshot: &Snapshot, now: SystemTime) {
        let now = seconds(now);
        let down: Vec<BrokerId> = snapshot
            .brokers
            .iter()
            .filter(|b| !b.alive)
            .map(|b| b.id)
            .collect();
        self.brokers.retain(|id, _| down.contains(id));
        for id in down {
            self.brokers.entry(id).or_insert(now);
        }
    }

    /// Brokers down for less than `grace` at `now`, with how long they have been down.
    pub fn within_grace(&self, now: SystemTime, grace: Duration) -> Vec<(BrokerId, Duration)> {
        let now = seconds(now);
        self.brokers
            .iter()
            .map(|(&id, &since)| (id, Duration::from_secs(now.saturating_sub(since))))
            .filter(|(_, down_for)| *down_for < grace)
            .collect()
    }
}

fn seconds(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Domain outages: values of the labels the policy spreads or survives over that at least two
/// brokers carry and whose brokers are all down, as `label=value` (e.g. `zone=az1`).
pub fn domain_outages(model: &ClusterModel) -> Vec<String> {
    let mut out = Vec::new();
    for label in model.policy_labels() {
        for value in 0..model.labels().value_count(label) as u32 {
            let members: Vec<_> = model
                .brokers()
                .iter()
                .filter(|b| b.label(label) == Some(value))
                .collect();
            if members.len() >= 2 && members.iter().all(|b| !b.alive) {
                out.push(model.labels().domain_name(label, value));
            }
        }
    }
    out
}

/// Whether a heal round may plan moves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Plan and (with --execute) apply.
    Proceed,
    /// Do nothing this round; the reason is one line for the round's summary.
    Wait(String),
}

/// Decides whether a round may plan moves.
pub fn guard(
    snapshot: &Snapshot,
    model: &ClusterModel,
    on_domain_outage: OnDomainOutage,
    dead_since: &DeadSince,
    now: SystemTime,
    grace: Duration,
) -> Verdict {
    if !snapshot.reassignments.is_empty() {
        return Verdict::Wait(format!(
            "{} reassignments in flight",
            snapshot.reassignments.len()
        ));
    }
    let outages = domain_outages(model);
    if !outages.is_empty() && on_domain_outage == OnDomainOutage::Wait {
        return Verdict::Wait(format!(
            "domain outage: every broker of {} is down; waiting (policy on_domain_outage: wait)",
            outages.join(", ")
        ));
    }
    let young = dead_since.within_grace(now, grace);
    if !young.is_empty() {
        let list: Vec<String> = young
            .iter()
            .map(|(id, d)| format!("{id} (down {}s)", d.as_secs()))
            .collect();
        return Verdict::Wait(format!(
            "brokers down for less than the {}s grace period: {}",
            grace.as_secs(),
            list.join(", ")
        ));
    }
    Verdict::Proceed
}

#[cfg(test)]
mod tests {
    use super::*;
    use kplace_placement::model::ModelOptions;
    use kplace_placement::snapshot::{BrokerSpec, PartitionSpec};

    fn snapshot(dead: &[BrokerId]) -> Snapshot {
        let racks = ["az1", "az1", "az2", "az2", "az3", "az3"];
        Snapshot {
            brokers: racks
                .iter()
                .enumerate()
                .map(|(i, rack)| BrokerSpec {
                    id: i as i32 + 1,
                    rack: Some(rack.to_string()),
                    labels: [("host".to_string(), format!("h{}", i + 1))].into(),
                    alive: !dead.contains(&(i as i32 + 1)),
                    ..BrokerSpec::default()
                })
                .collect(),
            partitions: vec![PartitionSpec {
                topic: "t".into(),
                partition: 0,
                replicas: vec![1, 3, 5],
                ..PartitionSpec::default()
            }],
            ..Snapshot::default()
        }
    }

    /// Spreads over zones (az1..az3, two brokers each) and over per-broker hosts.
    fn model(snapshot: &Snapshot) -> ClusterModel {
        let policy = kplace_placement::parse::parse_policy(
            "rules:\n  - topics: '.*'\n    spread:\n      rack: even\n      host: even\n",
            "policy",
        )
        .expect("policy");
        ClusterModel::build(snapshot, &policy, &ModelOptions::default()).expect("model")
    }

    #[test]
    fn a_whole_rack_down_is_an_outage() {
        let s = snapshot(&[1, 2]);
        assert_eq!(domain_outages(&model(&s)), vec!["rack=az1".to_string()]);
        let s = snapshot(&[1, 3]);
        assert!(domain_outages(&model(&s)).is_empty());
    }

    #[test]
    fn a_value_one_broker_carries_is_that_brokers_failure_not_an_outage() {
        // host=h1 is broker 1's alone: its death is judged by the grace period.
        let s = snapshot(&[1]);
        assert!(domain_outages(&model(&s)).is_empty());
        let now = UNIX_EPOCH + Duration::from_secs(10_000);
        let mut since = DeadSince::default();
        since.observe(&s, now);
        let grace = Duration::from_secs(60);
        let later = now + grace;
        assert_eq!(
            guard(&s, &model(&s), OnDomainOutage::Wait, &since, later, grace),
            Verdict::Proceed
        );
    }

    #[test]
    fn labels_the_policy_does_not_use_are_no_domains() {
        // Both brokers of rack az1 down, but the policy spreads over hosts only.
        let s = snapshot(&[1, 2]);
        let policy = kplace_placement::parse::parse_policy(
            "rules:\n  - topics: '.*'\n    spread:\n      host: even\n",
            "policy",
        )
        .expect("policy");
        let m = ClusterModel::build(&s, &policy, &ModelOptions::default()).expect("model");
        assert!(domain_outages(&m).is_empty());
    }

    #[test]
    fn a_fresh_state_file_is_an_empty_state_and_a_state_round_trips() {
        let fresh: DeadSince = serde_json::from_str("{}").expect("{} is a state");
        assert_eq!(fresh, DeadSince::default());
        let mut since = DeadSince::default();
        since.observe(&snapshot(&[2]), UNIX_EPOCH + Duration::from_secs(77));
        let text = serde_json::to_string(&since).expect("serialises");
        assert_eq!(text, r#"{"brokers":{"2":77}}"#);
        assert_eq!(
            serde_json::from_str::<DeadSince>(&text).expect("parses"),
            since
        );
    }

    #[test]
    fn guards_in_order() {
        let now = UNIX_EPOCH + Duration::from_secs(10_000);
        let grace = Duration::from_secs(1800);
        let mut since = DeadSince::default();

        let s = snapshot(&[1, 2]);
        since.observe(&s, now);
        let verdict = guard(&s, &model(&s), OnDomainOutage::Wait, &since, now, grace);
        assert!(
            matches!(verdict, Verdict::Wait(ref w) if w.contains("rack=az1")),
            "{verdict:?}"
        );

        let verdict = guard(
            &s,
            &model(&s),
            OnDomainOutage::Reprotect,
            &since,
            now,
            grace,
        );
        assert!(
            matches!(verdict, Verdict::Wait(ref w) if w.contains("grace")),
            "{verdict:?}"
        );
        let later = now + grace;
        assert_eq!(
            guard(
                &s,
                &model(&s),
                OnDomainOutage::Reprotect,
                &since,
                later,
                grace
            ),
            Verdict::Proceed
        );

        let back = snapshot(&[]);
        since.observe(&back, later);
        assert!(since.brokers.is_empty());
    }
}
