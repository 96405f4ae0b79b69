//! `kplace status`: reassignments in flight and how far they are.

use std::process::ExitCode;

use clap::Args;
use kplace_kafka::progress::reassignment_progress;

use crate::exit::{CliError, OK};
use crate::kafka_args::{kafka_error, KafkaArgs};

/// Show the reassignments in flight: per partition the replicas being added and removed, and how
/// many bytes the added replicas hold of the leader's.
///
/// Exit status: 0 (whether or not anything is in flight), 2 bad input, 4 Kafka failed.
#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    kafka: KafkaArgs,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Runs `kplace status`.
pub fn run(args: StatusArgs) -> Result<ExitCode, CliError> {
    crate::logging::init();
    let mut client = args.kafka.connect()?;
    let progress = reassignment_progress(&mut client).map_err(kafka_error)?;
    if args.json {
        crate::print::json(&progress)?;
        return Ok(ExitCode::from(OK));
    }
    if progress.is_empty() {
        println!("No reassignment in flight.");
        return Ok(ExitCode::from(OK));
    }
    println!("{} reassignments in flight:", progress.len());
    for p in &progress {
        println!(
            "  {}-{}: replicas {:?}, adding {:?}, removing {:?}, copied {} of {} bytes",
            p.topic,
            p.partition,
            p.replicas,
            p.adding_replicas,
            p.removing_replicas,
            p.copied_bytes,
            p.needed_bytes
        );
    }
    Ok(ExitCode::from(OK))
}
