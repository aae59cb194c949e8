//! capsim's benchmarks: `cargo bench`. Groups live in `benches/benchmarks/`.
use criterion::criterion_main;

mod benchmarks;

criterion_main! {
    benchmarks::engine::benches,
    benchmarks::scenario::benches,
    benchmarks::pricing::benches,
    benchmarks::report::benches,
}
