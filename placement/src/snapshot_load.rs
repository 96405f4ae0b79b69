//! How a snapshot's partition loads were obtained, as part of the snapshot contract.
//!
//! A snapshot written by `kplace snapshot --sample` carries, besides each partition's `load`,
//! the top-level [`LoadSource`] (sampled over which window, how many samples, which statistic,
//! how CPU was estimated) and per partition its [`SampledRates`] (produce and consume rates with
//! their spread over the samples, or why they are unknown). Both are optional: a snapshot
//! without them has its loads as given by whoever wrote the file (or none at all), and old
//! snapshots parse unchanged.

use serde::{Deserialize, Serialize};

/// How the loads of a snapshot were obtained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadSource {
    /// How network in and out were obtained.
    pub method: LoadMethod,
    /// Length of one sampling window, in seconds (sampled loads).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_seconds: Option<f64>,
    /// Number of sampling windows (sampled loads).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub samples: Option<u32>,
    /// Which figure over the windows the loads are: `mean` or a percentile such as `p90`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statistic: Option<String>,
    /// How the CPU figures were obtained (for sampled loads: the estimate's formula).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<String>,
    /// Partitions whose rates could not be derived (their load counts as zero).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub unknown_partitions: u32,
    /// What else the reader should know (groups that appeared or left during the window, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// How network loads were obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoadMethod {
    /// Measured by kplace from the growth of offsets over sampling windows.
    Sampled,
    /// Estimated (not measured) by some tool.
    Estimated,
    /// Given by whoever wrote the snapshot (another tool's measurement, a hand-written file).
    Given,
}

impl LoadSource {
    /// One line for people: e.g. "sampled over 1 × 60 s (mean); CPU estimated: ...".
    pub fn describe(&self) -> String {
        let mut text = match self.method {
            LoadMethod::Sampled => format!(
                "sampled over {} × {} s",
                self.samples.unwrap_or(1),
                self.window_seconds
                    .map(|s| format!("{s:.0}"))
                    .unwrap_or_else(|| "?".into())
            ),
            LoadMethod::Estimated => "estimated".to_string(),
            LoadMethod::Given => "given in the snapshot".to_string(),
        };
        if let Some(statistic) = &self.statistic {
            text.push_str(&format!(" ({statistic})"));
        }
        if let Some(cpu) = &self.cpu {
            text.push_str(&format!("; CPU {cpu}"));
        }
        if self.unknown_partitions > 0 {
            text.push_str(&format!(
                "; {} partitions with unknown rates count as 0",
                self.unknown_partitions
            ));
        }
        text
    }
}

/// A partition's rates as sampled, before they became its `load`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SampledRates {
    /// Bytes per second produced (the statistic of [`LoadSource::statistic`]); absent: unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub produce: Option<f64>,
    /// Standard deviation of the produce rate over the windows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub produce_spread: Option<f64>,
    /// Bytes per second consumed by all consumer groups together; absent: unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consume: Option<f64>,
    /// Standard deviation of the consume rate over the windows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consume_spread: Option<f64>,
    /// The bytes per message used to turn offsets into bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes_per_message: Option<f64>,
    /// Why a figure is unknown or only approximate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl SampledRates {
    /// The numeric fields by name, for validation.
    pub fn amounts(&self) -> [(&'static str, Option<f64>); 5] {
        [
            ("produce", self.produce),
            ("produce_spread", self.produce_spread),
            ("consume", self.consume),
            ("consume_spread", self.consume_spread),
            ("bytes_per_message", self.bytes_per_message),
        ]
    }
}

fn is_zero(value: &u32) -> bool {
    *value == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_snapshot;

    #[test]
    fn old_snapshots_parse_without_load_source_or_rates() {
        let old = br#"{"brokers":[{"id":1}],"partitions":[{"topic":"t","partition":0,"replicas":[1],"load":{"network_in":5}}]}"#;
        let snapshot = parse_snapshot(old, "old.json").expect("an old snapshot parses");
        assert_eq!(snapshot.load_source, None);
        assert_eq!(snapshot.partitions[0].rates, None);
        assert_eq!(snapshot.partitions[0].load.network_in, 5.0);
    }

    #[test]
    fn sampled_fields_round_trip_and_typos_are_refused() {
        let text = br#"{"brokers":[{"id":1}],
            "partitions":[{"topic":"t","partition":0,"replicas":[1],
              "rates":{"produce":10.5,"produce_spread":0.5,"bytes_per_message":100}}],
            "load_source":{"method":"sampled","window_seconds":60,"samples":3,"statistic":"mean"}}"#;
        let snapshot = parse_snapshot(text, "s.json").expect("parses");
        let source = snapshot.load_source.clone().expect("load_source");
        assert_eq!(source.method, LoadMethod::Sampled);
        assert_eq!(source.describe(), "sampled over 3 × 60 s (mean)");
        let again = serde_json::to_vec(&snapshot).expect("serialises");
        assert_eq!(
            parse_snapshot(&again, "again.json").expect("parses"),
            snapshot
        );

        let typo =
            br#"{"brokers":[],"partitions":[],"load_source":{"method":"sampled","window":60}}"#;
        let error = parse_snapshot(typo, "typo.json").unwrap_err().to_string();
        assert!(error.contains("window"), "{error}");
    }
}
