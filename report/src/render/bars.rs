//! Per-broker bar charts as inline SVG: before (grey) and after (blue) side by side, brokers
//! grouped by zone and cluster, a dashed red line at each broker's capacity.

use std::fmt::Write;

use super::escape::escape;
use super::units;
use crate::data::brokers::{BrokerBar, BrokerGroup, Metric, Unit};

const LEFT: f64 = 64.0;
const TOP: f64 = 18.0;
const PLOT: f64 = 170.0;
const BOTTOM: f64 = 46.0;
const GROUP_GAP: f64 = 18.0;
/// Width a chart of a large cluster is fitted into.
const FIT_WIDTH: f64 = 1190.0;
/// Narrowest broker slot; clusters too large for it scroll sideways.
const MIN_SLOT: f64 = 1.0;
/// Capacity is drawn on the chart's scale only when it is at most this many times the largest
/// value; otherwise the bars would be slivers, and the capacity is named above the chart.
const CAPACITY_ZOOM: f64 = 8.0;

/// Formats a metric value.
fn value_text(unit: Unit, value: f64) -> String {
    match unit {
        Unit::Count => units::count(value.round().max(0.0) as u64),
        Unit::Bytes => units::bytes(value),
        Unit::BytesPerSecond => units::rate(value),
    }
}

/// Appends the brokers section: one chart per metric.
pub fn brokers(out: &mut String, groups: &[BrokerGroup], group_labels: &[String]) {
    let by = if group_labels.is_empty() {
        String::new()
    } else {
        format!(", grouped by {}", escape(&group_labels.join(" and ")))
    };
    let _ = write!(
        out,
        r#"<section id="brokers"><h2>Brokers{by}</h2><p class="legend"><span class="swatch" style="background:#9ca3af"></span>before <span class="swatch" style="background:#2563eb"></span>after <span class="swatch dash"></span>capacity. Broker ids in red are down; <i>excl</i> marks brokers being emptied.</p><div class="charts">"#
    );
    for metric in Metric::ALL {
        chart(out, groups, metric);
    }
    out.push_str("</div></section>");
}

/// Horizontal geometry of a chart: brokers get a fixed slot, wide enough for two bars and an id
/// when the cluster is small; for large clusters the chart fits the page and each broker's
/// "after" bar is drawn narrower in front of its "before" bar.
struct Layout {
    slot: f64,
    compact: bool,
    width: f64,
}

impl Layout {
    fn new(brokers: usize, groups: usize) -> Layout {
        let gaps = groups.saturating_sub(1) as f64 * GROUP_GAP;
        let slot = if brokers <= 24 {
            34.0
        } else {
            ((FIT_WIDTH - LEFT - 12.0 - gaps) / brokers as f64).clamp(MIN_SLOT, 22.0)
        };
        let width = LEFT + brokers as f64 * slot + gaps + 12.0;
        Layout {
            slot,
            compact: slot < 14.0,
            width,
        }
    }

    /// Offset and width of the before and the after bar within a slot.
    fn bars(&self) -> [(f64, f64); 2] {
        if self.compact {
            [(0.0, self.slot * 0.9), (self.slot * 0.2, self.slot * 0.5)]
        } else {
            let w = (self.slot - 6.0) / 2.0;
            [(0.0, w), (w, w)]
        }
    }
}

/// The smallest top at or above `value` whose quarter ticks are round whole numbers, for charts
/// of counts: steps of 1 to 10 below 10, else 1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten.
fn whole_ticks(value: f64) -> f64 {
    let quarter = (value / 4.0).max(1.0);
    if quarter < 10.0 {
        return 4.0 * quarter.ceil();
    }
    let power = 10f64.powf(quarter.log10().floor());
    let step = [1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|&s| s >= quarter)
        .unwrap_or(10.0 * power);
    4.0 * step
}

/// Vertical scale: the top value, and whether capacity lines fit on it.
struct Scale {
    top: f64,
    capacity_on_scale: bool,
    capacity: f64,
}

impl Scale {
    fn new(groups: &[BrokerGroup], metric: Metric) -> Scale {
        let bars = groups.iter().flat_map(|g| &g.brokers);
        let largest = bars
            .clone()
            .map(|b| metric.value(&b.before).max(metric.value(&b.after)))
            .fold(0.0, f64::max);
        let capacity = bars
            .filter_map(|b| metric.capacity(&b.capacity))
            .fold(0.0, f64::max);
        let on_scale = capacity > 0.0 && capacity <= CAPACITY_ZOOM * largest.max(f64::MIN_POSITIVE);
        let top = if on_scale {
            largest.max(capacity) * 1.08
        } else {
            largest * 1.15
        };
        let top = if metric.unit() == Unit::Count {
            whole_ticks(top)
        } else {
            top
        };
        Scale {
            top: top.max(1.0),
            capacity_on_scale: on_scale,
            capacity,
        }
    }

    fn y(&self, value: f64) -> f64 {
        TOP + PLOT - PLOT * (value / self.top).clamp(0.0, 1.0)
    }
}

fn chart(out: &mut String, groups: &[BrokerGroup], metric: Metric) {
    let count: usize = groups.iter().map(|g| g.brokers.len()).sum();
    let layout = Layout::new(count, groups.len());
    let scale = Scale::new(groups, metric);
    let (width, height, unit) = (layout.width, TOP + PLOT + BOTTOM, metric.unit());
    let note = if scale.capacity > 0.0 && !scale.capacity_on_scale {
        format!(
            r#" <span class="muted">capacity up to {} per broker, above the chart</span>"#,
            value_text(unit, scale.capacity)
        )
    } else {
        String::new()
    };
    let _ = write!(
        out,
        r#"<figure class="chart{wide}" data-metric="{id}"><figcaption><b>{title}</b>{note}</figcaption><div class="scroll"><svg class="bars" data-metric="{id}" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" role="img" aria-label="{title} per broker, before and after">"#,
        wide = if count > 24 { " wide" } else { "" },
        id = metric.id(),
        title = metric.title(),
    );
    for step in 0..=4 {
        let v = scale.top * f64::from(step) / 4.0;
        let _ = write!(
            out,
            r##"<line x1="{LEFT}" x2="{x2:.1}" y1="{yy:.1}" y2="{yy:.1}" stroke="#e5e7eb"/><text x="{tx}" y="{ty:.1}" class="axis" text-anchor="end">{label}</text>"##,
            x2 = width - 8.0,
            yy = scale.y(v),
            tx = LEFT - 6.0,
            ty = scale.y(v) + 4.0,
            label = escape(&value_text(unit, v)),
        );
    }
    let mut x = LEFT + 3.0;
    for (index, group) in groups.iter().enumerate() {
        if index > 0 {
            x += GROUP_GAP;
        }
        let group_start = x;
        for broker in &group.brokers {
            broker_bars(out, &layout, &scale, metric, broker, x);
            x += layout.slot;
        }
        let _ = write!(
            out,
            r##"<line x1="{x1:.1}" x2="{x2:.1}" y1="{ly:.1}" y2="{ly:.1}" stroke="#6b7280"/><text x="{tx:.1}" y="{ty:.1}" class="group" text-anchor="middle">{name}</text>"##,
            x1 = group_start,
            x2 = x - layout.slot * 0.15,
            ly = TOP + PLOT + 30.0,
            tx = (group_start + x) / 2.0,
            ty = TOP + PLOT + 42.0,
            name = escape(&group.values.join(" / ")),
        );
    }
    let _ = write!(
        out,
        r##"<line x1="{LEFT}" x2="{x2:.1}" y1="{yy:.1}" y2="{yy:.1}" stroke="#374151"/></svg></div></figure>"##,
        x2 = width - 8.0,
        yy = TOP + PLOT,
    );
}

/// One broker's before and after bars, its capacity line and its id (in compact charts, only
/// the ids of brokers that are down or excluded).
fn broker_bars(
    out: &mut String,
    layout: &Layout,
    scale: &Scale,
    metric: Metric,
    broker: &BrokerBar,
    x: f64,
) {
    let unit = metric.unit();
    let phases = [
        ("before", &broker.before, "#9ca3af"),
        ("after", &broker.after, "#2563eb"),
    ];
    for ((phase, stats, colour), (dx, bar_width)) in phases.into_iter().zip(layout.bars()) {
        let v = metric.value(stats);
        let top = scale.y(v);
        let _ = write!(
            out,
            r#"<rect class="bar {phase}" data-broker="{id}" data-phase="{phase}" data-value="{v:.0}" x="{bx:.1}" y="{top:.1}" width="{bar_width:.1}" height="{h:.1}" fill="{colour}"><title>broker {id} {phase}: {text}</title></rect>"#,
            id = broker.id,
            bx = x + dx,
            h = TOP + PLOT - top,
            text = escape(&value_text(unit, v)),
        );
    }
    let span = layout.slot
        - if layout.compact {
            layout.slot * 0.1
        } else {
            6.0
        };
    if let Some(cap) = metric
        .capacity(&broker.capacity)
        .filter(|_| scale.capacity_on_scale)
    {
        let _ = write!(
            out,
            r##"<line class="capacity" data-broker="{id}" data-value="{cap:.0}" x1="{x1:.1}" x2="{x2:.1}" y1="{cy:.1}" y2="{cy:.1}" stroke="#dc2626" stroke-width="2" stroke-dasharray="4 3"><title>broker {id} capacity: {text}</title></line>"##,
            id = broker.id,
            x1 = x - 2.0,
            x2 = x + span + 2.0,
            cy = scale.y(cap),
            text = escape(&value_text(unit, cap)),
        );
    }
    let state = match (broker.alive, broker.eligible) {
        (false, _) => " down",
        (true, false) => " excl",
        (true, true) if layout.compact => return,
        (true, true) => "",
    };
    let _ = write!(
        out,
        r#"<text x="{tx:.1}" y="{ty:.1}" class="id{state}" text-anchor="middle">{id}</text>"#,
        tx = x + span / 2.0,
        ty = TOP + PLOT + 14.0,
        id = broker.id,
    );
    if state == " excl" {
        let _ = write!(
            out,
            r#"<text x="{tx:.1}" y="{ty:.1}" class="axis" text-anchor="middle">excl</text>"#,
            tx = x + span / 2.0,
            ty = TOP + PLOT + 25.0,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::whole_ticks;

    #[test]
    fn count_axes_tick_at_whole_numbers() {
        assert_eq!(whole_ticks(0.5), 4.0);
        assert_eq!(whole_ticks(10.8), 12.0);
        assert_eq!(whole_ticks(22.0), 24.0);
        assert_eq!(whole_ticks(19.0), 20.0);
        assert_eq!(whole_ticks(45.0), 60.0);
        assert_eq!(whole_ticks(11_894.0), 12_000.0);
    }
}
