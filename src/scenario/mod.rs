//! Scenarios: what a capacity planner writes (`scenarios/*.yaml`) and what the engine runs.
//!
//! `raw.rs` mirrors the file; `validate.rs` checks every field and reference once, resolving
//! plans against the pricing catalog, so that later code never re-checks "capacity > 0".
//!
//! # Layering
//!
//! Imports run one way, bottom to top: `model.rs` (the checked types) and `raw.rs` (the file's
//! mirror) at the bottom; the component kinds (`crate::components`) above them; `crate::infra`
//! (what a stage's plans give it) and the engine (`crate::engine`; the kinds see only its
//! station ids, `engine/station.rs`) above those; validation (`validate.rs` and its helpers,
//! which share `ctx.rs`) above them, as it needs the kinds' parsers and the plans' limits;
//! loading (`load.rs`: files, catalogs, then `ranged.rs` for inputs written as ranges, which
//! `ranges.rs` reads and draws, below `model.rs`) on top. This file only re-exports: code below validation imports from `scenario::model`, never from here.

mod arrivals;
mod autoscale;
mod billing;
mod blocks;
pub mod bounds;
mod cache_ttl;
mod ctx;
pub mod faults;
mod frame;
mod jobwork;
pub mod limits;
mod load;
pub mod model;
pub mod ranged;
pub mod ranges;
pub mod raw;
mod reach;
mod terms;
mod traffic;
mod trigger;
mod validate;

pub use load::{load, load_edited, load_str, load_str_in, load_with_catalog, replication, Edit};
pub use model::*;
pub use validate::component_names;
