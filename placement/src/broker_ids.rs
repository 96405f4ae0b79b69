//! Broker id to dense index lookup. Kafka broker ids are small non-negative integers in practice,
//! so a plain table indexed by id answers the millions of lookups a large snapshot needs without
//! hashing; ids beyond the table (or negative) fall back to a hash map.

use rustc_hash::FxHashMap;

use crate::model::BrokerIdx;
use crate::snapshot::BrokerId;

/// Ids up to this many times the broker count (and at least 65,536) go in the table.
const TABLE_FACTOR: usize = 8;
const ABSENT: BrokerIdx = BrokerIdx::MAX;

/// Maps broker ids to dense indices.
#[derive(Debug, Clone, Default)]
pub struct BrokerIds {
    table: Vec<BrokerIdx>,
    others: FxHashMap<BrokerId, BrokerIdx>,
}

impl BrokerIds {
    /// An empty map sized for about `brokers` brokers.
    pub fn with_capacity(brokers: usize) -> Self {
        BrokerIds {
            table: vec![ABSENT; (brokers * TABLE_FACTOR).max(1 << 16)],
            others: FxHashMap::default(),
        }
    }

    /// The index of `id`, if known.
    #[inline]
    pub fn get(&self, id: BrokerId) -> Option<BrokerIdx> {
        match usize::try_from(id).ok().and_then(|i| self.table.get(i)) {
            Some(&ABSENT) => None,
            Some(&index) => Some(index),
            None => self.others.get(&id).copied(),
        }
    }

    /// Records `id` at `index`; returns false when `id` was already known.
    pub fn insert(&mut self, id: BrokerId, index: BrokerIdx) -> bool {
        match usize::try_from(id).ok().and_then(|i| self.table.get_mut(i)) {
            Some(slot) if *slot == ABSENT => {
                *slot = index;
                true
            }
            Some(_) => false,
            None => self.others.insert(id, index).is_none(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_and_overflow_ids() {
        let mut ids = BrokerIds::with_capacity(2);
        assert!(ids.insert(7, 0));
        assert!(ids.insert(1_000_000_000, 1));
        assert!(ids.insert(-5, 2));
        assert!(!ids.insert(7, 3), "duplicate");
        assert_eq!(ids.get(7), Some(0));
        assert_eq!(ids.get(1_000_000_000), Some(1));
        assert_eq!(ids.get(-5), Some(2));
        assert_eq!(ids.get(8), None);
    }
}
