//! `kplace`: places Kafka partition replicas across several failure-domain dimensions at once
//! (availability zone, Kubernetes cluster, rack, ...) and keeps them there.
//!
//! This binary is thin: it parses arguments, reads and writes files, talks to Kafka and prints.
//! Everything it computes about placement lives in the `kplace-placement` and
//! `kplace-optimizer` libraries.

mod commands;
mod durations;
mod exit;
mod files;
mod goal_args;
mod html_args;
mod kafka_args;
mod logging;
mod model_args;
mod print;

use std::process::ExitCode;

use clap::Parser;

/// Places Kafka partition replicas across several failure-domain dimensions at once.
///
/// A policy says, per topic pattern, how replicas spread over broker labels (zone, Kubernetes
/// cluster, rack, ...); kplace checks a cluster against it, plans the fewest moves that repair
/// it, assigns new topics, and applies plans to a running Kafka.
///
/// Exit codes: 0 success; 1 violations found (check); 2 bad input; 3 the rules or hard goals
/// cannot be met; 4 Kafka failed part-way (re-running continues); 70 internal error.
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
            eprintln!("kplace: {error}");
            error.exit_code()
        }
    }
}
