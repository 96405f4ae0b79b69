//! Optimizer benchmarks on Cruise Control's RandomCluster (40 brokers in 10 racks, 50,001
//! replicas over 3,000 topics, RF 3, exponential load): the full default goal list, the spread
//! goal alone, a scale-out by 4 brokers, and the failure analysis. Figures: benches/README.md.

// criterion_group! generates a public function it gives no doc comment.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion};
use kplace_benches::random_cluster::{rack_aware_policy, random_cluster, RandomClusterSpec};
use kplace_optimizer::analysis::analyze;
use kplace_optimizer::limits::Operation;
use kplace_optimizer::planner::{make_plan, PlanRequest};
use kplace_placement::model::{ClusterModel, ModelOptions};
use kplace_placement::snapshot::BrokerSpec;

fn model_of(snapshot: &kplace_placement::snapshot::Snapshot) -> ClusterModel {
    ClusterModel::build(snapshot, &rack_aware_policy(), &ModelOptions::default())
        .expect("generated cluster is valid")
}

fn optimizer(c: &mut Criterion) {
    let spec = RandomClusterSpec::cruise_control();
    let snapshot = random_cluster(&spec);
    let model = model_of(&snapshot);
    let mut group = c.benchmark_group("random_cluster_40_brokers_50k_replicas");
    group.sample_size(10);
    group.bench_function("plan_all_default_goals", |b| {
        b.iter(|| make_plan(&model, &PlanRequest::default()).expect("plan"))
    });
    group.bench_function("plan_spread_only", |b| {
        let request = PlanRequest::new().with_goals(["spread"]);
        b.iter(|| make_plan(&model, &request).expect("plan"))
    });

    // The same cluster after its repair, plus 4 empty brokers in 4 racks.
    let repaired = make_plan(&model, &PlanRequest::default()).expect("plan");
    let mut grown = snapshot.clone();
    for change in &repaired.partitions {
        if let Some(spec) = grown
            .partitions
            .iter_mut()
            .find(|p| p.topic == change.topic && p.partition == change.partition)
        {
            spec.replicas = change.new_replicas.clone();
        }
    }
    let new_ids: Vec<i32> = (0..4).map(|i| 1000 + i).collect();
    for (i, &id) in new_ids.iter().enumerate() {
        let template = &grown.brokers[i];
        grown.brokers.push(BrokerSpec {
            id,
            rack: template.rack.clone(),
            ..template.clone()
        });
    }
    let grown_model = model_of(&grown);
    group.bench_function("scale_out_by_4_brokers", |b| {
        let request = PlanRequest::new()
            .with_operation(Operation::default().with_add_brokers(new_ids.clone()));
        b.iter(|| make_plan(&grown_model, &request).expect("plan"))
    });
    group.bench_function("failure_analysis", |b| {
        b.iter(|| analyze(&model, model.current()))
    });
    group.finish();
}

criterion_group!(benches, optimizer);
criterion_main!(benches);
