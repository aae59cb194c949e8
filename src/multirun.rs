//! Where `capsim run` writes the reports of several scenarios: each to its own directory,
//! named by the scenario file's stem, under `--out DIR` (a parent, never itself a report) or
//! `reports/`. With one scenario, `--out` is the report directory itself.

use crate::error::{InputError, InputErrors};
use std::path::{Path, PathBuf};

/// `reports/<file stem>` (`report` for a path without one).
pub fn default_report_dir(scenario: &Path) -> PathBuf {
    PathBuf::from("reports").join(stem(scenario))
}

fn stem(scenario: &Path) -> String {
    scenario
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| "report".into())
}

/// The report directory of each scenario, in order. Two scenarios with the same file stem
/// would overwrite each other's report: an input error naming both. With several scenarios,
/// an `--out` that is a report capsim wrote (it holds `.capsim-report`) is refused: it is a
/// parent of reports, not one.
pub fn report_dirs(scenarios: &[PathBuf], out: Option<&Path>) -> Result<Vec<PathBuf>, InputErrors> {
    if let ([_], Some(dir)) = (scenarios, out) {
        return Ok(vec![dir.to_path_buf()]);
    }
    let mut errors = Vec::new();
    if let Some(dir) = out {
        if dir.join(crate::outdir::MARKER).exists() {
            errors.push(InputError::new(
                dir,
                "--out",
                "with several scenarios, --out is the directory their reports go in (each in <DIR>/<file stem>/), and this one is itself a report: name another directory",
            ));
        }
    }
    let mut dirs: Vec<PathBuf> = Vec::new();
    for s in scenarios {
        let d = match out {
            Some(parent) => parent.join(stem(s)),
            None => default_report_dir(s),
        };
        if let Some(j) = dirs.iter().position(|x| *x == d) {
            errors.push(InputError::new(
                s,
                "",
                format!(
                    "its report would go to {}, as that of {} (the same file name): run them separately with --out",
                    d.display(),
                    scenarios[j].display()
                ),
            ));
        }
        dirs.push(d);
    }
    if errors.is_empty() {
        Ok(dirs)
    } else {
        Err(InputErrors(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(v: &[&str]) -> Vec<PathBuf> {
        v.iter().map(PathBuf::from).collect()
    }

    #[test]
    fn one_scenario_writes_to_out_itself_several_under_it() {
        let one = report_dirs(&paths(&["a/beta.yaml"]), Some(Path::new("r"))).unwrap();
        assert_eq!(one, paths(&["r"]));
        let two = report_dirs(&paths(&["a/beta.yaml", "b/ga.yaml"]), Some(Path::new("r"))).unwrap();
        assert_eq!(two, paths(&["r/beta", "r/ga"]));
        let default = report_dirs(&paths(&["a/beta.yaml", "b/ga.yaml"]), None).unwrap();
        assert_eq!(default, paths(&["reports/beta", "reports/ga"]));
    }

    /// Every pair of scenarios sharing a stem is an error, whatever their directories.
    #[test]
    fn the_same_stem_twice_is_refused() {
        let e = report_dirs(&paths(&["a/beta.yaml", "b/ga.yaml", "c/beta.yaml"]), None).unwrap_err();
        assert_eq!(e.0.len(), 1);
        assert!(e.0[0].reason.contains("a/beta.yaml"), "{}", e.0[0]);
        assert!(report_dirs(&paths(&["x.yaml", "x.yaml"]), Some(Path::new("r"))).is_err());
    }

    #[test]
    fn a_report_directory_is_not_a_parent_of_reports() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(crate::outdir::MARKER), "").unwrap();
        let e = report_dirs(&paths(&["a.yaml", "b.yaml"]), Some(dir.path())).unwrap_err();
        assert!(e.0[0].reason.contains("itself a report"));
        // One scenario: the directory is the report, replaced as before.
        assert!(report_dirs(&paths(&["a.yaml"]), Some(dir.path())).is_ok());
    }
}
