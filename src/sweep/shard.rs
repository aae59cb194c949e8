//! Shards: `capsim sweep --shard i/n --out FILE` runs the grid points `k` with
//! `k mod n = i − 1` (round robin, so cheap and dear points are spread over the shards) and
//! writes them to a shard file; `capsim merge SHARD...` checks that the shards are of one
//! sweep (same hash of the merged scenario and the flags), that each slice `1..n` is there
//! exactly once and holds the points it should, and joins them. Bisection runs at merge time
//! (a handful of runs, one after the other), so a merge needs the scenario and its catalogs.
//!
//! A shard file is JSON: `format`, `hash`, `shard`, `of`, `points_total`, the sweep's `spec`,
//! and `points` as `[grid index, point]` pairs. Figures are written with the shortest text
//! that reads back to the same number, so a merged report is byte-identical to an unsharded
//! one.

use super::point::Point;
use super::Spec;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The `format` of a shard file.
pub const FORMAT: &str = "capsim-sweep-shard/1";
/// The most shards of a sweep.
pub const MAX_SHARDS: usize = 10_000;
/// The largest shard file `merge` reads.
pub const MAX_BYTES: u64 = 256 << 20;

/// One shard file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Shard {
    pub format: String,
    pub hash: String,
    /// This slice, 1-based, of `of`.
    pub shard: usize,
    pub of: usize,
    /// Grid points of the whole sweep.
    pub points_total: usize,
    pub spec: Spec,
    pub points: Vec<(usize, Point)>,
}

/// Parses `--shard i/n`.
pub fn parse(text: &str) -> Result<(usize, usize), String> {
    let bad = || format!("--shard `{text}`: expected i/n with 1 ≤ i ≤ n ≤ {MAX_SHARDS} (for example 2/8)");
    let (i, n) = text.split_once('/').ok_or_else(bad)?;
    let (i, n) = (
        i.trim().parse::<usize>().map_err(|_| bad())?,
        n.trim().parse::<usize>().map_err(|_| bad())?,
    );
    if i == 0 || i > n || n > MAX_SHARDS {
        return Err(bad());
    }
    Ok((i, n))
}

/// The grid points of slice `i` of `n`.
pub fn indices(i: usize, n: usize, total: usize) -> Vec<usize> {
    (0..total).filter(|k| k % n == i - 1).collect()
}

/// Writes `shard` to `path`: beside it first, then renamed into place. A file there that is
/// not a shard file is never replaced.
pub fn write(path: &Path, shard: &Shard) -> Result<(), String> {
    let shown = path.display();
    if path.is_dir() {
        return Err(format!("--out {shown}: a directory; a shard is written to a file"));
    }
    if path.exists() && !is_shard(path) {
        return Err(format!(
            "--out {shown}: exists and is not a capsim shard file; capsim replaces only its own"
        ));
    }
    let text = serde_json::to_string(shard).map_err(|e| e.to_string())?;
    let name = path
        .file_name()
        .ok_or_else(|| format!("--out {shown}: not a file name"))?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".partial-{}", std::process::id()));
    let tmp = path.with_file_name(tmp_name);
    let written = std::fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(text.as_bytes()).and_then(|()| f.sync_all()))
        .and_then(|()| std::fs::rename(&tmp, path));
    written.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("cannot write the shard to {shown}: {e}")
    })
}

fn is_shard(path: &Path) -> bool {
    let mut head = [0u8; 64];
    let n = std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
        .unwrap_or(0);
    String::from_utf8_lossy(&head[..n]).starts_with(&format!("{{\"format\":\"{FORMAT}\""))
}

/// Reads a shard file.
pub fn read(path: &Path) -> Result<Shard, String> {
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| format!("{shown}: cannot read: {e}"))?;
    if !meta.is_file() || meta.len() > MAX_BYTES {
        return Err(format!("{shown}: not a shard file (a regular file of at most 256 MiB)"));
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("{shown}: cannot read: {e}"))?;
    let shard: Shard =
        serde_json::from_str(&text).map_err(|e| format!("{shown}: not a capsim sweep shard file ({e})"))?;
    if shard.format != FORMAT {
        return Err(format!(
            "{shown}: format `{}`; this capsim reads `{FORMAT}`",
            shard.format
        ));
    }
    Ok(shard)
}

/// Joins shards into the grid, in grid order: all of one sweep, every slice once, each with
/// exactly its points.
pub fn join(shards: Vec<(PathBuf, Shard)>) -> Result<(Spec, String, Vec<Point>), String> {
    let (p0, first) = shards.first().ok_or("merge needs at least one shard")?;
    let (of, total) = (first.of, first.points_total);
    let mut seen: BTreeMap<usize, &Path> = BTreeMap::new();
    for (p, s) in &shards {
        if s.hash != first.hash || s.of != of || s.points_total != total {
            return Err(format!(
                "{} is a shard of another sweep than {} (sweep {} in {} slices, not {} in {}): \
                 shards must come from the same scenario file and flags",
                p.display(),
                p0.display(),
                s.hash,
                s.of,
                first.hash,
                of
            ));
        }
        if let Some(other) = seen.insert(s.shard, p) {
            return Err(format!(
                "slice {}/{of} is given twice: {} and {}",
                s.shard,
                other.display(),
                p.display()
            ));
        }
        let want = indices(s.shard, of, total);
        if s.points.iter().map(|(k, _)| *k).ne(want.iter().copied()) {
            return Err(format!(
                "{}: slice {}/{of} does not hold the points it should",
                p.display(),
                s.shard
            ));
        }
    }
    let missing: Vec<String> = (1..=of)
        .filter(|i| !seen.contains_key(i))
        .map(|i| format!("{i}/{of}"))
        .collect();
    if !missing.is_empty() {
        return Err(format!("missing slices: {}", missing.join(", ")));
    }
    let spec = first.spec.clone();
    let hash = first.hash.clone();
    let mut points: Vec<(usize, Point)> = shards.into_iter().flat_map(|(_, s)| s.points).collect();
    points.sort_by_key(|(k, _)| *k);
    Ok((spec, hash, points.into_iter().map(|(_, p)| p).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_flags_and_slices() {
        assert_eq!(parse("2/3"), Ok((2, 3)));
        for bad in ["0/3", "4/3", "3", "a/b", "1/0", "1/10001"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        // Every point is in exactly one slice.
        let mut all: Vec<usize> = (1..=3).flat_map(|i| indices(i, 3, 10)).collect();
        all.sort();
        assert_eq!(all, (0..10).collect::<Vec<_>>());
        assert!(indices(5, 5, 3).is_empty());
    }
}
