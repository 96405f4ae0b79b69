//! Policy rules compiled against the label table: anchored regexes and spreads over label indices.

use regex::Regex;

use crate::labels::{LabelIdx, LabelTable, ValueIdx};
use crate::model_error::ModelError;
use crate::policy::{RuleSpec, Spread};
use crate::topic_regex::anchored_topic_regex;

/// Dense index of a rule, in policy order.
pub type RuleIdx = u32;

/// One spread requirement over one label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpreadBound {
    /// floor(r/n) or ceil(r/n) per value present among eligible brokers.
    Even,
    /// At most this many per value.
    MaxPerValue(u32),
    /// Exactly these counts on these values, none elsewhere.
    Exact(Vec<(ValueIdx, u32)>),
}

/// A compiled policy rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Position in the policy (0-based).
    pub index: RuleIdx,
    /// The `topics` pattern as written.
    pub topics: String,
    /// The pattern, anchored to match whole topic names.
    pub regex: Regex,
    /// Target replication factor, if the rule sets one.
    pub replication_factor: Option<u32>,
    /// Spread per label, in label-name order.
    pub spread: Vec<(LabelIdx, SpreadBound)>,
    /// The rule's `min_insync_replicas`.
    pub min_insync_replicas: Option<u32>,
    /// Labels whose single-value loss must be survived.
    pub survive: Vec<LabelIdx>,
    /// Preferred leader location.
    pub leader: Vec<(LabelIdx, ValueIdx)>,
    /// True for the catch-all rule kplace adds after the policy's rules: topics no rule matches
    /// keep their replication factor and need no spread, but still may not sit on dead or
    /// excluded brokers.
    pub implicit: bool,
}

impl Rule {
    /// Compiles rule number `index`, interning its labels and values.
    pub fn compile(
        index: usize,
        spec: &RuleSpec,
        labels: &mut LabelTable,
    ) -> Result<Rule, ModelError> {
        let regex = anchored_topic_regex(&spec.topics).map_err(|error| ModelError::BadRegex {
            place: format!("rules[{index}].topics"),
            pattern: error.pattern,
            message: error.message,
        })?;
        let mut spread = Vec::with_capacity(spec.spread.len());
        for (name, kind) in &spec.spread {
            let label = labels.intern_label(name);
            let bound = match kind {
                Spread::Even => SpreadBound::Even,
                Spread::MaxPerValue(n) => SpreadBound::MaxPerValue(*n),
                Spread::Exact(counts) => SpreadBound::Exact(
                    counts
                        .iter()
                        .map(|(value, count)| (labels.intern_value(label, value), *count))
                        .collect(),
                ),
            };
            spread.push((label, bound));
        }
        let survive = spec
            .survive
            .iter()
            .map(|name| labels.intern_label(name))
            .collect();
        let leader = spec
            .leader
            .iter()
            .map(|(name, value)| {
                let label = labels.intern_label(name);
                (label, labels.intern_value(label, value))
            })
            .collect();
        Ok(Rule {
            index: index as RuleIdx,
            topics: spec.topics.clone(),
            regex,
            replication_factor: spec.replication_factor,
            spread,
            min_insync_replicas: spec.min_insync_replicas,
            survive,
            leader,
            implicit: false,
        })
    }

    /// The catch-all rule for topics that no policy rule matches.
    pub fn implicit(index: usize) -> Rule {
        Rule {
            index: index as RuleIdx,
            topics: ".*".to_string(),
            regex: Regex::new("^(?:.*)$").expect("constant regex compiles"),
            replication_factor: None,
            spread: Vec::new(),
            min_insync_replicas: None,
            survive: Vec::new(),
            leader: Vec::new(),
            implicit: true,
        }
    }

    /// A short name for messages: `rule 1 (topics 'payments\..*')`.
    pub fn describe(&self) -> String {
        if self.implicit {
            "the default rule (no policy rule matches)".to_string()
        } else {
            format!("rule {} (topics '{}')", self.index + 1, self.topics)
        }
    }
}
