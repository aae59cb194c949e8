//! capsim: capacity planning and cost modelling by discrete-event simulation.
//!
//! A scenario file ([`scenario`]) describes users, traffic, a request mix, the infrastructure of
//! each stage of a roadmap and its scaling triggers; pricing catalogs ([`pricing`]) describe
//! providers' plans. [`run::run`] simulates replications in parallel ([`simulate`], [`engine`])
//! and aggregates them into a [`results::RunResult`], which [`report`] renders.

// Input errors carry a file, a field path, a position and the allowed values; they are built
// once, on the cold path, so their size does not matter.
#![allow(clippy::result_large_err)]
pub mod autoscale;
pub mod batch;
pub mod billing;
pub mod cachehit;
pub mod checks;
pub mod cli;
pub mod components;
pub mod diff;
pub mod dist;
pub mod engine;
pub mod envs;
pub mod error;
pub mod event_queue;
pub mod gate;
pub mod hist;
pub mod infra;
pub mod input;
pub mod metrics;
pub mod multirun;
pub mod outdir;
pub mod overload;
pub mod plans;
pub mod pricing;
pub mod progress;
pub mod report;
pub mod results;
pub mod run;
pub mod run_ranges;
pub mod scenario;
pub mod sched;
pub mod schema;
pub mod seed;
pub mod simulate;
pub mod stdio;
pub mod sweep;
pub mod templates;
pub mod textsafe;
pub mod theory;
pub mod time;
pub mod units;
pub mod verbosity;
pub mod window;
pub mod work;
pub mod yamlfile;
pub mod yamlmsg;
