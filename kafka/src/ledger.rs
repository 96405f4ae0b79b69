//! kplace's ledger of the throttles it set, kept in the cluster itself: pure encoding.
//!
//! apply keeps no state file, yet a later apply, cancel or heal round (possibly on another
//! machine: a Kubernetes CronJob) must know which throttle entries and rates a killed kplace left
//! behind. The ledger lives in the cluster-wide default broker config (the `brokers` entity's
//! default, as `kafka-configs --entity-type brokers --entity-default --describe` shows it), one
//! custom entry per list entry and per rate kplace set, the facts in the entry's *name*:
//!
//! ```text
//! kplace.throttle.replica.leader.0.1.orders      (entry 0:1 of orders' leader list)
//! kplace.throttle.replica.follower.0.3.orders    (entry 0:3 of orders' follower list)
//! kplace.throttle.rate.leader.7.52428800         (broker 7's leader rate, as kplace set it)
//! ```
//!
//! Why there and why in names: Kafka rejects unknown names in topic configs but accepts them in
//! broker configs (they exist for plugins), and it reports the value of such a custom entry as
//! sensitive (`null`) to DescribeConfigs, so only the name can be read back (verified on Kafka
//! 4.1). Only the moves in flight are throttled, so the ledger holds a few entries per move in
//! flight, never one per move ever submitted.

use std::collections::{BTreeMap, BTreeSet};

use crate::admin::ConfigChange;
use crate::error::{KafkaError, Result};
use crate::throttle::TopicEntries;

/// Prefix of every ledger key.
pub const PREFIX: &str = "kplace.throttle.";
const REPLICA_PREFIX: &str = "kplace.throttle.replica.";
const RATE_PREFIX: &str = "kplace.throttle.rate.";
/// The value of every ledger entry (Kafka hides it anyway).
pub const VALUE: &str = "kplace";

/// The rates kplace set on one broker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OwnedRates {
    /// `leader.replication.throttled.rate` as kplace set it.
    pub leader: Option<u64>,
    /// `follower.replication.throttled.rate` as kplace set it.
    pub follower: Option<u64>,
}

impl OwnedRates {
    /// Whether kplace set no rate on the broker.
    pub fn is_empty(&self) -> bool {
        self.leader.is_none() && self.follower.is_none()
    }
}

/// Every throttle entry and rate that is kplace's.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Ledger {
    /// Per topic, the list entries kplace added.
    pub topics: BTreeMap<String, TopicEntries>,
    /// Per broker, the rates kplace set.
    pub brokers: BTreeMap<i32, OwnedRates>,
}

impl Ledger {
    /// Whether kplace owns nothing.
    pub fn is_empty(&self) -> bool {
        self.topics.is_empty() && self.brokers.is_empty()
    }

    /// Reads the ledger from the names of the default broker config's entries (other names are
    /// ignored). A malformed ledger name is an error naming it: kplace cannot tell what is its
    /// own.
    pub fn from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Ledger> {
        let mut ledger = Ledger::default();
        for name in names {
            let bad = || {
                KafkaError::Input(format!(
                    "cluster default broker config {name} is not a kplace throttle ledger entry; remove it with kafka-configs --entity-type brokers --entity-default --alter --delete-config {name}"
                ))
            };
            if let Some(rest) = name.strip_prefix(REPLICA_PREFIX) {
                let mut parts = rest.splitn(4, '.');
                let (side, partition, broker, topic) =
                    (parts.next(), parts.next(), parts.next(), parts.next());
                let (Some(side), Some(partition), Some(broker), Some(topic)) =
                    (side, partition, broker, topic)
                else {
                    return Err(bad());
                };
                let entry = (
                    partition.parse().map_err(|_| bad())?,
                    broker.parse().map_err(|_| bad())?,
                );
                let entries = ledger.topics.entry(topic.to_string()).or_default();
                match side {
                    "leader" => entries.leader.insert(entry),
                    "follower" => entries.follower.insert(entry),
                    _ => return Err(bad()),
                };
            } else if let Some(rest) = name.strip_prefix(RATE_PREFIX) {
                let parts: Vec<&str> = rest.split('.').collect();
                let [side, broker, rate] = parts[..] else {
                    return Err(bad());
                };
                let broker: i32 = broker.parse().map_err(|_| bad())?;
                let rate: u64 = rate.parse().map_err(|_| bad())?;
                let rates = ledger.brokers.entry(broker).or_default();
                match side {
                    "leader" => rates.leader = Some(rate),
                    "follower" => rates.follower = Some(rate),
                    _ => return Err(bad()),
                }
            } else if name.starts_with(PREFIX) {
                return Err(bad());
            }
        }
        Ok(ledger)
    }

    /// The names of the ledger's entries.
    pub fn names(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for (topic, entries) in &self.topics {
            for (side, set) in [("leader", &entries.leader), ("follower", &entries.follower)] {
                for (p, b) in set {
                    out.insert(format!("{REPLICA_PREFIX}{side}.{p}.{b}.{topic}"));
                }
            }
        }
        for (broker, rates) in &self.brokers {
            for (side, rate) in [("leader", rates.leader), ("follower", rates.follower)] {
                if let Some(rate) = rate {
                    out.insert(format!("{RATE_PREFIX}{side}.{broker}.{rate}"));
                }
            }
        }
        out
    }

    /// Everything in `self` or `other`: what a write-ahead record must hold while kplace changes
    /// throttles from one to the other.
    pub fn union(&self, other: &Ledger) -> Ledger {
        let mut out = self.clone();
        for (topic, entries) in &other.topics {
            let mine = out.topics.entry(topic.clone()).or_default();
            mine.leader.extend(entries.leader.iter().copied());
            mine.follower.extend(entries.follower.iter().copied());
        }
        for (broker, rates) in &other.brokers {
            let mine = out.brokers.entry(*broker).or_default();
            // Where both hold a rate, the newer one is what the broker will hold.
            mine.leader = rates.leader.or(mine.leader);
            mine.follower = rates.follower.or(mine.follower);
        }
        out
    }

    /// The config changes that turn the ledger `self` into `next`.
    pub fn changes_to(&self, next: &Ledger) -> Vec<ConfigChange> {
        let before = self.names();
        let after = next.names();
        let mut changes: Vec<ConfigChange> = before
            .difference(&after)
            .map(|k| ConfigChange::Delete(k.clone()))
            .collect();
        changes.extend(
            after
                .difference(&before)
                .map(|k| ConfigChange::Set(k.clone(), VALUE.to_string())),
        );
        changes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn arb_ledger() -> impl Strategy<Value = Ledger> {
        let entries = proptest::collection::btree_set((0..50i32, 0..20i32), 0..6);
        let topics = proptest::collection::btree_map(
            "[a-z][a-z0-9._-]{0,12}",
            (entries.clone(), entries)
                .prop_map(|(leader, follower)| TopicEntries { leader, follower }),
            0..4,
        );
        let rate = proptest::option::of(1u64..u64::MAX);
        let brokers = proptest::collection::btree_map(
            0..2000i32,
            (rate.clone(), rate).prop_map(|(leader, follower)| OwnedRates { leader, follower }),
            0..4,
        );
        (topics, brokers).prop_map(|(topics, brokers)| {
            let mut ledger = Ledger { topics, brokers };
            ledger.topics.retain(|_, e| !e.is_empty());
            ledger.brokers.retain(|_, r| !r.is_empty());
            ledger
        })
    }

    proptest! {
        /// The ledger reads back as written, and applying `changes_to` to the old entries gives
        /// the new ones.
        #[test]
        fn ledger_round_trips(a in arb_ledger(), b in arb_ledger()) {
            let names = a.names();
            prop_assert_eq!(Ledger::from_names(names.iter().map(String::as_str)).ok(), Some(a.clone()));
            let mut configs = names;
            for change in a.changes_to(&b) {
                match change {
                    ConfigChange::Set(k, _) => { configs.insert(k); }
                    ConfigChange::Delete(k) => { configs.remove(&k); }
                    other => prop_assert!(false, "unexpected {other:?}"),
                }
            }
            prop_assert_eq!(configs, b.names());
            let both = a.union(&b);
            for (topic, entries) in a.topics.iter().chain(&b.topics) {
                prop_assert!(entries.leader.is_subset(&both.topics[topic].leader));
                prop_assert!(entries.follower.is_subset(&both.topics[topic].follower));
            }
        }
    }

    #[test]
    fn other_configs_are_ignored_and_a_bad_entry_is_named() {
        assert!(Ledger::from_names(["log.retention.ms"]).unwrap().is_empty());
        let ledger = Ledger::from_names(["kplace.throttle.replica.leader.0.1.my.topic"]).unwrap();
        assert!(ledger.topics["my.topic"].leader.contains(&(0, 1)));
        let error = Ledger::from_names(["kplace.throttle.rate.leader.x.5"])
            .unwrap_err()
            .to_string();
        assert!(error.contains("kplace.throttle.rate.leader.x.5"), "{error}");
    }
}
