//! Why a rule cannot be met: a typed explanation built by the core, rendered by callers.
//!
//! Whether a rule can be met at replication factor r depends only on the rule, r and the eligible
//! brokers, never on where replicas sit now; so the question is asked once per (rule, r).

use serde::Serialize;

use crate::bounds::Bounds;
use crate::cells::CellSpace;
use crate::labels::{LabelIdx, LabelTable, ValueIdx};
use crate::rules::{Rule, RuleIdx};

/// A rule that cannot be met at some replication factor, and why.
///
/// A typed value (rule, replication factor, [`InfeasibleReason`] over label indices) that also
/// renders itself: [`Display`](std::fmt::Display) gives the sentence a person reads, with the
/// names resolved when the explanation was built, and it is a [`std::error::Error`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Infeasibility {
    /// The rule.
    pub rule: RuleIdx,
    /// The replication factor asked for.
    pub replication_factor: u32,
    /// The first reason found, in the order the variants are listed.
    pub reason: InfeasibleReason,
    /// The same with names, rendered once when the explanation is built.
    report: InfeasibilityReport,
}

impl std::fmt::Display for Infeasibility {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.report.message)
    }
}

impl std::error::Error for Infeasibility {}

/// The reason a rule cannot be met.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum InfeasibleReason {
    /// No eligible broker carries a label the rule spreads over.
    LabelMissing {
        /// The label.
        label: LabelIdx,
    },
    /// Fewer eligible brokers than replicas.
    TooFewBrokers {
        /// Eligible brokers (alive, not excluded, with every label of the rule).
        eligible: u32,
    },
    /// One value must hold more replicas than it has eligible brokers.
    ValueShort {
        /// The label.
        label: LabelIdx,
        /// The value.
        value: ValueIdx,
        /// Replicas the value must hold at least.
        needed: u32,
        /// Eligible brokers with that value.
        available: u32,
    },
    /// The label's values together cannot take r replicas (e.g. `max_per_value: 1` over 3 zones
    /// at replication factor 6).
    LabelTooNarrow {
        /// The label.
        label: LabelIdx,
        /// The most replicas its values can hold together.
        can_hold: u32,
    },
    /// The label's values demand more than r replicas together (e.g. `exact` counts summing to 7
    /// at replication factor 6).
    LabelOverdemand {
        /// The label.
        label: LabelIdx,
        /// Replicas the values demand together.
        demanded: u32,
    },
    /// Each label alone can be met but not all at once, with the eligible brokers there are.
    Combination {
        /// The rule's labels.
        labels: Vec<LabelIdx>,
    },
}

/// The explanation as plain data for JSON output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InfeasibilityReport {
    /// `rule N (topics '...')`.
    pub rule: String,
    /// The replication factor asked for.
    pub replication_factor: u32,
    /// `label=value` where one failure domain is at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// Brokers missing, where adding brokers would fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub brokers_missing: Option<u32>,
    /// The sentence a person reads.
    pub message: String,
}

impl Infeasibility {
    /// Finds why `rule` cannot be met at `r`, given that the cell search found no placement.
    pub fn explain(rule: &Rule, space: &CellSpace, bounds: &Bounds, labels: &LabelTable) -> Self {
        let r = bounds.replication_factor;
        let reason = Self::single_label_reason(rule, space, bounds, labels).unwrap_or_else(|| {
            InfeasibleReason::Combination {
                labels: space.labels.clone(),
            }
        });
        let report = Self::render(rule, r, &reason, labels);
        Infeasibility {
            rule: rule.index,
            replication_factor: r,
            reason,
            report,
        }
    }

    /// The explanation with names, as plain data for JSON output.
    pub fn report(&self) -> &InfeasibilityReport {
        &self.report
    }

    fn single_label_reason(
        rule: &Rule,
        space: &CellSpace,
        bounds: &Bounds,
        labels: &LabelTable,
    ) -> Option<InfeasibleReason> {
        let r = bounds.replication_factor;
        let eligible = space.eligible_brokers();
        if eligible == 0 {
            if let Some(position) = space.unlabelled.iter().position(|&n| n > 0) {
                return Some(InfeasibleReason::LabelMissing {
                    label: space.labels[position],
                });
            }
        }
        if eligible < r {
            return Some(InfeasibleReason::TooFewBrokers { eligible });
        }
        for (position, (label, _)) in rule.spread.iter().enumerate() {
            let mut available = vec![0u32; labels.value_count(*label)];
            for cell in &space.cells {
                available[cell.values[position] as usize] += cell.brokers.len() as u32;
            }
            let ranges = &bounds.per_label[position];
            for (value, &(min, _)) in ranges.iter().enumerate() {
                if min > available[value] {
                    return Some(InfeasibleReason::ValueShort {
                        label: *label,
                        value: value as ValueIdx,
                        needed: min,
                        available: available[value],
                    });
                }
            }
            let can_hold: u32 = ranges
                .iter()
                .zip(&available)
                .map(|(&(_, max), &a)| max.min(a))
                .sum();
            if can_hold < r {
                return Some(InfeasibleReason::LabelTooNarrow {
                    label: *label,
                    can_hold,
                });
            }
            let demanded: u32 = ranges.iter().map(|&(min, _)| min).sum();
            if demanded > r {
                return Some(InfeasibleReason::LabelOverdemand {
                    label: *label,
                    demanded,
                });
            }
        }
        None
    }

    /// Renders `reason` with the names of `rule` and `labels`.
    fn render(
        rule: &Rule,
        r: u32,
        reason: &InfeasibleReason,
        labels: &LabelTable,
    ) -> InfeasibilityReport {
        let rule = rule.describe();
        let (domain, brokers_missing, message) =
            match reason {
                InfeasibleReason::LabelMissing { label } => (
                    None,
                    None,
                    format!(
                        "no eligible broker has the label '{}' that the rule spreads over",
                        labels.label_name(*label)
                    ),
                ),
                InfeasibleReason::TooFewBrokers { eligible } => (
                    None,
                    Some(r - eligible),
                    format!(
                    "needs {r} replicas on distinct brokers but only {eligible} eligible brokers \
                     exist ({} missing)",
                    r - eligible
                ),
                ),
                InfeasibleReason::ValueShort {
                    label,
                    value,
                    needed,
                    available,
                } => {
                    let domain = labels.domain_name(*label, *value);
                    (
                        Some(domain.clone()),
                        Some(needed - available),
                        format!(
                            "{domain} must hold at least {needed} replicas but has {available} \
                         eligible brokers ({} missing)",
                            needed - available
                        ),
                    )
                }
                InfeasibleReason::LabelTooNarrow { label, can_hold } => (
                    None,
                    None,
                    format!(
                        "the values of '{}' can hold at most {can_hold} replicas together, the \
                     replication factor is {r}",
                        labels.label_name(*label)
                    ),
                ),
                InfeasibleReason::LabelOverdemand { label, demanded } => (
                    None,
                    None,
                    format!(
                        "the values of '{}' demand {demanded} replicas together, the replication \
                     factor is {r}",
                        labels.label_name(*label)
                    ),
                ),
                InfeasibleReason::Combination { labels: names } => (
                    None,
                    None,
                    format!(
                    "each of {} can be met alone, but no set of {r} eligible brokers meets them \
                     all at once",
                    names.iter().map(|&l| labels.label_name(l)).collect::<Vec<_>>().join(", ")
                ),
                ),
            };
        InfeasibilityReport {
            message: format!("{rule} at replication factor {r}: {message}"),
            rule,
            replication_factor: r,
            domain,
            brokers_missing,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{ClusterModel, ModelOptions};
    use crate::parse::{parse_policy, parse_snapshot};
    use crate::repair::repair;

    /// The explanation renders itself, names resolved, and is an error a caller can box.
    #[test]
    fn infeasibility_renders_itself_as_an_error() {
        let snapshot = parse_snapshot(
            br#"{"brokers": [{"id": 1, "rack": "az1"}, {"id": 2, "rack": "az2"}],
                "partitions": [{"topic": "payments", "partition": 0, "replicas": [1, 2]}]}"#,
            "snapshot.json",
        )
        .unwrap();
        let policy = parse_policy(
            "rules: [{topics: 'payments', replication_factor: 3, spread: {rack: even}}]",
            "policy.yaml",
        )
        .unwrap();
        let model = ClusterModel::build(&snapshot, &policy, &ModelOptions::default()).unwrap();
        let outcome = repair(&model, &model.current);
        let (infeasibility, partitions) = &outcome.infeasible[0];
        assert_eq!(partitions.len(), 1);
        let boxed: Box<dyn std::error::Error> = Box::new(infeasibility.clone());
        assert_eq!(
            boxed.to_string(),
            "rule 1 (topics 'payments') at replication factor 3: needs 3 replicas on distinct \
             brokers but only 2 eligible brokers exist (1 missing)"
        );
        assert_eq!(infeasibility.report().brokers_missing, Some(1));
    }
}
