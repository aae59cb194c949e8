//! One integration-test binary (see matklad, "Delete Cargo Integration Tests").
mod approximation;
mod billing;
mod cli;
mod common;
mod configs;
mod determinism;
mod scenarios;
mod theory;
mod timeouts;
mod validation;
