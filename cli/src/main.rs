//! `kplace`: places Kafka partition replicas across several failure-domain dimensions at once
//! (availability zone, Kubernetes cluster, rack, ...) and keeps them there.
//!
//! This binary is thin: it parses arguments, reads and writes files, talks to Kafka and prints.
//! Everything it computes about placement lives in the `kplace-placement` and
//! `kplace-optimizer` libraries.

mod broker_lists;
mod capacity_args;
mod commands;
mod durations;
mod exit;
mod files;
mod goal_args;
mod html_args;
mod kafka_args;
mod logging;
mod model_args;
mod outputs;
mod print;
mod progress;
mod sample_args;
mod signals;

use std::process::ExitCode;

use clap::Parser;

/// Places Kafka partition replicas across several failure-domain dimensions at once.
///
/// A policy says, per topic pattern, how replicas spread over broker labels (zone, Kubernetes
/// cluster, rack, ...); kplace checks a cluster against it, plans the fewest moves that repair
/// it, assigns new topics, and applies plans to a running Kafka.
///
/// Exit codes: 0 success; 1 violations found (check); 2 bad input (an unusable output path
/// included); 3 the rules or hard goals cannot be met; 4 Kafka failed part-way (re-running
/// continues); 70 internal error; 74 writing failed (disk full, I/O error; nothing committed);
/// 130/143 apply or heal stopped by Ctrl-C/SIGTERM after cleaning up (moves in flight finished,
/// or cancelled with --cancel-on-stop; a second signal ends at once with 1); 141 standard output
/// closed by its reader.
#[derive(Debug, Parser)]
#[command(name = "kplace", version, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: commands::Command,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match commands::run(cli.command) {
        Ok(code) => code,
        Err(error) => {
            if let Some(message) = error.message() {
                print::stderr_line(&format!("kplace: {message}"));
            }
            error.exit_code()
        }
    }
}
