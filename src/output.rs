//! Turning a [`RunResult`] into the files of a report directory, and writing them safely.
//!
//! Renderers return text and never touch the filesystem; `crate::outdir` writes the files
//! (atomically, and only over a directory capsim wrote).

pub use crate::csvout::{costs_csv, timeseries_csv, triggers_csv};
use crate::metrics::Summary;
use crate::run::{RunResult, Verdict};
use crate::scenario::MetricKind;
use crate::simulate::{Unit, SERIES};
use crate::units::{fmt_bytes, fmt_count, fmt_money, fmt_seconds};
use std::fmt::Write as _;
use std::path::Path;

/// A time in the horizon as people say it: `day 23.0`, or `hour 5.2` for short horizons.
pub fn fmt_when(r: &RunResult, seconds: f64) -> String {
    if !seconds.is_finite() {
        return "–".into();
    }
    if r.scenario.horizon_days < 2.0 {
        format!("hour {:.1}", seconds / 3600.0)
    } else {
        format!("day {:.0}", seconds / 86400.0)
    }
}

fn fmt_span(r: &RunResult, s: &Summary) -> String {
    if s.n == 0 {
        return "–".into();
    }
    let unit = |x: f64| {
        if r.scenario.horizon_days < 2.0 {
            format!("{:.1}", x / 3600.0)
        } else {
            format!("{:.0}", x / 86400.0)
        }
    };
    format!("{} (P10–P90 {}–{})", fmt_when(r, s.p50), unit(s.p10), unit(s.p90))
}

fn trigger_kind(metric: &str) -> MetricKind {
    crate::scenario::Metric::ALL
        .iter()
        .find(|m| m.0 == metric)
        .map(|m| m.2)
        .unwrap_or(MetricKind::Count)
}

/// The plain-words summary printed by `capsim run` and opening `summary.md`.
pub fn summary_text(r: &RunResult, report_dir: Option<&Path>) -> String {
    let mut o = String::new();
    let sc = &r.scenario;
    let _ = writeln!(
        o,
        "{} — {} days, {}, seed {}, starting in stage `{}`",
        sc.name,
        trim(sc.horizon_days),
        replications(sc.replications),
        sc.seed,
        sc.start_stage
    );
    let _ = writeln!(o, "Prices: {}.", sc.pricing);
    let first = &r.periods[0];
    let last = &r.periods[r.periods.len() - 1];
    let _ = writeln!(
        o,
        "Traffic: {} → {} users, {} → {} requests/day; busiest window {} at the end.",
        fmt_count(first.series[0].mean),
        fmt_count(last.series[0].mean),
        fmt_count(first.series[1].mean),
        fmt_count(last.series[1].mean),
        match last.series[2].mean {
            v if v.is_finite() => format!("{v:.2} req/s"),
            _ => not_simulated(last).to_string(),
        }
    );
    if let Some(u) = &r.instability {
        let _ = writeln!(
            o,
            "UNSTABLE in {}/{} replications from {}: {}",
            u.replications,
            sc.replications,
            fmt_when(r, u.first_time_seconds),
            u.message
        );
        let lost = r.periods.iter().filter(|p| p.stopped > 0).count();
        if lost > 0 {
            let _ = writeln!(
                o,
                "  {lost} of {} periods not simulated in some replications after the stop (no figures, not zeros).",
                r.periods.len()
            );
        }
    }
    if !r.overload.is_empty() {
        let _ = writeln!(o, "OVERLOAD: arrivals beyond capacity ({}):", overload_count(r));
        for w in &r.overload {
            let _ = writeln!(o, "  {}", w.message);
        }
    }
    if !r.triggers.is_empty() {
        let _ = writeln!(o, "Scaling triggers:");
    }
    for t in &r.triggers {
        let kind = trigger_kind(&t.metric);
        if t.fired_in > 0 {
            let _ = writeln!(
                o,
                "  FIRES  {} [{}]: {} in {}/{} runs; value {}; {}; cost {} → {} a month",
                t.name,
                t.condition,
                fmt_span(r, &t.first_fire),
                t.fired_in,
                t.replications,
                crate::run::fmt_metric(kind, t.value_at_fire.p50),
                t.effect.clone().unwrap_or_default(),
                fmt_money(t.cost_before.p50),
                fmt_money(t.cost_after.p50)
            );
        } else {
            let _ = writeln!(
                o,
                "  never  {} [{}]: most extreme value {}",
                t.name,
                t.condition,
                t.peak_value
                    .map(|v| crate::run::fmt_metric(kind, v))
                    .unwrap_or_else(|| no_data(&t.metric))
            );
        }
    }
    let _ = writeln!(
        o,
        "Monthly cost (whole months, {}):",
        if sc.replications < 2 {
            "one replication"
        } else {
            "mean across replications"
        }
    );
    for m in &r.months {
        let _ = writeln!(
            o,
            "  month {}: {}{}{}",
            m.month,
            fmt_money(m.total.mean),
            // One replication has no interval: print none rather than a zero-width one.
            if m.total.ci95.is_finite() {
                format!(" (95% CI ± {})", fmt_money(m.total.ci95))
            } else {
                String::new()
            },
            if m.covered < 0.999 {
                format!(
                    "; {:.0}% of the month simulated, the rest billed at the rate of its end",
                    m.covered * 100.0
                )
            } else {
                String::new()
            }
        );
    }
    for (label, checks) in [("Budget", &r.budget), ("SLO", &r.slo)] {
        if checks.is_empty() {
            continue;
        }
        let bad: Vec<_> = checks.iter().filter(|c| !c.ok && c.evaluated).collect();
        let unknown: Vec<_> = checks.iter().filter(|c| !c.evaluated).collect();
        if bad.is_empty() && unknown.is_empty() {
            let _ = writeln!(o, "{label}: holds ({} checks).", checks.len());
        }
        if !bad.is_empty() {
            let _ = writeln!(o, "{label}: BREACHED in {} of {} checks:", bad.len(), checks.len());
            for c in bad {
                let _ = writeln!(o, "  {}: {} > {}", c.what, c.value, c.limit);
            }
        }
        if !unknown.is_empty() {
            let n = checks.len();
            let _ = writeln!(o, "{label}: NOT EVALUATED in {} of {n} checks:", unknown.len());
            for c in unknown {
                let _ = writeln!(o, "  {} (limit {}): {}", c.what, c.limit, c.value);
            }
        }
    }
    if !r.plan_comparisons.is_empty() {
        let dis: Vec<_> = r.plan_comparisons.iter().filter(|c| !c.agrees).collect();
        let _ = writeln!(
            o,
            "Against the plan: {} of {} figures agree within 10%.",
            r.plan_comparisons.len() - dis.len(),
            r.plan_comparisons.len()
        );
        for c in dis {
            let _ = writeln!(
                o,
                "  {}: plan {}, capsim {} ({})",
                c.what, c.plan, c.capsim, c.difference
            );
        }
    }
    let off: Vec<_> = r.stations.iter().filter(|s| s.agrees == Some(false)).collect();
    if !off.is_empty() {
        let names: Vec<&str> = off.iter().map(|s| s.station.as_str()).collect();
        let _ = writeln!(o, "Queueing theory: the simulated wait or blocking differs from the estimate beyond the 95% CI at: {} (see the stations table).", names.join(", "));
    }
    if let Some(d) = report_dir {
        let _ = writeln!(o, "Report: {}", d.display());
    }
    o
}

/// What a period with no simulated figure is: after an unstable stop, or in `full` mode's warm-up.
pub fn not_simulated(p: &crate::run::PeriodSummary) -> &'static str {
    if p.stopped > 0 {
        "not simulated"
    } else {
        "warm-up, not measured"
    }
}

/// `2 warnings at the job queue and API workers`.
fn overload_count(r: &RunResult) -> String {
    let mut names: Vec<&str> = Vec::new();
    for w in &r.overload {
        let name = crate::overload::STATIONS
            .iter()
            .find(|s| s.0 == w.station)
            .map_or(w.station.as_str(), |s| s.1);
        if !names.contains(&name) {
            names.push(name);
        }
    }
    format!(
        "{} at the {}",
        if r.overload.len() == 1 {
            "1 warning".to_string()
        } else {
            format!("{} warnings", r.overload.len())
        },
        names.join(", ")
    )
}

/// Why a trigger never had a value to compare.
fn no_data(metric: &str) -> String {
    let pct = crate::scenario::Metric::ALL
        .iter()
        .any(|m| m.0 == metric && m.1.takes_percentile());
    if pct {
        format!(
            "not evaluated (fewer than {} observations in every busy window)",
            crate::simulate::MIN_PERCENTILE_SAMPLES
        )
    } else {
        "no data (the plan states no capacity for it, or the component is absent)".into()
    }
}

/// `1 replication`, `8 replications`.
fn replications(n: u32) -> String {
    if n == 1 {
        "1 replication".into()
    } else {
        format!("{n} replications")
    }
}

fn trim(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 {
        format!("{x:.0}")
    } else {
        format!("{x:.2}")
    }
}

fn fmt_unit(u: Unit, v: f64) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    match u {
        Unit::Count => fmt_count(v),
        Unit::PerSecond => format!("{v:.3}/s"),
        Unit::Seconds => fmt_seconds(v),
        Unit::Fraction => format!("{:.1}%", v * 100.0),
        Unit::Bytes => fmt_bytes(v),
        Unit::Dollars => fmt_money(v),
    }
}

fn fmt_summary(u: Unit, s: &Summary) -> String {
    if s.n == 0 {
        return "–".into();
    }
    if s.ci95.is_finite() && s.ci95 > 1e-3 * s.mean.abs() {
        format!("{} ± {}", fmt_unit(u, s.mean), fmt_unit(u, s.ci95))
    } else {
        fmt_unit(u, s.mean)
    }
}

use crate::textsafe::{md_code, md_fence, md_text as md_escape};

/// `summary.md`: the plain-words summary, then every table.
pub fn markdown(r: &RunResult, charts: &[&str]) -> String {
    let mut o = String::new();
    let sc = &r.scenario;
    let _ = writeln!(o, "# {}\n", md_escape(&sc.name));
    if let Some(d) = &sc.description {
        let _ = writeln!(o, "{}\n", md_escape(d.trim()));
    }
    let _ = writeln!(
        o,
        "Scenario {}{} · seed {} · {} · horizon {} days · stage {} at the start.\n",
        md_code(&sc.file, false),
        sc.source
            .as_ref()
            .map(|s| format!(" (from {})", md_escape(s)))
            .unwrap_or_default(),
        sc.seed,
        replications(sc.replications),
        trim(sc.horizon_days),
        md_code(&sc.start_stage, false)
    );
    let _ = writeln!(o, "**How this was simulated.** {}\n", md_escape(&sc.approximation));
    overload_markdown(&mut o, r);
    let _ = writeln!(o, "## Summary\n\n{}", md_fence("text", &summary_text(r, None)));
    if let Some(u) = &r.instability {
        let _ = writeln!(
            o,
            "> **Unstable.** In {}/{} replications arrivals exceeded capacity, first at {}: {}\n",
            u.replications,
            sc.replications,
            fmt_when(r, u.first_time_seconds),
            md_escape(&u.message)
        );
    }

    let _ = writeln!(o, "## Scaling triggers\n");
    if r.triggers.is_empty() {
        let _ = writeln!(o, "No triggers defined.\n");
    } else {
        let _ = writeln!(o, "| trigger | condition | plan says | fired in | first fires (median, P10–P90) | value then | what it did | cost/month before → after | highest value seen |");
        let _ = writeln!(o, "|---|---|---|---|---|---|---|---|---|");
        for t in &r.triggers {
            let kind = trigger_kind(&t.metric);
            let _ = writeln!(
                o,
                "| {} | {} | {} | {}/{} | {} | {} | {} | {} | {} |",
                md_escape(&t.name),
                md_code(&t.condition, true),
                md_escape(t.plan_says.as_deref().unwrap_or("–")),
                t.fired_in,
                t.replications,
                if t.fired_in > 0 {
                    fmt_span(r, &t.first_fire)
                } else {
                    "never".into()
                },
                if t.fired_in > 0 {
                    crate::run::fmt_metric(kind, t.value_at_fire.p50)
                } else {
                    "–".into()
                },
                md_escape(t.effect.as_deref().unwrap_or(&t.action)),
                if t.fired_in > 0 {
                    format!("{} → {}", fmt_money(t.cost_before.p50), fmt_money(t.cost_after.p50))
                } else {
                    "–".into()
                },
                t.peak_value
                    .map(|v| crate::run::fmt_metric(kind, v))
                    .unwrap_or_else(|| no_data(&t.metric))
            );
        }
        let _ = writeln!(o);
    }

    let _ = writeln!(o, "## Monthly cost by component\n");
    let _ = write!(o, "| component |");
    for m in &r.months {
        let _ = write!(
            o,
            " month {}{} |",
            m.month,
            if m.covered < 0.999 {
                format!(" ({:.0}%)", m.covered * 100.0)
            } else {
                String::new()
            }
        );
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "|---|{}", "---:|".repeat(r.months.len()));
    for (ci, c) in r.components.iter().enumerate() {
        if !r.components_used[ci] {
            continue;
        }
        let _ = write!(o, "| {} |", md_escape(c));
        for m in &r.months {
            let _ = write!(o, " {} |", fmt_money(m.components[ci].1.mean));
        }
        let _ = writeln!(o);
    }
    let _ = write!(o, "| **total (whole month)** |");
    for m in &r.months {
        let _ = write!(o, " **{}** |", fmt_money(m.total.mean));
    }
    let _ = writeln!(o);
    let _ = writeln!(o);
    if r.months.iter().any(|m| m.covered < 0.999) {
        let _ = writeln!(
            o,
            "A month the horizon ends inside (its simulated share in brackets) is billed as a whole month: \
             the configuration running at the end runs on to the month's end at the rate of its last simulated part."
        );
    }
    let _ = writeln!(o, "\n");

    if let Some(m) = r.months.first() {
        let _ = writeln!(o, "## Month 1 bill, line by line\n\nThe median replication's bill. A configuration that ran for part of the month is prorated (its lines say by how much); an account's credit and usage commitment apply once a month, on the configuration it ends the month on.\n");
        let _ = writeln!(
            o,
            "| component | provider / plan | share of month | item | arithmetic | amount |"
        );
        let _ = writeln!(o, "|---|---|---:|---|---|---:|");
        for cb in &m.example.components {
            for l in &cb.bill.lines {
                let _ = writeln!(
                    o,
                    "| {} | {}/{} | {:.0}% | {} | {} | {} |",
                    md_escape(&cb.component),
                    md_escape(&cb.provider),
                    md_escape(&cb.plan),
                    cb.fraction * 100.0,
                    md_escape(&l.item),
                    md_escape(&l.arithmetic),
                    fmt_money(l.amount)
                );
            }
            for w in &cb.bill.warnings {
                let _ = writeln!(
                    o,
                    "| {} | {}/{} | | **warning** | {} | |",
                    md_escape(&cb.component),
                    md_escape(&cb.provider),
                    md_escape(&cb.plan),
                    md_escape(w)
                );
            }
        }
        let _ = writeln!(o);
    }

    if !r.plan_comparisons.is_empty() {
        let _ = writeln!(o, "## The plan's figures next to capsim's\n");
        let _ = writeln!(o, "| figure | plan says | capsim | difference | why |");
        let _ = writeln!(o, "|---|---|---|---|---|");
        for c in &r.plan_comparisons {
            let mark = if c.agrees { "" } else { " ⚠" };
            let _ = writeln!(
                o,
                "| {} | {} | {} | {}{} | {} |",
                md_escape(&c.what),
                md_escape(&c.plan),
                md_escape(&c.capsim),
                md_escape(&c.difference),
                mark,
                md_escape(&c.why)
            );
        }
        let _ = writeln!(o);
    }
    if !r.plan_notes.is_empty() {
        let _ = writeln!(
            o,
            "### Reading the plan
"
        );
        for n in &r.plan_notes {
            let _ = writeln!(o, "- {}", md_escape(n));
        }
        let _ = writeln!(o);
    }

    for (title, checks) in [("Budget", &r.budget), ("Service-level objectives", &r.slo)] {
        if checks.is_empty() {
            continue;
        }
        let _ = writeln!(o, "## {title}\n\n| check | limit | value | result |\n|---|---|---|---|");
        for c in checks {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} |",
                md_escape(&c.what),
                md_escape(&c.limit),
                md_escape(&c.value),
                match c.verdict() {
                    "ok" => "ok".to_string(),
                    v => format!("**{v}**"),
                }
            );
        }
        let _ = writeln!(o);
    }

    stations_markdown(&mut o, r);

    let _ = writeln!(o, "## Over time\n");
    let key = [
        "users",
        "requests_per_day",
        "busy_rps",
        "latency_p95",
        "error_rate",
        "api_cpu",
        "db_connections_max",
        "db_size",
        "monthly_cost",
    ];
    let n = r.periods.len();
    let picks: Vec<usize> = if n <= 12 {
        (0..n).collect()
    } else {
        (0..12).map(|i| i * (n - 1) / 11).collect()
    };
    let _ = write!(o, "| period | stage |");
    for k in key {
        let _ = write!(o, " {k} |");
    }
    let _ = writeln!(o, "\n|---|---|{}", "---:|".repeat(key.len()));
    for p in picks {
        let per = &r.periods[p];
        let _ = write!(o, "| {} | {} |", fmt_when(r, per.end_seconds), md_escape(&per.stage));
        for k in key {
            let i = crate::simulate::series_index(k);
            let cell = if per.simulated == 0 && crate::simulate::simulated_series(i) {
                not_simulated(per).to_string()
            } else {
                fmt_summary(SERIES[i].1, &per.series[i])
            };
            let _ = write!(o, " {cell} |");
        }
        let _ = writeln!(o);
    }
    let partly = r
        .periods
        .iter()
        .filter(|p| p.simulated > 0 && p.simulated < sc.replications as usize)
        .count();
    if partly > 0 {
        let _ = writeln!(
            o,
            "\n{partly} periods were simulated in only some replications (the others had stopped as unstable); \
             their figures are means over those that were."
        );
    }
    let _ = writeln!(o, "\nEvery period and series is in `timeseries.csv`.\n");

    if !charts.is_empty() {
        let _ = writeln!(o, "## Charts\n");
        for c in charts {
            let _ = writeln!(o, "![{c}]({c})\n");
        }
    }
    if !r.notes.is_empty() {
        let _ = writeln!(o, "## Notes\n");
        for n in &r.notes {
            let _ = writeln!(o, "- {}", md_escape(n));
        }
    }
    o
}

/// The overload warnings, near the top of `summary.md`.
fn overload_markdown(o: &mut String, r: &RunResult) {
    if r.overload.is_empty() {
        return;
    }
    let _ = writeln!(
        o,
        "## ⚠ Overload: arrivals beyond capacity\n\n{}\n",
        md_escape(crate::overload::EXPLAINED)
    );
    for w in &r.overload {
        let _ = writeln!(o, "- {}", md_escape(&w.message));
    }
    let _ = writeln!(o);
}

/// What the stations table says about how waits, blocking and agreement are measured.
pub fn stations_preamble(r: &RunResult) -> String {
    let test = if r.stations.iter().any(|s| s.sim_wait.n >= 2) {
        "\"Agrees\" means theory's wait, and its blocking where the waiting room is finite, lie inside \
         the simulation's 95% confidence interval (or within 0.1 ms and 0.01 points of its mean)."
    } else {
        "1 replication: no interval, no agreement test."
    };
    format!(
        "Busiest period of the horizon. Theory uses the simulated arrival rate (every arrival) and \
         service-time moments. Waits and P(wait) are per admitted request: arrivals turned away \
         because every server was busy and the waiting room full are left out (with no limit on \
         waiting, every arrival is admitted); \"blocked\" is the share of all arrivals turned away. {test}"
    )
}

/// A station's waiting room: `unlimited`, `none` or the number of places.
pub fn fmt_waiting_room(room: Option<u32>) -> String {
    match room {
        None => "unlimited".into(),
        Some(0) => "none".into(),
        Some(m) => m.to_string(),
    }
}

/// A probability across replications, `0.0123 ± 0.0004` (no interval from one replication).
pub fn fmt_prob(s: &Summary) -> String {
    if s.n == 0 {
        "–".into()
    } else if s.ci95.is_finite() {
        format!("{:.4} ± {:.4}", s.mean, s.ci95)
    } else {
        format!("{:.4}", s.mean)
    }
}

/// Stations whose requests gave up waiting, which none of the models allows.
pub fn timeout_notes(r: &RunResult) -> Vec<String> {
    r.stations
        .iter()
        .filter(|s| s.sim_p_timeout.mean > 0.0)
        .map(|s| {
            format!(
                "{}: {:.2}% of admitted requests gave up waiting (timeout). They count with the time \
                 they waited; no model here lets a request leave the queue, so the simulated wait \
                 is expected below theory's.",
                s.station,
                s.sim_p_timeout.mean * 100.0
            )
        })
        .collect()
}

fn stations_markdown(o: &mut String, r: &RunResult) {
    if r.stations.is_empty() {
        return;
    }
    let many = r.stations.iter().any(|s| s.sim_wait.n >= 2);
    let _ = writeln!(
        o,
        "## Stations: queueing theory next to the simulation\n\n{}\n",
        stations_preamble(r)
    );
    let _ = writeln!(
        o,
        "| station | servers | waiting room | arrivals/s | mean service | service SCV | utilization | model | theory Wq | simulated Wq{} | P(wait) theory / sim | blocked theory / sim | agrees |",
        if many { " (95% CI)" } else { "" }
    );
    let _ = writeln!(o, "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---|");
    for st in &r.stations {
        let blocked = if st.waiting_room.is_some() {
            format!(
                "{} / {}",
                st.theory_p_block.map_or_else(|| "–".into(), |p| format!("{p:.4}")),
                fmt_prob(&st.sim_p_block)
            )
        } else {
            "–".into()
        };
        let _ = writeln!(
            o,
            "| {} | {} | {} | {:.3} | {} | {:.2} | {:.1}% | {} | {} | {} | {} / {} | {} | {} |",
            st.station,
            st.servers,
            fmt_waiting_room(st.waiting_room),
            st.arrival_rate,
            fmt_seconds(st.mean_service),
            st.service_scv,
            st.utilization * 100.0,
            md_escape(&st.theory_model),
            st.theory_wait.map(fmt_seconds).unwrap_or_else(|| "–".into()),
            fmt_summary(Unit::Seconds, &st.sim_wait),
            st.theory_p_wait.map_or_else(|| "–".into(), |p| format!("{p:.3}")),
            if st.sim_p_wait.n > 0 {
                format!("{:.3}", st.sim_p_wait.mean)
            } else {
                "–".into()
            },
            blocked,
            match st.verdict() {
                Verdict::Disagrees => "**no**",
                v => v.label(),
            }
        );
    }
    let _ = writeln!(o);
    for n in timeout_notes(r) {
        let _ = writeln!(o, "- {}", md_escape(&n));
    }
    if !timeout_notes(r).is_empty() {
        let _ = writeln!(o);
    }
}

/// `summary.json`: the whole result. NaN (no data) becomes null.
pub fn json(r: &RunResult) -> Vec<u8> {
    let mut v = serde_json::to_value(r).expect("serialisable");
    positive_zeros(&mut v);
    let mut out = serde_json::to_vec_pretty(&v).expect("serialisable");
    out.push(b'\n');
    out
}

/// Replaces every `-0.0` in a JSON tree by `0` (a credit of nothing is not a negative amount).
fn positive_zeros(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Number(n) if n.as_f64() == Some(0.0) && n.to_string().starts_with('-') => {
            *v = serde_json::Value::from(0.0);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(positive_zeros),
        serde_json::Value::Object(o) => o.values_mut().for_each(positive_zeros),
        _ => {}
    }
}

/// All files of a report directory, in memory.
pub fn render_all(r: &RunResult) -> Vec<(String, Vec<u8>)> {
    let charts = crate::report::charts(r);
    let chart_files: Vec<&str> = charts.iter().map(|c| c.file).collect();
    let md = markdown(r, &chart_files);
    let summary = format!(
        "<pre class=\"summary\">{}</pre>",
        crate::report::html::escape(&summary_text(r, None))
    );
    let summary_html = crate::report::html::render(r, Some(&summary), &charts);
    let mut files = vec![
        ("summary.md".to_string(), md.into_bytes()),
        ("report.html".to_string(), summary_html.into_bytes()),
        ("costs.csv".to_string(), costs_csv(r)),
        ("timeseries.csv".to_string(), timeseries_csv(r)),
        ("triggers.csv".to_string(), triggers_csv(r)),
        ("summary.json".to_string(), json(r)),
    ];
    for c in charts {
        files.push((c.file.to_string(), c.svg.into_bytes()));
    }
    files
}
