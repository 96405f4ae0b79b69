//! Topic patterns: a user's regex that must match whole topic names.
//!
//! The pattern is compiled on its own first, and only then wrapped as `^(?:PATTERN)$`. Wrapping
//! first would let an unbalanced pattern through: `payments)|(x` wraps to `^(?:payments)|(x)$`,
//! which compiles and matches every topic that merely *starts* with `payments`. Compiling the
//! pattern alone refuses it, and the regex engine's message then shows the user's own text with
//! the caret under the offending character.

use regex::Regex;
use regex_syntax::hir::literal::{ExtractKind, Extractor};

/// A pattern that does not compile on its own.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid regex '{pattern}':\n{message}")]
pub struct PatternError {
    /// The pattern as the user wrote it.
    pub pattern: String,
    /// The regex engine's message, which quotes the pattern with a caret under the fault.
    pub message: String,
}

/// Compiles `pattern` to a regex that matches whole topic names, after checking that the pattern
/// is valid on its own. Used by policy rules and by `--excluded-topics`.
pub fn anchored_topic_regex(pattern: &str) -> Result<Regex, PatternError> {
    let error = |e: regex::Error| PatternError {
        pattern: pattern.to_string(),
        message: e.to_string(),
    };
    Regex::new(pattern).map_err(error)?;
    Regex::new(&format!("^(?:{pattern})$")).map_err(error)
}

/// Whether `pattern` names `name` explicitly: the pattern matches a finite set of whole names
/// (literals and alternations of literals, e.g. `__consumer_offsets` or
/// `__(consumer_offsets|transaction_state)`) and `name` is one of them. `.*` or `__.*` do not name
/// any topic explicitly. A pattern that does not parse names nothing.
pub fn names_explicitly(pattern: &str, name: &str) -> bool {
    let Ok(hir) = regex_syntax::parse(pattern) else {
        return false;
    };
    let mut extractor = Extractor::new();
    extractor.kind(ExtractKind::Prefix);
    let literals = extractor.extract(&hir);
    match literals.literals() {
        Some(literals) => literals
            .iter()
            .any(|literal| literal.is_exact() && literal.as_bytes() == name.as_bytes()),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_names_only() {
        let regex = anchored_topic_regex("payments\\..*").unwrap();
        assert!(regex.is_match("payments.ledger"));
        assert!(!regex.is_match("x.payments.ledger"));
    }

    #[test]
    fn unbalanced_pattern_is_refused_before_anchoring() {
        let error = anchored_topic_regex("payments)|(x").unwrap_err();
        assert_eq!(error.pattern, "payments)|(x");
        // The caret sits under the `)` of the user's pattern (column 9), not of the wrapped one.
        let lines: Vec<&str> = error.message.lines().collect();
        let quoted = lines
            .iter()
            .position(|l| l.trim_start() == "payments)|(x")
            .unwrap_or_else(|| panic!("pattern quoted: {}", error.message));
        let caret = lines[quoted + 1];
        let offset = lines[quoted].find('p').unwrap();
        assert_eq!(caret.find('^'), Some(offset + 8), "{}", error.message);
    }

    #[test]
    fn explicit_names() {
        assert!(names_explicitly("__consumer_offsets", "__consumer_offsets"));
        assert!(names_explicitly(
            "__(consumer_offsets|transaction_state)",
            "__transaction_state"
        ));
        assert!(names_explicitly(
            "a|__consumer_offsets",
            "__consumer_offsets"
        ));
        assert!(!names_explicitly(".*", "__consumer_offsets"));
        assert!(!names_explicitly("__.*", "__consumer_offsets"));
        assert!(!names_explicitly(
            "__consumer_offsets.*",
            "__consumer_offsets"
        ));
        assert!(!names_explicitly("other", "__consumer_offsets"));
    }
}
