//! A dead broker's partitions and ordinary balance moves in one reassignment JSON, the balance
//! moves listed first and smaller: apply restores the dead broker's partitions first (the last
//! under-replicated one is healed before the first balance move completes).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::kafka_support::{submitted, Cluster};

const DEAD: i32 = 11;

/// Runs the scenario.
pub fn run(cluster: &Cluster) {
    cluster.create_topic(
        "urgent-dead",
        &vec![vec![1, 5, DEAD]; 3],
        &["min.insync.replicas=2"],
    );
    cluster.create_topic("urgent-balance", &vec![vec![2, 6]; 3], &[]);
    cluster.fill("urgent-dead", 3000, 1000);
    cluster.fill("urgent-balance", 600, 1000);
    assert!(
        cluster
            .script(&["stop-broker", &DEAD.to_string()])
            .status
            .success(),
        "stop-broker {DEAD}"
    );
    let mut client = kplace_kafka::client::KafkaClient::connect(
        &cluster.bootstrap,
        kplace_kafka::properties::ClientConfig::default(),
    )
    .expect("connect");
    cluster.wait_until(
        "the dead broker out of every ISR",
        Duration::from_secs(60),
        || {
            kplace_kafka::admin::partitions(&mut client, Some(vec!["urgent-dead".into()]))
                .is_ok_and(|ps| ps.iter().all(|p| !p.isr.contains(&DEAD)))
        },
    );
    let entry = |topic: &str, p: i32, r: &str| {
        format!(r#"{{"topic":"{topic}","partition":{p},"replicas":{r}}}"#)
    };
    let mut entries: Vec<String> = (0..3)
        .map(|p| entry("urgent-balance", p, "[2,8]"))
        .collect();
    entries.extend((0..3).map(|p| entry("urgent-dead", p, "[1,5,9]")));
    let json = cluster.write(
        "urgent.json",
        &format!(r#"{{"version":1,"partitions":[{}]}}"#, entries.join(",")),
    );

    let stop = Arc::new(AtomicBool::new(false));
    let sampler = {
        let stop = Arc::clone(&stop);
        let bootstrap = cluster.bootstrap.clone();
        std::thread::spawn(move || {
            let mut client = kplace_kafka::client::KafkaClient::connect(
                &bootstrap,
                kplace_kafka::properties::ClientConfig::default(),
            )
            .expect("connect the sampler");
            let started = Instant::now();
            let (mut last_under_replicated, mut first_balance_done) = (None, None);
            while !stop.load(Ordering::Relaxed) {
                let now = started.elapsed();
                let topics = vec!["urgent-dead".to_string(), "urgent-balance".to_string()];
                let parts =
                    kplace_kafka::admin::partitions(&mut client, Some(topics)).expect("sample");
                for p in parts {
                    if p.topic == "urgent-dead" && (p.replicas.contains(&DEAD) || p.isr.len() < 3) {
                        last_under_replicated = Some(now);
                    }
                    if p.topic == "urgent-balance" && p.replicas == [2, 8] {
                        first_balance_done.get_or_insert(now);
                    }
                }
                std::thread::sleep(Duration::from_millis(250));
            }
            (last_under_replicated, first_balance_done)
        })
    };
    let run = cluster.kplace(&[
        "apply",
        "--bootstrap-server",
        &cluster.bootstrap,
        "--reassignment-json",
        &json,
        "--max-moves",
        "3",
        "--poll-interval",
        "1s",
    ]);
    stop.store(true, Ordering::Relaxed);
    let (healed_before, balance_done) = sampler.join().expect("sampler");
    let restarted = cluster.script(&["start-broker", &DEAD.to_string()]);
    assert!(restarted.status.success(), "start-broker {DEAD}");
    assert_eq!(run.code, 0, "{run:?}");
    let order = submitted(&run.stderr);
    assert!(
        order.iter().take(3).all(|(t, _)| t == "urgent-dead"),
        "the dead broker's partitions are submitted first: {order:?}"
    );
    let (Some(healed), Some(balanced)) = (healed_before, balance_done) else {
        panic!("sampled neither an under-replicated partition nor a finished balance move: {healed_before:?} {balance_done:?}");
    };
    eprintln!("last under-replicated partition seen at {healed:?}, first balance move done at {balanced:?}");
    assert!(
        healed < balanced,
        "the last under-replicated partition heals ({healed:?}) before the first balance move completes ({balanced:?})"
    );
}
