//! `kplace apply`: carry out a plan on a running cluster through AlterPartitionReassignments.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use kplace_kafka::apply::{
    apply, dry_run_batches, pending_replicas, validate, ApplyOptions, ApplyReport,
};
use kplace_kafka::batching::Limits;
use kplace_kafka::client::KafkaClient;
use kplace_kafka::order::Order;
pub use kplace_kafka::plan_moves::moves_of_plan;
use kplace_kafka::reassignment_json::{parse_reassignment_json, Move};
use kplace_kafka::stop::Stop;
use kplace_optimizer::plan::{Current, Plan};
use kplace_placement::stages::is_step_toward;

use crate::exit::{bad_input, CliError, KAFKA_FAILURE, OK};
use crate::files::{read_bytes, read_plan};
use crate::kafka_args::{kafka_error, KafkaArgs};
use crate::progress::{ProgressMode, Reporter};

/// Apply a plan to a running cluster, in batches, and wait until it is done.
///
/// Moves go most urgent first (--order). A partition gaining more than --stage-size new replicas
/// is moved in stages, each adding --stage-size and dropping as many old ones; every stage is
/// read back from Kafka, so a re-run resumes at the right stage.
///
/// No broker takes part in more than --max-moves-per-broker moves at once and the cluster runs no
/// more than --max-moves; moves that leave a partition fewer in-sync replicas than its
/// min.insync.replicas are never submitted together. With --throttle, replication is throttled
/// on the partitions and brokers involved (as kafka-reassign-partitions does) until done. When all
/// moves are done, preferred leaders are elected where the leader changes.
///
/// Throttles are kplace's own: a throttled-replicas list or a broker rate someone else set is
/// kept (kplace adds its entries to a list and later removes only those; a broker that has a rate
/// keeps it). What kplace set is recorded in the cluster (kplace.throttle.* entries of the
/// default broker config), so throttles left by a killed kplace are removed by the next apply,
/// cancel or heal round. kplace's throttles are removed on every way out: done, an error, a
/// timeout or stall, Ctrl-C and SIGTERM (moves in flight then go on unthrottled; re-run to
/// continue, or kplace cancel). Only --no-wait leaves them on the moves it submitted.
///
/// The pace adapts to the cluster: the limits are ceilings. When partitions fall out of sync
/// for a reason other than kplace's moves (under-replicated, under min ISR, an ISR shrink), the
/// limits and the throttle rate are halved and new moves are held; after every --pace-step of
/// health they rise a step, back to the limits. Each change is logged with its reason.
///
/// Progress: on a terminal a display (bytes copied of total, moves done / in flight / waiting,
/// rate, ETA, slowest broker) on stderr; --progress json prints one JSON event per line on
/// stdout instead of the report (schema in README.md, "Progress events").
///
/// Ctrl-C / SIGTERM: nothing more is submitted, the moves in flight are let finish (with
/// --cancel-on-stop: cancelled), kplace's throttles removed; a second signal ends at once.
///
/// Waits are bounded: --timeout, and --stall-timeout when no move in flight copies a byte (or
/// new moves have been held that long because the cluster is in trouble).
///
/// Re-running the same apply after a crash, Ctrl-C or a failure continues from Kafka's own state:
/// nothing is submitted twice, nothing done is redone.
///
/// Exit status: 0 done (or submitted, with --no-wait), 2 bad input (nothing submitted),
/// 4 Kafka failed part-way, timed out, stalled or held too long (the message names partitions
/// and brokers; re-run to continue), 130 / 143 stopped by Ctrl-C / SIGTERM (after the moves in
/// flight finished or were cancelled, and kplace's throttles were removed).
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
    /// How to show progress: `auto` (a display on a terminal, log lines otherwise, on stderr) or
    /// `json` (one JSON event per line on stdout, the outcome last; see README.md).
    #[arg(long, value_enum, default_value_t = ProgressMode::Auto)]
    pub progress: ProgressMode,
}

/// Concurrency and throttle settings shared by `apply` and `heal`.
#[derive(Debug, Clone, Args)]
pub struct BatchingArgs {
    /// Most moves one broker takes part in at once, 1 to 1000.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub max_moves_per_broker: u32,
    /// Most moves in the cluster at once, 1 to 100000.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_moves: u32,
    /// Throttle replication of the moving partitions to this many bytes per second per broker;
    /// a suffix K, M, G (powers of 1000) or Ki, Mi, Gi (powers of 1024) may follow, e.g. `100Mi`
    /// (as plan --throttle). At least 1 byte per second.
    #[arg(long, value_name = "BYTES_PER_SEC", value_parser = crate::html_args::parse_rate)]
    pub throttle: Option<u64>,
    /// Stop waiting after this long (exit 4, naming the moves in flight; re-run to continue).
    #[arg(long, value_name = "DURATION", value_parser = crate::durations::parse_duration)]
    pub timeout: Option<Duration>,
    /// Stop waiting when no move in flight has copied a byte for this long (exit 4, naming the
    /// stuck partitions and the brokers receiving them; re-run to continue).
    #[arg(long, value_name = "DURATION", default_value = "10m", value_parser = crate::durations::parse_positive_duration)]
    pub stall_timeout: Duration,
    /// The order moves are submitted in: `urgency` (offline partitions, then those with a
    /// replica on a dead broker, under min ISR, at min ISR, the rest; within a class the smallest
    /// partitions first, round-robin over the brokers involved), `smallest-first` (the same
    /// without classes) or `plan` (the plan's own order).
    #[arg(long, value_name = "STRATEGY", default_value = "urgency", value_parser = parse_order)]
    pub order: Order,
    /// Most new replicas one stage of a move adds, 1 to 1000: a partition gaining more is moved
    /// in stages, each adding this many and dropping as many old ones (dead, then out of sync,
    /// then followers, the leader last), so it never holds more than RF + this many replicas.
    /// Default: the plan's `--stage-size`, else 1.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub stage_size: Option<u32>,
    /// How often to look at Kafka's progress.
    #[arg(long, default_value = "2s", value_parser = crate::durations::parse_duration, hide = true)]
    pub poll_interval: Duration,
    /// How long the cluster must stay healthy before concurrency rises one step back toward the
    /// limits (and how long trouble must last before it is halved again).
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = crate::durations::parse_positive_duration)]
    pub pace_step: Duration,
    /// On Ctrl-C / SIGTERM, cancel the moves in flight (Kafka rolls them back) instead of
    /// letting them finish.
    #[arg(long)]
    pub cancel_on_stop: bool,
}

fn parse_order(text: &str) -> Result<Order, String> {
    text.parse()
}

impl BatchingArgs {
    /// The apply options these settings make; `stop` is set by the signal handlers.
    pub fn options(&self, wait: bool, stop: &Stop) -> ApplyOptions {
        let mut options = ApplyOptions::new(Limits {
            per_broker: self.max_moves_per_broker as usize,
            cluster: self.max_moves as usize,
        });
        options.throttle = self.throttle;
        options.wait = wait;
        options.poll_interval = self.poll_interval;
        options.timeout = self.timeout;
        options.stall_timeout = self.stall_timeout;
        options.stop = stop.clone();
        options.cancel_on_stop = self.cancel_on_stop;
        options.pace.step = self.pace_step;
        options.schedule.order = self.order;
        options.schedule.stage_size = self.stage_size.unwrap_or(1) as usize;
        options
    }
}

/// Runs `kplace apply`.
pub fn run(args: ApplyArgs) -> Result<ExitCode, CliError> {
    crate::logging::init();
    let stop = crate::signals::install()?;
    let (moves, plan, source) = read_moves(&args)?;
    let mut batching = args.batching.clone();
    if batching.stage_size.is_none() {
        batching.stage_size = plan.as_ref().and_then(|p| p.staging).map(|s| s.stage_size);
    }
    let mut client = args.kafka.connect()?;
    validate(&mut client, &moves, &source).map_err(kafka_error)?;
    if let Some(plan) = &plan {
        let pending = pending_replicas(&mut client, &moves).map_err(kafka_error)?;
        plan.check_current(|index, change| match pending.get(index) {
            // Between two stages of the move (an earlier apply was stopped): under way. The
            // replica set itself must have changed: the old replicas in another order are a
            // plan made for another state, refused.
            Some(Some(replicas))
                if !same_set(replicas, &change.old_replicas)
                    && is_step_toward(&change.old_replicas, replicas, &change.new_replicas) =>
            {
                Current::Settled
            }
            Some(Some(replicas)) => Current::Replicas(replicas.clone()),
            Some(None) => Current::Settled,
            None => Current::Unknown,
        })
        .map_err(|e| bad_input(format!("{source}: {e}")))?;
    }
    if args.dry_run {
        let batches = dry_run_batches(&mut client, &moves, &batching.options(true, &stop))
            .map_err(kafka_error)?;
        crate::print::to_stdout(|out| {
            if batches.is_empty() {
                writeln!(out, "Nothing to submit: every move is done or in flight.")?;
            }
            for (i, batch) in batches.iter().enumerate() {
                writeln!(out, "batch {}: {} moves", i + 1, batch.len())?;
                for d in batch {
                    let m = &d.stage_move;
                    write!(out, "  {}-{} -> {:?}", m.topic, m.partition, m.target)?;
                    if d.stages > 1 {
                        write!(out, " (stage {} of {})", d.stage, d.stages)?;
                    }
                    writeln!(out)?;
                }
            }
            Ok(())
        })?;
        return Ok(ExitCode::from(OK));
    }
    let report = apply_with_progress(
        &mut client,
        &moves,
        &batching.options(!args.no_wait, &stop),
        args.progress,
    )?;
    if args.progress != ProgressMode::Json {
        crate::print::to_stdout(|out| print_report(out, &report))?;
    } else {
        print_failures(&report);
    }
    if !report.failed.is_empty() {
        return Ok(ExitCode::from(KAFKA_FAILURE));
    }
    Ok(ExitCode::from(OK))
}

/// Whether two replica lists hold the same brokers, in any order.
fn same_set(a: &[i32], b: &[i32]) -> bool {
    let (mut a, mut b) = (a.to_vec(), b.to_vec());
    a.sort_unstable();
    b.sort_unstable();
    a == b
}

/// Applies moves, showing progress as `mode` says (see [`crate::progress`]).
pub fn apply_with_progress(
    client: &mut KafkaClient,
    moves: &[Move],
    options: &ApplyOptions,
    mode: ProgressMode,
) -> Result<ApplyReport, CliError> {
    let mut reporter = Reporter::new(mode, moves.len());
    let result = apply(client, moves, options, &mut |event| reporter.event(event))
        .map_err(kafka_error)
        .map_err(with_rerun_hint);
    reporter.finish(&result);
    result
}

/// Kafka failing part-way (exit 4) says what to do next: the apply reads its state back from
/// Kafka, so running it again continues wherever the failure struck (moves, throttles, leaders).
fn with_rerun_hint(error: CliError) -> CliError {
    match error {
        CliError::Kafka(message) if !message.contains("re-run") => CliError::Kafka(format!(
            "{message}; re-run the same apply to continue once the cluster answers (nothing done or in flight is redone)"
        )),
        other => other,
    }
}

/// Prints the one-paragraph outcome of an apply.
pub fn print_report(out: &mut dyn Write, report: &ApplyReport) -> io::Result<()> {
    writeln!(
        out,
        "Applied {} moves: {} were already done, {} already in flight, {} submitted now; {} done, {} in flight, {} pending.",
        report.total,
        report.already_done,
        report.already_in_flight,
        report.submitted,
        report.done,
        report.in_flight,
        report.pending
    )?;
    if !report.elected.is_empty() {
        writeln!(
            out,
            "Preferred leaders elected for {} partitions.",
            report.elected.len()
        )?;
    }
    print_failures(report);
    if report.done < report.total {
        writeln!(
            out,
            "Not finished: re-run the same apply to continue (or kplace status to watch); the \
             moves submitted keep kplace's throttle until then (kplace cancel removes it)."
        )?;
    }
    Ok(())
}

/// Lists on stderr the partitions Kafka refused, if any.
fn print_failures(report: &ApplyReport) {
    if report.failed.is_empty() {
        return;
    }
    crate::print::stderr_line(&format!(
        "kplace: Kafka refused {} partitions (the other moves went on):",
        report.failed.len()
    ));
    for failure in &report.failed {
        crate::print::stderr_line(&format!(
            "  {}-{}: {}",
            failure.topic, failure.partition, failure.reason
        ));
    }
}

/// The moves to apply, the plan they come from (plans only), and the file they came from.
type MovesFromFile = (Vec<Move>, Option<Plan>, String);

fn read_moves(args: &ApplyArgs) -> Result<MovesFromFile, CliError> {
    if let Some(path) = &args.reassignment_json {
        let source = path.display().to_string();
        let moves = parse_reassignment_json(&read_bytes(path)?, &source).map_err(kafka_error)?;
        return Ok((moves, None, source));
    }
    let Some(path) = &args.plan else {
        return Err(bad_input("give --plan or --reassignment-json"));
    };
    let plan = read_plan(path)?;
    Ok((moves_of_plan(&plan), Some(plan), path.display().to_string()))
}
