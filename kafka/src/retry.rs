//! When and how often a request is tried again: which Kafka errors are retriable, and the
//! backoff between attempts, bounded by a deadline (every wait is bounded).

use std::time::{Duration, Instant};

use kafka_protocol::error::ParseResponseErrorCode;

/// NOT_CONTROLLER: the request must go to the controller, which moved (ZooKeeper mode).
pub const NOT_CONTROLLER: i16 = 41;
/// REQUEST_TIMED_OUT: the broker gave up waiting; a state change may still have happened.
pub const REQUEST_TIMED_OUT: i16 = 7;
/// UNKNOWN_TOPIC_OR_PARTITION.
pub const UNKNOWN_TOPIC_OR_PARTITION: i16 = 3;

/// Whether Kafka says the request may succeed when sent again: LEADER_NOT_AVAILABLE,
/// NOT_CONTROLLER, REQUEST_TIMED_OUT, COORDINATOR_LOAD_IN_PROGRESS, THROTTLING_QUOTA_EXCEEDED,
/// NOT_LEADER_OR_FOLLOWER, ... (Kafka's own classification, as the protocol crate carries it).
/// UNKNOWN_TOPIC_OR_PARTITION is Kafka-retriable but, with topic creation never asked for,
/// means the topic is not there: kplace reports it instead of waiting for it.
pub fn is_retriable(code: i16) -> bool {
    code != UNKNOWN_TOPIC_OR_PARTITION && code.err().is_some_and(|e| e.is_retriable())
}

/// How long retries may go on and how far apart they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// No attempt starts after this much time since the first.
    pub deadline: Duration,
    /// The wait after the first failure; doubled after each further one.
    pub initial_backoff: Duration,
    /// The longest wait between two attempts.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    /// Kafka's AdminClient defaults: 100 ms backoff growing to 1 s; 60 s in all
    /// (`default.api.timeout.ms`).
    fn default() -> Self {
        RetryPolicy {
            deadline: Duration::from_secs(60),
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(1),
        }
    }
}

/// The attempts of one request under a [`RetryPolicy`].
#[derive(Debug)]
pub struct Attempts {
    policy: RetryPolicy,
    started: Instant,
    failures: u32,
}

impl Attempts {
    /// Starts counting now.
    pub fn new(policy: RetryPolicy) -> Self {
        Attempts {
            policy,
            started: Instant::now(),
            failures: 0,
        }
    }

    /// The wait before the next attempt after another failure, or `None` when the deadline
    /// leaves no room for one.
    pub fn next_backoff(&mut self) -> Option<Duration> {
        let backoff = backoff(self.policy, self.failures);
        self.failures = self.failures.saturating_add(1);
        (self.started.elapsed() + backoff < self.policy.deadline).then_some(backoff)
    }

    /// Failures so far.
    pub fn failures(&self) -> u32 {
        self.failures
    }
}

/// The wait after `failures` earlier failures: initial × 2^failures, at most the maximum.
pub fn backoff(policy: RetryPolicy, failures: u32) -> Duration {
    let factor = 1u32.checked_shl(failures.min(16)).unwrap_or(u32::MAX);
    policy
        .initial_backoff
        .saturating_mul(factor)
        .min(policy.max_backoff)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kafka_retriable_errors_are_retried_and_others_not() {
        for code in [5, 7, 14, 41, 89] {
            // LEADER_NOT_AVAILABLE, REQUEST_TIMED_OUT, COORDINATOR_LOAD_IN_PROGRESS,
            // NOT_CONTROLLER, THROTTLING_QUOTA_EXCEEDED
            assert!(is_retriable(code), "{code} should be retriable");
        }
        for code in [0, 3, 29, 37, 42, 85] {
            // NONE, UNKNOWN_TOPIC_OR_PARTITION, TOPIC_AUTHORIZATION_FAILED,
            // INVALID_PARTITIONS, INVALID_REQUEST, NO_REASSIGNMENT_IN_PROGRESS
            assert!(!is_retriable(code), "{code} should not be retriable");
        }
    }

    #[test]
    fn backoff_doubles_up_to_the_maximum() {
        let policy = RetryPolicy::default();
        let waits: Vec<u128> = (0..6).map(|f| backoff(policy, f).as_millis()).collect();
        assert_eq!(waits, vec![100, 200, 400, 800, 1000, 1000]);
        assert_eq!(backoff(policy, 1000), policy.max_backoff);
    }

    #[test]
    fn attempts_stop_at_the_deadline() {
        let mut attempts = Attempts::new(RetryPolicy {
            deadline: Duration::from_millis(350),
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(1),
        });
        // 100 fits, 200 fits (they are waits planned from the start, not slept here), 400 not.
        assert_eq!(attempts.next_backoff(), Some(Duration::from_millis(100)));
        assert_eq!(attempts.next_backoff(), Some(Duration::from_millis(200)));
        assert_eq!(attempts.next_backoff(), None);
        assert_eq!(attempts.failures(), 3);
    }
}
