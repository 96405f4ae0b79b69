//! A real Kafka cluster for the integration tests (`scripts/kafka-cluster`), started once per
//! test binary in its own directory and stopped (every process by pid) when dropped, also on
//! panic; plus helpers to run `kplace` and Kafka's own tools against it.

pub mod process;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Whether Java and Maven are there; outside CI their absence skips the tests loudly.
pub fn kafka_tools_available() -> bool {
    let works = |program: &str, arg: &str| {
        Command::new(program)
            .arg(arg)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    works("java", "-version") && works("mvn", "-v")
}

/// A running cluster.
pub struct Cluster {
    /// Where scripts/kafka-cluster keeps this cluster's data, logs and pids.
    pub dir: PathBuf,
    /// PLAINTEXT bootstrap list.
    pub bootstrap: String,
    /// SASL_PLAINTEXT bootstrap list (user kplace, password kplace-secret).
    pub sasl_bootstrap: String,
    /// SSL bootstrap list; the brokers' certificates are signed by `ca`.
    pub tls_bootstrap: String,
    /// The test CA's certificate (PEM).
    pub ca: PathBuf,
    /// Scratch files of the tests.
    pub scratch: PathBuf,
}

impl Cluster {
    /// Starts the cluster; panics with the script's output when it cannot.
    pub fn up() -> Cluster {
        let base = std::env::temp_dir().join(format!("kplace-kafka-it-{}", std::process::id()));
        let dir = base.join("cluster");
        let scratch = base.join("scratch");
        std::fs::create_dir_all(&scratch).expect("create scratch dir");
        let started = Instant::now();
        let output = Command::new(repo().join("scripts/kafka-cluster"))
            .arg("up")
            .env("KAFKA_CLUSTER_DIR", &dir)
            .output()
            .expect("run scripts/kafka-cluster up");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let mut cluster = Cluster {
            dir: dir.clone(),
            bootstrap: String::new(),
            sasl_bootstrap: String::new(),
            tls_bootstrap: String::new(),
            ca: dir.join("tls/ca.pem"),
            scratch,
        };
        if !output.status.success() {
            panic!(
                "scripts/kafka-cluster up failed:\n{stdout}\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        cluster.bootstrap = stdout.lines().last().unwrap_or_default().trim().to_string();
        cluster.sasl_bootstrap = std::fs::read_to_string(dir.join("sasl-bootstrap"))
            .expect("sasl-bootstrap file")
            .trim()
            .to_string();
        cluster.tls_bootstrap = std::fs::read_to_string(dir.join("tls-bootstrap"))
            .expect("tls-bootstrap file")
            .trim()
            .to_string();
        eprintln!(
            "kafka cluster up in {:.1}s: {}",
            started.elapsed().as_secs_f64(),
            cluster.bootstrap
        );
        cluster
    }

    /// Runs `scripts/kafka-cluster ARGS` for this cluster.
    pub fn script(&self, args: &[&str]) -> Output {
        Command::new(repo().join("scripts/kafka-cluster"))
            .args(args)
            .env("KAFKA_CLUSTER_DIR", &self.dir)
            .output()
            .expect("run scripts/kafka-cluster")
    }

    /// Runs a Kafka tool class from the same artifacts; panics when it fails.
    pub fn tool(&self, class: &str, args: &[&str]) -> String {
        let mut full = vec!["tool", class];
        full.extend_from_slice(args);
        let output = self.script(&full);
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(
            output.status.success(),
            "{class} {args:?} failed:\n{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        stdout
    }

    /// Creates a topic with an explicit replica assignment (one list per partition).
    pub fn create_topic(&self, topic: &str, assignment: &[Vec<i32>], configs: &[&str]) {
        let assignment: Vec<String> = assignment
            .iter()
            .map(|r| {
                r.iter()
                    .map(|b| b.to_string())
                    .collect::<Vec<_>>()
                    .join(":")
            })
            .collect();
        let assignment = assignment.join(",");
        let mut args = vec![
            "--bootstrap-server",
            &self.bootstrap,
            "--create",
            "--topic",
            topic,
            "--replica-assignment",
            &assignment,
        ];
        for config in configs {
            args.push("--config");
            args.push(config);
        }
        self.tool("TopicCommand", &args);
    }

    /// Writes `records` records of `size` bytes into `topic` (acks=all).
    pub fn fill(&self, topic: &str, records: u32, size: u32) {
        let bootstrap = format!("bootstrap.servers={}", self.bootstrap);
        self.tool(
            "ProducerPerformance",
            &[
                "--topic",
                topic,
                "--num-records",
                &records.to_string(),
                "--record-size",
                &size.to_string(),
                "--throughput",
                "-1",
                "--producer-props",
                &bootstrap,
                "acks=all",
                "linger.ms=20",
            ],
        );
    }

    /// Runs kplace with `args`.
    pub fn kplace(&self, args: &[&str]) -> Run {
        let output = Command::new(env!("CARGO_BIN_EXE_kplace"))
            .args(args)
            .env("RUST_LOG", "info")
            .output()
            .expect("run kplace");
        Run::from(output)
    }

    /// Takes a snapshot through kplace and returns it as JSON.
    pub fn snapshot(&self) -> serde_json::Value {
        let path = self.scratch.join("snapshot.json");
        let run = self.kplace(&[
            "snapshot",
            "--bootstrap-server",
            &self.bootstrap,
            "--out",
            path.to_str().unwrap_or_default(),
        ]);
        assert_eq!(run.code, 0, "snapshot failed: {}", run.stderr);
        serde_json::from_slice(&std::fs::read(&path).expect("read snapshot"))
            .expect("snapshot is JSON")
    }

    /// Replica lists of a topic's partitions, from a fresh snapshot.
    pub fn replicas(&self, topic: &str) -> BTreeMap<i32, Vec<i32>> {
        let snapshot = self.snapshot();
        snapshot["partitions"]
            .as_array()
            .expect("partitions")
            .iter()
            .filter(|p| p["topic"] == topic)
            .map(|p| {
                let replicas = p["replicas"]
                    .as_array()
                    .expect("replicas")
                    .iter()
                    .map(|b| b.as_i64().unwrap_or(-1) as i32)
                    .collect();
                (p["partition"].as_i64().unwrap_or(-1) as i32, replicas)
            })
            .collect()
    }

    /// Reassignments in flight, as `kplace status --json` reports them.
    pub fn in_flight(&self) -> Vec<serde_json::Value> {
        let run = self.kplace(&["status", "--bootstrap-server", &self.bootstrap, "--json"]);
        assert_eq!(run.code, 0, "status failed: {}", run.stderr);
        serde_json::from_str::<Vec<serde_json::Value>>(&run.stdout).expect("status JSON")
    }

    /// Waits until `condition` holds, polling; panics with `what` after `timeout`.
    pub fn wait_until(&self, what: &str, timeout: Duration, mut condition: impl FnMut() -> bool) {
        let deadline = Instant::now() + timeout;
        while !condition() {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(500));
        }
    }

    /// Writes a scratch file and returns its path as a string.
    pub fn write(&self, name: &str, contents: &str) -> String {
        let path = self.scratch.join(name);
        std::fs::write(&path, contents).expect("write scratch file");
        path.to_string_lossy().into_owned()
    }

    /// The rack of every broker: 1,2 → az1/k8s-a, 3,4 → az1/k8s-b, ..., 11,12 → az3/k8s-b.
    pub fn rack(broker: i32) -> (String, String) {
        let cell = (broker - 1) / 2;
        (
            format!("az{}", cell / 2 + 1),
            if cell % 2 == 0 {
                "k8s-a".into()
            } else {
                "k8s-b".into()
            },
        )
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let output = self.script(&["down"]);
        if !output.status.success() {
            eprintln!(
                "scripts/kafka-cluster down failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        if let Some(base) = self.dir.parent() {
            let _ = std::fs::remove_dir_all(base);
        }
    }
}

/// A finished kplace run.
#[derive(Debug)]
pub struct Run {
    /// Exit code (-1 when killed).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(output: Output) -> Self {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// The partitions an apply's log says it submitted (`submitted topic=T partition=P`).
pub fn submitted(log: &str) -> Vec<(String, i32)> {
    log.lines()
        .filter(|l| l.contains(" submitted "))
        .filter_map(|l| {
            let topic = l
                .split("topic=")
                .nth(1)?
                .split_whitespace()
                .next()?
                .to_string();
            let partition = l
                .split("partition=")
                .nth(1)?
                .split_whitespace()
                .next()?
                .parse()
                .ok()?;
            Some((topic, partition))
        })
        .collect()
}
