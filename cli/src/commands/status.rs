//! `kplace status`: reassignments in flight and how far they are.

use std::process::ExitCode;

use clap::Args;
use kplace_kafka::progress::{figures_in_flight, reassignment_progress};

use crate::exit::{CliError, OK};
use crate::kafka_args::{kafka_error, KafkaArgs};

/// Show the reassignments in flight: per partition the replicas being added and removed, and how
/// many bytes the added replicas hold of the leader's; then, for all of them, bytes copied of
/// total and the slowest broker (the receiving broker with the most bytes still to receive), and
/// with --sample the copy rate and the ETA over two looks that far apart.
///
/// Exit status: 0 (whether or not anything is in flight), 2 bad input, 4 Kafka failed.
#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    kafka: KafkaArgs,
    /// Print JSON instead of text (one entry per reassignment in flight).
    #[arg(long, conflicts_with = "figures")]
    json: bool,
    /// Print only the figures of all reassignments in flight, as one JSON object in the schema
    /// of apply's `progress` events (README.md, "Progress events").
    #[arg(long)]
    figures: bool,
    /// Look twice, this long apart, to measure the copy rate and the ETA.
    #[arg(long, value_name = "DURATION", value_parser = crate::durations::parse_duration)]
    sample: Option<std::time::Duration>,
}

/// Runs `kplace status`.
pub fn run(args: StatusArgs) -> Result<ExitCode, CliError> {
    crate::logging::init();
    let mut client = args.kafka.connect()?;
    let mut looks = vec![(
        std::time::Instant::now(),
        reassignment_progress(&mut client).map_err(kafka_error)?,
    )];
    if let Some(sample) = args.sample.filter(|_| !looks[0].1.is_empty()) {
        std::thread::sleep(sample);
        looks.push((
            std::time::Instant::now(),
            reassignment_progress(&mut client).map_err(kafka_error)?,
        ));
    }
    let figures = figures_in_flight(&looks);
    if args.figures {
        let mut value = serde_json::to_value(&figures)
            .map_err(|e| CliError::Internal(format!("cannot serialise the figures: {e}")))?;
        if let Some(object) = value.as_object_mut() {
            object.insert("event".into(), "progress".into());
        }
        crate::print::json(&value)?;
        return Ok(ExitCode::from(OK));
    }
    let progress = looks.pop().map(|(_, p)| p).unwrap_or_default();
    if args.json {
        crate::print::json(&progress)?;
        return Ok(ExitCode::from(OK));
    }
    crate::print::to_stdout(|out| {
        if progress.is_empty() {
            return writeln!(out, "No reassignment in flight.");
        }
        writeln!(out, "{} reassignments in flight:", progress.len())?;
        for p in &progress {
            writeln!(
                out,
                "  {}-{}: replicas {:?}, adding {:?}, removing {:?}, copied {} of {} bytes",
                p.topic,
                p.partition,
                p.replicas,
                p.adding_replicas,
                p.removing_replicas,
                p.copied_bytes,
                p.needed_bytes
            )?;
        }
        if let Some(f) = &figures {
            writeln!(out, "In all: {}", crate::progress::describe(f))?;
        }
        Ok(())
    })?;
    Ok(ExitCode::from(OK))
}
