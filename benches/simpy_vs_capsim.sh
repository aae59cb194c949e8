#!/usr/bin/env bash
# SimPy and capsim on the same M/M/c model, in one go: customers per second and the ratio.
#
#   bash benches/simpy_vs_capsim.sh [customers]      (default 2,000,000 for capsim, 1/10 for SimPy)
#
# The model: Poisson arrivals at 32/s, exponential service of mean 100 ms, 4 servers
# (M/M/4 at ρ = 0.8). Both run one replication on one thread; both report the mean wait,
# which must agree with Erlang C (74.6 ms). Needs Python 3 with pip (SimPy is installed if absent).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-2000000}
python3 -c "import simpy" 2>/dev/null || python3 -m pip install --quiet simpy
cargo build --release --quiet

SIMPY_N=$((N / 10))
simpy_out=$(python3 - "$SIMPY_N" <<'PY'
import random, sys, time
import simpy
n = int(sys.argv[1]); lam, mu, c = 32.0, 10.0, 4
env = simpy.Environment(); servers = simpy.Resource(env, capacity=c)
rng = random.Random(1); waits = []
def customer(env):
    arrive = env.now
    with servers.request() as req:
        yield req
        waits.append(env.now - arrive)
        yield env.timeout(rng.expovariate(mu))
def source(env):
    for _ in range(n):
        yield env.timeout(rng.expovariate(lam))
        env.process(customer(env))
env.process(source(env))
t = time.perf_counter(); env.run(); dt = time.perf_counter() - t
print(f"{len(waits) / dt:.0f} {sum(waits) / len(waits):.6f}")
PY
)
read -r simpy_rate simpy_wait <<<"$simpy_out"

horizon=$(python3 -c "print(f'{$N / 32.0:.0f}s')")
dir=$(mktemp -d)
cat > "$dir/mm4.yaml" <<YAML
name: M/M/4 benchmark
stage: s
seed: 1
replications: 1
horizon: $horizon
resolution: $horizon
simulation: {mode: full}
traffic: {arrival_rate: 32/s}
requests: {r: {share: 100%, cpu: {dist: exponential, mean: 100ms}}}
stages: {s: {api: {vcpu: 4, workers: 4}}}
YAML
start=$(date +%s.%N)
./target/release/capsim run "$dir/mm4.yaml" --threads 1 --quiet --out "$dir/report" >/dev/null
end=$(date +%s.%N)
capsim_wait=$(python3 -c "import json; r=json.load(open('$dir/report/summary.json')); print(r['stations'][0]['sim_wait']['mean'])")
capsim_rate=$(python3 -c "print(f'{$N / ($end - $start):.0f}')")
rm -rf "$dir"

printf 'model: M/M/4, λ = 32/s, E[S] = 100 ms (ρ = 0.8); Erlang C mean wait = 0.074551 s\n'
printf '%-8s %12s customers  %14s customers/s  mean wait %.6f s\n' SimPy "$SIMPY_N" "$simpy_rate" "$simpy_wait"
printf '%-8s %12s customers  %14s customers/s  mean wait %.6f s  (whole CLI run: load, simulate, write report)\n' capsim "$N" "$capsim_rate" "$capsim_wait"
python3 -c "print(f'ratio capsim / SimPy: {$capsim_rate / $simpy_rate:.0f}x')"
