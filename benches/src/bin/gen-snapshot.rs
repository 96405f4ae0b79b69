//! Writes a large generated snapshot and its policy, reproducibly (same seed, same bytes).
//!
//! `cargo run --release -p kplace-benches --bin gen-snapshot -- stretch --out benches/data/stretch-1m`
//! writes `stretch-1m.snapshot.json` and `stretch-1m.policy.json`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use kplace_benches::stretch_cluster::{stretch_policy, stretch_snapshot, StretchSpec};

/// Generates benchmark inputs.
#[derive(Parser)]
struct Args {
    #[command(subcommand)]
    workload: Workload,
}

#[derive(Subcommand)]
enum Workload {
    /// 3 zones x 2 Kubernetes clusters at RF 6 (default: the 1,000,000-partition instance).
    Stretch {
        /// Output path prefix: writes PREFIX.snapshot.json and PREFIX.policy.json.
        #[arg(long)]
        out: PathBuf,
        /// Partitions in all.
        #[arg(long, default_value_t = 1_000_000)]
        partitions: usize,
        /// Brokers per zone x cluster cell.
        #[arg(long, default_value_t = 100)]
        brokers_per_cell: usize,
        /// Fraction of partitions in a zone-only legacy placement.
        #[arg(long, default_value_t = 0.10)]
        broken: f64,
        /// Dead brokers.
        #[arg(long, default_value_t = 3)]
        dead: usize,
        /// Random seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Give partitions network and CPU load (Kafka's own snapshots have none).
        #[arg(long)]
        with_load: bool,
    },
}

fn main() -> std::io::Result<()> {
    match Args::parse().workload {
        Workload::Stretch {
            out,
            partitions,
            brokers_per_cell,
            broken,
            dead,
            seed,
            with_load,
        } => {
            let spec = StretchSpec {
                partitions,
                brokers_per_cell,
                broken_fraction: broken,
                dead_brokers: dead,
                seed,
                with_load,
                ..StretchSpec::large()
            };
            write(&out, "snapshot", &stretch_snapshot(&spec))?;
            write(&out, "policy", &stretch_policy())
        }
    }
}

fn write<T: serde::Serialize>(
    prefix: &std::path::Path,
    kind: &str,
    value: &T,
) -> std::io::Result<()> {
    let path = PathBuf::from(format!("{}.{kind}.json", prefix.display()));
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let file = std::io::BufWriter::new(std::fs::File::create(&path)?);
    serde_json::to_writer(file, value).map_err(std::io::Error::other)?;
    eprintln!("wrote {}", path.display());
    Ok(())
}
