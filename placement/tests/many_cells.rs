//! Policies with hundreds of cells (`rack: even` over 600 one-broker racks, with zones): repair
//! and fresh assignment stay valid, and the per-slot search is asked lazily, so these complete in
//! well under a second (a regression here shows as a test that runs for minutes).

mod common;

use common::{broker, model, partition, policy, valid};
use kplace_placement::assign::{assign, AssignRequest};
use kplace_placement::policy::Spread;
use kplace_placement::repair::repair;

#[test]
fn six_hundred_racks_repair_and_assign() {
    let brokers: Vec<_> = (0..600)
        .map(|b| {
            let zone = ["az1", "az2", "az3"][b % 3];
            broker(
                b as i32,
                Some(&format!("rack-{b}")),
                &[("zone", zone)],
                b != 0,
            )
        })
        .collect();
    // 2,000 partitions at RF 3, one replica per zone on distinct racks; every 10th uses broker 0.
    let partitions: Vec<_> = (0..2000)
        .map(|p| {
            let base = if p % 10 == 0 { 0 } else { 3 * (p % 200) };
            partition("t", p, &[base, base + 1, base + 2])
        })
        .collect();
    let policy = policy(Some(3), &[("zone", Spread::Even), ("rack", Spread::Even)]);
    let model = model(brokers, partitions, &policy);
    let outcome = repair(&model, model.current());
    assert!(outcome.infeasible.is_empty());
    assert_eq!(
        outcome.changes.len(),
        200,
        "exactly the partitions on the dead broker"
    );
    for (p, replicas) in &outcome.changes {
        assert!(valid(&model, *p, replicas), "{replicas:?}");
        let kept = replicas
            .iter()
            .filter(|b| model.current()[*p as usize].contains(b))
            .count();
        assert_eq!(kept, 2, "one move each");
    }
    let request = AssignRequest::new("new", 300).with_replication_factor(Some(3));
    let placed = assign(&model, &request).expect("assignable");
    let mut per_broker = vec![0u32; 600];
    for replicas in &placed.replicas {
        for &b in replicas {
            per_broker[b as usize] += 1;
        }
    }
    assert_eq!(per_broker[0], 0, "the dead broker gets nothing");
}
