//! kplace-report: a self-contained HTML preview of a reassignment plan.
//!
//! The page shows the plan's headline numbers (goals before and after, moves, bytes, copy time at
//! a throttle), the spread of replicas as heatmaps per label pair (zone × cluster), every
//! broker's load before and after as bar charts with capacity lines, the failure scenarios before
//! and after, and a capped, sortable table of the moves. It is one HTML file with inline CSS,
//! SVG and JavaScript and no external resource, so it opens from disk and can be attached to a
//! change ticket.
//!
//! [`render_plan`] does it all for a model and a plan. Underneath are two layers: the page's
//! numbers ([`ReportData::build`], plain structs, testable on their own) and the HTML
//! ([`render()`]). Everything is aggregated, and the moves table capped, so a plan over a million
//! partitions still makes a small page.
//!
//! ```
//! use kplace_optimizer::{Plan, PlanInputs};
//! use kplace_placement::{parse_policy, parse_snapshot, ClusterModel, ModelOptions};
//!
//! let snapshot = parse_snapshot(br#"{"brokers": [{"id": 1, "rack": "a"}, {"id": 2, "rack": "b"}],
//!     "partitions": [{"topic": "t", "partition": 0, "replicas": [1, 2]}]}"#, "snapshot.json").unwrap();
//! let policy = parse_policy("rules: [{topics: '.*', spread: {rack: even}}]", "policy.yaml").unwrap();
//! let model = ClusterModel::build(&snapshot, &policy, &ModelOptions::default()).unwrap();
//! let plan = Plan::build(&model, PlanInputs::default(), model.current(), model.current(), vec![]);
//! let html = kplace_report::render_plan(&model, &plan, &Default::default(), &Default::default()).unwrap();
//! assert!(html.starts_with("<!DOCTYPE html>") && html.contains(r#"id="headline""#));
//! ```
//!
//! # Stability
//!
//! The items at the crate root are its public API. The modules hidden from these docs are the
//! workspace's own internals (the `kplace` CLI uses them); they may change in any release.

#[doc(hidden)]
pub mod data;
#[doc(hidden)]
pub mod render;

use kplace_optimizer::analysis::analyze;
use kplace_optimizer::plan::{Plan, PlanMismatch};
use kplace_placement::model::ClusterModel;

pub use data::{ReportData, ReportInput, ReportOptions, DEFAULT_THROTTLE};
pub use render::{render, PageInfo};

/// Renders the report of `plan` made on `model`: applies the plan to the model's current
/// assignment, analyses failures before and after, computes the page's numbers and renders them.
/// Fails when the plan does not fit the model (unknown partition or broker, other version).
pub fn render_plan(
    model: &ClusterModel,
    plan: &Plan,
    options: &ReportOptions,
    info: &PageInfo,
) -> Result<String, PlanMismatch> {
    let after = plan.apply_to(model)?;
    let analysis_before = analyze(model, model.current());
    let analysis_after = analyze(model, &after);
    let input = ReportInput {
        model,
        before: model.current(),
        after: &after,
        plan,
        analysis_before: &analysis_before,
        analysis_after: &analysis_after,
    };
    Ok(render(&ReportData::build(&input, options), info))
}
