//! TLS against the brokers' SSL listeners: trusting the test CA as a PEM truststore works; without
//! it the error names the untrusted issuer (exit 2); a plaintext client on a TLS port is told so.

use crate::kafka_support::Cluster;

/// Runs the scenario.
pub fn run(cluster: &Cluster) {
    let out = cluster.scratch.join("tls-snapshot.json");
    let out = out.to_str().unwrap_or_default();
    let trusted = cluster.write(
        "tls.properties",
        &format!(
            "security.protocol=SSL\nssl.truststore.type=PEM\nssl.truststore.location={}\n",
            cluster.ca.display()
        ),
    );
    let run = cluster.kplace(&[
        "snapshot",
        "--bootstrap-server",
        &cluster.tls_bootstrap,
        "--command-config",
        &trusted,
        "--out",
        out,
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    let snapshot: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out).expect("snapshot written")).expect("JSON");
    assert_eq!(snapshot["brokers"].as_array().map(Vec::len), Some(12));

    let untrusted = cluster.write("tls-untrusted.properties", "security.protocol=SSL\n");
    let run = cluster.kplace(&[
        "snapshot",
        "--bootstrap-server",
        &cluster.tls_bootstrap,
        "--command-config",
        &untrusted,
        "--out",
        out,
    ]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("UnknownIssuer"), "{}", run.stderr);

    let run = cluster.kplace(&[
        "snapshot",
        "--bootstrap-server",
        &cluster.tls_bootstrap,
        "--out",
        out,
    ]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("security.protocol=SSL"),
        "{}",
        run.stderr
    );
}
