//! Errors of the Kafka edge. Each names the broker, file, property or partition involved, and
//! tells bad input (a wrong address, credentials, file) from Kafka failing part-way.

/// What went wrong while talking to Kafka.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KafkaError {
    /// A client properties file (`--command-config`) is unreadable or wrong.
    #[error("{file}: {message}")]
    Config {
        /// The file (or "command-config") the setting came from.
        file: String,
        /// What is wrong, naming the property.
        message: String,
    },
    /// No bootstrap server could be reached or understood.
    #[error("cannot reach any bootstrap server of {bootstrap}: {reason}")]
    Bootstrap {
        /// The bootstrap list as given.
        bootstrap: String,
        /// The last failure.
        reason: String,
        /// The operating system's error behind it, when there is one (its text is not repeated
        /// in `reason`: print the chain, as [`KafkaError::full_message`] does).
        #[source]
        source: Option<std::io::Error>,
    },
    /// Authentication failed (wrong credentials, mechanism not enabled, TLS trust).
    #[error("broker {address}: authentication failed: {reason}")]
    Authentication {
        /// The broker address.
        address: String,
        /// Why, as the broker or TLS said it.
        reason: String,
    },
    /// A network or protocol failure with one broker.
    #[error("broker {broker}: {reason}")]
    Broker {
        /// The broker, as "id (host:port)" or "host:port".
        broker: String,
        /// What failed.
        reason: String,
        /// The operating system's error behind it (connection refused, reset, timed out...),
        /// when there is one; its text is not repeated in `reason`.
        #[source]
        source: Option<std::io::Error>,
    },
    /// Kafka answered a request with an error.
    #[error("{request}: {subject}: {code}{}", message.as_deref().map(|m| format!(" ({m})")).unwrap_or_default())]
    Response {
        /// The request, e.g. "AlterPartitionReassignments".
        request: &'static str,
        /// What the error is about, e.g. "partition orders-3" or "broker 7".
        subject: String,
        /// Kafka's error name.
        code: String,
        /// Kafka's error message, if any.
        message: Option<String>,
    },
    /// The input names something the cluster does not have, or is otherwise inconsistent.
    #[error("{0}")]
    Input(String),
    /// A broker that moves depend on went down; re-running once it is back continues.
    #[error("{0}")]
    BrokerDown(String),
    /// The cluster's Kafka is outside the supported range, or too old for the operation asked
    /// (names the operation, the API and the version needed); nothing was submitted.
    #[error("{0}")]
    Unsupported(String),
    /// A request that changes state failed after it may have reached a broker: whether Kafka
    /// carried it out is unknown until the state is read back.
    #[error("{0}")]
    Uncertain(String),
    /// Waiting on Kafka took longer than allowed, or the moves stalled.
    #[error("{0}")]
    Timeout(String),
    /// A signal asked the process to stop; kplace cleaned up and stopped.
    #[error("{message}")]
    Stopped {
        /// The signal's number (2 SIGINT, 15 SIGTERM).
        signal: i32,
        /// What was done and what is left.
        message: String,
    },
}

impl KafkaError {
    /// The message with its causes, `outer: cause: cause`, as the CLI prints it. `Display`
    /// alone leaves out what [`std::error::Error::source`] returns.
    pub fn full_message(&self) -> String {
        let mut message = self.to_string();
        let mut cause = std::error::Error::source(self);
        while let Some(error) = cause {
            message.push_str(": ");
            message.push_str(&error.to_string());
            cause = error.source();
        }
        message
    }

    /// True when the error is the caller's input (address, credentials, config, plan): nothing
    /// was changed in Kafka.
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            KafkaError::Config { .. }
                | KafkaError::Bootstrap { .. }
                | KafkaError::Authentication { .. }
                | KafkaError::Input(_)
                | KafkaError::Unsupported(_)
        )
    }
}

/// Shorthand for results of this crate.
pub type Result<T, E = KafkaError> = std::result::Result<T, E>;

/// Kafka's name for an error code, e.g. `NOT_CONTROLLER`.
pub fn error_name(code: i16) -> String {
    use kafka_protocol::error::ParseResponseErrorCode;
    match code.err() {
        Some(error) => format!("{error:?}"),
        None => "NONE".to_string(),
    }
}
