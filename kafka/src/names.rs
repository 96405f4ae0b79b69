//! Conversions between kplace's plain strings and the protocol's name types.

use kafka_protocol::messages::TopicName;
use kafka_protocol::protocol::StrBytes;

/// A protocol topic name from a string.
pub fn topic_name(name: &str) -> TopicName {
    TopicName(StrBytes::from_string(name.to_string()))
}

/// A protocol string from a string.
pub fn str_bytes(text: &str) -> StrBytes {
    StrBytes::from_string(text.to_string())
}
