//! The failure scenarios as a table: per lost zone, cluster or broker, offline and
//! under-min-ISR partitions before and after, with small bars.

use std::fmt::Write;

use super::escape::escape;
use super::units;
use crate::data::scenarios::{Outcome, ScenarioTable};

/// Appends the failure-scenario section.
pub fn scenarios(out: &mut String, table: &ScenarioTable) {
    out.push_str(r#"<section id="scenarios"><h2>If a failure domain is lost</h2><p class="legend">Partitions left <b>offline</b> (no in-sync replica survives) or <b>under min ISR</b> (writes with acks=all blocked) when one zone, cluster or broker is lost, and when a domain plus the worst further broker is lost. Only in-sync survivors count (the ISR, or eligible leader replicas where the cluster reports them; after the plan, every replica of a partition it moves). Brokers already down count as lost everywhere.</p>"#);
    let max = table
        .rows
        .iter()
        .map(|r| r.before.blocked().max(r.after.blocked()))
        .max()
        .unwrap_or(0)
        .max(1);
    out.push_str(r#"<table id="scenario-table" class="grid"><thead><tr><th rowspan="2">Lost</th><th rowspan="2" class="num">Brokers lost</th><th colspan="2" class="group">Before</th><th colspan="2" class="group">After</th><th rowspan="2">Writes blocked, before → after</th></tr><tr><th class="num">offline</th><th class="num">under min ISR</th><th class="num">offline</th><th class="num">under min ISR</th></tr></thead><tbody>"#);
    for row in &table.rows {
        let _ = write!(
            out,
            r#"<tr class="scenario {kind}" data-scenario="{name}" data-kind="{kind}" data-before-offline="{bo}" data-before-under="{bu}" data-after-offline="{ao}" data-after-under="{au}"><td>{name}</td><td class="num">{lost}</td>{before}{after}<td>{bars}</td></tr>"#,
            kind = escape(&row.kind),
            name = escape(&row.name),
            bo = row.before.offline,
            bu = row.before.under_min_isr,
            ao = row.after.offline,
            au = row.after.under_min_isr,
            lost = row.lost_brokers,
            before = cells(&row.before, None),
            after = cells(&row.after, Some(&row.before)),
            bars = bars(&row.before, &row.after, max),
        );
    }
    out.push_str("</tbody></table>");
    if table.omitted_brokers > 0 {
        let _ = write!(
            out,
            r#"<p class="muted">{} less harmful single-broker scenarios not listed.</p>"#,
            units::count(table.omitted_brokers as u64)
        );
    }
    out.push_str("</section>");
}

fn cells(now: &Outcome, before: Option<&Outcome>) -> String {
    let class = |value: u64, was: Option<u64>| match was {
        Some(was) if value < was => "num better",
        Some(was) if value > was => "num worse",
        _ if value > 0 => "num warn",
        _ => "num",
    };
    format!(
        r#"<td class="{}">{}</td><td class="{}">{}</td>"#,
        class(now.offline, before.map(|b| b.offline)),
        units::count(now.offline),
        class(now.under_min_isr, before.map(|b| b.under_min_isr)),
        units::count(now.under_min_isr)
    )
}

fn bars(before: &Outcome, after: &Outcome, max: u64) -> String {
    let width = |n: u64| 100.0 * n as f64 / max as f64;
    format!(
        r#"<div class="mini"><span class="b" style="width:{:.1}%"></span></div><div class="mini"><span class="a" style="width:{:.1}%"></span></div><span class="small">{} → {}</span>"#,
        width(before.blocked()),
        width(after.blocked()),
        units::count(before.blocked()),
        units::count(after.blocked())
    )
}
