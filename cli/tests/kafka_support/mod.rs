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

/// Which Kafka a cluster runs: a line of `scripts/kafka/ci-clusters`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterSpec {
    /// `KAFKA_VERSION`, e.g. "4.4.0".
    pub version: String,
    /// `KAFKA_MODE`: "kraft" or "zookeeper".
    pub mode: String,
    /// Marked "unsupported": one broker, only to be refused.
    pub unsupported: bool,
}

impl std::fmt::Display for ClusterSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Kafka {} ({})", self.version, self.mode)
    }
}

/// The clusters to run against: `KPLACE_IT_CLUSTERS` ("VERSION MODE[;VERSION MODE...]", e.g.
/// "3.7.2 kraft") when set, else every line of `scripts/kafka/ci-clusters`, in order.
pub fn cluster_specs() -> Vec<ClusterSpec> {
    let parse = |line: &str| {
        let mut words = line.split_whitespace();
        let version = words.next()?.to_string();
        let mode = words.next().unwrap_or("kraft").to_string();
        let unsupported = words.next() == Some("unsupported");
        Some(ClusterSpec {
            version,
            mode,
            unsupported,
        })
    };
    if let Ok(list) = std::env::var("KPLACE_IT_CLUSTERS") {
        return list.split(';').filter_map(parse).collect();
    }
    let path = repo().join("scripts/kafka/ci-clusters");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(parse)
        .collect()
}

/// A running cluster.
pub struct Cluster {
    /// The Kafka it runs.
    pub spec: ClusterSpec,
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
    /// Starts a cluster of `brokers` brokers running `spec`; panics with the script's output
    /// when it cannot. The cluster is stopped when the value drops (also on panic).
    pub fn up(spec: &ClusterSpec, brokers: usize) -> Cluster {
        Cluster::up_with(spec, "main", brokers, &[])
    }

    /// Starts a cluster of another shape (`env`: more of scripts/kafka-cluster's variables, e.g.
    /// `KAFKA_RACKS`) in its own directory named after `name`, beside any other; it is stopped,
    /// every process by pid, when dropped.
    pub fn up_with(
        spec: &ClusterSpec,
        name: &str,
        brokers: usize,
        env: &[(&str, &str)],
    ) -> Cluster {
        let base = std::env::temp_dir().join(format!(
            "kplace-kafka-it-{}-{}-{}-{name}",
            std::process::id(),
            spec.version,
            spec.mode
        ));
        let dir = base.join("cluster");
        let scratch = base.join("scratch");
        std::fs::create_dir_all(&scratch).expect("create scratch dir");
        let started = Instant::now();
        let output = Command::new(repo().join("scripts/kafka-cluster"))
            .arg("up")
            .env("KAFKA_CLUSTER_DIR", &dir)
            .env("KAFKA_VERSION", &spec.version)
            .env("KAFKA_MODE", &spec.mode)
            .env("KAFKA_BROKERS", brokers.to_string())
            .envs(env.iter().copied())
            .output()
            .expect("run scripts/kafka-cluster up");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let mut cluster = Cluster {
            spec: spec.clone(),
            dir: dir.clone(),
            bootstrap: String::new(),
            sasl_bootstrap: String::new(),
            tls_bootstrap: String::new(),
            ca: dir.join("tls/ca.pem"),
            scratch,
        };
        if !output.status.success() {
            // Whatever started is stopped by the drop of `cluster` as this panic unwinds.
            panic!(
                "scripts/kafka-cluster up ({spec}) failed:\n{stdout}\n{}",
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
            "{spec} cluster of {brokers} brokers up in {:.1}s: {}",
            started.elapsed().as_secs_f64(),
            cluster.bootstrap
        );
        cluster
    }

    /// Whether the cluster runs in ZooKeeper mode.
    pub fn zookeeper(&self) -> bool {
        self.spec.mode == "zookeeper"
    }

    /// The broker that is the controller in ZooKeeper mode (read from ZooKeeper's /controller),
    /// `None` in KRaft mode.
    pub fn zookeeper_controller(&self) -> Option<i32> {
        if !self.zookeeper() {
            return None;
        }
        let port = std::fs::read_to_string(self.dir.join("base_port")).expect("base_port");
        let out = self.tool(
            "org.apache.zookeeper.ZooKeeperMain",
            &[
                "-server",
                &format!("127.0.0.1:{}", port.trim()),
                "get",
                "/controller",
            ],
        );
        // {"version":2,"brokerid":1,"timestamp":"..."}
        let id = out.split("\"brokerid\":").nth(1)?;
        id.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
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

    /// Creates a topic with an explicit replica assignment (one list per partition), and waits
    /// until the brokers' metadata shows every partition (in ZooKeeper mode the controller
    /// tells the brokers some time after kafka-topics returns).
    pub fn create_topic(&self, topic: &str, assignment: &[Vec<i32>], configs: &[&str]) {
        self.create_topic_only(topic, assignment, configs);
        let mut client = kplace_kafka::client::KafkaClient::connect(
            &self.bootstrap,
            kplace_kafka::properties::ClientConfig::default(),
        )
        .expect("connect to the test cluster");
        self.wait_until(
            &format!("topic {topic} in the brokers' metadata"),
            Duration::from_secs(30),
            || {
                kplace_kafka::admin::partitions(&mut client, Some(vec![topic.to_string()]))
                    .is_ok_and(|p| p.len() == assignment.len() && p.iter().all(|p| p.leader >= 0))
            },
        );
    }

    fn create_topic_only(&self, topic: &str, assignment: &[Vec<i32>], configs: &[&str]) {
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

    /// The arguments of `kplace COMMAND --bootstrap-server <this cluster> FLAGS...`.
    pub fn args_on(&self, command: &str, flags: &[&str]) -> Vec<String> {
        [command, "--bootstrap-server", &self.bootstrap]
            .iter()
            .chain(flags)
            .map(|a| a.to_string())
            .collect()
    }

    /// Runs `kplace COMMAND --bootstrap-server <this cluster> FLAGS...`.
    pub fn kplace_on(&self, command: &str, flags: &[&str]) -> Run {
        let args = self.args_on(command, flags);
        self.kplace(&args.iter().map(String::as_str).collect::<Vec<_>>())
    }

    /// Starts `kplace COMMAND --bootstrap-server <this cluster> FLAGS...` and returns once its
    /// log shows `marker` ([`process::start_until`]).
    pub fn start_on(&self, command: &str, flags: &[&str], marker: &str) -> process::Running {
        let args = self.args_on(command, flags);
        process::start_until(&args.iter().map(String::as_str).collect::<Vec<_>>(), marker)
    }

    /// `kplace heal --policy POLICY --once --state-file STATE FLAGS...` on this cluster.
    pub fn heal_once(&self, policy: &str, state: &str, flags: &[&str]) -> Run {
        let mut args = vec!["--policy", policy, "--once", "--state-file", state];
        args.extend(flags);
        self.kplace_on("heal", &args)
    }

    /// A topic of `partitions` partitions on brokers 1 and 3, filled with `records` records of
    /// 1000 bytes per partition, and the reassignment JSON moving each partition to `target`
    /// (its path). Keeping broker 1 keeps the moves from being ISR-critical.
    pub fn topic_to_move(
        &self,
        topic: &str,
        partitions: i32,
        records: u32,
        target: &[i32],
    ) -> String {
        self.create_topic(topic, &vec![vec![1, 3]; partitions as usize], &[]);
        self.fill(topic, records * partitions as u32, 1000);
        let moves: Vec<String> = (0..partitions)
            .map(|p| format!(r#"{{"topic":"{topic}","partition":{p},"replicas":{target:?}}}"#))
            .collect();
        self.write(
            &format!("{topic}.json"),
            &format!(r#"{{"version":1,"partitions":[{}]}}"#, moves.join(",")),
        )
    }

    /// `kplace cancel` (exit 0), then waits until nothing is in flight, at most `within`.
    pub fn cancel_all(&self, within: Duration) {
        let run = self.kplace_on("cancel", &[]);
        assert_eq!(run.code, 0, "{run:?}");
        self.wait_until("cancel to finish", within, || self.in_flight().is_empty());
    }

    /// Takes a snapshot through kplace and returns it as JSON.
    pub fn snapshot(&self) -> serde_json::Value {
        let path = self.scratch.join("snapshot.json");
        let run = self.kplace_on("snapshot", &["--out", path.to_str().unwrap_or_default()]);
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
        let run = self.kplace_on("status", &["--json"]);
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

/// The `partitions` entries of a plan or reassignment JSON for `topic`: partition → the replica
/// list under `field` (`new_replicas` in PLAN.json, `replicas` in Kafka's reassignment JSON).
pub fn replicas_of(json: &serde_json::Value, topic: &str, field: &str) -> BTreeMap<i32, Vec<i32>> {
    json["partitions"]
        .as_array()
        .expect("partitions")
        .iter()
        .filter(|p| p["topic"] == topic)
        .map(|p| {
            let replicas = p[field].as_array().expect(field);
            let replicas = replicas
                .iter()
                .map(|b| b.as_i64().unwrap_or(-1) as i32)
                .collect();
            (p["partition"].as_i64().unwrap_or(-1) as i32, replicas)
        })
        .collect()
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
