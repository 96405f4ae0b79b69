//! Property tests of the input contracts: arbitrary and structurally mutated bytes fed to the
//! snapshot and policy parsers (and, when they parse, to the model) never panic, and parsing
//! time grows linearly with the input whatever its shape (nesting, long lists, aliases).

use std::time::{Duration, Instant};

use kplace_placement::check::check;
use kplace_placement::model::{ClusterModel, ModelOptions};
use kplace_placement::parse::{parse_policy, parse_snapshot};
use kplace_placement::policy::Policy;
use kplace_placement::snapshot::Snapshot;
use proptest::prelude::*;

const SNAPSHOT: &str = include_str!("../../fixtures/stretch/snapshot.json");
const POLICY: &str = include_str!("../../fixtures/stretch/policy.yaml");

fn stretch_snapshot() -> Snapshot {
    parse_snapshot(SNAPSHOT.as_bytes(), "snapshot").expect("fixture")
}

fn stretch_policy() -> Policy {
    parse_policy(POLICY, "policy").expect("fixture")
}

/// Fragments that tend to break parsers and contracts.
const TOKENS: &[&str] = &[
    "[",
    "]",
    "{",
    "}",
    "\"",
    "'",
    ":",
    ",",
    "- ",
    "\n",
    "  ",
    "#",
    "&a ",
    "*a",
    "!!binary ",
    "-1",
    "-2147483649",
    "2147483648",
    "1e999",
    "-0.0",
    "NaN",
    "null",
    "true",
    "\\u0000",
    "\"alive\": false",
    "\"replicas\": []",
    "\"isr\": [1, 1]",
    "exact: {az1: 9}",
    "(?P<rack>",
    ")|(",
    "?",
    "~",
    "\t",
    "\u{feff}",
    "é",
];

#[derive(Debug, Clone)]
enum Mutation {
    Delete(usize, usize),
    Duplicate(usize, usize),
    Insert(usize, usize),
    Swap(usize, usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 0usize..64).prop_map(|(a, n)| Mutation::Delete(a, n)),
        (any::<usize>(), 0usize..256).prop_map(|(a, n)| Mutation::Duplicate(a, n)),
        (any::<usize>(), 0..TOKENS.len()).prop_map(|(a, t)| Mutation::Insert(a, t)),
        (any::<usize>(), any::<usize>(), 1usize..32).prop_map(|(a, b, n)| Mutation::Swap(a, b, n)),
    ]
}

/// Applies mutations to `text` (byte positions taken modulo the length).
fn mutate(text: &str, mutations: &[Mutation]) -> Vec<u8> {
    let mut bytes = text.as_bytes().to_vec();
    for m in mutations {
        let len = bytes.len().max(1);
        match *m {
            Mutation::Delete(at, n) => {
                let at = at % len;
                let end = (at + n).min(bytes.len());
                if at < end {
                    bytes.drain(at..end);
                }
            }
            Mutation::Duplicate(at, n) => {
                let at = at % len;
                let end = (at + n).min(bytes.len());
                if at < end {
                    let copy = bytes[at..end].to_vec();
                    bytes.splice(end..end, copy);
                }
            }
            Mutation::Insert(at, token) => {
                let at = (at % len).min(bytes.len());
                bytes.splice(at..at, TOKENS[token].bytes());
            }
            Mutation::Swap(a, b, n) => {
                let (a, b) = (a % len, b % len);
                let (a, b) = (a.min(b), a.max(b));
                if a + n <= b && b + n <= bytes.len() {
                    for i in 0..n {
                        bytes.swap(a + i, b + i);
                    }
                }
            }
        }
    }
    bytes
}

/// Builds and checks a model when both inputs parse: the model refuses or works, never panics.
fn build_and_check(snapshot: &Snapshot, policy: &Policy) {
    if let Ok(model) = ClusterModel::build(snapshot, policy, &ModelOptions::default()) {
        let _ = check(&model, model.current());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = parse_snapshot(&bytes, "s.json");
        let _ = parse_policy(&String::from_utf8_lossy(&bytes), "p.yaml");
    }

    #[test]
    fn mutated_snapshots_never_panic(mutations in proptest::collection::vec(mutation(), 1..6)) {
        let bytes = mutate(SNAPSHOT, &mutations);
        if let Ok(snapshot) = parse_snapshot(&bytes, "s.json") {
            build_and_check(&snapshot, &stretch_policy());
        }
    }

    #[test]
    fn mutated_policies_never_panic(mutations in proptest::collection::vec(mutation(), 1..6)) {
        let bytes = mutate(POLICY, &mutations);
        if let Ok(policy) = parse_policy(&String::from_utf8_lossy(&bytes), "p.yaml") {
            build_and_check(&stretch_snapshot(), &policy);
        }
    }
}

/// The fastest of three runs of `work`.
fn fastest(work: &dyn Fn()) -> Duration {
    (0..3)
        .map(|_| {
            let started = Instant::now();
            work();
            started.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// Parsing a document 8 times larger takes at most 40 times longer (linear would be 8; the
/// quadratic libyaml behaviour this guards against gave 64 and more), with 20 ms of slack for
/// timer noise at small sizes.
fn assert_linear(shape: &str, make: &dyn Fn(usize) -> String, parse: &dyn Fn(&str)) {
    let small = make(20_000);
    let large = make(160_000);
    let t_small = fastest(&|| parse(&small));
    let t_large = fastest(&|| parse(&large));
    assert!(
        t_large <= t_small * 40 + Duration::from_millis(20),
        "{shape}: {} bytes in {t_small:?}, {} bytes in {t_large:?}",
        small.len(),
        large.len()
    );
}

#[test]
fn policy_parsing_is_linear_whatever_the_shape() {
    let parse = |text: &str| {
        let _ = parse_policy(text, "p.yaml");
    };
    let shapes: [(&str, &dyn Fn(usize) -> String); 6] = [
        ("nested brackets", &|n| format!("rules: {}", "[".repeat(n))),
        ("nested braces", &|n| {
            format!("rules: [{}", "{a: ".repeat(n / 4))
        }),
        ("compact sequences", &|n| {
            format!("rules:\n{}x", "- ".repeat(n / 2))
        }),
        ("many rules", &|n| {
            format!(
                "rules:\n{}",
                "  - {topics: 'a.*', spread: {rack: even}}\n".repeat(n / 40)
            )
        }),
        ("many shallow nests", &|n| {
            let nest = format!("{}{}", "[".repeat(60), "]".repeat(60));
            format!("rules: [{}]", vec![nest; n / 121].join(","))
        }),
        ("aliases", &|n| {
            let mut text = String::from("a0: &a0 [x, x]\n");
            for i in 1..n / 30 {
                text.push_str(&format!("a{i}: &a{i} [*a{}, *a{}]\n", i - 1, i - 1));
            }
            text
        }),
    ];
    for (shape, make) in shapes {
        assert_linear(shape, make, &parse);
    }
}

#[test]
fn snapshot_parsing_is_linear_whatever_the_shape() {
    let parse = |text: &str| {
        let _ = parse_snapshot(text.as_bytes(), "s.json");
    };
    let shapes: [(&str, &dyn Fn(usize) -> String); 3] = [
        ("nested arrays", &|n| {
            format!("{{\"brokers\": {}", "[".repeat(n))
        }),
        ("many brokers", &|n| {
            let brokers: Vec<String> = (0..n / 12).map(|i| format!("{{\"id\": {i}}}")).collect();
            format!(
                "{{\"brokers\": [{}], \"partitions\": []}}",
                brokers.join(",")
            )
        }),
        ("many partitions, one bad at the end", &|n| {
            let partitions: Vec<String> = (0..n / 50)
                .map(|i| format!("{{\"topic\": \"t\", \"partition\": {i}, \"replicas\": [1]}}"))
                .collect();
            format!(
                "{{\"brokers\": [{{\"id\": 1}}], \"partitions\": [{}, {{\"topic\": 1}}]}}",
                partitions.join(",")
            )
        }),
    ];
    for (shape, make) in shapes {
        assert_linear(shape, make, &parse);
    }
}

#[test]
fn deep_nesting_is_refused_quickly() {
    let text = format!("rules: {}", "[".repeat(400_000));
    let started = Instant::now();
    let error = parse_policy(&text, "p.yaml").unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(error.message.contains("nested more than"), "{error}");
    assert_eq!(error.line_column, Some((1, 8 + 64)));
}
