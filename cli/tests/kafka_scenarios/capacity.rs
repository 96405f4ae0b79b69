//! Capacities on a live cluster: the disk capacity the brokers report (DescribeLogDirs v4,
//! KIP-827) in the snapshot with its provenance, goals without data saying "skipped", and a
//! Cruise Control capacity file giving the same capacities as the equivalent kplace file.

use std::process::Command;

use super::{policy_for, zone_only};
use crate::kafka_support::Cluster;

/// `df`'s figure `field` (`size`, `avail`) in bytes for the volume holding `path`.
fn volume_bytes(path: &std::path::Path, field: &str) -> u64 {
    let output = Command::new("df")
        .args(["-B1", &format!("--output={field}")])
        .arg(path)
        .output()
        .expect("run df");
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines()
        .nth(1)
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or_else(|| panic!("df output: {text}"))
}

/// Slack between kplace's reading and `df`'s, taken moments apart on a volume other processes
/// (Kafka's own logs, the test run) write to.
const DF_SLACK: f64 = 256.0 * 1024.0 * 1024.0;

/// The snapshot's disk capacity is what each broker could hold on its log dir's volume, as it
/// reports it (every supported Kafka negotiates DescribeLogDirs v4): the usable bytes plus what
/// its partitions already take, not the volume's size (the machine's volume is shared with
/// the operating system and the build). Tiny, runs on every cluster.
pub fn reported_disk(cluster: &Cluster) {
    let snapshot = cluster.snapshot();
    let data = cluster.dir.join("broker-1/data");
    let volume = volume_bytes(&data, "size") as f64;
    let avail = volume_bytes(&data, "avail") as f64;
    let held = |id: &serde_json::Value| -> f64 {
        snapshot["partitions"]
            .as_array()
            .expect("partitions")
            .iter()
            .filter(|p| p["replicas"].as_array().is_some_and(|r| r.contains(id)))
            .map(|p| p["size"].as_f64().unwrap_or_default())
            .sum()
    };
    let brokers = snapshot["brokers"].as_array().expect("brokers");
    assert!(!brokers.is_empty());
    for broker in brokers {
        let id = &broker["id"];
        assert_eq!(
            broker["capacity_source"]["disk"], "broker",
            "broker {id}: {broker}"
        );
        assert_eq!(
            broker["capacity_source"]["network_in"], "unknown",
            "broker {id}: {broker}"
        );
        assert_eq!(
            broker["capacity_source"]["cpu"], "unknown",
            "broker {id}: {broker}"
        );
        let disk = broker["capacity"]["disk"].as_f64().expect("disk capacity");
        // One log dir per broker, all on the machine's volume the cluster directory is on.
        let expected = volume.min(avail + held(id));
        assert!(
            disk <= volume && (disk - expected).abs() <= DF_SLACK,
            "broker {id}: reported {disk}, df says {avail} available of {volume}, \
             the broker holds {}",
            held(id)
        );
        assert!(broker["capacity"].get("network_in").is_none(), "{broker}");
    }
}

fn goal<'a>(plan: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    plan["goals"]
        .as_array()
        .expect("goals")
        .iter()
        .find(|g| g["name"] == name)
        .unwrap_or_else(|| panic!("goal {name} in {plan}"))
}

fn plan(cluster: &Cluster, policy: &str, out: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec![
        "plan",
        "--bootstrap-server",
        &cluster.bootstrap,
        "--policy",
        policy,
        "--out",
        out,
    ];
    args.extend_from_slice(extra);
    let run = cluster.kplace(&args);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("no load data"),
        "the summary says what was skipped: {}",
        run.stdout
    );
    serde_json::from_slice(&std::fs::read(out).expect("plan written")).expect("JSON")
}

/// A plan from `--bootstrap-server` with nothing but the reported disk says which goals had
/// no data; with a Cruise Control file or the equivalent kplace file the capacities are the
/// same and the capacity goal checks every resource.
pub fn skipped_and_files(cluster: &Cluster) {
    cluster.create_topic("capacity-skip", &zone_only(3), &[]);
    let policy = policy_for(cluster, "capacity-.*");
    let out = cluster.scratch.join("capacity-plan.json");
    let out = out.to_str().unwrap_or_default();

    let bare = plan(cluster, &policy, out, &[]);
    assert_eq!(
        goal(&bare, "capacity")["skipped"],
        serde_json::json!({"reason": "no capacity data", "resources": ["network-in", "network-out", "cpu"]}),
        "disk is reported, the rest is not: {bare}"
    );
    for name in ["network-in-balance", "network-out-balance", "cpu-balance"] {
        assert_eq!(
            goal(&bare, name)["skipped"],
            serde_json::json!({"reason": "no load data"}),
            "{name}"
        );
    }
    let check = cluster.kplace(&[
        "check",
        "--bootstrap-server",
        &cluster.bootstrap,
        "--policy",
        &policy,
    ]);
    assert!(
        check
            .stdout
            .contains("no capacity data for network-in, network-out, cpu: skipped"),
        "{check:?}"
    );

    // Broker 12 is bigger; the rest take the default. DISK in MB, NW in KB/s, CPU in percent.
    let cruise_control = cluster.write(
        "capacity.json",
        r#"{"brokerCapacities": [
  {"brokerId": "-1", "capacity": {"DISK": "500000", "CPU": "100", "NW_IN": "125000", "NW_OUT": "125000"},
   "doc": "The default capacity."},
  {"brokerId": "12", "capacity": {"DISK": {"/data/a": "500000", "/data/b": "500000"}, "CPU": {"num.cores": "8"},
   "NW_IN": "250000", "NW_OUT": "250000"}, "doc": "JBOD broker."}]}"#,
    );
    let kplace = cluster.write(
        "capacity.yaml",
        "default:\n  disk_bytes: 524288000000\n  network_in_bytes_per_second: 128000000\n  \
         network_out_bytes_per_second: 128000000\n  cpu_percent: 100\nbrokers:\n  - id: 12\n    \
         disk_bytes: 1048576000000\n    network_in_bytes_per_second: 256000000\n    \
         network_out_bytes_per_second: 256000000\n",
    );
    let capacities = |plan: &serde_json::Value| -> Vec<(i64, serde_json::Value)> {
        plan["brokers"]
            .as_array()
            .expect("brokers")
            .iter()
            .map(|b| (b["id"].as_i64().unwrap_or(-1), b["capacity"].clone()))
            .collect()
    };
    let from_cc = plan(cluster, &policy, out, &["--capacity", &cruise_control]);
    let from_kplace = plan(cluster, &policy, out, &["--capacity", &kplace]);
    assert_eq!(capacities(&from_cc), capacities(&from_kplace));
    let twelve = capacities(&from_cc)
        .into_iter()
        .find(|(id, _)| *id == 12)
        .expect("broker 12");
    assert_eq!(twelve.1["disk"], 1_048_576_000_000.0);
    assert_eq!(twelve.1["network_in"], 256_000_000.0);
    assert!(
        goal(&from_cc, "capacity").get("skipped").is_none(),
        "{from_cc}"
    );

    // A file naming a broker the cluster lacks is refused before anything is planned.
    let unknown = cluster.write(
        "capacity-unknown.yaml",
        "brokers:\n  - {id: 99, cpu_percent: 100}\n",
    );
    let run = cluster.kplace(&[
        "plan",
        "--bootstrap-server",
        &cluster.bootstrap,
        "--policy",
        &policy,
        "--capacity",
        &unknown,
    ]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("broker 99 is not in the cluster"),
        "{run:?}"
    );
}
