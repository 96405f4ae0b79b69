//! Policy values that parse but contradict themselves: refused before a model is built.
//!
//! - `replication_factor` is at least 1;
//! - `min_insync_replicas` is at least 1 and at most the replication factor the rule can reach
//!   (its `replication_factor`, else the total of an `exact` spread);
//! - every `exact` spread of a rule adds up to the rule's replication factor, and two `exact`
//!   spreads of one rule add up to the same total.
//!
//! A rule without `replication_factor` or `exact` keeps each partition's replication factor; its
//! `min_insync_replicas` cannot be checked against the policy alone.

use crate::model_error::ModelError;
use crate::policy::{Policy, RuleSpec, Spread};

/// Checks every rule of `policy`.
pub fn check_policy(policy: &Policy) -> Result<(), ModelError> {
    for (index, rule) in policy.rules.iter().enumerate() {
        check_rule(index, rule)?;
    }
    Ok(())
}

fn check_rule(index: usize, rule: &RuleSpec) -> Result<(), ModelError> {
    let place = |field: &str| format!("rules[{index}].{field}");
    if rule.replication_factor == Some(0) {
        return Err(bad(place("replication_factor"), "must be at least 1"));
    }
    // The replication factor the rule places, and what fixes it (for messages).
    let mut reach: Option<(u32, String)> = rule
        .replication_factor
        .map(|r| (r, format!("replication_factor is {r}")));
    for (label, spread) in &rule.spread {
        let Spread::Exact(counts) = spread else {
            continue;
        };
        let total: u64 = counts.values().map(|&c| u64::from(c)).sum();
        let field = place(&format!("spread.{label}.exact"));
        match &reach {
            Some((r, why)) if u64::from(*r) != total => {
                return Err(bad(
                    field,
                    format!("the counts add up to {total}, but {why}"),
                ));
            }
            Some(_) => {}
            None => {
                let total = u32::try_from(total)
                    .map_err(|_| bad(field.clone(), format!("the counts add up to {total}")))?;
                reach = Some((total, format!("{field} adds up to {total}")));
            }
        }
    }
    match (rule.min_insync_replicas, &reach) {
        (Some(0), _) => Err(bad(
            place("min_insync_replicas"),
            "0 is not valid: Kafka's min.insync.replicas is at least 1",
        )),
        (Some(min_isr), Some((r, why))) if min_isr > *r => Err(bad(
            place("min_insync_replicas"),
            format!(
                "{min_isr} is more than the {r} replicas the rule places ({why}): \
                 no partition could ever accept a write with acks=all"
            ),
        )),
        _ => Ok(()),
    }
}

fn bad(place: String, message: impl Into<String>) -> ModelError {
    ModelError::BadRule {
        place,
        message: message.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_policy;

    fn check(text: &str) -> Result<(), String> {
        let policy = parse_policy(text, "p.yaml").map_err(|e| e.to_string())?;
        check_policy(&policy).map_err(|e| e.to_string())
    }

    #[test]
    fn consistent_rules_pass() {
        check(include_str!("../../fixtures/stretch/policy.yaml")).unwrap();
        check("rules: [{topics: a, spread: {zone: {exact: {az1: 2, az2: 1}}}, min_insync_replicas: 2}]")
            .unwrap();
    }

    #[test]
    fn min_isr_beyond_the_replication_factor_is_refused() {
        let error = check("rules: [{topics: a, replication_factor: 3, min_insync_replicas: 4}]")
            .unwrap_err();
        assert!(
            error.starts_with("rules[0].min_insync_replicas: 4 is more than the 3"),
            "{error}"
        );
        let error = check("rules: [{topics: a, min_insync_replicas: 0}]").unwrap_err();
        assert!(
            error.starts_with("rules[0].min_insync_replicas: 0"),
            "{error}"
        );
        let error = check(
            "rules: [{topics: a, spread: {zone: {exact: {az1: 1}}}, min_insync_replicas: 2}]",
        )
        .unwrap_err();
        assert!(error.contains("spread.zone.exact adds up to 1"), "{error}");
    }

    #[test]
    fn exact_counts_must_add_up() {
        let error = check(
            "rules: [{topics: a, replication_factor: 3, spread: {zone: {exact: {az1: 2, az2: 2}}}}]",
        )
        .unwrap_err();
        assert_eq!(
            error,
            "rules[0].spread.zone.exact: the counts add up to 4, but replication_factor is 3"
        );
        let error = check(
            "rules: [{topics: a, spread: {cluster: {exact: {k: 2}}, zone: {exact: {az1: 3}}}}]",
        )
        .unwrap_err();
        assert!(
            error.starts_with("rules[0].spread.zone.exact: the counts add up to 3, but rules[0].spread.cluster.exact adds up to 2"),
            "{error}"
        );
    }
}
