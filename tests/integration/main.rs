//! One integration-test binary (see matklad, "Delete Cargo Integration Tests").
mod approximation;
mod billing;
mod catalog_facts;
mod cli;
mod common;
mod configs;
mod determinism;
mod figures;
mod outdir;
mod overload;
mod scenarios;
mod snapshots;
mod stdio;
mod theory;
mod timeouts;
mod validation;
