//! kplace's edge to a running Kafka cluster: snapshots, reassignments, throttles.
//!
//! The client is a small hand-written transport (std TCP, rustls TLS, SASL PLAIN and
//! SCRAM-SHA-256/512) around the `kafka-protocol` crate's generated codec, because librdkafka
//! (rdkafka) implements neither AlterPartitionReassignments nor ListPartitionReassignments
//! (KIP-455).
//!
//! ```no_run
//! use kplace_kafka::{client::KafkaClient, properties::ClientConfig, snapshot::take_snapshot};
//!
//! let mut client = KafkaClient::connect("127.0.0.1:9092", ClientConfig::default())?;
//! let snapshot = take_snapshot(&mut client)?;
//! println!("{} partitions", snapshot.partitions.len());
//! # Ok::<(), kplace_kafka::error::KafkaError>(())
//! ```
//!
//! Modules: [`properties`] (client properties files), [`connection`] and [`client`] (transport),
//! [`admin`] (admin operations as plain data), [`snapshot`] (a [`Snapshot`] of a live cluster),
//! [`reassignment_json`] (Kafka's reassignment JSON), [`batching`] (which moves may run together,
//! pure), [`throttle`] (replication throttles), [`apply`] (submitting and following moves).
//!
//! [`Snapshot`]: kplace_placement::snapshot::Snapshot

pub mod admin;
pub mod apply;
pub mod batching;
pub mod cancel;
pub mod client;
pub mod connection;
pub mod error;
pub mod heal_guards;
mod names;
pub mod progress;
pub mod properties;
pub mod reassignment_json;
pub mod scram;
pub mod snapshot;
pub mod throttle;
mod tls;
