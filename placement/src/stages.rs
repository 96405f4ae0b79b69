//! Staged replica changes: a partition whose replica set changes by more than `stage_size`
//! replicas is moved in stages, each adding at most `stage_size` new replicas and dropping as many
//! old ones, so the replica set Kafka holds while a stage copies never exceeds the larger of the
//! old and new replication factors plus `stage_size`.
//!
//! A stage is one reassignment; Kafka drops the old replicas of a stage only once its new ones
//! have joined the ISR, so an old replica goes only once its replacement is in sync. The next
//! stage is derived from the partition's replicas as they are now ([`next_stage`]): nothing
//! about earlier stages is remembered, so a killed apply resumes at the right stage, and a
//! reassignment in flight is recognised as a stage of a move when it only adds target replicas
//! and only removes replicas the target does not keep ([`is_step_toward`]).
//!
//! Which old replicas a stage drops: those on dead brokers first, then those out of the ISR,
//! then in-sync followers, the leader last; later replicas of the list before earlier ones (the
//! preferred leader stays longest). A stage drops no more old replicas than it adds new ones, so
//! once its new replicas have caught up the partition has at least as many in-sync replicas as
//! before: a stage never takes a partition below its `min.insync.replicas`. Only the last stage
//! (which lands exactly on the target, in the target's order) drops what is left, when the
//! replication factor shrinks.

/// The replica list to submit next for a partition at `current` that should reach `target`
/// (`current` when it is already there): the target itself when at most `stage_size` replicas are
/// still to be added, else one intermediate stage. `in_sync` is the partition's ISR, `leader`
/// its leader, `alive` tells which brokers are up. A `stage_size` of 0 counts as 1.
pub fn next_stage(
    current: &[i32],
    target: &[i32],
    in_sync: &[i32],
    leader: Option<i32>,
    alive: impl Fn(i32) -> bool,
    stage_size: usize,
) -> Vec<i32> {
    let size = stage_size.max(1);
    let adding: Vec<i32> = target
        .iter()
        .filter(|b| !current.contains(b))
        .copied()
        .collect();
    if adding.len() <= size {
        return target.to_vec();
    }
    let mut dropping: Vec<(u8, usize, i32)> = current
        .iter()
        .enumerate()
        .filter(|(_, b)| !target.contains(b))
        .map(|(position, &b)| {
            let rank = if !alive(b) {
                0
            } else if !in_sync.contains(&b) {
                1
            } else if Some(b) != leader {
                2
            } else {
                3
            };
            // Later positions first within a rank: `Reverse` by sorting on the negated index.
            (rank, usize::MAX - position, b)
        })
        .collect();
    dropping.sort_unstable();
    let dropped: Vec<i32> = dropping.iter().take(size).map(|&(_, _, b)| b).collect();
    current
        .iter()
        .filter(|b| !dropped.contains(b))
        .copied()
        .chain(adding.into_iter().take(size))
        .collect()
}

/// Whether a reassignment from `from` to `to` is a step of the move from `from` to `target`: it
/// adds only replicas the target has and removes only replicas the target does not keep (the
/// target itself, in any order, is such a step).
pub fn is_step_toward(from: &[i32], to: &[i32], target: &[i32]) -> bool {
    to.iter().all(|b| from.contains(b) || target.contains(b))
        && from.iter().all(|b| to.contains(b) || !target.contains(b))
}

/// Every stage from `current` to `target`, the last being `target`, as apply would submit them if
/// each stage completed with all its replicas in sync (an empty list when `current` is the
/// target). What a plan shows; apply derives each stage again from Kafka's state.
pub fn stages(
    current: &[i32],
    target: &[i32],
    in_sync: &[i32],
    leader: Option<i32>,
    alive: impl Fn(i32) -> bool,
    stage_size: usize,
) -> Vec<Vec<i32>> {
    let mut out = Vec::new();
    let mut now = current.to_vec();
    let mut isr = in_sync.to_vec();
    let mut lead = leader;
    while now != target {
        let next = next_stage(&now, target, &isr, lead, &alive, stage_size);
        isr = next.iter().copied().filter(|&b| alive(b)).collect();
        lead = match lead {
            Some(l) if next.contains(&l) => Some(l),
            _ => isr.first().copied(),
        };
        now = next.clone();
        out.push(next);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn up(_: i32) -> bool {
        true
    }

    #[test]
    fn a_full_re_placement_at_rf_6_goes_one_replica_at_a_time() {
        let all = stages(
            &[1, 2, 3, 4, 5, 6],
            &[7, 8, 9, 10, 11, 12],
            &[1, 2, 3, 4, 5, 6],
            Some(1),
            up,
            1,
        );
        assert_eq!(all.len(), 6);
        assert_eq!(all[0], vec![1, 2, 3, 4, 5, 7]);
        assert_eq!(all[4], vec![1, 7, 8, 9, 10, 11]);
        assert_eq!(all[5], vec![7, 8, 9, 10, 11, 12]);
    }

    #[test]
    fn small_changes_are_one_stage() {
        let target = [1, 2, 4];
        assert_eq!(
            next_stage(&[1, 2, 3], &target, &[1, 2, 3], Some(1), up, 1),
            target
        );
        assert_eq!(
            next_stage(&[1, 2, 3], &[3, 1, 2], &[1], Some(1), up, 1),
            [3, 1, 2]
        );
        assert_eq!(
            next_stage(&[1, 2, 3], &[4, 5, 6], &[1], Some(1), up, 3),
            [4, 5, 6]
        );
    }

    #[test]
    fn dead_and_lagging_replicas_go_first_the_leader_last() {
        let dead = |b: i32| b != 2;
        // 2 is dead, 3 is out of sync, 1 leads.
        let s = next_stage(&[1, 2, 3, 4], &[5, 6, 7, 8], &[1, 3, 4], Some(1), dead, 1);
        assert_eq!(s, vec![1, 3, 4, 5]);
        let s = next_stage(&[1, 3, 4], &[5, 6, 7], &[1, 4], Some(1), up, 1);
        assert_eq!(s, vec![1, 4, 5]);
        let s = next_stage(&[1, 4], &[5, 6], &[1, 4], Some(1), up, 1);
        assert_eq!(s, vec![1, 5]);
        let s = next_stage(&[1, 5], &[5, 6], &[1, 5], Some(1), up, 1);
        assert_eq!(s, vec![5, 6], "the last stage is the target");
        let s = next_stage(&[1, 4, 9], &[5, 6, 9], &[1, 4, 9], Some(1), up, 1);
        assert_eq!(s, vec![1, 9, 5], "the leader is dropped last");
    }

    #[test]
    fn steps_toward_the_target() {
        assert!(is_step_toward(&[1, 2, 3], &[1, 2, 4], &[4, 5, 6]));
        assert!(is_step_toward(&[1, 2, 3], &[6, 5, 4], &[4, 5, 6]));
        assert!(
            !is_step_toward(&[1, 2, 3], &[1, 2, 7], &[4, 5, 6]),
            "adds a stranger"
        );
        assert!(
            !is_step_toward(&[4, 2, 3], &[2, 3, 5], &[4, 5, 6]),
            "drops a kept replica"
        );
    }

    fn distinct(max: usize) -> impl Strategy<Value = Vec<i32>> {
        proptest::sample::subsequence((0..16).collect::<Vec<i32>>(), 1..=max).prop_shuffle()
    }

    proptest! {
        /// Whatever the change: every stage holds at most max(RF before, RF after) + stage size
        /// replicas together with the replicas it starts from, keeps at least as many in-sync
        /// replicas as it starts with (up to min(…) with the target's size), adds only target
        /// replicas, drops only replicas the target does not keep, and the stages end on the
        /// target after at most one stage per stage-size of added replicas. Re-deriving the
        /// next stage from any stage reached (a killed apply resuming) gives the same sequence.
        #[test]
        fn stages_are_bounded_progress_and_resume_alike(
            current in distinct(8),
            target in distinct(8),
            size in 1usize..4,
            dead in proptest::collection::btree_set(0i32..16, 0..3),
        ) {
            let alive = |b: i32| !dead.contains(&b);
            let target: Vec<i32> = target.into_iter().filter(|b| alive(*b)).collect();
            prop_assume!(!target.is_empty());
            let isr: Vec<i32> = current.iter().copied().filter(|&b| alive(b)).collect();
            let leader = isr.first().copied();
            let all = stages(&current, &target, &isr, leader, alive, size);
            let adding = target.iter().filter(|b| !current.contains(b)).count();
            prop_assert!(all.len() <= adding.div_ceil(size).max(1));
            prop_assert_eq!(all.is_empty(), current == target);
            if let Some(last) = all.last() {
                prop_assert_eq!(last, &target);
            }
            let bound = current.len().max(target.len()) + size;
            let mut from = current.clone();
            let mut from_isr = isr.clone();
            for (i, stage) in all.iter().enumerate() {
                let union = from.iter().chain(stage.iter().filter(|b| !from.contains(b))).count();
                prop_assert!(union <= bound, "stage {} holds {} > {}", i, union, bound);
                prop_assert!(is_step_toward(&from, stage, &target));
                let mut unique = stage.clone();
                unique.sort_unstable();
                unique.dedup();
                prop_assert_eq!(unique.len(), stage.len());
                let in_sync_after = stage.iter().filter(|b| alive(**b)).count();
                if i + 1 < all.len() {
                    prop_assert!(in_sync_after >= from_isr.len());
                }
                let resumed = stages(&from, &target, &from_isr, from_isr.first().copied(), alive, size);
                prop_assert_eq!(&resumed[..], &all[i..]);
                from = stage.clone();
                from_isr = stage.iter().copied().filter(|&b| alive(b)).collect();
            }
        }
    }
}
