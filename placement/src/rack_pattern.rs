//! The policy's `rack_pattern`: named groups matched against `broker.rack` become labels.
//!
//! A live broker whose rack the pattern does not match, or matches without one of its named
//! groups (an optional group that did not take part), would lack labels the rules spread over and
//! silently lose every replica. [`RackPattern::labels`] says so, and the model refuses it unless
//! the policy says `unmatched_brokers: ineligible`.

use regex::Regex;

use crate::labels::RACK_LABEL;
use crate::model_error::ModelError;

/// A compiled `rack_pattern`.
#[derive(Debug, Clone)]
pub struct RackPattern {
    /// The pattern as written.
    pub pattern: String,
    regex: Regex,
    groups: Vec<String>,
}

/// Why a rack gives no full set of labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unmatched {
    /// The broker has no `broker.rack`.
    NoRack,
    /// The pattern does not match the rack.
    NoMatch,
    /// The pattern matched but this named group took no part.
    MissingGroup(String),
}

impl std::fmt::Display for Unmatched {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unmatched::NoRack => f.write_str("it has no rack"),
            Unmatched::NoMatch => f.write_str("the pattern does not match it"),
            Unmatched::MissingGroup(group) => {
                write!(f, "the pattern's group '{group}' does not take part")
            }
        }
    }
}

impl RackPattern {
    /// Compiles the policy's pattern. A group named `rack` is refused: it would replace the
    /// broker's raw rack label, which `spread: {rack: ...}` means.
    pub fn compile(pattern: &str) -> Result<RackPattern, ModelError> {
        let regex = Regex::new(pattern).map_err(|error| ModelError::BadRegex {
            place: "rack_pattern".to_string(),
            pattern: pattern.to_string(),
            message: error.to_string(),
        })?;
        let groups: Vec<String> = regex.capture_names().flatten().map(String::from).collect();
        if groups.iter().any(|g| g == RACK_LABEL) {
            return Err(ModelError::BadRule {
                place: "rack_pattern".to_string(),
                message: format!(
                    "the group '{RACK_LABEL}' in '{pattern}' would replace each broker's raw rack \
                     label (which `spread: {{rack: ...}}` means); give the group another name"
                ),
            });
        }
        Ok(RackPattern {
            pattern: pattern.to_string(),
            regex,
            groups,
        })
    }

    /// The pattern's named groups, in pattern order.
    pub fn groups(&self) -> &[String] {
        &self.groups
    }

    /// The labels `rack` gives: one `(group, value)` per named group, or why not every group
    /// gets a value. The partial labels come along with the reason.
    pub fn labels<'r>(&self, rack: Option<&'r str>) -> (Vec<(&str, &'r str)>, Option<Unmatched>) {
        let Some(rack) = rack else {
            return (Vec::new(), Some(Unmatched::NoRack));
        };
        let Some(captures) = self.regex.captures(rack) else {
            return (Vec::new(), Some(Unmatched::NoMatch));
        };
        let mut labels = Vec::with_capacity(self.groups.len());
        let mut missing = None;
        for group in &self.groups {
            match captures.name(group) {
                Some(found) => labels.push((group.as_str(), found.as_str())),
                None => {
                    missing.get_or_insert_with(|| Unmatched::MissingGroup(group.clone()));
                }
            }
        }
        (labels, missing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern() -> RackPattern {
        RackPattern::compile("^(?P<zone>az[0-9]+)(/(?P<cluster>k8s-[a-z]+))?$").unwrap()
    }

    #[test]
    fn full_match_gives_every_group() {
        let pattern = pattern();
        let (labels, unmatched) = pattern.labels(Some("az1/k8s-a"));
        assert_eq!(labels, vec![("zone", "az1"), ("cluster", "k8s-a")]);
        assert_eq!(unmatched, None);
    }

    #[test]
    fn typos_and_optional_groups_are_reported() {
        assert_eq!(
            pattern().labels(Some("az1/k8s-a ")).1,
            Some(Unmatched::NoMatch)
        );
        assert_eq!(pattern().labels(None).1, Some(Unmatched::NoRack));
        let pattern = pattern();
        let (labels, unmatched) = pattern.labels(Some("az1"));
        assert_eq!(labels, vec![("zone", "az1")]);
        assert_eq!(unmatched, Some(Unmatched::MissingGroup("cluster".into())));
    }

    #[test]
    fn a_group_named_rack_is_refused() {
        let error = RackPattern::compile("^(?P<rack>.*)$").unwrap_err();
        assert!(error.to_string().starts_with("rack_pattern:"), "{error}");
    }
}
