//! The same scenario and seed give byte-identical reports whatever the number of threads.
use crate::common::capsim;

fn report(threads: &str, seed: &str) -> Vec<(String, Vec<u8>)> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    capsim()
        .args([
            "run",
            "scenarios/beta.yaml",
            "--replications",
            "6",
            "--seed",
            seed,
            "-j",
            threads,
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ])
        .assert()
        .success();
    crate::common::dir_files(&out)
}

#[test]
fn byte_identical_on_one_and_two_threads() {
    let a = report("1", "7");
    let b = report("2", "7");
    assert_eq!(a.len(), b.len());
    for ((fa, ba), (fb, bb)) in a.iter().zip(&b) {
        assert_eq!(fa, fb);
        assert!(ba == bb, "{fa} differs between 1 and 2 threads");
    }
}

#[test]
fn another_seed_gives_another_run() {
    let a = report("2", "7");
    let b = report("2", "8");
    let json = |f: &Vec<(String, Vec<u8>)>| f.iter().find(|(n, _)| n == "summary.json").unwrap().1.clone();
    assert_ne!(json(&a), json(&b));
}
