//! Broker-id flags that contradict themselves or each other: a broker named twice in one list,
//! or added and removed (or added and excluded) at once. Refused before anything is read.

use kplace_placement::snapshot::BrokerId;
use std::collections::BTreeSet;

use crate::exit::{bad_input, CliError};

/// One broker-list flag and its ids.
pub type BrokerList<'a> = (&'static str, &'a [BrokerId]);

/// Pairs of flags no broker may be in both of, and why.
const CONFLICTS: [(&str, &str, &str); 3] = [
    (
        "--add-brokers",
        "--remove-brokers",
        "a broker cannot be added and drained at once",
    ),
    (
        "--add-brokers",
        "--exclude-brokers",
        "an excluded broker takes no replicas, so it cannot be added",
    ),
    (
        "--remove-brokers",
        "--exclude-brokers",
        "say it once: a removed broker is excluded",
    ),
];

/// Refuses duplicates within each list and a broker in two contradicting lists.
pub fn check(lists: &[BrokerList]) -> Result<(), CliError> {
    for (flag, ids) in lists {
        let mut seen = BTreeSet::new();
        if let Some(id) = ids.iter().find(|id| !seen.insert(**id)) {
            return Err(bad_input(format!("{flag}: broker {id} is named twice")));
        }
    }
    let ids_of = |flag: &str| {
        lists
            .iter()
            .find(|(f, _)| *f == flag)
            .map_or(&[][..], |(_, ids)| *ids)
    };
    for (a, b, why) in CONFLICTS {
        if let Some(id) = ids_of(a).iter().find(|id| ids_of(b).contains(id)) {
            return Err(bad_input(format!(
                "{a} {id} and {b} {id} contradict: {why}"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn contradictions_are_refused_naming_both_flags() {
        let error = check(&[("--add-brokers", &[3]), ("--remove-brokers", &[1, 3])]).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("--add-brokers 3 and --remove-brokers 3"),
            "{error}"
        );
        let error = check(&[("--demote-brokers", &[2, 2])]).unwrap_err();
        assert!(error
            .to_string()
            .contains("--demote-brokers: broker 2 is named twice"));
        assert!(check(&[("--add-brokers", &[3]), ("--demote-brokers", &[3])]).is_ok());
    }
}
