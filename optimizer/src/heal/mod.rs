//! The self-healing job's pure policy, beside the goals it runs: whether a round may plan
//! ([`guards`]: reassignments in flight, domain outage, dead-broker grace), what it restores
//! ([`hard_goals`]: the default list's hard goals, and how many violations they see) and, when a
//! round is capped, which partitions go first ([`urgency`]). Nothing here does I/O or reads a
//! clock: the round that talks to Kafka is `kplace_kafka::heal`, and `kplace heal` is a loop
//! over it.
pub mod guards;
pub mod hard_goals;
pub mod urgency;
