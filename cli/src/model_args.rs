//! The arguments every placement command shares: where the cluster state and policy come from,
//! and which brokers to keep replicas off.

use std::path::PathBuf;

use clap::Args;
use kplace_placement::model::{ClusterModel, ModelOptions};
use kplace_placement::policy::Policy;
use kplace_placement::snapshot::{BrokerId, Snapshot};

use crate::exit::{bad_input, CliError};
use crate::files::{read_policy, read_snapshot};

/// Cluster state, policy and broker exclusions.
#[derive(Debug, Args)]
pub struct ModelArgs {
    /// Snapshot of the cluster (JSON, as written by `kplace snapshot`).
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "bootstrap_server"
    )]
    pub snapshot: Option<PathBuf>,
    /// Take the snapshot from a running cluster instead of --snapshot.
    #[arg(long, value_name = "HOST:PORT", conflicts_with = "snapshot")]
    pub bootstrap_server: Option<String>,
    /// Client properties for --bootstrap-server (as Kafka's tools take them).
    #[arg(long, value_name = "FILE", requires = "bootstrap_server")]
    pub command_config: Option<PathBuf>,
    /// Placement policy (YAML or JSON).
    #[arg(long, value_name = "FILE")]
    pub policy: PathBuf,
    /// Brokers that must end up holding no replica, e.g. `--exclude-brokers 4,7`.
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    pub exclude_brokers: Vec<BrokerId>,
}

/// The loaded inputs and the model built from them.
pub struct LoadedModel {
    /// The policy as read.
    pub policy: Policy,
    /// The compiled model.
    pub model: ClusterModel,
}

impl ModelArgs {
    /// Reads the snapshot and policy and builds the model.
    pub fn load(&self) -> Result<LoadedModel, CliError> {
        self.load_excluding("--exclude-brokers", &[])
    }

    /// Where the snapshot comes from: the --snapshot file, or the --bootstrap-server address.
    pub fn snapshot_source(&self) -> PathBuf {
        match (&self.snapshot, &self.bootstrap_server) {
            (Some(path), _) => path.clone(),
            (None, Some(bootstrap)) => PathBuf::from(bootstrap),
            (None, None) => PathBuf::from("snapshot"),
        }
    }

    /// Reads the --snapshot file, or takes a snapshot of the --bootstrap-server cluster.
    fn read_or_take_snapshot(&self) -> Result<Snapshot, CliError> {
        match (&self.snapshot, &self.bootstrap_server) {
            (Some(path), _) => read_snapshot(path),
            (None, Some(bootstrap)) => {
                let mut client =
                    crate::kafka_args::connect(bootstrap, self.command_config.as_deref())?;
                kplace_kafka::snapshot::take_snapshot(&mut client)
                    .map_err(crate::kafka_args::kafka_error)
            }
            (None, None) => Err(bad_input("give --snapshot or --bootstrap-server")),
        }
    }

    /// Like [`ModelArgs::load`], with the brokers of flag `flag` (e.g. `--remove-brokers`)
    /// excluded too.
    pub fn load_excluding(&self, flag: &str, extra: &[BrokerId]) -> Result<LoadedModel, CliError> {
        let snapshot = self.read_or_take_snapshot()?;
        if let Some(id) = extra
            .iter()
            .find(|id| !snapshot.brokers.iter().any(|b| b.id == **id))
        {
            return Err(bad_input(format!(
                "{flag}: broker {id} is not in {}",
                self.snapshot_source().display()
            )));
        }
        let policy = read_policy(&self.policy)?;
        let mut exclude_brokers = self.exclude_brokers.clone();
        exclude_brokers.extend_from_slice(extra);
        let options = ModelOptions { exclude_brokers };
        let model = ClusterModel::build(&snapshot, &policy, &options).map_err(|error| {
            let source = if error.in_policy() {
                self.policy.clone()
            } else {
                self.snapshot_source()
            };
            bad_input(format!("{}: {error}", source.display()))
        })?;
        Ok(LoadedModel { policy, model })
    }
}

/// Output format of a command's report on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A short human summary.
    Text,
    /// JSON for scripts.
    Json,
}
