//! The gate's report as JUnit XML, the format CI servers show as test results: one
//! `<testsuite>` per scenario (named by its file; a system's environment by
//! `system.yaml [name]`), one `<testcase>` per check (named by its stable id), a `<failure>`
//! for a check that fails the gate with the measured value, the limit and the unit, and
//! `<system-out>` for a finding that does not fail. A broken input file is a
//! testsuite with one `<error>` per problem.

use super::data::{GateCheck, GateReport};
use std::fmt::Write;

/// Escapes text for an XML attribute or element.
fn esc(text: &str) -> String {
    let mut o = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => o.push(' '),
            c => o.push(c),
        }
    }
    o
}

/// A number as the JSON shows it (full precision), or `none`.
fn num(v: Option<f64>) -> String {
    v.map_or("none".into(), |v| format!("{v}"))
}

/// One testcase.
fn testcase(o: &mut String, suite: &str, c: &GateCheck) {
    let _ = write!(o, "    <testcase name=\"{}\" classname=\"{}\"", esc(&c.id), esc(suite));
    let unit = c
        .unit
        .and_then(|u| serde_json::to_value(u).ok())
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_else(|| "none".into());
    let figures = format!(
        "measured={} limit={} unit={unit} verdict={}",
        num(c.measured),
        num(c.limit),
        c.verdict.label()
    );
    if c.fails {
        let _ = writeln!(
            o,
            ">\n      <failure message=\"{}\" type=\"{}\">{}\n{}</failure>\n    </testcase>",
            esc(&format!("{}: {}", c.what, c.message)),
            c.verdict.label(),
            esc(&figures),
            esc(&c.message)
        );
    } else if c.verdict.label() != "ok" {
        let _ = writeln!(
            o,
            ">\n      <system-out>{}\n{}</system-out>\n    </testcase>",
            esc(&figures),
            esc(&c.message)
        );
    } else {
        let _ = writeln!(o, "/>");
    }
}

/// The whole report as a JUnit XML document.
pub fn junit(g: &GateReport) -> String {
    let mut o = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let tests: usize = g.scenarios.iter().map(|s| s.checks.len()).sum::<usize>() + g.errors.len();
    let failures: usize = g.scenarios.iter().map(|s| s.failures().count()).sum();
    let _ = writeln!(
        o,
        "<testsuites name=\"capsim check\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{}\">",
        g.errors.len()
    );
    let mut files: Vec<&str> = g.errors.iter().map(|e| e.file.as_str()).collect();
    files.dedup();
    for file in files {
        let errs: Vec<_> = g.errors.iter().filter(|e| e.file == file).collect();
        let _ = writeln!(
            o,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"0\" errors=\"{}\">",
            esc(file),
            errs.len(),
            errs.len()
        );
        for (i, e) in errs.iter().enumerate() {
            let at = e.line.map(|l| format!(":{l}")).unwrap_or_default();
            let _ = writeln!(
                o,
                "    <testcase name=\"input.{}\" classname=\"{}\">\n      <error message=\"{}\" type=\"input\">{}{at} {}</error>\n    </testcase>",
                i + 1,
                esc(file),
                esc(&e.reason),
                esc(file),
                esc(&e.field)
            );
        }
        let _ = writeln!(o, "  </testsuite>");
    }
    for s in &g.scenarios {
        let _ = writeln!(
            o,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\">",
            esc(&s.label()),
            s.checks.len(),
            s.failures().count()
        );
        for c in &s.checks {
            testcase(&mut o, &s.label(), c);
        }
        let _ = writeln!(o, "  </testsuite>");
    }
    o.push_str("</testsuites>\n");
    o
}
