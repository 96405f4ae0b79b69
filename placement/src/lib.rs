//! kplace-placement: the pure core of kplace.
//!
//! No I/O, no async, no global state, no clock: the same inputs give the same output.
pub mod assign;
pub mod bounds;
pub mod broker_ids;
pub mod broker_load;
pub mod candidate_queues;
pub mod cells;
pub mod check;
pub mod feasibility;
pub mod labels;
pub mod leader_balance;
pub mod model;
pub mod model_error;
pub mod parse;
pub mod place;
pub mod policy;
pub mod reassignment;
pub mod repair;
pub mod rules;
pub mod search;
pub mod snapshot;
pub mod solver;
