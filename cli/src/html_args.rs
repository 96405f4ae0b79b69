//! The options every command that writes an HTML report shares (`kplace plan --html`,
//! `kplace report`): the throttle the copy-time estimate assumes, and the rendering call.

use std::path::Path;

use clap::Args;
use kplace_optimizer::plan::Plan;
use kplace_placement::model::ClusterModel;
use kplace_report::{PageInfo, ReportOptions, DEFAULT_THROTTLE};

use crate::exit::{bad_input, CliError};

/// Options of the HTML report.
#[derive(Debug, Args)]
pub struct HtmlArgs {
    /// Replication throttle per broker for the report's copy-time estimate, in bytes per second;
    /// a suffix K, M, G (powers of 1000) or Ki, Mi, Gi (powers of 1024) may follow, e.g. `50Mi`.
    #[arg(long, value_name = "BYTES_PER_SEC", value_parser = parse_rate, default_value_t = DEFAULT_THROTTLE)]
    pub throttle: u64,
}

impl HtmlArgs {
    /// Renders the HTML report of `plan` on `model`, made from the snapshot at `snapshot`.
    /// `plan_file` names the plan in messages when it does not fit the snapshot.
    pub fn render(
        &self,
        model: &ClusterModel,
        plan: &Plan,
        snapshot: &Path,
        plan_file: Option<&Path>,
    ) -> Result<Vec<u8>, CliError> {
        let options = ReportOptions {
            throttle: self.throttle,
            ..ReportOptions::default()
        };
        let info = PageInfo {
            title: "kplace plan preview".to_string(),
            subtitle: format!(
                "Snapshot {} · {} policy rules · made by kplace {}",
                snapshot.display(),
                plan.inputs.policy.rules.len(),
                plan.kplace_version
            ),
        };
        let html = kplace_report::render_plan(model, plan, &options, &info).map_err(|e| {
            let source = plan_file.unwrap_or(snapshot);
            bad_input(format!(
                "{}: {e} (snapshot {})",
                source.display(),
                snapshot.display()
            ))
        })?;
        Ok(html.into_bytes())
    }
}

/// Parses `104857600`, `100Mi`, `50M`, `1.5Gi` (optionally followed by `B`, `B/s` or `/s`).
pub fn parse_rate(text: &str) -> Result<u64, String> {
    let trimmed = text.trim().trim_end_matches("/s").trim_end_matches('B');
    let split = trimmed
        .find(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(trimmed.len());
    let (number, suffix) = trimmed.split_at(split);
    let factor: f64 = match suffix {
        "" => 1.0,
        "K" | "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "Ki" => 1024.0,
        "Mi" => 1024.0 * 1024.0,
        "Gi" => 1024.0 * 1024.0 * 1024.0,
        _ => {
            return Err(format!(
                "unknown unit '{suffix}' in '{text}' (use K, M, G, Ki, Mi or Gi)"
            ))
        }
    };
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("'{text}' is not a rate in bytes per second"))?;
    let rate = value * factor;
    if !(rate.is_finite() && rate >= 1.0) {
        return Err(format!(
            "'{text}': the throttle must be at least 1 byte per second"
        ));
    }
    Ok(rate.round() as u64)
}

#[cfg(test)]
mod tests {
    use super::parse_rate;

    #[test]
    fn parses_rates() {
        assert_eq!(parse_rate("104857600"), Ok(104_857_600));
        assert_eq!(parse_rate("100Mi"), Ok(104_857_600));
        assert_eq!(parse_rate("50MB/s"), Ok(50_000_000));
        assert_eq!(parse_rate("1.5Gi"), Ok(1_610_612_736));
        assert!(parse_rate("0").is_err());
        assert!(parse_rate("fast").is_err());
        assert!(parse_rate("10Xi").is_err());
    }
}
