//! The long fuzz run (see fuzz/README.md):
//!
//! ```sh
//! cargo run --release --example fuzz -- --execs 1000000 --seed 1
//! ```
//!
//! Runs the harness of `fuzz/harness.rs` under an address-space limit (`--memory`, default
//! 2 GiB: an input that makes capsim allocate without bound aborts the run), with a watchdog
//! that stops the run and saves the input if one execution takes longer than `--hang`
//! seconds (default 10). Prints progress, then executions, findings, the slowest execution and
//! the peak resident memory. Findings are saved under `fuzz/findings/`; the exit code is 1 if
//! there are any.

#[path = "harness.rs"]
mod harness;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Args {
    execs: u64,
    seed: u64,
    memory: u64,
    hang: u64,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        execs: 1_000_000,
        seed: 1,
        memory: 2 << 30,
        hang: 10,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        let n: u64 = value
            .parse()
            .map_err(|_| format!("{flag}: expected a whole number, found `{value}`"))?;
        match flag.as_str() {
            "--execs" => a.execs = n,
            "--seed" => a.seed = n,
            "--memory" => a.memory = n << 20,
            "--hang" => a.hang = n,
            _ => {
                return Err(format!(
                    "unknown option {flag}; options: --execs N --seed N --memory MiB --hang SECONDS"
                ))
            }
        }
    }
    Ok(a)
}

/// Peak resident memory of this process (Linux), in KiB.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn limit_memory(bytes: u64) {
    let lim = libc::rlimit {
        rlim_cur: bytes,
        rlim_max: bytes,
    };
    // SAFETY: a plain system call on this process.
    if unsafe { libc::setrlimit(libc::RLIMIT_AS, &lim) } != 0 {
        eprintln!(
            "warning: could not limit the address space: {}",
            std::io::Error::last_os_error()
        );
    }
}

fn save(dir: &std::path::Path, name: &str, text: &str) {
    let _ = std::fs::create_dir_all(dir);
    let _ = std::fs::write(dir.join(name), text);
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let repo = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let findings_dir = repo.join("fuzz/findings");
    let mut fuzzer = harness::Fuzzer::new(&repo, args.seed);
    limit_memory(args.memory);
    // Panics are caught and recorded by the harness; their default report would flood stderr.
    std::panic::set_hook(Box::new(|_| {}));

    let t0 = Instant::now();
    let started = Arc::new(AtomicU64::new(0));
    let current = Arc::new(Mutex::new(String::new()));
    {
        let (started, current, dir, hang) = (started.clone(), current.clone(), findings_dir.clone(), args.hang);
        std::thread::spawn(move || loop {
            std::thread::sleep(Duration::from_millis(500));
            let s = started.load(Ordering::Relaxed);
            let now = t0.elapsed().as_millis() as u64;
            if s > 0 && now.saturating_sub(s) > hang * 1000 {
                let input = current.lock().map(|c| c.clone()).unwrap_or_default();
                save(&dir, "hang.txt", &input);
                eprintln!("HANG: one execution ran over {hang} s; its input is in fuzz/findings/hang.txt");
                std::process::exit(3);
            }
        });
    }

    let mut last_report = Instant::now();
    for i in 0..args.execs {
        let (target, text) = fuzzer.next_input();
        if let Ok(mut c) = current.lock() {
            c.clear();
            c.push_str(&format!("{target:?}\n{text}"));
        }
        started.store(t0.elapsed().as_millis().max(1) as u64, Ordering::Relaxed);
        fuzzer.exec(target, &text);
        started.store(0, Ordering::Relaxed);
        if last_report.elapsed() > Duration::from_secs(30) {
            last_report = Instant::now();
            let s = &fuzzer.stats;
            eprintln!(
                "{i} execs, {:.0}/s, {} shapes, {} findings",
                i as f64 / t0.elapsed().as_secs_f64(),
                s.shapes,
                s.findings.len()
            );
        }
    }
    let s = &fuzzer.stats;
    let elapsed = t0.elapsed();
    println!("executions        {}", s.execs);
    println!(
        "time              {:.1} s ({:.0} executions/s)",
        elapsed.as_secs_f64(),
        s.execs as f64 / elapsed.as_secs_f64()
    );
    println!(
        "scenarios loaded  {} ({} then refused by the work estimate)",
        s.scenarios_loaded, s.scenarios_refused_by_estimate
    );
    println!(
        "simulated         {} (one replication and its report)",
        s.scenarios_simulated
    );
    println!("catalogs loaded   {}", s.catalogs_loaded);
    println!("units parsed      {}", s.units_parsed);
    println!("inputs refused    {}", s.errors);
    println!("message shapes    {}", s.shapes);
    println!(
        "slowest execution {:.1} ms ({:?})",
        s.slowest.as_secs_f64() * 1e3,
        s.slowest_target
    );
    match peak_rss_kib() {
        Some(k) => println!("peak memory       {:.1} MiB resident", k as f64 / 1024.0),
        None => println!("peak memory       unknown"),
    }
    println!("findings          {}", s.findings.len());
    for (i, f) in s.findings.iter().enumerate().take(100) {
        println!("  {:?}: {}", f.target, f.what);
        save(
            &findings_dir,
            &format!("finding-{i}.txt"),
            &format!("{:?}\n{}\n{}", f.target, f.what, f.input),
        );
    }
    if !s.findings.is_empty() {
        std::process::exit(1);
    }
}
