//! The apply engine's bookkeeping at scale, against the in-memory cluster behind `ClusterAdmin`
//! (no network, no Kafka: what is timed is kplace's own work per round plus the fake's answers).
//! Used for benches/README.md.
//!
//! `apply-scale MOVES [MAX_MOVES]`: MOVES partitions (100 per topic, RF 3 over 60 brokers), each
//! moving one replica to another broker, applied with `--max-moves MAX_MOVES` (default 1000),
//! `--max-moves-per-broker` 200 and a throttle, every move finishing one look after it starts.

use std::time::{Duration, Instant};

use kplace_kafka::apply::{apply, ApplyEvent, ApplyOptions};
use kplace_kafka::batching::Limits;
use kplace_kafka::fake::FakeCluster;
use kplace_kafka::reassignment_json::Move;

const BROKERS: i32 = 60;
const PER_TOPIC: usize = 100;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let parse = |i: usize, default: usize| {
        args.get(i)
            .map(|a| a.parse().expect("a number"))
            .unwrap_or(default)
    };
    let moves_wanted = parse(1, 100_000);
    let max_moves = parse(2, 1000);
    let mut fake = FakeCluster::new(BROKERS, 1 << 20);
    let mut moves = Vec::with_capacity(moves_wanted);
    let topics = moves_wanted.div_ceil(PER_TOPIC);
    for t in 0..topics {
        let name = format!("topic-{t:05}");
        let count = PER_TOPIC.min(moves_wanted - t * PER_TOPIC);
        let replicas: Vec<Vec<i32>> = (0..count)
            .map(|p| {
                let first = ((t * 7 + p) % BROKERS as usize) as i32;
                (0..3).map(|r| (first + r * 20) % BROKERS + 1).collect()
            })
            .collect();
        fake.add_topic(&name, &replicas, 1 << 20);
        for (p, current) in replicas.iter().enumerate() {
            let mut target = current.clone();
            target[2] = (current[2] % BROKERS) + 1;
            if current.contains(&target[2]) {
                target[2] = (target[2] % BROKERS) + 1;
            }
            moves.push(Move {
                topic: name.clone(),
                partition: p as i32,
                target,
            });
        }
    }
    let mut options = ApplyOptions::new(Limits {
        per_broker: 200,
        cluster: max_moves,
    });
    options.throttle = Some(100 << 20);
    options.poll_interval = Duration::ZERO;
    options.settle = Duration::ZERO;
    let mut rounds = 0usize;
    let mut slowest = Duration::ZERO;
    let mut last = Instant::now();
    let started = Instant::now();
    let report = apply(&mut fake, &moves, &options, &mut |event| {
        if let ApplyEvent::Progress { .. } = event {
            rounds += 1;
            let now = Instant::now();
            slowest = slowest.max(now - last);
            last = now;
        }
    })
    .expect("apply against the fake cluster");
    let total = started.elapsed();
    let mut submitted = fake.submitted.clone();
    submitted.sort();
    submitted.dedup();
    assert_eq!(
        submitted.len(),
        fake.submitted.len(),
        "a move submitted twice"
    );
    assert_eq!(report.done, moves.len());
    println!(
        "moves {} max_moves {max_moves}: {rounds} rounds in {:.2} s ({:.1} ms per round, slowest {:.1} ms, {:.2} µs per move and round); longest throttled-replicas list {} entries; {} admin calls",
        moves.len(),
        total.as_secs_f64(),
        total.as_secs_f64() * 1000.0 / rounds.max(1) as f64,
        slowest.as_secs_f64() * 1000.0,
        total.as_secs_f64() * 1e6 / (rounds.max(1) * moves.len()) as f64,
        fake.longest_throttle_list,
        fake.calls
    );
}
