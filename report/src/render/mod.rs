//! The page: one HTML string with inline CSS, inline SVG and a little inline JavaScript, no
//! external resource of any kind, so that it opens from disk anywhere and can be attached to a
//! change ticket.

mod bars;
pub mod escape;
mod headline;
mod heatmap;
mod moves;
mod scenarios;
pub mod units;

use std::fmt::Write;

use crate::data::ReportData;

const CSS: &str = include_str!("page.css");
const JS: &str = include_str!("page.js");

/// What the page says about where the plan came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageInfo {
    /// The page title, e.g. `kplace plan preview`.
    pub title: String,
    /// A line under the title, e.g. the snapshot and kplace version.
    pub subtitle: String,
}

impl Default for PageInfo {
    fn default() -> Self {
        PageInfo {
            title: "kplace plan preview".to_string(),
            subtitle: String::new(),
        }
    }
}

/// Renders the whole page.
pub fn render(data: &ReportData, info: &PageInfo) -> String {
    let mut out = String::with_capacity(64 * 1024 + data.moves.rows.len() * 256);
    let _ = write!(
        out,
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title><style>{CSS}</style></head><body><main><header><h1>{title}</h1><p>{subtitle}</p></header>"#,
        title = escape::escape(&info.title),
        subtitle = escape::escape(&info.subtitle),
    );
    headline::headline(&mut out, &data.headline);
    heatmap::spread(&mut out, &data.heatmaps);
    bars::brokers(&mut out, &data.broker_groups, &data.group_labels);
    scenarios::scenarios(&mut out, &data.scenarios);
    moves::moves(&mut out, &data.moves);
    let _ = writeln!(out, "</main><script>{JS}</script></body></html>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{test_model, ReportInput, ReportOptions};
    use kplace_optimizer::analysis::analyze;
    use kplace_optimizer::plan::{Plan, PlanInputs};

    fn page(rule_name: &str) -> String {
        page_of(&test_model::model(), rule_name)
    }

    fn page_of(model: &kplace_placement::model::ClusterModel, rule_name: &str) -> String {
        let after = vec![vec![0, 2, 4], vec![1, 3, 4]];
        let plan = Plan::build(
            model,
            PlanInputs::default(),
            model.current(),
            &after,
            vec![],
        );
        let (before_analysis, after_analysis) =
            (analyze(model, model.current()), analyze(model, &after));
        let input = ReportInput {
            model,
            before: model.current(),
            after: &after,
            plan: &plan,
            analysis_before: &before_analysis,
            analysis_after: &after_analysis,
        };
        let mut data = ReportData::build(&input, &ReportOptions::default());
        data.heatmaps[0].before.rule = rule_name.to_string();
        render(&data, &PageInfo::default())
    }

    #[test]
    fn renders_every_section_with_stable_hooks() {
        let html = page("rule 1");
        for hook in [
            r#"id="headline""#,
            r#"data-metric="replica-moves" data-value="2""#,
            r#"class="heatmap" data-phase="before""#,
            r#"class="heatmap" data-phase="after""#,
            r#"class="bars" data-metric="disk""#,
            r#"class="capacity""#,
            r#"id="scenario-table""#,
            r#"id="move-table""#,
        ] {
            assert!(html.contains(hook), "missing {hook}");
        }
        assert_eq!(html.matches(r#"<tr class="move">"#).count(), 1);
        assert!(!html.contains("http://") && !html.contains("https://"));
    }

    #[test]
    fn says_how_loads_were_obtained() {
        use kplace_placement::snapshot_load::{LoadMethod, LoadSource};
        assert!(
            !page("r").contains(r#"id="load-source""#),
            "no loads, no line"
        );
        let model = test_model::model_with(|snapshot| {
            snapshot.load_source = Some(LoadSource {
                method: LoadMethod::Sampled,
                window_seconds: Some(60.0),
                samples: Some(3),
                statistic: Some("p90".into()),
                cpu: Some("estimated <weighted>".into()),
                unknown_partitions: 0,
                notes: Vec::new(),
            });
        });
        let html = page_of(&model, "r");
        assert!(
            html.contains(
                r#"<p class="note" id="load-source">loads: sampled over 3 × 60 s (p90); CPU estimated &lt;weighted&gt;.</p>"#
            ),
            "the load line, escaped"
        );
    }

    #[test]
    fn escapes_names() {
        let html = page("<img src=x onerror=alert(1)>");
        assert!(!html.contains("<img"));
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    }
}
