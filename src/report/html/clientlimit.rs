//! The per-client rate limit section of `report.html` (the words are
//! [`crate::report::clientlimit`]'s).

use super::escape;
use crate::results::RunResult;
use std::fmt::Write;

/// The HTML section (empty without a limit).
pub fn html(r: &RunResult) -> String {
    let l = crate::report::clientlimit::lines(r);
    if l.is_empty() {
        return String::new();
    }
    let mut o = String::from("<section id=\"client-limit\">\n<h2>Per-client rate limit</h2>\n<ul>\n");
    for line in l {
        let _ = writeln!(o, "<li>{}</li>", escape(&line));
    }
    o.push_str("</ul>\n</section>\n");
    o
}
