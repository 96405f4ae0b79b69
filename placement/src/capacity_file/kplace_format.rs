//! kplace's capacity file format: YAML or JSON, the unit of every amount in its field name.
//!
//! ```yaml
//! default:                              # brokers not listed below
//!   disk_bytes: 2.0e12
//!   network_in_bytes_per_second: 1.25e8
//!   network_out_bytes_per_second: 1.25e8
//!   cpu_percent: 100                    # 100 = all of one broker's CPU
//! brokers:
//!   - id: 7
//!     disk_bytes: 4.0e12                # the other dimensions from `default`
//! ```
//!
//! Every field is optional, but the file must give some capacity and every entry at least one
//! dimension; unknown fields are refused (a typo such as `disk_byte` would otherwise pass).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{
    amount_problem, entry_error, insert_broker, BrokerEntry, CapacityFile, CapacityFormat,
};
use crate::parse::{parse_yaml, ParseError};
use crate::snapshot::{BrokerId, Capacity};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    #[serde(default)]
    default: Option<Amounts>,
    #[serde(default)]
    brokers: Vec<Broker>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Amounts {
    disk_bytes: Option<f64>,
    network_in_bytes_per_second: Option<f64>,
    network_out_bytes_per_second: Option<f64>,
    cpu_percent: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Broker {
    id: BrokerId,
    disk_bytes: Option<f64>,
    network_in_bytes_per_second: Option<f64>,
    network_out_bytes_per_second: Option<f64>,
    cpu_percent: Option<f64>,
}

/// Parses a capacity file in kplace's format.
pub fn parse(text: &str, origin: &str) -> Result<CapacityFile, ParseError> {
    let document: Document = parse_yaml(text, origin, "capacity file")?;
    let default = document
        .default
        .map(|amounts| capacity(origin, "default", None, &amounts))
        .transpose()?;
    let mut brokers = BTreeMap::new();
    for (index, broker) in document.brokers.into_iter().enumerate() {
        let place = format!("brokers[{index}]");
        if broker.id < 0 {
            return Err(entry_error(
                origin,
                format!("{place}.id"),
                Some(broker.id),
                "broker ids are not negative (brokers not listed take `default:`)".into(),
            ));
        }
        let amounts = Amounts {
            disk_bytes: broker.disk_bytes,
            network_in_bytes_per_second: broker.network_in_bytes_per_second,
            network_out_bytes_per_second: broker.network_out_bytes_per_second,
            cpu_percent: broker.cpu_percent,
        };
        let capacity = capacity(origin, &place, Some(broker.id), &amounts)?;
        insert_broker(
            origin,
            &mut brokers,
            broker.id,
            BrokerEntry { place, capacity },
        )?;
    }
    if default.is_none() && brokers.is_empty() {
        return Err(ParseError {
            origin: origin.to_string(),
            line_column: None,
            field_path: None,
            message: "gives no capacity: expected `default:` and/or `brokers:` (kplace's format) \
                      or `brokerCapacities` (Cruise Control's)"
                .into(),
        });
    }
    Ok(CapacityFile {
        origin: origin.to_string(),
        format: CapacityFormat::Kplace,
        default,
        brokers,
    })
}

/// The amounts of one entry as a [`Capacity`], each checked.
fn capacity(
    origin: &str,
    place: &str,
    broker: Option<BrokerId>,
    amounts: &Amounts,
) -> Result<Capacity, ParseError> {
    let fields = [
        ("disk_bytes", amounts.disk_bytes),
        (
            "network_in_bytes_per_second",
            amounts.network_in_bytes_per_second,
        ),
        (
            "network_out_bytes_per_second",
            amounts.network_out_bytes_per_second,
        ),
        ("cpu_percent", amounts.cpu_percent),
    ];
    for (field, value) in fields {
        if let Some(problem) = value.and_then(amount_problem) {
            return Err(entry_error(
                origin,
                format!("{place}.{field}"),
                broker,
                problem,
            ));
        }
    }
    if fields.iter().all(|(_, value)| value.is_none()) {
        return Err(entry_error(
            origin,
            place.to_string(),
            broker,
            "gives no capacity (expected disk_bytes, network_in_bytes_per_second, \
             network_out_bytes_per_second or cpu_percent)"
                .into(),
        ));
    }
    Ok(Capacity {
        disk: amounts.disk_bytes,
        network_in: amounts.network_in_bytes_per_second,
        network_out: amounts.network_out_bytes_per_second,
        cpu: amounts.cpu_percent,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str) -> String {
        parse(text, "k.yaml").unwrap_err().to_string()
    }

    #[test]
    fn reads_units_from_field_names() {
        let file = parse(
            "default: {disk_bytes: 2.0e12, cpu_percent: 100}\nbrokers:\n  - {id: 3, network_in_bytes_per_second: 1.25e8}\n",
            "k.yaml",
        )
        .unwrap();
        assert_eq!(file.default.and_then(|d| d.disk), Some(2.0e12));
        assert_eq!(file.brokers[&3].capacity.network_in, Some(1.25e8));
        assert_eq!(file.brokers[&3].place, "brokers[0]");
    }

    #[test]
    fn refusals_name_field_and_broker() {
        let e = error("brokers:\n  - {id: 3, disk_bytes: -5}\n");
        assert_eq!(
            e,
            "k.yaml at brokers[0].disk_bytes: broker 3: -5 is negative"
        );
        let e = error("default: {cpu_percent: .nan}\n");
        assert_eq!(
            e,
            "k.yaml at default.cpu_percent: default entry: NaN is not a capacity"
        );
        let e = error("brokers:\n  - {id: 1, cpu_percent: 100}\n  - {id: 1, cpu_percent: 50}\n");
        assert_eq!(
            e,
            "k.yaml at brokers[1]: broker 1 is listed twice (first at brokers[0])"
        );
        let e = error("brokers:\n  - {id: -1, cpu_percent: 100}\n");
        assert!(e.starts_with("k.yaml at brokers[0].id: broker -1:"), "{e}");
        let e = error("brokers:\n  - {id: 2}\n");
        assert!(e.contains("broker 2: gives no capacity"), "{e}");
        let e = error("default: {disk_byte: 5}\n");
        assert!(e.contains("unknown field `disk_byte`"), "{e}");
        assert!(e.contains("line 1"), "{e}");
        let e = error("{}");
        assert!(e.contains("gives no capacity"), "{e}");
        let e = error("brokers:\n  - {id: 2, disk_bytes: '1TB'}\n");
        assert!(e.contains("brokers[0].disk_bytes"), "{e}");
    }
}
