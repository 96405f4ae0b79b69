//! Why a plan cannot meet its hard goals: typed values built by the goals, rendered by callers
//! (the CLI exits 3 with [`HardGoalFailure::report`]).

use kplace_placement::feasibility::Infeasibility;
use kplace_placement::model::{BrokerIdx, ClusterModel, PartitionIdx};

use crate::plan::GoalState;
use crate::resource::Resource;

/// How many partitions or brokers an explanation names before "and N more".
const NAMED: usize = 5;

/// A broker that stays over a capacity limit.
#[derive(Debug, Clone, PartialEq)]
pub struct CapacityExcess {
    /// The broker.
    pub broker: BrokerIdx,
    /// The resource over its limit.
    pub resource: Resource,
    /// Its load after optimising.
    pub load: f64,
    /// The limit (threshold × capacity, or the replica maximum).
    pub limit: f64,
}

/// A partition that would drop below min ISR when one value of a `survive` label goes down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurvivalGap {
    /// The partition.
    pub partition: PartitionIdx,
    /// `label=value` of the domain whose loss hurts.
    pub domain: String,
    /// Replicas left when that domain is lost.
    pub left: u32,
    /// The min ISR required.
    pub min_isr: u32,
}

/// A hard goal that cannot be met, and why.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum HardGoalFailure {
    /// `spread`: rules that cannot be met, with the partitions each leaves unrepaired.
    Spread(Vec<(Infeasibility, Vec<PartitionIdx>)>),
    /// `capacity`: brokers still over a limit.
    Capacity(Vec<CapacityExcess>),
    /// `domain-survival`: partitions that a single domain loss still pushes below min ISR.
    DomainSurvival(Vec<SurvivalGap>),
    /// Any other hard goal still violated, with its state.
    Unmet {
        /// The goal's name.
        goal: String,
        /// Its state after optimising.
        state: GoalState,
    },
}

impl HardGoalFailure {
    /// The goal that failed.
    pub fn goal(&self) -> &str {
        match self {
            HardGoalFailure::Spread(_) => "spread",
            HardGoalFailure::Capacity(_) => "capacity",
            HardGoalFailure::DomainSurvival(_) => "domain-survival",
            HardGoalFailure::Unmet { goal, .. } => goal,
        }
    }

    /// The explanation a person reads: the goal, then one line per cause naming the rule,
    /// domain, broker or partitions involved.
    pub fn report(&self, model: &ClusterModel) -> String {
        let mut lines = vec![format!("hard goal '{}' cannot be met:", self.goal())];
        match self {
            HardGoalFailure::Spread(groups) => {
                for (infeasibility, partitions) in groups {
                    let report = infeasibility.report();
                    lines.push(format!("  {}", report.message));
                    lines.push(format!(
                        "    affects {} partitions: {}",
                        partitions.len(),
                        names(model, partitions)
                    ));
                }
            }
            HardGoalFailure::Capacity(excesses) => {
                for e in excesses.iter().take(NAMED) {
                    lines.push(format!(
                        "  broker {}: {} {:.0} over its limit {:.0}",
                        model.brokers()[e.broker as usize].id,
                        e.resource.name(),
                        e.load,
                        e.limit
                    ));
                }
                if excesses.len() > NAMED {
                    lines.push(format!("  and {} more", excesses.len() - NAMED));
                }
                lines.push("  (add brokers, raise the thresholds, or free capacity)".to_string());
            }
            HardGoalFailure::DomainSurvival(gaps) => {
                for gap in gaps.iter().take(NAMED) {
                    lines.push(format!(
                        "  {}: losing {} leaves {} replicas, min ISR is {}",
                        model.partition_name(gap.partition),
                        gap.domain,
                        gap.left,
                        gap.min_isr
                    ));
                }
                if gaps.len() > NAMED {
                    lines.push(format!("  and {} more partitions", gaps.len() - NAMED));
                }
            }
            HardGoalFailure::Unmet { state, .. } => {
                lines.extend(state.examples.iter().map(|e| format!("  {e}")));
            }
        }
        lines.join("\n")
    }
}

/// The model-free summary; [`HardGoalFailure::report`] names brokers and partitions.
impl std::fmt::Display for HardGoalFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "hard goal '{}' cannot be met: ", self.goal())?;
        match self {
            HardGoalFailure::Spread(groups) => {
                let partitions: usize = groups.iter().map(|(_, p)| p.len()).sum();
                write!(
                    f,
                    "{} rules cannot be met, {partitions} partitions stay unrepaired",
                    groups.len()
                )
            }
            HardGoalFailure::Capacity(excesses) => {
                write!(f, "{} brokers stay over a capacity limit", excesses.len())
            }
            HardGoalFailure::DomainSurvival(gaps) => write!(
                f,
                "{} partitions drop below min ISR when one domain is lost",
                gaps.len()
            ),
            HardGoalFailure::Unmet { state, .. } => {
                write!(f, "{} violations", state.violations)?;
                if let Some(example) = state.examples.first() {
                    write!(f, " (e.g. {example})")?;
                }
                Ok(())
            }
        }
    }
}

/// The cause of a spread failure is the first rule that cannot be met.
impl std::error::Error for HardGoalFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            HardGoalFailure::Spread(groups) => groups
                .first()
                .map(|(infeasibility, _)| infeasibility as &(dyn std::error::Error + 'static)),
            _ => None,
        }
    }
}

fn names(model: &ClusterModel, partitions: &[PartitionIdx]) -> String {
    let mut names: Vec<String> = partitions
        .iter()
        .take(NAMED)
        .map(|&p| model.partition_name(p))
        .collect();
    if partitions.len() > NAMED {
        names.push(format!("and {} more", partitions.len() - NAMED));
    }
    names.join(", ")
}
