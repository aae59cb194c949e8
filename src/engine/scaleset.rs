//! The data of autoscaled replica sets that the engine's configuration and its accumulators
//! hold (a leaf module: the control itself is `autoscale.rs`, which reads both).

use super::station::KINDS;
use crate::autoscale::Autoscale;
use crate::infra::Infra;
use crate::scenario::model::Stage;

/// The replica sets: the API's instances and the queue's workers.
pub const SETS: [&str; 2] = ["api", "queue"];
pub(super) const API_SET: usize = 0;
pub(super) const QUEUE_SET: usize = 1;

/// One set's rule and what one replica is, from the stage and its resolved infrastructure.
#[derive(Debug, Clone, Copy)]
pub(super) struct SetConfig {
    pub rule: Autoscale,
    /// The replicas the infrastructure was resolved with (`min`), and its servers then
    /// (API: slots, cores, speed, bypass; queue: slots), used as they are at that count.
    pub base: u32,
    pub base_servers: (u32, u32, f64, bool),
    /// Servers one replica adds (workers per instance, concurrency per worker).
    pub per_replica: u32,
    /// vCPU of one API instance.
    pub vcpu: f64,
}

/// Every set's configuration (`None`: not autoscaled).
#[derive(Debug, Clone, Default)]
pub struct ScaleConfig(pub(super) [Option<SetConfig>; 2]);

impl ScaleConfig {
    pub fn new(stage: &Stage, infra: &Infra) -> ScaleConfig {
        let api = stage.api.autoscale.map(|rule| SetConfig {
            rule,
            base: stage.api.instances,
            base_servers: (
                infra.api_slots,
                infra.api_cores,
                infra.api_speed,
                infra.api_cores >= infra.api_slots,
            ),
            per_replica: stage.api.workers,
            vcpu: infra.api_vcpu_total / stage.api.instances.max(1) as f64,
        });
        let queue = stage.queue.as_ref().and_then(|q| {
            q.autoscale.map(|rule| SetConfig {
                rule,
                base: q.workers,
                base_servers: (infra.queue_slots, 0, 1.0, false),
                per_replica: q.concurrency,
                vcpu: 0.0,
            })
        });
        ScaleConfig([api, queue])
    }
}

/// What a measured window saw of the replica sets.
#[derive(Debug, Clone, Default)]
pub struct ScaleAcc {
    /// Per set ([`SETS`]): whether it is autoscaled, its replica-seconds, fewest and most replicas.
    pub active: [bool; 2],
    pub replica_seconds: [f64; 2],
    pub min: [u32; 2],
    pub max: [u32; 2],
    /// Changes applied in the window.
    pub changes: [u32; 2],
    /// Server-seconds of each station a set scales (by [`StationId::index`]).
    pub server_seconds: [f64; KINDS.len()],
}
