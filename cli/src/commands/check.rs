//! `kplace check`: every partition that breaks the policy, and each goal's status.

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Args;
use kplace_optimizer::engine::evaluate_all;
use kplace_optimizer::limits::Limits;
use kplace_optimizer::plan::GoalState;
use kplace_optimizer::planner::PlanRequest;
use kplace_optimizer::skipped::Skipped;
use kplace_placement::check::{check, ViolationReport};
use serde::Serialize;

use crate::exit::{bad_input, CliError, OK, VIOLATIONS};
use crate::goal_args::GoalArgs;
use crate::model_args::{Format, ModelArgs};

/// Check a cluster against a policy and the goals.
///
/// Lists every policy violation per partition with a reason a person can act on, e.g.
/// "payments.ledger-4: cluster=k8s-a holds 6 replicas, at most 3 allowed", then each goal's
/// status. Exit status: 0 fine, 1 a hard goal is violated or a soft goal named in `--goals` is
/// (reported), 2 bad input.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    model: ModelArgs,
    #[command(flatten)]
    goal_args: GoalArgs,
    /// Report format on stdout.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

#[derive(Serialize)]
struct CheckReport {
    partitions_checked: usize,
    partitions_violating: usize,
    violations: Vec<ViolationReport>,
    goals: Vec<GoalStatus>,
    /// How the inputs were read, e.g. brokers kept free of replicas for their rack.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    notes: Vec<String>,
}

#[derive(Serialize)]
struct GoalStatus {
    name: String,
    hard: bool,
    /// Whether a violation of this goal fails the check (hard, or named in `--goals`).
    enforced: bool,
    #[serde(flatten)]
    state: GoalState,
    /// What the goal could not check for lack of data.
    #[serde(skip_serializing_if = "Option::is_none")]
    skipped: Option<Skipped>,
}

/// Runs `kplace check`.
pub fn run(args: CheckArgs) -> Result<ExitCode, CliError> {
    let config = args.goal_args.config()?;
    let loaded = args.model.load()?;
    let model = &loaded.model;
    let named = &args.goal_args.goals;
    let mut names = PlanRequest::default().goal_names();
    names.extend(
        named
            .iter()
            .filter(|n| !names.contains(n))
            .cloned()
            .collect::<Vec<_>>(),
    );
    let request = PlanRequest::new().with_goals(names).with_config(config);
    let mut goals = request
        .build_goals()
        .map_err(|e| bad_input(e.to_string()))?;
    let states = evaluate_all(
        model,
        model.current().clone(),
        &mut goals,
        &Limits::none(model),
    );

    let violations = check(model, model.current());
    let mut violating: Vec<u32> = violations.iter().map(|v| v.partition).collect();
    violating.dedup();
    let report = CheckReport {
        partitions_checked: model.partitions().len(),
        partitions_violating: violating.len(),
        violations: violations.iter().map(|v| v.report(model)).collect(),
        goals: states
            .into_iter()
            .map(|e| GoalStatus {
                enforced: e.hard || named.contains(&e.name),
                name: e.name,
                hard: e.hard,
                state: e.state,
                skipped: e.skipped,
            })
            .collect(),
        notes: model.notes(),
    };
    let failed = report
        .goals
        .iter()
        .any(|g| g.enforced && !g.state.satisfied);
    match args.format {
        Format::Json => crate::print::json(&report)?,
        Format::Text => crate::print::to_stdout(|out| print_text(out, &report))?,
    }
    Ok(ExitCode::from(if failed { VIOLATIONS } else { OK }))
}

fn print_text(out: &mut dyn Write, report: &CheckReport) -> io::Result<()> {
    for note in &report.notes {
        writeln!(out, "note: {note}")?;
    }
    for v in &report.violations {
        writeln!(
            out,
            "{}-{}: {}  [{}]",
            v.topic, v.partition, v.message, v.rule
        )?;
    }
    if report.violations.is_empty() {
        writeln!(
            out,
            "OK: {} partitions meet the policy.",
            report.partitions_checked
        )?;
    } else {
        writeln!(
            out,
            "{} violations in {} of {} partitions.",
            report.violations.len(),
            report.partitions_violating,
            report.partitions_checked
        )?;
    }
    writeln!(out, "{:<22} {:<5} status", "goal", "hard")?;
    for goal in &report.goals {
        writeln!(
            out,
            "{:<22} {:<5} {}{}",
            goal.name,
            if goal.hard { "yes" } else { "no" },
            super::plan::outcome_status(&goal.state, goal.skipped.as_ref()),
            if goal.enforced {
                ""
            } else {
                "  (not enforced)"
            }
        )?;
        if let Some(skipped) = goal.skipped.as_ref().filter(|s| !s.is_whole()) {
            writeln!(out, "    {}", skipped.sentence())?;
        }
        if goal.enforced && !goal.state.satisfied {
            for example in &goal.state.examples {
                writeln!(out, "    {example}")?;
            }
        }
    }
    Ok(())
}
