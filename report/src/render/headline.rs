//! The headline section: the plan's numbers as tiles, and the goals before and after.

use std::fmt::Write;

use kplace_optimizer::plan::{BoundKind, GoalBound, GoalOutcome, GoalState};
use kplace_optimizer::skipped::Skipped;

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
    if let Some(loads) = &h.loads {
        let _ = write!(
            out,
            r#"<p class="note" id="load-source">{}.</p>"#,
            escape(loads)
        );
    }
    if let Some(b) = &h.bounds {
        let _ = write!(
            out,
            r#"<p class="note" id="move-bound" data-moves-bound="{}" data-bytes-bound="{}">Moves: {} against a bound of {}; bytes: {} against a bound of {} (no plan reaching the same goal states copies less).</p>"#,
            b.replica_moves,
            b.bytes_to_move,
            units::count(t.replica_moves),
            units::count(b.replica_moves),
            units::bytes(t.bytes_to_move as f64),
            units::bytes(b.bytes_to_move as f64)
        );
    }
    out.push_str(r#"<table id="goals" class="grid"><thead><tr><th>Goal</th><th>Kind</th><th>Before</th><th>After</th><th>Bound</th><th>Cost</th></tr></thead><tbody>"#);
    for goal in &h.goals {
        let _ = write!(
            out,
            r#"<tr data-goal="{name}" data-before-satisfied="{bs}" data-after-satisfied="{as_}"{skipped}><td><b>{name}</b></td><td>{kind}</td><td>{before}</td><td>{after}</td><td>{bound}</td><td>{cost}</td></tr>"#,
            name = escape(&goal.name),
            bs = goal.before.satisfied,
            as_ = goal.after.satisfied,
            skipped = goal
                .skipped
                .as_ref()
                .map(|s| format!(r#" data-skipped="{}""#, escape(&s.sentence())))
                .unwrap_or_default(),
            kind = if goal.hard { "hard" } else { "soft" },
            before = outcome_state(&goal.before, goal.skipped.as_ref()),
            after = outcome_state(&goal.after, goal.skipped.as_ref()),
            bound = goal.bound.as_ref().map(bound).unwrap_or_default(),
            cost = cost(goal),
        );
    }
    out.push_str("</tbody></table></section>");
}

/// One sentence on the goals: do the hard ones hold after the plan, how many soft ones improve.
fn verdict(out: &mut String, h: &Headline) {
    let unchecked: Vec<String> = h
        .goals
        .iter()
        .filter(|g| g.skipped.as_ref().is_some_and(Skipped::is_whole))
        .map(|g| escape(&g.name).into_owned())
        .collect();
    let hard: Vec<_> = h
        .goals
        .iter()
        .filter(|g| g.hard && !g.skipped.as_ref().is_some_and(Skipped::is_whole))
        .collect();
    let broken: Vec<String> = hard
        .iter()
        .filter(|g| !g.after.satisfied)
        .map(|g| escape(&g.name).into_owned())
        .collect();
    let soft: Vec<_> = h
        .goals
        .iter()
        .filter(|g| !g.hard && !g.skipped.as_ref().is_some_and(Skipped::is_whole))
        .collect();
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
    let unchecked_text = if unchecked.is_empty() {
        String::new()
    } else {
        format!(" Not checked for lack of data: {}.", unchecked.join(", "))
    };
    let _ = write!(
        out,
        r#"<p id="verdict" class="verdict {class}" data-hard-failing="{}">{text}{soft_text}{unchecked_text}</p>"#,
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

/// `17 → 22, bound 19 (relaxed)`, the metric and the reason a band is out of reach as its
/// tooltip.
fn bound(b: &GoalBound) -> String {
    let figure = |v: f64| {
        if v.fract() == 0.0 {
            format!("{v:.0}")
        } else {
            format!("{v:.3}")
        }
    };
    let kind = match b.kind {
        BoundKind::Exact => "exact",
        BoundKind::Relaxed => "relaxed",
    };
    // One short line (the metric and any reason a band is out of reach in the tooltip), so
    // that the goals table stays compact above the broker bars.
    let title = match &b.why {
        Some(why) => format!("{}. Out of reach: {why}", b.metric),
        None => b.metric.clone(),
    };
    let html = format!(
        r#"<span data-bound="{:.6}" data-bound-kind="{kind}" title="{}">{} → {}, bound {} <span class="muted">({kind}{})</span></span>"#,
        b.bound,
        escape(&title),
        figure(b.before),
        figure(b.after),
        figure(b.bound),
        if b.why.is_some() {
            "; band out of reach"
        } else {
            ""
        }
    );
    html
}

/// The replica moves and bytes a goal's turns added.
fn cost(goal: &GoalOutcome) -> String {
    let c = &goal.cost;
    let sign = if c.bytes_to_move < 0 { "−" } else { "" };
    format!(
        "{} moves, {sign}{}",
        c.replica_moves,
        units::bytes(c.bytes_to_move.unsigned_abs() as f64)
    )
}

/// A goal's state, or that it was not checked for lack of data (wholly, or in part).
fn outcome_state(s: &GoalState, skipped: Option<&Skipped>) -> String {
    match skipped {
        Some(skipped) if skipped.is_whole() => format!(
            r#"<span class="badge skip">– skipped</span> <span class="muted">{}</span>"#,
            escape(&skipped.reason)
        ),
        Some(skipped) => format!(
            r#"{}<div class="muted small">{}</div>"#,
            state(s),
            escape(&skipped.sentence())
        ),
        None => state(s),
    }
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
