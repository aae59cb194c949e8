//! TEMPORARY interface stub; replaced by the real pricing module on merge.
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
#[derive(Debug, Clone, Default)]
pub struct Catalog { pub providers: BTreeMap<String, Provider> }
#[derive(Debug, Clone)]
pub struct Provider { pub id: String, pub name: String, pub provenance: Provenance, pub plans: BTreeMap<String, Plan>, pub notes: Option<String> }
#[derive(Clone, Debug, Serialize)]
pub struct Provenance { pub source: Vec<String>, pub as_of: String, pub confidence: Confidence }
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Confidence { Official, AggregatorVerbatim, AggregatorGenerated, ThirdParty, Inference, Unconfirmed }
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeeBasis { Flat, PerSeat, PerInstance, PerZone }
#[derive(Debug, Clone)]
pub struct Plan { pub id: String, pub name: String, pub fee: f64, pub fee_basis: FeeBasis, pub sizes: BTreeMap<String, Size>, pub default_size: Option<String>, pub capacity: Capacity, pub hard_caps: bool, pub provenance: Provenance, pub notes: Option<String> }
#[derive(Debug, Clone)]
pub struct Size { pub name: String, pub hourly: Option<f64>, pub monthly: Option<f64>, pub capacity: Capacity, pub provenance: Option<Provenance> }
#[derive(Default, Clone, Debug, Serialize, Deserialize)]
pub struct Capacity {
    pub vcpu: Option<f64>, pub ram_bytes: Option<f64>,
    pub direct_connections: Option<u32>, pub pooled_connections: Option<u32>,
    pub db_size_limit_bytes: Option<f64>, pub read_only_over_limit: bool,
    pub commands_per_sec: Option<f64>, pub max_vectors: Option<f64>, pub storage_bytes: Option<f64>,
    pub max_replicas: Option<u32>, pub requests_per_min: Option<f64>, pub max_concurrency: Option<u32>,
}
pub type Usage = BTreeMap<String, f64>;
pub struct BillOptions { pub size: Option<String>, pub seats: f64, pub count: f64, pub hours: f64, pub annual_billing: bool, pub multiplier: f64 }
#[derive(Clone, Debug, Serialize, Default)]
pub struct Bill { pub lines: Vec<CostLine>, pub total: f64, pub warnings: Vec<String> }
#[derive(Clone, Debug, Serialize)]
pub struct CostLine { pub item: String, pub usage: f64, pub unit: String, pub included: f64, pub billable: f64, pub rate: f64, pub per: f64, pub amount: f64, pub arithmetic: String }
impl Catalog {
    pub fn load_dir(_dir: &Path) -> Result<Catalog, crate::error::InputErrors> { Ok(Catalog::default()) }
    pub fn plan(&self, provider: &str, plan: &str) -> Result<&Plan, (String, Vec<String>)> {
        let p = self.providers.get(provider).ok_or_else(|| (format!("unknown provider `{provider}`"), self.providers.keys().cloned().collect()))?;
        p.plans.get(plan).ok_or_else(|| (format!("unknown plan `{plan}`"), p.plans.keys().cloned().collect()))
    }
}
pub fn bill(plan: &Plan, _usage: &Usage, opts: &BillOptions) -> Bill {
    Bill { lines: vec![], total: plan.fee * opts.count, warnings: vec![] }
}
pub const USAGE_METRICS: &[(&str, &str)] = &[("seats",""),("instances",""),("instance_hours",""),("vcpu_hours",""),("ram_gb_hours",""),("vcpu_provisioned_hours",""),("ram_provisioned_gb_hours",""),("storage_gb_months",""),("storage_gb_peak",""),("egress_gb",""),("requests",""),("events",""),("errors",""),("input_tokens",""),("cached_input_tokens",""),("output_tokens",""),("commands",""),("vectors",""),("zones",""),("mau",""),("replica_hours",""),("class_a_ops",""),("class_b_ops","")];
