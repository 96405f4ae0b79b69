//! kplace processes that run in the background while a test watches their log.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A kplace process whose log (stderr) is collected as it runs.
pub struct Running {
    /// The process.
    pub child: std::process::Child,
    log: Arc<Mutex<String>>,
    reader: std::thread::JoinHandle<()>,
}

impl Running {
    /// The log so far.
    pub fn log(&self) -> String {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// Waits for the process to end; its exit code and whole log.
    pub fn finish(mut self) -> (i32, String) {
        let code = self
            .child
            .wait()
            .expect("wait for kplace")
            .code()
            .unwrap_or(-1);
        let _ = self.reader.join();
        let log = self.log.lock().map(|l| l.clone()).unwrap_or_default();
        (code, log)
    }
}

/// Starts kplace, returns once its log shows `marker`.
pub fn start_until(args: &[&str], marker: &str) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kplace"))
        .args(args)
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start kplace");
    let stderr = child.stderr.take().expect("stderr");
    let log = Arc::new(Mutex::new(String::new()));
    let sink = Arc::clone(&log);
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Ok(mut log) = sink.lock() {
                log.push_str(&line);
                log.push('\n');
            }
        }
    });
    let running = Running { child, log, reader };
    let deadline = Instant::now() + Duration::from_secs(120);
    while !running.log().contains(marker) {
        assert!(
            Instant::now() < deadline,
            "kplace did not log {marker:?}:\n{}",
            running.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    running
}
