//! The self-healing job as a library: one round ([`HealRound`]) takes a snapshot, checks the
//! guards (reassignments in flight, a domain outage, brokers down for less than the grace
//! period: `kplace_optimizer::heal::guards`), plans the fewest moves that restore the policy's
//! hard goals, keeps the most urgent up to a cap (`kplace_optimizer::heal::urgency`) and, when
//! executing, applies them. A [`Healer`] runs rounds on the caller's schedule and keeps the
//! dead-broker state in the caller's [`StateStore`]; `kplace heal` is a loop over it with a
//! state file.
//!
//! The round works on any [`HealCluster`]: a [`KafkaClient`](crate::client::KafkaClient), or
//! the in-memory cluster of the `fake` feature in tests.

mod cluster;
mod error;
mod healer;
mod round;
#[cfg(test)]
mod tests;

pub use cluster::HealCluster;
pub use error::HealError;
pub use healer::{Healer, InMemory, StateStore};
pub use round::{
    HealRound, RoundReport, Status, DEFAULT_DEAD_BROKER_GRACE, DEFAULT_MAX_MOVES_PER_ROUND,
};
