//! `kplace plan`: a reassignment plan that meets the hard goals and improves the soft ones, moving
//! as little data as the goals allow.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use kplace_optimizer::exact::ExactError;
use kplace_optimizer::limits::Operation;
use kplace_optimizer::plan::{GoalState, Plan, PlanInputs};
use kplace_optimizer::planner::{make_plan, PlanError, PlanRequest};
use kplace_placement::snapshot::BrokerId;

use crate::exit::{bad_input, CliError, OK};
use crate::files::Outputs;
use crate::goal_args::GoalArgs;
use crate::html_args::HtmlArgs;
use crate::model_args::{Format, ModelArgs};

/// Plan a reassignment: meet the hard goals, improve the soft ones, move as little as possible.
///
/// Goals run in priority order (`--goals`); a later goal never makes an earlier one worse. Hard
/// goals (spread, capacity, domain-survival) must hold, soft goals are best effort and reported.
/// Leadership changes come first (no data moves), then moves of the replicas that relieve the
/// most per byte copied. Nothing is written unless everything is.
/// Exit status: 0 plan written (possibly empty), 2 bad input, 3 a hard goal cannot be met
/// (explained: which rule, domain, broker or partitions).
#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    model: ModelArgs,
    #[command(flatten)]
    goal_args: GoalArgs,
    /// Scale-out: new brokers that take load; balancing moves go only onto them.
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    add_brokers: Vec<BrokerId>,
    /// Drain these brokers completely, keeping every goal; replicas move to their neighbours.
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    remove_brokers: Vec<BrokerId>,
    /// Move leadership off these brokers.
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    demote_brokers: Vec<BrokerId>,
    /// Leave topics whose whole name matches this regex alone (unless on dead or removed brokers).
    #[arg(long, value_name = "REGEX")]
    excluded_topics: Option<String>,
    /// Start from the exact placement: a MILP (HiGHS) meeting spread, domain survival, every
    /// capacity and, where they can all hold, every balance band (replicas, leaders, disk,
    /// network, CPU) with the fewest bytes copied. For clusters up to a few thousand partitions;
    /// the other goals then run as usual.
    #[arg(long)]
    exact: bool,
    /// Write Kafka's reassignment JSON (changed partitions only), as kafka-reassign-partitions
    /// --execute reads it.
    #[arg(long, value_name = "FILE")]
    reassignment_json: Option<PathBuf>,
    /// Write the full plan (PLAN.json: moves, goals and broker load before and after).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Write the plan's HTML preview: one self-contained file (no network fetches) with goals,
    /// spread heatmaps, broker load and failure scenarios before and after, and the moves.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    #[command(flatten)]
    report: HtmlArgs,
    /// Summary format on stdout (default: text on a terminal, json otherwise).
    #[arg(long, value_enum)]
    format: Option<Format>,
}

/// Runs `kplace plan`.
pub fn run(args: PlanArgs) -> Result<ExitCode, CliError> {
    let loaded = args
        .model
        .load_excluding("--remove-brokers", &args.remove_brokers)?;
    let model = &loaded.model;
    let mut excluded_brokers = args.model.exclude_brokers.clone();
    excluded_brokers.extend_from_slice(&args.remove_brokers);
    let request = PlanRequest {
        goals: args.goal_args.goals.clone(),
        config: args.goal_args.config(),
        operation: Operation {
            add_brokers: args.add_brokers.clone(),
            demote_brokers: args.demote_brokers.clone(),
            excluded_topics: args.excluded_topics.clone(),
        },
        exact: args.exact,
        inputs: PlanInputs {
            policy: loaded.policy.clone(),
            excluded_brokers,
        },
    };
    let plan = make_plan(model, &request).map_err(|error| match error {
        PlanError::HardGoal(failure) => CliError::Infeasible(failure.report(model)),
        PlanError::Exact(ExactError::Infeasible) => {
            CliError::Infeasible(ExactError::Infeasible.to_string())
        }
        other => bad_input(other.to_string()),
    })?;
    let mut outputs = Outputs::default();
    if let Some(path) = &args.reassignment_json {
        outputs.add(path, to_json(&plan.reassignment_file())?);
    }
    if let Some(path) = &args.out {
        outputs.add(path, to_json(&plan)?);
    }
    if let Some(path) = &args.html {
        outputs.add(
            path,
            args.report
                .render(model, &plan, &args.model.snapshot_source(), None)?,
        );
    }
    outputs.commit()?;
    match format_or_default(args.format) {
        Format::Json => crate::print::json(&PlanSummary::of(&plan))?,
        Format::Text => print_summary(&plan),
    }
    Ok(ExitCode::from(OK))
}

/// The requested format, else text on a terminal and JSON for scripts.
pub fn format_or_default(format: Option<Format>) -> Format {
    format.unwrap_or(if std::io::stdout().is_terminal() {
        Format::Text
    } else {
        Format::Json
    })
}

/// What `plan --format json` prints: the totals and each goal's state before and after.
#[derive(serde::Serialize)]
struct PlanSummary<'a> {
    totals: &'a kplace_optimizer::plan::Totals,
    goals: &'a [kplace_optimizer::plan::GoalOutcome],
}

impl<'a> PlanSummary<'a> {
    fn of(plan: &'a Plan) -> Self {
        PlanSummary {
            totals: &plan.totals,
            goals: &plan.goals,
        }
    }
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, CliError> {
    let mut bytes = serde_json::to_vec_pretty(value)
        .map_err(|e| CliError::Internal(format!("cannot serialise output: {e}")))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Prints the human summary of a plan: totals, then one line per goal.
pub fn print_summary(plan: &Plan) {
    let t = &plan.totals;
    println!(
        "Plan: {} partitions change, {} replica moves ({}), {} leader moves.",
        t.partitions_changed,
        t.replica_moves,
        kplace_report::render::units::bytes(t.bytes_to_move as f64),
        t.leader_moves
    );
    println!("{:<22} {:<5} {:<28} after", "goal", "hard", "before");
    for goal in &plan.goals {
        println!(
            "{:<22} {:<5} {:<28} {}",
            goal.name,
            if goal.hard { "yes" } else { "no" },
            goal_status(&goal.before),
            goal_status(&goal.after)
        );
    }
}

/// `satisfied` or `violated (N, score S)`.
pub fn goal_status(state: &GoalState) -> String {
    if state.satisfied {
        "satisfied".to_string()
    } else {
        format!("violated ({}, score {:.2})", state.violations, state.score)
    }
}
