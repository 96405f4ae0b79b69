//! `kplace assign`: placement for a new topic, or for new partitions of an existing one.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use kplace_placement::assign::{assign, AssignError, AssignRequest};
use kplace_placement::reassignment::{ReassignmentEntry, ReassignmentFile};

use crate::exit::{bad_input, CliError, OK};
use crate::files::Outputs;
use crate::model_args::{Format, ModelArgs};

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
    /// Partition count the topic should have (for an existing topic: the new total).
    #[arg(long)]
    partitions: u32,
    /// Replication factor; default: the rule's, else the existing topic's.
    #[arg(long)]
    replication_factor: Option<u32>,
    /// Write the assignment as Kafka's reassignment JSON.
    #[arg(long, value_name = "FILE")]
    reassignment_json: Option<PathBuf>,
    /// Report format on stdout.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

/// Runs `kplace assign`.
pub fn run(args: AssignArgs) -> Result<ExitCode, CliError> {
    if args.partitions == 0 {
        return Err(bad_input("--partitions: must be at least 1"));
    }
    if args.replication_factor == Some(0) {
        return Err(bad_input("--replication-factor: must be at least 1"));
    }
    let loaded = args.model.load()?;
    let model = &loaded.model;
    let request = AssignRequest {
        topic: args.topic.clone(),
        partitions: args.partitions,
        replication_factor: args.replication_factor,
    };
    let placed = assign(model, &request).map_err(|error| match error {
        AssignError::Infeasible(infeasibility) => CliError::Infeasible(format!(
            "the policy cannot be met for topic '{}': {}",
            args.topic,
            infeasibility.report(&model.rules, &model.labels).message
        )),
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
    if let Some(path) = &args.reassignment_json {
        let mut outputs = Outputs::default();
        let bytes = serde_json::to_vec_pretty(&file)
            .map_err(|e| CliError::Internal(format!("cannot serialise output: {e}")))?;
        outputs.add(path, bytes);
        outputs.commit()?;
    }
    match args.format {
        Format::Json => crate::print::json(&file)?,
        Format::Text => {
            for entry in &file.partitions {
                println!("{}-{}: {:?}", entry.topic, entry.partition, entry.replicas);
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
            println!("--replica-assignment {}", replica_assignment.join(","));
        }
    }
    Ok(ExitCode::from(OK))
}
