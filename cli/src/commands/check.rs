//! `kplace check`: report every partition that breaks the policy.

use std::process::ExitCode;

use clap::Args;
use kplace_placement::check::{check, ViolationReport};
use serde::Serialize;

use crate::exit::{CliError, OK, VIOLATIONS};
use crate::model_args::{Format, ModelArgs};

/// Check a cluster against a policy.
///
/// Lists every violation per partition with a reason a person can act on, e.g.
/// "payments.ledger-4: cluster=k8s-a holds 6 replicas, at most 3 allowed".
/// Exit status: 0 no violation, 1 violations (reported), 2 bad input.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// Report format on stdout.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

#[derive(Serialize)]
struct CheckReport {
    partitions_checked: usize,
    partitions_violating: usize,
    violations: Vec<ViolationReport>,
}

/// Runs `kplace check`.
pub fn run(args: CheckArgs) -> Result<ExitCode, CliError> {
    let loaded = args.model.load()?;
    let model = &loaded.model;
    let violations = check(model, &model.current);
    let mut violating: Vec<u32> = violations.iter().map(|v| v.partition).collect();
    violating.dedup();
    let report = CheckReport {
        partitions_checked: model.partitions.len(),
        partitions_violating: violating.len(),
        violations: violations.iter().map(|v| v.report(model)).collect(),
    };
    match args.format {
        Format::Json => crate::print::json(&report)?,
        Format::Text => {
            for v in &report.violations {
                println!("{}-{}: {}  [{}]", v.topic, v.partition, v.message, v.rule);
            }
            if report.violations.is_empty() {
                println!("OK: {} partitions meet the policy.", report.partitions_checked);
            } else {
                println!(
                    "{} violations in {} of {} partitions.",
                    report.violations.len(),
                    report.partitions_violating,
                    report.partitions_checked
                );
            }
        }
    }
    Ok(ExitCode::from(if violations.is_empty() { OK } else { VIOLATIONS }))
}
