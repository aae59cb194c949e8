//! The alternatives section of `report.html` (the figures and words are
//! [`crate::report::alternatives`]').

use super::escape;
use crate::report::alternatives::{break_even, of, warnings};
use crate::results::RunResult;
use crate::units::fmt_money;
use std::fmt::Write;

/// The HTML section (empty when there are no alternatives).
pub fn html(r: &RunResult) -> String {
    let mut o = String::new();
    let rows = of(r);
    if rows.is_empty() {
        return o;
    }
    o.push_str("<section id=\"alternatives\">\n<h2>Alternatives side by side</h2>\n");
    o.push_str("<p>Each alternative is priced from the component's own usage, alone on its plan, month by month; none is in any total.</p>\n");
    for a in &rows {
        let caption = format!(
            "{}: {} vs {} ({}/{})",
            a.component, a.chosen_plan, a.alternative, a.provider, a.plan
        );
        let _ = writeln!(
            o,
            "<table>\n<caption>{}</caption>\n<thead><tr><th>month</th><th class=\"num\">chosen</th><th class=\"num\">alternative</th></tr></thead>\n<tbody>",
            escape(&caption)
        );
        for (m, c, x) in &a.months {
            let _ = writeln!(
                o,
                "<tr><td>{m}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                escape(&fmt_money(*c)),
                escape(&fmt_money(*x))
            );
        }
        let _ = writeln!(o, "</tbody>\n</table>\n<p>Break-even: {}.</p>", escape(&break_even(a)));
    }
    for w in warnings(r) {
        let _ = writeln!(o, "<p class=\"warn\">{}</p>", escape(&w));
    }
    o.push_str("</section>\n");
    o
}
