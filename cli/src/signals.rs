//! Ctrl-C and SIGTERM: the first asks the running command to stop (it stops submitting, removes
//! kplace's throttles and exits 128 + the signal); a second one ends the process at once (exit
//! 1), leaving the cleanup to the next kplace run.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use kplace_kafka::stop::Stop;
use signal_hook::consts::{SIGINT, SIGTERM};

use crate::exit::CliError;

/// Installs the handlers and returns the stop request they set.
pub fn install() -> Result<Stop, CliError> {
    let stop = Stop::default();
    let armed = Arc::new(AtomicBool::new(false));
    for signal in [SIGINT, SIGTERM] {
        // Registered first, so that it acts only on a second signal, once `armed` is set.
        signal_hook::flag::register_conditional_shutdown(signal, 1, Arc::clone(&armed))
            .and_then(|_| signal_hook::flag::register(signal, Arc::clone(&armed)))
            .and_then(|_| signal_hook::flag::register_usize(signal, stop.handle(), signal as usize))
            .map_err(|e| CliError::Internal(format!("cannot install the signal handlers: {e}")))?;
    }
    Ok(stop)
}
