//! Values in a snapshot that parse but make no sense to Kafka: refused before anything is built.
//!
//! Broker ids and partition numbers are Kafka's non-negative `int32` values (`-1` means "no
//! leader" and is only valid as a leader); topic names are Kafka's legal names; sizes, loads and
//! capacities are finite and not negative; ISR entries are distinct. Each error names the field
//! path and the value, e.g. `partitions[12].load.cpu (payments-3): -1 is negative`.

use rayon::prelude::*;

use crate::model_error::ModelError;
use crate::snapshot::{BrokerId, Capacity, PartitionSpec, Snapshot, NO_LEADER};
use crate::snapshot_load::LoadSource;

/// Kafka's longest topic name.
pub const MAX_TOPIC_NAME: usize = 249;

/// Checks every number and name of `snapshot`; the first problem (in file order) is returned.
pub fn check_snapshot(snapshot: &Snapshot) -> Result<(), ModelError> {
    for (index, broker) in snapshot.brokers.iter().enumerate() {
        let place = |field: &str| format!("brokers[{index}].{field}");
        check_id(&place("id"), broker.id)?;
        check_capacity(&place("capacity"), &broker.capacity)?;
    }
    let partitions = &snapshot.partitions;
    if let Some(error) = partitions
        .par_iter()
        .enumerate()
        .find_map_first(|(index, spec)| {
            // Partitions of a topic are usually adjacent: check each name once per run.
            let new_topic = index == 0 || partitions[index - 1].topic != spec.topic;
            check_partition(index, spec, new_topic).err()
        })
    {
        return Err(error);
    }
    for (index, topic) in snapshot.topics.iter().enumerate() {
        check_topic_name(&format!("topics[{index}].name"), &topic.name)?;
        if topic.min_insync_replicas == Some(0) {
            return Err(bad(
                format!("topics[{index}].min_insync_replicas ({})", topic.name),
                "0 is not valid: Kafka's min.insync.replicas is at least 1",
            ));
        }
    }
    if let Some(source) = &snapshot.load_source {
        check_load_source(source)?;
    }
    for (index, moving) in snapshot.reassignments.iter().enumerate() {
        let place = |field: &str| format!("reassignments[{index}].{field}");
        check_topic_name(&place("topic"), &moving.topic)?;
        check_partition_number(&place("partition"), moving.partition)?;
        for (field, ids) in [
            ("replicas", &moving.replicas),
            ("adding_replicas", &moving.adding_replicas),
            ("removing_replicas", &moving.removing_replicas),
        ] {
            for (position, &id) in ids.iter().enumerate() {
                check_id(&place(&format!("{field}[{position}]")), id)?;
            }
        }
    }
    Ok(())
}

fn check_partition(index: usize, spec: &PartitionSpec, new_topic: bool) -> Result<(), ModelError> {
    if new_topic {
        check_topic_name(&format!("partitions[{index}].topic"), &spec.topic)?;
    }
    // Places are formatted only on error: this runs once per partition of large snapshots.
    let place = |field: &str| {
        format!(
            "partitions[{index}].{field} ({}-{})",
            spec.topic, spec.partition
        )
    };
    if spec.partition < 0 {
        check_partition_number(&format!("partitions[{index}].partition"), spec.partition)?;
    }
    for (position, &id) in spec.replicas.iter().enumerate() {
        if let Some(problem) = id_problem(id) {
            return Err(bad(place(&format!("replicas[{position}]")), problem));
        }
    }
    if let Some(leader) = spec.leader.filter(|&l| l != NO_LEADER) {
        if let Some(problem) = id_problem(leader) {
            return Err(bad(place("leader"), problem));
        }
    }
    if let Some(isr) = &spec.isr {
        for (position, &id) in isr.iter().enumerate() {
            let problem = id_problem(id).or_else(|| {
                isr[..position]
                    .contains(&id)
                    .then(|| format!("broker {id} is listed twice in the ISR"))
            });
            if let Some(problem) = problem {
                return Err(bad(place(&format!("isr[{position}]")), problem));
            }
        }
    }
    for (field, value) in [
        ("network_in", spec.load.network_in),
        ("network_out", spec.load.network_out),
        ("cpu", spec.load.cpu),
    ] {
        if let Some(problem) = amount_problem(value) {
            return Err(bad(place(&format!("load.{field}")), problem));
        }
    }
    if let Some(rates) = &spec.rates {
        for (field, value) in rates.amounts() {
            if let Some(problem) = value.and_then(amount_problem) {
                return Err(bad(place(&format!("rates.{field}")), problem));
            }
        }
    }
    Ok(())
}

fn check_load_source(source: &LoadSource) -> Result<(), ModelError> {
    if let Some(problem) = source.window_seconds.and_then(|seconds| {
        amount_problem(seconds)
            .or_else(|| (seconds == 0.0).then(|| "a sampling window cannot be 0 s".to_string()))
    }) {
        return Err(bad("load_source.window_seconds".into(), problem));
    }
    if source.samples == Some(0) {
        return Err(bad(
            "load_source.samples".into(),
            "0 is not valid: a sampled load has at least one sample",
        ));
    }
    Ok(())
}

fn id_problem(id: BrokerId) -> Option<String> {
    (id < 0).then(|| {
        format!(
            "{id} is not a broker id (Kafka's ids are 0 to {})",
            i32::MAX
        )
    })
}

fn check_id(place: &str, id: BrokerId) -> Result<(), ModelError> {
    match id_problem(id) {
        Some(problem) => Err(bad(place.to_string(), problem)),
        None => Ok(()),
    }
}

fn check_partition_number(place: &str, number: i32) -> Result<(), ModelError> {
    if number < 0 {
        return Err(bad(
            place.to_string(),
            format!(
                "{number} is not a partition number (Kafka's are 0 to {})",
                i32::MAX
            ),
        ));
    }
    Ok(())
}

/// Kafka's rule for topic names: 1 to 249 characters of `[a-zA-Z0-9._-]`, not `.` or `..`.
pub fn topic_name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("a topic name may not be empty".to_string());
    }
    if name == "." || name == ".." {
        return Some(format!("'{name}' is not a legal topic name"));
    }
    if name.len() > MAX_TOPIC_NAME {
        return Some(format!(
            "a topic name has at most {MAX_TOPIC_NAME} characters, this one {}",
            name.chars().count()
        ));
    }
    name.chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
        .map(|c| {
            format!(
                "'{}' holds {c:?}; Kafka topic names use only a-z, A-Z, 0-9, '.', '_' and '-'",
                name.escape_debug()
            )
        })
}

fn check_topic_name(place: &str, name: &str) -> Result<(), ModelError> {
    match topic_name_problem(name) {
        Some(problem) => Err(bad(place.to_string(), problem)),
        None => Ok(()),
    }
}

fn amount_problem(value: f64) -> Option<String> {
    if !value.is_finite() {
        Some(format!("{value} is not a finite number"))
    } else if value < 0.0 {
        Some(format!("{value} is negative"))
    } else {
        None
    }
}

fn check_capacity(place: &str, capacity: &Capacity) -> Result<(), ModelError> {
    for (field, value) in [
        ("disk", capacity.disk),
        ("network_in", capacity.network_in),
        ("network_out", capacity.network_out),
        ("cpu", capacity.cpu),
    ] {
        if let Some(problem) = value.and_then(amount_problem) {
            return Err(bad(format!("{place}.{field}"), problem));
        }
    }
    Ok(())
}

fn bad(place: String, message: impl Into<String>) -> ModelError {
    ModelError::BadSnapshot {
        place,
        message: message.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::{BrokerSpec, TopicSpec};

    fn snapshot() -> Snapshot {
        Snapshot {
            brokers: vec![BrokerSpec {
                id: 1,
                ..BrokerSpec::default()
            }],
            partitions: vec![PartitionSpec {
                topic: "t".into(),
                partition: 0,
                replicas: vec![1],
                ..PartitionSpec::default()
            }],
            ..Snapshot::default()
        }
    }

    #[test]
    fn sampled_rates_and_their_source_are_checked() {
        use crate::snapshot_load::{LoadMethod, SampledRates};
        let mut s = snapshot();
        s.partitions[0].rates = Some(SampledRates {
            produce: Some(1000.0),
            consume_spread: Some(f64::NAN),
            ..SampledRates::default()
        });
        let error = check_snapshot(&s).unwrap_err().to_string();
        assert!(
            error.starts_with("partitions[0].rates.consume_spread (t-0): NaN"),
            "{error}"
        );

        let source = LoadSource {
            method: LoadMethod::Sampled,
            window_seconds: Some(-5.0),
            samples: Some(1),
            statistic: None,
            cpu: None,
            unknown_partitions: 0,
            notes: Vec::new(),
        };
        let mut s = snapshot();
        s.load_source = Some(source.clone());
        let error = check_snapshot(&s).unwrap_err().to_string();
        assert_eq!(error, "load_source.window_seconds: -5 is negative");
        s.load_source = Some(LoadSource {
            window_seconds: Some(60.0),
            samples: Some(0),
            ..source
        });
        let error = check_snapshot(&s).unwrap_err().to_string();
        assert!(
            error.starts_with("load_source.samples: 0 is not valid"),
            "{error}"
        );
    }

    #[test]
    fn legal_snapshot_passes() {
        assert_eq!(check_snapshot(&snapshot()), Ok(()));
    }

    #[test]
    fn topic_names_follow_kafka() {
        assert_eq!(topic_name_problem("payments.ledger_v2-1"), None);
        assert!(topic_name_problem("").is_some());
        assert!(topic_name_problem(".").is_some());
        assert!(topic_name_problem("..").is_some());
        assert!(topic_name_problem("a b").is_some());
        assert!(topic_name_problem("caf\u{e9}").is_some());
        assert_eq!(topic_name_problem(&"a".repeat(249)), None);
        assert!(topic_name_problem(&"a".repeat(250)).is_some());
    }

    #[test]
    fn errors_name_the_field() {
        let mut s = snapshot();
        s.partitions[0].load.cpu = -1.0;
        let error = check_snapshot(&s).unwrap_err().to_string();
        assert_eq!(error, "partitions[0].load.cpu (t-0): -1 is negative");

        let mut s = snapshot();
        s.brokers[0].capacity.disk = Some(f64::INFINITY);
        let error = check_snapshot(&s).unwrap_err().to_string();
        assert!(
            error.starts_with("brokers[0].capacity.disk: inf"),
            "{error}"
        );

        let mut s = snapshot();
        s.partitions[0].isr = Some(vec![1, 1]);
        let error = check_snapshot(&s).unwrap_err().to_string();
        assert!(error.starts_with("partitions[0].isr[1] (t-0):"), "{error}");

        let mut s = snapshot();
        s.topics = vec![TopicSpec {
            name: "t".into(),
            min_insync_replicas: Some(0),
            internal: false,
        }];
        assert!(check_snapshot(&s).is_err());
    }
}
