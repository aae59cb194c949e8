//! The fuzz harness of `fuzz/harness.rs`, short: a few thousand executions over the scenario
//! loader, the catalog loader and the unit parser, replayed from a fixed seed. The long run
//! (a million executions and more) and its record are in fuzz/README.md.
#[path = "../../fuzz/harness.rs"]
mod harness;

use crate::common::repo;

#[test]
fn fuzzing_the_loaders_finds_no_panic_and_no_broken_invariant() {
    let mut f = harness::Fuzzer::new(&repo(), 20_251_126);
    f.run(10_000);
    let s = &f.stats;
    for finding in &s.findings {
        eprintln!(
            "{:?}: {}\n--- input ---\n{}\n---",
            finding.target, finding.what, finding.input
        );
    }
    assert!(s.findings.is_empty(), "{} findings", s.findings.len());
    // The run reached the checks: inputs loaded, were refused, and produced many kinds of message.
    assert_eq!(s.execs, 10_000);
    assert!(
        s.scenarios_loaded > 0 && s.catalogs_loaded > 0 && s.units_parsed > 0,
        "{s:?}"
    );
    assert!(s.scenarios_simulated > 0, "{s:?}");
    assert!(s.errors > 5_000 && s.shapes > 300, "{s:?}");
}
