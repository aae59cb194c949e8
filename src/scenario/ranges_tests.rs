//! Ranges: the draws lie between the ends and follow their distribution, depend on (seed,
//! replication, field) only, are written back in a form the field's parser reads as the same
//! value, and malformed ranges are refused with the field that is wrong.

use super::*;
use crate::yamlfile::{PathIndex, Sources};

fn sources(text: &str) -> Sources {
    Sources {
        files: vec![("s.yaml".into(), PathIndex::build(text).expect("index"))],
    }
}

fn specs(text: &str) -> Result<Vec<Spec>, Vec<InputError>> {
    let doc: Value = serde_yaml::from_str(text).expect("yaml");
    find(&doc, &sources(text))
}

fn one_spec(text: &str) -> Spec {
    let mut s = specs(text).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(s.len(), 1);
    s.remove(0)
}

/// The mean and variance of each shape, from its definition (not from `Shape::mean`).
fn moments(shape: Shape, a: f64, b: f64) -> (f64, f64) {
    match shape {
        Shape::Uniform => ((a + b) / 2.0, (b - a).powi(2) / 12.0),
        Shape::Loguniform => {
            let l = b.ln() - a.ln();
            let m = (b - a) / l;
            (m, (b * b - a * a) / (2.0 * l) - m * m)
        }
        Shape::Triangular { mode: c } => (
            (a + b + c) / 3.0,
            (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0,
        ),
    }
}

#[test]
fn draws_lie_between_the_ends_and_their_mean_is_the_distributions() {
    let cases = [
        "x: {range: [500KB, 5MB]}",
        "x: {range: [500KB, 5MB], dist: loguniform}",
        "x: {range: [\"30m\", \"45m\"], dist: triangular, mode: 40m}",
        "x: {range: [0.1, 0.9], dist: triangular, mode: 0.8}",
        "x: {range: [\"100/min\", \"10/s\"], dist: loguniform}",
    ];
    let n = 20_000u32;
    for text in cases {
        let s = one_spec(text);
        let (a, b) = (s.low(), s.high());
        let draws: Vec<f64> = (0..n).map(|r| s.draw(7, r)).collect();
        assert!(
            draws.iter().all(|x| (a..=b).contains(x)),
            "{text}: a draw outside [{a}, {b}]"
        );
        let (mean, var) = moments(s.shape, a, b);
        assert!((s.shape.mean(a, b) - mean).abs() <= 1e-9 * mean, "{text}: Shape::mean");
        let got = draws.iter().sum::<f64>() / f64::from(n);
        // Five standard errors: a correct generator fails this about once in 1.7 million.
        let tol = 5.0 * (var / f64::from(n)).sqrt();
        assert!((got - mean).abs() <= tol, "{text}: mean {got}, expected {mean} ± {tol}");
        // Both halves of the range are reached.
        let mid = (a + b) / 2.0;
        assert!(
            draws.iter().any(|x| *x < mid) && draws.iter().any(|x| *x > mid),
            "{text}"
        );
    }
}

#[test]
fn integer_ends_draw_every_whole_number_between_them_equally_often() {
    let s = one_spec("x: {range: [2, 5]}");
    assert!(s.integer());
    let n = 40_000u32;
    let mut counts = [0u32; 4];
    for r in 0..n {
        let x = s.draw(1, r);
        assert_eq!(x, x.round(), "a whole number");
        counts[(x - 2.0) as usize] += 1;
    }
    // Each of 4 values has p = 1/4: standard deviation sqrt(n p (1 − p)) ≈ 87; allow 5 of them.
    for c in counts {
        assert!((f64::from(c) - 10_000.0).abs() < 5.0 * 86.7, "{counts:?}");
    }
    let written = s.write(s.draw(1, 0));
    assert!(written.is_i64(), "written as an integer: {written:?}");
}

#[test]
fn a_draw_depends_on_seed_replication_and_field_only() {
    let s = specs("a: {range: [1KB, 1MB]}\nb: {range: [1KB, 1MB]}").unwrap();
    assert_eq!(s[0].draw(3, 5), s[0].draw(3, 5));
    assert_ne!(s[0].draw(3, 5), s[1].draw(3, 5), "fields draw independently");
    assert_ne!(s[0].draw(3, 5), s[0].draw(3, 6));
    assert_ne!(s[0].draw(3, 5), s[0].draw(4, 5));
    // Adding a range elsewhere does not change this one's draws.
    let more = specs("z: {range: [1, 9]}\na: {range: [1KB, 1MB]}").unwrap();
    assert_eq!(more[1].draw(3, 5), s[0].draw(3, 5));
}

#[test]
fn a_written_draw_reads_back_as_the_value_drawn() {
    type Parse = fn(&str) -> Result<f64, String>;
    let cases: [(&str, Parse); 5] = [
        ("x: {range: [500KB, 5MB]}", units::parse_bytes),
        ("x: {range: [1GiB, 2GiB]}", units::parse_bytes),
        ("x: {range: [30m, 2h]}", units::parse_seconds),
        ("x: {range: [\"500/min\", \"20/s\"]}", units::parse_rate),
        ("x: {range: [143K, 1.5M]}", units::parse_count),
    ];
    for (text, parse) in cases {
        let s = one_spec(text);
        for r in 0..50 {
            let v = s.draw(9, r);
            let back = match s.write(v) {
                Value::String(t) => parse(&t).unwrap(),
                Value::Number(n) => n.as_f64().unwrap(),
                other => panic!("{other:?}"),
            };
            assert!((back - v).abs() <= 1e-9 * v, "{text}: {v} written reads {back}");
        }
    }
    let money = one_spec("x: {range: [$10, $20]}");
    assert!(matches!(money.write(15.5), Value::Number(_)));
    let pct = one_spec("x: {range: [10%, 30%]}");
    assert_eq!(pct.write(0.2), Value::Number(0.2.into()));
}

#[test]
fn a_document_gets_each_range_replaced_where_it_was() {
    let text = "a:\n  - {b: {range: [1MB, 2MB]}}\n  - c\nd.e: {range: [1, 3]}\n";
    let doc: Value = serde_yaml::from_str(text).unwrap();
    let s = find(&doc, &sources(text)).unwrap();
    assert_eq!(s[0].path, "a[0].b");
    assert_eq!(s[1].path, "d.e");
    let low = ends(&doc, &s, false);
    assert_eq!(low["a"][0]["b"], Value::String("1MB".into()));
    assert_eq!(low["d.e"], Value::Number(1.into()));
    let (drawn, values) = draws(&doc, &s, 1, 0);
    assert_eq!(values.len(), 2);
    assert!(drawn["a"][0]["b"].is_string() && drawn["d.e"].is_i64());
    assert_eq!(drawn["a"][1], Value::String("c".into()));
}

fn refused(text: &str) -> InputError {
    let e = specs(text).expect_err("refused");
    assert_eq!(e.len(), 1, "{e:?}");
    e.into_iter().next().unwrap()
}

#[test]
fn malformed_ranges_are_refused_at_their_field() {
    let cases = [
        ("x: {range: [5MB, 500KB]}", "x.range", "above the high end"),
        ("x: {range: [5MB, 30m]}", "x.range", "same kind of unit"),
        ("x: {range: [5, 30m]}", "x.range", "same kind of unit"),
        ("x: {range: [1MB]}", "x.range", "two values"),
        ("x: {range: 1MB}", "x.range", "two values"),
        (
            "x: {range: [abc, 1MB]}",
            "x.range[0]",
            "expected a number or a quantity",
        ),
        ("x: {range: [1 parsec, 1MB]}", "x.range[0]", "cannot read `1 parsec`"),
        (
            "x: {range: [1MB, [2MB]]}",
            "x.range[1]",
            "expected a number or a quantity",
        ),
        ("x: {range: [-1, 4]}", "x.range[0]", "zero or more"),
        ("x: {range: [1, 4], dist: normal}", "x.dist", "unknown distribution"),
        ("x: {range: [1, 4], dist: triangular}", "x", "needs a `mode`"),
        (
            "x: {range: [1, 4], dist: triangular, mode: 5}",
            "x.mode",
            "outside the range",
        ),
        ("x: {range: [1, 4], mode: 2}", "x.mode", "for `dist: triangular` only"),
        ("x: {range: [0B, 4MB], dist: loguniform}", "x.range", "above zero"),
        ("x: {range: [1, 4], step: 1}", "x", "unknown field `step`"),
    ];
    for (text, field, words) in cases {
        let e = refused(text);
        assert_eq!(e.field, field, "{text}: {e}");
        assert!(e.reason.contains(words), "{text}: {}", e.reason);
        assert_eq!(e.line, Some(1), "{text}: located");
    }
}

#[test]
fn a_size_may_mix_decimal_binary_and_shared_suffixes() {
    let s = one_spec("x: {range: [500K, 1MiB]}");
    assert_eq!((s.low(), s.high()), (500e3, 1048576.0));
    assert_eq!(s.unit(), Some(Unit::Bytes));
    let d = one_spec("x: {range: [90s, 1h]}");
    assert_eq!((d.low(), d.high()), (90.0, 3600.0));
    assert!(one_spec("x: {range: [2, 2]}").degenerate());
    assert!(one_spec("x: {range: [1000KB, 1MB]}").degenerate());
}

#[test]
fn too_many_ranges_are_refused() {
    let text: String = (0..=MAX_RANGES).map(|i| format!("k{i}: {{range: [1, 2]}}\n")).collect();
    let e = specs(&text).expect_err("refused");
    assert!(e[0].reason.contains("at most"), "{}", e[0]);
}
