//! Tests of the report's charts.
use super::super::testdata;
use super::*;

fn assert_valid(c: &Chart) {
    assert!(c.svg.starts_with("<svg"), "{} does not start with <svg", c.file);
    assert!(c.svg.trim_end().ends_with("</svg>"), "{} is not closed", c.file);
    assert!(
        c.svg.contains(&format!("<title>{}</title>", escape(&c.title))),
        "{} lacks its title",
        c.file
    );
    assert!(c.file.ends_with(".svg"));
    assert!(!c.svg.contains("NaN"), "{} has NaN coordinates", c.file);
}

#[test]
fn every_chart_is_valid_svg_with_its_title() {
    let r = testdata::run();
    let charts = super::super::charts(&r);
    assert_eq!(charts.len(), 7);
    for c in &charts {
        assert_valid(c);
    }
}

/// The text of every `<text>` element.
fn texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|s| {
            let start = s.find('>')? + 1;
            let end = s.find("</text>")?;
            Some(s[start..end].trim().to_string())
        })
        .collect()
}

#[test]
fn latency_has_the_slo_legend_and_trigger_mark() {
    let c = latency(&testdata::run()).unwrap();
    let t = texts(&c.svg);
    for label in [
        "p50 latency",
        "p95 latency",
        "p99 latency",
        "p95 SLO 250 ms",
        "db upgrade",
        MARK_LABEL,
        "days from start",
        "latency (ms)",
    ] {
        assert!(t.iter().any(|x| x == label), "missing {label:?} in {t:?}");
    }
    assert!(
        !t.iter().any(|x| x == "add api"),
        "a trigger that never fired is not marked"
    );
}
#[test]
fn nan_only_series_skip_the_chart_without_panicking() {
    let mut r = testdata::run();
    for k in ["api_queue_mean", "queue_backlog_max", "queue_backlog_mean"] {
        let i = series_index(k);
        r.periods.iter_mut().for_each(|p| p.series[i] = Summary::EMPTY);
    }
    assert!(queue_backlog(&r).is_none());
    assert!(latency(&r).is_some());

    let r = testdata::all_nan();
    assert!(queue_backlog(&r).is_none());
    assert!(latency(&r).is_none());
    assert!(utilization(&r).is_none());
    assert!(database_size(&r).is_none());
    assert!(monthly_cost(&r).is_none());
    assert!(cost_by_month(&r).is_none());
}

#[test]
fn zero_storage_and_zero_cost_charts_are_skipped() {
    let mut r = testdata::run();
    let k = series_index("db_size");
    for p in &mut r.periods {
        p.series[k] = testdata::sm(0.0, 0.0);
        p.component_costs.iter_mut().for_each(|c| *c = testdata::sm(0.0, 0.0));
    }
    for m in &mut r.months {
        m.total = testdata::sm(0.0, 0.0);
        m.components.iter_mut().for_each(|c| c.1 = testdata::sm(0.0, 0.0));
    }
    assert!(database_size(&r).is_none());
    assert!(monthly_cost(&r).is_none());
    assert!(cost_by_month(&r).is_none());
    assert!(latency(&r).is_some());
}

#[test]
fn scattered_nans_break_lines_and_single_points_still_draw() {
    let mut r = testdata::run();
    let p95 = series_index("latency_p95");
    for (i, p) in r.periods.iter_mut().enumerate() {
        if i % 2 == 1 {
            p.series[p95] = Summary::EMPTY;
            p.component_costs[1] = Summary::EMPTY;
        }
        p.series[p95].ci95 = f64::NAN;
    }
    for c in [latency(&r).unwrap(), monthly_cost(&r).unwrap()] {
        assert_valid(&c);
    }
}

#[test]
fn short_horizons_use_hours_and_long_ones_days() {
    let mut r = testdata::run();
    assert_eq!(time_axis(&r).desc, "days from start");
    r.scenario.horizon_days = 1.0;
    for p in &mut r.periods {
        p.start_seconds /= 10.0;
        p.end_seconds /= 10.0;
    }
    let axis = time_axis(&r);
    assert_eq!(axis.desc, "hours from start");
    assert!((axis.end - 24.0).abs() < 1e-9);
    assert!(latency(&r).unwrap().svg.contains("hours from start"));
}

#[test]
fn sizes_pick_a_unit_by_magnitude() {
    let r = testdata::run();
    let c = database_size(&r).unwrap();
    assert!(c.title.ends_with("(GB)"), "{}", c.title);
    assert!(
        c.title.starts_with("Database size"),
        "object store is all zero so it is left out"
    );
    let mut small = testdata::run();
    let k = series_index("db_size");
    small.periods.iter_mut().for_each(|p| p.series[k].mean /= 100.0);
    assert!(database_size(&small).unwrap().title.ends_with("(MB)"));
}

/// The highest percentage on the utilization chart's y axis.
fn top_percent(r: &RunResult) -> f64 {
    texts(&utilization(r).unwrap().svg)
        .iter()
        .filter_map(|x| x.strip_suffix('%')?.parse::<f64>().ok())
        .fold(0.0, f64::max)
}

#[test]
fn utilization_axis_follows_the_data_and_keeps_thresholds_in_view() {
    let mut r = testdata::run();
    r.triggers
        .retain(|t| !["api.cpu", "api.utilization", "database.utilization"].contains(&t.condition.metric.as_str()));
    let (cpu, api) = (series_index("api_cpu"), series_index("api_utilization"));
    let util: Vec<usize> = [
        "api_cpu",
        "api_utilization",
        "db_utilization",
        "vector_utilization",
        "queue_utilization",
    ]
    .iter()
    .map(|k| series_index(k))
    .collect();
    for p in r.periods.iter_mut() {
        for &k in &util {
            p.series[k].mean = 0.01;
            p.series[k].p90 = 0.01;
        }
        p.series[api].mean = 0.05;
    }
    // Lines at 0–5 %: the axis ends a little above 5 %, not at 100 %.
    let top = top_percent(&r);
    assert!((5.0..=10.0).contains(&top), "top {top}");
    // A 15 % threshold (3× the data's peak) is drawn and in view.
    let mut t = r.triggers.first().cloned().expect("a trigger in the test data");
    t.condition.metric = "api.cpu".into();
    t.condition.unit = crate::units::Unit::Fraction;
    t.condition.threshold = 0.15;
    t.name = "cpu high".into();
    r.triggers.push(t);
    assert!(top_percent(&r) >= 15.0);
    assert!(texts(&utilization(&r).unwrap().svg)
        .iter()
        .any(|x| x == "trigger cpu high (15%)"));
    // A 70 % threshold (14× the peak) would flatten every line: the axis stays on the data and
    // the legend says where the threshold is.
    r.triggers.last_mut().unwrap().condition.threshold = 0.7;
    let top = top_percent(&r);
    assert!((5.0..=10.0).contains(&top), "top {top}");
    assert!(texts(&utilization(&r).unwrap().svg)
        .iter()
        .any(|x| x == "trigger cpu high (70%): far above the axis (the data peaks at 5%)"));
    // Overload is still shown whole.
    r.periods[9].series[cpu].mean = 1.8;
    assert!(top_percent(&r) >= 180.0);
}

#[test]
fn the_palette_keeps_12_components_apart_and_none_is_black() {
    assert!(PALETTE.len() >= 12);
    let lum = |c: &RGBColor| 0.2126 * c.0 as f64 + 0.7152 * c.1 as f64 + 0.0722 * c.2 as f64;
    for (i, a) in PALETTE.iter().enumerate() {
        assert!(lum(a) > 30.0, "colour {i} is near black and would dominate a stack");
        for b in &PALETTE[i + 1..] {
            let d = ((a.0 as f64 - b.0 as f64).powi(2)
                + (a.1 as f64 - b.1 as f64).powi(2)
                + (a.2 as f64 - b.2 as f64).powi(2))
            .sqrt();
            assert!(d > 60.0, "{a:?} and {b:?} are too alike ({d:.0})");
        }
    }
}

#[test]
fn a_component_has_the_same_colour_on_both_cost_charts() {
    let r = testdata::run();
    let (a, b) = (monthly_cost(&r).unwrap().svg, cost_by_month(&r).unwrap().svg);
    for (i, _) in r.components.iter().enumerate() {
        let c = PALETTE[i % PALETTE.len()];
        let hex = format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2);
        assert_eq!(a.contains(&hex), b.contains(&hex), "component {i} ({hex})");
    }
}

#[test]
fn cost_charts_draw_the_budget_and_time_charts_the_spread() {
    let r = testdata::run();
    let budget = r
        .checks
        .budget
        .iter()
        .find(|c| c.id.ends_with(".total"))
        .map(|c| c.limit);
    if let Some(b) = budget {
        let label = format!("budget {}", money_axis(b));
        assert!(texts(&cost_by_month(&r).unwrap().svg).contains(&label), "{label}");
        assert!(texts(&monthly_cost(&r).unwrap().svg).contains(&label), "{label}");
    }
    // A spread across replications is a band with its legend; none without one.
    let mut r = testdata::run();
    let k = series_index("latency_p95");
    for p in r.periods.iter_mut() {
        p.series[k].n = 8;
        p.series[k].p10 = p.series[k].mean * 0.8;
        p.series[k].p90 = p.series[k].mean * 1.2;
    }
    assert!(texts(&latency(&r).unwrap().svg).iter().any(|t| t == BAND_LABEL));
    for p in r.periods.iter_mut() {
        for v in p.series.iter_mut() {
            v.p10 = v.mean;
            v.p90 = v.mean;
        }
    }
    assert!(!texts(&latency(&r).unwrap().svg).iter().any(|t| t == BAND_LABEL));
}

#[test]
fn a_lone_month_is_one_labelled_bar_without_empty_ticks() {
    let mut r = testdata::run();
    r.months.truncate(1);
    let t = texts(&cost_by_month(&r).unwrap().svg);
    let months: Vec<&String> = t.iter().filter(|x| x.starts_with("Month")).collect();
    assert_eq!(months.len(), 1, "{t:?}");
    // No x tick labels besides the month: every other text is the title, a legend entry, a
    // money label or the y axis.
    assert!(
        t.iter().all(|x| x.starts_with("Month")
            || x.starts_with('$')
            || x.starts_with("Cost")
            || x.contains("cost")
            || x.starts_with("budget")
            || r.components.contains(x)),
        "{t:?}"
    );
}

#[test]
fn bars_are_labelled_with_totals() {
    let t = texts(&cost_by_month(&testdata::run()).unwrap().svg);
    assert!(t.iter().any(|x| x == "$45"), "total label in {t:?}");
    assert!(t.iter().any(|x| x == "Month 1*"));
}

#[test]
fn legend_rows_wrap_inside_the_chart() {
    let keys: Vec<Key> = (0..12)
        .map(|i| key(&format!("component number {i}"), PALETTE[0], KeyKind::Area))
        .collect();
    let layout = key_layout(&keys);
    assert_eq!(layout[0], (PLOT_LEFT, 0));
    assert!(layout.last().unwrap().1 >= 2, "twelve long labels need several rows");
    for (k, (x, _)) in keys.iter().zip(&layout) {
        assert!(*x + key_width(k) - 22 <= PLOT_RIGHT || *x == PLOT_LEFT);
    }
    assert!(texts(&monthly_cost(&testdata::run()).unwrap().svg)
        .iter()
        .any(|t| t == "vector store"));
}

#[test]
fn every_month_of_a_long_horizon_gets_a_labelled_bar() {
    let mut r = testdata::run();
    let first = r.months[0].clone();
    r.months = (1..=14)
        .map(|m| {
            let mut s = first.clone();
            s.month = m;
            s.covered = 1.0;
            s
        })
        .collect();
    let c = cost_by_month(&r).unwrap();
    assert_valid(&c);
    assert_eq!(c.title, "Cost by calendar month ($)");
    let t = texts(&c.svg);
    for m in 1..=14 {
        assert!(t.contains(&format!("M{m}")), "no label for month {m} in {t:?}");
    }
    assert!(t.iter().filter(|x| *x == "$45").count() >= 14, "a total over every bar");
}

#[test]
fn axis_numbers_are_tidy() {
    assert_eq!(axis_num(0.0), "0");
    assert_eq!(axis_num(2.5), "2.5");
    assert_eq!(axis_num(0.25), "0.25");
    assert_eq!(axis_num(250.0), "250");
    assert_eq!(axis_num(15000.0), "15K");
    assert_eq!(axis_num(2_500_000.0), "2.5M");
    // One money format on axes and labels: grouped whole dollars, cents below $10.
    assert_eq!(money_axis(1500.0), "$1,500");
    assert_eq!(money_axis(4000.0), "$4,000");
    assert_eq!(money_axis(20000.0), "$20,000");
    assert_eq!(money_axis(3543.2), "$3,543");
    assert_eq!(money_axis(1140.0), "$1,140");
    assert_eq!(money_axis(4.5), "$4.50");
    assert_eq!(money_axis(0.0), "$0");
    assert_eq!(money_axis(2_500_000.0), "$2.5M");
    assert_eq!(crate::results::SERIES.len(), crate::results::s::N);
}

#[test]
fn recovery_draws_rto_and_rpo_with_the_objectives_in_hours_or_minutes() {
    let mut r = testdata::run();
    // An RTO objective of 15 minutes, as Effect Models states it.
    let mut rto = r.triggers[1].clone();
    rto.name = "RTO over 15 min".into();
    rto.condition.metric = "database.rto".into();
    rto.condition.threshold = 900.0;
    rto.condition.unit = crate::units::Unit::Seconds;
    r.triggers.push(rto);
    let c = recovery(&r).unwrap();
    assert_valid(&c);
    let t = texts(&c.svg);
    // The daily RPO (24 h) puts the axis in hours.
    for label in [
        "RTO (restore time)",
        "RPO (data lost at most)",
        "trigger RTO over 15 min (15.0 min)",
        "time (h)",
    ] {
        assert!(t.iter().any(|x| x == label), "missing {label:?} in {t:?}");
    }
    assert!(c.title.ends_with("(h)"), "{}", c.title);
    // Without the day-long RPO, everything is under 3 hours: minutes.
    let rpo = series_index("database_rpo");
    r.periods.iter_mut().for_each(|p| p.series[rpo] = Summary::EMPTY);
    let c = recovery(&r).unwrap();
    assert!(texts(&c.svg).iter().any(|x| x == "time (min)"));
    assert!(!texts(&c.svg).iter().any(|x| x.starts_with("RPO")));
    // No backups, no chart.
    let rto = series_index("database_rto");
    r.periods.iter_mut().for_each(|p| p.series[rto] = Summary::EMPTY);
    assert!(recovery(&r).is_none());
    assert!(recovery(&testdata::all_nan()).is_none());
}
