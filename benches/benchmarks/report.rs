//! Rendering a whole report (markdown, CSV, JSON, SVG charts, HTML) from a finished GA run.
use criterion::{criterion_group, Criterion};

fn report(c: &mut Criterion) {
    let (mut sc, cat) = super::load(&super::repo().join("scenarios").join("ga.yaml"));
    sc.replications = 4;
    let r = capsim::run::run(&sc, &cat);
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
