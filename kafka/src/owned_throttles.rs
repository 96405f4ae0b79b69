//! kplace's own throttles on a live cluster: set what the moves in flight need, take out what
//! they no longer need, and nothing else (the merge rules are [`throttle`](crate::throttle)'s, the record of what
//! is kplace's is the [`ledger`](crate::ledger) kept in the cluster).
//!
//! Every change is recorded before it is made (write-ahead: the ledger first holds the union of
//! before and after, then the after), so a kplace killed at any point leaves a ledger that names
//! at least every entry and rate it set. A later apply, cancel or heal round loads that ledger,
//! adopts it, and removes what is no longer needed.

use std::collections::{BTreeMap, BTreeSet};

use crate::admin::ConfigChange;
use crate::broker_configs::{BrokerScope, SOURCE_DEFAULT};
use crate::cluster_admin::ClusterAdmin;
use crate::error::{KafkaError, Result};
use crate::ledger::{Ledger, OwnedRates};
use crate::throttle::{
    broker_roles, needed_entries, update_list, update_rate, ReplicaList, ThrottledMove,
    TopicEntries, FOLLOWER_RATE, FOLLOWER_REPLICAS, LEADER_RATE, LEADER_REPLICAS,
};

/// The throttles kplace owns on one cluster, as its ledger says.
#[derive(Debug, Clone, Default)]
pub struct OwnedThrottles {
    ledger: Ledger,
    /// Brokers whose own rate was kept, already warned about.
    warned: BTreeSet<i32>,
}

/// What one [`OwnedThrottles::sync`] changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Topics whose throttled-replica lists changed.
    pub topics: Vec<String>,
    /// Brokers whose rates changed.
    pub brokers: Vec<i32>,
    /// Brokers that keep someone else's rate, and that rate.
    pub kept_rates: Vec<(i32, u64)>,
}

impl OwnedThrottles {
    /// Loads the ledger: what earlier kplace runs (possibly killed) left set.
    pub fn load(admin: &mut dyn ClusterAdmin) -> Result<Self> {
        let configs = admin
            .broker_configs(BrokerScope::Default, &[])?
            .unwrap_or_default();
        Ok(OwnedThrottles {
            ledger: Ledger::from_names(configs.keys().map(String::as_str))?,
            warned: BTreeSet::new(),
        })
    }

    /// Whether kplace owns no throttle.
    pub fn is_empty(&self) -> bool {
        self.ledger.is_empty()
    }

    /// The ledger as it stands.
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// Makes kplace's throttles exactly those `moves` need at `rate` (`None`: none at all),
    /// leaving every entry and rate that is not kplace's as it is.
    pub fn sync(
        &mut self,
        admin: &mut dyn ClusterAdmin,
        moves: &[ThrottledMove],
        rate: Option<u64>,
    ) -> Result<SyncReport> {
        let needed: BTreeMap<String, TopicEntries> = match rate {
            Some(_) => needed_entries(moves),
            None => BTreeMap::new(),
        };
        // Per broker taking part, the rates its roles need (none at all without a rate).
        let wanted_rates: BTreeMap<i32, OwnedRates> = match rate {
            Some(_) => broker_roles(moves)
                .into_iter()
                .map(|(b, roles)| {
                    let rates = OwnedRates {
                        leader: rate.filter(|_| roles.leader),
                        follower: rate.filter(|_| roles.follower),
                    };
                    (b, rates)
                })
                .collect(),
            None => BTreeMap::new(),
        };
        let wanted_of = |b: i32| wanted_rates.get(&b).copied().unwrap_or_default();
        let empty = TopicEntries::default();
        // Only what would change: a round where nothing moved sends nothing.
        let topics: Vec<String> = needed
            .keys()
            .chain(self.ledger.topics.keys())
            .filter(|t| {
                needed.get(*t).unwrap_or(&empty) != self.ledger.topics.get(*t).unwrap_or(&empty)
            })
            .cloned()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let brokers: Vec<i32> = wanted_rates
            .keys()
            .chain(self.ledger.brokers.keys())
            .copied()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .filter(|&b| {
                self.ledger.brokers.get(&b).copied().unwrap_or_default() != wanted_of(b)
                    && !(self.warned.contains(&b) && wanted_rates.contains_key(&b))
            })
            .collect();
        if topics.is_empty() && brokers.is_empty() {
            return Ok(SyncReport::default());
        }

        let mut next = self.ledger.clone();
        let mut report = SyncReport::default();
        let mut topic_changes: BTreeMap<String, Vec<ConfigChange>> = BTreeMap::new();
        let current = self.current_lists(admin, &topics)?;
        for topic in &topics {
            let Some((leader_list, follower_list)) = current.get(topic) else {
                // The topic is gone: nothing of kplace's is left on it.
                next.topics.remove(topic);
                continue;
            };
            let owned = self.ledger.topics.get(topic).unwrap_or(&empty);
            let wanted = needed.get(topic).unwrap_or(&empty);
            let leader = update_list(LEADER_REPLICAS, leader_list, &owned.leader, &wanted.leader);
            let follower = update_list(
                FOLLOWER_REPLICAS,
                follower_list,
                &owned.follower,
                &wanted.follower,
            );
            let changes: Vec<ConfigChange> =
                leader.change.into_iter().chain(follower.change).collect();
            if !changes.is_empty() {
                topic_changes.insert(topic.clone(), changes);
                report.topics.push(topic.clone());
            }
            let entries = TopicEntries {
                leader: leader.owned,
                follower: follower.owned,
            };
            if entries.is_empty() {
                next.topics.remove(topic);
            } else {
                next.topics.insert(topic.clone(), entries);
            }
        }
        let mut broker_changes: BTreeMap<i32, Vec<ConfigChange>> = BTreeMap::new();
        for &broker in &brokers {
            let Some(configs) =
                admin.broker_configs(BrokerScope::Broker(broker), &[LEADER_RATE, FOLLOWER_RATE])?
            else {
                tracing::warn!(
                    broker,
                    "broker is down: its throttle rates stay as they are until a later kplace run"
                );
                continue;
            };
            let value = |key: &str| {
                configs
                    .get(key)
                    .filter(|v| v.source != SOURCE_DEFAULT)
                    .and_then(|v| v.value.parse::<u64>().ok())
            };
            let owned = self
                .ledger
                .brokers
                .get(&broker)
                .copied()
                .unwrap_or_default();
            let wanted = wanted_of(broker);
            let leader = update_rate(LEADER_RATE, value(LEADER_RATE), owned.leader, wanted.leader);
            let follower = update_rate(
                FOLLOWER_RATE,
                value(FOLLOWER_RATE),
                owned.follower,
                wanted.follower,
            );
            if let Some(theirs) = leader.kept_theirs.or(follower.kept_theirs) {
                if self.warned.insert(broker) {
                    tracing::warn!(
                        broker,
                        their_rate = theirs,
                        kplace_rate = rate.unwrap_or_default(),
                        "broker has a replication throttle rate kplace did not set: it is kept, and kplace's moves on it run at that rate"
                    );
                }
                report.kept_rates.push((broker, theirs));
            }
            let changes: Vec<ConfigChange> =
                leader.change.into_iter().chain(follower.change).collect();
            if !changes.is_empty() {
                broker_changes.insert(broker, changes);
                report.brokers.push(broker);
            }
            let rates = OwnedRates {
                leader: leader.owned,
                follower: follower.owned,
            };
            if rates.is_empty() {
                next.brokers.remove(&broker);
            } else {
                next.brokers.insert(broker, rates);
            }
        }

        // Write-ahead: the ledger names everything before and after, then the changes, then
        // the ledger of after.
        let ahead = self.ledger.union(&next);
        self.write_ledger(admin, &ahead)?;
        admin.alter_topic_configs(&topic_changes)?;
        for (broker, changes) in &broker_changes {
            if !admin.alter_broker_configs(BrokerScope::Broker(*broker), changes)? {
                // Went down in between: keep what the ledger says of it.
                tracing::warn!(
                    broker,
                    "broker went down: its throttle rates stay for a later kplace run"
                );
                match ahead.brokers.get(broker) {
                    Some(r) => next.brokers.insert(*broker, *r),
                    None => next.brokers.remove(broker),
                };
            }
        }
        self.write_ledger(admin, &next)?;
        Ok(report)
    }

    /// Removes every throttle kplace owns (and its ledger entries).
    pub fn remove_all(&mut self, admin: &mut dyn ClusterAdmin) -> Result<SyncReport> {
        self.sync(admin, &[], None)
    }

    fn write_ledger(&mut self, admin: &mut dyn ClusterAdmin, next: &Ledger) -> Result<()> {
        let changes = self.ledger.changes_to(next);
        if !changes.is_empty() {
            admin.alter_broker_configs(BrokerScope::Default, &changes)?;
        }
        self.ledger = next.clone();
        Ok(())
    }

    /// The two lists of each topic that still exists.
    fn current_lists(
        &self,
        admin: &mut dyn ClusterAdmin,
        topics: &[String],
    ) -> Result<BTreeMap<String, (ReplicaList, ReplicaList)>> {
        if topics.is_empty() {
            return Ok(BTreeMap::new());
        }
        let existing: BTreeSet<String> = admin
            .partitions(Some(topics.to_vec()))
            .or_else(|_| admin.partitions(None))?
            .into_iter()
            .map(|p| p.topic)
            .collect();
        let topics: Vec<String> = topics
            .iter()
            .filter(|t| existing.contains(*t))
            .cloned()
            .collect();
        let configs = admin.topic_configs(&topics, &[LEADER_REPLICAS, FOLLOWER_REPLICAS])?;
        let mut out = BTreeMap::new();
        for topic in topics {
            let entries = configs.get(&topic);
            let list = |key: &str| -> Result<ReplicaList> {
                let value = entries
                    .and_then(|e| e.get(key))
                    .map(String::as_str)
                    .unwrap_or("");
                ReplicaList::parse(value).ok_or_else(|| {
                    KafkaError::Input(format!(
                        "topic {topic}: {key}={value:?} is not a throttled-replicas list"
                    ))
                })
            };
            let lists = (list(LEADER_REPLICAS)?, list(FOLLOWER_REPLICAS)?);
            out.insert(topic, lists);
        }
        Ok(out)
    }
}

/// Removes the throttles an earlier kplace run left (its ledger), for a caller that knows no
/// kplace apply is following moves now (heal, between rounds, when nothing is in flight).
/// Returns what was removed.
pub fn remove_leftover_throttles(admin: &mut dyn ClusterAdmin) -> Result<SyncReport> {
    let mut owned = OwnedThrottles::load(admin)?;
    if owned.is_empty() {
        return Ok(SyncReport::default());
    }
    let removed = owned.remove_all(admin)?;
    tracing::info!(
        topics = removed.topics.len(),
        brokers = removed.brokers.len(),
        "removed throttles an earlier kplace run left behind"
    );
    Ok(removed)
}
