//! One integration-test binary (see matklad, "Delete Cargo Integration Tests").
mod approximation;
mod billing;
mod bounds;
mod cli;
mod common;
mod determinism;
mod fuzz;
mod scenarios;
mod theory;
mod timeouts;
mod validation;
