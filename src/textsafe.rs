//! Text from a scenario or catalog, made safe for the report formats that would otherwise
//! interpret it: Markdown (raw HTML, links, table cells, code spans, fenced blocks) and CSV
//! opened in a spreadsheet (formulas). HTML has its own escaping (`report::html::escape`);
//! JSON is data and needs none.

use std::borrow::Cow;

/// Text for a Markdown paragraph, heading, list item or table cell: HTML's `&`, `<` and `>`
/// become entities (no tag, comment or autolink survives), the punctuation that opens links,
/// code spans and emphasis (`\`, `` ` ``, `*`, `[`, `]`) and a table cell's `|` are escaped
/// with a backslash, and line breaks (which would end a table row or a list item) become
/// spaces. `_` is left alone: it is in many identifiers (`vector_store`), never emphasises
/// inside a word, and at worst italicises.
pub fn md_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '[' | ']' | '|' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// The longest run of backticks in `s`.
fn longest_backtick_run(s: &str) -> usize {
    let (mut best, mut run) = (0, 0);
    for c in s.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

/// `s` as an inline code span (nothing inside one is markup or HTML): delimited by one more
/// backtick than its longest run of them, padded with a space where it starts or ends with
/// one, on one line. In a table cell (`in_table`) a `|` still ends the cell, so it is escaped:
/// GitHub-flavoured tables remove that backslash before the span is read.
pub fn md_code(s: &str, in_table: bool) -> String {
    let mut body: String = s
        .chars()
        .map(|c| if matches!(c, '\n' | '\r') { ' ' } else { c })
        .collect();
    if in_table {
        body = body.replace('|', "\\|");
    }
    let fence = "`".repeat(longest_backtick_run(&body) + 1);
    let pad = if body.starts_with('`') || body.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{body}{pad}{fence}")
}

/// `text` as a fenced code block: the fence is longer than any run of backticks inside, so no
/// line of it can close the block early (and nothing inside a block is markup or HTML).
pub fn md_fence(info: &str, text: &str) -> String {
    let fence = "`".repeat(longest_backtick_run(text).max(2) + 1);
    let nl = if text.ends_with('\n') { "" } else { "\n" };
    format!("{fence}{info}\n{text}{nl}{fence}\n")
}

/// A plain number (`12`, `-0.5`, `1.5e-3`): what `csv_text` leaves alone, since a
/// spreadsheet reads it as a number, not a formula.
fn is_number(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E'))
        && s.parse::<f64>().is_ok_and(f64::is_finite)
}

/// A CSV cell a spreadsheet will not run: text starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return is prefixed with `'` (OWASP, "CSV Injection"). Numbers stay numbers.
pub fn csv_text(s: &str) -> Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') if !is_number(s) => Cow::Owned(format!("'{s}")),
        _ => Cow::Borrowed(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Text that tries every construct the escaping must defuse.
    const HOSTILE: &[&str] = &[
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "a | b | c",
        "[click](javascript:alert(1))",
        "![x](http://e.x/t.png)",
        "<!-- comment",
        "<http://autolink.example>",
        "&lt;already&gt; & more",
        "line one\nline two\r\n| cell |",
        "```\n<b>after the fence</b>",
        "back\\slash <i>",
        "`code` and ``two``",
    ];

    #[test]
    fn md_text_leaves_no_html_or_structure() {
        for s in HOSTILE {
            let t = md_text(s);
            assert!(!t.contains('<') && !t.contains('>'), "{t}");
            assert!(!t.contains('\n') && !t.contains('\r'), "{t}");
            // Every `|`, `[`, `` ` `` is escaped: preceded by an odd number of backslashes.
            let b: Vec<char> = t.chars().collect();
            for (i, c) in b.iter().enumerate() {
                if matches!(c, '|' | '[' | ']' | '`' | '*') {
                    let slashes = b[..i].iter().rev().take_while(|x| **x == '\\').count();
                    assert_eq!(slashes % 2, 1, "unescaped {c} in {t}");
                }
            }
            // Every `&` starts an entity capsim wrote.
            for (i, _) in t.match_indices('&') {
                let rest = &t[i..];
                assert!(
                    rest.starts_with("&amp;") || rest.starts_with("&lt;") || rest.starts_with("&gt;"),
                    "{t}"
                );
            }
        }
        assert_eq!(md_text("Learnr Beta (100 users)"), "Learnr Beta (100 users)");
        assert_eq!(md_text("a<b & c|d"), "a&lt;b &amp; c\\|d");
        assert_eq!(md_text("vector_store"), "vector_store");
    }

    #[test]
    fn md_code_cannot_be_closed_from_inside() {
        for s in HOSTILE {
            let c = md_code(s, false);
            let run = longest_backtick_run(s);
            let fence = "`".repeat(run + 1);
            assert!(c.starts_with(&fence) && c.ends_with(&fence), "{c}");
            // The opening fence is exactly run + 1 long, and no longer run is inside.
            let inner = &c[fence.len()..c.len() - fence.len()];
            assert!(longest_backtick_run(inner) <= run, "{c}");
            assert!(!c.contains('\n'));
        }
        assert_eq!(md_code("a`b", false), "``a`b``");
        assert_eq!(md_code("`x", false), "`` `x ``");
        assert_eq!(md_code("a|b", true), "`a\\|b`");
        assert_eq!(md_code("scenarios/beta.yaml", false), "`scenarios/beta.yaml`");
    }

    #[test]
    fn md_fence_is_longer_than_anything_inside() {
        for s in HOSTILE {
            let f = md_fence("text", s);
            let fence_len = f.chars().take_while(|c| *c == '`').count();
            assert!(fence_len >= 3 && fence_len > longest_backtick_run(s), "{f}");
            assert!(f.ends_with(&format!("\n{}\n", "`".repeat(fence_len))), "{f}");
        }
        assert_eq!(md_fence("text", "a\n"), "```text\na\n```\n");
    }

    #[test]
    fn csv_text_neutralises_formulas_but_not_numbers() {
        for s in [
            "=HYPERLINK(\"http://e.x\",\"x\")",
            "+cmd|' /C calc'!A0",
            "-2+3",
            "@SUM(A1:A2)",
            "\t=1",
            "\r=1",
            "-inf",
            "-",
        ] {
            let t = csv_text(s);
            assert!(t.starts_with('\''), "{s:?} → {t:?}");
            assert_eq!(&t[1..], s);
        }
        for s in ["-0.5", "+3", "12", "-1.5e-3", "1e9", "text", "", "$25.00", "a=b"] {
            assert_eq!(csv_text(s), s, "{s:?}");
        }
    }
}
