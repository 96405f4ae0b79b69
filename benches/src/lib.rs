//! Benchmark support: the reproducible large-snapshot generators.
pub mod random_cluster;
pub mod rng;
