//! `kplace plan`: a reassignment plan that meets the hard goals and improves the soft ones, moving
//! as little data as the goals allow.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use kplace_optimizer::exact::ExactError;
use kplace_optimizer::limits::Operation;
use kplace_optimizer::plan::{GoalState, Plan, PlanInputs};
use kplace_optimizer::planner::{make_plan, PlanError, PlanRequest};
use kplace_optimizer::skipped::Skipped;
use kplace_placement::snapshot::BrokerId;

use crate::exit::{bad_input, CliError, OK};
use crate::goal_args::GoalArgs;
use crate::html_args::HtmlArgs;
use crate::model_args::{Format, ModelArgs};
use crate::outputs::Outputs;
use crate::print;

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
    /// Only the drained replicas move (each to the best broker for the goals), plus what a hard
    /// goal needs, unless `--rebalance` or `--goals` asks for more.
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    remove_brokers: Vec<BrokerId>,
    /// With `--remove-brokers`: rebalance the whole cluster after the drain (every soft goal may
    /// move replicas), instead of moving only the drained replicas.
    #[arg(long)]
    rebalance: bool,
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
    /// After the goals, improve what they leave above its bound (most replicas or leaders on one
    /// broker): solve small neighbourhoods exactly (HiGHS) under every goal, keeping what is
    /// better. The budget is work, not time: DURATION (`30s`, `2m`) is converted to
    /// neighbourhoods, one per second (about what a 2-core machine solves on large clusters;
    /// some take longer), so the same input and budget give the same plan on every machine.
    /// Stops early once every target reaches its bound or stalls. Needs the HiGHS build.
    #[arg(long, value_name = "DURATION", value_parser = crate::durations::parse_positive_duration)]
    improve: Option<std::time::Duration>,
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
    /// Most new replicas one stage of a move adds, 1 to 1000 (as apply --stage-size, which
    /// defaults to the plan's): PLAN.json lists each staged move's stages.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
    stage_size: u32,
}

/// Runs `kplace plan`.
pub fn run(args: PlanArgs) -> Result<ExitCode, CliError> {
    let config = args.goal_args.config()?;
    crate::broker_lists::check(&[
        ("--exclude-brokers", &args.model.exclude_brokers),
        ("--add-brokers", &args.add_brokers),
        ("--remove-brokers", &args.remove_brokers),
        ("--demote-brokers", &args.demote_brokers),
    ])?;
    let mut outputs = Outputs::prepare(
        &args.model.inputs(),
        &[
            ("--reassignment-json", args.reassignment_json.as_deref()),
            ("--out", args.out.as_deref()),
            ("--html", args.html.as_deref()),
        ],
    )?;
    let loaded = args
        .model
        .load_excluding("--remove-brokers", &args.remove_brokers)?;
    let model = &loaded.model;
    let mut excluded_brokers = args.model.exclude_brokers.clone();
    excluded_brokers.extend_from_slice(&args.remove_brokers);
    let request = PlanRequest::new()
        .with_goals(args.goal_args.goals.clone())
        .with_config(config)
        .with_operation(
            Operation::default()
                .with_add_brokers(args.add_brokers.clone())
                .with_demote_brokers(args.demote_brokers.clone())
                .with_excluded_topics(args.excluded_topics.clone())
                .with_only_required_moves(
                    !args.remove_brokers.is_empty()
                        && !args.rebalance
                        && args.goal_args.goals.is_empty(),
                ),
        )
        .with_exact(args.exact)
        .with_improve(improve_budget(args.improve))
        .with_inputs(
            PlanInputs::new(loaded.policy.clone()).with_excluded_brokers(excluded_brokers),
        );
    let plan = make_plan(model, &request)
        .map_err(|error| match error {
            PlanError::HardGoal(failure) => CliError::Infeasible(failure.report(model)),
            PlanError::Exact(ExactError::Infeasible) => {
                CliError::Infeasible(ExactError::Infeasible.to_string())
            }
            other => bad_input(other.to_string()),
        })?
        .with_stages(model, args.stage_size);
    if outputs.wants("--reassignment-json") {
        outputs.set(
            "--reassignment-json",
            print::json_bytes(&plan.reassignment_file())?,
        );
    }
    if outputs.wants("--out") {
        outputs.set("--out", print::json_bytes(&plan)?);
    }
    if outputs.wants("--html") {
        let html = args
            .report
            .render(model, &plan, &args.model.snapshot_source(), None)?;
        outputs.set("--html", html);
    }
    outputs.set_stdout_text(match format_or_default(args.format) {
        Format::Json => print::json_bytes(&PlanSummary::of(&plan))?,
        Format::Text => print::render(|out| print_summary(out, &plan))?,
    });
    outputs.commit()?;
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
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    notes: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    staging: Option<kplace_optimizer::plan::Staging>,
    #[serde(skip_serializing_if = "Option::is_none")]
    improvement: Option<kplace_optimizer::improve::Improvement>,
}

impl<'a> PlanSummary<'a> {
    fn of(plan: &'a Plan) -> Self {
        PlanSummary {
            totals: &plan.totals,
            goals: &plan.goals,
            notes: &plan.notes,
            staging: plan.staging,
            improvement: plan.improvement,
        }
    }
}

/// The improvement phase's budget in neighbourhoods for `--improve DURATION` (0 without it).
fn improve_budget(duration: Option<std::time::Duration>) -> u32 {
    duration.map_or(0, |d| {
        let steps =
            d.as_secs_f64() * f64::from(kplace_optimizer::improve::NEIGHBOURHOODS_PER_SECOND);
        (steps.ceil() as u32).max(1)
    })
}

/// Prints the human summary of a plan: totals, then one line per goal.
pub fn print_summary(out: &mut dyn Write, plan: &Plan) -> io::Result<()> {
    let t = &plan.totals;
    writeln!(
        out,
        "Plan: {} partitions change, {} replica moves ({}), {} leader moves.",
        t.partitions_changed,
        t.replica_moves,
        kplace_report::render::units::bytes(t.bytes_to_move as f64),
        t.leader_moves
    )?;
    if let Some(s) = plan.staging.filter(|s| s.staged_partitions > 0) {
        writeln!(
            out,
            "Staged (--stage-size {}): {} partitions move in stages, {} reassignments in all; at most {} replicas of a partition at once.",
            s.stage_size, s.staged_partitions, s.stages, s.most_replicas
        )?;
    }
    writeln!(
        out,
        "{:<22} {:<5} {:<28} {:<28} cost",
        "goal", "hard", "before", "after"
    )?;
    for goal in &plan.goals {
        writeln!(
            out,
            "{:<22} {:<5} {:<28} {:<28} {}",
            goal.name,
            match (goal.hard, goal.guard) {
                (_, true) => "guard",
                (true, false) => "yes",
                (false, false) => "no",
            },
            outcome_status(&goal.before, goal.skipped.as_ref()),
            outcome_status(&goal.after, goal.skipped.as_ref()),
            goal_cost(&goal.cost)
        )?;
        if let Some(skipped) = goal.skipped.as_ref().filter(|s| !s.is_whole()) {
            writeln!(out, "  {}", skipped.sentence())?;
        }
        if let Some(bound) = &goal.bound {
            writeln!(out, "  {}", bound_line(bound))?;
            if let Some(why) = &bound.why {
                writeln!(out, "  band out of reach: {why}")?;
            }
        }
    }
    if let Some(bound) = &plan.bounds {
        writeln!(
            out,
            "Moves: {} against a bound of {}; bytes: {} against a bound of {}.",
            t.replica_moves,
            bound.replica_moves,
            kplace_report::render::units::bytes(t.bytes_to_move as f64),
            kplace_report::render::units::bytes(bound.bytes_to_move as f64)
        )?;
    }
    if let Some(i) = &plan.improvement {
        writeln!(
            out,
            "Improve: {} of {} neighbourhoods solved, {} kept ({}).",
            i.solved,
            i.budget,
            i.kept,
            goal_cost(&i.cost)
        )?;
    }
    let guards: Vec<&str> = plan
        .goals
        .iter()
        .filter(|g| g.guard)
        .map(|g| g.name.as_str())
        .collect();
    if !guards.is_empty() {
        writeln!(
            out,
            "guard: hard goals not in --goals ({}) vetoed every move that would make them worse.",
            guards.join(", ")
        )?;
    }
    for note in &plan.notes {
        writeln!(out, "note: {note}")?;
    }
    Ok(())
}

/// `most replicas on one broker: 17 -> 22, bound 19 (relaxed)`.
pub fn bound_line(bound: &kplace_optimizer::plan::GoalBound) -> String {
    let kind = match bound.kind {
        kplace_optimizer::plan::BoundKind::Exact => "exact",
        kplace_optimizer::plan::BoundKind::Relaxed => "relaxed",
    };
    let figure = |v: f64| {
        if v.fract() == 0.0 {
            format!("{v:.0}")
        } else {
            format!("{v:.3}")
        }
    };
    format!(
        "{}: {} -> {}, bound {} ({kind})",
        bound.metric,
        figure(bound.before),
        figure(bound.after),
        figure(bound.bound)
    )
}

/// `N moves (B)`: what a goal's turns added to the plan (net, so it can be negative).
pub fn goal_cost(cost: &kplace_optimizer::plan::GoalCost) -> String {
    let bytes = kplace_report::render::units::bytes(cost.bytes_to_move.unsigned_abs() as f64);
    let sign = if cost.bytes_to_move < 0 { "-" } else { "" };
    format!("{} moves ({sign}{bytes})", cost.replica_moves)
}

/// [`goal_status`], or `skipped (no capacity data)` for a goal that checked nothing.
pub fn outcome_status(state: &GoalState, skipped: Option<&Skipped>) -> String {
    match skipped {
        Some(skipped) if skipped.is_whole() => format!("skipped ({})", skipped.reason),
        _ => goal_status(state),
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
