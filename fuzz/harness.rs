//! A mutation fuzzer over capsim's input side: the scenario loader (with `extends:`, the
//! checks against the catalog, and the work estimate), the catalog loader and the unit parser.
//!
//! Stable Rust has no coverage-guided fuzzing (cargo-fuzz needs a nightly compiler), so this
//! is a deterministic mutation fuzzer: seeds are the repository's own scenarios, catalogs and
//! `fuzz/corpus/`; each execution stacks one to four mutations (byte edits, YAML tokens,
//! extreme numbers and units, field names, `extends:` targets such as `/dev/zero`, deletions,
//! duplications, splices of two files). As feedback it keeps an input that produced an error
//! message of a new shape (digits and quoted text removed), so it wanders into deeper checks.
//!
//! A loaded scenario that is small enough is also simulated (one replication) and its report
//! rendered. Every execution must return (a panic is caught and recorded), and every outcome must keep
//! the invariants in [`Fuzzer::check_message`] and [`Fuzzer::exec_units`]. Shared by
//! `fuzz/main.rs` (the long run) and `tests/integration/fuzz.rs` (a short run in `cargo test`).

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::collections::HashSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What one execution feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Scenario,
    Catalog,
    Units,
}

/// Something wrong that an execution found: a panic or a broken invariant, with its input.
#[derive(Debug, Clone)]
pub struct Finding {
    pub target: Target,
    pub what: String,
    pub input: String,
}

/// Counts of one run.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    pub execs: u64,
    pub scenarios_loaded: u64,
    pub scenarios_refused_by_estimate: u64,
    /// Loaded scenarios small enough that one replication was run and its report rendered.
    pub scenarios_simulated: u64,
    pub catalogs_loaded: u64,
    pub units_parsed: u64,
    pub errors: u64,
    /// Distinct shapes of error messages seen.
    pub shapes: usize,
    pub slowest: Duration,
    pub slowest_target: Option<Target>,
    pub findings: Vec<Finding>,
}

/// Tokens a mutation inserts or substitutes.
const TOKENS: &[&str] = &[
    "[",
    "]",
    "{",
    "}",
    ": ",
    "- ",
    "? ",
    ",",
    "\n",
    "  ",
    "\t",
    "#",
    "'",
    "\"",
    "|",
    ">",
    "&a ",
    "*a",
    "!!str ",
    "!!binary ",
    "---\n",
    "...\n",
    "\u{feff}",
    "~",
    "null",
    "true",
    "<<: *a",
    "\\",
    "%YAML 1.2\n",
];
const NUMBERS: &[&str] = &[
    "0",
    "-1",
    "1",
    "1e308",
    "1e-300",
    "4294967295",
    "4294967296",
    "18446744073709551616",
    "-0",
    ".nan",
    ".inf",
    "-.inf",
    "1e15",
    "NaN",
    "1.5",
    "0.0000001",
    "65535",
    "999999999999",
    "2",
    "1_000",
    "0x10",
    "1e9",
    "100000000000000000000000000",
    "0.000000000000000000000001",
];
const UNITS: &[&str] = &[
    "ms", "s", "us", "µs", "m", "min", "h", "d", "w", "month", "%", "$", "USD", "B", "KB", "MB", "GB", "TB", "KiB",
    "GiB", "/s", "/min", "/h", "/d", "/month", "K", "M", "G", "/0s", "/1e-300s", " ",
];
const FIELDS: &[&str] = &[
    "name",
    "stage",
    "horizon",
    "resolution",
    "hours_per_month",
    "replications",
    "seed",
    "simulation",
    "mode",
    "window",
    "warmup",
    "max_in_flight",
    "traffic",
    "users",
    "growth",
    "from",
    "to",
    "over",
    "doubling",
    "midpoint",
    "spread",
    "points",
    "concurrent",
    "sessions_per_user_per_week",
    "requests_per_session",
    "think_time",
    "daily_shape",
    "peak_factor",
    "peak_hours",
    "hourly",
    "weekly_shape",
    "arrival_rate",
    "requests",
    "share",
    "cpu",
    "db_queries",
    "cache_lookups",
    "vector_queries",
    "calls",
    "jobs",
    "egress",
    "writes",
    "dist",
    "mean",
    "p50",
    "p95",
    "cv",
    "min",
    "max",
    "value",
    "stages",
    "api",
    "instances",
    "max_instances",
    "vcpu",
    "ram",
    "workers",
    "max_queue",
    "queue_timeout",
    "ram_in_use",
    "idle_cpu",
    "database",
    "connections",
    "pooler",
    "query_time",
    "pool_timeout",
    "reject_when_busy",
    "cache",
    "hit_rate",
    "vector_store",
    "servers",
    "vectors",
    "queue",
    "concurrency",
    "rate_limit",
    "per",
    "job_time",
    "external",
    "latency",
    "services",
    "count",
    "usage",
    "per_request",
    "per_session",
    "per_user_month",
    "per_month",
    "storage",
    "records",
    "size",
    "retention",
    "triggers",
    "metric",
    "above",
    "below",
    "sustained",
    "cooldown",
    "action",
    "upgrade",
    "add_instances",
    "switch_stage",
    "component",
    "plan",
    "provider",
    "budget",
    "monthly",
    "slo",
    "latency_p95",
    "error_rate",
    "plan_says",
    "extends",
    "pricing",
    "plans",
    "fee",
    "tiers",
    "included",
    "overage",
    "meters",
    "sizes",
    "provenance",
    "confidence",
    "as_of",
    "account",
    "multiplier",
    "seats",
];
const EXTENDS: &[&str] = &[
    "/dev/zero",
    "/dev/null",
    "/etc/passwd",
    "/proc/self/status",
    "/tmp",
    ".",
    "common/learnr-base.yaml",
    "../pricing/supabase.yaml",
    "fuzz.yaml",
    "mvp.yaml",
    "../benches/scenarios/year-365.yaml",
    "",
];

/// The largest input the fuzzer builds (files are read up to 1 MiB; beyond a few hundred KB
/// more text only slows the run down).
const MAX_INPUT: usize = 256 * 1024;
/// A loaded scenario estimated at fewer events per replication is simulated (one replication)
/// and its report rendered, so the engine and the report see the odd values that pass.
const SIMULATE_BELOW: f64 = 200_000.0;
/// Message shapes remembered (the set stops growing there, so memory stays bounded).
const MAX_SHAPES: usize = 100_000;
/// Inputs kept for the message-shape feedback.
const POOL: usize = 4096;

pub struct Fuzzer {
    rng: SmallRng,
    repo: PathBuf,
    scenarios: Vec<String>,
    catalogs: Vec<String>,
    units: Vec<String>,
    pool: Vec<(Target, String)>,
    shapes: HashSet<String>,
    catalog: capsim::pricing::Catalog,
    pub stats: Stats,
}

fn read_dir_yaml(dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.extension().is_some_and(|x| x == "yaml") {
            if let Ok(text) = capsim::input::read_text(&p) {
                out.push(text);
            }
        }
    }
}

/// An error message with its particulars removed: the file, digits, text in backticks, and the
/// list of allowed values (which holds the input's own names).
fn shape(msg: &str) -> String {
    let first = msg.lines().next().unwrap_or("");
    let first = first.split_once(": ").map(|x| x.1).unwrap_or(first);
    let mut out = String::new();
    let mut in_tick = false;
    for c in first.chars() {
        match c {
            '`' => {
                in_tick = !in_tick;
                out.push('`');
            }
            _ if in_tick => {}
            '0'..='9' => {
                if !out.ends_with('#') {
                    out.push('#');
                }
            }
            _ => out.push(c),
        }
    }
    out
}

impl Fuzzer {
    /// A fuzzer over the repository at `repo`, seeded with `seed` (the same seed replays the
    /// same executions).
    pub fn new(repo: &Path, seed: u64) -> Fuzzer {
        let mut scenarios = Vec::new();
        for d in [
            "scenarios",
            "scenarios/common",
            "scenarios/textbook",
            "benches/scenarios",
            "tests/fixtures",
            "tests/fixtures/bounds",
            "fuzz/corpus/scenarios",
        ] {
            read_dir_yaml(&repo.join(d), &mut scenarios);
        }
        let mut catalogs = Vec::new();
        read_dir_yaml(&repo.join("pricing"), &mut catalogs);
        read_dir_yaml(&repo.join("fuzz/corpus/catalogs"), &mut catalogs);
        let units = capsim::input::read_text(&repo.join("fuzz/corpus/units.txt"))
            .map(|t| t.lines().map(str::to_string).collect())
            .unwrap_or_default();
        let catalog = capsim::pricing::Catalog::load_dir(&repo.join("pricing"), capsim::pricing::ChosenBy::Flag)
            .expect("the shipped catalogs load");
        assert!(
            !scenarios.is_empty() && !catalogs.is_empty(),
            "corpus not found under {}",
            repo.display()
        );
        Fuzzer {
            rng: SmallRng::seed_from_u64(seed),
            repo: repo.to_path_buf(),
            scenarios,
            catalogs,
            units,
            pool: Vec::new(),
            shapes: HashSet::new(),
            catalog,
            stats: Stats::default(),
        }
    }

    fn pick<'a>(&mut self, list: &'a [&'a str]) -> &'a str {
        list[self.rng.gen_range(0..list.len())]
    }

    fn seed_text(&mut self, target: Target) -> String {
        let from_pool = !self.pool.is_empty() && self.rng.gen_bool(0.4);
        if from_pool {
            let (t, text) = &self.pool[self.rng.gen_range(0..self.pool.len())];
            if *t == target {
                return text.clone();
            }
        }
        let list = match target {
            Target::Scenario => &self.scenarios,
            Target::Catalog => &self.catalogs,
            Target::Units => &self.units,
        };
        if list.is_empty() {
            return String::new();
        }
        list[self.rng.gen_range(0..list.len())].clone()
    }

    /// Something to insert: a token, a number with or without a unit, a field, a path.
    fn fragment(&mut self) -> String {
        match self.rng.gen_range(0..6) {
            0 => self.pick(TOKENS).to_string(),
            1 => self.pick(NUMBERS).to_string(),
            2 => format!("{}{}", self.pick(NUMBERS), self.pick(UNITS)),
            3 => format!("{}: ", self.pick(FIELDS)),
            4 => format!("extends: {}\n", self.pick(EXTENDS)),
            _ => {
                let n = self.rng.gen_range(1..64);
                let open = self.pick(&["[", "{", "- ", "  "]);
                open.repeat(n)
            }
        }
    }

    fn mutate(&mut self, text: &mut Vec<u8>, other: &str) {
        let len = text.len();
        let at = |rng: &mut SmallRng, n: usize| if n == 0 { 0 } else { rng.gen_range(0..=n) };
        match self.rng.gen_range(0..8) {
            0 if len > 0 => {
                let i = self.rng.gen_range(0..len);
                text[i] = self.rng.gen();
            }
            1 | 2 => {
                let i = at(&mut self.rng, len);
                let f = self.fragment();
                text.splice(i..i, f.bytes());
            }
            3 if len > 0 => {
                let a = self.rng.gen_range(0..len);
                let b = (a + self.rng.gen_range(1..64)).min(len);
                text.drain(a..b);
            }
            4 if len > 0 => {
                let a = self.rng.gen_range(0..len);
                let b = (a + self.rng.gen_range(1..256)).min(len);
                let copy: Vec<u8> = text[a..b].to_vec();
                let i = at(&mut self.rng, len);
                text.splice(i..i, copy);
            }
            5 if !other.is_empty() => {
                let o = other.as_bytes();
                let a = self.rng.gen_range(0..o.len());
                let b = (a + self.rng.gen_range(1..512)).min(o.len());
                let i = at(&mut self.rng, len);
                let j = (i + self.rng.gen_range(0..128)).min(len);
                text.splice(i..j, o[a..b].iter().copied());
            }
            6 => {
                // Replace a value after `: ` with an extreme number and unit.
                let mut s = String::from_utf8_lossy(text).into_owned();
                let spots: Vec<usize> = s.match_indices(": ").map(|(i, _)| i + 2).collect();
                if let Some(&i) = spots.get(at(&mut self.rng, spots.len().saturating_sub(1))) {
                    let end = s[i..].find(['\n', ',', '}']).map(|e| i + e).unwrap_or(s.len());
                    let v = format!("{}{}", self.pick(NUMBERS), self.pick(UNITS));
                    s.replace_range(i..end, &v);
                }
                *text = s.into_bytes();
            }
            _ => {
                // Duplicate a line (repetition makes lists long and keys repeat).
                let s = String::from_utf8_lossy(text).into_owned();
                let starts: Vec<usize> = std::iter::once(0)
                    .chain(s.match_indices('\n').map(|(i, _)| i + 1))
                    .collect();
                let lines: Vec<&str> = s.lines().collect();
                if !lines.is_empty() {
                    let l = lines[self.rng.gen_range(0..lines.len())];
                    let i = starts[self.rng.gen_range(0..starts.len())].min(s.len());
                    let line = format!("{l}\n");
                    let mut out = s.clone().into_bytes();
                    out.splice(i..i, line.bytes());
                    *text = out;
                }
            }
        }
        text.truncate(MAX_INPUT);
    }

    /// The invariants of every error message: it says something, names no Rust type, and
    /// stays short (quoted values are bounded; the allowed list is bounded by the schema and
    /// the catalog).
    fn check_message(&mut self, target: Target, input: &str, msg: &str) {
        let problem = if msg.trim().is_empty() {
            Some("an empty error message")
        } else if ["Raw", "untagged", "struct ", "enum "].iter().any(|w| msg.contains(w)) {
            Some("an error message names a Rust type")
        } else if msg.chars().count() > 8_000 {
            Some("an error message longer than 8,000 characters")
        } else {
            None
        };
        if let Some(what) = problem {
            self.stats.findings.push(Finding {
                target,
                what: format!("{what}: {}", msg.chars().take(500).collect::<String>()),
                input: input.to_string(),
            });
        }
        if self.shapes.len() < MAX_SHAPES && self.shapes.insert(shape(msg)) {
            if self.pool.len() < POOL {
                self.pool.push((target, input.to_string()));
            } else {
                let i = self.rng.gen_range(0..POOL);
                self.pool[i] = (target, input.to_string());
            }
        }
    }

    fn exec_scenario(&mut self, text: &str) {
        let path = self.repo.join("scenarios/fuzz.yaml");
        match capsim::scenario::load_str(&path, text, &self.catalog) {
            Ok(sc) => {
                self.stats.scenarios_loaded += 1;
                let e = capsim::work::estimate(&sc, Some(2));
                let sane = e.events_per_request >= 3.0 && e.periods >= 1 && e.months >= 1 && e.threads >= 1;
                if !sane {
                    self.stats.findings.push(Finding {
                        target: Target::Scenario,
                        what: format!("an impossible estimate: {e:?}"),
                        input: text.to_string(),
                    });
                }
                if let Some(reason) = capsim::work::refusal(&e, &capsim::work::Caps::default()) {
                    self.stats.scenarios_refused_by_estimate += 1;
                    self.check_message(Target::Scenario, text, &reason);
                } else if e.events() / f64::from(e.replications) < SIMULATE_BELOW && e.periods <= 100 {
                    // Small enough to run: one replication, and its whole report.
                    let mut sc = sc;
                    sc.replications = 1;
                    let cfg = capsim::run::RunConfig::of(&sc);
                    let r = capsim::run::run(&sc, &self.catalog, &cfg).expect("the current thread pool");
                    let _ = capsim::report::render_all(&r);
                    self.stats.scenarios_simulated += 1;
                }
            }
            Err(errors) => {
                self.stats.errors += 1;
                for e in &errors.0 {
                    self.check_message(Target::Scenario, text, &e.to_string());
                }
            }
        }
    }

    fn exec_catalog(&mut self, text: &str) {
        let path = self.repo.join("pricing/fuzz.yaml");
        match capsim::pricing::provider_from_text(&path, text) {
            Ok(_) => self.stats.catalogs_loaded += 1,
            Err(errors) => {
                self.stats.errors += 1;
                for e in &errors.0 {
                    self.check_message(Target::Catalog, text, &e.to_string());
                }
            }
        }
    }

    /// Every parser on the text: a value read is finite and never negative.
    fn exec_units(&mut self, text: &str) {
        use capsim::units::*;
        type Parse = fn(&str) -> Result<f64, String>;
        let parsers: [(&str, Parse); 6] = [
            ("bytes", parse_bytes),
            ("seconds", parse_seconds),
            ("fraction", parse_fraction),
            ("money", parse_money),
            ("count", parse_count),
            ("rate", parse_rate),
        ];
        for (name, parse) in parsers {
            match parse(text) {
                Ok(v) if v.is_finite() && v >= 0.0 => self.stats.units_parsed += 1,
                Ok(v) => self.stats.findings.push(Finding {
                    target: Target::Units,
                    what: format!("parse_{name} read {v}"),
                    input: text.to_string(),
                }),
                Err(msg) => self.check_message(Target::Units, text, &msg),
            }
        }
    }

    /// Builds the next input: its target and text.
    pub fn next_input(&mut self) -> (Target, String) {
        let target = match self.rng.gen_range(0..20) {
            0..=11 => Target::Scenario,
            12..=16 => Target::Catalog,
            _ => Target::Units,
        };
        let mut bytes = self.seed_text(target).into_bytes();
        let other_target = if self.rng.gen_bool(0.8) {
            target
        } else {
            Target::Scenario
        };
        let other = self.seed_text(other_target);
        for _ in 0..self.rng.gen_range(1..=4) {
            self.mutate(&mut bytes, &other);
        }
        (target, String::from_utf8_lossy(&bytes).into_owned())
    }

    /// Runs one input, catching a panic; returns how long it took.
    pub fn exec(&mut self, target: Target, text: &str) -> Duration {
        let start = Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(|| match target {
            Target::Scenario => self.exec_scenario(text),
            Target::Catalog => self.exec_catalog(text),
            Target::Units => self.exec_units(text),
        }));
        if let Err(panic) = outcome {
            let what = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            self.stats.findings.push(Finding {
                target,
                what: format!("panic: {what}"),
                input: text.to_string(),
            });
        }
        let took = start.elapsed();
        self.stats.execs += 1;
        self.stats.shapes = self.shapes.len();
        if took > self.stats.slowest {
            self.stats.slowest = took;
            self.stats.slowest_target = Some(target);
        }
        took
    }

    /// Runs `n` executions (the short run of `tests/integration/fuzz.rs`; `fuzz/main.rs` has its
    /// own loop with a watchdog).
    #[allow(dead_code)]
    pub fn run(&mut self, n: u64) {
        for _ in 0..n {
            let (target, text) = self.next_input();
            self.exec(target, &text);
        }
    }
}
