//! The moves: a per-topic summary and a sortable, filterable table of the largest moves,
//! collapsed when long.

use std::fmt::Write;

use super::escape::escape;
use super::units;
use crate::data::moves::MoveTable;

/// Tables longer than this start collapsed.
const OPEN_ROWS: usize = 40;

fn ids(brokers: &[i32]) -> String {
    brokers
        .iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Appends the moves section.
pub fn moves(out: &mut String, table: &MoveTable) {
    let _ = write!(
        out,
        r#"<section id="moves" data-total="{}" data-shown="{}"><h2>Moves</h2>"#,
        table.total,
        table.rows.len()
    );
    if table.total == 0 {
        out.push_str(r#"<p class="muted">The plan moves nothing.</p></section>"#);
        return;
    }
    let _ = write!(
        out,
        r#"<details{open}><summary>By topic: {} topics</summary><table id="topic-table" class="grid sortable"><thead><tr><th data-sort="text">Topic</th><th data-sort="num" class="num">Partitions</th><th data-sort="num" class="num">Replica moves</th><th data-sort="num" class="num">Bytes</th></tr></thead><tbody>"#,
        units::count(table.total_topics),
        open = if table.topics.len() <= OPEN_ROWS {
            " open"
        } else {
            ""
        },
    );
    for topic in &table.topics {
        let _ = write!(
            out,
            r#"<tr><td>{}</td><td class="num" data-v="{p}">{}</td><td class="num" data-v="{r}">{}</td><td class="num" data-v="{b}">{}</td></tr>"#,
            escape(&topic.topic),
            units::count(topic.partitions),
            units::count(topic.replica_moves),
            units::bytes(topic.bytes as f64),
            p = topic.partitions,
            r = topic.replica_moves,
            b = topic.bytes,
        );
    }
    out.push_str("</tbody></table>");
    if (table.topics.len() as u64) < table.total_topics {
        let _ = write!(
            out,
            r#"<p class="muted">Showing the {} topics with the most bytes.</p>"#,
            table.topics.len()
        );
    }
    out.push_str("</details>");
    let shown = if (table.rows.len() as u64) < table.total {
        format!(
            "the {} largest by bytes of {}",
            units::count(table.rows.len() as u64),
            units::count(table.total)
        )
    } else {
        format!("all {}", units::count(table.total))
    };
    let _ = write!(
        out,
        r#"<details id="move-details"{open}><summary>Partition moves: {shown}</summary><p><input id="move-filter" type="search" placeholder="Filter: topic, broker…" aria-label="Filter moves"> <span id="move-count" class="muted"></span></p><table id="move-table" class="grid sortable"><thead><tr><th data-sort="text">Topic</th><th data-sort="num" class="num">Partition</th><th data-sort="text">From</th><th data-sort="text">To</th><th data-sort="text">Replicas before → after</th><th data-sort="text">Leader moves</th><th data-sort="num" class="num">Bytes</th></tr></thead><tbody>"#,
        open = if table.rows.len() <= OPEN_ROWS {
            " open"
        } else {
            ""
        },
    );
    for row in &table.rows {
        let _ = write!(
            out,
            r#"<tr class="move"><td>{topic}</td><td class="num" data-v="{p}">{p}</td><td>{from}</td><td>{to}</td><td class="small">[{old}] → [{new}]</td><td>{leader}</td><td class="num" data-v="{b}">{bytes}</td></tr>"#,
            topic = escape(&row.topic),
            p = row.partition,
            from = ids(&row.from),
            to = ids(&row.to),
            old = ids(&row.old_replicas),
            new = ids(&row.new_replicas),
            leader = if row.leader_moves { "yes" } else { "" },
            b = row.bytes,
            bytes = units::bytes(row.bytes as f64),
        );
    }
    out.push_str("</tbody></table></details></section>");
}
