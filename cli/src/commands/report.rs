//! `kplace report`: the HTML preview of a saved plan.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use kplace_placement::model::{ClusterModel, ModelOptions};

use crate::exit::{bad_input, CliError, OK};
use crate::files::{read_plan, read_snapshot};
use crate::html_args::HtmlArgs;
use crate::outputs::Outputs;

/// Write the HTML preview of a saved plan: one self-contained file (no network fetches) with the
/// goals before and after, spread heatmaps, broker load, failure scenarios and the moves.
///
/// The model is rebuilt from the snapshot and the policy and exclusions recorded in the plan. The
/// plan is checked against itself (each partition once, replica lists, totals) and against the
/// snapshot (its old replicas must be the snapshot's: a plan of a cluster that has changed since
/// is refused). Exit status: 0 report written, 2 bad input (nothing written).
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Snapshot of the cluster the plan was made on.
    #[arg(long, value_name = "FILE")]
    snapshot: PathBuf,
    /// The plan (PLAN.json, as written by `kplace plan --out`).
    #[arg(long, value_name = "FILE")]
    plan: PathBuf,
    /// Where to write the HTML report.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    #[command(flatten)]
    report: HtmlArgs,
    #[command(flatten)]
    capacity: crate::capacity_args::CapacityArgs,
}

/// Runs `kplace report`.
pub fn run(args: ReportArgs) -> Result<ExitCode, CliError> {
    let mut inputs = vec![
        ("--snapshot", args.snapshot.as_path()),
        ("--plan", args.plan.as_path()),
    ];
    inputs.extend(args.capacity.inputs());
    let mut outputs = Outputs::prepare(&inputs, &[("--out", Some(args.out.as_path()))])?;
    let mut snapshot = read_snapshot(&args.snapshot)?;
    if let Some(file) = args.capacity.read()? {
        crate::capacity_args::apply(&file, &mut snapshot)?;
    }
    let plan = read_plan(&args.plan)?;
    let options = ModelOptions::excluding(plan.inputs.excluded_brokers.clone());
    let model = ClusterModel::build(&snapshot, &plan.inputs.policy, &options)
        .map_err(|e| crate::model_args::model_error(&e, &args.snapshot, &args.plan))?;
    plan.check_against(&model).map_err(|e| {
        bad_input(format!(
            "{}: {e} (snapshot {})",
            args.plan.display(),
            args.snapshot.display()
        ))
    })?;
    let html = args
        .report
        .render(&model, &plan, &args.snapshot, Some(&args.plan))?;
    outputs.set("--out", html);
    outputs.commit()?;
    Ok(ExitCode::from(OK))
}
