//! What the page shows, computed from the model, the assignments before and after, the plan and
//! the failure analyses: plain numbers, no HTML, so that each part can be tested on its own.

pub mod brokers;
pub mod headline;
pub mod heatmap;
pub mod moves;
pub mod scenarios;
#[cfg(test)]
pub(crate) mod test_model;

use kplace_optimizer::analysis::FailureAnalysis;
use kplace_optimizer::plan::Plan;
use kplace_placement::model::{ClusterModel, Replicas};

use self::brokers::BrokerGroup;
use self::headline::Headline;
use self::heatmap::Heatmap;
use self::moves::MoveTable;
use self::scenarios::ScenarioTable;

/// Limits and assumptions of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportOptions {
    /// Replication throttle for the copy-time estimate, bytes per second per broker.
    pub throttle: u64,
    /// Most rows in the moves table (the largest moves by bytes).
    pub max_moves: usize,
    /// Most topics in the per-topic summary of moves.
    pub max_topics: usize,
    /// Most rules drawn as heatmaps (the rules with the most partitions).
    pub max_rules: usize,
    /// Most single-broker failure scenarios listed (the most harmful).
    pub max_broker_scenarios: usize,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            throttle: DEFAULT_THROTTLE,
            max_moves: 2_000,
            max_topics: 50,
            max_rules: 8,
            max_broker_scenarios: 48,
        }
    }
}

/// The default replication throttle: 100 MiB/s per broker.
pub const DEFAULT_THROTTLE: u64 = 100 * 1024 * 1024;

/// A spread heatmap before and after the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeatmapPair {
    /// Before.
    pub before: Heatmap,
    /// After.
    pub after: Heatmap,
}

/// Everything the page shows.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportData {
    /// Goals, totals, copy time.
    pub headline: Headline,
    /// Spread heatmaps per rule and label pair.
    pub heatmaps: Vec<HeatmapPair>,
    /// The labels brokers are grouped by (the policy's first two labels).
    pub group_labels: Vec<String>,
    /// Brokers grouped by those labels.
    pub broker_groups: Vec<BrokerGroup>,
    /// Failure scenarios before and after.
    pub scenarios: ScenarioTable,
    /// The moves.
    pub moves: MoveTable,
}

/// The inputs of a report. `before` is normally `model.current()` and `after` the plan applied to
/// it ([`Plan::apply_to`]).
pub struct ReportInput<'a> {
    /// The cluster model the plan was made on.
    pub model: &'a ClusterModel,
    /// Assignment before the plan.
    pub before: &'a [Replicas],
    /// Assignment after the plan.
    pub after: &'a [Replicas],
    /// The plan.
    pub plan: &'a Plan,
    /// Failure analysis of `before`.
    pub analysis_before: &'a FailureAnalysis,
    /// Failure analysis of `after`.
    pub analysis_after: &'a FailureAnalysis,
}

impl ReportData {
    /// Computes the page's numbers.
    pub fn build(input: &ReportInput<'_>, options: &ReportOptions) -> ReportData {
        let model = input.model;
        let keys = heatmap::heatmap_keys(model, options.max_rules);
        let before = heatmap::heatmaps(model, input.before, &keys);
        let after = heatmap::heatmaps(model, input.after, &keys);
        let heatmaps = before
            .into_iter()
            .zip(after)
            .map(|(before, after)| HeatmapPair { before, after })
            .collect();
        let group_labels: Vec<String> = heatmap::policy_labels(model)
            .into_iter()
            .take(2)
            .map(|l| model.labels().label_name(l).to_string())
            .collect();
        ReportData {
            headline: Headline {
                loads: model.load_note(),
                ..Headline::new(
                    input.plan,
                    model.partitions().len() as u64,
                    options.throttle,
                )
            },
            heatmaps,
            broker_groups: brokers::group_brokers(&input.plan.brokers, &group_labels),
            group_labels,
            scenarios: scenarios::scenario_table(
                input.analysis_before,
                input.analysis_after,
                options.max_broker_scenarios,
            ),
            moves: moves::move_table(
                &input.plan.partitions,
                options.max_moves,
                options.max_topics,
            ),
        }
    }
}
