//! Reading the files a user names (scenarios, their `extends:` bases, pricing catalogs) with
//! bounded work: only regular files, at most [`MAX_FILE_BYTES`], UTF-8 with an optional
//! byte-order mark, and YAML nested at most [`MAX_YAML_DEPTH`] levels deep.
//!
//! Why each limit: a FIFO or a terminal blocks `read` forever and `/dev/zero` never ends, so
//! a file that is not a regular file is refused before a byte is read (it is opened with
//! `O_NONBLOCK`, which makes opening a FIFO return at once, and checked with `fstat` on the open
//! handle). Both YAML parsers capsim uses take time quadratic in the nesting depth
//! (150,000 nested `[` ran for minutes), so the depth is measured by a cheap scan of the text
//! before either parser sees it.

use std::fs::File;
use std::io::Read;
use std::path::Path;

/// The largest scenario or catalog file capsim reads: 1 MiB, about a hundred times the largest
/// shipped file (`scenarios/common/learnr-base.yaml`, 11 KB).
pub const MAX_FILE_BYTES: u64 = 1 << 20;

/// The deepest YAML nesting accepted. Scenario and catalog files need about 8 levels
/// (`stages.beta.services.frontend.usage.requests.per_session`).
pub const MAX_YAML_DEPTH: usize = 64;

/// Why a file could not be read, in words for an error message (no content of the file).
pub type ReadError = String;

/// What a path names, for the message when it is not a regular file.
fn kind_of(ft: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if ft.is_char_device() {
            return "a character device";
        }
        if ft.is_block_device() {
            return "a block device";
        }
        if ft.is_socket() {
            return "a socket";
        }
    }
    if ft.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

fn open(path: &Path) -> std::io::Result<File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Opening a FIFO for reading blocks until a writer comes, unless non-blocking.
        opts.custom_flags(libc::O_NONBLOCK);
    }
    opts.open(path)
}

/// Reads a regular file of at most [`MAX_FILE_BYTES`] as UTF-8 text, without a leading
/// byte-order mark. Anything else is refused before (or, for a file that grows while being
/// read, instead of) reading more than the cap.
pub fn read_text(path: &Path) -> Result<String, ReadError> {
    let file = open(path).map_err(|e| e.to_string())?;
    let meta = file.metadata().map_err(|e| e.to_string())?;
    if !meta.file_type().is_file() {
        return Err(format!(
            "it is {}; capsim reads only regular files",
            kind_of(&meta.file_type())
        ));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_large(meta.len()));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..at].iter().filter(|b| **b == b'\n').count() + 1;
        format!("it is not UTF-8 text (an invalid byte on line {line}, at byte {at})")
    })?;
    Ok(strip_bom(&text).to_string())
}

fn too_large(len: u64) -> String {
    format!(
        "it is larger than the {} MiB limit for scenario and catalog files ({} bytes or more)",
        MAX_FILE_BYTES >> 20,
        len
    )
}

/// The text without a leading UTF-8 byte-order mark (which some editors write and which YAML
/// parsers would otherwise read as the start of a second document).
pub fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// The first line (1-based) on which the YAML `text` is nested deeper than `max`, and the depth
/// found there; `None` if it never is.
///
/// A cheap over-estimate of the nesting depth, linear in the text: indentation levels of block
/// collections and of the nodes that `- `, `? ` and `: ` start further right (each counted
/// twice), and `[`/`{` flow collections, skipping quoted scalars, comments and block scalars (`|`, `>`). It never under-counts a document a YAML
/// emitter writes (a property test checks this), so a document it passes is shallow enough
/// for the parsers.
pub fn too_deep(text: &str, max: usize) -> Option<(usize, usize)> {
    let mut scan = DepthScan::default();
    for (i, line) in text.lines().enumerate() {
        let depth = scan.line(line.strip_suffix('\r').unwrap_or(line));
        if depth > max {
            return Some((i + 1, depth));
        }
    }
    None
}

/// The deepest nesting [`too_deep`] measures in `text`.
pub fn nesting_depth(text: &str) -> usize {
    let mut scan = DepthScan::default();
    text.lines()
        .map(|l| scan.line(l.strip_suffix('\r').unwrap_or(l)))
        .max()
        .unwrap_or(0)
}

#[derive(Default)]
struct DepthScan {
    /// Indentation of the open block collections.
    indents: Vec<usize>,
    /// Open `[` and `{`.
    flow: usize,
    /// Inside a quoted scalar that goes on to the next line (`"` or `'`).
    quote: Option<char>,
    /// Inside a block scalar introduced on a line of this indentation.
    block_scalar: Option<usize>,
}

fn indentation(line: &str) -> usize {
    line.bytes().take_while(|b| *b == b' ').count()
}

impl DepthScan {
    /// Inside a quoted scalar: how many characters `c` (with `next`) take, and whether `c`
    /// closes the quote (`\"` escapes in double quotes, `''` in single ones).
    fn quoted(&mut self, c: char, next: Option<char>) -> (usize, bool) {
        match (self.quote, c) {
            (Some('"'), '\\') => (2, false),
            (Some('"'), '"') => {
                self.quote = None;
                (1, true)
            }
            (Some('\''), '\'') if next == Some('\'') => (2, false),
            (Some('\''), '\'') => {
                self.quote = None;
                (1, true)
            }
            _ => (1, false),
        }
    }

    /// Processes one line; returns the deepest nesting reached on it.
    fn line(&mut self, line: &str) -> usize {
        let indent = indentation(line);
        let content = &line[indent..];
        if let Some(parent) = self.block_scalar {
            if content.trim().is_empty() || indent > parent {
                return 2 * self.indents.len();
            }
            self.block_scalar = None;
        }
        let continuing = self.quote.is_some() || self.flow > 0;
        if !continuing {
            let trimmed = content.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                return 2 * self.indents.len();
            }
            if line.starts_with("---") || line.starts_with("...") {
                self.indents.clear();
                return 0;
            }
            while self.indents.last().is_some_and(|top| *top > indent) {
                self.indents.pop();
            }
            if self.indents.last() != Some(&indent) {
                self.indents.push(indent);
            }
        }
        // One indentation column can hold two levels: a mapping and a sequence written at the
        // same indentation as its key, or a sequence item and the mapping it starts (`- a: 1`).
        let mut deepest = 2 * self.indents.len() + self.flow;
        let chars: Vec<char> = content.chars().collect();
        // At the start of a node: where a quote, a bracket or an indicator means structure.
        let mut node_start = !continuing || self.flow > 0;
        // A block scalar's lines are those indented more than the node holding it: the item of
        // the last `- ` / `? ` / `: ` indicator, or the mapping of the key before the last `: `.
        let (mut parent, mut key_column) = (indent, indent);
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            let next = chars.get(i + 1).copied();
            let blank_next = next.is_none_or(|n| n == ' ' || n == '\t');
            if self.quote.is_some() {
                let (step, closed) = self.quoted(c, next);
                node_start &= !closed;
                i += step;
                continue;
            }
            let after_blank = i == 0 || chars[i - 1] == ' ' || chars[i - 1] == '\t';
            match c {
                '#' if after_blank => break,
                '"' | '\'' if node_start => {
                    self.quote = Some(c);
                    key_column = indent + i;
                }
                '[' | '{' if node_start || self.flow > 0 => {
                    self.flow += 1;
                    node_start = true;
                }
                ']' | '}' if self.flow > 0 => {
                    self.flow -= 1;
                    node_start = false;
                }
                ',' if self.flow > 0 => node_start = true,
                // `- `, `? ` and `: ` opening a line's content nest a node (`: ` is the value
                // of an explicit `? ` key).
                '-' | '?' | ':' if node_start && self.flow == 0 && blank_next => {
                    // The node's content starts further right: a level of its own.
                    let spaces = chars[i + 1..].iter().take_while(|c| **c == ' ').count();
                    let column = indent + i + 1 + spaces;
                    if self.indents.last().is_none_or(|top| *top < column) {
                        self.indents.push(column);
                    }
                    parent = indent + i;
                }
                ':' if blank_next || self.flow > 0 => {
                    node_start = true;
                    parent = key_column;
                }
                '|' | '>' if node_start && self.flow == 0 => {
                    self.block_scalar = Some(parent);
                    break;
                }
                ' ' | '\t' => {}
                _ => {
                    if node_start {
                        key_column = indent + i;
                    }
                    node_start = false;
                }
            }
            deepest = deepest.max(2 * self.indents.len() + self.flow);
            i += 1;
        }
        deepest
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_files_are_shallow() {
        for dir in [
            "scenarios",
            "scenarios/common",
            "scenarios/textbook",
            "pricing",
            "benches/scenarios",
        ] {
            for entry in std::fs::read_dir(dir).unwrap() {
                let p = entry.unwrap().path();
                if p.extension().is_some_and(|x| x == "yaml") {
                    let text = read_text(&p).unwrap();
                    let d = nesting_depth(&text);
                    assert!((2..=MAX_YAML_DEPTH / 2).contains(&d), "{}: depth {d}", p.display());
                }
            }
        }
    }

    #[test]
    fn deep_flow_and_block_nesting_are_found_on_their_line() {
        let flow = format!("a: 1\nb: {}{}\n", "[".repeat(100), "]".repeat(100));
        assert_eq!(too_deep(&flow, 64), Some((2, 102)));
        let block = format!("a:\n{}x\n", "- ".repeat(100));
        assert_eq!(too_deep(&block, 64).map(|x| x.0), Some(2));
        let mut indented = String::new();
        for d in 0..80 {
            indented.push_str(&format!("{}k{d}:\n", " ".repeat(d)));
        }
        assert_eq!(too_deep(&indented, 64).map(|x| x.0), Some(33));
    }

    #[test]
    fn quotes_comments_and_block_scalars_are_not_structure() {
        let text = "a: \"[[[[[[\"\nb: '{{{{'' {{'\nc: x # [[[[[[[[[\nd: |\n  [[[[[[[[[[\n  {{{{\ne: plain [[[[ text\n";
        assert_eq!(nesting_depth(text), 2);
        let multi = "a: \"first [[[[\n  second ]]]]]]\"\nb: [1, {c: [2]}]\n";
        assert_eq!(nesting_depth(multi), 5);
    }

    /// A random YAML value, nested at most `depth` levels, with text that looks like
    /// structure (brackets, `#`, `: `, `- `, quotes, line breaks).
    fn random_value(rng: &mut rand::rngs::SmallRng, depth: usize) -> serde_yaml::Value {
        use rand::Rng;
        use serde_yaml::Value;
        const TEXT: &[&str] = &[
            "x", "[a", "{b}", "# c", "d: e", "- f", "'g", "\"h", "i\nj [", "", " k", "|", ">",
        ];
        let pick = rng.gen_range(0..if depth == 0 { 3 } else { 5 });
        match pick {
            0 => Value::from(rng.gen_range(-5..5)),
            1 => Value::from(TEXT[rng.gen_range(0..TEXT.len())]),
            2 => Value::Null,
            3 => Value::Sequence((0..rng.gen_range(0..4)).map(|_| random_value(rng, depth - 1)).collect()),
            _ => {
                let mut m = serde_yaml::Mapping::new();
                for _ in 0..rng.gen_range(0..4) {
                    let k = Value::from(TEXT[rng.gen_range(0..TEXT.len())]);
                    m.insert(k, random_value(rng, depth - 1));
                }
                Value::Mapping(m)
            }
        }
    }

    fn true_depth(v: &serde_yaml::Value) -> usize {
        use serde_yaml::Value;
        match v {
            Value::Sequence(s) => 1 + s.iter().map(true_depth).max().unwrap_or(0),
            Value::Mapping(m) => 1 + m.values().map(true_depth).max().unwrap_or(0),
            _ => 0,
        }
    }

    #[test]
    fn the_scan_never_undercounts_what_an_emitter_writes() {
        use rand::SeedableRng;
        let mut rng = rand::rngs::SmallRng::seed_from_u64(7);
        for _ in 0..3000 {
            let v = random_value(&mut rng, 9);
            let text = serde_yaml::to_string(&v).unwrap();
            let back: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
            assert_eq!(back, v);
            assert!(nesting_depth(&text) >= true_depth(&v), "{text}");
        }
    }

    #[test]
    fn bom_is_stripped_once() {
        assert_eq!(strip_bom("\u{feff}a: 1"), "a: 1");
        assert_eq!(strip_bom("a: 1"), "a: 1");
    }
}
