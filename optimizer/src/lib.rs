//! kplace-optimizer: Cruise Control-style goals, failure analysis and reassignment plans over the
//! placement core.
//!
//! - [`goals`]: one goal per file behind the [`goals::Goal`] trait; [`engine`] runs them in
//!   priority order, applying an action only when every earlier goal accepts it.
//! - [`planner`]: from goal names, thresholds and an operation (scale-out, demotion, excluded
//!   topics) to a [`plan::Plan`] (PLAN.json).
//! - [`analysis`]: what losing one failure domain or broker does to every partition.
pub mod action;
pub mod analysis;
pub mod config;
pub mod engine;
pub mod exact;
pub mod goals;
pub mod hard_failure;
pub mod limits;
pub mod load_model;
pub mod plan;
pub mod planner;
pub mod resource;
pub mod spread_plan;
pub mod state;
