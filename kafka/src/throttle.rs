//! Replication throttles as pure data: what kplace's moves need, and how kplace's own entries are
//! merged into (and later taken out of) what another operator may have set.
//!
//! Kafka throttles a move with, per topic, `leader.replication.throttled.replicas` (the moving
//! partitions' current replicas, `partition:broker` entries) and
//! `follower.replication.throttled.replicas` (the replicas being added), and, per broker taking
//! part, `leader.replication.throttled.rate` and `follower.replication.throttled.rate` (bytes per
//! second), as `kafka-reassign-partitions --throttle` sets them. kplace sets each rate only where
//! a list entry can use it ([`broker_roles`]): the leader rate on the senders, the follower rate
//! on the receivers.
//!
//! kplace owns only what it added:
//! - **lists**: an entry kplace needs that is not in the list yet is added and becomes kplace's;
//!   an entry already there (someone else's) is used as it is and never removed by kplace. A
//!   list that is `*` (every replica) already throttles everything: kplace adds nothing to it.
//!   When kplace no longer needs an entry it owns, it removes that entry alone.
//! - **rates**: a broker that already has a rate someone else set keeps it (kplace's moves on
//!   that broker then run at their rate; the caller warns). kplace sets a rate only where none
//!   is set, and removes it later only while it still holds the value kplace set: a rate someone
//!   changed meanwhile is theirs.
//!
//! Which entries and rates are kplace's is recorded in a [`ledger`](crate::ledger) kept in the
//! cluster, so a later run can clean up after a killed one.

use std::collections::{BTreeMap, BTreeSet};

use crate::admin::ConfigChange;

/// Topic config: replicas that leaders throttle while serving moves.
pub const LEADER_REPLICAS: &str = "leader.replication.throttled.replicas";
/// Topic config: replicas that followers throttle while catching up.
pub const FOLLOWER_REPLICAS: &str = "follower.replication.throttled.replicas";
/// Broker config: leader-side throttle rate in bytes per second.
pub const LEADER_RATE: &str = "leader.replication.throttled.rate";
/// Broker config: follower-side throttle rate in bytes per second.
pub const FOLLOWER_RATE: &str = "follower.replication.throttled.rate";

/// One `partition:broker` entry of a throttled-replicas list.
pub type Entry = (i32, i32);

/// One move as throttling sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThrottledMove {
    /// Topic name.
    pub topic: String,
    /// Partition number.
    pub partition: i32,
    /// Replicas before the move.
    pub current: Vec<i32>,
    /// Replicas after the move.
    pub target: Vec<i32>,
}

/// A throttled-replicas list as a topic holds it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ReplicaList {
    /// Not set, or empty.
    #[default]
    Empty,
    /// `*`: every replica of the topic.
    All,
    /// These entries.
    Entries(BTreeSet<Entry>),
}

impl ReplicaList {
    /// Parses a list as Kafka stores it (`0:1,0:2`, `*` or empty). `None` when it is not one.
    pub fn parse(value: &str) -> Option<ReplicaList> {
        let value = value.trim();
        if value.is_empty() {
            return Some(ReplicaList::Empty);
        }
        if value == "*" {
            return Some(ReplicaList::All);
        }
        let mut entries = BTreeSet::new();
        for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (p, b) = part.split_once(':')?;
            entries.insert((p.trim().parse().ok()?, b.trim().parse().ok()?));
        }
        Some(if entries.is_empty() {
            ReplicaList::Empty
        } else {
            ReplicaList::Entries(entries)
        })
    }

    /// Whether the list throttles `entry`.
    pub fn contains(&self, entry: &Entry) -> bool {
        match self {
            ReplicaList::Empty => false,
            ReplicaList::All => true,
            ReplicaList::Entries(set) => set.contains(entry),
        }
    }
}

/// Renders entries as Kafka's list syntax, `p:b,p:b`.
pub fn render(entries: &BTreeSet<Entry>) -> String {
    entries
        .iter()
        .map(|(p, b)| format!("{p}:{b}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// The leader-side and follower-side entries of one topic.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TopicEntries {
    /// Entries of `leader.replication.throttled.replicas`.
    pub leader: BTreeSet<Entry>,
    /// Entries of `follower.replication.throttled.replicas`.
    pub follower: BTreeSet<Entry>,
}

impl TopicEntries {
    /// Whether there is no entry at all.
    pub fn is_empty(&self) -> bool {
        self.leader.is_empty() && self.follower.is_empty()
    }
}

/// The entries that throttle exactly `moves`, per topic: leaders throttle the current replicas,
/// followers the replicas being added.
pub fn needed_entries(moves: &[ThrottledMove]) -> BTreeMap<String, TopicEntries> {
    let mut out: BTreeMap<String, TopicEntries> = BTreeMap::new();
    for m in moves {
        let topic = out.entry(m.topic.clone()).or_default();
        topic
            .leader
            .extend(m.current.iter().map(|&b| (m.partition, b)));
        topic.follower.extend(
            m.target
                .iter()
                .filter(|b| !m.current.contains(b))
                .map(|&b| (m.partition, b)),
        );
    }
    out
}

/// Which of the two rates one broker needs for the moves it takes part in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Roles {
    /// It holds a current replica of a moving partition: as leader it may serve the new
    /// replicas, so it needs `leader.replication.throttled.rate`.
    pub leader: bool,
    /// It receives a new replica: it needs `follower.replication.throttled.rate`.
    pub follower: bool,
}

/// The brokers taking part in `moves` and the rates each needs, matching the lists of
/// [`needed_entries`]: a leader-side rate exactly where a leader-list entry can use it, a
/// follower-side rate exactly where a follower-list entry can. A broker that only sends gets no
/// follower rate (which would throttle nothing of these moves), one that only receives no
/// leader rate; `kafka-reassign-partitions` sets both on every broker taking part, kplace
/// changes no config a move does not need.
pub fn broker_roles(moves: &[ThrottledMove]) -> BTreeMap<i32, Roles> {
    let mut out: BTreeMap<i32, Roles> = BTreeMap::new();
    for m in moves {
        for &b in &m.current {
            out.entry(b).or_default().leader = true;
        }
        for &b in m.target.iter().filter(|b| !m.current.contains(b)) {
            out.entry(b).or_default().follower = true;
        }
    }
    out
}

/// One list's update: the entries kplace owns afterwards and the change to send (if any).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListUpdate {
    /// The entries that are kplace's after the change.
    pub owned: BTreeSet<Entry>,
    /// What to send for the list's key.
    pub change: Option<ConfigChange>,
}

/// Updates one list so that it throttles `needed` while keeping every entry that is not
/// kplace's: `current` is the list now, `owned` the entries kplace added earlier.
///
/// Entries are added with Kafka's APPEND and removed with SUBTRACT, so entries someone else adds
/// at the same moment are kept; a list left with no entry is deleted instead (Kafka would keep an
/// empty value).
pub fn update_list(
    key: &str,
    current: &ReplicaList,
    owned: &BTreeSet<Entry>,
    needed: &BTreeSet<Entry>,
) -> ListUpdate {
    let present: BTreeSet<Entry> = match current {
        ReplicaList::All => {
            // `*` throttles everything already; what kplace may have added before is covered.
            return ListUpdate {
                owned: BTreeSet::new(),
                change: None,
            };
        }
        ReplicaList::Empty => BTreeSet::new(),
        ReplicaList::Entries(set) => set.clone(),
    };
    // Someone else's: present and not kplace's.
    let others: BTreeSet<Entry> = present.difference(owned).copied().collect();
    let new_owned: BTreeSet<Entry> = needed.difference(&others).copied().collect();
    let to_add: BTreeSet<Entry> = new_owned.difference(&present).copied().collect();
    let to_remove: BTreeSet<Entry> = present
        .intersection(owned)
        .filter(|e| !new_owned.contains(e))
        .copied()
        .collect();
    let change = if others.is_empty() && new_owned.is_empty() {
        (!present.is_empty()).then(|| ConfigChange::Delete(key.into()))
    } else if !to_add.is_empty() && to_remove.is_empty() {
        Some(ConfigChange::Append(key.into(), render(&to_add)))
    } else if to_add.is_empty() && !to_remove.is_empty() {
        Some(ConfigChange::Subtract(key.into(), render(&to_remove)))
    } else if to_add.is_empty() && to_remove.is_empty() {
        None
    } else {
        // Both at once: one request cannot name a key twice, so set the merged list.
        let merged: BTreeSet<Entry> = others.union(&new_owned).copied().collect();
        Some(ConfigChange::Set(key.into(), render(&merged)))
    };
    ListUpdate {
        owned: new_owned,
        change,
    }
}

/// One rate's update: the rate kplace owns afterwards, the change to send, and whether someone
/// else's rate is in the way of the one kplace wanted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateUpdate {
    /// The rate that is kplace's after the change, if any.
    pub owned: Option<u64>,
    /// What to send for the rate's key.
    pub change: Option<ConfigChange>,
    /// Someone else's rate, kept although kplace wanted one.
    pub kept_theirs: Option<u64>,
}

/// Updates one broker rate: `current` is the broker's rate now, `owned` the rate kplace set
/// earlier (if any), `wanted` the rate kplace needs now (`None`: none any more).
pub fn update_rate(
    key: &str,
    current: Option<u64>,
    owned: Option<u64>,
    wanted: Option<u64>,
) -> RateUpdate {
    // kplace's only while it holds exactly the value kplace set.
    let ours = owned.is_some() && current == owned;
    match (current, wanted) {
        (Some(theirs), wanted) if !ours => RateUpdate {
            owned: None,
            change: None,
            kept_theirs: wanted.map(|_| theirs),
        },
        (_, None) => RateUpdate {
            owned: None,
            change: current.map(|_| ConfigChange::Delete(key.into())),
            kept_theirs: None,
        },
        (current, Some(rate)) => RateUpdate {
            owned: Some(rate),
            change: (current != Some(rate))
                .then(|| ConfigChange::Set(key.into(), rate.to_string())),
            kept_theirs: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn set(entries: &[Entry]) -> BTreeSet<Entry> {
        entries.iter().copied().collect()
    }

    /// Kafka's result of a change on a list (APPEND and SUBTRACT as IncrementalAlterConfigs).
    fn after(current: &ReplicaList, change: &Option<ConfigChange>) -> ReplicaList {
        let entries = |list: &ReplicaList| match list {
            ReplicaList::Entries(s) => s.clone(),
            _ => BTreeSet::new(),
        };
        let parsed = |v: &str| entries(&ReplicaList::parse(v).expect("valid list"));
        let result = match change {
            None => return current.clone(),
            Some(ConfigChange::Delete(_)) => BTreeSet::new(),
            Some(ConfigChange::Set(_, v)) => parsed(v),
            Some(ConfigChange::Append(_, v)) => {
                entries(current).union(&parsed(v)).copied().collect()
            }
            Some(ConfigChange::Subtract(_, v)) => {
                entries(current).difference(&parsed(v)).copied().collect()
            }
        };
        if result.is_empty() {
            ReplicaList::Empty
        } else {
            ReplicaList::Entries(result)
        }
    }

    #[test]
    fn needed_entries_match_kafka_reassign_partitions() {
        let moves = vec![
            ThrottledMove {
                topic: "t".into(),
                partition: 0,
                current: vec![1, 2],
                target: vec![1, 3],
            },
            ThrottledMove {
                topic: "t".into(),
                partition: 1,
                current: vec![2, 3],
                target: vec![3, 2],
            },
        ];
        let needed = needed_entries(&moves);
        assert_eq!(render(&needed["t"].leader), "0:1,0:2,1:2,1:3");
        assert_eq!(render(&needed["t"].follower), "0:3");
        let roles = broker_roles(&moves);
        let role = |leader, follower| Roles { leader, follower };
        assert_eq!(
            roles.into_iter().collect::<Vec<_>>(),
            vec![
                (1, role(true, false)),
                (2, role(true, false)),
                (3, role(true, true))
            ],
            "senders get the leader rate, receivers the follower rate"
        );
    }

    #[test]
    fn lists_parse_as_kafka_writes_them() {
        assert_eq!(ReplicaList::parse(""), Some(ReplicaList::Empty));
        assert_eq!(ReplicaList::parse("*"), Some(ReplicaList::All));
        assert_eq!(
            ReplicaList::parse("0:1, 2:3"),
            Some(ReplicaList::Entries(set(&[(0, 1), (2, 3)])))
        );
        assert_eq!(ReplicaList::parse("0-1"), None);
    }

    #[test]
    fn kplace_appends_to_someone_elses_list_and_subtracts_only_its_own() {
        let theirs = ReplicaList::Entries(set(&[(5, 9)]));
        let added = update_list(LEADER_REPLICAS, &theirs, &set(&[]), &set(&[(0, 1), (5, 9)]));
        assert_eq!(added.owned, set(&[(0, 1)]), "their 5:9 stays theirs");
        assert_eq!(
            added.change,
            Some(ConfigChange::Append(LEADER_REPLICAS.into(), "0:1".into()))
        );
        let now = after(&theirs, &added.change);
        let removed = update_list(LEADER_REPLICAS, &now, &added.owned, &set(&[]));
        assert_eq!(
            removed.change,
            Some(ConfigChange::Subtract(LEADER_REPLICAS.into(), "0:1".into()))
        );
        assert_eq!(after(&now, &removed.change), theirs);
    }

    #[test]
    fn a_list_of_kplace_entries_alone_is_deleted_and_star_is_left_alone() {
        let ours = ReplicaList::Entries(set(&[(0, 1)]));
        let update = update_list(FOLLOWER_REPLICAS, &ours, &set(&[(0, 1)]), &set(&[]));
        assert_eq!(
            update.change,
            Some(ConfigChange::Delete(FOLLOWER_REPLICAS.into()))
        );
        let star = update_list(
            FOLLOWER_REPLICAS,
            &ReplicaList::All,
            &set(&[]),
            &set(&[(0, 1)]),
        );
        assert_eq!(star.change, None);
        assert!(star.owned.is_empty());
    }

    #[test]
    fn someone_elses_rate_is_kept_and_kplaces_own_is_removed() {
        let theirs = update_rate(LEADER_RATE, Some(1000), None, Some(5000));
        assert_eq!(theirs.change, None);
        assert_eq!(theirs.kept_theirs, Some(1000));
        assert_eq!(theirs.owned, None);

        let ours = update_rate(LEADER_RATE, None, None, Some(5000));
        assert_eq!(
            ours.change,
            Some(ConfigChange::Set(LEADER_RATE.into(), "5000".into()))
        );
        let changed = update_rate(LEADER_RATE, Some(5000), Some(5000), Some(9000));
        assert_eq!(
            changed.change,
            Some(ConfigChange::Set(LEADER_RATE.into(), "9000".into()))
        );
        let removed = update_rate(LEADER_RATE, Some(9000), Some(9000), None);
        assert_eq!(
            removed.change,
            Some(ConfigChange::Delete(LEADER_RATE.into()))
        );
        // Changed by someone after kplace set it: theirs now.
        let retaken = update_rate(LEADER_RATE, Some(7000), Some(9000), None);
        assert_eq!(retaken.change, None);
        assert_eq!(retaken.owned, None);
    }

    fn arb_entries() -> impl Strategy<Value = BTreeSet<Entry>> {
        proptest::collection::btree_set((0..4i32, 0..5i32), 0..8)
    }

    proptest! {
        /// Whatever someone else holds, any sequence of needs ends, once kplace needs nothing,
        /// with exactly their entries; meanwhile every need is throttled and theirs is never
        /// dropped.
        #[test]
        fn others_entries_survive_any_sequence_of_needs(
            theirs in arb_entries(),
            star in any::<bool>(),
            needs in proptest::collection::vec(arb_entries(), 0..6),
        ) {
            let start = if star {
                ReplicaList::All
            } else if theirs.is_empty() {
                ReplicaList::Empty
            } else {
                ReplicaList::Entries(theirs.clone())
            };
            let mut list = start.clone();
            let mut owned = BTreeSet::new();
            for needed in needs.iter().chain(std::iter::once(&BTreeSet::new())) {
                let update = update_list(LEADER_REPLICAS, &list, &owned, needed);
                list = after(&list, &update.change);
                owned = update.owned;
                for e in needed {
                    prop_assert!(list.contains(e), "needed {e:?} not throttled: {list:?}");
                }
                for e in &theirs {
                    prop_assert!(star || list.contains(e), "their {e:?} dropped: {list:?}");
                }
                prop_assert!(owned.iter().all(|e| !theirs.contains(e) || star));
            }
            prop_assert_eq!(list, start);
            prop_assert!(owned.is_empty());
        }

        /// A rate someone set before is never changed; one kplace set is removed at the end
        /// unless someone changed it meanwhile.
        #[test]
        fn rates_end_as_someone_else_left_them(
            theirs in proptest::option::of(1u64..10),
            wanted in proptest::collection::vec(proptest::option::of(1u64..10), 0..6),
            meddle in proptest::option::of((0usize..6, 20u64..30)),
        ) {
            let mut current = theirs;
            let mut owned = None;
            let mut meddled = None;
            for (step, w) in wanted.iter().chain(std::iter::once(&None)).enumerate() {
                if let Some((at, value)) = meddle {
                    if at == step && theirs.is_none() {
                        current = Some(value);
                        meddled = Some(value);
                    }
                }
                let update = update_rate(LEADER_RATE, current, owned, *w);
                current = match &update.change {
                    None => current,
                    Some(ConfigChange::Delete(_)) => None,
                    Some(ConfigChange::Set(_, v)) => v.parse().ok(),
                    Some(other) => panic!("unexpected change {other:?}"),
                };
                owned = update.owned;
                if theirs.is_some() {
                    prop_assert_eq!(current, theirs);
                }
            }
            prop_assert_eq!(current, theirs.or(meddled));
            prop_assert_eq!(owned, None);
        }
    }
}
