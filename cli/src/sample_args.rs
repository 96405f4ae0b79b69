//! `--sample DURATION [--samples N] [--rate-percentile P]`: measure produce and consume rates of
//! a live cluster before snapshotting it (`snapshot`, and `plan`/`check`/`analyze` with
//! `--bootstrap-server`). See `kplace_kafka::sampling`.

use std::time::Duration;

use clap::Args;
use kplace_kafka::client::KafkaClient;
use kplace_kafka::rates::Statistic;
use kplace_kafka::sampling::SampleOptions;
use kplace_placement::snapshot::Snapshot;

use crate::exit::{bad_input, CliError};

/// The longest total sampling time kplace accepts (every wait is bounded).
const MAX_TOTAL: Duration = Duration::from_secs(24 * 3600);

/// How to sample rates.
#[derive(Debug, Clone, Args)]
pub struct SampleArgs {
    /// Measure produce and consume rates: read the cluster's offsets twice, DURATION apart
    /// (e.g. `60s`, `5m`), and give each partition its network in/out and an estimated CPU load.
    #[arg(long, value_name = "DURATION", value_parser = crate::durations::parse_duration)]
    pub sample: Option<Duration>,
    /// With --sample: the number of consecutive windows; loads are their mean (with spread).
    #[arg(long, value_name = "N", default_value_t = 1, requires = "sample")]
    pub samples: u32,
    /// With --sample: use this percentile of the windows' rates (e.g. 90) instead of the mean.
    #[arg(long, value_name = "P", requires = "sample")]
    pub rate_percentile: Option<f64>,
}

impl SampleArgs {
    /// The sampling options, if `--sample` was given; bad values are bad input naming the flag.
    pub fn options(&self) -> Result<Option<SampleOptions>, CliError> {
        let Some(window) = self.sample else {
            return Ok(None);
        };
        if window.is_zero() {
            return Err(bad_input("--sample: the window must be longer than 0 s"));
        }
        if self.samples == 0 {
            return Err(bad_input("--samples: at least 1"));
        }
        if window.saturating_mul(self.samples) > MAX_TOTAL {
            return Err(bad_input(format!(
                "--sample × --samples: {} s in all; kplace samples for at most 24 h",
                window.as_secs().saturating_mul(u64::from(self.samples))
            )));
        }
        let statistic = match self.rate_percentile {
            None => Statistic::Mean,
            Some(p) if p.is_finite() && p > 0.0 && p <= 100.0 => Statistic::Percentile(p),
            Some(p) => {
                return Err(bad_input(format!(
                "--rate-percentile: {p} is not a percentile (give a number above 0, at most 100)"
            )))
            }
        };
        Ok(Some(SampleOptions {
            window,
            samples: self.samples,
            statistic,
        }))
    }
}

/// Takes a snapshot, sampled when `options` says so (telling on stderr how long it takes).
pub fn take(
    client: &mut KafkaClient,
    options: Option<SampleOptions>,
) -> Result<Snapshot, CliError> {
    let result = match options {
        None => kplace_kafka::snapshot::take_snapshot(client),
        Some(options) => {
            crate::print::stderr_line(&format!(
                "kplace: sampling rates over {} × {} s",
                options.samples,
                options.window.as_secs()
            ));
            kplace_kafka::sampling::take_sampled_snapshot(client, options)
        }
    };
    result.map_err(crate::kafka_args::kafka_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(sample: Option<u64>, samples: u32, percentile: Option<f64>) -> SampleArgs {
        SampleArgs {
            sample: sample.map(Duration::from_secs),
            samples,
            rate_percentile: percentile,
        }
    }

    fn refusal(args: SampleArgs) -> String {
        match args.options() {
            Err(CliError::BadInput(message)) => message,
            other => panic!("expected bad input, got {other:?}"),
        }
    }

    #[test]
    fn options_are_checked_naming_the_flag() {
        assert_eq!(args(None, 1, None).options().ok(), Some(None));
        let options = args(Some(60), 5, Some(90.0)).options().ok().flatten();
        assert_eq!(
            options,
            Some(SampleOptions {
                window: Duration::from_secs(60),
                samples: 5,
                statistic: Statistic::Percentile(90.0),
            })
        );
        assert!(refusal(args(Some(0), 1, None)).starts_with("--sample:"));
        assert!(refusal(args(Some(60), 0, None)).starts_with("--samples:"));
        assert!(refusal(args(Some(60), 1, Some(0.0))).starts_with("--rate-percentile:"));
        assert!(refusal(args(Some(60), 1, Some(f64::NAN))).starts_with("--rate-percentile:"));
        assert!(refusal(args(Some(3600), 48, None)).contains("at most 24 h"));
    }
}
