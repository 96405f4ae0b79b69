//! The policy file format (YAML or JSON): which topics get which spread over which labels.
//!
//! ```yaml
//! rack_pattern: '^(?P<zone>[^/]+)/(?P<cluster>[^/]+)$'
//! rules:
//!   - topics: 'payments\..*'
//!     replication_factor: 6
//!     spread: {zone: even, cluster: even}
//!     min_insync_replicas: 3
//!   - topics: '.*'
//!     spread: {zone: even}
//! ```
//!
//! The first rule whose `topics` regex matches the whole topic name applies. A topic that no rule
//! matches is left as it is. Unknown fields are rejected.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::unique_keys::{self, UniqueKeys};

/// A placement policy as written by an operator.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Optional regex whose named groups, matched against a broker's rack, become labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rack_pattern: Option<String>,
    /// Rules in priority order: the first whose `topics` matches the whole topic name applies.
    pub rules: Vec<RuleSpec>,
    /// What the self-healing job does when every broker of one label value is dead.
    #[serde(default)]
    pub on_domain_outage: OnDomainOutage,
    /// What to do with a live broker whose rack `rack_pattern` does not match (or matches without
    /// one of its groups). Default: refuse the snapshot.
    #[serde(default, skip_serializing_if = "UnmatchedBrokers::is_refuse")]
    pub unmatched_brokers: UnmatchedBrokers,
}

/// The stance on live brokers whose rack does not match `rack_pattern`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnmatchedBrokers {
    /// Refuse (exit 2, naming the broker, its rack and the pattern): a typo in one broker's rack
    /// must not silently drain it.
    #[default]
    Refuse,
    /// Such brokers hold no replicas; `check` and `plan` name them.
    Ineligible,
}

impl UnmatchedBrokers {
    /// True for the default, [`UnmatchedBrokers::Refuse`].
    pub fn is_refuse(&self) -> bool {
        *self == UnmatchedBrokers::Refuse
    }
}

/// One rule of a policy.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Regex that must match the whole topic name.
    pub topics: String,
    /// Target replication factor; absent: keep each partition's current replication factor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replication_factor: Option<u32>,
    /// Per label, how replicas spread over that label's values. All entries hold at once.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "unique_keys::deserialize"
    )]
    pub spread: BTreeMap<String, Spread>,
    /// `min.insync.replicas` the topic runs with; used by failure analysis and domain survival.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_insync_replicas: Option<u32>,
    /// Labels whose loss of any one value must leave every partition at `min_insync_replicas`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub survive: Vec<String>,
    /// Preferred leader location, e.g. `{zone: az1}`: leaders go there when the spread allows.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "unique_keys::deserialize"
    )]
    pub leader: BTreeMap<String, String>,
}

/// How the replicas of one partition spread over the values of one label.
///
/// Written `even`, `{max_per_value: N}` or `{exact: {VALUE: N, ...}}`. YAML libraries map enum
/// variants with data to `!tags`, so this type reads its three forms itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Spread {
    /// Every value present among eligible brokers holds floor(r/n) or ceil(r/n) replicas.
    Even,
    /// No value holds more than this many replicas.
    MaxPerValue(u32),
    /// The named values hold exactly these counts; every other value holds none.
    Exact(BTreeMap<String, u32>),
}

/// The self-healing job's stance when a whole failure domain (every broker of a label value) is down.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnDomainOutage {
    /// Report and wait for the domain to return; do not re-spread its replicas.
    #[default]
    Wait,
    /// Re-place the domain's replicas on the surviving brokers.
    Reprotect,
}

const SPREAD_FORMS: &str = "`even`, `{max_per_value: N}` or `{exact: {VALUE: N, ...}}`";

impl<'de> Deserialize<'de> for Spread {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(SpreadVisitor)
    }
}

struct SpreadVisitor;

impl<'de> serde::de::Visitor<'de> for SpreadVisitor {
    type Value = Spread;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(SPREAD_FORMS)
    }

    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<Spread, E> {
        match value {
            "even" => Ok(Spread::Even),
            other => Err(E::custom(format_args!(
                "unknown spread `{other}`, expected {SPREAD_FORMS}"
            ))),
        }
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Spread, A::Error> {
        use serde::de::Error;
        let key: String = map.next_key()?.ok_or_else(|| {
            A::Error::custom(format_args!("empty spread, expected {SPREAD_FORMS}"))
        })?;
        let spread = match key.as_str() {
            "max_per_value" => Spread::MaxPerValue(map.next_value()?),
            "exact" => Spread::Exact(map.next_value::<UniqueKeys<String, u32>>()?.0),
            "even" => {
                return Err(A::Error::custom(
                    "write `even` as a plain value, e.g. `zone: even`",
                ))
            }
            other => {
                return Err(A::Error::custom(format_args!(
                    "unknown spread `{other}`, expected {SPREAD_FORMS}"
                )))
            }
        };
        if let Some(extra) = map.next_key::<String>()? {
            return Err(A::Error::custom(format_args!(
                "spread has a second key `{extra}`; give one of {SPREAD_FORMS}"
            )));
        }
        Ok(spread)
    }
}
