//! The arguments every placement command shares: where the cluster state and policy come from,
//! and which brokers to keep replicas off.

use std::path::{Path, PathBuf};

use clap::Args;
use kplace_placement::model::{ClusterModel, ModelOptions};
use kplace_placement::model_error::{ErrorSource, ModelError};
use kplace_placement::policy::Policy;
use kplace_placement::snapshot::{BrokerId, Snapshot};

use crate::capacity_args::CapacityArgs;
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
    /// Rate sampling for --bootstrap-server.
    #[command(flatten)]
    pub sample: crate::sample_args::SampleArgs,
    /// Placement policy (YAML or JSON).
    #[arg(long, value_name = "FILE")]
    pub policy: PathBuf,
    /// Brokers that must end up holding no replica, e.g. `--exclude-brokers 4,7`.
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    pub exclude_brokers: Vec<BrokerId>,
    #[command(flatten)]
    pub capacity: CapacityArgs,
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

    /// The files these arguments read, by flag (outputs must not be one of them).
    pub fn inputs(&self) -> Vec<(&'static str, &Path)> {
        let mut inputs = vec![("--policy", self.policy.as_path())];
        if let Some(path) = &self.snapshot {
            inputs.push(("--snapshot", path.as_path()));
        }
        if let Some(path) = &self.command_config {
            inputs.push(("--command-config", path.as_path()));
        }
        inputs.extend(self.capacity.inputs());
        inputs
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
            (Some(_), _) if self.sample.sample.is_some() => Err(bad_input(
                "--sample needs --bootstrap-server: a --snapshot file's loads are what it says",
            )),
            (Some(path), _) => read_snapshot(path),
            (None, Some(bootstrap)) => {
                let sample = self.sample.options()?;
                let mut client =
                    crate::kafka_args::connect(bootstrap, self.command_config.as_deref())?;
                crate::sample_args::take(&mut client, sample)
            }
            (None, None) => Err(bad_input("give --snapshot or --bootstrap-server")),
        }
    }

    /// Like [`ModelArgs::load`], with the brokers of flag `flag` (e.g. `--remove-brokers`)
    /// excluded too.
    pub fn load_excluding(&self, flag: &str, extra: &[BrokerId]) -> Result<LoadedModel, CliError> {
        crate::broker_lists::check(&[("--exclude-brokers", &self.exclude_brokers)])?;
        let capacities = self.capacity.read()?;
        let mut snapshot = self.read_or_take_snapshot()?;
        if let Some(file) = &capacities {
            crate::capacity_args::apply(file, &mut snapshot)?;
        }
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
        let options = ModelOptions::excluding(exclude_brokers);
        let model = ClusterModel::build(&snapshot, &policy, &options)
            .map_err(|error| model_error(&error, &self.snapshot_source(), &self.policy))?;
        note_in_flight(&model);
        Ok(LoadedModel { policy, model })
    }
}

/// A model that could not be built, as bad input naming the file(s) it is about.
pub fn model_error(error: &ModelError, snapshot: &Path, policy: &Path) -> CliError {
    bad_input(match error.source() {
        ErrorSource::Policy => format!("{}: {error}", policy.display()),
        ErrorSource::Snapshot => format!("{}: {error}", snapshot.display()),
        ErrorSource::Both => format!(
            "{} (with the policy of {}): {error}",
            snapshot.display(),
            policy.display()
        ),
    })
}

/// Says on stderr which partitions are modelled at the target of a reassignment in flight (see
/// `ClusterModel::build`): what is planned, checked or analysed is the placement Kafka is moving
/// to, and `apply` refuses to move those partitions elsewhere until their move is done.
fn note_in_flight(model: &ClusterModel) {
    let in_flight: Vec<String> = (0..model.partitions().len())
        .filter(|&p| model.partitions()[p].in_flight)
        .map(|p| model.partition_name(p as u32))
        .collect();
    if in_flight.is_empty() {
        return;
    }
    let shown: Vec<&str> = in_flight.iter().take(5).map(String::as_str).collect();
    crate::print::stderr_line(&format!(
        "kplace: note: {} reassignment(s) in flight ({}{}): those partitions are taken at their \
         targets, as they will be once the moves finish",
        in_flight.len(),
        shown.join(", "),
        if in_flight.len() > shown.len() {
            ", ..."
        } else {
            ""
        }
    ));
}

/// Output format of a command's report on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A short human summary.
    Text,
    /// JSON for scripts.
    Json,
}
