//! kplace's edge to a running Kafka cluster: snapshots, reassignments, throttles.
//!
//! Connect with [`KafkaClient::connect`] (client properties as Kafka's tools read them:
//! [`read_client_config`] or a [`ClientConfig`] built in code), then:
//!
//! - [`take_snapshot`]: a [`Snapshot`] of the live cluster (brokers, racks, partitions, sizes,
//!   in-flight reassignments), the input the placement core and optimizer plan from;
//! - [`apply`]: submit a plan's [`Move`]s in batches under replication throttles, follow them to
//!   the end and remove kplace's throttles ([`ApplyOptions`], [`ApplyEvent`]s as it goes, an
//!   [`ApplyReport`] at the end);
//! - [`reassignment_progress`]: the status of the reassignments in flight;
//! - [`cancel`]: cancel them and remove the throttles kplace set (never anyone else's).
//!
//! ```no_run
//! use kplace_kafka::{take_snapshot, ClientConfig, KafkaClient};
//!
//! let mut client = KafkaClient::connect("127.0.0.1:9092", ClientConfig::default())?;
//! let snapshot = take_snapshot(&mut client)?;
//! println!("{} partitions", snapshot.partitions.len());
//! # Ok::<(), kplace_kafka::KafkaError>(())
//! ```
//!
//! The client is a small hand-written transport (std TCP, rustls TLS, SASL PLAIN and
//! SCRAM-SHA-256/512) around the `kafka-protocol` crate's generated codec, because librdkafka
//! (rdkafka) implements neither AlterPartitionReassignments nor ListPartitionReassignments
//! (KIP-455). No `kafka-protocol` type appears in this public API; errors are [`KafkaError`].
//!
//! # Stability
//!
//! The items re-exported here are the crate's public API. The modules hidden from these docs
//! (and the raw request methods of [`KafkaClient`]) are the workspace's own internals (the
//! `kplace` CLI and tests use them); they may change in any release.
//!
//! [`Snapshot`]: kplace_placement::Snapshot

pub use apply::{
    apply, ApplyEvent, ApplyOptions, ApplyReport, MoveState, PartitionFailure,
    DEFAULT_STALL_TIMEOUT,
};
pub use batching::Limits;
pub use cancel::{cancel, CancelReport, ThrottleRemoval};
pub use client::KafkaClient;
pub use cluster_admin::ClusterAdmin;
pub use error::{KafkaError, Result};
pub use figures::Figures;
pub use heal::{
    HealCluster, HealError, HealRound, Healer, InMemory, RoundReport, StateStore, Status,
    DEFAULT_DEAD_BROKER_GRACE, DEFAULT_MAX_MOVES_PER_ROUND,
};
pub use order::Order;
pub use pace::{PaceChange, PaceSettings};
pub use progress::{reassignment_progress, ReassignmentProgress};
pub use properties::{
    read_client_config, ClientConfig, Credentials, Pem, SaslMechanism, SecurityProtocol,
};
pub use reassignment_json::Move;
pub use schedule::Schedule;
pub use snapshot::take_snapshot;
pub use stop::Stop;

#[doc(hidden)]
pub mod admin;
#[doc(hidden)]
pub mod answer;
#[doc(hidden)]
pub mod apply;
#[doc(hidden)]
pub mod batching;
#[doc(hidden)]
pub mod broker_configs;
#[doc(hidden)]
pub mod cancel;
#[doc(hidden)]
pub mod client;
#[doc(hidden)]
pub mod cluster_admin;
#[doc(hidden)]
pub mod connection;
#[doc(hidden)]
pub mod disk_capacity;
#[doc(hidden)]
pub mod election;
#[doc(hidden)]
pub mod elr;
#[doc(hidden)]
pub mod error;
#[doc(hidden)]
pub mod eta;
#[cfg(any(test, feature = "fake"))]
#[doc(hidden)]
pub mod fake;
#[cfg(test)]
mod fake_tests;
#[doc(hidden)]
pub mod figures;
#[doc(hidden)]
pub mod heal;
#[doc(hidden)]
pub mod health;
#[doc(hidden)]
pub mod ledger;
mod names;
#[doc(hidden)]
pub mod order;
#[doc(hidden)]
pub mod owned_throttles;
#[doc(hidden)]
pub mod pace;
#[doc(hidden)]
pub mod plan_moves;
#[doc(hidden)]
pub mod progress;
#[doc(hidden)]
pub mod properties;
#[doc(hidden)]
pub mod rates;
#[doc(hidden)]
pub mod reassignment_json;
#[doc(hidden)]
pub mod retry;
#[doc(hidden)]
pub mod sampling;
#[doc(hidden)]
pub mod schedule;
#[doc(hidden)]
pub mod scram;
#[doc(hidden)]
pub mod snapshot;
#[doc(hidden)]
pub mod stall;
#[doc(hidden)]
pub mod stop;
#[doc(hidden)]
pub mod throttle;
mod tls;
#[doc(hidden)]
pub mod versions;
#[doc(hidden)]
pub mod watch;
