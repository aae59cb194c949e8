//! capsim: capacity planning and cost modelling by discrete-event simulation.
pub mod error;
pub mod pricing;
pub mod units;
pub mod yamlfile;
