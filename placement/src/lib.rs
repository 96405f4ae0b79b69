//! kplace-placement: the pure core of kplace.
//!
//! No I/O, no async, no global state, no clock: the same inputs give the same output.
pub mod parse;
pub mod policy;
pub mod snapshot;
