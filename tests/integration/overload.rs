//! Overload is always said (terminal, summary.md, report.html, summary.json, `capsim check`),
//! periods after an unstable stop are not simulated rather than zero, and text from a scenario
//! is escaped in Markdown and neutralised in CSV.

use crate::common::{capsim, repo, run_text};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// `capsim run` of a fixture into a temporary directory: (directory guard, report, stdout).
fn run_fixture(name: &str, extra: &[&str]) -> (tempfile::TempDir, PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    let fixture = format!("tests/fixtures/{name}.yaml");
    let mut args = vec!["run", fixture.as_str(), "--out", out.to_str().unwrap()];
    args.extend(extra);
    let o = capsim().args(&args).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    (dir, out, String::from_utf8(o.stdout).unwrap())
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap()
}

fn json(dir: &Path) -> Value {
    serde_json::from_str(&read(dir, "summary.json")).unwrap()
}

/// `capsim check` of a fixture: (exit code, stdout).
fn check(name: &str, extra: &[&str]) -> (i32, String) {
    let fixture = format!("tests/fixtures/{name}.yaml");
    let mut args = vec!["check", fixture.as_str()];
    args.extend(extra);
    let o = capsim().args(&args).output().unwrap();
    (o.status.code().unwrap(), String::from_utf8(o.stdout).unwrap())
}

/// The warnings of `summary.json` about `station` of `kind`.
fn warnings<'a>(j: &'a Value, station: &str, kind: &str) -> Vec<&'a Value> {
    j["overload"]
        .as_array()
        .expect("an overload list")
        .iter()
        .filter(|w| w["station"] == station && w["kind"] == kind)
        .collect()
}

/// Asserts one overload at `station` (message starting with `name`) in every place a user
/// reads, and that `check` fails on it unless allowed; returns the JSON warning.
fn assert_said_everywhere(fixture: &str, station: &str, name: &str) -> Value {
    let (_d, out, stdout) = run_fixture(fixture, &[]);
    let said = format!("{name}: arrivals exceed capacity");
    assert!(stdout.contains("OVERLOAD") && stdout.contains(&said), "{stdout}");
    let md = read(&out, "summary.md");
    let top = md.find("## ⚠ Overload").expect("an overload section in summary.md");
    assert!(top < md.find("## Summary").unwrap(), "near the top");
    assert!(md[top..].contains(&format!("- {said}")), "{md}");
    let html = read(&out, "report.html");
    let bx = html.find("id=\"overload\"").expect("an overload box in report.html");
    assert!(bx < html.find("id=\"summary\"").unwrap() && html[bx..].contains(&said));
    let j = json(&out);
    let w = warnings(&j, station, "overloaded");
    assert_eq!(w.len(), 1, "{}", j["overload"]);
    let w = w[0].clone();
    assert!(w["offered_load"].as_f64().unwrap() >= 1.0, "{w}");
    assert!(!w["periods"].as_array().unwrap().is_empty());
    assert!(w["window_end_seconds"].as_f64() > w["window_start_seconds"].as_f64());

    let (code, text) = check(fixture, &[]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.starts_with("OVERLOAD") && text.contains(&format!("overload: {said}")),
        "{text}"
    );
    let (code, text) = check(fixture, &["--allow-overload"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("(allowed)"), "{text}");
    // Quiet keeps the warning, on stderr.
    let o = capsim()
        .args(["run", &format!("tests/fixtures/{fixture}.yaml"), "-q", "--out"])
        .arg(out.parent().unwrap().join("quiet"))
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&o.stderr).contains(&format!("warning: overload: {said}")));
    w
}

/// The 10M users on the MVP stage, scaled down: the API saturated, its CPU the
/// bottleneck, the job queue behind it.
#[test]
fn a_stage_with_far_too_few_workers_is_overloaded() {
    let w = assert_said_everywhere("overload-mvp", "api_workers", "API workers");
    assert!(
        w["lost_share"].as_f64().unwrap() > 0.05,
        "errors from the queue timeout: {w}"
    );
    let j = json(&run_fixture("overload-mvp", &[]).1);
    // The CPU is offered what the saturated workers hold back: more than reaches it.
    let cpu = warnings(&j, "api_cpu", "overloaded");
    assert_eq!(cpu.len(), 1, "{}", j["overload"]);
    assert!(cpu[0]["arrival_rate"].as_f64() > cpu[0]["reached_rate"].as_f64());
    assert_eq!(warnings(&j, "job_queue", "overloaded").len(), 1);
}

/// No queue limit, no timeout, load 1.5: the queue grows through the window, and between
/// windows too (the second warning).
#[test]
fn an_unbounded_api_queue_at_load_one_and_a_half_is_overloaded() {
    let w = assert_said_everywhere("overload-unbounded-api", "api_workers", "API workers");
    let rho = w["offered_load"].as_f64().unwrap();
    assert!((rho - 1.5).abs() < 0.05, "{rho}");
    assert!(
        w["backlog_end"].as_f64().unwrap() > w["backlog_start"].as_f64().unwrap() + 5000.0,
        "{w}"
    );
    let j = json(&run_fixture("overload-unbounded-api", &[]).1);
    assert_eq!(warnings(&j, "api_workers", "backlog_carries_over").len(), 1);
}

/// 5 jobs/s against a limiter that allows 0.1/s: ρ = 50.
#[test]
fn a_job_queue_far_beyond_its_rate_limit_is_overloaded() {
    let w = assert_said_everywhere("overload-job-queue", "job_queue", "job queue");
    let rho = w["offered_load"].as_f64().unwrap();
    assert!((rho - 50.0).abs() < 2.5, "{rho}");
    assert_eq!(w["rate_limited"], true);
    assert!(
        w["message"].as_str().unwrap().contains("its rate limit allows 0.10/s"),
        "{w}"
    );
}

/// In peak_window mode each window starts empty: a backlog that cannot drain between evenings
/// is detected, and its fluid estimate matches what `full` mode simulates. A third of the
/// users overload only the evening peak, which drains overnight: no carry-over.
#[test]
fn a_peak_window_backlog_that_cannot_drain_is_detected() {
    let text = std::fs::read_to_string(repo().join("tests/fixtures/overload-drain.yaml")).unwrap();
    let peak = run_text(&text);
    let carried: Vec<_> = peak
        .overload
        .iter()
        .filter(|w| w.kind == capsim::results::OverloadKind::BacklogCarriesOver)
        .collect();
    assert_eq!(carried.len(), 1, "{:?}", peak.overload);
    let estimate = carried[0].carried_backlog.unwrap();
    assert_eq!(carried[0].periods, vec![0, 1, 2]);

    let full = run_text(&text.replace("{mode: peak_window, window: 1h, warmup: 5m}", "{mode: full}"));
    let simulated = full.value(2, "queue_backlog_max").mean;
    // 3 days × (1.5 − 1) jobs/s = 129,600 jobs.
    assert!((estimate / 129_600.0 - 1.0).abs() < 0.01, "fluid estimate {estimate}");
    assert!(
        (simulated / estimate - 1.0).abs() < 0.02,
        "full {simulated} vs fluid {estimate}"
    );

    // Full mode carries the backlog itself, and says so per period.
    let grows = full
        .overload
        .iter()
        .find(|w| w.station == "job_queue" && w.kind == capsim::results::OverloadKind::Overloaded)
        .expect("overloaded in full mode too");
    assert!(grows.backlog_end > grows.backlog_start + 40_000.0, "{grows:?}");

    let drains = run_text(&text.replace("users: 90720", "users: 30240"));
    let kinds: Vec<_> = drains.overload.iter().map(|w| w.kind).collect();
    assert_eq!(
        kinds,
        vec![capsim::results::OverloadKind::Overloaded],
        "{:?}",
        drains.overload
    );
}

/// Below load 1, a loss system that turns away far more than 1 % of its arrivals is said too:
/// two API workers with no waiting room at offered load 0.8 block a third (Erlang B).
#[test]
fn a_loss_system_turning_away_a_third_is_said() {
    let r = run_text(
        "name: t\nstage: s\nhorizon: 1d\nresolution: 1d\nreplications: 2\n\
         traffic: {arrival_rate: 16/s}\nrequests: {r: {share: 100%, cpu: {dist: exponential, mean: 100ms}}}\n\
         stages: {s: {api: {vcpu: 2, workers: 2, max_queue: 0}}}\n",
    );
    let w: Vec<_> = r.overload.iter().map(|w| (w.station.as_str(), w.kind)).collect();
    assert_eq!(
        w,
        vec![("api_workers", capsim::results::OverloadKind::TurnedAway)],
        "{:?}",
        r.overload
    );
    let exact = capsim::theory::erlang_b(2, 1.6);
    assert!(
        (r.overload[0].lost_share - exact).abs() < 0.03,
        "{} vs {exact}",
        r.overload[0].lost_share
    );
    assert!(r.overload[0].offered_load < 1.0);
    assert!(r.overloaded());
}

/// After the full simulation stops as unstable (day 1), days 2 and 3 are not simulated: no
/// figure (null, empty, "not simulated"), never 0 requests/s, and no trigger sees a zero.
#[test]
fn periods_after_an_unstable_stop_are_not_simulated() {
    let (_d, out, stdout) = run_fixture("unstable-stop", &[]);
    assert!(stdout.contains("busiest window not simulated at the end"), "{stdout}");
    assert!(!stdout.contains("0.00 req/s"), "{stdout}");
    assert!(
        stdout.contains("never  API idle"),
        "a trigger saw the missing periods: {stdout}"
    );
    let j = json(&out);
    assert_eq!(j["triggers"]["API idle"]["fired_in"], 0);
    assert_eq!(j["instability"]["station"], "api_workers");
    let md = read(&out, "summary.md");
    let rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| day ")).collect();
    assert_eq!(rows.len(), 3, "{md}");
    assert!(
        !rows[0].contains("not simulated") && rows[1].contains("not simulated") && rows[2].contains("not simulated")
    );
    let ts = read(&out, "timeseries.csv");
    let mut csv = csv::Reader::from_reader(ts.as_bytes());
    let h = csv.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    let (sim, busy) = (col("simulated"), col("busy_rps_mean"));
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    assert_eq!((&rows[0][sim], &rows[2][sim], &rows[2][busy]), ("2", "0", ""));
    assert!(rows[0][busy].parse::<f64>().unwrap() > 5.0);
    let (stopped, per_day) = (col("stopped"), col("requests_per_day_mean"));
    for row in &rows[1..] {
        assert_eq!((&row[sim], &row[stopped], &row[busy]), ("0", "2", ""));
        // The traffic model still says what arrived.
        assert!(row[per_day].parse::<f64>().unwrap() > 0.0);
    }
    let (code, text) = check("unstable-stop", &[]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("unstable: "), "{text}");
}

/// In peak_window mode a window whose warm-up already overflows is not simulated either.
#[test]
fn a_window_that_stops_in_its_warm_up_is_not_simulated() {
    let r = run_text(
        "name: t\nstage: s\nhorizon: 2d\nresolution: 1d\nreplications: 2\n\
         simulation: {mode: peak_window, window: 1h, warmup: 30m, max_in_flight: 2000}\n\
         traffic: {arrival_rate: 10/s}\nrequests: {r: {share: 100%, cpu: {dist: exponential, mean: 150ms}}}\n\
         stages: {s: {api: {vcpu: 1, workers: 1}}}\n",
    );
    let u = r.instability.as_ref().expect("unstable");
    assert!(
        u.stopped_at_seconds < 0.0,
        "in the warm-up before day 1: {}",
        u.stopped_at_seconds
    );
    for p in 0..2 {
        assert_eq!((r.periods[p].simulated, r.periods[p].stopped), (0, 2));
        assert!(r.value(p, "busy_rps").mean.is_nan());
        assert!(r.value(p, "error_rate").mean.is_nan());
    }
    assert!(r.overloaded());
}

/// The concatenated text of every Markdown heading and table cell, and the Markdown features
/// the document uses, as a CommonMark renderer (with GitHub's tables) reads it.
struct Parsed {
    headings: Vec<String>,
    /// Rows of cells, each table's head row first.
    tables: Vec<Vec<Vec<String>>>,
    raw_html: Vec<String>,
    links: Vec<String>,
}

fn parse_markdown(md: &str) -> Parsed {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let mut p = Parsed {
        headings: Vec::new(),
        tables: Vec::new(),
        raw_html: Vec::new(),
        links: Vec::new(),
    };
    let (mut heading, mut cell): (Option<String>, Option<String>) = (None, None);
    for ev in Parser::new_ext(md, Options::ENABLE_TABLES) {
        match ev {
            Event::Html(h) | Event::InlineHtml(h) => p.raw_html.push(h.to_string()),
            Event::Start(Tag::Link { dest_url, .. }) | Event::Start(Tag::Image { dest_url, .. }) => {
                p.links.push(dest_url.to_string())
            }
            Event::Start(Tag::Heading { .. }) => heading = Some(String::new()),
            Event::End(TagEnd::Heading(_)) => p.headings.extend(heading.take()),
            Event::Start(Tag::Table(_)) => p.tables.push(Vec::new()),
            Event::Start(Tag::TableHead) | Event::Start(Tag::TableRow) => p.tables.last_mut().unwrap().push(Vec::new()),
            Event::Start(Tag::TableCell) => cell = Some(String::new()),
            Event::End(TagEnd::TableCell) => {
                let row = p.tables.last_mut().unwrap().last_mut().unwrap();
                row.push(cell.take().unwrap());
            }
            Event::Text(t) | Event::Code(t) => {
                for s in [&mut heading, &mut cell].into_iter().flatten() {
                    s.push_str(&t);
                }
            }
            _ => {}
        }
    }
    p
}

/// Hostile scenario text reaches summary.md as text (no HTML, no link, no broken table, and
/// read back exactly), report.html escaped, and the CSV files as text a spreadsheet will not
/// run; numbers stay numbers.
#[test]
fn hostile_text_is_escaped_in_markdown_and_neutralised_in_csv() {
    let (_d, out, _) = run_fixture("hostile-text", &[]);
    let name = "<script>alert('name')</script> | =HYPERLINK(\"http://evil.example\",\"x\")";
    let trigger = "=HYPERLINK(\"http://evil.example\",\"<img src=x onerror=alert(1)>\")";
    let service = "@SUM(1+1)<b>x</b>*cmd|' /C calc'!A0";

    let md = parse_markdown(&read(&out, "summary.md"));
    assert!(md.raw_html.is_empty(), "raw HTML in summary.md: {:?}", md.raw_html);
    assert!(
        md.links.iter().all(|l| l.ends_with(".svg") && !l.contains(':')),
        "{:?}",
        md.links
    );
    assert_eq!(md.headings[0], name);
    for table in &md.tables {
        assert!(
            table.iter().all(|row| row.len() == table[0].len()),
            "a broken table: {table:?}"
        );
    }
    let cells: Vec<&String> = md.tables.iter().flatten().flatten().collect();
    assert!(cells.iter().any(|c| *c == trigger), "the trigger name, read back");
    assert!(cells.iter().any(|c| *c == service), "the service name, read back");
    assert!(cells.iter().any(|c| *c == "<script>alert('plan')</script> | +1"));

    let html = read(&out, "report.html");
    for raw in ["<script>alert", "<img src=x", "<b>x</b>", "<!-- [click]"] {
        assert!(!html.contains(raw), "{raw} in report.html");
    }
    assert!(html.contains("&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt;"));

    let cells_of = |file: &str, column: &str| -> Vec<String> {
        let text = read(&out, file);
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let i = r.headers().unwrap().iter().position(|h| h == column).unwrap();
        r.records().map(|row| row.unwrap()[i].to_string()).collect()
    };
    assert_eq!(cells_of("triggers.csv", "trigger"), vec![format!("'{trigger}")]);
    assert_eq!(
        cells_of("triggers.csv", "plan_says")[0],
        "<script>alert('plan')</script> | +1"
    );
    assert!(cells_of("costs.csv", "component").contains(&format!("'{service}")));
    assert!(cells_of("timeseries.csv", "stage")
        .iter()
        .all(|s| s == "'=cmd|' /C calc'!A0"));
    // Every cell of every file: a formula-like cell is quoted, unless it is a plain number.
    for file in ["triggers.csv", "costs.csv", "timeseries.csv"] {
        let text = read(&out, file);
        let mut r = csv::Reader::from_reader(text.as_bytes());
        for row in r.records() {
            for c in row.unwrap().iter() {
                let formula = c.starts_with(['=', '+', '-', '@', '\t', '\r']);
                assert!(!formula || c.parse::<f64>().is_ok(), "{file}: {c:?}");
            }
        }
    }
    // The Supabase credit is a negative amount, and stays a number.
    let amounts = cells_of("costs.csv", "amount_billed");
    assert!(
        amounts
            .iter()
            .any(|a| a.starts_with('-') && a.parse::<f64>().unwrap() < -1.0),
        "{amounts:?}"
    );
}
