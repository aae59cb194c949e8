//! Scaling triggers as result data: each trigger's condition and action as the scenario states
//! them, and what it did across the replications ([`TriggerSummary`]).

use crate::metrics::Summary;
use crate::units::Unit;
use serde::Serialize;

/// Which side of its threshold a trigger's metric must be on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Fires when the metric is above the threshold.
    Above,
    /// Fires when the metric is below the threshold.
    Below,
}

/// When a trigger holds: its metric against a threshold, for long enough.
#[derive(Debug, Clone, Serialize)]
pub struct TriggerCondition {
    /// The metric's name in scenario files (`database.size`, `api.cpu`, `cost.monthly`).
    pub metric: String,
    /// For `cost.monthly`: the components whose cost is watched (empty: all).
    pub components: Vec<String>,
    /// The percentile of a latency or wait metric (95 for p95); `None` for other metrics.
    pub percentile: Option<f64>,
    /// Above or below the threshold.
    pub comparison: Direction,
    /// The threshold, in `unit`.
    pub threshold: f64,
    /// The unit of the metric and the threshold.
    pub unit: Unit,
    /// How long the condition must hold before the action runs, in seconds (0: at once).
    pub sustained_seconds: f64,
}

/// What a trigger does when its condition holds.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TriggerAction {
    /// Nothing: the report says when the condition held.
    Flag,
    /// Changes a component's plan or size; every field not `None` is changed.
    Upgrade {
        /// The component changed.
        component: String,
        /// New provider.
        provider: Option<String>,
        /// New plan of the provider's catalog.
        plan: Option<String>,
        /// New instance size.
        size: Option<String>,
        /// New vCPUs per instance.
        vcpu: Option<f64>,
        /// New memory per instance, in bytes.
        ram_bytes: Option<f64>,
        /// Connection pooler on or off.
        pooler: Option<bool>,
        /// New number of read replicas.
        read_replicas: Option<u32>,
        /// New connection limit.
        connections: Option<u32>,
        /// New number of servers.
        servers: Option<u32>,
    },
    /// Adds instances of a component, up to a maximum.
    AddInstances {
        /// The component scaled out.
        component: String,
        /// Instances added per firing.
        count: u32,
        /// The most instances it may reach.
        max: u32,
    },
    /// Moves the run to another stage of the roadmap.
    SwitchStage {
        /// The stage switched to.
        stage: String,
    },
}

/// One scaling trigger across replications.
#[derive(Debug, Clone, Serialize)]
pub struct TriggerSummary {
    /// The trigger's name in the scenario.
    pub name: String,
    /// When it holds.
    pub condition: TriggerCondition,
    /// What it does.
    pub action: TriggerAction,
    /// The plan's own words for this trigger (`plan_says`), if the scenario quotes them.
    pub plan_says: Option<String>,
    /// Replications in which it fired (its action ran at least once): a count.
    pub fired_in: usize,
    /// Replications run: a count.
    pub replications: usize,
    /// Time of the first firing, in seconds from the start of the run, across the replications
    /// where it fired.
    pub first_fire: Summary,
    /// The metric's value at the first firing, in the condition's `unit`, across the
    /// replications where it fired.
    pub value_at_fire: Summary,
    /// Periods in which the condition held, per replication (a count).
    pub periods_held: Summary,
    /// What the first firing changed, in words (the most common across replications); `None`
    /// when it never fired.
    pub effect: Option<String>,
    /// The stage's monthly run-rate just before the first firing, in dollars a month, across
    /// the replications where it fired.
    pub cost_before: Summary,
    /// The monthly run-rate just after it, in dollars a month.
    pub cost_after: Summary,
    /// Firings per replication (a count: instances added repeatedly, for example).
    pub firings: Summary,
    /// The most extreme value the trigger evaluated over the horizon, in the condition's `unit`
    /// (largest for `above`, smallest for `below`; median across replications), for context
    /// when it never fires.
    pub peak_value: Option<f64>,
}
