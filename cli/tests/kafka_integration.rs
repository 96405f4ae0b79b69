//! Integration tests of the Kafka edge against real Apache Kafka clusters of several versions and
//! modes, started by `scripts/kafka-cluster`: 12 brokers in 6 cells (az1..az3 × k8s-a/k8s-b) with
//! a KRaft controller or ZooKeeper.
//!
//! The clusters are the lines of `scripts/kafka/ci-clusters` (3.9 ZooKeeper, 3.9 KRaft, 4.4
//! KRaft), or `KPLACE_IT_CLUSTERS="VERSION MODE;..."` to run against others (e.g.
//! `KPLACE_IT_CLUSTERS="3.7.2 kraft"`). They run one after another, never two at once: each
//! serves its scenarios in order and is stopped, every process by pid, when its fixture drops,
//! also on panic (a `harness = false` test). Each scenario says whether its behaviour depends on
//! the Kafka version and mode ([`Versions::Every`]: run on every cluster) or not
//! ([`Versions::Newest`]: run once, on the last cluster of the list). `KPLACE_IT_ONLY=text` runs
//! only the scenarios whose name contains it. Without Java or Maven the tests are skipped with a
//! loud message, except in CI (`CI=true`), where they must run.
//!
//! Time, measured on the 2-core machine shared with other work (see benches/README.md for the
//! figures of the last full run): a 12-broker cluster starts in 25-60 s, and the scenarios take
//! 5-70 s each.

mod kafka_scenarios;
mod kafka_support;

use std::time::Instant;

use kafka_support::{cluster_specs, Cluster, ClusterSpec};

/// On which clusters a scenario runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Versions {
    /// Its behaviour depends on the Kafka version or mode (requests, routing, liveness,
    /// listeners, Kafka's own tools): every cluster.
    Every,
    /// It exercises kplace's own logic over behaviour every supported Kafka shares: once, on the
    /// newest cluster.
    Newest,
}

/// One scenario: its name, where it runs, and the code.
struct Scenario {
    name: &'static str,
    versions: Versions,
    run: fn(&Cluster),
}

const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "bad input is refused with exit 2 and nothing submitted",
        versions: Versions::Every,
        run: kafka_scenarios::bad_input::run,
    },
    Scenario {
        name: "a metadata call for a missing topic does not create it",
        versions: Versions::Every,
        run: kafka_scenarios::no_auto_create::run,
    },
    Scenario {
        name: "controller requests reach the controller from any bootstrap broker",
        versions: Versions::Every,
        run: kafka_scenarios::controller::run,
    },
    Scenario {
        // One snapshot: the DescribeLogDirs version each Kafka negotiates decides whether the
        // brokers report their disk (v4, KIP-827).
        name: "snapshot: disk capacity reported by the brokers",
        versions: Versions::Every,
        run: kafka_scenarios::capacity::reported_disk,
    },
    Scenario {
        name: "capacity: goals without data say skipped; Cruise Control and kplace files agree",
        versions: Versions::Newest,
        run: kafka_scenarios::capacity::skipped_and_files,
    },
    Scenario {
        name: "heal --once --execute spreads a zone-only topic over both clusters, losing nothing",
        versions: Versions::Newest,
        run: kafka_scenarios::heal::run,
    },
    Scenario {
        name: "TLS with a PEM truststore; clear errors without",
        versions: Versions::Every,
        run: kafka_scenarios::tls::run,
    },
    Scenario {
        name: "apply --plan applies PLAN.json once; --dry-run submits nothing",
        versions: Versions::Every,
        run: kafka_scenarios::plan_apply::run,
    },
    Scenario {
        name: "kafka-reassign-partitions accepts the reassignment JSON plan writes",
        versions: Versions::Every,
        run: kafka_scenarios::reassign_tool::run,
    },
    Scenario {
        name: "an interrupted apply continues without resubmitting",
        versions: Versions::Every,
        run: kafka_scenarios::resume::run,
    },
    Scenario {
        name: "cancel leaves no reassignment and no throttle",
        versions: Versions::Every,
        run: kafka_scenarios::cancel::run,
    },
    Scenario {
        name: "a broker killed mid-apply is reported; re-running finishes",
        versions: Versions::Every,
        run: kafka_scenarios::broker_down::run,
    },
    Scenario {
        name: "a broker stopped mid-apply halves the pace, which recovers once it is back",
        versions: Versions::Newest,
        run: kafka_scenarios::pace::run,
    },
    Scenario {
        name: "apply --progress json: monotone events with bytes and an ETA",
        versions: Versions::Newest,
        run: kafka_scenarios::progress_json::run,
    },
    Scenario {
        name: "a zone outage makes heal wait unless the policy says reprotect",
        versions: Versions::Newest,
        run: kafka_scenarios::outage::run,
    },
    Scenario {
        name:
            "heal --once as a CronJob: grace kept in the state file, one-broker racks, urgent first",
        versions: Versions::Newest,
        run: kafka_scenarios::heal_cronjob::run,
    },
    Scenario {
        // The ledger of kplace's throttles lives in the default broker config: every mode.
        name: "throttles: another operator's survive an apply and a cancel",
        versions: Versions::Every,
        run: kafka_scenarios::others_throttles::run,
    },
    Scenario {
        name: "throttles: an apply stopped by SIGTERM or killed leaves none",
        versions: Versions::Newest,
        run: kafka_scenarios::sigterm::run,
    },
    Scenario {
        name: "bounded waits: a stuck move is named, exit 4",
        versions: Versions::Newest,
        run: kafka_scenarios::stuck::run,
    },
    Scenario {
        name: "snapshot --sample: rates within 15%; heal and plan --sample act on skewed load",
        versions: Versions::Newest,
        run: kafka_scenarios::rates::run,
    },
    Scenario {
        name: "staged: RF 6 re-placed under acks=all load, never above RF + 1 or under min ISR",
        versions: Versions::Newest,
        run: kafka_scenarios::staged::run,
    },
    Scenario {
        name: "urgent first: a dead broker's partitions heal before balance moves complete",
        versions: Versions::Newest,
        run: kafka_scenarios::urgent_first::run,
    },
];

/// The scenario proving refusal, run against the cluster marked "unsupported".
const UNSUPPORTED: &str = "a cluster of an unsupported version is refused naming the version";

/// Whether `KPLACE_IT_ONLY` lets the scenario `name` run: its name contains the text, or one of
/// several texts separated by `|`.
fn selected(name: &str) -> bool {
    std::env::var("KPLACE_IT_ONLY")
        .map_or(true, |only| only.split('|').any(|text| name.contains(text)))
}

fn timed(spec: &ClusterSpec, name: &str, run: impl FnOnce()) {
    let started = Instant::now();
    eprintln!("--- [{spec}] {name}");
    run();
    eprintln!(
        "--- [{spec}] {name}: ok in {:.1}s",
        started.elapsed().as_secs_f64()
    );
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
    let specs = cluster_specs();
    let matrix: Vec<&ClusterSpec> = specs.iter().filter(|s| !s.unsupported).collect();
    assert!(
        !matrix.is_empty(),
        "no cluster to run against (scripts/kafka/ci-clusters or KPLACE_IT_CLUSTERS)"
    );
    let mut ran = 0;
    for (i, spec) in matrix.iter().enumerate() {
        let newest = i + 1 == matrix.len();
        let scenarios: Vec<&Scenario> = SCENARIOS
            .iter()
            .filter(|s| s.versions == Versions::Every || newest)
            .filter(|s| selected(s.name))
            .collect();
        if scenarios.is_empty() {
            continue;
        }
        // One cluster at a time: this one is stopped (dropped) before the next starts.
        let cluster = Cluster::up(spec, 12);
        for scenario in scenarios {
            timed(spec, scenario.name, || (scenario.run)(&cluster));
            ran += 1;
        }
        drop(cluster);
    }
    for spec in specs.iter().filter(|s| s.unsupported) {
        if selected(UNSUPPORTED) {
            let cluster = Cluster::up(spec, 1);
            timed(spec, UNSUPPORTED, || {
                kafka_scenarios::unsupported::run(&cluster)
            });
            ran += 1;
        }
    }
    assert!(ran > 0, "KPLACE_IT_ONLY matched no scenario");
    eprintln!(
        "kafka integration tests: {ran} scenario runs passed in {:.1}s",
        started.elapsed().as_secs_f64()
    );
}
