//! One replication of a scenario over its horizon: report periods, busy-window (or full)
//! request-level simulation, storage and usage accrual, scaling triggers, and the bill.
//!
//! Approximation (stated in every report): in `peak_window` mode only the busiest window of
//! each report period is simulated request by request, starting from an empty system warmed up
//! at the window's own rate. Volumes (requests per day, storage, billed usage) are accrued over
//! the whole horizon from the same rate function the simulation samples, at their expected
//! values. In `full` mode every request is simulated and the system carries over between periods.

pub mod fault;
pub mod replicas;
pub mod series;
pub mod storage;
pub mod triggers;

pub use series::StationObs;
pub use triggers::MIN_PERCENTILE_SAMPLES;

use crate::billing::ledger::Ledger;
use crate::billing::usage::Volumes;
use crate::billing::{stage_run_rate, PeriodUsage};
use crate::engine::{self, Engine};
use crate::infra::Infra;
use crate::overload::{self, Loads};
use crate::pricing::Catalog;
use crate::results::{s, MonthBill};
use crate::scenario::{Action, Scenario, Stage, Traffic};
use crate::time::{self, integrate, period_bounds, DAY};
use crate::window::{self, PeriodStatus};
use serde::Serialize;
use storage::{Accrual, Activity};
use triggers::{Observed, TriggerState};

/// A trigger firing in one replication.
#[derive(Debug, Clone, Serialize)]
pub struct Firing {
    pub trigger: usize,
    pub period: usize,
    pub time: f64,
    pub value: f64,
    pub effect: String,
    pub cost_before: f64,
    pub cost_after: f64,
}

/// What one replication reports for one period.
#[derive(Debug, Clone)]
pub struct PeriodOut {
    pub series: [f64; s::N],
    /// Per component (index into [`Plan::components`]): monthly run-rate in dollars.
    pub component_costs: Vec<f64>,
    /// The stage the period ran on.
    pub stage: String,
    /// Whether it was simulated, and each station's load (see [`crate::overload`]).
    pub status: PeriodStatus,
    pub loads: Option<Loads>,
}

/// What one replication reports over the whole horizon (its periods are reported one by one,
/// as [`PeriodOut`], so that nothing here grows with the number of periods but the months).
#[derive(Debug, Clone)]
pub struct Replication {
    pub firings: Vec<Firing>,
    /// Per trigger: periods in which its condition held.
    pub held: Vec<u32>,
    /// Per trigger: the largest value it saw (NaN if it never had data).
    pub peak: Vec<f64>,
    pub months: Vec<MonthBill>,
    pub unstable: Vec<(usize, engine::Unstable)>,
    pub stations: Vec<StationObs>,
    pub notes: Vec<String>,
    /// Scheduled jobs' runs (`crate::sched`).
    pub jobs: Vec<crate::sched::JobObs>,
    /// Batch requests' drains (`crate::batch`).
    pub batches: Vec<crate::batch::BatchObs>,
    /// Each fault's window (`fault.rs`), in the order of the scenario's faults' periods.
    pub faults: Vec<FaultRun>,
}

/// A fault's window in one replication: which fault, the period and stage it ran in.
#[derive(Debug, Clone)]
pub struct FaultRun {
    pub fault: usize,
    pub period: usize,
    pub stage: String,
    pub outcome: crate::results::faults::FaultOutcome,
}

/// Fixed facts about a run, the same in every replication.
#[derive(Debug, Clone)]
pub struct Plan {
    pub periods: usize,
    pub components: Vec<String>,
    /// The period whose busy window is compared with queueing theory.
    pub theory_period: usize,
}

impl Plan {
    pub fn new(sc: &Scenario) -> Plan {
        let periods = time::period_count(sc);
        let mut components: Vec<String> = Vec::new();
        let mut order: Vec<&Stage> = vec![&sc.stages[&sc.start_stage]];
        order.extend(sc.stages.values().filter(|s| s.name != sc.start_stage));
        for st in order {
            for c in crate::scenario::component_names(st) {
                if !components.contains(&c) {
                    components.push(c);
                }
            }
        }
        let mut best = 0;
        let mut best_rate = -1.0;
        for p in 0..periods {
            let (t0, _) = time::window_of(sc, p);
            let r = sc.traffic.request_rate_at(t0 + 1.0);
            if r >= best_rate {
                best_rate = r;
                best = p;
            }
        }
        Plan {
            periods,
            components,
            theory_period: best,
        }
    }
}

/// Runs replication `rep` of the scenario with its own seed: its periods, and what it reports over the horizon.
pub fn replicate(sc: &Scenario, catalog: &Catalog, plan: &Plan, rep: u32) -> (Vec<PeriodOut>, Replication) {
    let mut run = Run::new(sc, catalog, plan, sc.seed, rep);
    let periods = (0..plan.periods).map(|p| run.period(p)).collect();
    (periods, run.finish())
}

/// One replication on its way through the periods: [`Run::period`] for each period in order,
/// then [`Run::finish`].
pub struct Run<'s> {
    sc: &'s Scenario,
    catalog: &'s Catalog,
    plan: &'s Plan,
    stage: Stage,
    infra: Infra,
    seed: u64,
    db: Accrual,
    objects: Accrual,
    /// Database size at the end of the previous period.
    db_size_prev: f64,
    ledger: Ledger<'s>,
    /// `full` mode: the system carried over between periods.
    engine: Option<Engine<'s>>,
    /// The batches' peak probe, restarted for each (`crate::batch::probe`).
    probe: Option<Engine<'s>>,
    /// Scheduled runs holding connections, still active (`crate::sched::Span`).
    spans: Vec<crate::sched::Span>,
    triggers: TriggerState,
    jobs_per_request: f64,
    lookups_per_request: f64,
    /// Whether the months' bills keep their lines ([`Run::totals_only`]).
    bill_lines: bool,
    out: Replication,
}

/// A period's expected volumes, and the stores' sizes at its end.
struct Accrued {
    vols: Volumes,
    cache_lookups: f64,
    object_store_size: f64,
}

impl<'s> Run<'s> {
    /// Replication `rep` of a run seeded with `seed`.
    pub fn new(sc: &'s Scenario, catalog: &'s Catalog, plan: &'s Plan, seed: u64, rep: u32) -> Run<'s> {
        let stage = sc.stages[&sc.start_stage].clone();
        // Validation resolved the starting stage; should it not fit after all, the notes say how.
        let (infra, notes) = Infra::resolve_lenient(&stage, catalog);
        let shares: Vec<f64> = sc.requests.iter().map(|r| r.share).collect();
        let db = Accrual::new(&sc.storage.database, sc.traffic.users_at(0.0), sc.resolution, &shares);
        // The object store starts with its initial bytes only.
        let objects = Accrual::new(&sc.storage.object_store, 0.0, sc.resolution, &shares);
        Run {
            sc,
            catalog,
            plan,
            stage,
            infra,
            seed: crate::seed::replication(seed, rep),
            db_size_prev: db.initial(),
            db,
            objects,
            ledger: Ledger::new(sc, &plan.components, catalog),
            engine: None,
            probe: None,
            spans: Vec::new(),
            triggers: TriggerState::new(sc.triggers.len()),
            jobs_per_request: sc.per_request(|r| r.jobs),
            lookups_per_request: sc.per_request(|r| r.cache_lookups),
            bill_lines: true,
            out: Replication {
                firings: Vec::new(),
                held: Vec::new(),
                peak: Vec::new(),
                months: Vec::new(),
                unstable: Vec::new(),
                stations: Vec::new(),
                notes,
                jobs: Vec::new(),
                batches: Vec::new(),
                faults: Vec::new(),
            },
        }
    }

    /// Expected volumes over period [a, b) and the storage they leave.
    fn accrue(&mut self, a: f64, b: f64) -> Accrued {
        let sc = self.sc;
        let requests = integrate(a, b, |t| sc.traffic.request_rate_at(t));
        let sessions = match sc.traffic {
            Traffic::Sessions { .. } => integrate(a, b, |t| sc.traffic.arrival_rate_at(t)),
            Traffic::Open { .. } => requests,
        };
        let jobs = if self.stage.queue.is_some() {
            requests * self.jobs_per_request
        } else {
            0.0
        };
        let users_end = sc.traffic.users_at(b);
        let activity = Activity {
            requests,
            new_users: (users_end - sc.traffic.users_at(a)).max(0.0),
            user_days: integrate(a, b, |t| sc.traffic.users_at(t)) / DAY,
            jobs,
        };
        let db_size = self.db.period(&activity);
        let object_store_size = self.objects.period(&activity);
        let vols = Volumes {
            hours: (b - a) / time::HOUR,
            requests,
            sessions,
            jobs,
            users: users_end,
            db_bytes_avg: (self.db_size_prev + db_size) / 2.0,
            db_bytes_end: db_size,
            replicas: [None; 2],
        };
        Accrued {
            vols,
            cache_lookups: requests * self.lookups_per_request,
            object_store_size,
        }
    }

    fn run_rate(&self, vols: &Volumes, cache_lookups: f64) -> (Vec<f64>, PeriodUsage) {
        stage_run_rate(
            self.sc,
            &self.stage,
            &self.plan.components,
            vols,
            cache_lookups,
            self.catalog,
        )
    }

    /// Period `p` (called for each period in order): accrual, the busy window, the bill, the
    /// series, then the triggers.
    pub fn period(&mut self, p: usize) -> PeriodOut {
        let (sc, plan) = (self.sc, self.plan);
        let (a, b) = period_bounds(sc, p);
        let mut acc_vols = self.accrue(a, b);
        // Read-only database once past a hard size limit.
        let read_only = self
            .infra
            .db
            .as_ref()
            .is_some_and(|d| d.read_only_over_limit && d.size_limit.is_some_and(|l| self.db_size_prev > l));
        // The period's scheduled runs before its busy window, which their connections load.
        let from = window::first_simulated(sc, p, a);
        self.spans.retain(|s| s.end > from);
        let longest_scheduled_run =
            crate::sched::period(&self.stage, a, b, self.seed, &mut self.out.jobs, &mut self.spans);
        let period = window::Period {
            index: p,
            start: a,
            end: b,
            stage: &self.stage,
            infra: &self.infra,
            read_only,
            seed: self.seed,
            spans: &self.spans,
        };
        let window::Simulated {
            mut acc,
            status,
            measured,
            backlog_start,
            backlog_end,
            held,
        } = window::simulate(sc, &period, &mut self.engine);
        let batch_drain_peak = crate::batch::period(sc, &period, &mut self.probe, &mut self.out.batches);
        acc.measured = measured;
        crate::sched::observe_window(&mut self.out.jobs, &held, measured, &acc.stations[engine::DB].wait);
        self.simulate_faults(a, b, p);
        acc_vols.vols.replicas = replicas::period_replicas(sc, &self.stage, &acc, status, p, (a, b));
        let vols = &acc_vols.vols;
        if let Some(u) = acc.unstable.clone() {
            self.out.unstable.push((p, u));
        }
        let simulated = status == PeriodStatus::Simulated;
        let loads = simulated.then(|| {
            let w = overload::Window {
                acc: &acc,
                measured,
                backlog_start,
                backlog_end,
                period_request_rate: vols.requests / (b - a),
            };
            overload::observe(&w, &self.stage, &self.infra)
        });
        self.db_size_prev = vols.db_bytes_end;
        let (costs, usage) = self.run_rate(vols, acc_vols.cache_lookups);
        let facts = series::Facts {
            length: b - a,
            users: vols.users,
            requests: vols.requests,
            db_size: vols.db_bytes_end,
            object_store_size: acc_vols.object_store_size,
            cost: costs.iter().sum(),
            simulated,
            api_replicas: vols.replicas[0],
        };
        let row = series::row(&facts, &acc, measured, &self.stage, &self.infra);
        if p == plan.theory_period {
            self.out.stations = series::theory_stations(&acc, measured, &self.stage, &self.infra);
            if let Some(n) = series::held_note(&acc, p) {
                self.out.notes.push(n);
            }
        }
        let bills = self.ledger.period(p, usage);
        self.keep_months(bills);
        let stage = self.stage.name.clone();
        let observed = Observed {
            row: &row,
            components: &plan.components,
            costs: &costs,
            acc: &acc,
            longest_scheduled_run,
            batch_drain_peak,
        };
        if self.fire_triggers(p, b, &observed, &acc_vols) {
            self.reconfigure();
        }
        PeriodOut {
            series: row,
            component_costs: costs,
            stage,
            status,
            loads,
        }
    }

    /// The windows of the faults starting in period `p`, [a, b), on the period's stage.
    fn simulate_faults(&mut self, a: f64, b: f64, p: usize) {
        for (fi, f) in self.sc.faults.faults.iter().enumerate() {
            if f.start >= a && f.start < b {
                let outcome = fault::simulate(self.sc, fi, &self.stage, &self.infra, self.seed);
                let stage = self.stage.name.clone();
                self.out.faults.push(FaultRun {
                    fault: fi,
                    period: p,
                    stage,
                    outcome,
                });
            }
        }
    }

    /// Evaluates the triggers at the end `b` of period `p`; their actions apply from the next
    /// period. Returns whether any changed the stage.
    fn fire_triggers(&mut self, p: usize, b: f64, o: &Observed, acc_vols: &Accrued) -> bool {
        let sc = self.sc;
        let mut changed = false;
        // Each firing's "before → after" is its own effect: the next firing in the same period
        // starts from the cost the previous one left.
        let mut cost_now = o.row[s::COST];
        for (ti, t) in sc.triggers.iter().enumerate() {
            let value = triggers::value(t, o, &self.stage);
            if !self.triggers.observe(ti, t, value, b) {
                continue;
            }
            let Some(effect) = self.triggers.act(ti, t, sc, &mut self.stage, b) else {
                continue;
            };
            let cost_after: f64 = self.run_rate(&acc_vols.vols, acc_vols.cache_lookups).0.iter().sum();
            self.out.firings.push(Firing {
                trigger: ti,
                period: p,
                time: b,
                value,
                effect,
                cost_before: cost_now,
                cost_after,
            });
            cost_now = cost_after;
            changed |= !matches!(t.action, Action::Flag);
        }
        changed
    }

    /// Resolves the stage the triggers left; the carried-over system follows it.
    fn reconfigure(&mut self) {
        let (new_infra, notes) = Infra::resolve_lenient(&self.stage, self.catalog);
        for n in notes {
            if !self.out.notes.contains(&n) {
                self.out.notes.push(n);
            }
        }
        window::reconfigure(self.sc, &mut self.engine, &self.stage, &new_infra);
        self.infra = new_infra;
    }

    /// Keeps of each month's bill only its totals and each member's share, not its lines:
    /// what the aggregate of many replications needs, in memory that does not grow with the
    /// lines of every month of every replication. The replication shown line by line is run
    /// again with its lines (the run is deterministic, so the two agree to the bit).
    pub fn totals_only(mut self) -> Self {
        self.bill_lines = false;
        self
    }

    fn keep_months(&mut self, bills: Vec<MonthBill>) {
        keep_months(&mut self.out.months, bills, self.bill_lines);
    }

    pub fn finish(mut self) -> Replication {
        keep_months(&mut self.out.months, self.ledger.finish(), self.bill_lines);
        self.out.held = self.triggers.held;
        self.out.peak = self.triggers.peak;
        self.out
    }
}

/// Adds `bills` to `months`, without their lines unless `lines`.
fn keep_months(months: &mut Vec<MonthBill>, bills: Vec<MonthBill>, lines: bool) {
    for mut m in bills {
        if !lines {
            for c in &mut m.components {
                c.bill.lines = Vec::new();
            }
        }
        months.push(m);
    }
}
