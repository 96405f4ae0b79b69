//! Why a heal round ended without a verdict.

use kplace_optimizer::hard_failure::HardGoalFailure;
use kplace_optimizer::planner::PlanError;
use kplace_placement::model_error::ModelError;
use kplace_placement::parse::ParseError;

use crate::error::KafkaError;

/// Why a heal round failed. The state it observed is kept all the same (see
/// [`Healer::round`](super::Healer::round)).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HealError {
    /// Kafka failed (snapshot, throttle clean-up, validation or apply), or a stop was requested
    /// ([`KafkaError::Stopped`]).
    #[error(transparent)]
    Kafka(#[from] KafkaError),
    /// The live cluster does not fit the policy (a broker without a label a rule spreads over,
    /// ...); the message names the broker, label or rule, not the policy's file.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// A hard goal cannot be met with the brokers alive: the typed failure and its rendering
    /// against the round's model.
    #[error("{report}")]
    Infeasible {
        /// Which hard goal, and why.
        failure: HardGoalFailure,
        /// The failure rendered against the round's model (names topics, brokers, labels).
        report: String,
    },
    /// The capacity file does not fit the live cluster (a broker it lists is gone, a broker it
    /// does not list and no default); the message names the file and the broker.
    #[error(transparent)]
    Capacity(ParseError),
    /// Planning refused its request for another reason.
    #[error(transparent)]
    Plan(PlanError),
}
