//! capsim: capacity planning and cost modelling by discrete-event simulation.
pub mod dist;
pub mod engine;
pub mod error;
pub mod infra;
pub mod pricing;
pub mod scenario;
pub mod theory;
pub mod units;
pub mod yamlfile;
