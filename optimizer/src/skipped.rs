//! What a goal could not check for lack of data: a plan from `--bootstrap-server` has no
//! capacities unless the brokers report them (disk) or `--capacity` gives them, and no network or
//! CPU load unless it is sampled. A goal with nothing to work with says so ("no capacity data:
//! skipped") instead of reporting itself satisfied.

use serde::{Deserialize, Serialize};

use crate::resource::Resource;

/// The part of a goal that was not checked, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    /// What is missing: `no capacity data` or `no load data`.
    pub reason: String,
    /// The resources left unchecked (`disk`, `network-in`, ...); empty when the goal checked
    /// nothing at all, and its `satisfied` is then no verdict.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
}

/// Reason of a capacity goal without capacities.
pub const NO_CAPACITY_DATA: &str = "no capacity data";
/// Reason of a resource balance goal without load.
pub const NO_LOAD_DATA: &str = "no load data";

impl Skipped {
    /// The whole goal, for `reason`.
    pub fn whole(reason: &str) -> Skipped {
        Skipped {
            reason: reason.to_string(),
            resources: Vec::new(),
        }
    }

    /// Only `resources`, for `reason`.
    pub fn partly(reason: &str, resources: &[Resource]) -> Skipped {
        Skipped {
            reason: reason.to_string(),
            resources: resources.iter().map(|r| r.name().to_string()).collect(),
        }
    }

    /// True when the goal checked nothing.
    pub fn is_whole(&self) -> bool {
        self.resources.is_empty()
    }

    /// `no capacity data: skipped`, or `no capacity data for network-in, cpu: skipped`.
    pub fn sentence(&self) -> String {
        if self.is_whole() {
            format!("{}: skipped", self.reason)
        } else {
            format!("{} for {}: skipped", self.reason, self.resources.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences() {
        assert_eq!(
            Skipped::whole(NO_CAPACITY_DATA).sentence(),
            "no capacity data: skipped"
        );
        assert_eq!(
            Skipped::partly(NO_CAPACITY_DATA, &[Resource::NetworkIn, Resource::Cpu]).sentence(),
            "no capacity data for network-in, cpu: skipped"
        );
    }
}
