//! Spread heatmaps as HTML tables: per cell a stacked bar of how many partitions hold 0, 1, 2, …
//! replicas there, the same numbers as a small table, and violations in red.

use std::fmt::Write;

use super::escape::escape;
use super::units;
use crate::data::heatmap::{Cell, Heatmap};
use crate::data::HeatmapPair;

/// Colour of a count's segment (0 replicas lightest).
fn count_colour(count: u32) -> &'static str {
    const PALETTE: [&str; 5] = ["#e5e7eb", "#93c5fd", "#3b82f6", "#1d4ed8", "#172554"];
    PALETTE[(count as usize).min(PALETTE.len() - 1)]
}

/// Colour of violating partitions.
pub const WARNING: &str = "#dc2626";

/// Appends the spread section: a legend, then each heatmap before and after.
pub fn spread(out: &mut String, pairs: &[HeatmapPair]) {
    out.push_str(r#"<section id="spread"><h2>Spread of replicas</h2>"#);
    out.push_str(r#"<p class="legend">Each cell shows, for the rule's partitions, how many hold 0, 1, 2, … replicas in that combination of domains. Darker cells hold more replicas. Legend: "#);
    for count in 0..5u32 {
        let label = if count == 4 {
            "4+".to_string()
        } else {
            count.to_string()
        };
        let _ = write!(
            out,
            r#"<span class="swatch" style="background:{}"></span>{label} "#,
            count_colour(count)
        );
    }
    let _ = write!(
        out,
        r#"replicas &nbsp;<span class="swatch" style="background:{WARNING}"></span>partitions breaking the rule in that row or column</p>"#
    );
    if pairs.is_empty() {
        out.push_str(r#"<p class="muted">The policy spreads no rule over any label.</p>"#);
    }
    for (index, pair) in pairs.iter().enumerate() {
        let h = &pair.before;
        let axes = if h.cols.label.is_empty() {
            escape(&h.rows.label).into_owned()
        } else {
            format!("{} × {}", escape(&h.rows.label), escape(&h.cols.label))
        };
        let _ = write!(
            out,
            r#"<div class="hm-pair" data-index="{index}"><h3>{axes} <span class="muted">· {} · {} partitions</span></h3><div class="hm-row">"#,
            escape(&h.rule),
            units::count(h.partitions)
        );
        let max = pair
            .before
            .cells
            .iter()
            .chain(&pair.after.cells)
            .flatten()
            .map(Cell::replicas)
            .max()
            .unwrap_or(0)
            .max(1);
        heatmap(out, &pair.before, "before", max);
        heatmap(out, &pair.after, "after", max);
        out.push_str("</div></div>");
    }
    out.push_str("</section>");
}

fn heatmap(out: &mut String, h: &Heatmap, phase: &str, max: u64) {
    let violating = h.violating_partitions;
    let _ = write!(
        out,
        r#"<figure class="heatmap" data-phase="{phase}" data-rule="{rule}" data-rows="{rows}" data-cols="{cols}" data-partitions="{partitions}" data-violations="{violating}"><figcaption><b>{title}</b> {status}</figcaption><table><thead><tr><th class="corner">{rows}{slash}{cols}</th>"#,
        rule = escape(&h.rule),
        rows = escape(&h.rows.label),
        cols = escape(&h.cols.label),
        slash = if h.cols.label.is_empty() { "" } else { " \\ " },
        partitions = h.partitions,
        title = if phase == "before" { "Before" } else { "After" },
        status = if violating == 0 {
            r#"<span class="badge ok">✔ every partition within the rule</span>"#.to_string()
        } else {
            format!(
                r#"<span class="badge bad">✘ {} the rule</span>"#,
                units::counted(violating, "partition breaks", "partitions break")
            )
        },
    );
    for col in &h.cols.values {
        let _ = write!(out, "<th>{}</th>", escape(col));
    }
    out.push_str("</tr></thead><tbody>");
    for (row, cells) in h.rows.values.iter().zip(&h.cells) {
        let _ = write!(out, "<tr><th>{}</th>", escape(row));
        for (col, cell) in h.cols.values.iter().zip(cells) {
            cell_html(out, cell, row, col, h.partitions, max);
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></figure>");
}

fn cell_html(out: &mut String, cell: &Cell, row: &str, col: &str, partitions: u64, max: u64) {
    let replicas = cell.replicas();
    let violating = cell.violating();
    let alpha = 0.04 + 0.30 * replicas as f64 / max as f64;
    let _ = write!(
        out,
        r#"<td class="cell{bad}" style="background:rgba(37,99,235,{alpha:.3})" data-row="{row}" data-col="{col}" data-replicas="{replicas}" data-violating="{violating}"><div class="tot">{} replicas</div><div class="dist">"#,
        units::count(replicas),
        bad = if violating > 0 { " bad" } else { "" },
        row = escape(row),
        col = escape(col),
    );
    for bin in &cell.bins {
        let ok = bin.partitions - bin.violating;
        for (n, colour) in [(ok, count_colour(bin.count)), (bin.violating, WARNING)] {
            if n > 0 {
                let share = 100.0 * n as f64 / partitions.max(1) as f64;
                let _ = write!(
                    out,
                    r#"<span style="width:{share:.2}%;background:{colour}" title="{} partitions with {} replicas here"></span>"#,
                    units::count(n),
                    bin.count
                );
            }
        }
    }
    out.push_str(r#"</div><table class="bins"><tr><td class="muted">replicas</td>"#);
    for bin in &cell.bins {
        let _ = write!(out, "<td>{}</td>", bin.count);
    }
    out.push_str(r#"</tr><tr><td class="muted">partitions</td>"#);
    for bin in &cell.bins {
        if bin.violating > 0 {
            let _ = write!(
                out,
                r#"<td class="warn" data-count="{}" data-partitions="{}" data-violating="{}">{}</td>"#,
                bin.count,
                bin.partitions,
                bin.violating,
                units::count(bin.partitions)
            );
        } else {
            let _ = write!(
                out,
                r#"<td data-count="{}" data-partitions="{}" data-violating="0">{}</td>"#,
                bin.count,
                bin.partitions,
                units::count(bin.partitions)
            );
        }
    }
    out.push_str("</tr></table></td>");
}
