//! Writing to standard output and standard error without ever panicking (`println!` panics when
//! the reader of a pipe has gone): a closed pipe ends the command quietly with
//! [`CLOSED_PIPE`](crate::exit::CLOSED_PIPE), any other failure is an I/O error of the
//! environment ([`IO_ERROR`](crate::exit::IO_ERROR)). Every command prints through here.

use std::io::{self, Write};

use serde::Serialize;

use crate::exit::CliError;

/// The CLI error for a failed write to standard output.
pub fn stdout_error(error: io::Error) -> CliError {
    if error.kind() == io::ErrorKind::BrokenPipe {
        CliError::ClosedPipe(None)
    } else {
        CliError::Io(format!("standard output: cannot write: {error}"))
    }
}

/// Runs `write` on buffered standard output and flushes it.
pub fn to_stdout(write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), CliError> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    write(&mut out)
        .and_then(|()| out.flush())
        .map_err(stdout_error)
}

/// Renders what `write` prints into bytes (for output staged with the files).
pub fn render(write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<Vec<u8>, CliError> {
    let mut bytes = Vec::new();
    write(&mut bytes).map_err(|e| CliError::Internal(format!("cannot render: {e}")))?;
    Ok(bytes)
}

/// `value` as pretty JSON followed by a newline.
pub fn json_bytes<T: Serialize>(value: &T) -> Result<Vec<u8>, CliError> {
    let mut bytes = serde_json::to_vec_pretty(value)
        .map_err(|e| CliError::Internal(format!("cannot serialise output: {e}")))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Prints `value` as pretty JSON followed by a newline.
pub fn json<T: Serialize>(value: &T) -> Result<(), CliError> {
    let bytes = json_bytes(value)?;
    to_stdout(|out| out.write_all(&bytes))
}

/// Writes one line to standard error. A failure is ignored: there is nowhere left to report it,
/// and it must not turn into a panic.
pub fn stderr_line(text: &str) {
    let _ = writeln!(io::stderr().lock(), "{text}");
}

/// Writes one line to standard output and flushes it (for line-delimited events). A failure is
/// ignored: the command goes on, and its outcome still reaches stderr and the exit code.
pub fn stdout_line(text: &str) {
    let mut out = io::stdout().lock();
    let _ = writeln!(out, "{text}").and_then(|()| out.flush());
}
