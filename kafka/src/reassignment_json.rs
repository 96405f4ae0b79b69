//! Kafka's reassignment JSON, as `kafka-reassign-partitions` reads and writes it:
//! `{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,2,3]}]}`.

use serde::Deserialize;

use crate::error::KafkaError;

/// The reassignment file and its entries are the placement crate's types (one definition of
/// Kafka's format for writing and reading).
pub use kplace_placement::reassignment::{ReassignmentEntry, ReassignmentFile as ReassignmentJson};

/// One move: a partition and its target replicas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    /// Topic name.
    pub topic: String,
    /// Partition number.
    pub partition: i32,
    /// Target replicas, preferred leader first.
    pub target: Vec<i32>,
}

impl std::fmt::Display for Move {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{} -> {:?}", self.topic, self.partition, self.target)
    }
}

/// Parses reassignment JSON; `file` names the source in errors. Checks the shape only (unique
/// partitions, non-empty replica lists without duplicates); whether topics and brokers exist is
/// checked against the cluster by the apply engine.
pub fn parse_reassignment_json(bytes: &[u8], file: &str) -> Result<Vec<Move>, KafkaError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let parsed: ReassignmentJson = serde_path_to_error_free(&mut deserializer)
        .map_err(|e| KafkaError::Input(format!("{file}: not Kafka reassignment JSON: {e}")))?;
    if parsed.version != 1 {
        return Err(KafkaError::Input(format!(
            "{file}: version {} (expected 1)",
            parsed.version
        )));
    }
    let mut moves: Vec<Move> = Vec::with_capacity(parsed.partitions.len());
    // Linear duplicate check: a plan may hold 100,000 moves.
    let mut listed: std::collections::HashSet<(String, i32)> =
        std::collections::HashSet::with_capacity(parsed.partitions.len());
    for entry in parsed.partitions {
        let name = format!("{file}: partition {}-{}", entry.topic, entry.partition);
        if entry.replicas.is_empty() {
            return Err(KafkaError::Input(format!("{name}: empty replica list")));
        }
        let mut seen = entry.replicas.clone();
        seen.sort_unstable();
        seen.dedup();
        if seen.len() != entry.replicas.len() {
            return Err(KafkaError::Input(format!(
                "{name}: a broker appears twice in {:?}",
                entry.replicas
            )));
        }
        if let Some(dirs) = &entry.log_dirs {
            if dirs.iter().any(|d| d != "any") {
                return Err(KafkaError::Input(format!(
                    "{name}: log_dirs other than \"any\" are not supported"
                )));
            }
        }
        if !listed.insert((entry.topic.clone(), entry.partition)) {
            return Err(KafkaError::Input(format!("{name}: listed twice")));
        }
        moves.push(Move {
            topic: entry.topic,
            partition: entry.partition,
            target: entry.replicas,
        });
    }
    Ok(moves)
}

fn serde_path_to_error_free(
    deserializer: &mut serde_json::Deserializer<serde_json::de::SliceRead<'_>>,
) -> Result<ReassignmentJson, serde_json::Error> {
    let value = ReassignmentJson::deserialize(&mut *deserializer)?;
    deserializer.end()?;
    Ok(value)
}

/// Renders moves as Kafka reassignment JSON.
pub fn to_reassignment_json(moves: &[Move]) -> ReassignmentJson {
    ReassignmentJson {
        version: 1,
        partitions: moves
            .iter()
            .map(|m| ReassignmentEntry {
                topic: m.topic.clone(),
                partition: m.partition,
                replicas: m.target.clone(),
                log_dirs: None,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_kafka_tool_output() {
        let text = br#"{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,2],"log_dirs":["any","any"]}]}"#;
        let moves = parse_reassignment_json(text, "r.json").unwrap();
        assert_eq!(
            moves,
            vec![Move {
                topic: "t".into(),
                partition: 0,
                target: vec![1, 2]
            }]
        );
    }

    #[test]
    fn errors_name_file_and_partition() {
        let text = br#"{"version":1,"partitions":[{"topic":"t","partition":3,"replicas":[1,1]}]}"#;
        let error = parse_reassignment_json(text, "r.json")
            .unwrap_err()
            .to_string();
        assert!(error.contains("r.json: partition t-3"), "{error}");
        let error = parse_reassignment_json(b"{\"version\":1}", "r.json")
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("r.json:"), "{error}");
    }
}
