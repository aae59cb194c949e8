//! Environments: several full scenarios of one system (production, staging…) run side by side
//! and billed together in one report.
//!
//! A *system file* names its environments, each a scenario file of its own (its own traffic,
//! stages, replicas, schedules, triggers and objectives), by a path relative to the system file:
//!
//! ```yaml
//! name: Effect Models (production + staging)
//! seed: 4
//! replications: 8
//! environments: {production: production.yaml, staging: staging.yaml}
//! separate_accounts: []          # catalog accounts NOT shared by the environments
//! budget: {monthly: $270, components: {api: $100}}
//! plan_says:
//!   monthly_cost: $140-$270      # one figure, or a range
//!   components: {api: $50-$100}
//!   notes: ["…"]
//! ```
//!
//! - **Seeds.** Environment `e` runs with seed [`env_seed`]`(seed, e)`, and every environment
//!   runs the system's replications: `capsim run e.yaml --seed <that seed>` gives the same
//!   numbers as the environment inside the system.
//! - **Accounts.** A catalog `account:` (Railway's workspace, Supabase's organisation) is one
//!   billing unit across environments unless listed under `separate_accounts`: its fee and
//!   usage commitment count once, its usage is summed, its credit applies once
//!   ([`rebill`]). Replication `r` of the system is replication `r` of every environment, so
//!   the combined bill is computed replication by replication, then summarised.
//! - **Checks.** The system's budget and `plan_says` apply to the combined bill; each
//!   environment keeps its own budgets, objectives and triggers, with ids prefixed by its name
//!   (`staging.slo.latency_p99`).
//!
//! `load.rs` reads and validates the file, `combine.rs` runs and combines, `rebill.rs` bills
//! shared accounts once, `tables.rs` lays the result out as tables, `charts.rs` draws it with
//! the scenario report's chart code, and `render.rs`, `html.rs` and `csv.rs` write the report's
//! files; `cli.rs` is what `capsim run | validate` call (`capsim check` runs a system through
//! the gate, `crate::gate::system`).

pub mod charts;
pub mod cli;
pub mod combine;
pub mod csv;
pub mod html;
pub mod load;
pub mod rebill;
pub mod render;
pub mod tables;
#[cfg(test)]
mod tests;

pub use combine::{run_system, SystemResult};
pub use load::{is_system, load, System};

/// The seed environment `name` of a system seeded with `seed` runs with: SplitMix64 of the seed
/// mixed with the FNV-1a hash of the name, so it depends on the two only.
pub fn env_seed(seed: u64, name: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    crate::seed::splitmix(seed ^ crate::seed::splitmix(h))
}
