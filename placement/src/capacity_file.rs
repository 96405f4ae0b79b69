//! The capacity file (`--capacity FILE`): per-broker capacity for disk, network in and out and
//! CPU, with a default for brokers not listed, in either of two formats:
//!
//! - kplace's own ([`kplace_format`]): YAML or JSON, units in the field names (`disk_bytes`,
//!   `network_in_bytes_per_second`, `network_out_bytes_per_second`, `cpu_percent`);
//! - Cruise Control's `capacity.json` / `capacityJBOD.json` / `capacityCores.json`
//!   ([`cruise_control`]), so that its users bring the file they already have.
//!
//! The format is told by the document itself: a top-level `brokerCapacities` is Cruise Control's,
//! anything else is read as kplace's. Both end as the same [`CapacityFile`]: capacities in
//! kplace's units (bytes, bytes per second, percent of one broker's CPU). Amounts must be finite
//! and greater than zero; a broker listed twice is refused. [`CapacityFile::resolve`] then checks
//! the file against the cluster's brokers (no unknown id; a default when some broker is not
//! listed) and gives every broker its capacity.

pub mod cruise_control;
pub mod kplace_format;

use std::collections::BTreeMap;

use crate::capacity_source::Provenance;
use crate::parse::ParseError;
use crate::snapshot::{BrokerId, Capacity, Snapshot};

/// Which format a capacity file was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CapacityFormat {
    /// kplace's own format.
    Kplace,
    /// Cruise Control's `brokerCapacities` format.
    CruiseControl,
}

/// One broker's entry of a capacity file.
#[derive(Debug, Clone, PartialEq)]
pub struct BrokerEntry {
    /// Where the entry is in the file (a field path such as `brokerCapacities[2]`).
    pub place: String,
    /// Its capacities; a dimension left out falls back to the default entry's.
    pub capacity: Capacity,
}

/// A capacity file, read and checked on its own (not yet against a cluster).
#[derive(Debug, Clone, PartialEq)]
pub struct CapacityFile {
    /// The file's name, for messages.
    pub origin: String,
    /// The format it was written in.
    pub format: CapacityFormat,
    /// The capacity of brokers the file does not list (`default:` / `brokerId` `"-1"`).
    pub default: Option<Capacity>,
    /// Per listed broker.
    pub brokers: BTreeMap<BrokerId, BrokerEntry>,
}

/// Parses a capacity file (YAML or JSON) of either format; see the module documentation.
pub fn parse_capacity_file(text: &str, origin: &str) -> Result<CapacityFile, ParseError> {
    if is_cruise_control(text) {
        cruise_control::parse(text, origin)
    } else {
        kplace_format::parse(text, origin)
    }
}

/// Whether the document's top level names Cruise Control's `brokerCapacities`. A document that
/// is not even YAML is left to the kplace reader, whose error then names line and column.
fn is_cruise_control(text: &str) -> bool {
    if crate::nesting::check_depth(text.as_bytes()).is_err() {
        return false;
    }
    match serde_yaml_ng::from_str::<serde_yaml_ng::Value>(text) {
        Ok(serde_yaml_ng::Value::Mapping(map)) => map.contains_key("brokerCapacities"),
        _ => false,
    }
}

impl CapacityFile {
    /// Every broker's capacity from the file: its own entry's dimensions, else the default's.
    /// Refused (naming the file, the entry and the broker): an entry for a broker that is not
    /// among `brokers` (the cluster's), and a broker of the cluster the file does not list when
    /// it has no default.
    pub fn resolve(
        &self,
        brokers: &[BrokerId],
    ) -> Result<BTreeMap<BrokerId, Capacity>, ParseError> {
        if let Some((id, entry)) = self.brokers.iter().find(|(id, _)| !brokers.contains(id)) {
            return Err(self.error(
                Some(entry.place.clone()),
                format!(
                    "broker {id} is not in the cluster (its brokers: {})",
                    list(brokers.iter())
                ),
            ));
        }
        let default = match &self.default {
            Some(default) => *default,
            None => {
                let unlisted: Vec<&BrokerId> = brokers
                    .iter()
                    .filter(|id| !self.brokers.contains_key(id))
                    .collect();
                if !unlisted.is_empty() {
                    return Err(self.error(
                        None,
                        format!(
                            "broker(s) {} are not listed and there is no default entry ({})",
                            list(unlisted.into_iter()),
                            match self.format {
                                CapacityFormat::Kplace => "`default:`",
                                CapacityFormat::CruiseControl => "brokerId \"-1\"",
                            }
                        ),
                    ));
                }
                Capacity::default()
            }
        };
        Ok(brokers
            .iter()
            .map(|&id| {
                let own = self
                    .brokers
                    .get(&id)
                    .map(|e| e.capacity)
                    .unwrap_or_default();
                (id, merge(own, default))
            })
            .collect())
    }

    /// Lays the file's capacities over `snapshot`'s (after [`resolve`](Self::resolve) against
    /// its brokers), recording each one it sets as from the file. Returns how many brokers had a
    /// capacity the file replaced with a different one (worth a note to the user).
    pub fn lay_over(&self, snapshot: &mut Snapshot) -> Result<usize, ParseError> {
        let ids: Vec<BrokerId> = snapshot.brokers.iter().map(|b| b.id).collect();
        let capacities = self.resolve(&ids)?;
        let mut overridden = 0;
        for broker in &mut snapshot.brokers {
            let Some(given) = capacities.get(&broker.id) else {
                continue;
            };
            let (capacity, source) = (&mut broker.capacity, &mut broker.capacity_source);
            let mut replaced = false;
            for (value, from, provenance) in [
                (&mut capacity.disk, given.disk, &mut source.disk),
                (
                    &mut capacity.network_in,
                    given.network_in,
                    &mut source.network_in,
                ),
                (
                    &mut capacity.network_out,
                    given.network_out,
                    &mut source.network_out,
                ),
                (&mut capacity.cpu, given.cpu, &mut source.cpu),
            ] {
                if let Some(from) = from {
                    replaced |= value.is_some_and(|old| old != from);
                    *value = Some(from);
                    *provenance = Some(Provenance::File);
                }
            }
            overridden += usize::from(replaced);
        }
        Ok(overridden)
    }

    fn error(&self, field_path: Option<String>, message: String) -> ParseError {
        ParseError {
            origin: self.origin.clone(),
            line_column: None,
            field_path,
            message,
        }
    }
}

/// `own`'s dimensions, the missing ones from `default`.
fn merge(own: Capacity, default: Capacity) -> Capacity {
    Capacity {
        disk: own.disk.or(default.disk),
        network_in: own.network_in.or(default.network_in),
        network_out: own.network_out.or(default.network_out),
        cpu: own.cpu.or(default.cpu),
    }
}

fn list<'a>(ids: impl Iterator<Item = &'a BrokerId>) -> String {
    ids.map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

/// What is wrong with one amount of a capacity file, if anything: capacities are finite and
/// greater than zero (a broker with no room at all is kept free with `--exclude-brokers`).
pub(crate) fn amount_problem(value: f64) -> Option<String> {
    if value.is_nan() {
        Some("NaN is not a capacity".to_string())
    } else if !value.is_finite() {
        Some(format!("{value} is not a finite number"))
    } else if value < 0.0 {
        Some(format!("{value} is negative"))
    } else if value == 0.0 {
        Some("a capacity of 0 leaves no room (keep a broker free with --exclude-brokers)".into())
    } else {
        None
    }
}

/// Adds broker `id` at `place` to `brokers`, refusing a broker given twice.
pub(crate) fn insert_broker(
    origin: &str,
    brokers: &mut BTreeMap<BrokerId, BrokerEntry>,
    id: BrokerId,
    entry: BrokerEntry,
) -> Result<(), ParseError> {
    if let Some(first) = brokers.get(&id) {
        return Err(ParseError {
            origin: origin.to_string(),
            line_column: None,
            field_path: Some(entry.place),
            message: format!("broker {id} is listed twice (first at {})", first.place),
        });
    }
    brokers.insert(id, entry);
    Ok(())
}

/// An error at `field_path` of `origin` naming broker `broker` (or the default entry).
pub(crate) fn entry_error(
    origin: &str,
    field_path: String,
    broker: Option<BrokerId>,
    message: String,
) -> ParseError {
    let whose = match broker {
        Some(id) => format!("broker {id}"),
        None => "default entry".to_string(),
    };
    ParseError {
        origin: origin.to_string(),
        line_column: None,
        field_path: Some(field_path),
        message: format!("{whose}: {message}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KPLACE: &str = "\
default:
  disk_bytes: 104857600000
  network_in_bytes_per_second: 10240000
  network_out_bytes_per_second: 10240000
  cpu_percent: 100
brokers:
  - id: 0
    disk_bytes: 524288000000
    network_in_bytes_per_second: 51200000
    network_out_bytes_per_second: 51200000
";

    /// Cruise Control's own documented layout (brokerCapacities, brokerId "-1" the default,
    /// DISK in MB, CPU in percent, NW_IN/NW_OUT in KB/s), written by hand.
    const CRUISE_CONTROL: &str = r#"{
  "brokerCapacities": [
    { "brokerId": "-1",
      "capacity": { "DISK": "100000", "CPU": "100", "NW_IN": "10000", "NW_OUT": "10000" },
      "doc": "The default capacity." },
    { "brokerId": "0",
      "capacity": { "DISK": "500000", "CPU": "100", "NW_IN": "50000", "NW_OUT": "50000" },
      "doc": "Broker 0 is bigger." }
  ]
}"#;

    #[test]
    fn cruise_control_and_kplace_files_give_the_same_capacities() {
        let kplace = parse_capacity_file(KPLACE, "k.yaml").unwrap();
        let cc = parse_capacity_file(CRUISE_CONTROL, "capacity.json").unwrap();
        assert_eq!(kplace.format, CapacityFormat::Kplace);
        assert_eq!(cc.format, CapacityFormat::CruiseControl);
        let brokers = [0, 1, 2];
        let from_kplace = kplace.resolve(&brokers).unwrap();
        let from_cc = cc.resolve(&brokers).unwrap();
        assert_eq!(from_kplace, from_cc);
        assert_eq!(from_cc[&0].disk, Some(500_000.0 * 1024.0 * 1024.0));
        assert_eq!(from_cc[&1].network_in, Some(10_000.0 * 1024.0));
        assert_eq!(from_cc[&2].cpu, Some(100.0));
    }

    #[test]
    fn a_broker_dimension_left_out_comes_from_the_default() {
        let file = parse_capacity_file(KPLACE, "k.yaml").unwrap();
        let capacities = file.resolve(&[0]).unwrap();
        assert_eq!(capacities[&0].cpu, Some(100.0));
        assert_eq!(capacities[&0].disk, Some(524_288_000_000.0));
    }

    #[test]
    fn a_broker_not_in_the_cluster_is_refused_by_entry() {
        let file = parse_capacity_file(CRUISE_CONTROL, "capacity.json").unwrap();
        let error = file.resolve(&[1, 2]).unwrap_err().to_string();
        assert!(
            error.starts_with(
                "capacity.json at brokerCapacities[1]: broker 0 is not in the cluster"
            ),
            "{error}"
        );
    }

    #[test]
    fn unlisted_brokers_without_a_default_are_refused() {
        let file =
            parse_capacity_file("brokers:\n  - id: 1\n    disk_bytes: 1000\n", "k.yaml").unwrap();
        assert!(file.resolve(&[1]).is_ok());
        let error = file.resolve(&[1, 2, 3]).unwrap_err().to_string();
        assert!(error.contains("broker(s) 2, 3 are not listed"), "{error}");
        assert!(error.contains("`default:`"), "{error}");
    }

    #[test]
    fn amounts_that_are_no_capacity_are_refused() {
        for bad in [-1.0, 0.0, f64::NAN, f64::INFINITY] {
            assert!(amount_problem(bad).is_some(), "{bad}");
        }
        assert!(amount_problem(1e-3).is_none());
    }

    #[test]
    fn detection_does_not_depend_on_json_or_yaml() {
        let yaml = "brokerCapacities:\n  - brokerId: -1\n    capacity: {DISK: 1, CPU: 100, NW_IN: 1, NW_OUT: 1}\n";
        assert_eq!(
            parse_capacity_file(yaml, "c.yaml").unwrap().format,
            CapacityFormat::CruiseControl
        );
        let json = r#"{"default": {"cpu_percent": 100}}"#;
        assert_eq!(
            parse_capacity_file(json, "k.json").unwrap().format,
            CapacityFormat::Kplace
        );
    }
}
