//! `kplace snapshot`: the live cluster as a snapshot file.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::exit::{CliError, OK};
use crate::files::Outputs;
use crate::kafka_args::{kafka_error, KafkaArgs};

/// Take a snapshot of a running cluster: brokers with racks and liveness, topics, partitions with
/// replicas, leader, ISR and sizes (DescribeLogDirs), topic min.insync.replicas and reassignments
/// in flight. Other commands read it with `--snapshot`.
///
/// Exit status: 0 written, 2 bad input (address, credentials, settings), 4 Kafka failed.
#[derive(Debug, Args)]
pub struct SnapshotArgs {
    #[command(flatten)]
    kafka: KafkaArgs,
    /// Where to write the snapshot (JSON).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

/// Runs `kplace snapshot`.
pub fn run(args: SnapshotArgs) -> Result<ExitCode, CliError> {
    crate::logging::init();
    let mut client = args.kafka.connect()?;
    let snapshot = kplace_kafka::snapshot::take_snapshot(&mut client).map_err(kafka_error)?;
    let mut bytes = serde_json::to_vec_pretty(&snapshot)
        .map_err(|e| CliError::Internal(format!("cannot serialise the snapshot: {e}")))?;
    bytes.push(b'\n');
    let mut outputs = Outputs::default();
    outputs.add(&args.out, bytes);
    outputs.commit()?;
    eprintln!(
        "kplace: snapshot of {} brokers ({} down), {} partitions, {} reassignments in flight written to {}",
        snapshot.brokers.len(),
        snapshot.brokers.iter().filter(|b| !b.alive).count(),
        snapshot.partitions.len(),
        snapshot.reassignments.len(),
        args.out.display()
    );
    Ok(ExitCode::from(OK))
}
