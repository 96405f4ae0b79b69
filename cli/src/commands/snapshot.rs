//! `kplace snapshot`: the live cluster as a snapshot file.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::exit::{CliError, OK};
use crate::kafka_args::KafkaArgs;
use crate::outputs::Outputs;

/// Take a snapshot of a running cluster: brokers with racks and liveness, topics, partitions with
/// replicas, leader, ISR and sizes (DescribeLogDirs), disk capacities the brokers report
/// (DescribeLogDirs v4+, Kafka 3.3+), topic min.insync.replicas and reassignments in flight; with
/// --capacity, that file's capacities over the reported ones. Each broker's `capacity_source`
/// says where its capacities came from. With `--sample`, also each partition's produce and
/// consume rates and load, measured from offsets read a window apart. Other commands read it
/// with `--snapshot`.
///
/// Exit status: 0 written, 2 bad input (address, credentials, settings), 4 Kafka failed.
#[derive(Debug, Args)]
pub struct SnapshotArgs {
    #[command(flatten)]
    kafka: KafkaArgs,
    #[command(flatten)]
    sample: crate::sample_args::SampleArgs,
    /// Where to write the snapshot (JSON).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    #[command(flatten)]
    capacity: crate::capacity_args::CapacityArgs,
}

/// Runs `kplace snapshot`.
pub fn run(args: SnapshotArgs) -> Result<ExitCode, CliError> {
    crate::logging::init();
    let sample = args.sample.options()?;
    let mut inputs = args.kafka.inputs();
    inputs.extend(args.capacity.inputs());
    let mut outputs = Outputs::prepare(&inputs, &[("--out", Some(args.out.as_path()))])?;
    let capacities = args.capacity.read()?;
    let mut client = args.kafka.connect()?;
    let mut snapshot = crate::sample_args::take(&mut client, sample)?;
    if let Some(file) = &capacities {
        crate::capacity_args::apply(file, &mut snapshot)?;
    }
    outputs.set("--out", crate::print::json_bytes(&snapshot)?);
    outputs.commit()?;
    crate::print::stderr_line(&format!(
        "kplace: snapshot of {} brokers ({} down), {} partitions, {} reassignments in flight written to {}",
        snapshot.brokers.len(),
        snapshot.brokers.iter().filter(|b| !b.alive).count(),
        snapshot.partitions.len(),
        snapshot.reassignments.len(),
        args.out.display()
    ));
    if let Some(source) = &snapshot.load_source {
        crate::print::stderr_line(&format!("kplace: loads {}", source.describe()));
    }
    Ok(ExitCode::from(OK))
}
