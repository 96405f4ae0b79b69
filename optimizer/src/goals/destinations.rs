//! Choosing where a moved replica goes: what "the same failure domain" means (a move between
//! brokers with the same labels never changes a partition's spread), and giving up, for the rest
//! of a goal's turn, on destinations that keep rejecting moves.
//!
//! The give-up rule bounds the work of soft goals that cannot be met under the operation's limits
//! (e.g. topic balance during a scale-out, where only the few new brokers may receive and they fill
//! up): without it, such a goal proposes millions of moves that an earlier goal turns down.

use kplace_placement::model::{BrokerIdx, ClusterModel};

/// Consecutive rejected moves after which a destination is skipped for the rest of the turn.
pub const REJECTIONS_BEFORE_GIVING_UP: u32 = 256;

/// Whether two brokers carry the same labels (the same cell of every rule).
pub fn same_domain(model: &ClusterModel, a: BrokerIdx, b: BrokerIdx) -> bool {
    model.brokers()[a as usize].labels == model.brokers()[b as usize].labels
}

/// Per destination broker, how many moves onto it were rejected in a row during one turn.
#[derive(Debug, Clone)]
pub struct Rejections {
    in_a_row: Vec<u32>,
}

impl Rejections {
    /// No rejections yet, for a cluster of `brokers` brokers.
    pub fn new(brokers: usize) -> Rejections {
        Rejections {
            in_a_row: vec![0; brokers],
        }
    }

    /// Whether moves onto `b` are still worth proposing.
    pub fn worth_trying(&self, b: BrokerIdx) -> bool {
        self.in_a_row[b as usize] < REJECTIONS_BEFORE_GIVING_UP
    }

    /// Records the outcome of a move onto `b`.
    pub fn record(&mut self, b: BrokerIdx, applied: bool) {
        let count = &mut self.in_a_row[b as usize];
        *count = if applied { 0 } else { count.saturating_add(1) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_destination_is_given_up_after_enough_rejections_in_a_row() {
        let mut rejections = Rejections::new(2);
        for _ in 0..REJECTIONS_BEFORE_GIVING_UP - 1 {
            rejections.record(0, false);
        }
        assert!(rejections.worth_trying(0));
        rejections.record(0, true);
        for _ in 0..REJECTIONS_BEFORE_GIVING_UP - 1 {
            rejections.record(0, false);
        }
        assert!(
            rejections.worth_trying(0),
            "an applied move resets the count"
        );
        rejections.record(0, false);
        assert!(!rejections.worth_trying(0));
        assert!(rejections.worth_trying(1), "counts are per destination");
    }
}
