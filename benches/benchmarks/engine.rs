//! The engine alone on the M/M/4 at ρ = 0.8 of BENCHMARKS.md: customers per second.
use capsim::engine::{Engine, EngineConfig, PeriodAcc};
use capsim::infra::Infra;
use criterion::{criterion_group, BenchmarkId, Criterion, Throughput};
use rand::rngs::SmallRng;
use rand::SeedableRng;

/// λ = 32/s, exponential service of mean 100 ms, 4 servers.
pub const MM4: &str = "name: bench\nstage: s\nreplications: 1\nhorizon: 1d\nresolution: 1d\n\
    simulation: {mode: full}\ntraffic: {arrival_rate: 32/s}\n\
    requests: {r: {share: 100%, cpu: {dist: exponential, mean: 100ms}}}\n\
    stages: {s: {api: {vcpu: 4, workers: 4}}}\n";

fn engine(c: &mut Criterion) {
    let (sc, cat) = super::load_text(MM4);
    let stage = &sc.stages["s"];
    let infra = Infra::resolve(stage, &cat).unwrap();
    let mut g = c.benchmark_group("engine");
    for seconds in [3600.0, 4.0 * 3600.0] {
        let customers = (32.0 * seconds) as u64;
        g.throughput(Throughput::Elements(customers));
        g.bench_with_input(
            BenchmarkId::new("mm4_rho0.8_customers", customers),
            &seconds,
            |b, &secs| {
                b.iter(|| {
                    let mut acc = PeriodAcc::new(&infra);
                    let cfg = EngineConfig::new(&sc, stage, &infra);
                    let mut e = Engine::new(&sc, cfg, SmallRng::seed_from_u64(1), 0.0);
                    e.begin_measuring(&mut acc);
                    e.run_until(secs, &mut acc);
                    acc.completed
                })
            },
        );
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = engine, bare_loop
}

/// The reference "bare loop": a binary heap of (time, kind) and a small RNG, nothing else —
/// the same M/M/4, to express the engine's speed as a share of the floor.
fn bare_loop(c: &mut Criterion) {
    use rand::Rng;
    use std::cmp::Reverse;
    use std::collections::{BinaryHeap, VecDeque};
    let mut g = c.benchmark_group("engine");
    let customers: u64 = 32 * 3600;
    g.throughput(Throughput::Elements(customers));
    g.bench_function(BenchmarkId::new("bare_loop_mm4_customers", customers), |b| {
        b.iter(|| {
            let mut rng = SmallRng::seed_from_u64(1);
            let exp = |rng: &mut SmallRng, rate: f64| -(1.0 - rng.gen::<f64>()).ln() / rate;
            let mut heap: BinaryHeap<Reverse<(u64, u8)>> = BinaryHeap::new();
            let mut queue: VecDeque<f64> = VecDeque::new();
            let (mut busy, mut done, mut wait_sum) = (0u32, 0u64, 0.0f64);
            heap.push(Reverse((exp(&mut rng, 32.0).to_bits(), 0)));
            while let Some(Reverse((t, kind))) = heap.pop() {
                let now = f64::from_bits(t);
                if now > 3600.0 {
                    break;
                }
                if kind == 0 {
                    heap.push(Reverse(((now + exp(&mut rng, 32.0)).to_bits(), 0)));
                    if busy < 4 {
                        busy += 1;
                        heap.push(Reverse(((now + exp(&mut rng, 10.0)).to_bits(), 1)));
                    } else {
                        queue.push_back(now);
                    }
                } else {
                    done += 1;
                    match queue.pop_front() {
                        Some(a) => {
                            wait_sum += now - a;
                            heap.push(Reverse(((now + exp(&mut rng, 10.0)).to_bits(), 1)));
                        }
                        None => busy -= 1,
                    }
                }
            }
            (done, wait_sum)
        })
    });
    g.finish();
}
