//! The arguments every command that talks to Kafka shares, connecting, and turning the Kafka
//! edge's errors into exit codes (bad input: 2; Kafka failing part-way: 4).

use std::path::PathBuf;

use clap::Args;
use kplace_kafka::client::KafkaClient;
use kplace_kafka::error::KafkaError;
use kplace_kafka::properties::{read_client_config, ClientConfig};

use crate::exit::CliError;

/// Where the cluster is and how to connect to it.
#[derive(Debug, Clone, Args)]
pub struct KafkaArgs {
    /// Kafka bootstrap servers, e.g. `kafka-0:9092,kafka-1:9092`.
    #[arg(long, value_name = "HOST:PORT")]
    pub bootstrap_server: String,
    /// Client properties file as Kafka's tools take it (security.protocol, sasl.mechanism,
    /// sasl.jaas.config or sasl.username/sasl.password, PEM ssl.truststore/keystore settings).
    #[arg(long, value_name = "FILE")]
    pub command_config: Option<PathBuf>,
}

impl KafkaArgs {
    /// The files these arguments read, by flag (outputs must not be one of them).
    pub fn inputs(&self) -> Vec<(&'static str, &std::path::Path)> {
        self.command_config
            .iter()
            .map(|path| ("--command-config", path.as_path()))
            .collect()
    }

    /// Connects to the cluster; wrong addresses, credentials or settings are bad input.
    pub fn connect(&self) -> Result<KafkaClient, CliError> {
        connect(&self.bootstrap_server, self.command_config.as_deref())
    }
}

/// Connects to `bootstrap` with the settings of `command_config` (if any).
pub fn connect(
    bootstrap: &str,
    command_config: Option<&std::path::Path>,
) -> Result<KafkaClient, CliError> {
    let config = match command_config {
        Some(path) => read_client_config(path).map_err(kafka_error)?,
        None => ClientConfig::default(),
    };
    KafkaClient::connect(bootstrap, config).map_err(kafka_error)
}

/// The CLI error for a Kafka edge error: bad input (exit 2), Kafka failing (exit 4) or a stop
/// by a signal (exit 128 + signal).
pub fn kafka_error(error: KafkaError) -> CliError {
    if let KafkaError::Stopped { signal, message } = error {
        return CliError::Stopped(signal, message);
    }
    // The message with its causes (the operating system's error behind a broker failure).
    if error.is_bad_input() {
        CliError::BadInput(error.full_message())
    } else {
        CliError::Kafka(error.full_message())
    }
}
