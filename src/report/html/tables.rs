//! The report page's tables, one function each (the page and its helpers are in the parent module).

use super::*;

pub(super) fn triggers_table(out: &mut String, r: &RunResult) {
    section(out, "triggers", "Scaling triggers");
    if r.triggers.is_empty() {
        out.push_str("<p class=\"muted\">The scenario defines no triggers.</p>\n</section>\n");
        return;
    }
    head(
        out,
        "Times are days from the start, across the replications in which the trigger fired. \
         The highest value seen (median across replications) is the headroom of a trigger that never fired.",
        &[
            ("", "Trigger"),
            ("", "Condition"),
            ("", "Plan says"),
            ("num", "Fired in"),
            ("num", "First fire, day (P10–P90)"),
            ("num", "Value at fire"),
            ("num", "Highest value seen"),
            ("", "Effect"),
            ("num", "Cost/month before → after"),
        ],
    );
    for t in &r.triggers {
        trigger_row(out, t);
    }
    foot(out);
    out.push_str("</section>\n");
}

fn trigger_row(out: &mut String, t: &TriggerSummary) {
    let fired = t.fired_in > 0;
    let when = if fired {
        format!(
            "{}<br><span class=\"muted\">{}–{}</span>",
            days(t.first_fire.p50),
            days(t.first_fire.p10),
            days(t.first_fire.p90)
        )
    } else {
        "never".into()
    };
    let cost = if fired {
        format!("{} →<br>{}", money(t.cost_before.mean), money(t.cost_after.mean))
    } else {
        DASH.into()
    };
    let effect = match &t.effect {
        Some(e) => escape(e),
        None => format!("<span class=\"muted\">{}</span>", escape(&fmt_action(&t.action))),
    };
    let peak = match t.peak_value {
        Some(v) => escape(&trigger_value(t, v)),
        None => format!("<span class=\"muted\">{}</span>", escape(&no_data(&t.condition.metric))),
    };
    let at_fire = if fired {
        escape(&trigger_value(t, t.value_at_fire.p50))
    } else {
        DASH.into()
    };
    row(
        out,
        &[
            ("", format!("<strong>{}</strong>", escape(&t.name))),
            ("cond", escape(&fmt_condition(&t.condition))),
            ("", t.plan_says.as_deref().map_or_else(|| DASH.to_string(), escape)),
            ("num", format!("{}/{}", t.fired_in, t.replications)),
            ("num", when),
            ("num", at_fire),
            ("wrap", peak),
            ("", effect),
            ("num", cost),
        ],
    );
}

/// Monthly costs with components as rows and months as columns, the total first. Components
/// of no stage the run passed through are left out (their $0.00 says nothing).
pub(super) fn monthly_table(out: &mut String, r: &RunResult) {
    section(out, "monthly-costs", "Monthly costs by component");
    if r.months.is_empty() {
        out.push_str("<p class=\"muted\">No calendar month in the horizon.</p>\n</section>\n");
        return;
    }
    let ci = r
        .months
        .iter()
        .any(|m| m.total.ci95.is_finite() && m.total.ci95 >= 0.005);
    let labels: Vec<String> = r
        .months
        .iter()
        .map(|m| {
            if m.covered < 0.999 {
                format!("Month {} *", m.month)
            } else {
                format!("Month {}", m.month)
            }
        })
        .collect();
    let mut headers: Vec<(&str, &str)> = vec![("", "Component")];
    headers.extend(labels.iter().map(|l| ("num", l.as_str())));
    let spread = if ci {
        "Totals with their 95 % confidence half-width."
    } else if r.scenario.replications > 1 {
        "No spread across replications: every replication has the same bill."
    } else {
        "One replication: no confidence interval."
    };
    head(
        out,
        &format!(
            "Mean across replications. {spread} A month the horizon ends inside is billed as a whole month: \
             what runs at the end runs on to the month's end at the rate of its last simulated part."
        ),
        &headers,
    );
    let mut total: Vec<(&str, String)> = vec![("", "<strong>Total</strong>".into())];
    total.extend(
        r.months
            .iter()
            .map(|m| ("num", format!("<strong>{}</strong>", escape(&money_ci(&m.total))))),
    );
    out.push_str("<tr class=\"first-total\">");
    out.push_str(&row_cells(&total));
    out.push_str("</tr>\n");
    for (c, name) in r.components.iter().enumerate() {
        if !r.components_used.get(c).copied().unwrap_or(true) {
            continue;
        }
        let mut cells: Vec<(&str, String)> = vec![("component", escape(name))];
        for m in &r.months {
            let v = m
                .components
                .iter()
                .find(|(n, _)| n == name)
                .map_or(f64::NAN, |(_, s)| s.mean);
            cells.push(("num", money(v)));
        }
        row(out, &cells);
    }
    foot(out);
    for m in r.months.iter().filter(|m| m.covered < 0.999) {
        let _ = writeln!(
            out,
            "<p class=\"muted\">* Month {}: {} of it simulated, billed as a whole month at the rate of its end.</p>",
            m.month,
            percent(m.covered)
        );
    }
    for s in super::super::words::byok_sentences(r) {
        let _ = writeln!(out, "<p>{}</p>", escape(&s));
    }
    let unused: Vec<&str> = r
        .components
        .iter()
        .zip(&r.components_used)
        .filter(|(_, u)| !**u)
        .map(|(c, _)| c.as_str())
        .collect();
    if !unused.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"muted\">Not in any stage this run passed through (no cost): {}.</p>",
            escape(&unused.join(", "))
        );
    }
    out.push_str("</section>\n");
}

pub(super) fn bill_table(out: &mut String, r: &RunResult) {
    section(out, "bill", "Month 1 bill, line by line");
    let Some(m) = r.months.first() else {
        out.push_str("<p class=\"muted\">No bill: the horizon has no calendar month.</p>\n</section>\n");
        return;
    };
    let ex = &m.example;
    let _ = writeln!(
        out,
        "<p>The bill of the median replication (by total cost). Month {} covers {} of a month.</p>",
        ex.month,
        percent(ex.covered)
    );
    head(
        out,
        "",
        &[("", "Component"), ("", "Item"), ("", "Arithmetic"), ("num", "Amount")],
    );
    for cb in &ex.components {
        let share = if cb.fraction < 0.999 {
            format!(", ran {} of the month", percent(cb.fraction))
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "<tr class=\"group\"><td colspan=\"4\">{} — {} / {}{}</td></tr>",
            escape(&cb.component),
            escape(&cb.provider),
            escape(&cb.plan),
            escape(&share)
        );
        if cb.bill.lines.is_empty() {
            row(
                out,
                &[
                    ("", String::new()),
                    ("", "<span class=\"muted\">no line items</span>".into()),
                    ("arith", String::new()),
                    ("num", money(cb.bill.total)),
                ],
            );
        }
        for l in &cb.bill.lines {
            row(
                out,
                &[
                    ("", String::new()),
                    ("", escape(&l.item)),
                    ("arith", escape(&l.arithmetic)),
                    ("num", money(l.amount)),
                ],
            );
        }
        for w in &cb.bill.warnings {
            row(
                out,
                &[
                    ("", String::new()),
                    ("", "warning".into()),
                    ("", escape(w)),
                    ("num", String::new()),
                ],
            );
        }
        let subtotal = cb.bill.total;
        let arith = String::new();
        row(
            out,
            &[
                ("", String::new()),
                ("", format!("{} subtotal", escape(&cb.component))),
                ("arith", escape(&arith)),
                ("num", money(subtotal)),
            ],
        );
    }
    let _ = writeln!(
        out,
        "<tr class=\"total\"><td colspan=\"3\">Total, month {}</td><td class=\"num\">{}</td></tr>",
        ex.month,
        money(ex.total)
    );
    foot(out);
    out.push_str("</section>\n");
}

pub(super) fn comparisons_table(out: &mut String, r: &RunResult) {
    section(out, "plan", "The plan compared with capsim");
    if r.checks.plan_comparisons.is_empty() {
        out.push_str("<p class=\"muted\">The scenario states no figures of the plan to compare.</p>\n</section>\n");
        return;
    }
    head(
        out,
        "Rows in red differ by more than 10 %.",
        &[
            ("", "What"),
            ("num", "Plan"),
            ("num", "capsim"),
            ("num", "Difference"),
            ("", "Why"),
        ],
    );
    for c in &r.checks.plan_comparisons {
        let _ = write!(out, "<tr class=\"{}\">", if c.agrees { "agree" } else { "disagree" });
        let _ = writeln!(
            out,
            "<td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}{}</td><td>{}</td></tr>",
            escape(&c.what),
            escape(&fmt_plan_figure(c)),
            escape(&fmt_capsim_figure(c)),
            if c.agrees { "" } else { "⚠ " },
            escape(&fmt_difference(c)),
            escape(&c.why)
        );
    }
    foot(out);
    if !r.plan_notes.is_empty() {
        out.push_str("<h3>Reading the plan</h3>\n<ul>\n");
        for n in &r.plan_notes {
            let _ = writeln!(out, "<li>{}</li>", escape(n));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
}

pub(super) fn checks_table(out: &mut String, r: &RunResult) {
    section(out, "checks", "Budget and SLO checks");
    if r.checks.budget.is_empty() && r.checks.slo.is_empty() {
        out.push_str("<p class=\"muted\">The scenario sets no budget and no SLO.</p>\n</section>\n");
        return;
    }
    head(
        out,
        "",
        &[
            ("", "Kind"),
            ("", "What"),
            ("num", "Limit"),
            ("num", "Value"),
            ("", "Result"),
        ],
    );
    for (kind, checks) in [("Budget", &r.checks.budget), ("SLO", &r.checks.slo)] {
        for c in checks {
            row(
                out,
                &[
                    ("", kind.to_string()),
                    ("", escape(&c.what)),
                    ("num", escape(&fmt_check_limit(c))),
                    ("num", escape(&fmt_check_value(c))),
                    match c.verdict {
                        CheckVerdict::Ok => ("pass", "✓ pass".to_string()),
                        CheckVerdict::Breached => ("fail", "✗ FAIL".to_string()),
                        CheckVerdict::NotEvaluated => ("fail", "✗ NOT EVALUATED".to_string()),
                    },
                ],
            );
        }
    }
    foot(out);
    out.push_str("</section>\n");
}

pub(super) fn stations_table(out: &mut String, r: &RunResult) {
    section(out, "stations", "Queueing theory vs simulation");
    if r.stations.is_empty() {
        out.push_str("<p class=\"muted\">No station was observed.</p>\n</section>\n");
        return;
    }
    let many = r.stations.iter().any(|s| s.sim_wait.n >= 2);
    head(
        out,
        &format!("Mean wait in queue (Wq). {}", stations_preamble(r)),
        &[
            ("", "Station"),
            ("num", "Servers"),
            ("num", "Waiting room"),
            ("num", "Arrivals (/s)"),
            ("num", "Mean service"),
            ("num", "Utilization"),
            ("", "Theory model"),
            ("num", "Theory Wq"),
            (
                "num",
                if many {
                    "Simulated Wq (± 95 % CI)"
                } else {
                    "Simulated Wq"
                },
            ),
            ("num", "Blocked: theory"),
            ("num", "Blocked: simulated"),
            ("", "Agrees"),
        ],
    );
    for st in &r.stations {
        let sim = if st.sim_wait.ci95.is_finite() {
            format!("{} ± {}", seconds(st.sim_wait.mean), seconds(st.sim_wait.ci95))
        } else {
            seconds(st.sim_wait.mean)
        };
        let agrees = match st.verdict() {
            Verdict::Agrees => ("pass", "✓ yes".to_string()),
            Verdict::Disagrees => ("fail", "✗ no".to_string()),
            v => ("", format!("<span class=\"muted\">{}</span>", escape(v.label()))),
        };
        let finite_room = st.waiting_room.is_some();
        row(
            out,
            &[
                ("", escape(&st.station)),
                ("num", st.servers.to_string()),
                ("num", escape(&fmt_waiting_room(st.waiting_room))),
                (
                    "num",
                    if st.arrival_rate.is_finite() {
                        format!("{:.3}", st.arrival_rate)
                    } else {
                        DASH.into()
                    },
                ),
                ("num", escape(&seconds(st.mean_service))),
                ("num", percent(st.utilization)),
                ("", escape(&st.theory_model)),
                ("num", escape(&st.theory_wait.map_or_else(|| DASH.to_string(), seconds))),
                ("num", escape(&sim)),
                (
                    "num",
                    match st.theory_p_block {
                        Some(p) if finite_room => format!("{p:.4}"),
                        _ => DASH.into(),
                    },
                ),
                (
                    "num",
                    if finite_room {
                        escape(&fmt_prob(&st.sim_p_block))
                    } else {
                        DASH.into()
                    },
                ),
                agrees,
            ],
        );
    }
    foot(out);
    for n in timeout_notes(r) {
        let _ = writeln!(out, "<p class=\"muted\">{}</p>", escape(&n));
    }
    out.push_str("</section>\n");
}
