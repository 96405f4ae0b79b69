//! A request to stop, shared between a signal handler and the apply engine: the engine looks at
//! it between steps and while it waits, stops submitting, and cleans up.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Set (to the signal's number) when the process was asked to stop. Cloning shares it.
#[derive(Debug, Clone, Default)]
pub struct Stop(Arc<AtomicUsize>);

impl Stop {
    /// The shared counter a signal handler stores the signal number into
    /// (`signal_hook::flag::register_usize`).
    pub fn handle(&self) -> Arc<AtomicUsize> {
        Arc::clone(&self.0)
    }

    /// Asks to stop, as signal `signal` would.
    pub fn request(&self, signal: i32) {
        self.0.store(signal.max(1) as usize, Ordering::SeqCst);
    }

    /// The signal that asked to stop, if any.
    pub fn requested(&self) -> Option<i32> {
        match self.0.load(Ordering::SeqCst) {
            0 => None,
            n => Some(n as i32),
        }
    }

    /// Sleeps up to `duration`, waking early when a stop is requested.
    pub fn sleep(&self, duration: std::time::Duration) {
        let deadline = std::time::Instant::now() + duration;
        while self.requested().is_none() {
            let now = std::time::Instant::now();
            if now >= deadline {
                return;
            }
            std::thread::sleep((deadline - now).min(std::time::Duration::from_millis(100)));
        }
    }
}
