//! `kplace cancel`: stop the reassignments in flight and remove the replication throttles.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use kplace_kafka::cancel::ThrottleRemoval;

use crate::exit::{CliError, OK};
use crate::kafka_args::{kafka_error, KafkaArgs};

/// Cancel reassignments in flight (every one, or only those of --plan) and remove the
/// replication throttles kplace set (recorded in the cluster; another operator's stay), or every
/// replication throttle on every topic and broker with --all-throttles. Kafka rolls each
/// partition back to its replicas before the move. Waits until no cancelled reassignment runs
/// any more.
///
/// Exit status: 0 done, 2 bad input, 4 Kafka failed.
#[derive(Debug, Args)]
pub struct CancelArgs {
    #[command(flatten)]
    kafka: KafkaArgs,
    /// Cancel only the partitions of this plan (PLAN.json).
    #[arg(long, value_name = "FILE")]
    plan: Option<PathBuf>,
    /// How long to wait for Kafka to roll the moves back.
    #[arg(long, default_value = "5m", value_parser = crate::durations::parse_duration)]
    timeout: Duration,
    /// Remove every replication throttle on every topic and broker, also those kplace did not
    /// set.
    #[arg(long)]
    all_throttles: bool,
}

/// Runs `kplace cancel`.
pub fn run(args: CancelArgs) -> Result<ExitCode, CliError> {
    crate::logging::init();
    let only: Option<Vec<(String, i32)>> = match &args.plan {
        Some(path) => Some(
            super::apply::moves_of_plan(&crate::files::read_plan(path)?)
                .into_iter()
                .map(|m| (m.topic, m.partition))
                .collect(),
        ),
        None => None,
    };
    let mut client = args.kafka.connect()?;
    let removal = if args.all_throttles {
        ThrottleRemoval::All
    } else {
        ThrottleRemoval::KplaceOnly
    };
    let report = kplace_kafka::cancel::cancel(&mut client, only.as_deref(), args.timeout, removal)
        .map_err(kafka_error)?;
    crate::print::to_stdout(|out| {
        writeln!(
            out,
            "Cancelled {} reassignments; removed {}throttles from {} topics and {} brokers.",
            report.cancelled.len(),
            if args.all_throttles {
                "all "
            } else {
                "kplace's "
            },
            report.unthrottled_topics.len(),
            report.unthrottled_brokers.len()
        )
    })?;
    Ok(ExitCode::from(OK))
}
