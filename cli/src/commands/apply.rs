//! `kplace apply`: carry out a plan on a running cluster through AlterPartitionReassignments.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use kplace_kafka::apply::{
    apply, check_plan_is_current, dry_run_batches, validate, ApplyEvent, ApplyOptions, ApplyReport,
};
use kplace_kafka::batching::Limits;
use kplace_kafka::client::KafkaClient;
use kplace_kafka::reassignment_json::{parse_reassignment_json, Move};
use kplace_optimizer::plan::{Plan, PLAN_VERSION};

use crate::exit::{bad_input, CliError, OK};
use crate::files::read_bytes;
use crate::kafka_args::{kafka_error, KafkaArgs};

/// Apply a plan to a running cluster, in batches, and wait until it is done.
///
/// No broker takes part in more than --max-moves-per-broker moves at once and the cluster runs no
/// more than --max-moves; moves that leave a partition fewer in-sync replicas than its
/// min.insync.replicas are never submitted together. With --throttle, replication is throttled
/// on the partitions and brokers involved (as kafka-reassign-partitions does) until done. When all
/// moves are done, preferred leaders are elected where the leader changes.
///
/// Re-running the same apply after a crash, Ctrl-C or a failure continues from Kafka's own state:
/// nothing is submitted twice, nothing done is redone.
///
/// Exit status: 0 done (or submitted, with --no-wait), 2 bad input (nothing submitted),
/// 4 Kafka failed part-way (e.g. a broker went down; re-run to continue).
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("moves").required(true).args(["plan", "reassignment_json"])))]
pub struct ApplyArgs {
    #[command(flatten)]
    pub kafka: KafkaArgs,
    /// The plan to apply (PLAN.json, as written by `kplace plan --out`).
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,
    /// Kafka's reassignment JSON to apply (as kafka-reassign-partitions takes it).
    #[arg(long, value_name = "FILE")]
    pub reassignment_json: Option<PathBuf>,
    #[command(flatten)]
    pub batching: BatchingArgs,
    /// Return after submitting the first batches instead of waiting (re-run to continue).
    #[arg(long)]
    pub no_wait: bool,
    /// Wait until every move is done (the default).
    #[arg(long, conflicts_with = "no_wait")]
    pub wait: bool,
    /// Print the batches that would be submitted, and submit nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Concurrency and throttle settings shared by `apply` and `heal`.
#[derive(Debug, Clone, Args)]
pub struct BatchingArgs {
    /// Most moves one broker takes part in at once.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_moves_per_broker: u32,
    /// Most moves in the cluster at once.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_moves: u32,
    /// Throttle replication of the moving partitions to this many bytes per second.
    #[arg(long, value_name = "BYTES_PER_SEC")]
    pub throttle: Option<u64>,
    /// How often to look at Kafka's progress.
    #[arg(long, default_value = "2s", value_parser = crate::durations::parse_duration, hide = true)]
    pub poll_interval: Duration,
}

impl BatchingArgs {
    /// The apply options these settings make.
    pub fn options(&self, wait: bool) -> ApplyOptions {
        ApplyOptions {
            limits: Limits {
                per_broker: self.max_moves_per_broker as usize,
                cluster: self.max_moves as usize,
            },
            throttle: self.throttle,
            wait,
            poll_interval: self.poll_interval,
        }
    }
}

/// Runs `kplace apply`.
pub fn run(args: ApplyArgs) -> Result<ExitCode, CliError> {
    crate::logging::init();
    let (moves, expected, source) = read_moves(&args)?;
    let mut client = args.kafka.connect()?;
    validate(&mut client, &moves, &source).map_err(kafka_error)?;
    if let Some(expected) = &expected {
        check_plan_is_current(&mut client, &moves, expected, &source).map_err(kafka_error)?;
    }
    if args.dry_run {
        let batches = dry_run_batches(&mut client, &moves, args.batching.options(true).limits)
            .map_err(kafka_error)?;
        if batches.is_empty() {
            println!("Nothing to submit: every move is done or in flight.");
        }
        for (i, batch) in batches.iter().enumerate() {
            println!("batch {}: {} moves", i + 1, batch.len());
            for m in batch {
                println!("  {}-{} -> {:?}", m.topic, m.partition, m.target);
            }
        }
        return Ok(ExitCode::from(OK));
    }
    let report = apply_with_progress(&mut client, &moves, &args.batching.options(!args.no_wait))?;
    print_report(&report);
    Ok(ExitCode::from(OK))
}

/// Applies moves, drawing a progress bar on a terminal and logging progress otherwise.
pub fn apply_with_progress(
    client: &mut KafkaClient,
    moves: &[Move],
    options: &ApplyOptions,
) -> Result<ApplyReport, CliError> {
    let bar = crate::logging::interactive().then(|| {
        let bar = indicatif::ProgressBar::new(moves.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} moves done {msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar.enable_steady_tick(Duration::from_millis(200));
        bar
    });
    let mut last = None;
    let mut on_event = |event: &ApplyEvent| match event {
        ApplyEvent::Progress {
            done,
            in_flight,
            pending,
            total,
        } => {
            if let Some(bar) = &bar {
                bar.set_position(*done as u64);
                bar.set_message(format!("({in_flight} in flight, {pending} pending)"));
            }
            if last != Some((*done, *in_flight)) {
                tracing::info!(done, in_flight, pending, total, "progress");
                last = Some((*done, *in_flight));
            }
        }
        ApplyEvent::Submitted(batch) => {
            tracing::info!(moves = batch.len(), "batch submitted");
            if let Some(bar) = &bar {
                bar.println(format!("submitted {} moves", batch.len()));
            }
        }
        ApplyEvent::Elected(partitions) => {
            tracing::info!(partitions = partitions.len(), "preferred leaders elected");
        }
    };
    let result = apply(client, moves, options, &mut on_event);
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    result.map_err(kafka_error)
}

/// Prints the one-paragraph outcome of an apply.
pub fn print_report(report: &ApplyReport) {
    println!(
        "Applied {} moves: {} were already done, {} already in flight, {} submitted now; {} done, {} in flight, {} pending.",
        report.total,
        report.already_done,
        report.already_in_flight,
        report.submitted,
        report.done,
        report.in_flight,
        report.pending
    );
    if !report.elected.is_empty() {
        println!(
            "Preferred leaders elected for {} partitions.",
            report.elected.len()
        );
    }
    if report.done < report.total {
        println!("Not finished: re-run the same apply to continue (or kplace status to watch).");
    }
}

/// The moves to apply, the replicas a plan expects each partition to have before its move (plans
/// only), and the file they came from.
type MovesFromFile = (Vec<Move>, Option<Vec<Vec<i32>>>, String);

fn read_moves(args: &ApplyArgs) -> Result<MovesFromFile, CliError> {
    if let Some(path) = &args.reassignment_json {
        let source = path.display().to_string();
        let moves = parse_reassignment_json(&read_bytes(path)?, &source).map_err(kafka_error)?;
        return Ok((moves, None, source));
    }
    let Some(path) = &args.plan else {
        return Err(bad_input("give --plan or --reassignment-json"));
    };
    let source = path.display().to_string();
    let plan = read_plan(path)?;
    let expected = plan
        .partitions
        .iter()
        .map(|c| c.old_replicas.clone())
        .collect();
    Ok((moves_of_plan(&plan), Some(expected), source))
}

/// Reads a plan file, checking its schema version.
pub fn read_plan(path: &std::path::Path) -> Result<Plan, CliError> {
    let bytes = read_bytes(path)?;
    let plan: Plan = serde_json::from_slice(&bytes)
        .map_err(|e| bad_input(format!("{}: not a kplace plan: {e}", path.display())))?;
    if plan.version != PLAN_VERSION {
        return Err(bad_input(format!(
            "{}: plan version {} (this kplace reads version {PLAN_VERSION})",
            path.display(),
            plan.version
        )));
    }
    Ok(plan)
}

/// The moves of a plan: every changed partition and its new replicas.
pub fn moves_of_plan(plan: &Plan) -> Vec<Move> {
    plan.partitions
        .iter()
        .map(|change| Move {
            topic: change.topic.clone(),
            partition: change.partition,
            target: change.new_replicas.clone(),
        })
        .collect()
}
