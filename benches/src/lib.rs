//! Benchmark support: the reproducible large-snapshot generator.
