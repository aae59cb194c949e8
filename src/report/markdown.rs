//! `summary.md`: the plain-words summary, then every table.

use super::fmt::*;
use super::text::summary_text;
use super::words::*;
use crate::results::{CheckVerdict, RunResult, Verdict, SERIES};
use crate::textsafe::{md_code, md_fence, md_text as md_escape};
use crate::units::Unit;
use std::fmt::Write as _;

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
    super::ranges::markdown(&mut o, r);
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

    triggers_markdown(&mut o, r);

    super::jobs::markdown(&mut o, r);
    super::jobwork::markdown(&mut o, r);

    monthly_markdown(&mut o, r);
    o.push_str(&super::alternatives::markdown(r));

    bill_markdown(&mut o, r);

    plan_markdown(&mut o, r);
    checks_markdown(&mut o, r);

    super::faults::markdown(&mut o, r);
    super::clientlimit::markdown(&mut o, r);

    stations_markdown(&mut o, r);

    over_time_markdown(&mut o, r);

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

/// The plan's figures next to capsim's, and the notes on reading the plan.
fn plan_markdown(o: &mut String, r: &RunResult) {
    if !r.checks.plan_comparisons.is_empty() {
        let _ = writeln!(o, "## The plan's figures next to capsim's\n");
        let _ = writeln!(o, "| figure | plan says | capsim | difference | why |");
        let _ = writeln!(o, "|---|---|---|---|---|");
        for c in &r.checks.plan_comparisons {
            let mark = if c.agrees { "" } else { " ⚠" };
            let _ = writeln!(
                o,
                "| {} | {} | {} | {}{} | {} |",
                md_escape(&c.what),
                md_escape(&fmt_plan_figure(c)),
                md_escape(&fmt_capsim_figure(c)),
                md_escape(&fmt_difference(c)),
                mark,
                md_escape(&c.why)
            );
        }
        let _ = writeln!(o);
    }
    if !r.plan_notes.is_empty() {
        let _ = writeln!(o, "### Reading the plan\n");
        for n in &r.plan_notes {
            let _ = writeln!(o, "- {}", md_escape(n));
        }
        let _ = writeln!(o);
    }
}

/// The budget and SLO checks, a table each.
fn checks_markdown(o: &mut String, r: &RunResult) {
    for (title, checks) in [
        ("Budget", &r.checks.budget),
        ("Service-level objectives", &r.checks.slo),
    ] {
        if checks.is_empty() {
            continue;
        }
        let _ = writeln!(o, "## {title}\n\n| check | limit | value | result |\n|---|---|---|---|");
        for c in checks {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} |",
                md_escape(&c.what),
                md_escape(&fmt_check_limit(c)),
                md_escape(&fmt_check_value(c)),
                match c.verdict {
                    CheckVerdict::Ok => "ok".to_string(),
                    v => format!("**{}**", v.label()),
                }
            );
        }
        let _ = writeln!(o);
    }
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

/// The scaling triggers table: when each fired, what it did and cost, the extreme value it saw.
fn triggers_markdown(o: &mut String, r: &RunResult) {
    let _ = writeln!(o, "## Scaling triggers\n");
    if r.triggers.is_empty() {
        let _ = writeln!(o, "No triggers defined.\n");
    } else {
        let _ = writeln!(o, "| trigger | condition | plan says | fired in | first fires (median, P10–P90) | value then | what it did | cost/month before → after | highest value seen |");
        let _ = writeln!(o, "|---|---|---|---|---|---|---|---|---|");
        for t in &r.triggers {
            let kind = t.condition.unit;
            let _ = writeln!(
                o,
                "| {} | {} | {} | {}/{} | {} | {} | {} | {} | {} |",
                md_escape(&t.name),
                md_code(&fmt_condition(&t.condition), true),
                md_escape(t.plan_says.as_deref().unwrap_or("–")),
                t.fired_in,
                t.replications,
                if t.fired_in > 0 {
                    fmt_span(r, &t.first_fire)
                } else {
                    "never".into()
                },
                if t.fired_in > 0 {
                    fmt_metric(kind, t.value_at_fire.p50)
                } else {
                    "–".into()
                },
                md_escape(t.effect.as_deref().unwrap_or(&fmt_action(&t.action))),
                if t.fired_in > 0 {
                    format!("{} → {}", fmt_money(t.cost_before.p50), fmt_money(t.cost_after.p50))
                } else {
                    "–".into()
                },
                t.peak_value
                    .map(|v| fmt_metric(kind, v))
                    .unwrap_or_else(|| no_data(&t.condition.metric))
            );
        }
        let _ = writeln!(o);
    }
}

/// Monthly cost by component, one column a month.
fn monthly_markdown(o: &mut String, r: &RunResult) {
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
    for s in byok_sentences(r) {
        let _ = writeln!(o, "\n{}", md_escape(&s));
    }
    let _ = writeln!(o, "\n");
}

/// Month 1's bill of the median replication, line by line.
fn bill_markdown(o: &mut String, r: &RunResult) {
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
}

/// A sample of the time series, and where the rest is.
fn over_time_markdown(o: &mut String, r: &RunResult) {
    let sc = &r.scenario;
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
            let i = crate::results::series_index(k);
            let cell = if per.simulated == 0 && crate::results::simulated_series(i) {
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
}
