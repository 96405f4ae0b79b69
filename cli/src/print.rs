//! Writing reports to stdout.

use std::io::Write;

use serde::Serialize;

use crate::exit::CliError;

/// Prints `value` as pretty JSON followed by a newline, buffered.
pub fn json<T: Serialize>(value: &T) -> Result<(), CliError> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    serde_json::to_writer_pretty(&mut out, value)
        .map_err(|e| CliError::Internal(format!("cannot serialise report: {e}")))?;
    writeln!(out)
        .and_then(|()| out.flush())
        .map_err(|e| CliError::Internal(format!("stdout: {e}")))
}
