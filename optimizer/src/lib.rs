//! kplace-optimizer: Cruise Control-style goals, failure analysis and reassignment plans over the
//! placement core.
pub mod analysis;
pub mod load_model;
pub mod plan;
pub mod spread_plan;
