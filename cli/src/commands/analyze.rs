//! `kplace analyze`: what losing each failure domain, each broker, and each domain plus its worst
//! broker does to the cluster as it is.

use std::process::ExitCode;

use clap::Args;
use kplace_optimizer::analysis::analyze;

use crate::exit::{CliError, OK};
use crate::model_args::{Format, ModelArgs};

/// Failure analysis: for each value of each label a rule uses (zone=az1, cluster=k8s-b, ...),
/// for each broker, and for each value plus the worst additional broker, the partitions left
/// offline (no in-sync survivor) and under min ISR (writes with acks=all blocked).
///
/// Survivors are in-sync survivors: replicas on live brokers in the partition's ISR or, when the
/// cluster reports them (KIP-966), its eligible leader replicas. A copy out of sync counts for
/// nothing: it can neither be elected cleanly nor count towards min ISR.
///
/// min ISR per topic: the rule's `min_insync_replicas`, else the snapshot's topic setting, else 1.
/// Exit status: 0 analysed, 2 bad input.
#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// Report format on stdout.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

/// Runs `kplace analyze`.
pub fn run(args: AnalyzeArgs) -> Result<ExitCode, CliError> {
    let loaded = args.model.load()?;
    let model = &loaded.model;
    let analysis = analyze(model, model.current());
    match args.format {
        Format::Json => crate::print::json(&analysis)?,
        Format::Text => crate::print::to_stdout(|out| {
            writeln!(
                out,
                "{:<34} {:>9} {:>15} {:>15}",
                "scenario", "offline", "under min ISR", "writes blocked"
            )?;
            for s in &analysis.scenarios {
                writeln!(
                    out,
                    "{:<34} {:>9} {:>15} {:>15}",
                    s.scenario,
                    s.offline_partitions,
                    s.under_min_isr_partitions,
                    s.writes_blocked_partitions
                )?;
            }
            writeln!(
                out,
                "(survivors counted: replicas on live brokers in the ISR or, where the cluster reports them, the eligible leader replicas)"
            )?;
            Ok(())
        })?,
    }
    Ok(ExitCode::from(OK))
}
