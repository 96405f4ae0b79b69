//! Placement core benchmarks on a 100,000-partition stretch cluster (RF 6, 3 zones x 2 Kubernetes
//! clusters x 20 brokers, 10% zone-only, 3 dead brokers): snapshot parse, model build, check,
//! minimal-movement repair, and fresh assignment of a 1,000-partition topic. The 1,000,000-
//! partition end-to-end figures come from `benches/run-large`. Figures: benches/README.md.

// criterion_group! generates a public function it gives no doc comment.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion};
use kplace_benches::stretch_cluster::{stretch_policy, stretch_snapshot, StretchSpec};
use kplace_placement::assign::{assign, AssignRequest};
use kplace_placement::check::check;
use kplace_placement::model::{ClusterModel, ModelOptions};
use kplace_placement::repair::repair;

fn placement(c: &mut Criterion) {
    let spec = StretchSpec {
        partitions: 100_000,
        brokers_per_cell: 20,
        ..StretchSpec::large()
    };
    let snapshot = stretch_snapshot(&spec);
    let policy = stretch_policy();
    let json = serde_json::to_vec(&snapshot).expect("serialise");
    let model = ClusterModel::build(&snapshot, &policy, &ModelOptions::default()).expect("model");

    let mut group = c.benchmark_group("stretch_100k_partitions_rf6_120_brokers");
    group.sample_size(10);
    group.bench_function("parse_snapshot", |b| {
        b.iter(|| kplace_placement::parse::parse_snapshot(&json, "bench").expect("parse"))
    });
    group.bench_function("build_model", |b| {
        b.iter(|| ClusterModel::build(&snapshot, &policy, &ModelOptions::default()).expect("model"))
    });
    group.bench_function("check", |b| b.iter(|| check(&model, model.current())));
    group.bench_function("repair", |b| b.iter(|| repair(&model, model.current())));
    group.bench_function("assign_new_topic_1000_partitions", |b| {
        let request = AssignRequest::new("new", 1_000);
        b.iter(|| assign(&model, &request).expect("assign"))
    });
    group.finish();
}

criterion_group!(benches, placement);
criterion_main!(benches);
