//! What apply submits next: given the observed state of each pending move's partition and the
//! moves in flight, the next submissions in order, each with the replicas of its next stage.
//! Pure logic, no I/O: stages from placement's [`stages`](kplace_placement::stages), urgency from
//! placement's [`urgency`](kplace_placement::urgency), the order from [`order`](crate::order),
//! the limits from [`batching`](crate::batching).

use kplace_placement::stages::next_stage;
use kplace_placement::urgency::urgency;

use crate::batching::{next_batch, Limits, MoveShape};
use crate::order::{arrange, Candidate, Order};

/// How moves are scheduled: the order and the stage size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Schedule {
    /// The order pending moves are offered in.
    pub order: Order,
    /// Most new replicas one stage adds (at least 1).
    pub stage_size: usize,
}

impl Default for Schedule {
    /// The urgency order, one replica per stage.
    fn default() -> Self {
        Schedule {
            order: Order::Urgency,
            stage_size: 1,
        }
    }
}

/// One pending move as Kafka shows its partition now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingMove<'a> {
    /// The partition's replicas now.
    pub current: &'a [i32],
    /// The replicas the move ends on.
    pub target: &'a [i32],
    /// The partition's in-sync replicas.
    pub isr: &'a [i32],
    /// Its leader, if any.
    pub leader: Option<i32>,
    /// The topic's `min.insync.replicas`.
    pub min_insync_replicas: u32,
    /// Bytes of one replica.
    pub size: u64,
}

impl PendingMove<'_> {
    /// The replicas of this move's next stage.
    pub fn stage(&self, alive: &dyn Fn(i32) -> bool, stage_size: usize) -> Vec<i32> {
        next_stage(
            self.current,
            self.target,
            self.isr,
            self.leader,
            alive,
            stage_size,
        )
    }

    fn shape(&self, stage: &[i32]) -> MoveShape {
        MoveShape::of(self.current, stage, self.isr, self.min_insync_replicas)
    }
}

/// One submission: the index of the pending move and the replicas to submit for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    /// Index into the pending moves.
    pub index: usize,
    /// The replicas of the move's next stage (its target when this is the last stage).
    pub replicas: Vec<i32>,
}

/// The submissions to make now, in order: each pending move's next stage, ordered by
/// `schedule.order`, taken while they fit `limits` beside the moves `in_flight`.
pub fn next_submissions(
    in_flight: &[MoveShape],
    pending: &[PendingMove<'_>],
    alive: &dyn Fn(i32) -> bool,
    limits: Limits,
    schedule: Schedule,
) -> Vec<Submission> {
    let stages: Vec<Vec<i32>> = pending
        .iter()
        .map(|p| p.stage(alive, schedule.stage_size))
        .collect();
    let shapes: Vec<MoveShape> = pending
        .iter()
        .zip(&stages)
        .map(|(p, s)| p.shape(s))
        .collect();
    let candidates: Vec<Candidate> = pending
        .iter()
        .zip(&shapes)
        .map(|(p, shape)| Candidate {
            urgency: urgency(
                p.leader.is_some(),
                p.current,
                p.isr,
                alive,
                p.min_insync_replicas,
            ),
            size: p.size,
            brokers: shape.brokers.clone(),
        })
        .collect();
    let order = arrange(schedule.order, &candidates);
    let ordered: Vec<MoveShape> = order.iter().map(|&i| shapes[i].clone()).collect();
    next_batch(in_flight, &ordered, limits)
        .into_iter()
        .map(|k| Submission {
            index: order[k],
            replicas: stages[order[k]].clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn up(_: i32) -> bool {
        true
    }

    const LIMITS: Limits = Limits {
        per_broker: 5,
        cluster: 100,
    };

    #[test]
    fn a_dead_brokers_partition_goes_before_a_balance_move() {
        let alive = |b: i32| b != 6;
        let pending = [
            PendingMove {
                current: &[1, 2, 3],
                target: &[1, 2, 4],
                isr: &[1, 2, 3],
                leader: Some(1),
                min_insync_replicas: 2,
                size: 10,
            },
            PendingMove {
                current: &[1, 2, 6],
                target: &[1, 2, 5],
                isr: &[1, 2],
                leader: Some(1),
                min_insync_replicas: 2,
                size: 1000,
            },
        ];
        let limits = Limits {
            per_broker: 1,
            cluster: 100,
        };
        let next = next_submissions(&[], &pending, &alive, limits, Schedule::default());
        assert_eq!(next[0].index, 1, "{next:?}");
        let plan = Schedule {
            order: Order::Plan,
            stage_size: 1,
        };
        assert_eq!(
            next_submissions(&[], &pending, &alive, limits, plan)[0].index,
            0
        );
    }

    #[test]
    fn a_full_re_placement_submits_its_first_stage() {
        let pending = [PendingMove {
            current: &[1, 2, 3],
            target: &[4, 5, 6],
            isr: &[1, 2, 3],
            leader: Some(1),
            min_insync_replicas: 2,
            size: 10,
        }];
        let next = next_submissions(&[], &pending, &up, LIMITS, Schedule::default());
        assert_eq!(
            next,
            vec![Submission {
                index: 0,
                replicas: vec![1, 2, 4]
            }]
        );
        let wide = Schedule {
            stage_size: 3,
            ..Schedule::default()
        };
        let next = next_submissions(&[], &pending, &up, LIMITS, wide);
        assert_eq!(next[0].replicas, vec![4, 5, 6]);
    }

    fn distinct() -> impl Strategy<Value = Vec<i32>> {
        proptest::sample::subsequence((0..10).collect::<Vec<i32>>(), 3).prop_shuffle()
    }

    proptest! {
        /// Playing the rounds out (every submission completing before the next round, all its
        /// replicas in sync) ends with every partition on its target, never submits a stage a
        /// partition is already on, and no partition ever holds more than RF + stage size
        /// replicas while a stage copies.
        #[test]
        fn rounds_reach_every_target_within_the_bound(
            moves in proptest::collection::vec((distinct(), distinct(), 0u64..100), 1..12),
            stage_size in 1usize..3,
            order in prop_oneof![Just(Order::Urgency), Just(Order::SmallestFirst), Just(Order::Plan)],
        ) {
            let schedule = Schedule { order, stage_size };
            let mut now: Vec<Vec<i32>> = moves.iter().map(|m| m.0.clone()).collect();
            for _round in 0..(moves.len() * 4 + 4) {
                let open: Vec<usize> = (0..moves.len()).filter(|&i| now[i] != moves[i].1).collect();
                if open.is_empty() {
                    break;
                }
                let pending: Vec<PendingMove> = open
                    .iter()
                    .map(|&i| PendingMove {
                        current: &now[i],
                        target: &moves[i].1,
                        isr: &now[i],
                        leader: now[i].first().copied(),
                        min_insync_replicas: 2,
                        size: moves[i].2,
                    })
                    .collect();
                let next = next_submissions(&[], &pending, &up, LIMITS, schedule);
                prop_assert!(!next.is_empty());
                let done: Vec<(usize, Vec<i32>)> =
                    next.into_iter().map(|s| (open[s.index], s.replicas)).collect();
                for (i, stage) in done {
                    prop_assert_ne!(&stage, &now[i]);
                    let union = now[i].iter().chain(stage.iter().filter(|b| !now[i].contains(b))).count();
                    prop_assert!(union <= 3 + stage_size);
                    now[i] = stage;
                }
            }
            for (i, m) in moves.iter().enumerate() {
                prop_assert_eq!(&now[i], &m.1);
            }
        }
    }
}
