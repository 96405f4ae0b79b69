//! Logging for the commands that talk to Kafka: structured `tracing` events on stderr, at `info`
//! unless `RUST_LOG` says otherwise; `KPLACE_LOG_FORMAT=json` writes one JSON object per event.
//! Secrets never reach an event (the Kafka edge's types redact them).

use std::io::IsTerminal;

/// Installs the subscriber once; later calls do nothing.
pub fn init() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        // On a terminal the progress bar shows what info events would.
        let level = if std::io::stderr().is_terminal() {
            "warn"
        } else {
            "info"
        };
        tracing_subscriber::EnvFilter::new(level)
    });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(interactive());
    let _ = if std::env::var("KPLACE_LOG_FORMAT").as_deref() == Ok("json") {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

/// Whether progress should be drawn as a bar (stderr is a terminal).
pub fn interactive() -> bool {
    std::io::stderr().is_terminal()
}
