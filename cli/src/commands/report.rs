//! `kplace report`: the HTML preview of a saved plan.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use kplace_optimizer::plan::Plan;
use kplace_placement::model::{ClusterModel, ModelOptions};

use crate::exit::{bad_input, CliError, OK};
use crate::files::{read_bytes, read_snapshot, Outputs};
use crate::html_args::HtmlArgs;

/// Write the HTML preview of a saved plan: one self-contained file (no network fetches) with the
/// goals before and after, spread heatmaps, broker load, failure scenarios and the moves.
///
/// The model is rebuilt from the snapshot and the policy and exclusions recorded in the plan.
/// Exit status: 0 report written, 2 bad input (nothing written).
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
}

/// Runs `kplace report`.
pub fn run(args: ReportArgs) -> Result<ExitCode, CliError> {
    let snapshot = read_snapshot(&args.snapshot)?;
    let plan: Plan = serde_json::from_slice(&read_bytes(&args.plan)?)
        .map_err(|e| bad_input(format!("{}: not a kplace plan: {e}", args.plan.display())))?;
    let options = ModelOptions {
        exclude_brokers: plan.inputs.excluded_brokers.clone(),
    };
    let model = ClusterModel::build(&snapshot, &plan.inputs.policy, &options).map_err(|e| {
        let source = if e.in_policy() {
            &args.plan
        } else {
            &args.snapshot
        };
        bad_input(format!("{}: {e}", source.display()))
    })?;
    let html = args
        .report
        .render(&model, &plan, &args.snapshot, Some(&args.plan))?;
    let mut outputs = Outputs::default();
    outputs.add(&args.out, html);
    outputs.commit()?;
    Ok(ExitCode::from(OK))
}
