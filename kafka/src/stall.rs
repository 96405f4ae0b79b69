//! Stall detection, pure: the moves in flight have copied no byte for a while.
//!
//! Each look at the cluster gives, per move in flight, the bytes its new replicas hold. The
//! cluster has made progress when a move in flight holds more than at the last look, or when a
//! move finished. When no progress was seen for the stall timeout, the moves are stuck.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Remembers the bytes copied per move in flight and when progress was last seen.
#[derive(Debug, Clone)]
pub struct StallDetector {
    timeout: Duration,
    copied: BTreeMap<(String, i32), u64>,
    last_progress: Instant,
}

impl StallDetector {
    /// A detector that reports a stall after `timeout` without progress, starting at `now`.
    pub fn new(timeout: Duration, now: Instant) -> Self {
        StallDetector {
            timeout,
            copied: BTreeMap::new(),
            last_progress: now,
        }
    }

    /// Records one look: `in_flight` holds each move in flight and the bytes its new replicas
    /// hold; `finished` how many moves finished since the last look. Returns true when the moves
    /// in flight are stalled (no progress for the timeout).
    pub fn observe(
        &mut self,
        now: Instant,
        in_flight: &[((String, i32), u64)],
        finished: usize,
    ) -> bool {
        let mut progress = finished > 0 || in_flight.is_empty();
        let mut next = BTreeMap::new();
        for (key, bytes) in in_flight {
            match self.copied.get(key) {
                Some(before) if bytes > before => progress = true,
                // A move seen for the first time starts its clock fresh.
                None => progress = true,
                _ => {}
            }
            next.insert(key.clone(), *bytes);
        }
        self.copied = next;
        if progress {
            self.last_progress = now;
        }
        now.duration_since(self.last_progress) >= self.timeout
    }

    /// Since when no progress was seen.
    pub fn stalled_for(&self, now: Instant) -> Duration {
        now.duration_since(self.last_progress)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(p: i32) -> (String, i32) {
        ("t".to_string(), p)
    }

    #[test]
    fn no_byte_copied_for_the_timeout_is_a_stall() {
        let start = Instant::now();
        let mut d = StallDetector::new(Duration::from_secs(10), start);
        assert!(!d.observe(start, &[(key(0), 5)], 0));
        assert!(!d.observe(start + Duration::from_secs(6), &[(key(0), 5)], 0));
        assert!(d.observe(start + Duration::from_secs(11), &[(key(0), 5)], 0));
    }

    #[test]
    fn copying_finishing_or_a_new_move_is_progress() {
        let start = Instant::now();
        let s = |n| start + Duration::from_secs(n);
        let mut d = StallDetector::new(Duration::from_secs(10), start);
        d.observe(s(0), &[(key(0), 5)], 0);
        assert!(!d.observe(s(9), &[(key(0), 6)], 0), "a byte copied");
        assert!(!d.observe(s(18), &[(key(0), 6)], 1), "a move finished");
        assert!(
            !d.observe(s(27), &[(key(0), 6), (key(1), 0)], 0),
            "a new move"
        );
        assert!(d.observe(s(38), &[(key(0), 6), (key(1), 0)], 0));
        assert!(
            !d.observe(s(39), &[], 0),
            "nothing in flight is never a stall"
        );
    }
}
