//! Disk capacity as the brokers report it (KIP-827, Kafka 3.3): from DescribeLogDirs v4 each log
//! dir carries the total and usable bytes of the volume it is on; older versions send `-1`.
//!
//! A broker's disk capacity is the sum of the total bytes of its online log dirs (a log dir
//! that reports an error holds nothing kplace can place, so it adds nothing). Two log dirs on
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
    let sum = |f: fn(&DescribeLogDirsResult) -> i64| -> u64 {
        online.iter().map(|dir| f(dir).max(0) as u64).sum()
    };
    let total_bytes = sum(|dir| dir.total_bytes);
    (total_bytes > 0).then(|| ReportedDisk {
        total_bytes,
        usable_bytes: sum(|dir| dir.usable_bytes),
        log_dirs: online.len(),
    })
}

/// A broker's capacity in a live snapshot, with provenance: disk as the broker reports it,
/// else unknown; network and CPU unknown (no admin call says them; `--capacity` gives them).
pub fn snapshot_capacity(disk: Option<&ReportedDisk>) -> (Capacity, CapacitySource) {
    let capacity = Capacity {
        disk: disk.map(|d| d.total_bytes as f64),
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

    fn dir(error_code: i16, total: i64, usable: i64) -> DescribeLogDirsResult {
        DescribeLogDirsResult::default()
            .with_error_code(error_code)
            .with_total_bytes(total)
            .with_usable_bytes(usable)
    }

    #[test]
    fn online_dirs_add_up() {
        let disk = reported_disk(&[dir(0, 1000, 400), dir(0, 500, 100)]).unwrap();
        assert_eq!(
            disk,
            ReportedDisk {
                total_bytes: 1500,
                usable_bytes: 500,
                log_dirs: 2
            }
        );
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
