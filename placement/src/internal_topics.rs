//! Kafka's internal topics (`__consumer_offsets`, `__transaction_state`, and any topic a live
//! snapshot marks internal).
//!
//! Their replication factor is set by the broker (`offsets.topic.replication.factor`,
//! `transaction.state.log.replication.factor`), so a catch-all rule such as `topics: '.*'` with a
//! `replication_factor` does not change it: only a rule whose pattern names the topic explicitly
//! does (see [`crate::topic_regex::names_explicitly`]). They are spread like any other topic.

/// Topics Kafka always treats as internal, whatever a snapshot says.
pub const KNOWN_INTERNAL: [&str; 2] = ["__consumer_offsets", "__transaction_state"];

/// Whether topic `name` is internal: one of [`KNOWN_INTERNAL`], or marked so by the snapshot.
pub fn is_internal(name: &str, marked: bool) -> bool {
    marked || KNOWN_INTERNAL.contains(&name)
}
