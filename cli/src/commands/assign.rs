//! `kplace assign`: placement for a new topic, or for new partitions of an existing one.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use kplace_placement::assign::{assign, AssignError, AssignRequest};
use kplace_placement::reassignment::{ReassignmentEntry, ReassignmentFile};

use crate::exit::{bad_input, CliError, OK};
use crate::model_args::{Format, ModelArgs};
use crate::outputs::Outputs;
use crate::print;

/// Place the replicas of a new topic (or of new partitions of an existing topic).
///
/// Every partition meets the topic's rule; replicas and leaders per broker come out as even as
/// possible, counting what brokers already carry; each partition also spans as many racks as it
/// can, as Kafka's own placer promises. Prints the assignment (and the `--replica-assignment`
/// string kafka-topics takes); `--reassignment-json` writes it in Kafka's reassignment format.
/// Exit status: 0 written, 2 bad input, 3 the rule cannot be met.
#[derive(Debug, Args)]
pub struct AssignArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// Topic to place.
    #[arg(long)]
    topic: String,
    /// Partition count the topic should have (for an existing topic: the new total), 1 to
    /// 100000 (beyond that a single topic is a typo, and would only exhaust memory).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=MAX_PARTITIONS))]
    partitions: u32,
    /// Replication factor, 1 to 32767 (Kafka's limit); default: the rule's, else the existing
    /// topic's.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=MAX_REPLICATION_FACTOR))]
    replication_factor: Option<u32>,
    /// Give new partitions of an existing topic a replication factor other than the topic's
    /// (refused otherwise; note that Kafka's CreatePartitions itself requires the topic's).
    #[arg(long)]
    allow_replication_factor_change: bool,
    /// Write the assignment as Kafka's reassignment JSON.
    #[arg(long, value_name = "FILE")]
    reassignment_json: Option<PathBuf>,
    /// Report format on stdout.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

/// The most partitions `--partitions` takes.
const MAX_PARTITIONS: i64 = 100_000;
/// The largest `--replication-factor` (Kafka's, an int16 in its protocol).
const MAX_REPLICATION_FACTOR: i64 = i16::MAX as i64;

/// Runs `kplace assign`.
pub fn run(args: AssignArgs) -> Result<ExitCode, CliError> {
    crate::broker_lists::check(&[("--exclude-brokers", &args.model.exclude_brokers)])?;
    let mut outputs = Outputs::prepare(
        &args.model.inputs(),
        &[("--reassignment-json", args.reassignment_json.as_deref())],
    )?;
    let loaded = args.model.load()?;
    let model = &loaded.model;
    let request = AssignRequest::new(args.topic.clone(), args.partitions)
        .with_replication_factor(args.replication_factor)
        .with_replication_factor_change(args.allow_replication_factor_change);
    let placed = assign(model, &request).map_err(|error| match error {
        AssignError::Infeasible(infeasibility) => CliError::Infeasible(format!(
            "the policy cannot be met for topic '{}': {infeasibility}",
            args.topic,
        )),
        change @ AssignError::ReplicationFactorChange { .. } => {
            bad_input(format!("{change} (--allow-replication-factor-change)"))
        }
        other => bad_input(other.to_string()),
    })?;
    let file = ReassignmentFile::new(
        placed
            .replicas
            .iter()
            .enumerate()
            .map(|(offset, replicas)| ReassignmentEntry {
                topic: placed.topic.clone(),
                partition: placed.first_partition + offset as i32,
                replicas: model.broker_ids(replicas),
                log_dirs: None,
            })
            .collect(),
    );
    outputs.set("--reassignment-json", print::json_bytes(&file)?);
    outputs.set_stdout_text(match args.format {
        Format::Json => print::json_bytes(&file)?,
        Format::Text => print::render(|out| print_text(out, &file))?,
    });
    outputs.commit()?;
    Ok(ExitCode::from(OK))
}

fn print_text(out: &mut dyn Write, file: &ReassignmentFile) -> io::Result<()> {
    for entry in &file.partitions {
        writeln!(
            out,
            "{}-{}: {:?}",
            entry.topic, entry.partition, entry.replicas
        )?;
    }
    let replica_assignment: Vec<String> = file
        .partitions
        .iter()
        .map(|e| {
            e.replicas
                .iter()
                .map(|b| b.to_string())
                .collect::<Vec<_>>()
                .join(":")
        })
        .collect();
    writeln!(out, "--replica-assignment {}", replica_assignment.join(","))
}
