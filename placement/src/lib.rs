//! kplace-placement: the pure core of kplace.
//!
//! No I/O, no async, no global state, no clock: the same inputs give the same output.
pub mod parse;
pub mod policy;
pub mod snapshot;
pub mod bounds;
pub mod cells;
pub mod feasibility;
pub mod labels;
pub mod model;
pub mod model_error;
pub mod rules;
pub mod search;
pub mod solver;
pub mod check;
pub mod broker_load;
pub mod place;
pub mod reassignment;
pub mod repair;
pub mod assign;
