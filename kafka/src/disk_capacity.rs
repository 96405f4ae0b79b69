//! Disk capacity as the brokers report it (KIP-827, Kafka 3.3): from DescribeLogDirs v4 each log
//! dir carries the total and usable bytes of the volume it is on; older versions send `-1`.
//!
//! A broker's disk capacity is what Kafka could hold on its online log dirs (a log dir that
//! reports an error holds nothing kplace can place, so it adds nothing): per dir, the bytes
//! still usable plus the bytes Kafka's own partitions (current and future replicas) already
//! take there, never more than the volume's total. A volume shared with other files (the
//! operating system, other services' data) is thus counted only for the part Kafka can use;
//! a dedicated volume counts whole, less the filesystem's own reserve. Two log dirs on
//! one volume would count that volume twice: Kafka does not say which volume a dir is on, and
//! JBOD setups put each dir on its own disk. A broker whose online dirs do not all report a
//! total (v3 or older negotiated) has no reported capacity: a part would be a wrong figure.
//! Recorded `kafka/tests/api_versions/` answers: Kafka 3.9.2 speaks DescribeLogDirs 0..=4 and
//! 4.4.0 1..=5, so with kplace's codec (1..=4) both answer at v4 and report totals.

use kafka_protocol::messages::describe_log_dirs_response::DescribeLogDirsResult;
use kplace_placement::capacity_source::{CapacitySource, Provenance};
use kplace_placement::snapshot::Capacity;

/// The first DescribeLogDirs version whose answer carries total and usable bytes.
pub const FIRST_VERSION_WITH_TOTALS: i16 = 4;

/// One broker's disk as it reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportedDisk {
    /// Sum of the online log dirs' volume sizes, in bytes.
    pub total_bytes: u64,
    /// Sum of the bytes still usable on them.
    pub usable_bytes: u64,
    /// Sum of the bytes Kafka's partitions (current and future replicas) take on them.
    pub held_bytes: u64,
    /// What Kafka could hold: per dir `min(total, usable + held)`, summed.
    pub capacity_bytes: u64,
    /// How many log dirs were summed.
    pub log_dirs: usize,
}

/// The disk one broker's log dirs report, if they all report it (see the module docs).
pub fn reported_disk(results: &[DescribeLogDirsResult]) -> Option<ReportedDisk> {
    let online: Vec<&DescribeLogDirsResult> =
        results.iter().filter(|dir| dir.error_code == 0).collect();
    if online.is_empty() || online.iter().any(|dir| dir.total_bytes < 0) {
        return None;
    }
    let sum = |f: &dyn Fn(&DescribeLogDirsResult) -> u64| -> u64 {
        online.iter().map(|dir| f(dir)).sum()
    };
    let total = |dir: &DescribeLogDirsResult| dir.total_bytes.max(0) as u64;
    let usable = |dir: &DescribeLogDirsResult| dir.usable_bytes.max(0) as u64;
    let held = |dir: &DescribeLogDirsResult| -> u64 {
        dir.topics
            .iter()
            .flat_map(|topic| &topic.partitions)
            .map(|p| p.partition_size.max(0) as u64)
            .sum()
    };
    let total_bytes = sum(&total);
    (total_bytes > 0).then(|| ReportedDisk {
        total_bytes,
        usable_bytes: sum(&usable),
        held_bytes: sum(&held),
        capacity_bytes: sum(&|dir| total(dir).min(usable(dir) + held(dir))),
        log_dirs: online.len(),
    })
}

/// A broker's capacity in a live snapshot, with provenance: disk as the broker reports it,
/// else unknown; network and CPU unknown (no admin call says them; `--capacity` gives them).
pub fn snapshot_capacity(disk: Option<&ReportedDisk>) -> (Capacity, CapacitySource) {
    let capacity = Capacity {
        disk: disk.map(|d| d.capacity_bytes as f64),
        ..Capacity::default()
    };
    let source = CapacitySource {
        disk: Some(if disk.is_some() {
            Provenance::Broker
        } else {
            Provenance::Unknown
        }),
        ..CapacitySource::all(Provenance::Unknown)
    };
    (capacity, source)
}

#[cfg(test)]
mod tests {
    use super::*;

    use kafka_protocol::messages::describe_log_dirs_response::{
        DescribeLogDirsPartition, DescribeLogDirsTopic,
    };

    fn dir(error_code: i16, total: i64, usable: i64) -> DescribeLogDirsResult {
        DescribeLogDirsResult::default()
            .with_error_code(error_code)
            .with_total_bytes(total)
            .with_usable_bytes(usable)
    }

    /// A dir whose partitions take `sizes` bytes (the last one a future replica).
    fn holding(total: i64, usable: i64, sizes: &[i64]) -> DescribeLogDirsResult {
        let partitions = sizes
            .iter()
            .enumerate()
            .map(|(i, &size)| {
                DescribeLogDirsPartition::default()
                    .with_partition_index(i as i32)
                    .with_partition_size(size)
                    .with_is_future_key(i + 1 == sizes.len() && sizes.len() > 1)
            })
            .collect();
        let topic = DescribeLogDirsTopic::default()
            .with_name(crate::names::topic_name("t"))
            .with_partitions(partitions);
        dir(0, total, usable).with_topics(vec![topic])
    }

    #[test]
    fn online_dirs_add_up() {
        let disk = reported_disk(&[dir(0, 1000, 400), dir(0, 500, 100)]).unwrap();
        assert_eq!(
            disk,
            ReportedDisk {
                total_bytes: 1500,
                usable_bytes: 500,
                held_bytes: 0,
                capacity_bytes: 500,
                log_dirs: 2
            }
        );
    }

    #[test]
    fn what_kafka_holds_counts_and_other_files_do_not() {
        // A shared 1000-byte volume: Kafka holds 300 (200 + a 100-byte future replica), 500
        // are free, so 200 belong to other files: Kafka could hold 800.
        let shared = reported_disk(&[holding(1000, 500, &[200, 100])]).unwrap();
        assert_eq!((shared.held_bytes, shared.capacity_bytes), (300, 800));
        assert_eq!(snapshot_capacity(Some(&shared)).0.disk, Some(800.0));
        // A dedicated volume: never more than the volume, even if the figures race (a segment
        // deleted between the two readings Kafka makes).
        let racing = reported_disk(&[holding(1000, 900, &[300])]).unwrap();
        assert_eq!(racing.capacity_bytes, 1000);
        // Per dir, not over the sum: a full dir does not lend room to an empty one.
        let two = reported_disk(&[holding(1000, 900, &[300]), holding(1000, 0, &[1000])]).unwrap();
        assert_eq!(two.capacity_bytes, 2000);
        let two = reported_disk(&[holding(1000, 100, &[100]), holding(1000, 0, &[500])]).unwrap();
        assert_eq!(two.capacity_bytes, 700);
    }

    #[test]
    fn an_offline_dir_adds_nothing() {
        // KAFKA_STORAGE_ERROR (56): the dir is offline.
        let disk = reported_disk(&[dir(0, 1000, 400), dir(56, -1, -1)]).unwrap();
        assert_eq!(disk.total_bytes, 1000);
        assert_eq!(disk.log_dirs, 1);
    }

    #[test]
    fn before_v4_there_is_no_figure() {
        // What an answer below v4 decodes to: -1 for both.
        assert_eq!(reported_disk(&[dir(0, -1, -1)]), None);
        assert_eq!(reported_disk(&[dir(0, 1000, 1), dir(0, -1, -1)]), None);
        assert_eq!(reported_disk(&[]), None);
        assert_eq!(reported_disk(&[dir(56, -1, -1)]), None);
    }
}
