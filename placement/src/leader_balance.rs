//! Choosing leaders for new partitions: each partition is led by one of its replicas, and leaders
//! per broker (counting the leaders brokers already have) come out as even as possible.
//!
//! Choosing leaders one partition at a time cannot see ahead. Choosing them together is a
//! semi-matching problem (partitions to brokers, each partition to one of its replicas): a choice
//! from which no chain of hand-overs — broker `v` takes partition `p1` from `x1`, `x1` takes `p2`
//! from `x2`, ..., ending at a broker `u` that leads at least two more than `v` — can improve is
//! optimal for the most and the fewest leaders at once (Harvey, Ladner, Lovász, Tamir,
//! "Semi-matchings for bipartite graphs and load balancing"). This module searches for such chains
//! breadth-first until none is left. It is written here because graph crates offer maximum flow,
//! which only bounds the most loaded broker, not this balance.

use std::collections::VecDeque;

use rustc_hash::FxHashMap;

use crate::model::{BrokerIdx, Replicas};

/// Reorders each replica list so that its first entry (the preferred leader) balances leaders,
/// given the leaders each broker already has (`existing`, indexed by broker).
pub fn balance_leaders(sets: &mut [Replicas], existing: &[u32]) {
    let mut leader: Vec<BrokerIdx> = sets.iter().map(|s| s[0]).collect();
    let mut count: FxHashMap<BrokerIdx, u32> = FxHashMap::default();
    let mut member_of: FxHashMap<BrokerIdx, Vec<usize>> = FxHashMap::default();
    for (p, set) in sets.iter().enumerate() {
        for &b in set {
            count.entry(b).or_insert(existing[b as usize]);
            member_of.entry(b).or_default().push(p);
        }
    }
    for &b in &leader {
        *count.get_mut(&b).expect("leaders are members") += 1;
    }
    let mut brokers: Vec<BrokerIdx> = count.keys().copied().collect();
    brokers.sort_unstable();
    loop {
        brokers.sort_by_key(|b| (count[b], *b));
        let improved = brokers
            .iter()
            .any(|&v| improve_from(v, &mut leader, &mut count, &member_of));
        if !improved {
            break;
        }
    }
    for (set, leader) in sets.iter_mut().zip(leader) {
        if let Some(position) = set.iter().position(|&b| b == leader) {
            set[..=position].rotate_right(1);
        }
    }
}

/// Looks for a chain of hand-overs from `v` to a broker leading at least two more; applies it.
fn improve_from(
    v: BrokerIdx,
    leader: &mut [BrokerIdx],
    count: &mut FxHashMap<BrokerIdx, u32>,
    member_of: &FxHashMap<BrokerIdx, Vec<usize>>,
) -> bool {
    // parent[x] = (broker that takes over from x, partition it takes).
    let mut parent: FxHashMap<BrokerIdx, (BrokerIdx, usize)> = FxHashMap::default();
    let mut queue = VecDeque::from([v]);
    let target = count[&v] + 2;
    while let Some(taker) = queue.pop_front() {
        for &p in &member_of[&taker] {
            let giver = leader[p];
            if giver == v || parent.contains_key(&giver) || giver == taker {
                continue;
            }
            parent.insert(giver, (taker, p));
            if count[&giver] >= target {
                let mut at = giver;
                while at != v {
                    let (taker, p) = parent[&at];
                    leader[p] = taker;
                    at = taker;
                }
                *count.get_mut(&giver).expect("counted") -= 1;
                *count.get_mut(&v).expect("counted") += 1;
                return true;
            }
            queue.push_back(giver);
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreads_leaders_that_greedy_would_stack() {
        let mut sets = vec![vec![0, 1], vec![0, 2], vec![1, 2]];
        balance_leaders(&mut sets, &[0, 0, 0]);
        let mut leaders: Vec<u32> = sets.iter().map(|s| s[0]).collect();
        leaders.sort();
        assert_eq!(leaders, vec![0, 1, 2]);
    }

    #[test]
    fn counts_leaders_already_held() {
        let mut sets = vec![vec![0, 1]];
        balance_leaders(&mut sets, &[5, 0]);
        assert_eq!(sets[0][0], 1);
    }

    #[test]
    fn uses_chains_of_hand_overs() {
        // 0 leads both; 2 can only take partition 1 once 1 hands partition... chain: 2 takes p1
        // from 1? p1 = [1, 2] led by 1; p0 = [0, 1] led by 0; p2 = [0, 3] led by 0.
        let mut sets = vec![vec![0, 1], vec![1, 2], vec![0, 3]];
        balance_leaders(&mut sets, &[0, 0, 0, 0]);
        let mut leaders: Vec<u32> = sets.iter().map(|s| s[0]).collect();
        leaders.sort();
        leaders.dedup();
        assert_eq!(leaders.len(), 3, "three distinct leaders: {sets:?}");
    }
}
