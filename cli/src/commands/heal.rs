//! `kplace heal`: the periodic self-healing job (a Kubernetes CronJob with `--once`, or a loop).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use clap::Args;
use kplace_kafka::heal::{HealError, HealRound, Healer, RoundReport, StateStore, Status};
use kplace_optimizer::heal::guards::DeadSince;

use super::apply::BatchingArgs;
use crate::exit::{bad_input, CliError, INFEASIBLE, KAFKA_FAILURE, OK, VIOLATIONS};
use crate::files::read_policy;
use crate::kafka_args::{kafka_error, KafkaArgs};
use crate::outputs::Outputs;
use crate::print;
use crate::progress::{ProgressMode, Reporter};

/// Heal the cluster: each round takes a snapshot, checks the policy's hard goals, plans the
/// fewest moves and, with --execute, applies them (without it, prints the plan).
///
/// Guards: no new moves while reassignments are in flight; a dead broker is healed only after
/// --dead-broker-grace (remembered across --once runs in --state-file, which --once requires);
/// when every broker of a value of a label the policy spreads or survives over is down (a zone
/// outage; a value only one broker carries is that broker's failure) the round waits unless the
/// policy says `on_domain_outage: reprotect`; at most --max-moves-per-round moves per round, the
/// most urgent partitions first (offline, under min ISR, at min ISR, the rest). A round's apply is
/// bounded by --stall-timeout (and --timeout, if given); throttles a killed kplace left behind are
/// removed in a round that finds nothing in flight.
///
/// Each round prints one line: `kplace heal: round=N status=S violations=V moves=M applied=A ...`
/// with S one of healthy, healed, planned, waiting, partial, infeasible, failed.
/// Exit status with --once: 0 healthy or healed, 1 violations remain (planned, waiting, partial),
/// 2 bad input, 3 the policy cannot be met, 4 Kafka failed part-way.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("schedule").required(true).args(["once", "interval"])))]
pub struct HealArgs {
    #[command(flatten)]
    kafka: KafkaArgs,
    /// Placement policy (YAML or JSON).
    #[arg(long, value_name = "FILE")]
    policy: PathBuf,
    /// Run one round and exit (for a CronJob).
    #[arg(long)]
    once: bool,
    /// Run a round every DURATION, e.g. 5m, until stopped.
    #[arg(long, value_name = "DURATION", value_parser = crate::durations::parse_duration)]
    interval: Option<Duration>,
    /// Apply the plan (otherwise only print it).
    #[arg(long)]
    execute: bool,
    /// How long a broker must be down before its replicas are moved elsewhere.
    #[arg(long, default_value = "30m", value_parser = crate::durations::parse_duration)]
    dead_broker_grace: Duration,
    /// JSON file remembering since when brokers are down, across runs. Required with --once
    /// (unless --dead-broker-grace is 0), and it must exist: create it once (`echo '{}' > FILE`)
    /// on storage that outlives the job, e.g. a PersistentVolumeClaim for a CronJob.
    #[arg(long, value_name = "FILE")]
    state_file: Option<PathBuf>,
    /// Most moves planned in one round, 1 to 100000, the most urgent partitions first; the rest
    /// wait for later rounds.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    max_moves_per_round: u32,
    #[command(flatten)]
    batching: BatchingArgs,
    #[command(flatten)]
    capacity: crate::capacity_args::CapacityArgs,
    /// Rate sampling: with --sample, each round first measures every partition's produce and
    /// consume rates over the window (the round takes that much longer), so the capacity goal
    /// checks network in/out and CPU against --capacity too; without it, only disk.
    #[command(flatten)]
    sample: crate::sample_args::SampleArgs,
    /// How to show progress: `auto` (the round's lines on stdout; an apply's progress as a
    /// display on a terminal or log lines, on stderr) or `json` (one JSON event per line on
    /// stdout: the apply's events, then a `round` event per round; schema in README.md,
    /// "Progress events").
    #[arg(long, value_enum, default_value_t = ProgressMode::Auto)]
    progress: ProgressMode,
}

/// The exit code of a round that ended (`--once`): 0 when the hard goals hold.
fn exit_code(status: Status) -> u8 {
    if status.healthy() {
        OK
    } else {
        VIOLATIONS
    }
}

/// Runs `kplace heal`: a loop over [`Healer`] rounds, the state in `--state-file`.
pub fn run(args: HealArgs) -> Result<ExitCode, CliError> {
    crate::logging::init();
    prepare_state_file(&args)?;
    let stop = crate::signals::install()?;
    let mut round = HealRound::new(read_policy(&args.policy)?);
    round.dead_broker_grace = args.dead_broker_grace;
    round.max_moves = args.max_moves_per_round as usize;
    round.execute = args.execute;
    round.apply = args.batching.options(true, &stop);
    round.capacities = args.capacity.read()?;
    round.sample = args.sample.options()?;
    let mut healer = Healer::new(round, StateFile { args: &args })?;
    let mut round_number = 0u64;
    loop {
        round_number += 1;
        // The state is saved whatever the round's outcome: a round that fails after seeing a
        // broker down must not restart that broker's grace period on the next run.
        if round_number > 1 {
            // The capacity file is read again each round, so a loop follows its changes.
            healer.settings_mut().capacities = args.capacity.read()?;
        }
        let outcome = match args.kafka.connect() {
            Ok(mut client) => {
                let mut progress = Reporter::new(args.progress, 0);
                let outcome = healer.round(&mut client, SystemTime::now(), &mut |event| {
                    progress.event(event)
                });
                progress.clear();
                outcome?.map_err(|error| heal_error(&args, error))
            }
            Err(error) => {
                healer.save()?;
                Err(error)
            }
        };
        let code = match &outcome {
            Ok(r) => {
                print_round(args.progress, round_number, r)?;
                exit_code(r.status)
            }
            Err(error) => {
                let status = match error {
                    CliError::Infeasible(_) => "infeasible",
                    CliError::BadInput(_) => "bad-input",
                    _ => "failed",
                };
                print::to_stdout(|out| match args.progress {
                    ProgressMode::Json => writeln!(
                        out,
                        "{}",
                        crate::progress::failed_round_event(round_number, status, error)
                    ),
                    ProgressMode::Auto => writeln!(
                        out,
                        "kplace heal: round={round_number} status={status} error={:?}",
                        error.to_string()
                    ),
                })?;
                if args.once
                    || matches!(error, CliError::Stopped(..))
                    || matches!(error, CliError::BadInput(_)) && round_number == 1
                {
                    return Err(outcome
                        .err()
                        .unwrap_or_else(|| CliError::Internal("lost error".into())));
                }
                if matches!(error, CliError::Infeasible(_)) {
                    INFEASIBLE
                } else {
                    KAFKA_FAILURE
                }
            }
        };
        match args.interval {
            Some(interval) if !args.once => {
                stop.sleep(interval);
                if stop.requested().is_some() {
                    return Ok(ExitCode::from(code));
                }
            }
            _ => return Ok(ExitCode::from(code)),
        }
    }
}

/// Prints a round: without --execute the plan's summary and the round's moves first, then the
/// round's one line; with `--progress json` the round's one `round` event.
fn print_round(mode: ProgressMode, round_number: u64, r: &RoundReport) -> Result<(), CliError> {
    if mode == ProgressMode::Json {
        return print::to_stdout(|out| {
            writeln!(out, "{}", crate::progress::round_event(round_number, r))
        });
    }
    print::to_stdout(|out| {
        if let (Status::Planned, Some(plan)) = (r.status, &r.plan) {
            super::plan::print_summary(out, plan)?;
            for m in &r.moves {
                writeln!(out, "  {m}")?;
            }
        }
        writeln!(
            out,
            "kplace heal: round={round_number} status={} violations={} moves={} applied={}{}",
            r.status.name(),
            r.violations,
            r.moves.len(),
            r.applied,
            r.reason
                .as_deref()
                .map(|w| format!(" reason={w:?}"))
                .unwrap_or_default()
        )
    })
}

/// A failed round as the CLI reports it; the policy's file is named where the cluster does not
/// fit it.
fn heal_error(args: &HealArgs, error: HealError) -> CliError {
    match error {
        HealError::Kafka(error) => kafka_error(error),
        HealError::Model(error) => bad_input(format!("{}: {error}", args.policy.display())),
        HealError::Infeasible { report, .. } => CliError::Infeasible(report),
        HealError::Plan(error) => bad_input(error.to_string()),
        HealError::Capacity(error) => bad_input(error.to_string()),
        other => CliError::Internal(other.to_string()),
    }
}

/// `--state-file`: where the dead-broker state lives between `--once` runs.
struct StateFile<'a> {
    args: &'a HealArgs,
}

impl StateStore for StateFile<'_> {
    type Error = CliError;

    fn load(&mut self) -> Result<DeadSince, CliError> {
        load_state(self.args)
    }

    fn save(&mut self, state: &DeadSince) -> Result<(), CliError> {
        if self.args.state_file.is_some() {
            let mut outputs = prepare_state_file(self.args)?;
            outputs.set("--state-file", print::json_bytes(state)?);
            outputs.commit()?;
        }
        Ok(())
    }
}

/// The state file as an output, checked (it is read too, by design, so it is not among the
/// inputs it must differ from).
fn prepare_state_file(args: &HealArgs) -> Result<Outputs, CliError> {
    let mut inputs = args.kafka.inputs();
    inputs.push(("--policy", args.policy.as_path()));
    inputs.extend(args.capacity.inputs());
    Outputs::prepare(&inputs, &[("--state-file", args.state_file.as_deref())])
}

/// The dead-broker state the first round starts from. A `--once` run is a fresh process each
/// time (a CronJob), so the time a broker has been down lives only in the state file: without
/// one, or with one that vanished (a volume not mounted), the grace period could never pass, and
/// the run refuses rather than wait forever in silence.
fn load_state(args: &HealArgs) -> Result<DeadSince, CliError> {
    let needs_state = args.once && !args.dead_broker_grace.is_zero();
    match &args.state_file {
        None if needs_state => Err(bad_input(
            "heal --once: --state-file is required: each --once run is a fresh process, so the \
             time a broker has been down (for --dead-broker-grace) must be kept in a file on \
             storage that outlives the run (e.g. a PersistentVolumeClaim for a CronJob); create \
             it once with `echo '{}' > FILE`"
                .to_string(),
        )),
        None => Ok(DeadSince::default()),
        Some(path) if path.exists() => {
            let bytes = crate::files::read_bytes(path)?;
            if bytes.iter().all(u8::is_ascii_whitespace) {
                return Ok(DeadSince::default());
            }
            serde_json::from_slice(&bytes)
                .map_err(|e| bad_input(format!("{}: not a heal state file: {e}", path.display())))
        }
        Some(path) if needs_state => Err(bad_input(format!(
            "{}: --state-file does not exist; heal --once keeps the time brokers have been down \
             there between runs, so it must be on storage that outlives the run (is the volume \
             mounted?); create it once with `echo '{{}}' > {}`",
            path.display(),
            path.display()
        ))),
        Some(_) => Ok(DeadSince::default()),
    }
}
