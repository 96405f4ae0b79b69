//! `kplace heal`: the periodic self-healing job (a Kubernetes CronJob with `--once`, or a loop).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use clap::Args;
use kplace_kafka::apply::validate;
use kplace_kafka::client::KafkaClient;
use kplace_kafka::heal_guards::{guard, DeadSince, Verdict};
use kplace_optimizer::config::GoalConfig;
use kplace_optimizer::engine::evaluate;
use kplace_optimizer::goals::{goals_by_name, Goal, DEFAULT_GOALS};
use kplace_optimizer::limits::Limits;
use kplace_optimizer::plan::PlanInputs;
use kplace_optimizer::planner::{make_plan, PlanError, PlanRequest};
use kplace_placement::model::{ClusterModel, ModelOptions};
use kplace_placement::policy::Policy;

use super::apply::{apply_with_progress, moves_of_plan, BatchingArgs};
use crate::exit::{bad_input, CliError, INFEASIBLE, KAFKA_FAILURE, OK, VIOLATIONS};
use crate::files::read_policy;
use crate::kafka_args::{kafka_error, KafkaArgs};

/// Heal the cluster: each round takes a snapshot, checks the policy's hard goals, plans the
/// fewest moves and, with --execute, applies them (without it, prints the plan).
///
/// Guards: no new moves while reassignments are in flight; a dead broker is healed only after
/// --dead-broker-grace (remembered across --once runs with --state-file); when every broker of a
/// label value is down (a zone outage) the round waits unless the policy says
/// `on_domain_outage: reprotect`; at most --max-moves-per-round moves per round.
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
    /// JSON file remembering since when brokers are down, across --once runs.
    #[arg(long, value_name = "FILE")]
    state_file: Option<PathBuf>,
    /// Most moves planned in one round; the rest wait for later rounds.
    #[arg(long, default_value_t = 100)]
    max_moves_per_round: usize,
    #[command(flatten)]
    batching: BatchingArgs,
}

/// How one round ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Healthy,
    Healed,
    Planned,
    Waiting,
    Partial,
}

impl Status {
    fn name(self) -> &'static str {
        match self {
            Status::Healthy => "healthy",
            Status::Healed => "healed",
            Status::Planned => "planned",
            Status::Waiting => "waiting",
            Status::Partial => "partial",
        }
    }

    fn exit_code(self) -> u8 {
        match self {
            Status::Healthy | Status::Healed => OK,
            Status::Planned | Status::Waiting | Status::Partial => VIOLATIONS,
        }
    }
}

struct Round {
    status: Status,
    violations: usize,
    moves: usize,
    applied: usize,
    reason: Option<String>,
}

/// Runs `kplace heal`.
pub fn run(args: HealArgs) -> Result<ExitCode, CliError> {
    crate::logging::init();
    let policy = read_policy(&args.policy)?;
    let mut dead_since = match &args.state_file {
        Some(path) if path.exists() => {
            let bytes = crate::files::read_bytes(path)?;
            serde_json::from_slice(&bytes)
                .map_err(|e| bad_input(format!("{}: not a heal state file: {e}", path.display())))?
        }
        _ => DeadSince::default(),
    };
    let mut round_number = 0u64;
    loop {
        round_number += 1;
        let outcome = args
            .kafka
            .connect()
            .and_then(|mut client| round(&args, &policy, &mut client, &mut dead_since));
        let code = match &outcome {
            Ok(r) => {
                println!(
                    "kplace heal: round={round_number} status={} violations={} moves={} applied={}{}",
                    r.status.name(),
                    r.violations,
                    r.moves,
                    r.applied,
                    r.reason.as_deref().map(|w| format!(" reason={w:?}")).unwrap_or_default()
                );
                r.status.exit_code()
            }
            Err(error) => {
                let status = match error {
                    CliError::Infeasible(_) => "infeasible",
                    CliError::BadInput(_) => "bad-input",
                    _ => "failed",
                };
                println!(
                    "kplace heal: round={round_number} status={status} error={:?}",
                    error.to_string()
                );
                if args.once || matches!(error, CliError::BadInput(_)) && round_number == 1 {
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
        if let Some(path) = &args.state_file {
            let bytes = serde_json::to_vec_pretty(&dead_since)
                .map_err(|e| CliError::Internal(e.to_string()))?;
            let mut outputs = crate::files::Outputs::default();
            outputs.add(path, bytes);
            outputs.commit()?;
        }
        match args.interval {
            Some(interval) if !args.once => std::thread::sleep(interval),
            _ => return Ok(ExitCode::from(code)),
        }
    }
}

fn round(
    args: &HealArgs,
    policy: &Policy,
    client: &mut KafkaClient,
    dead_since: &mut DeadSince,
) -> Result<Round, CliError> {
    let snapshot = kplace_kafka::snapshot::take_snapshot(client).map_err(kafka_error)?;
    let now = SystemTime::now();
    dead_since.observe(&snapshot, now);
    let model = ClusterModel::build(&snapshot, policy, &ModelOptions::default())
        .map_err(|e| bad_input(format!("{}: {e}", args.policy.display())))?;
    let violations = hard_goal_violations(&model);
    let verdict = guard(
        &snapshot,
        &model,
        policy.on_domain_outage,
        dead_since,
        now,
        args.dead_broker_grace,
    );
    if let Verdict::Wait(reason) = verdict {
        let status = if violations == 0 {
            Status::Healthy
        } else {
            Status::Waiting
        };
        return Ok(Round {
            status,
            violations,
            moves: 0,
            applied: 0,
            reason: Some(reason),
        });
    }
    if violations == 0 {
        return Ok(Round {
            status: Status::Healthy,
            violations,
            moves: 0,
            applied: 0,
            reason: None,
        });
    }
    let inputs = PlanInputs {
        policy: policy.clone(),
        excluded_brokers: Vec::new(),
    };
    let request = PlanRequest {
        goals: hard_goal_names(),
        inputs,
        ..PlanRequest::default()
    };
    let plan = make_plan(&model, &request).map_err(|error| match error {
        PlanError::HardGoal(failure) => CliError::Infeasible(failure.report(&model)),
        other => bad_input(other.to_string()),
    })?;
    let mut moves = moves_of_plan(&plan);
    let planned = moves.len();
    moves.truncate(args.max_moves_per_round);
    let reason = (planned > moves.len())
        .then(|| format!("{planned} moves planned, {} this round", moves.len()));
    if !args.execute {
        super::plan::print_summary(&plan);
        for m in &moves {
            println!("  {}-{} -> {:?}", m.topic, m.partition, m.target);
        }
        return Ok(Round {
            status: Status::Planned,
            violations,
            moves: moves.len(),
            applied: 0,
            reason,
        });
    }
    validate(client, &moves, "heal plan").map_err(kafka_error)?;
    let report = apply_with_progress(client, &moves, &args.batching.options(true))?;
    let after = kplace_kafka::snapshot::take_snapshot(client).map_err(kafka_error)?;
    let model_after = ClusterModel::build(&after, policy, &ModelOptions::default())
        .map_err(|e| bad_input(format!("{}: {e}", args.policy.display())))?;
    let remaining = hard_goal_violations(&model_after);
    Ok(Round {
        status: if remaining == 0 {
            Status::Healed
        } else {
            Status::Partial
        },
        violations,
        moves: moves.len(),
        applied: report.submitted,
        reason: reason
            .or_else(|| (remaining > 0).then(|| format!("{remaining} violations remain"))),
    })
}

/// The hard goals of the default goal list (spread, capacity, domain survival): what the
/// self-healing job restores. Balance goals are left to planned rebalances an engineer reviews.
fn hard_goals() -> Vec<Box<dyn Goal>> {
    let names: Vec<String> = DEFAULT_GOALS.iter().map(|g| g.to_string()).collect();
    goals_by_name(&names, &GoalConfig::default())
        .expect("the default goals exist")
        .into_iter()
        .filter(|goal| goal.hard())
        .collect()
}

fn hard_goal_names() -> Vec<String> {
    hard_goals()
        .iter()
        .map(|goal| goal.name().to_string())
        .collect()
}

/// Violations of the hard goals in the model's current state, summed over the goals.
fn hard_goal_violations(model: &ClusterModel) -> usize {
    let mut goals = hard_goals();
    evaluate(
        model,
        model.current.clone(),
        &mut goals,
        &Limits::none(model),
    )
    .iter()
    .map(|(_, _, state)| state.violations as usize)
    .sum()
}
