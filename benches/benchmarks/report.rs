//! Rendering a whole report (markdown, CSV, JSON, SVG charts, HTML) from a finished GA run.
use criterion::{criterion_group, Criterion};

fn report(c: &mut Criterion) {
    let (sc, cat) = super::load(&super::repo().join("scenarios").join("ga.yaml"));
    let cfg = capsim::run::RunConfig {
        replications: 4,
        ..capsim::run::RunConfig::of(&sc)
    };
    let r = capsim::run::run(&sc, &cat, &cfg).expect("run");
    let mut g = c.benchmark_group("report");
    g.bench_function("render_all_ga_180_days", |b| {
        b.iter(|| capsim::report::render_all(&r).len())
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = report
}
