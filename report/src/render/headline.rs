//! The headline section: the plan's numbers as tiles, and the goals before and after.

use std::fmt::Write;

use kplace_optimizer::plan::GoalState;

use super::escape::escape;
use super::units;
use crate::data::headline::Headline;

/// Appends the headline section.
pub fn headline(out: &mut String, h: &Headline) {
    let t = &h.totals;
    out.push_str(r#"<section id="headline"><div class="tiles">"#);
    tile(
        out,
        "replica-moves",
        t.replica_moves,
        &units::count(t.replica_moves),
        "replica moves",
    );
    tile(
        out,
        "leader-moves",
        t.leader_moves,
        &units::count(t.leader_moves),
        "leader moves",
    );
    tile(
        out,
        "partitions-changed",
        t.partitions_changed,
        &units::count(t.partitions_changed),
        "partitions change",
    );
    tile(
        out,
        "bytes-to-move",
        t.bytes_to_move,
        &units::bytes(t.bytes_to_move as f64),
        "to copy",
    );
    let copy = format!("≈ {}", units::duration(h.copy_seconds));
    let label = format!("copy time at {} per broker", units::rate(h.throttle as f64));
    tile(
        out,
        "copy-seconds",
        h.copy_seconds.ceil() as u64,
        &copy,
        &label,
    );
    out.push_str("</div>");
    verdict(out, h);
    let _ = write!(
        out,
        r#"<p class="note">Cluster: {} brokers, {} partitions. {}</p>"#,
        units::count(h.brokers),
        units::count(h.partitions),
        match h.bottleneck {
            Some(b) => format!(
                "The copy time is bounded by broker {b}, which sends or receives the most bytes."
            ),
            None => "Nothing to copy.".to_string(),
        }
    );
    out.push_str(r#"<table id="goals" class="grid"><thead><tr><th>Goal</th><th>Kind</th><th>Before</th><th>After</th></tr></thead><tbody>"#);
    for goal in &h.goals {
        let _ = write!(
            out,
            r#"<tr data-goal="{name}" data-before-satisfied="{bs}" data-after-satisfied="{as_}"><td><b>{name}</b></td><td>{kind}</td><td>{before}</td><td>{after}</td></tr>"#,
            name = escape(&goal.name),
            bs = goal.before.satisfied,
            as_ = goal.after.satisfied,
            kind = if goal.hard { "hard" } else { "soft" },
            before = state(&goal.before),
            after = state(&goal.after),
        );
    }
    out.push_str("</tbody></table></section>");
}

/// One sentence on the goals: do the hard ones hold after the plan, how many soft ones improve.
fn verdict(out: &mut String, h: &Headline) {
    let hard: Vec<_> = h.goals.iter().filter(|g| g.hard).collect();
    let broken: Vec<String> = hard
        .iter()
        .filter(|g| !g.after.satisfied)
        .map(|g| escape(&g.name).into_owned())
        .collect();
    let soft: Vec<_> = h.goals.iter().filter(|g| !g.hard).collect();
    let improved = soft
        .iter()
        .filter(|g| g.after.score < g.before.score)
        .count();
    let worse = soft
        .iter()
        .filter(|g| g.after.score > g.before.score)
        .count();
    let (class, text) = if broken.is_empty() {
        (
            "ok",
            format!(
                "✔ After the plan every hard goal holds: {}.",
                hard.iter()
                    .map(|g| escape(&g.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    } else {
        (
            "bad",
            format!(
                "✘ After the plan these hard goals still fail: {}.",
                broken.join(", ")
            ),
        )
    };
    let soft_text = if soft.is_empty() {
        String::new()
    } else {
        format!(
            " {improved} of {} soft goals improve, {worse} get worse.",
            soft.len()
        )
    };
    let _ = write!(
        out,
        r#"<p id="verdict" class="verdict {class}" data-hard-failing="{}">{text}{soft_text}</p>"#,
        broken.len(),
    );
}

fn tile(out: &mut String, id: &str, value: u64, shown: &str, label: &str) {
    let _ = write!(
        out,
        r#"<div class="tile" data-metric="{id}" data-value="{value}"><div class="num">{}</div><div class="lbl">{}</div></div>"#,
        escape(shown),
        escape(label)
    );
}

fn state(s: &GoalState) -> String {
    let mut html = if s.satisfied {
        r#"<span class="badge ok">✔ satisfied</span>"#.to_string()
    } else {
        format!(
            r#"<span class="badge bad">✘ violated</span> {}"#,
            units::counted(s.violations, "violation", "violations")
        )
    };
    let _ = write!(html, r#" <span class="muted">score {:.3}</span>"#, s.score);
    if let Some(example) = s.examples.first() {
        let _ = write!(
            html,
            r#"<div class="muted small">e.g. {}</div>"#,
            escape(example)
        );
    }
    html
}
