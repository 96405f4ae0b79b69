//! The copy rate of an apply and the time left: pure logic, no I/O.
//!
//! Each look gives the bytes copied so far (all moves together). The rate is the bytes copied
//! over a sliding window of recent looks (so a pause or a change of pace shows within the
//! window, and one noisy look does not swing it); the time left is the bytes left at that rate.
//! The count of bytes copied never goes down here: a look that reads less than the last (a
//! broker whose sizes could not be read) counts as no progress.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// The window the rate is measured over when none is given.
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(30);

/// Copy rate over a sliding window, and the time left at that rate.
#[derive(Debug, Clone)]
pub struct RateEstimator {
    window: Duration,
    samples: VecDeque<(Instant, u64)>,
}

impl RateEstimator {
    /// An estimator measuring over `window` (at least two looks are always kept).
    pub fn new(window: Duration) -> Self {
        RateEstimator {
            window,
            samples: VecDeque::new(),
        }
    }

    /// Records that `copied` bytes are copied at `now`.
    pub fn observe(&mut self, now: Instant, copied: u64) {
        let copied = self
            .samples
            .back()
            .map_or(copied, |&(_, last)| copied.max(last));
        self.samples.push_back((now, copied));
        while self.samples.len() > 2
            && self
                .samples
                .get(1)
                .is_some_and(|&(t, _)| now.saturating_duration_since(t) >= self.window)
        {
            self.samples.pop_front();
        }
    }

    /// Bytes per second over the window; `None` before two looks a moment apart.
    pub fn rate(&self) -> Option<f64> {
        let (&(t0, b0), &(t1, b1)) = (self.samples.front()?, self.samples.back()?);
        let seconds = t1.saturating_duration_since(t0).as_secs_f64();
        (seconds > 0.0).then(|| (b1 - b0) as f64 / seconds)
    }

    /// Time to copy `remaining` bytes at the current rate: zero when nothing remains, `None`
    /// when the rate is unknown or zero (no estimate rather than an infinite one).
    pub fn eta(&self, remaining: u64) -> Option<Duration> {
        if remaining == 0 {
            return Some(Duration::ZERO);
        }
        let rate = self.rate()?;
        (rate > 0.0).then(|| Duration::from_secs_f64(remaining as f64 / rate))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn steady_copying_gives_its_rate_and_the_time_left() {
        let t0 = Instant::now();
        let mut e = RateEstimator::new(Duration::from_secs(10));
        assert_eq!(e.rate(), None);
        assert_eq!(e.eta(100), None);
        for s in 0..=20u64 {
            e.observe(t0 + Duration::from_secs(s), s * 1000);
        }
        assert_eq!(e.rate(), Some(1000.0));
        assert_eq!(e.eta(5000), Some(Duration::from_secs(5)));
        assert_eq!(e.eta(0), Some(Duration::ZERO));
    }

    #[test]
    fn the_window_forgets_an_old_burst() {
        let t0 = Instant::now();
        let mut e = RateEstimator::new(Duration::from_secs(10));
        e.observe(t0, 0);
        e.observe(t0 + Duration::from_secs(1), 1_000_000);
        for s in 2..=30u64 {
            e.observe(t0 + Duration::from_secs(s), 1_000_000 + (s - 1) * 10);
        }
        let rate = e.rate().expect("rate");
        assert!((rate - 10.0).abs() < 1e-9, "{rate}");
    }

    #[test]
    fn no_progress_means_no_estimate_not_a_negative_one() {
        let t0 = Instant::now();
        let mut e = RateEstimator::new(Duration::from_secs(10));
        e.observe(t0, 500);
        e.observe(t0 + Duration::from_secs(1), 400);
        assert_eq!(e.rate(), Some(0.0));
        assert_eq!(e.eta(10), None);
    }

    proptest! {
        /// The rate is never negative and never above the fastest step seen; the estimate
        /// shrinks as fewer bytes remain.
        #[test]
        fn rate_is_bounded_by_what_was_seen(
            steps in proptest::collection::vec((1u64..5, 0u64..10_000), 2..50),
            window in 1u64..20,
        ) {
            let t0 = Instant::now();
            let mut e = RateEstimator::new(Duration::from_secs(window));
            let (mut t, mut bytes, mut fastest) = (0u64, 0u64, 0f64);
            e.observe(t0, 0);
            for (dt, db) in steps {
                t += dt;
                bytes += db;
                fastest = fastest.max(db as f64 / dt as f64);
                e.observe(t0 + Duration::from_secs(t), bytes);
                let rate = e.rate().expect("two looks apart");
                prop_assert!(rate >= 0.0 && rate <= fastest + 1e-9, "{} > {}", rate, fastest);
                if let (Some(a), Some(b)) = (e.eta(1000), e.eta(2000)) {
                    prop_assert!(a <= b);
                }
            }
        }
    }
}
