//! The PLAN.json reader under hostile bytes: arbitrary bytes and structurally mutated plans
//! (fields removed, values of the wrong type, elements duplicated, truncated text, flipped bytes,
//! unknown fields) never panic; whatever it accepts holds together; unknown fields are accepted.

use std::sync::OnceLock;

use kplace_optimizer::plan::Plan;
use kplace_optimizer::planner::{make_plan, PlanRequest};
use kplace_placement::model::{ClusterModel, ModelOptions};
use proptest::prelude::*;
use serde_json::{json, Value};

mod support;

/// A real plan of the stretch fixture (spread goal), as JSON.
fn plan_json() -> &'static Value {
    static PLAN: OnceLock<Value> = OnceLock::new();
    PLAN.get_or_init(|| {
        let (snapshot, policy) = support::fixture("stretch");
        let model = ClusterModel::build(&snapshot, &policy, &ModelOptions::default()).unwrap();
        let request = PlanRequest::new().with_goals(["spread"]);
        serde_json::to_value(make_plan(&model, &request).unwrap()).unwrap()
    })
}

/// Every path (object keys, array indices) to a value inside `value`.
fn paths(value: &Value, prefix: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
    out.push(prefix.clone());
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                prefix.push(json!(key));
                paths(child, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate().take(3) {
                prefix.push(json!(index));
                paths(child, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

fn at<'a>(value: &'a mut Value, path: &[Value]) -> &'a mut Value {
    path.iter().fold(value, |v, step| match step {
        Value::String(key) => &mut v[key.as_str()],
        Value::Number(n) => &mut v[n.as_u64().unwrap() as usize],
        _ => unreachable!(),
    })
}

/// The kinds of damage done to one place of the plan.
#[derive(Debug, Clone)]
enum Mutation {
    Remove,
    Replace(Value),
    Duplicate,
    AddField(String),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let wrong = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,8}".prop_map(Value::from),
        Just(json!([])),
        Just(json!([-1, 2147483648_i64, 1])),
        Just(json!({})),
        Just(json!(u64::MAX)),
    ];
    prop_oneof![
        Just(Mutation::Remove),
        wrong.prop_map(Mutation::Replace),
        Just(Mutation::Duplicate),
        "[a-z_]{1,12}".prop_map(Mutation::AddField),
    ]
}

fn mutate(plan: &mut Value, path: &[Value], mutation: &Mutation) {
    let Some((last, parent)) = path.split_last() else {
        if let Mutation::Replace(v) = mutation {
            *plan = v.clone();
        }
        return;
    };
    let parent = at(plan, parent);
    match (mutation, parent, last) {
        (Mutation::Remove, Value::Object(map), Value::String(key)) => {
            map.remove(key);
        }
        (Mutation::Remove, Value::Array(items), Value::Number(n)) => {
            items.remove(n.as_u64().unwrap() as usize);
        }
        (Mutation::Duplicate, Value::Array(items), Value::Number(n)) => {
            let item = items[n.as_u64().unwrap() as usize].clone();
            items.push(item);
        }
        (Mutation::AddField(name), parent, last) => {
            if let Value::Object(map) = at(parent, std::slice::from_ref(last)) {
                map.insert(name.clone(), json!({"added": [1, "x"]}));
            }
        }
        (Mutation::Replace(v), parent, last) => *at(parent, std::slice::from_ref(last)) = v.clone(),
        _ => {}
    }
}

#[test]
fn an_unchanged_plan_reads_back_equal() {
    let bytes = serde_json::to_vec(plan_json()).unwrap();
    let plan = Plan::parse(&bytes, "plan.json").unwrap();
    // Exact for everything but the last digit of floating-point loads (serde_json's float
    // parsing is not round-trip exact by default).
    for field in ["version", "inputs", "goals", "partitions", "totals"] {
        assert!(
            serde_json::to_value(&plan).unwrap()[field] == plan_json()[field],
            "{field}"
        );
    }
    assert_eq!(
        plan.brokers.len(),
        plan_json()["brokers"].as_array().unwrap().len()
    );
}

#[test]
fn unknown_fields_of_the_plan_are_accepted_and_of_its_policy_refused() {
    let mut value = plan_json().clone();
    value["future"] = json!(1);
    value["partitions"][0]["future"] = json!("x");
    value["goals"][0]["before"]["future"] = json!(null);
    value["brokers"][0]["before"]["future"] = json!(2.5);
    value["totals"]["future"] = json!([]);
    value["inputs"]["future"] = json!({});
    assert!(Plan::parse(&serde_json::to_vec(&value).unwrap(), "p").is_ok());
    value["inputs"]["policy"]["rulez"] = json!([]);
    let error = Plan::parse(&serde_json::to_vec(&value).unwrap(), "p").unwrap_err();
    assert!(error.to_string().contains("rulez"), "{error}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = Plan::parse(&bytes, "plan.json");
    }

    #[test]
    fn mutated_plans_never_panic_and_what_is_read_holds_together(
        picks in proptest::collection::vec((any::<prop::sample::Index>(), mutation()), 1..4),
    ) {
        let mut value = plan_json().clone();
        for (pick, m) in &picks {
            let mut all = Vec::new();
            paths(&value, &mut Vec::new(), &mut all);
            let path = pick.get(&all).clone();
            mutate(&mut value, &path, m);
        }
        let bytes = serde_json::to_vec(&value).unwrap();
        if let Ok(plan) = Plan::parse(&bytes, "plan.json") {
            prop_assert!(plan.check_consistency().is_ok());
        }
    }

    #[test]
    fn truncated_and_flipped_plans_never_panic(cut in any::<prop::sample::Index>(), flip in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut bytes = serde_json::to_vec_pretty(plan_json()).unwrap();
        let at = flip.index(bytes.len());
        bytes[at] = byte;
        bytes.truncate(cut.index(bytes.len() + 1));
        if let Ok(plan) = Plan::parse(&bytes, "plan.json") {
            prop_assert!(plan.check_consistency().is_ok());
        }
    }
}
