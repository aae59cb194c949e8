//! capsim: capacity planning and cost modelling by discrete-event simulation.
pub mod checks;
pub mod dist;
pub mod engine;
pub mod error;
pub mod infra;
pub mod metrics;
pub mod pricing;
pub mod report;
pub mod run;
pub mod scenario;
pub mod simulate;
pub mod theory;
pub mod units;
pub mod yamlfile;
