//! Inputs drawn from ranges, in `summary.md`: each ranged field, its ends, its distribution and
//! the P10, P50 and P90 of the values the replications drew. Nothing is written without ranges.

use super::fmt::fmt_unit;
use crate::results::ranges::RangeInput;
use crate::results::RunResult;
use crate::textsafe::{md_code, md_text};
use crate::units::{fmt_count, Unit};
use std::fmt::Write as _;

/// A value of the range's unit (a plain number as a count: `12`, `0.25`, `1.5K`).
fn value(i: &RangeInput, v: f64) -> String {
    fmt_unit(i.unit.unwrap_or(Unit::Count), v)
}

fn distribution(i: &RangeInput) -> String {
    let mut d = i.distribution.to_string();
    if let Some(m) = i.mode {
        let _ = write!(d, ", mode {}", value(i, m));
    }
    if i.integer {
        d.push_str(", whole numbers");
    }
    d
}

/// The section of `summary.md`.
pub fn markdown(o: &mut String, r: &RunResult) {
    if r.inputs_from_ranges.is_empty() {
        return;
    }
    let _ = writeln!(o, "## Inputs drawn from ranges\n");
    let _ = writeln!(
        o,
        "Each replication draws its own value of each field below (from the seed, the replication and the field only), \
         so the P10–P90 of the results show the spread these inputs make. Figures the report computes from the scenario \
         alone (estimates, stated limits) use each range's high end.\n"
    );
    let _ = writeln!(o, "| field | low | high | distribution | drawn P10 | P50 | P90 |");
    let _ = writeln!(o, "|---|---|---|---|---|---|---|");
    for i in &r.inputs_from_ranges {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {} |",
            md_code(&i.field, false),
            md_text(&value(i, i.low)),
            md_text(&value(i, i.high)),
            md_text(&distribution(i)),
            md_text(&value(i, i.drawn.p10)),
            md_text(&value(i, i.drawn.p50)),
            md_text(&value(i, i.drawn.p90)),
        );
    }
    let _ = writeln!(o);
}

/// Lines for the plain-words summary.
pub fn lines(o: &mut String, r: &RunResult) {
    for i in &r.inputs_from_ranges {
        let _ = writeln!(
            o,
            "Input {} drawn per replication from {} to {} ({}): P10 {}, P50 {}, P90 {} over {} replications.",
            i.field,
            value(i, i.low),
            value(i, i.high),
            distribution(i),
            value(i, i.drawn.p10),
            value(i, i.drawn.p50),
            value(i, i.drawn.p90),
            fmt_count(i.drawn.n as f64)
        );
    }
}
