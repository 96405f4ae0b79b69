//! What an operation's limits keep in place, for the replica bound: a drain that moves only
//! what it must (`soft_copies` off) leaves every settled replica where it is, so each broker
//! ends with at least its settled replicas; a scale-out (`--add-brokers`) sends moves only onto
//! the new brokers, so every other broker ends with at most what it holds.
//!
//! A drain keeps a partition's eligible replicas where replacing each ineligible one within its
//! cell repairs the partition (the fewest moves do exactly that); a scale-out's caps need every
//! partition settled (no spread rule broken, no replica on an ineligible broker), so that no
//! hard goal moves anything. Both hold only where no hard goal needs copies for another reason:
//! the limits apply when capacity and domain survival hold before the plan, and the caps only
//! where no partition needs repair at all (repair may place replicas anywhere eligible).

use kplace_placement::check::check;
use kplace_placement::model::{BrokerIdx, ClusterModel};

use crate::limits::Limits;

/// Per broker, the fewest and the most replicas the operation lets it end with.
#[derive(Debug, Clone, Default)]
pub struct Kept {
    /// Replicas it keeps whatever the plan does (empty: none known).
    pub floor: Vec<u32>,
    /// Replicas it may hold at most (empty: no cap; `None`: no cap for this broker).
    pub cap: Vec<Option<u32>>,
}

impl Kept {
    /// What `limits` keep of `before`; `hard_goals_hold` says whether capacity and domain
    /// survival hold before the plan.
    pub fn of(
        model: &ClusterModel,
        before: &[Vec<BrokerIdx>],
        limits: &Limits,
        hard_goals_hold: bool,
    ) -> Kept {
        if !hard_goals_hold {
            return Kept::default();
        }
        // A partition keeps its eligible replicas when putting each ineligible one on an
        // eligible broker of the same cell (same label values) repairs it: then the fewest
        // moves, all a drain may make, replace exactly those.
        let substituted: Vec<Vec<BrokerIdx>> = before
            .iter()
            .enumerate()
            .map(|(p, replicas)| substitute(model, p as u32, replicas))
            .collect();
        let mut keeps = vec![true; before.len()];
        for violation in check(model, &substituted) {
            keeps[violation.partition as usize] = false;
        }
        let mut settled = vec![true; before.len()];
        for violation in check(model, before) {
            settled[violation.partition as usize] = false;
        }
        let brokers = model.brokers().len();
        let held = |keep: &dyn Fn(usize) -> bool| {
            let mut count = vec![0u32; brokers];
            for (p, replicas) in before.iter().enumerate() {
                if keep(p) {
                    for &b in replicas {
                        count[b as usize] += u32::from(model.brokers()[b as usize].eligible());
                    }
                }
            }
            count
        };
        let floor = if limits.soft_copies {
            Vec::new()
        } else {
            held(&|p| keeps[p])
        };
        let cap = match &limits.destinations {
            Some(mask) if settled.iter().all(|&s| s) => {
                let all = held(&|_| true);
                (0..brokers).map(|b| (!mask[b]).then_some(all[b])).collect()
            }
            _ => Vec::new(),
        };
        Kept { floor, cap }
    }

    /// The fewest replicas the fullest of `eligible` can hold given these limits and `total`
    /// replicas to place: the largest floor, and the smallest level `m` at which brokers filled
    /// to `m` or their cap hold `total`.
    pub fn least_max(&self, eligible: &[BrokerIdx], total: u64) -> u64 {
        let floor = eligible
            .iter()
            .filter_map(|&b| self.floor.get(b as usize))
            .copied()
            .max()
            .unwrap_or(0);
        if self.cap.is_empty() {
            return u64::from(floor);
        }
        let room = |m: u64| -> u64 {
            eligible
                .iter()
                .map(|&b| match self.cap[b as usize] {
                    Some(cap) => m.min(u64::from(cap)),
                    None => m,
                })
                .sum()
        };
        // room is non-decreasing in m: binary search for the least m with room(m) >= total.
        let (mut lo, mut hi) = (0u64, total.max(1));
        if room(hi) < total {
            return u64::from(floor);
        }
        while lo < hi {
            let mid = (lo + hi) / 2;
            if room(mid) >= total {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        lo.max(u64::from(floor))
    }
}

/// `replicas` with each ineligible broker replaced by an eligible one of its cell not holding the
/// partition yet (left as it is where there is none).
fn substitute(model: &ClusterModel, partition: u32, replicas: &[BrokerIdx]) -> Vec<BrokerIdx> {
    let space = &model.cell_spaces()[model.rule_of(partition).index as usize];
    let mut list = replicas.to_vec();
    for i in 0..list.len() {
        let b = list[i] as usize;
        if model.brokers()[b].eligible() {
            continue;
        }
        let Some(cell) = space.home_cell[b] else {
            continue;
        };
        let free = space.cells[cell as usize]
            .brokers
            .iter()
            .copied()
            .find(|o| !list.contains(o));
        if let Some(o) = free {
            list[i] = o;
        }
    }
    list
}

#[cfg(test)]
mod tests {
    use super::Kept;

    #[test]
    fn caps_raise_the_level_and_floors_count() {
        // Two capped brokers holding 10 and 0, one uncapped: 12 replicas need a level of 6
        // (10 capped at 6, 0, and 6), not the mean of 4.
        let kept = Kept {
            floor: vec![0, 0, 0],
            cap: vec![Some(10), Some(0), None],
        };
        assert_eq!(kept.least_max(&[0, 1, 2], 12), 6);
        let floors = Kept {
            floor: vec![7, 1, 0],
            cap: Vec::new(),
        };
        assert_eq!(floors.least_max(&[0, 1, 2], 12), 7);
        assert_eq!(floors.least_max(&[1, 2], 12), 1);
    }
}
