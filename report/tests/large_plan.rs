//! A large plan still makes a small page: the moves table is capped and everything else is
//! aggregated, so the HTML grows with brokers and domains, not with partitions or moves.

use std::time::Instant;

use kplace_optimizer::plan::{Plan, PlanInputs};
use kplace_placement::model::{ClusterModel, ModelOptions};
use kplace_placement::parse::{parse_policy, parse_snapshot};

const BROKERS_PER_CELL: usize = 10;
const PARTITIONS: usize = 200_000;

/// 3 zones × 2 clusters × 10 brokers, RF 6 with 2 per zone and 3 per cluster; every 10th
/// partition sits in one cluster only (broken).
fn model() -> ClusterModel {
    let cells: Vec<(usize, usize)> = (0..3).flat_map(|z| (0..2).map(move |c| (z, c))).collect();
    let broker = |cell: usize, i: usize| cell * BROKERS_PER_CELL + i + 1;
    let mut json = String::from(r#"{"brokers": ["#);
    for (cell, (z, c)) in cells.iter().enumerate() {
        for i in 0..BROKERS_PER_CELL {
            let sep = if cell + i > 0 { "," } else { "" };
            json += &format!(
                r#"{sep}{{"id": {}, "rack": "az{}/k8s-{}", "capacity": {{"disk": 1e13}}}}"#,
                broker(cell, i),
                z + 1,
                ["a", "b"][*c]
            );
        }
    }
    json += r#"], "partitions": ["#;
    for p in 0..PARTITIONS {
        let pick = |cell: usize, k: usize| broker(cell, (p + k) % BROKERS_PER_CELL);
        // Valid: cells (z, c) = 0:(1,a) 1:(1,b) 2:(2,a) 3:(2,b) 4:(3,a) 5:(3,b), one per cell.
        // Broken: two per zone, all in cluster a.
        let replicas: Vec<usize> = if p % 10 == 0 {
            vec![
                pick(0, 0),
                pick(0, 1),
                pick(2, 0),
                pick(2, 1),
                pick(4, 0),
                pick(4, 1),
            ]
        } else {
            (0..6).map(|cell| pick(cell, 0)).collect()
        };
        let sep = if p > 0 { "," } else { "" };
        json += &format!(
            r#"{sep}{{"topic": "topic-{}", "partition": {}, "replicas": {replicas:?}, "size": {}}}"#,
            p / 100,
            p % 100,
            1_000_000 + p
        );
    }
    json += "]}";
    let policy = "rack_pattern: '^(?P<zone>[^/]+)/(?P<cluster>[^/]+)$'\n\
                  rules: [{topics: '.*', replication_factor: 6, spread: {zone: even, cluster: even}, \
                  min_insync_replicas: 3, survive: [zone, cluster]}]";
    let snapshot = parse_snapshot(json.as_bytes(), "large.json").expect("snapshot parses");
    let policy = parse_policy(policy, "policy.yaml").expect("policy parses");
    ClusterModel::build(&snapshot, &policy, &ModelOptions::default()).expect("model builds")
}

#[test]
fn a_large_plan_makes_a_small_page() {
    let model = model();
    // The repair: move the second replica of each broken partition into cluster b of its zone,
    // likewise the fourth and sixth.
    let mut after = model.current().clone();
    for (index, replicas) in after.iter_mut().enumerate() {
        if index % 10 == 0 {
            for slot in [1, 3, 5] {
                replicas[slot] += BROKERS_PER_CELL as u32;
            }
        }
    }
    let plan = Plan::build(
        &model,
        PlanInputs::default(),
        model.current(),
        &after,
        vec![],
    );
    assert_eq!(plan.partitions.len(), PARTITIONS / 10);
    let start = Instant::now();
    let html = kplace_report::render_plan(&model, &plan, &Default::default(), &Default::default())
        .expect("the plan fits the model");
    eprintln!(
        "{} partitions, {} moves: {} bytes of HTML in {:?}",
        PARTITIONS,
        plan.partitions.len(),
        html.len(),
        start.elapsed()
    );
    assert_eq!(
        html.matches(r#"<tr class="move">"#).count(),
        2_000,
        "the table is capped"
    );
    assert!(html.contains(r#"data-total="20000" data-shown="2000""#));
    assert!(html.len() < 1_500_000, "{} bytes", html.len());
    // After the repair no heatmap shows a violation.
    let after_maps: Vec<&str> = html
        .split(r#"class="heatmap" data-phase="after""#)
        .skip(1)
        .collect();
    assert_eq!(after_maps.len(), 1);
    assert!(after_maps[0].contains(r#"data-violations="0""#));
}
