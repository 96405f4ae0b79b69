//! `kplace plan`: the fewest moves that bring the cluster back to its policy.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use kplace_optimizer::plan::{Plan, PlanInputs};
use kplace_optimizer::spread_plan::plan_spread;

use crate::exit::{bad_input, CliError, OK};
use crate::files::Outputs;
use crate::html_args::HtmlArgs;
use crate::infeasible::infeasible_error;
use crate::model_args::{Format, ModelArgs};

/// Plan the reassignment that brings a cluster back to its policy, moving as little as possible.
///
/// Only partitions that break their rule change, and each keeps the largest set of its current
/// replicas that can be completed to a valid placement. Nothing is written unless everything is.
/// Exit status: 0 plan written (possibly empty), 2 bad input, 3 the rules cannot be met
/// (explained: which rule, which zone or cluster, how many brokers are missing).
#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// Goals to optimise, in priority order (comma-separated). `spread`: the policy's rules.
    #[arg(long, value_delimiter = ',', default_value = "spread")]
    goals: Vec<String>,
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
    /// Summary format on stdout.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

/// Runs `kplace plan`.
pub fn run(args: PlanArgs) -> Result<ExitCode, CliError> {
    if let Some(unknown) = args.goals.iter().find(|g| g.as_str() != "spread") {
        return Err(bad_input(format!("--goals: unknown goal '{unknown}' (known: spread)")));
    }
    let loaded = args.model.load()?;
    let model = &loaded.model;
    let inputs = PlanInputs {
        policy: loaded.policy.clone(),
        excluded_brokers: args.model.exclude_brokers.clone(),
    };
    let plan = plan_spread(model, inputs).map_err(|groups| infeasible_error(model, &groups))?;
    let mut outputs = Outputs::default();
    if let Some(path) = &args.reassignment_json {
        outputs.add(path, to_json(&plan.reassignment_file())?);
    }
    if let Some(path) = &args.out {
        outputs.add(path, to_json(&plan)?);
    }
    if let Some(path) = &args.html {
        outputs.add(path, args.report.render(model, &plan, &args.model.snapshot, None)?);
    }
    outputs.commit()?;
    match args.format {
        Format::Json => crate::print::json(&plan.totals)?,
        Format::Text => print_summary(&plan),
    }
    Ok(ExitCode::from(OK))
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, CliError> {
    let mut bytes = serde_json::to_vec_pretty(value)
        .map_err(|e| CliError::Internal(format!("cannot serialise output: {e}")))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Prints the human summary of a plan.
pub fn print_summary(plan: &Plan) {
    let t = &plan.totals;
    println!(
        "Plan: {} partitions change, {} replica moves ({}), {} leader moves.",
        t.partitions_changed,
        t.replica_moves,
        human_bytes(t.bytes_to_move),
        t.leader_moves
    );
    println!("{:<22} {:<5} {:<24} {}", "goal", "hard", "before", "after");
    for goal in &plan.goals {
        let state = |s: &kplace_optimizer::plan::GoalState| {
            if s.satisfied {
                "satisfied".to_string()
            } else {
                format!("violated ({})", s.violations)
            }
        };
        println!(
            "{:<22} {:<5} {:<24} {}",
            goal.name,
            if goal.hard { "yes" } else { "no" },
            state(&goal.before),
            state(&goal.after)
        );
    }
}

/// Bytes in binary units, e.g. `48.2 GiB`.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}
