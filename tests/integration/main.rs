//! One integration-test binary (see matklad, "Delete Cargo Integration Tests").
mod approximation;
mod catalog_facts;
mod cli;
mod common;
mod determinism;
mod scenarios;
mod theory;
