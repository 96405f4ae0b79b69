//! Cruise Control's capacity file (`capacity.config.file`: `capacity.json`, `capacityJBOD.json`,
//! `capacityCores.json`), read as Cruise Control documents it:
//!
//! - `brokerCapacities`: a list of `{"brokerId": "<id>", "capacity": {...}, "doc": "..."}`;
//!   `brokerId` `"-1"` is the default for every broker not listed, and a listed broker takes its
//!   own entry whole (Cruise Control's `BrokerCapacityConfigFileResolver`);
//! - `DISK` in MB (2^20 bytes, as Cruise Control converts bytes), either one amount or, for JBOD,
//!   a map from log dir to MB, whose sum is the broker's disk capacity;
//! - `CPU` in percent (0-100) of the broker, or `{"num.cores": "<n>"}`, which Cruise Control
//!   turns into a CPU capacity of 100 percent of those cores; kplace does the same;
//! - `NW_IN` and `NW_OUT` in KB/s (2^10 bytes per second).
//!
//! Amounts are strings in Cruise Control's files (it parses them with `Double.parseDouble`);
//! plain JSON numbers are accepted too. Every entry must give all four resources, as Cruise
//! Control's model needs them; unknown fields are refused.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{
    amount_problem, entry_error, insert_broker, BrokerEntry, CapacityFile, CapacityFormat,
};
use crate::parse::{parse_yaml, ParseError};
use crate::snapshot::{BrokerId, Capacity};
use crate::unique_keys::UniqueKeys;

/// Bytes in Cruise Control's MB.
pub const BYTES_PER_MB: f64 = 1024.0 * 1024.0;
/// Bytes in Cruise Control's KB.
pub const BYTES_PER_KB: f64 = 1024.0;
/// The CPU capacity Cruise Control gives a broker described by `num.cores` (percent).
pub const CPU_PERCENT_WITH_CORES: f64 = 100.0;
/// `brokerId` of the default entry.
pub const DEFAULT_BROKER_ID: BrokerId = -1;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    #[serde(rename = "brokerCapacities")]
    broker_capacities: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    #[serde(rename = "brokerId")]
    broker_id: Number,
    capacity: Resources,
    #[serde(default)]
    #[allow(dead_code)]
    doc: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Resources {
    #[serde(rename = "DISK")]
    disk: Disk,
    #[serde(rename = "CPU")]
    cpu: Cpu,
    #[serde(rename = "NW_IN")]
    network_in: Number,
    #[serde(rename = "NW_OUT")]
    network_out: Number,
}

/// An amount: a string as Cruise Control writes it, or a number.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Number {
    Text(String),
    Value(f64),
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Disk {
    Total(Number),
    PerLogDir(UniqueKeys<String, Number>),
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Cpu {
    Percent(Number),
    Cores(Cores),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Cores {
    #[serde(rename = "num.cores")]
    num_cores: Number,
}

impl Number {
    /// The amount, or why the text is not one.
    fn value(&self) -> Result<f64, String> {
        match self {
            Number::Value(value) => Ok(*value),
            Number::Text(text) => text
                .trim()
                .parse::<f64>()
                .map_err(|_| format!("'{}' is not a number", text.escape_debug())),
        }
    }
}

/// Parses a capacity file in Cruise Control's format.
pub fn parse(text: &str, origin: &str) -> Result<CapacityFile, ParseError> {
    let document: Document = parse_yaml(text, origin, "capacity file")?;
    let mut default = None;
    let mut default_place: Option<String> = None;
    let mut brokers = BTreeMap::new();
    for (index, entry) in document.broker_capacities.iter().enumerate() {
        let place = format!("brokerCapacities[{index}]");
        let id = broker_id(origin, &place, &entry.broker_id)?;
        let broker = (id != DEFAULT_BROKER_ID).then_some(id);
        let capacity = capacity(origin, &place, broker, &entry.capacity)?;
        match broker {
            None => {
                if let Some(first) = &default_place {
                    return Err(entry_error(
                        origin,
                        format!("{place}.brokerId"),
                        None,
                        format!("brokerId \"-1\" is given twice (first at {first})"),
                    ));
                }
                default = Some(capacity);
                default_place = Some(place);
            }
            Some(id) => insert_broker(origin, &mut brokers, id, BrokerEntry { place, capacity })?,
        }
    }
    if default.is_none() && brokers.is_empty() {
        return Err(ParseError {
            origin: origin.to_string(),
            line_column: None,
            field_path: Some("brokerCapacities".into()),
            message: "lists no broker and no default (brokerId \"-1\")".into(),
        });
    }
    Ok(CapacityFile {
        origin: origin.to_string(),
        format: CapacityFormat::CruiseControl,
        default,
        brokers,
    })
}

fn broker_id(origin: &str, place: &str, id: &Number) -> Result<BrokerId, ParseError> {
    let field = format!("{place}.brokerId");
    let bad = |message: String| ParseError {
        origin: origin.to_string(),
        line_column: None,
        field_path: Some(field.clone()),
        message,
    };
    let id = match id {
        Number::Text(text) => text
            .trim()
            .parse::<BrokerId>()
            .map_err(|_| bad(format!("'{}' is not a broker id", text.escape_debug())))?,
        Number::Value(value)
            if value.fract() == 0.0 && (-1.0..=f64::from(BrokerId::MAX)).contains(value) =>
        {
            *value as BrokerId
        }
        Number::Value(value) => return Err(bad(format!("{value} is not a broker id"))),
    };
    if id < DEFAULT_BROKER_ID {
        return Err(bad(format!(
            "{id} is not a broker id (\"-1\" is the default entry, others are not negative)"
        )));
    }
    Ok(id)
}

/// One entry's resources in kplace's units, each amount checked.
fn capacity(
    origin: &str,
    place: &str,
    broker: Option<BrokerId>,
    resources: &Resources,
) -> Result<Capacity, ParseError> {
    let amount = |field: String, number: &Number, scale: f64| -> Result<f64, ParseError> {
        let value = number
            .value()
            .map_err(|problem| entry_error(origin, field.clone(), broker, problem))?;
        match amount_problem(value) {
            Some(problem) => Err(entry_error(origin, field, broker, problem)),
            None => Ok(value * scale),
        }
    };
    let at = |resource: &str| format!("{place}.capacity.{resource}");
    let disk = match &resources.disk {
        Disk::Total(number) => amount(at("DISK"), number, BYTES_PER_MB)?,
        Disk::PerLogDir(UniqueKeys(dirs)) => {
            if dirs.is_empty() {
                return Err(entry_error(
                    origin,
                    at("DISK"),
                    broker,
                    "names no log dir".into(),
                ));
            }
            let mut total = 0.0;
            for (dir, number) in dirs {
                total += amount(format!("{}.{dir}", at("DISK")), number, BYTES_PER_MB)?;
            }
            total
        }
    };
    let cpu = match &resources.cpu {
        Cpu::Percent(number) => amount(at("CPU"), number, 1.0)?,
        Cpu::Cores(cores) => {
            let field = format!("{}.num.cores", at("CPU"));
            let n = amount(field.clone(), &cores.num_cores, 1.0)?;
            if n.fract() != 0.0 {
                return Err(entry_error(
                    origin,
                    field,
                    broker,
                    format!("{n} is not a whole number of cores"),
                ));
            }
            CPU_PERCENT_WITH_CORES
        }
    };
    Ok(Capacity {
        disk: Some(disk),
        network_in: Some(amount(at("NW_IN"), &resources.network_in, BYTES_PER_KB)?),
        network_out: Some(amount(at("NW_OUT"), &resources.network_out, BYTES_PER_KB)?),
        cpu: Some(cpu),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str) -> String {
        parse(text, "capacity.json").unwrap_err().to_string()
    }

    #[test]
    fn jbod_disks_add_up_and_cores_mean_the_whole_broker() {
        // The layouts of Cruise Control's capacityJBOD.json and capacityCores.json.
        let file = parse(
            r#"{"brokerCapacities": [
                {"brokerId": "-1", "capacity": {"DISK": {"/d1": "100000", "/d2": "50000"},
                 "CPU": {"num.cores": "16"}, "NW_IN": "10000", "NW_OUT": "10000"}},
                {"brokerId": "1", "capacity": {"DISK": {"/d1": "250000"},
                 "CPU": {"num.cores": "32"}, "NW_IN": 50000, "NW_OUT": "50000"}}]}"#,
            "capacityJBOD.json",
        )
        .unwrap();
        let default = file.default.unwrap();
        assert_eq!(default.disk, Some(150_000.0 * BYTES_PER_MB));
        assert_eq!(default.cpu, Some(100.0));
        assert_eq!(
            file.brokers[&1].capacity.disk,
            Some(250_000.0 * BYTES_PER_MB)
        );
        assert_eq!(
            file.brokers[&1].capacity.network_in,
            Some(50_000.0 * 1024.0)
        );
    }

    #[test]
    fn refusals_name_field_and_broker() {
        let entry = |id: &str, disk: &str| {
            format!(
                r#"{{"brokerId": {id}, "capacity": {{"DISK": {disk}, "CPU": "100", "NW_IN": "1", "NW_OUT": "1"}}}}"#
            )
        };
        let doc =
            |entries: &[String]| format!(r#"{{"brokerCapacities": [{}]}}"#, entries.join(","));
        let e = error(&doc(&[entry("\"-1\"", "\"1\""), entry("\"4\"", "\"-3\"")]));
        assert_eq!(
            e,
            "capacity.json at brokerCapacities[1].capacity.DISK: broker 4: -3 is negative"
        );
        let e = error(&doc(&[entry("\"-1\"", "\"NaN\"")]));
        assert_eq!(
            e,
            "capacity.json at brokerCapacities[0].capacity.DISK: default entry: NaN is not a capacity"
        );
        let e = error(&doc(&[entry("\"2\"", "\"1\""), entry("2", "\"1\"")]));
        assert_eq!(
            e,
            "capacity.json at brokerCapacities[1]: broker 2 is listed twice (first at brokerCapacities[0])"
        );
        let e = error(&doc(&[entry("\"-1\"", "\"1\""), entry("\"-1\"", "\"1\"")]));
        assert!(e.contains("brokerId \"-1\" is given twice"), "{e}");
        let e = error(&doc(&[entry("\"-2\"", "\"1\"")]));
        assert!(
            e.starts_with("capacity.json at brokerCapacities[0].brokerId: -2"),
            "{e}"
        );
        let e = error(&doc(&[entry("\"x\"", "\"1\"")]));
        assert!(e.contains("'x' is not a broker id"), "{e}");
        let e = error(&doc(&[entry("\"1\"", "\"lots\"")]));
        assert!(e.contains("broker 1: 'lots' is not a number"), "{e}");
        let e = error(&doc(&[entry("\"1\"", "{}")]));
        assert!(e.contains("names no log dir"), "{e}");
        let e = error(&doc(&[entry("\"1\"", r#"{"/a": "1", "/b": "-1"}"#)]));
        assert!(
            e.contains("brokerCapacities[0].capacity.DISK./b: broker 1"),
            "{e}"
        );
        let e = error(
            r#"{"brokerCapacities": [{"brokerId": "1", "capacity": {"DISK": "1", "CPU": "100", "NW_IN": "1"}}]}"#,
        );
        assert!(e.contains("missing field `NW_OUT`"), "{e}");
        assert!(e.contains("brokerCapacities[0].capacity"), "{e}");
        let e = error(
            r#"{"brokerCapacities": [{"brokerId": "1", "capacity": {"DISK": "1", "CPU": {"num.cores": "1.5"}, "NW_IN": "1", "NW_OUT": "1"}}]}"#,
        );
        assert!(e.contains("not a whole number of cores"), "{e}");
        let e = error(r#"{"brokerCapacities": []}"#);
        assert!(e.contains("lists no broker"), "{e}");
    }
}
