//! How urgent a partition's move is, most urgent first: what restores durability goes first.
//! Shared by the self-healing job (which moves a capped round takes) and apply (in which order
//! moves are submitted), so both judge a partition alike.

/// How urgent a partition's move is, most urgent first (the derived order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Urgency {
    /// No leader, or no live replica in the ISR.
    Offline,
    /// A replica on a dead broker and fewer live in-sync replicas than `min.insync.replicas`
    /// (producers with `acks=all` fail on it now).
    DeadReplicaUnderMinIsr,
    /// A replica on a dead broker and exactly `min.insync.replicas` live in-sync replicas (one
    /// more loss and producers fail).
    DeadReplicaAtMinIsr,
    /// A replica on a dead broker (the partition has one copy fewer than it should), with
    /// in-sync replicas to spare.
    DeadReplica,
    /// Fewer live in-sync replicas than `min.insync.replicas`.
    UnderMinIsr,
    /// Exactly `min.insync.replicas` live in-sync replicas.
    AtMinIsr,
    /// Everything else.
    Other,
}

/// The urgency of a partition with these `replicas` and in-sync replicas `isr` (any broker id
/// type), whether it `has_leader`, which brokers are `alive`, and its `min.insync.replicas`.
pub fn urgency<B: Copy>(
    has_leader: bool,
    replicas: &[B],
    isr: &[B],
    alive: impl Fn(B) -> bool,
    min_insync_replicas: u32,
) -> Urgency {
    let live_isr = isr.iter().filter(|&&b| alive(b)).count();
    let min = min_insync_replicas as usize;
    if !has_leader || live_isr == 0 {
        Urgency::Offline
    } else if replicas.iter().any(|&b| !alive(b)) {
        match live_isr.cmp(&min) {
            std::cmp::Ordering::Less => Urgency::DeadReplicaUnderMinIsr,
            std::cmp::Ordering::Equal => Urgency::DeadReplicaAtMinIsr,
            std::cmp::Ordering::Greater => Urgency::DeadReplica,
        }
    } else if live_isr < min {
        Urgency::UnderMinIsr
    } else if live_isr == min {
        Urgency::AtMinIsr
    } else {
        Urgency::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_in_order() {
        let up = |b: i32| b != 9;
        assert_eq!(
            urgency(false, &[1, 2, 3], &[1, 2, 3], up, 2),
            Urgency::Offline
        );
        assert_eq!(urgency(true, &[1, 9], &[9], up, 1), Urgency::Offline);
        assert_eq!(
            urgency(true, &[1, 2, 3, 9], &[1, 2, 3, 9], up, 2),
            Urgency::DeadReplica
        );
        // Among partitions with a dead replica, the fewer in-sync replicas to spare, the sooner.
        assert_eq!(
            urgency(true, &[1, 2, 9], &[1, 2, 9], up, 2),
            Urgency::DeadReplicaAtMinIsr
        );
        assert_eq!(
            urgency(true, &[1, 2, 9], &[1, 9], up, 2),
            Urgency::DeadReplicaUnderMinIsr
        );
        assert_eq!(urgency(true, &[1, 2, 3], &[1], up, 2), Urgency::UnderMinIsr);
        assert_eq!(urgency(true, &[1, 2, 3], &[1, 2], up, 2), Urgency::AtMinIsr);
        assert_eq!(urgency(true, &[1, 2, 3], &[1, 2, 3], up, 2), Urgency::Other);
    }
}
