//! Bad addresses, wrong credentials and plans naming unknown topics, partitions or brokers: a
//! clear error, exit 2, nothing submitted. Right credentials (PLAIN, SCRAM-SHA-512) work.

use crate::kafka_support::Cluster;

/// Runs the scenario.
pub fn run(cluster: &Cluster) {
    let out = cluster.scratch.join("never.json");
    let out = out.to_str().unwrap_or_default();
    let run = cluster.kplace(&[
        "snapshot",
        "--bootstrap-server",
        "127.0.0.1:1",
        "--out",
        out,
    ]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("127.0.0.1:1"),
        "the error names the address: {}",
        run.stderr
    );

    let wrong = cluster.write(
        "wrong.properties",
        "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-256\nsasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"kplace\" password=\"not-the-password\";\n",
    );
    let run = cluster.kplace(&[
        "snapshot",
        "--bootstrap-server",
        &cluster.sasl_bootstrap,
        "--command-config",
        &wrong,
        "--out",
        out,
    ]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("authentication failed"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("not-the-password"),
        "the password leaked: {}",
        run.stderr
    );

    for (mechanism, extra) in [("PLAIN", ""), ("SCRAM-SHA-512", "")] {
        let good = cluster.write(
            &format!("good-{mechanism}.properties"),
            &format!("security.protocol=SASL_PLAINTEXT\nsasl.mechanism={mechanism}\nsasl.username=kplace\nsasl.password=kplace-secret\n{extra}"),
        );
        let run = cluster.kplace(&[
            "snapshot",
            "--bootstrap-server",
            &cluster.sasl_bootstrap,
            "--command-config",
            &good,
            "--out",
            out,
        ]);
        assert_eq!(run.code, 0, "{mechanism}: {run:?}");
    }
    assert!(std::path::Path::new(out).exists());

    cluster.create_topic("bad-input", &[vec![1, 3]], &[]);
    for (name, json, expected) in [
        (
            "unknown-topic",
            r#"{"version":1,"partitions":[{"topic":"no-such-topic","partition":0,"replicas":[1,2]}]}"#,
            "unknown topic no-such-topic",
        ),
        (
            "unknown-broker",
            r#"{"version":1,"partitions":[{"topic":"bad-input","partition":0,"replicas":[1,99]}]}"#,
            "unknown broker 99",
        ),
        (
            "unknown-partition",
            r#"{"version":1,"partitions":[{"topic":"bad-input","partition":0,"replicas":[1,5]},{"topic":"bad-input","partition":7,"replicas":[1,2]}]}"#,
            "no partition 7",
        ),
    ] {
        let file = cluster.write(&format!("{name}.json"), json);
        let run = cluster.kplace_on("apply", &["--reassignment-json", &file]);
        assert_eq!(run.code, 2, "{name}: {run:?}");
        assert!(
            run.stderr.contains(expected) && run.stderr.contains(&file),
            "{name}: {}",
            run.stderr
        );
    }
    assert!(
        cluster.in_flight().is_empty(),
        "bad input submitted something"
    );
    assert_eq!(
        cluster.replicas("bad-input")[&0],
        vec![1, 3],
        "bad input moved a replica"
    );
}
