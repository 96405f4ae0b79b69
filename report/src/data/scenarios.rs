//! Failure scenarios before and after, side by side: per lost zone, cluster or broker, the
//! partitions left offline or under min ISR.

use kplace_optimizer::analysis::{FailureAnalysis, Scenario};

/// Offline and under-min-ISR partitions in one scenario at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Partitions with no in-sync survivor.
    pub offline: u64,
    /// Partitions below min ISR.
    pub under_min_isr: u64,
}

impl Outcome {
    fn of(scenario: &Scenario) -> Outcome {
        Outcome {
            offline: scenario.offline_partitions,
            under_min_isr: scenario.under_min_isr_partitions,
        }
    }

    /// Partitions whose `acks=all` writes are blocked.
    pub fn blocked(&self) -> u64 {
        self.offline + self.under_min_isr
    }
}

/// One scenario before and after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioRow {
    /// `zone=az1`, `broker=7`, `zone=az1+broker=7`.
    pub name: String,
    /// `domain`, `broker` or `domain+broker`.
    pub kind: String,
    /// Live brokers lost.
    pub lost_brokers: usize,
    /// Before the plan.
    pub before: Outcome,
    /// After the plan.
    pub after: Outcome,
}

/// The scenario rows shown, and how many single-broker scenarios were left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioTable {
    /// Domain scenarios, then the worst single brokers, then domain plus worst broker.
    pub rows: Vec<ScenarioRow>,
    /// Single-broker scenarios not shown (the least harmful ones).
    pub omitted_brokers: usize,
}

/// Joins the analyses by scenario name, keeping every domain scenario and the `max_brokers`
/// single-broker scenarios that block the most writes before or after.
pub fn scenario_table(
    before: &FailureAnalysis,
    after: &FailureAnalysis,
    max_brokers: usize,
) -> ScenarioTable {
    let after_by_name: std::collections::HashMap<&str, &Scenario> = after
        .scenarios
        .iter()
        .map(|s| (s.scenario.as_str(), s))
        .collect();
    let rows: Vec<ScenarioRow> = before
        .scenarios
        .iter()
        .map(|s| ScenarioRow {
            name: s.scenario.clone(),
            kind: s.kind.clone(),
            lost_brokers: s.lost_brokers.len(),
            before: Outcome::of(s),
            after: after_by_name
                .get(s.scenario.as_str())
                .map_or_else(Outcome::default, |a| Outcome::of(a)),
        })
        .collect();
    let harm = |r: &ScenarioRow| r.before.blocked().max(r.after.blocked());
    let mut brokers: Vec<usize> = (0..rows.len())
        .filter(|&i| rows[i].kind == "broker")
        .collect();
    let omitted_brokers = brokers.len().saturating_sub(max_brokers);
    brokers.sort_by_key(|&i| (std::cmp::Reverse(harm(&rows[i])), i));
    brokers.truncate(max_brokers);
    brokers.sort_unstable();
    let keep: std::collections::HashSet<usize> = brokers.into_iter().collect();
    let rows = rows
        .into_iter()
        .enumerate()
        .filter(|(i, r)| r.kind != "broker" || keep.contains(i))
        .map(|(_, r)| r)
        .collect();
    ScenarioTable {
        rows,
        omitted_brokers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Scenario and FailureAnalysis are non-exhaustive: built here as a plan file carries them.
    fn scenario(name: &str, kind: &str, offline: u64, under: u64) -> serde_json::Value {
        serde_json::json!({
            "scenario": name,
            "kind": kind,
            "lost_brokers": [1],
            "offline_partitions": offline,
            "under_min_isr_partitions": under,
            "writes_blocked_partitions": offline + under,
        })
    }

    fn analysis(scenarios: Vec<serde_json::Value>) -> FailureAnalysis {
        serde_json::from_value(serde_json::json!({ "scenarios": scenarios }))
            .expect("a failure analysis")
    }

    #[test]
    fn joins_by_name_and_keeps_the_worst_brokers() {
        let before = analysis(vec![
            scenario("zone=z1", "domain", 1, 2),
            scenario("broker=1", "broker", 0, 1),
            scenario("broker=2", "broker", 0, 5),
            scenario("broker=3", "broker", 0, 0),
        ]);
        let after = analysis(vec![
            scenario("zone=z1", "domain", 0, 0),
            scenario("broker=3", "broker", 0, 9),
        ]);
        let table = scenario_table(&before, &after, 2);
        let names: Vec<&str> = table.rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["zone=z1", "broker=2", "broker=3"]);
        assert_eq!(table.omitted_brokers, 1);
        assert_eq!(
            table.rows[0].before,
            Outcome {
                offline: 1,
                under_min_isr: 2
            }
        );
        assert_eq!(table.rows[0].after, Outcome::default());
        assert_eq!(table.rows[2].after.blocked(), 9);
    }
}
