//! Integration tests of the Kafka edge against a real Apache Kafka: 1 KRaft controller and 12
//! brokers in 6 cells (az1..az3 × k8s-a/k8s-b), started by `scripts/kafka-cluster`.
//!
//! One cluster serves every scenario (starting it is the slow part), so this is a
//! `harness = false` test: scenarios run in order and the cluster is stopped, every process by
//! pid, when the fixture drops, also on panic. Without Java or Maven the tests are skipped with a
//! loud message, except in CI (`CI=true`), where they must run.

mod kafka_scenarios;
mod kafka_support;

use std::time::Instant;

use kafka_support::Cluster;

/// Runs one scenario; `KPLACE_IT_ONLY=text` runs only scenarios whose name contains it.
fn scenario(name: &str, run: impl FnOnce()) {
    if let Ok(only) = std::env::var("KPLACE_IT_ONLY") {
        if !name.contains(&only) {
            return;
        }
    }
    let started = Instant::now();
    eprintln!("--- {name}");
    run();
    eprintln!("--- {name}: ok in {:.1}s", started.elapsed().as_secs_f64());
}

fn main() {
    if !kafka_support::kafka_tools_available() {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!(
                "CI=true but java or mvn is missing: the Kafka integration tests must run in CI"
            );
        }
        eprintln!("\n{0}\n!!! SKIPPING the Kafka integration tests: java and mvn are needed to fetch and run Apache Kafka.\n!!! Install a JDK 17+ and Maven, then run scripts/test again.\n{0}\n", "!".repeat(100));
        return;
    }
    let started = Instant::now();
    let cluster = Cluster::up();
    scenario(
        "bad input is refused with exit 2 and nothing submitted",
        || kafka_scenarios::bad_input::run(&cluster),
    );
    scenario(
        "heal --once --execute spreads a zone-only topic over both clusters, losing nothing",
        || kafka_scenarios::heal::run(&cluster),
    );
    scenario("TLS with a PEM truststore; clear errors without", || {
        kafka_scenarios::tls::run(&cluster)
    });
    scenario(
        "apply --plan applies PLAN.json once; --dry-run submits nothing",
        || kafka_scenarios::plan_apply::run(&cluster),
    );
    scenario(
        "kafka-reassign-partitions accepts the reassignment JSON plan writes",
        || kafka_scenarios::reassign_tool::run(&cluster),
    );
    scenario(
        "an interrupted apply continues without resubmitting",
        || kafka_scenarios::resume::run(&cluster),
    );
    scenario("cancel leaves no reassignment and no throttle", || {
        kafka_scenarios::cancel::run(&cluster)
    });
    scenario(
        "a broker killed mid-apply is reported; re-running finishes",
        || kafka_scenarios::broker_down::run(&cluster),
    );
    scenario(
        "a zone outage makes heal wait unless the policy says reprotect",
        || kafka_scenarios::outage::run(&cluster),
    );
    drop(cluster);
    eprintln!(
        "kafka integration tests passed in {:.1}s",
        started.elapsed().as_secs_f64()
    );
}
