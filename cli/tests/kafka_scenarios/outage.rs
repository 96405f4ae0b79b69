//! A whole cell down (both brokers of rack az3/k8s-b, a label the policy spreads over: outages
//! are judged only over those): `heal` reports the outage and waits under
//! the default `on_domain_outage: wait`; with `reprotect` and no grace period it plans to move the
//! replicas off the dead brokers. Nothing is submitted either way (no --execute).

use crate::kafka_support::Cluster;

/// Runs the scenario.
pub fn run(cluster: &Cluster) {
    cluster.create_topic("outage-t", &[vec![1, 5, 11], vec![3, 7, 12]], &[]);
    for broker in ["11", "12"] {
        assert!(
            cluster.script(&["stop-broker", broker]).status.success(),
            "stop-broker {broker}"
        );
    }
    cluster.wait_until(
        "brokers 11 and 12 fenced",
        std::time::Duration::from_secs(60),
        || {
            let snapshot = cluster.snapshot();
            let dead = snapshot["brokers"]
                .as_array()
                .map(|brokers| brokers.iter().filter(|b| b["alive"] == false).count());
            dead == Some(2)
        },
    );

    let rules = "rack_pattern: '^(?P<zone>az[0-9]+)/(?P<cluster>k8s-[a-z]+)$'\nrules:\n  - topics: 'outage-.*'\n    spread:\n      zone: even\n      rack: even\n";
    let wait = cluster.write("outage-wait.yaml", rules);
    let state = cluster.write("outage-state.json", "{}");
    let run = cluster.heal_once(&wait, &state, &[]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.contains("status=waiting") && run.stdout.contains("rack=az3/k8s-b"),
        "the outage is reported: {}",
        run.stdout
    );

    let reprotect = cluster.write(
        "outage-reprotect.yaml",
        &format!("on_domain_outage: reprotect\n{rules}"),
    );
    let heal = [
        "heal",
        "--bootstrap-server",
        &cluster.bootstrap,
        "--policy",
        &reprotect,
        "--once",
        "--state-file",
        &state,
    ];
    let run = cluster.kplace(&heal);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.contains("grace period"),
        "a fresh death waits for the grace period: {}",
        run.stdout
    );
    let no_grace: Vec<&str> = heal
        .iter()
        .copied()
        .chain(["--dead-broker-grace", "0s"])
        .collect();
    let run = cluster.kplace(&no_grace);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.contains("status=planned"), "{}", run.stdout);
    assert!(
        run.stdout.contains("outage-t-0 ->") && run.stdout.contains("outage-t-1 ->"),
        "{}",
        run.stdout
    );
    assert!(
        cluster.in_flight().is_empty(),
        "heal without --execute submitted something"
    );

    for broker in ["11", "12"] {
        let started = cluster.script(&["start-broker", broker]);
        assert!(
            started.status.success(),
            "start-broker {broker}: {}",
            String::from_utf8_lossy(&started.stderr)
        );
    }
}
