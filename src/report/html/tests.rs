//! Tests of the HTML report.
use super::super::{charts, testdata};
use super::*;

fn page() -> String {
    let r = testdata::run();
    render(&r, None, &charts(&r))
}

#[test]
fn escape_covers_the_five_characters() {
    assert_eq!(
        escape(r#"<a href="x">Tom & 'Jerry'</a>"#),
        "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;"
    );
}

#[test]
fn page_has_every_section_and_table_heading() {
    let html = page();
    for h in [
        "How this was simulated",
        "Summary",
        "Scaling triggers",
        "Monthly costs by component",
        "Month 1 bill, line by line",
        "The plan compared with capsim",
        "Budget and SLO checks",
        "Queueing theory vs simulation",
        "Charts",
        "Notes",
    ] {
        assert!(html.contains(&format!("<h2>{h}</h2>")), "missing section {h}");
    }
    for th in [
        "Trigger",
        "Condition",
        "Plan says",
        "Fired in",
        "First fire, day (P10–P90)",
        "Value at fire",
        "Highest value seen",
        "Effect",
        "Cost/month before → after",
        "Component",
        "Arithmetic",
        "Difference",
        "Why",
        "Limit",
        "Result",
        "Theory model",
        "Theory Wq",
        "Simulated Wq (± 95 % CI)",
        "Agrees",
    ] {
        assert!(html.contains(&format!(">{}</th>", escape(th))), "missing column {th}");
    }
}

#[test]
fn tables_carry_the_runs_figures() {
    let html = page();
    assert!(html.contains(">4/5<"), "fired in k/n");
    assert!(html.contains(">4.5<"), "median first fire in days");
    assert!(html.contains("1.05 GB"), "value at fire in the metric's unit");
    assert!(html.contains("$120.00 →<br>$155.00"));
    assert!(html.contains("240 h × $0.0694/h = $16.66"), "bill arithmetic");
    assert!(html.contains("$0.25 &lt;small&gt;"), "bill arithmetic is escaped");
    assert!(html.contains("<tr class=\"disagree\">"));
    assert!(html.contains("✗ FAIL") && html.contains("✓ pass"));
    assert!(html.contains("class=\"warning\""), "instability box");
    assert!(html.contains("M/M/c (Erlang C)"));
    assert!(html.contains("A note with &lt;angle&gt; brackets"));
}

#[test]
fn charts_are_inlined_and_nothing_is_external() {
    let r = testdata::run();
    let cs = charts(&r);
    let html = render(&r, None, &cs);
    assert_eq!(html.matches("<svg").count(), cs.len());
    for c in &cs {
        assert!(html.contains(c.svg.trim()), "{} not inlined", c.file);
    }
    for external in ["<link", "<script", "@import", "src=\"http", "href=\"http", "url("] {
        assert!(!html.contains(external), "external resource {external}");
    }
}

#[test]
fn scenario_name_is_escaped() {
    let html = page();
    assert!(!html.contains("<script>alert(1)</script>"));
    assert!(html.contains("Demo &lt;script&gt;alert(1)&lt;/script&gt; &amp; co"));
}

#[test]
fn rendering_is_deterministic() {
    assert_eq!(page().as_bytes(), page().as_bytes());
}

#[test]
fn given_summary_html_is_used_verbatim() {
    let r = testdata::run();
    let html = render(&r, Some("<p>Custom <em>summary</em></p>"), &[]);
    assert!(html.contains("<p>Custom <em>summary</em></p>"));
    assert!(!html.contains("<h2>Charts</h2>"));
    let own = render(&r, None, &[]);
    assert!(own.contains("1 of 2 triggers fired"), "plain-words summary");
    assert!(own.contains("The SLO check fails"));
    assert!(own.contains("The budget check passes."));
}

#[test]
fn empty_run_renders_without_panicking() {
    let mut r = testdata::all_nan();
    r.triggers.clear();
    r.months.clear();
    r.stations.clear();
    r.checks.budget.clear();
    r.checks.slo.clear();
    r.checks.plan_comparisons.clear();
    r.instability = None;
    let html = render(&r, None, &charts(&r));
    assert!(html.contains("The scenario defines no triggers."));
    assert!(html.ends_with("</html>\n"));
}
