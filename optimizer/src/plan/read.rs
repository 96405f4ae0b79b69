//! Reading PLAN.json. Fields this kplace does not know are accepted (the README promises that
//! fields are only ever added, and `version` changes when one changes meaning); the policy inside
//! stays as strict as a policy file. A plan that does not hold together is refused.

use kplace_placement::parse::{parse_json, ParseError};
use serde::Deserialize;

use super::{Plan, PlanMismatch, PLAN_VERSION};

/// Why a plan file cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PlanReadError {
    /// Not JSON, or not a plan (names the file, line and column, field path).
    #[error("{0}")]
    Syntax(ParseError),
    /// A plan that does not hold together, or of another version.
    #[error("{origin}: {mismatch}")]
    Mismatch {
        /// The file.
        origin: String,
        /// What is wrong, naming the partition or field.
        mismatch: PlanMismatch,
    },
}

/// Just the version, to explain a plan of another version that does not parse as this one.
#[derive(Deserialize)]
struct VersionOnly {
    version: u32,
}

impl Plan {
    /// Parses a plan from `origin` and checks it against itself ([`Plan::check_consistency`]).
    pub fn parse(bytes: &[u8], origin: &str) -> Result<Plan, PlanReadError> {
        let mismatch = |mismatch| PlanReadError::Mismatch {
            origin: origin.to_string(),
            mismatch,
        };
        let plan: Plan = match parse_json(bytes, origin) {
            Ok(plan) => plan,
            Err(error) => {
                return Err(match serde_json::from_slice::<VersionOnly>(bytes) {
                    Ok(v) if v.version != PLAN_VERSION => {
                        mismatch(PlanMismatch::Version(v.version))
                    }
                    _ => PlanReadError::Syntax(error),
                })
            }
        };
        plan.check_consistency().map_err(mismatch)?;
        Ok(plan)
    }
}
