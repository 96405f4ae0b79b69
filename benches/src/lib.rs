//! Benchmark support: the reproducible large-snapshot generators.
pub mod random_cluster;
pub mod rng;
pub mod stretch_cluster;
