//! Per-broker load before and after, grouped by failure domain (zone, then cluster), with the
//! capacity each metric is drawn against.

use kplace_optimizer::load_model::BrokerStats;
use kplace_optimizer::plan::BrokerChange;
use kplace_placement::snapshot::{BrokerId, Capacity};

/// A quantity drawn per broker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Replicas hosted.
    Replicas,
    /// Partitions led.
    Leaders,
    /// Bytes stored.
    Disk,
    /// Bytes per second in.
    NetworkIn,
    /// Bytes per second out.
    NetworkOut,
}

/// How a metric's numbers read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A plain count.
    Count,
    /// Bytes.
    Bytes,
    /// Bytes per second.
    BytesPerSecond,
}

impl Metric {
    /// Every metric, in display order.
    pub const ALL: [Metric; 5] = [
        Metric::Replicas,
        Metric::Leaders,
        Metric::Disk,
        Metric::NetworkIn,
        Metric::NetworkOut,
    ];

    /// A stable identifier (`network-in`), used in `data-metric` attributes.
    pub fn id(self) -> &'static str {
        match self {
            Metric::Replicas => "replicas",
            Metric::Leaders => "leaders",
            Metric::Disk => "disk",
            Metric::NetworkIn => "network-in",
            Metric::NetworkOut => "network-out",
        }
    }

    /// The title a person reads.
    pub fn title(self) -> &'static str {
        match self {
            Metric::Replicas => "Replicas",
            Metric::Leaders => "Leaders",
            Metric::Disk => "Disk",
            Metric::NetworkIn => "Network in",
            Metric::NetworkOut => "Network out",
        }
    }

    /// The unit of its values.
    pub fn unit(self) -> Unit {
        match self {
            Metric::Replicas | Metric::Leaders => Unit::Count,
            Metric::Disk => Unit::Bytes,
            Metric::NetworkIn | Metric::NetworkOut => Unit::BytesPerSecond,
        }
    }

    /// The metric's value in `stats`.
    pub fn value(self, stats: &BrokerStats) -> f64 {
        match self {
            Metric::Replicas => f64::from(stats.replicas),
            Metric::Leaders => f64::from(stats.leaders),
            Metric::Disk => stats.disk,
            Metric::NetworkIn => stats.network_in,
            Metric::NetworkOut => stats.network_out,
        }
    }

    /// The broker's capacity for the metric, where the snapshot gives one.
    pub fn capacity(self, capacity: &Capacity) -> Option<f64> {
        match self {
            Metric::Replicas | Metric::Leaders => None,
            Metric::Disk => capacity.disk,
            Metric::NetworkIn => capacity.network_in,
            Metric::NetworkOut => capacity.network_out,
        }
    }
}

/// One broker's bars.
#[derive(Debug, Clone, PartialEq)]
pub struct BrokerBar {
    /// Broker id.
    pub id: BrokerId,
    /// Whether it is up.
    pub alive: bool,
    /// Whether it may hold replicas.
    pub eligible: bool,
    /// Capacity.
    pub capacity: Capacity,
    /// Load before.
    pub before: BrokerStats,
    /// Load after.
    pub after: BrokerStats,
}

/// Brokers sharing their grouping labels' values.
#[derive(Debug, Clone, PartialEq)]
pub struct BrokerGroup {
    /// `zone=az1 cluster=k8s-a`, or `all brokers` without grouping labels.
    pub name: String,
    /// The grouping labels' values (`az1`, `k8s-a`).
    pub values: Vec<String>,
    /// Its brokers by id.
    pub brokers: Vec<BrokerBar>,
}

/// Groups the plan's brokers by the values of `labels` (e.g. zone, cluster), groups and brokers
/// sorted; a broker lacking a label shows `?` for it.
pub fn group_brokers(brokers: &[BrokerChange], labels: &[String]) -> Vec<BrokerGroup> {
    let mut keyed: Vec<(Vec<String>, BrokerBar)> = brokers
        .iter()
        .map(|b| {
            let key = labels
                .iter()
                .map(|l| b.labels.get(l).cloned().unwrap_or_else(|| "?".to_string()))
                .collect();
            let bar = BrokerBar {
                id: b.id,
                alive: b.alive,
                eligible: b.eligible,
                capacity: b.capacity,
                before: b.before,
                after: b.after,
            };
            (key, bar)
        })
        .collect();
    keyed.sort_by(|(ka, a), (kb, b)| ka.cmp(kb).then(a.id.cmp(&b.id)));
    let mut groups: Vec<(Vec<String>, BrokerGroup)> = Vec::new();
    for (key, bar) in keyed {
        match groups.last_mut() {
            Some((last, group)) if *last == key => group.brokers.push(bar),
            _ => {
                let name = if labels.is_empty() {
                    "all brokers".to_string()
                } else {
                    labels
                        .iter()
                        .zip(&key)
                        .map(|(l, v)| format!("{l}={v}"))
                        .collect::<Vec<_>>()
                        .join(" ")
                };
                groups.push((
                    key.clone(),
                    BrokerGroup {
                        name,
                        values: key,
                        brokers: vec![bar],
                    },
                ));
            }
        }
    }
    groups.into_iter().map(|(_, group)| group).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kplace_optimizer::plan::{Plan, PlanInputs};

    #[test]
    fn groups_by_zone_then_cluster() {
        let model = crate::data::test_model::model();
        let plan = Plan::build(
            &model,
            PlanInputs::default(),
            model.current(),
            model.current(),
            vec![],
        );
        let groups = group_brokers(&plan.brokers, &["zone".to_string(), "cluster".to_string()]);
        let names: Vec<&str> = groups.iter().map(|g| g.name.as_str()).collect();
        assert_eq!(names[..2], ["zone=z1 cluster=a", "zone=z1 cluster=b"]);
        assert_eq!(groups.len(), 6);
        assert_eq!(groups[0].values, ["z1", "a"]);
        assert_eq!(groups[0].brokers[0].before.replicas, 2);
        assert_eq!(Metric::Disk.value(&groups[0].brokers[0].before), 30.0);
        assert_eq!(
            Metric::Disk.capacity(&groups[0].brokers[0].capacity),
            Some(100.0)
        );
        assert_eq!(group_brokers(&plan.brokers, &[])[0].brokers.len(), 6);
    }
}
