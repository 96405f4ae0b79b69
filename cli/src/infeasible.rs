//! Rendering "the rules cannot be met" for people: which rule, which domain, how many brokers
//! are missing, and which partitions are affected.

use kplace_placement::feasibility::Infeasibility;
use kplace_placement::model::{ClusterModel, PartitionIdx};

use crate::exit::CliError;

/// How many affected partitions are named before "and N more".
const NAMED: usize = 5;

/// The infeasibility error for a set of rules that cannot be met.
pub fn infeasible_error(model: &ClusterModel, groups: &[(Infeasibility, Vec<PartitionIdx>)]) -> CliError {
    let mut message = String::from("the policy cannot be met:");
    for (infeasibility, partitions) in groups {
        let report = infeasibility.report(&model.rules, &model.labels);
        let mut names: Vec<String> = partitions.iter().take(NAMED).map(|&p| model.partition_name(p)).collect();
        if partitions.len() > NAMED {
            names.push(format!("and {} more", partitions.len() - NAMED));
        }
        message.push_str(&format!(
            "\n  {}\n    affects {} partitions: {}",
            report.message,
            partitions.len(),
            names.join(", ")
        ));
    }
    CliError::Infeasible(message)
}
