//! The gate's report in words: `text` for the terminal (one status line per scenario, then
//! what is wrong), `markdown` short enough for a pull-request comment or `$GITHUB_STEP_SUMMARY`
//! (the verdicts, the money, what failed and why; not the full report). JSON is the data
//! itself ([`super::data::GateReport`] by serde); JUnit is in [`super::junit`].

use super::data::{CheckKind, GateReport, ScenarioGate, Verdict};
use crate::units::fmt_money;
use std::fmt::Write;

/// The status word of a scenario, padded to one width for the terminal.
fn status(s: &ScenarioGate) -> &'static str {
    let failing = |k: CheckKind| s.failures().any(|c| c.kind == k);
    let breached = s
        .failures()
        .any(|c| c.verdict == Verdict::Breached && matches!(c.kind, CheckKind::Budget | CheckKind::Slo));
    if s.passed {
        "ok      "
    } else if breached {
        "BREACHED"
    } else if s.failures().any(|c| c.verdict == Verdict::NotEvaluated) {
        "NOT EVALUATED"
    } else if failing(CheckKind::Overload) {
        "OVERLOAD"
    } else {
        "FAILED  "
    }
}

/// The terminal's report: a status line per scenario, then every check that is not ok (failing
/// or not, with `(allowed)` when a flag lets it pass).
pub fn text(g: &GateReport) -> String {
    text_with(g, crate::verbosity::Verbosity::default())
}

/// [`text`] as `--quiet` and `--verbose` ask: quiet lists only the scenarios that fail the gate
/// (an empty output means every one passed), verbose every check, passed ones too.
pub fn text_with(g: &GateReport, v: crate::verbosity::Verbosity) -> String {
    let mut o = String::new();
    for e in &g.errors {
        let at = e.line.map(|l| format!(":{l}")).unwrap_or_default();
        let _ = writeln!(o, "ERROR     {}{at}: {} {}", e.file, e.field, e.reason);
    }
    for s in g.scenarios.iter().filter(|s| !(v.quiet && s.passed)) {
        let _ = writeln!(o, "{}  {}", status(s), s.label());
        for c in s.checks.iter().filter(|c| v.verbose || c.verdict != Verdict::Ok) {
            // A finding a flag lets pass (an SLO not evaluated, overload), not a plain warning.
            let allowed = if !c.fails && matches!(c.kind, CheckKind::Slo | CheckKind::Overload) {
                " (allowed)"
            } else {
                ""
            };
            let line = match c.kind {
                CheckKind::Budget | CheckKind::Slo => format!("{}: {}", c.what, c.message),
                CheckKind::Jobs => format!("warning: {}", c.message),
                CheckKind::Objectives | CheckKind::Money if !c.fails => format!("warning: {}", c.message),
                _ => c.message.clone(),
            };
            let _ = writeln!(o, "          {line}{allowed}");
        }
    }
    o
}

/// Escapes what would break a markdown table cell or start markup.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ").replace('<', "&lt;")
}

/// "3 of 3 scenario(s) passed.", or with systems of environments, what the rows are: a system's
/// combined bill and each of its environments are rows of their own.
fn rows_passed(g: &GateReport, passed: usize) -> String {
    let n = g.scenarios.len();
    let systems = g
        .scenarios
        .iter()
        .filter(|s| s.system.is_some() && s.environment.is_none())
        .count();
    if systems == 0 {
        return format!("{passed} of {n} scenario(s) passed.");
    }
    let envs = g.scenarios.iter().filter(|s| s.environment.is_some()).count();
    format!(
        "{passed} of {n} rows passed: {} scenario(s), {systems} system(s) billed together and their {envs} environment(s).",
        n - systems - envs
    )
}

/// The pull-request comment: a headline, one row per scenario (verdict, month 1 and the last
/// month's bill, P90), then what failed and why, at most [`MAX_FAILURES`] lines a scenario.
pub fn markdown(g: &GateReport) -> String {
    let mut o = String::new();
    let passed = g.scenarios.iter().filter(|s| s.passed).count();
    let head = match g.outcome {
        super::data::Outcome::Pass => "✅ capsim check passed",
        super::data::Outcome::Fail => "❌ capsim check failed",
        super::data::Outcome::Error => "⚠️ capsim check could not run",
    };
    let _ = writeln!(o, "### {head}\n");
    if !g.errors.is_empty() {
        let _ = writeln!(o, "{} problem(s) in the input files; nothing ran:\n", g.errors.len());
        for e in &g.errors {
            let at = e.line.map(|l| format!(":{l}")).unwrap_or_default();
            let _ = writeln!(o, "- `{}{at}` `{}`: {}", e.file, e.field, cell(&e.reason));
        }
        return o;
    }
    let _ = writeln!(o, "{}\n", rows_passed(g, passed));
    let _ = writeln!(
        o,
        "| scenario | verdict | month 1 (P90) | last month (P90) | failed checks |"
    );
    let _ = writeln!(o, "|---|---|---:|---:|---:|");
    for s in &g.scenarios {
        let money = |m: Option<&super::data::MonthMoney>| {
            m.map_or("–".into(), |m| format!("{} (M{})", fmt_money(m.p90), m.month))
        };
        let _ = writeln!(
            o,
            "| `{}` | {} | {} | {} | {} |",
            cell(&s.label()),
            if s.passed { "✅ pass" } else { "❌ fail" },
            money(s.money.first()),
            money(s.money.last()),
            s.failures().count()
        );
    }
    for s in g.scenarios.iter().filter(|s| !s.passed) {
        let _ = writeln!(o, "\n**{}** (`{}`):\n", cell(&s.name), cell(&s.label()));
        let failures: Vec<_> = s.failures().collect();
        for c in failures.iter().take(MAX_FAILURES) {
            let _ = writeln!(o, "- `{}` {}: {}", c.id, cell(&c.what), cell(&short(&c.message)));
        }
        if failures.len() > MAX_FAILURES {
            let _ = writeln!(
                o,
                "- … and {} more (see the JSON or JUnit output)",
                failures.len() - MAX_FAILURES
            );
        }
    }
    o
}

/// Failing checks listed per scenario in markdown; the rest are counted.
pub const MAX_FAILURES: usize = 8;

/// A message cut to one sentence of at most 240 characters.
fn short(m: &str) -> String {
    let first = m.split(". ").next().unwrap_or(m);
    if first.chars().count() <= 240 {
        return first.to_string();
    }
    let cut: String = first.chars().take(239).collect();
    format!("{cut}…")
}
