//! Pure: produce and consume rates of partitions from two readings of a cluster's offsets, and
//! the load model's figures derived from them. No I/O; [`sampling`](crate::sampling) takes the
//! readings.
//!
//! Per partition and sampling window (readings `a` then `b`, `dt` seconds apart):
//!
//! - **produce bytes/s** = (log-end offset of `b` − of `a`) / `dt` × bytes per message;
//! - **bytes per message** = the partition's size (DescribeLogDirs, its leader's copy) over its
//!   offset span (log-end offset − log-start offset) at `b` (at `a` if `b`'s span is empty).
//!   Retention deleting old segments between the readings moves the log start and shrinks the
//!   size together, so the ratio stays right. On a compacted topic the span counts offsets the
//!   cleaner removed, so size over span underestimates; there the bytes appended over the
//!   window per message appended are used when the log start did not move and the size grew;
//! - **consume bytes/s** = Σ over consumer groups of (committed offset at `b` − at `a`) / `dt` ×
//!   bytes per message. A group that has committed offsets of the partition in only one reading
//!   (it started or went away during the window) is left out of that window, and said so;
//!
//! and, from those, the partition's [`Load`] (Cruise Control's leader/follower model: the load is
//! its leader's, see `kplace_optimizer::load_model`):
//!
//! - **network in** = produce (every replica receives it: the leader from producers, followers by
//!   replication);
//! - **network out** = consume + produce × (replication factor − 1) (the leader serves consumers
//!   and every follower);
//! - **CPU** (an estimate, no broker reports it through the admin API) = ([`CPU_PER_BYTE_IN`] ×
//!   network in + [`CPU_PER_BYTE_OUT`] × network out) / 1 MiB/s: a produced byte is decompressed,
//!   validated, appended and indexed, a sent byte mostly copied by the kernel. The unit is "MiB/s
//!   of weighted traffic": a relative figure that balances CPU between brokers, not a percentage.
//!
//! A figure that cannot be derived is [`Figure::Unknown`] with the reason: log-end or log-start
//! offsets that went backwards (the topic was deleted and recreated), a partition that appeared
//! or went away between readings, a group whose committed offset went backwards (offsets reset),
//! no size to turn offsets into bytes. Consumers that commit no offsets (plain `assign()`
//! without commits) are invisible to this method.

use std::collections::{BTreeMap, BTreeSet};

use kplace_placement::snapshot::Load;

/// A partition, as (topic, partition number).
pub type PartitionKey = (String, i32);

/// CPU units per produced byte (see the module documentation).
pub const CPU_PER_BYTE_IN: f64 = 1.0;
/// CPU units per byte sent to consumers or followers.
pub const CPU_PER_BYTE_OUT: f64 = 0.2;
/// The byte rate of one CPU unit (1 MiB/s).
pub const CPU_UNIT_BYTES_PER_SECOND: f64 = 1024.0 * 1024.0;

/// The CPU formula, as the snapshot records it.
pub const CPU_FORMULA: &str =
    "estimated: (1.0 × network in + 0.2 × network out) / 1 MiB/s (MiB/s of weighted traffic, relative)";

/// One partition's offsets and size at one reading.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PartitionReading {
    /// The first offset still in the log (ListOffsets, earliest).
    pub log_start: i64,
    /// The next offset to be written (ListOffsets, latest).
    pub log_end: i64,
    /// Bytes of the leader's copy (DescribeLogDirs), if known.
    pub size: Option<u64>,
}

/// What one reading of the cluster saw.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reading {
    /// Seconds since some fixed start (a monotonic clock).
    pub at: f64,
    /// Every partition read.
    pub partitions: BTreeMap<PartitionKey, PartitionReading>,
    /// Consumer group → partition → committed offset (partitions without a commit left out).
    pub committed: BTreeMap<String, BTreeMap<PartitionKey, i64>>,
}

/// A rate in bytes per second, or why there is none.
#[derive(Debug, Clone, PartialEq)]
pub enum Figure {
    /// Derived.
    Known(f64),
    /// Not derivable, with the reason.
    Unknown(String),
}

impl Figure {
    /// The value, if known.
    pub fn known(&self) -> Option<f64> {
        match self {
            Figure::Known(value) => Some(*value),
            Figure::Unknown(_) => None,
        }
    }
}

/// One partition over one window.
#[derive(Debug, Clone, PartialEq)]
pub struct PartitionWindow {
    /// Produce bytes per second.
    pub produce: Figure,
    /// Consume bytes per second, all groups together.
    pub consume: Figure,
    /// Bytes per message used.
    pub bytes_per_message: Option<f64>,
}

/// Every partition over one window, with what the reader should know.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Window {
    /// Length in seconds.
    pub seconds: f64,
    /// Per partition.
    pub partitions: BTreeMap<PartitionKey, PartitionWindow>,
    /// Groups left out of the window, and why.
    pub notes: Vec<String>,
}

/// Rates of every partition of `b` between readings `a` and `b`. `compacted`: topics whose
/// `cleanup.policy` includes `compact`.
pub fn window(a: &Reading, b: &Reading, compacted: &BTreeSet<String>) -> Window {
    let seconds = b.at - a.at;
    let mut notes = Vec::new();
    let groups: BTreeSet<&String> = a.committed.keys().chain(b.committed.keys()).collect();
    for group in &groups {
        match (
            a.committed.contains_key(*group),
            b.committed.contains_key(*group),
        ) {
            (false, true) => notes.push(format!(
                "consumer group {group} started committing during the window: not counted in it"
            )),
            (true, false) => notes.push(format!(
                "consumer group {group} went away during the window: not counted in it"
            )),
            _ => {}
        }
    }
    let partitions = b
        .partitions
        .iter()
        .map(|(key, now)| {
            let figures = match a.partitions.get(key) {
                _ if !(seconds.is_finite() && seconds > 0.0) => {
                    unknown_window(format!("the readings are not apart in time ({seconds} s)"))
                }
                None => unknown_window("the partition appeared during the window".into()),
                Some(before) => {
                    partition_window(key, before, now, seconds, compacted.contains(&key.0), a, b)
                }
            };
            (key.clone(), figures)
        })
        .collect();
    Window {
        seconds,
        partitions,
        notes,
    }
}

fn unknown_window(reason: String) -> PartitionWindow {
    PartitionWindow {
        produce: Figure::Unknown(reason.clone()),
        consume: Figure::Unknown(reason),
        bytes_per_message: None,
    }
}

fn partition_window(
    key: &PartitionKey,
    before: &PartitionReading,
    now: &PartitionReading,
    seconds: f64,
    compacted: bool,
    a: &Reading,
    b: &Reading,
) -> PartitionWindow {
    if now.log_end < before.log_end || now.log_start < before.log_start {
        return unknown_window(format!(
            "offsets went backwards (log {}..{} then {}..{}): the topic was deleted and recreated?",
            before.log_start, before.log_end, now.log_start, now.log_end
        ));
    }
    let bytes_per_message = bytes_per_message(before, now, compacted);
    let to_bytes = |messages: i64| -> Figure {
        if messages == 0 {
            return Figure::Known(0.0);
        }
        match bytes_per_message {
            Some(bytes) => Figure::Known(messages as f64 * bytes / seconds),
            None => Figure::Unknown(
                "no size for the partition (DescribeLogDirs): offsets cannot be turned into bytes"
                    .into(),
            ),
        }
    };
    let produce = to_bytes(now.log_end - before.log_end);
    let mut consumed = 0i64;
    let mut backwards = None;
    for (group, offsets) in &b.committed {
        let (Some(&then), Some(&later)) = (
            a.committed.get(group).and_then(|o| o.get(key)),
            offsets.get(key),
        ) else {
            continue;
        };
        if later < then {
            backwards = Some(format!(
                "consumer group {group}'s committed offset went backwards ({then} then {later}): offsets reset?"
            ));
        } else {
            consumed += later - then;
        }
    }
    let consume = match backwards {
        Some(reason) => Figure::Unknown(reason),
        None => to_bytes(consumed),
    };
    PartitionWindow {
        produce,
        consume,
        bytes_per_message,
    }
}

/// Bytes per message of a partition (see the module documentation).
fn bytes_per_message(
    before: &PartitionReading,
    now: &PartitionReading,
    compacted: bool,
) -> Option<f64> {
    if compacted && now.log_start == before.log_start {
        if let (Some(then), Some(later)) = (before.size, now.size) {
            let appended = now.log_end - before.log_end;
            if later > then && appended > 0 {
                return Some((later - then) as f64 / appended as f64);
            }
        }
    }
    let ratio = |r: &PartitionReading| {
        let span = r.log_end - r.log_start;
        match r.size {
            Some(size) if span > 0 => Some(size as f64 / span as f64),
            _ => None,
        }
    };
    ratio(now).or_else(|| ratio(before))
}

/// Which figure over several windows a snapshot takes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Statistic {
    /// The mean.
    Mean,
    /// A percentile, 0 to 100 (nearest rank).
    Percentile(f64),
}

impl std::fmt::Display for Statistic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Statistic::Mean => f.write_str("mean"),
            Statistic::Percentile(p) => write!(f, "p{p}"),
        }
    }
}

/// A rate over several windows: the statistic and the standard deviation, or why unknown.
#[derive(Debug, Clone, PartialEq)]
pub enum Combined {
    /// From the windows where it was known.
    Known {
        /// The statistic's value.
        value: f64,
        /// Standard deviation over those windows (0 for one).
        spread: f64,
        /// Windows that counted.
        windows: usize,
    },
    /// Unknown in every window; the first reason.
    Unknown(String),
}

/// Combines one partition's figures over the windows.
pub fn combine(figures: &[&Figure], statistic: Statistic) -> Combined {
    let mut known: Vec<f64> = figures.iter().filter_map(|f| f.known()).collect();
    if known.is_empty() {
        let reason = figures
            .iter()
            .find_map(|f| match f {
                Figure::Unknown(reason) => Some(reason.clone()),
                Figure::Known(_) => None,
            })
            .unwrap_or_else(|| "no sampling window".into());
        return Combined::Unknown(reason);
    }
    let count = known.len() as f64;
    let mean = known.iter().sum::<f64>() / count;
    let spread = (known.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / count).sqrt();
    let value = match statistic {
        Statistic::Mean => mean,
        Statistic::Percentile(p) => {
            known.sort_by(f64::total_cmp);
            let rank = ((p / 100.0) * count).ceil().max(1.0) as usize;
            known[rank.min(known.len()) - 1]
        }
    };
    Combined::Known {
        value,
        spread,
        windows: known.len(),
    }
}

/// The load model's figures of a partition with these rates (unknown counts as 0) and
/// `replication_factor` replicas (see the module documentation).
pub fn load_of(produce: Option<f64>, consume: Option<f64>, replication_factor: usize) -> Load {
    let produce = produce.unwrap_or(0.0);
    let followers = replication_factor.saturating_sub(1) as f64;
    let network_in = produce;
    let network_out = consume.unwrap_or(0.0) + produce * followers;
    Load {
        network_in,
        network_out,
        cpu: (CPU_PER_BYTE_IN * network_in + CPU_PER_BYTE_OUT * network_out)
            / CPU_UNIT_BYTES_PER_SECOND,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> PartitionKey {
        ("t".to_string(), 0)
    }

    fn reading(at: f64, log_start: i64, log_end: i64, size: u64) -> Reading {
        Reading {
            at,
            partitions: BTreeMap::from([(
                key(),
                PartitionReading {
                    log_start,
                    log_end,
                    size: Some(size),
                },
            )]),
            committed: BTreeMap::new(),
        }
    }

    fn commit(mut r: Reading, group: &str, offset: i64) -> Reading {
        r.committed
            .entry(group.to_string())
            .or_default()
            .insert(key(), offset);
        r
    }

    fn only(w: &Window) -> &PartitionWindow {
        &w.partitions[&key()]
    }

    #[test]
    fn steady_production_gives_messages_times_bytes_per_message() {
        // 100-byte messages, 1000 messages in 10 s.
        let a = reading(0.0, 0, 5000, 500_000);
        let b = reading(10.0, 0, 6000, 600_000);
        let w = window(&a, &b, &BTreeSet::new());
        assert_eq!(only(&w).produce, Figure::Known(10_000.0));
        assert_eq!(only(&w).bytes_per_message, Some(100.0));
        assert_eq!(only(&w).consume, Figure::Known(0.0));
    }

    #[test]
    fn retention_deleting_segments_between_readings_keeps_the_rate() {
        // Between the readings retention dropped the oldest 4000 messages (400 kB): the size
        // shrank although 1000 messages arrived. Size over span is still 100 bytes a message.
        let a = reading(0.0, 0, 5000, 500_000);
        let b = reading(10.0, 4000, 6000, 200_000);
        let w = window(&a, &b, &BTreeSet::new());
        assert_eq!(only(&w).produce, Figure::Known(10_000.0));
        assert_eq!(only(&w).bytes_per_message, Some(100.0));
    }

    #[test]
    fn a_partition_with_no_new_messages_produces_zero_even_when_empty() {
        let a = reading(0.0, 700, 700, 0);
        let b = reading(30.0, 700, 700, 0);
        let w = window(&a, &b, &BTreeSet::new());
        assert_eq!(only(&w).produce, Figure::Known(0.0));
        assert_eq!(only(&w).consume, Figure::Known(0.0));
        assert_eq!(only(&w).bytes_per_message, None);
    }

    #[test]
    fn a_compacted_topic_uses_the_bytes_appended() {
        // 10 000 offsets of which the cleaner kept 1 000 messages of 100 bytes: size over span
        // would say 10 bytes a message. 500 messages of 100 bytes arrived.
        let a = reading(0.0, 0, 10_000, 100_000);
        let b = reading(10.0, 0, 10_500, 150_000);
        let compacted = BTreeSet::from(["t".to_string()]);
        let w = window(&a, &b, &compacted);
        assert_eq!(only(&w).bytes_per_message, Some(100.0));
        assert_eq!(only(&w).produce, Figure::Known(5_000.0));
        // The cleaner ran in between (the size shrank): size over span, a lower bound.
        let c = reading(20.0, 0, 11_000, 60_000);
        let w = window(&b, &c, &compacted);
        let bytes = only(&w).bytes_per_message.expect("size over span");
        assert!((bytes - 60_000.0 / 11_000.0).abs() < 1e-9);
        assert!(only(&w).produce.known().is_some_and(|p| p > 0.0));
    }

    #[test]
    fn consumer_groups_that_start_or_disappear_are_left_out_and_said() {
        let a = commit(
            commit(reading(0.0, 0, 1000, 100_000), "steady", 100),
            "leaving",
            50,
        );
        let b = commit(
            commit(reading(10.0, 0, 2000, 200_000), "steady", 600),
            "new",
            1900,
        );
        let w = window(&a, &b, &BTreeSet::new());
        // Only "steady" counts: 500 messages of 100 bytes in 10 s.
        assert_eq!(only(&w).consume, Figure::Known(5_000.0));
        assert!(
            w.notes.iter().any(|n| n.contains("new started")),
            "{:?}",
            w.notes
        );
        assert!(
            w.notes.iter().any(|n| n.contains("leaving went away")),
            "{:?}",
            w.notes
        );
    }

    #[test]
    fn two_groups_add_up() {
        let a = commit(commit(reading(0.0, 0, 1000, 100_000), "g1", 0), "g2", 0);
        let b = commit(
            commit(reading(10.0, 0, 1000, 100_000), "g1", 1000),
            "g2",
            500,
        );
        let w = window(&a, &b, &BTreeSet::new());
        assert_eq!(only(&w).produce, Figure::Known(0.0));
        assert_eq!(only(&w).consume, Figure::Known(15_000.0));
    }

    #[test]
    fn offsets_going_backwards_are_unknown_not_negative() {
        // The topic was deleted and recreated: the log restarts at 0.
        let a = commit(reading(0.0, 0, 90_000, 9_000_000), "g", 80_000);
        let b = commit(reading(10.0, 0, 300, 30_000), "g", 200);
        let w = window(&a, &b, &BTreeSet::new());
        assert!(matches!(&only(&w).produce, Figure::Unknown(r) if r.contains("recreated")));
        assert!(matches!(&only(&w).consume, Figure::Unknown(_)));
        // A group's offsets reset while the log grows: consume unknown, produce known.
        let a = commit(reading(0.0, 0, 1000, 100_000), "g", 900);
        let b = commit(reading(10.0, 0, 2000, 200_000), "g", 10);
        let w = window(&a, &b, &BTreeSet::new());
        assert_eq!(only(&w).produce, Figure::Known(10_000.0));
        assert!(matches!(&only(&w).consume, Figure::Unknown(r) if r.contains("reset")));
    }

    #[test]
    fn a_partition_that_appears_is_unknown_and_no_size_is_unknown() {
        let a = Reading {
            at: 0.0,
            ..Reading::default()
        };
        let b = reading(10.0, 0, 10, 1000);
        let w = window(&a, &b, &BTreeSet::new());
        assert!(matches!(&only(&w).produce, Figure::Unknown(r) if r.contains("appeared")));

        let mut a = reading(0.0, 0, 10, 0);
        let mut b = reading(10.0, 0, 20, 0);
        for r in [&mut a, &mut b] {
            r.partitions.get_mut(&key()).expect("partition").size = None;
        }
        let w = window(&a, &b, &BTreeSet::new());
        assert!(matches!(&only(&w).produce, Figure::Unknown(r) if r.contains("DescribeLogDirs")));
    }

    #[test]
    fn windows_combine_to_mean_spread_and_percentile() {
        let figures = [
            Figure::Known(10.0),
            Figure::Unknown("gone".into()),
            Figure::Known(30.0),
            Figure::Known(20.0),
        ];
        let refs: Vec<&Figure> = figures.iter().collect();
        let Combined::Known {
            value,
            spread,
            windows,
        } = combine(&refs, Statistic::Mean)
        else {
            panic!("known")
        };
        assert_eq!((value, windows), (20.0, 3));
        assert!((spread - (200.0f64 / 3.0).sqrt()).abs() < 1e-9);
        let p90 = combine(&refs, Statistic::Percentile(90.0));
        assert!(matches!(p90, Combined::Known { value, .. } if value == 30.0));
        let p50 = combine(&refs, Statistic::Percentile(50.0));
        assert!(matches!(p50, Combined::Known { value, .. } if value == 20.0));
        let none = combine(&[&figures[1]], Statistic::Mean);
        assert_eq!(none, Combined::Unknown("gone".into()));
    }

    #[test]
    fn load_counts_replication_in_network_out() {
        let load = load_of(Some(1000.0), Some(3000.0), 3);
        assert_eq!(load.network_in, 1000.0);
        assert_eq!(load.network_out, 5000.0);
        let expected = (1000.0 + 0.2 * 5000.0) / CPU_UNIT_BYTES_PER_SECOND;
        assert!((load.cpu - expected).abs() < 1e-15);
        assert!(load_of(None, None, 3).is_zero());
    }
}
