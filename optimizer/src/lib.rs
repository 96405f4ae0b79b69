//! kplace-optimizer: Cruise Control-style goals, failure analysis and reassignment plans over the
//! placement core.
//!
//! A [`PlanRequest`] says what to plan (goals in priority order, thresholds, an operation such
//! as a scale-out or a demotion); [`make_plan`] runs the goals over a
//! [`ClusterModel`](kplace_placement::ClusterModel) and returns a [`Plan`], the contract
//! `kplace apply` executes (PLAN.json). A hard goal that cannot be met fails the request with a
//! typed [`HardGoalFailure`] that also renders itself.
//!
//! ```
//! use kplace_optimizer::{make_plan, PlanRequest};
//! use kplace_placement::{parse_policy, parse_snapshot, ClusterModel, ModelOptions};
//!
//! let snapshot = parse_snapshot(br#"{
//!   "brokers": [{"id": 1, "rack": "a"}, {"id": 2, "rack": "a"}, {"id": 3, "rack": "b"},
//!               {"id": 4, "rack": "b"}, {"id": 5, "rack": "c"}, {"id": 6, "rack": "c"}],
//!   "partitions": [{"topic": "events", "partition": 0, "replicas": [1, 2, 3], "size": 1000}]}"#,
//!   "snapshot.json")?;
//! let policy = parse_policy("rules: [{topics: '.*', spread: {rack: even}}]", "policy.yaml")?;
//! let model = ClusterModel::build(&snapshot, &policy, &ModelOptions::default())?;
//! let plan = make_plan(&model, &PlanRequest::new().with_goals(["spread"]))?;
//! assert_eq!(plan.partitions.len(), 1); // one replica leaves rack a
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Goals of one's own
//!
//! A rule the built-in goals cannot express is a type that implements [`Goal`]; register it with
//! [`PlanRequest::with_goal`] at a [`GoalPosition`], [`Strength::Hard`] or [`Strength::Soft`],
//! and it runs beside them. The trait's documentation says what an implementation must
//! guarantee; the goal sees the cluster through [`ClusterState`] and proposes [`Action`]s
//! through its [`GoalRun`].
//!
//! # Failure analysis
//!
//! [`analyze`] says what losing each failure domain or broker does to every partition
//! ([`FailureAnalysis`]), for the current assignment or a plan's result ([`Plan::apply_to`]).
//!
//! # Stability
//!
//! The items re-exported here are the crate's public API. The modules hidden from these docs
//! are the workspace's own internals (the `kplace` CLI, benches and tests use them); they may
//! change in any release.

pub use action::Action;
pub use analysis::{analyze, FailureAnalysis, Scenario};
pub use config::{ConfigError, GoalConfig};
pub use exact::ExactError;
pub use goals::custom::{GoalPosition, RegistrationError, Strength};
pub use goals::{Goal, GoalRun, UnknownGoal, DEFAULT_GOALS, EXAMPLES};
pub use hard_failure::{CapacityExcess, HardGoalFailure, SurvivalGap};
pub use limits::{Limits, LimitsError, Operation};
pub use load_model::BrokerStats;
pub use plan::{
    BoundKind, BrokerChange, Current, GoalBound, GoalCost, GoalOutcome, GoalState, MoveBound,
    PartitionChange, Plan, PlanInputs, PlanMismatch, PlanReadError, Totals, PLAN_VERSION,
};
pub use planner::{make_plan, PlanError, PlanRequest};
pub use resource::Resource;
pub use skipped::Skipped;
pub use state::{ClusterState, ListChange, Proposal};

#[doc(hidden)]
pub mod action;
#[doc(hidden)]
pub mod analysis;
#[doc(hidden)]
pub mod bounds;
#[doc(hidden)]
pub mod config;
#[doc(hidden)]
pub mod engine;
#[doc(hidden)]
pub mod exact;
#[doc(hidden)]
pub mod goals;
#[doc(hidden)]
pub mod hard_failure;
#[doc(hidden)]
pub mod heal;
/// The improvement phase (`--improve`): large-neighbourhood search after the greedy goals.
pub mod improve;
#[doc(hidden)]
pub mod limits;
#[doc(hidden)]
pub mod load_model;
#[doc(hidden)]
pub mod plan;
#[doc(hidden)]
pub mod planner;
#[doc(hidden)]
pub mod resource;
#[doc(hidden)]
pub mod skipped;
#[doc(hidden)]
pub mod spread_plan;
#[doc(hidden)]
pub mod state;
