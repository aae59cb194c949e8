//! Loading YAML files so that every error can point at a line.
//!
//! serde_yaml reports a position only for syntax errors, and not at all once a document has been
//! turned into a `Value` (which `extends:` merging needs). So we read each file twice: serde_yaml
//! builds the `Value`, and yaml-rust2's event parser records where every field path
//! (`stages.beta.database.plan`, `requests[2].share`) starts. Deserialisation goes through
//! `serde_path_to_error`, whose path we look up in that index.

use crate::error::InputError;
use serde::de::DeserializeOwned;
use serde_yaml::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::Marker;

/// Positions (1-based line and column) of every field path in one file.
#[derive(Debug, Default, Clone)]
pub struct PathIndex {
    positions: HashMap<String, (usize, usize)>,
}

enum Frame {
    Map { path: String, key: Option<String> },
    Seq { path: String, index: usize },
}

struct Indexer {
    stack: Vec<Frame>,
    index: PathIndex,
    /// Nodes of each open collection, aliases expanded (as serde_yaml expands them).
    counts: Vec<u64>,
    /// Expanded node count of each anchored node, by anchor id.
    anchored: HashMap<usize, u64>,
    /// Anchor id of each open collection (0: none).
    anchors_open: Vec<usize>,
    /// Nodes of the document with aliases expanded.
    expanded: u64,
    /// Bytes of field paths stored in the index.
    path_bytes: usize,
}

/// The most nodes a document may have once its aliases (`*name`) are expanded: a 1 MiB file
/// has at most about 300,000 without aliases, and a few nested aliases would otherwise
/// multiply into billions (the "billion laughs").
pub const MAX_EXPANDED_NODES: u64 = 1_000_000;

/// The most bytes of field paths the position index holds (long keys nested deep under many
/// fields would otherwise make it quadratic in the file's size).
pub const MAX_INDEX_BYTES: usize = 64 << 20;

fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

impl Indexer {
    fn remember(&mut self, path: String, mark: Marker) {
        if !self.index.positions.contains_key(&path) {
            self.path_bytes += path.len();
            self.index.positions.insert(path, (mark.line(), mark.col() + 1));
        }
    }

    /// Path of the node that starts now, and advances the parent's state.
    fn next_node_path(&mut self, mark: Marker, scalar: Option<&str>) -> Option<String> {
        match self.stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Map { path, key }) => match key.take() {
                None => {
                    // This node is a key.
                    let k = scalar.unwrap_or("?").to_string();
                    let full = join(path, &k);
                    *key = Some(k);
                    self.remember(full, mark);
                    None
                }
                Some(k) => Some(join(path, &k)),
            },
            Some(Frame::Seq { path, index }) => {
                let p = format!("{path}[{index}]");
                *index += 1;
                self.remember(p.clone(), mark);
                Some(p)
            }
        }
    }

    /// Counts a finished node of `n` expanded nodes, anchored as `anchor` (0: none).
    fn count(&mut self, anchor: usize, n: u64) {
        if anchor != 0 {
            self.anchored.insert(anchor, n);
        }
        match self.counts.last_mut() {
            Some(c) => *c = c.saturating_add(n),
            None => self.expanded = self.expanded.saturating_add(n),
        }
    }

    fn on_event(&mut self, ev: Event, mark: Marker) {
        match ev {
            Event::Scalar(ref s, _, anchor, _) => {
                let _ = self.next_node_path(mark, Some(s));
                self.count(anchor, 1);
            }
            Event::Alias(id) => {
                let _ = self.next_node_path(mark, None);
                let n = self.anchored.get(&id).copied().unwrap_or(1);
                self.count(0, n);
            }
            Event::MappingStart(anchor, _) => {
                let path = self.next_node_path(mark, None).unwrap_or_default();
                self.stack.push(Frame::Map { path, key: None });
                self.counts.push(1);
                self.anchors_open.push(anchor);
            }
            Event::SequenceStart(anchor, _) => {
                let path = self.next_node_path(mark, None).unwrap_or_default();
                self.stack.push(Frame::Seq { path, index: 0 });
                self.counts.push(1);
                self.anchors_open.push(anchor);
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
                let n = self.counts.pop().unwrap_or(1);
                let anchor = self.anchors_open.pop().unwrap_or(0);
                self.count(anchor, n);
            }
            _ => {}
        }
    }
}

impl PathIndex {
    /// Positions of every field path in `text`, from yaml-rust2's event parser.
    ///
    /// Syntax errors are reported by serde_yaml, so the index is best-effort and stops at the
    /// first one. It refuses (with the line) a document whose aliases expand past
    /// [`MAX_EXPANDED_NODES`] or whose paths exceed [`MAX_INDEX_BYTES`], before serde_yaml
    /// would build it. Call only on text that passed [`crate::input::too_deep`]: the parser
    /// recurses and slows down with the depth.
    pub fn build(text: &str) -> Result<PathIndex, (String, usize)> {
        let mut indexer = Indexer {
            stack: Vec::new(),
            index: PathIndex::default(),
            counts: Vec::new(),
            anchored: HashMap::new(),
            anchors_open: Vec::new(),
            expanded: 0,
            path_bytes: 0,
        };
        let mut parser = Parser::new_from_str(text);
        while let Ok((ev, mark)) = parser.next_token() {
            if matches!(ev, Event::StreamEnd | Event::DocumentEnd) {
                break;
            }
            indexer.on_event(ev, mark);
            let open: u64 = indexer.counts.iter().fold(0u64, |a, c| a.saturating_add(*c));
            if indexer.expanded.saturating_add(open) > MAX_EXPANDED_NODES {
                return Err((
                    format!(
                        "the document has more than {MAX_EXPANDED_NODES} values once its aliases (`*name`) are expanded"
                    ),
                    mark.line(),
                ));
            }
            if indexer.path_bytes > MAX_INDEX_BYTES {
                return Err((
                    format!(
                        "the document's field names are too many or too long (their paths exceed {} MiB)",
                        MAX_INDEX_BYTES >> 20
                    ),
                    mark.line(),
                ));
            }
        }
        Ok(indexer.index)
    }

    /// Position of `path`, or of its nearest located ancestor.
    pub fn locate(&self, path: &str) -> Option<(usize, usize)> {
        let mut p = path.to_string();
        loop {
            if let Some(pos) = self.positions.get(&p) {
                return Some(*pos);
            }
            let cut = p.rfind(['.', '['])?;
            p.truncate(cut);
        }
    }

    pub fn contains(&self, path: &str) -> bool {
        self.positions.contains_key(path)
    }
}

/// One YAML file as read from disk: its value and where its fields are.
#[derive(Debug, Clone)]
pub struct YamlFile {
    pub path: PathBuf,
    pub value: Value,
    pub index: PathIndex,
}

/// How an error about a whole file starts, so that `extends:` can point at the line naming it.
pub const CANNOT_READ: &str = "cannot read file";
/// See [`CANNOT_READ`].
pub const NOT_A_MAPPING: &str = "not a mapping of fields";

/// What kind of YAML value `v` is, in words (never its content, which may be another
/// program's file reached through `extends:`).
pub fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

impl YamlFile {
    /// Reads a scenario or catalog file through [`crate::input::read_text`] (regular files
    /// of at most 1 MiB) and parses it.
    pub fn read(path: &Path) -> Result<YamlFile, InputError> {
        let text =
            crate::input::read_text(path).map_err(|e| InputError::new(path, "", format!("{CANNOT_READ}: {e}")))?;
        Self::parse(path, &text)
    }

    /// Parses the text of a file whose top level must be a mapping (`name: …`). A document
    /// nested too deep, or too large once its aliases are expanded, is refused before
    /// serde_yaml builds it; no error quotes the file's content.
    pub fn parse(path: &Path, text: &str) -> Result<YamlFile, InputError> {
        let text = crate::input::strip_bom(text);
        let max = crate::input::MAX_YAML_DEPTH;
        if let Some((line, depth)) = crate::input::too_deep(text, max) {
            return Err(InputError::new(
                path,
                "",
                format!("invalid YAML: nested {depth} levels deep here; at most {max} are accepted"),
            )
            .at(Some(line), None));
        }
        let index = PathIndex::build(text).map_err(|(reason, line)| {
            InputError::new(path, "", format!("invalid YAML: {reason}")).at(Some(line), None)
        })?;
        let value: Value = serde_yaml::from_str(text).map_err(|e| {
            let loc = e.location();
            let msg = e.to_string();
            // serde_yaml appends " at line X column Y"; we print the position ourselves.
            let msg = match msg.find(" at line ") {
                Some(i) => msg[..i].to_string(),
                None => msg,
            };
            InputError::new(path, "", format!("invalid YAML: {msg}"))
                .at(loc.as_ref().map(|l| l.line()), loc.as_ref().map(|l| l.column()))
        })?;
        let value = match value {
            Value::Null => Value::Mapping(Default::default()),
            Value::Mapping(m) => Value::Mapping(m),
            other => {
                return Err(InputError::new(
                    path,
                    "",
                    format!("{NOT_A_MAPPING} (`name: …`): its top level is {}", kind_of(&other)),
                ))
            }
        };
        Ok(YamlFile {
            path: path.to_path_buf(),
            value,
            index,
        })
    }
}

/// A document merged from a chain of files (`extends:`), child first.
#[derive(Debug, Clone)]
pub struct Sources {
    pub files: Vec<(PathBuf, PathIndex)>,
}

impl Sources {
    pub fn single(file: &YamlFile) -> Sources {
        Sources {
            files: vec![(file.path.clone(), file.index.clone())],
        }
    }

    /// Builds an error for `field`, located in the first file (child first) that defines it.
    pub fn error(&self, field: &str, reason: impl Into<String>) -> InputError {
        let (file, pos) = self
            .files
            .iter()
            .find(|(_, idx)| idx.contains(field))
            .map(|(f, idx)| (f.clone(), idx.locate(field)))
            .or_else(|| {
                self.files
                    .iter()
                    .find_map(|(f, idx)| idx.locate(field).map(|p| (f.clone(), Some(p))))
            })
            .unwrap_or_else(|| (self.files.first().map(|f| f.0.clone()).unwrap_or_default(), None));
        InputError::new(file, field, reason).at(pos.map(|p| p.0), pos.map(|p| p.1))
    }

    /// Deserialises `value` into `T`, turning serde's error into a located [`InputError`].
    pub fn deserialize<T: DeserializeOwned>(&self, value: Value) -> Result<T, InputError> {
        self.deserialize_at("", value)
    }

    /// [`Self::deserialize`] for the value found at field path `at` of the document (a
    /// component kind's own block, `stages.beta.backup`): errors name fields below it.
    pub fn deserialize_at<T: DeserializeOwned>(&self, at: &str, value: Value) -> Result<T, InputError> {
        serde_path_to_error::deserialize(value).map_err(|e| {
            let mut path = e.path().to_string();
            if path == "." {
                path.clear();
            }
            let path = if path.is_empty() {
                at.to_string()
            } else {
                join(at, &path)
            };
            let inner = e.into_inner().to_string();
            let inner = match inner.find(" at line ") {
                Some(i) => inner[..i].to_string(),
                None => inner,
            };
            explain_serde(self, &path, &inner)
        })
    }
}

/// Whether a key looks like a name a scenario's author wrote (and may be quoted back): short,
/// letters, digits, `_ - . /` and spaces. Anything else may be a line of another program's file.
fn plain_key(k: &str) -> bool {
    k.chars().count() <= 80 && k.chars().all(|c| c.is_alphanumeric() || "_-./ ".contains(c))
}

/// Rewrites serde's messages into the project's wording and splits out the allowed values.
fn explain_serde(sources: &Sources, path: &str, msg: &str) -> InputError {
    if let Some(rest) = msg.strip_prefix("unknown field `") {
        if let Some((name, tail)) = rest.split_once('`') {
            let allowed = tail
                .split_once("expected ")
                .map(|(_, list)| parse_expected_list(list))
                .unwrap_or_default();
            if !plain_key(name) {
                return sources
                    .error(
                        path,
                        format!(
                            "unknown field: a key of {} characters that is not a field name (not quoted)",
                            name.chars().count()
                        ),
                    )
                    .allowed(allowed);
            }
            let field = join(path, name);
            let field = if sources.files.iter().any(|(_, i)| i.contains(&field)) {
                field
            } else {
                path.to_string()
            };
            // What a custom deserialiser says the field is in (" in a lognormal distribution").
            let context = tail.split(", expected").next().unwrap_or("");
            return sources
                .error(
                    &field,
                    format!("unknown field `{name}`{context} (fields are not ignored: fix or remove it)"),
                )
                .allowed(allowed);
        }
    }
    if let Some(rest) = msg.strip_prefix("unknown variant `") {
        if let Some((name, tail)) = rest.split_once('`') {
            let allowed = tail
                .split_once("expected ")
                .map(|(_, list)| parse_expected_list(list))
                .unwrap_or_default();
            let reason = if plain_key(name) {
                format!("unknown value `{name}`")
            } else {
                format!("unknown value of {} characters (not quoted)", name.chars().count())
            };
            return sources.error(path, reason).allowed(allowed);
        }
    }
    if let Some(rest) = msg.strip_prefix("missing field `") {
        if let Some((name, _)) = rest.split_once('`') {
            return sources.error(path, format!("missing required field `{name}`"));
        }
    }
    sources.error(path, crate::yamlmsg::rewrite(msg))
}

fn parse_expected_list(list: &str) -> Vec<String> {
    list.replace("one of ", "")
        .split(',')
        .map(|s| s.trim().trim_matches('`').to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Merges `child` over `base`: mappings merge key by key, anything else in the child replaces.
/// A range (`{range: [lo, hi]}`, `scenario::ranges`) is one value: it replaces, whole.
pub fn merge(base: Value, child: Value) -> Value {
    match (base, child) {
        (_, Value::Mapping(c)) if c.contains_key("range") => Value::Mapping(c),
        (Value::Mapping(mut b), Value::Mapping(c)) => {
            for (k, v) in c {
                let merged = match b.remove(&k) {
                    Some(bv) => merge(bv, v),
                    None => v,
                };
                b.insert(k, merged);
            }
            Value::Mapping(b)
        }
        (_, c) => c,
    }
}

/// A base none of whose top-level keys is one of `fields` is another program's file that
/// happens to read as a mapping (`/etc/shadow`): refused at `from`'s `extends:` line, unquoted.
fn check_base(from: &YamlFile, base: &YamlFile, fields: &[&str]) -> Result<(), InputError> {
    let Value::Mapping(m) = &base.value else { return Ok(()) };
    let known = m
        .keys()
        .any(|k| k.as_str().is_some_and(|k| k == "extends" || fields.contains(&k)));
    if m.is_empty() || known {
        return Ok(());
    }
    let (l, c) = from.index.locate("extends").unzip();
    Err(InputError::new(
        &from.path,
        "extends",
        format!(
            "base file `{}` is not a scenario: none of its {} top-level keys is a scenario field",
            base.path.display(),
            m.len()
        ),
    )
    .at(l, c)
    .allowed(fields.iter().copied()))
}

/// The base `file` extends, relative to it, if any.
fn extends_of(file: &YamlFile) -> Result<Option<PathBuf>, InputError> {
    let Some(ext) = file.value.get("extends") else {
        return Ok(None);
    };
    match ext.as_str() {
        Some(rel) => Ok(Some(file.path.parent().unwrap_or(Path::new(".")).join(rel))),
        None => {
            let (l, c) = file.index.locate("extends").unzip();
            Err(InputError::new(
                &file.path,
                "extends",
                "expected the path of a base file, relative to this file",
            )
            .at(l, c))
        }
    }
}

/// The most base files an `extends:` chain follows.
pub const MAX_EXTENDS: usize = 8;

/// Reads `path` and the chain of files it `extends:`, merged child over base.
/// Cycles and missing bases are input errors that point at the `extends` line, and so is a
/// base none of whose top-level keys is one of `fields` (another program's file that happens
/// to read as a mapping, such as `/etc/shadow`): its content is not quoted.
pub fn load_with_extends(path: &Path, fields: &[&str]) -> Result<(Value, Sources), InputError> {
    load_chain(path, None, fields)
}

/// [`load_with_extends`] for a file whose text is given (the fuzz harness); its bases are read
/// from disk, relative to `path`.
pub fn load_text_with_extends(path: &Path, text: &str, fields: &[&str]) -> Result<(Value, Sources), InputError> {
    load_chain(path, Some(text), fields)
}

fn load_chain(path: &Path, root_text: Option<&str>, fields: &[&str]) -> Result<(Value, Sources), InputError> {
    let mut chain: Vec<YamlFile> = Vec::new();
    let mut seen: Vec<PathBuf> = Vec::new();
    let mut next = Some(path.to_path_buf());
    while let Some(p) = next.take() {
        let canon = std::fs::canonicalize(&p).unwrap_or_else(|_| p.clone());
        if seen.contains(&canon) {
            let from = chain.last().expect("a cycle needs a previous file");
            let (line, col) = from
                .index
                .locate("extends")
                .map(|(l, c)| (Some(l), Some(c)))
                .unwrap_or((None, None));
            let cycle: Vec<String> = chain.iter().map(|f| f.path.display().to_string()).collect();
            return Err(InputError::new(
                &from.path,
                "extends",
                format!("`extends:` forms a cycle: {} -> {}", cycle.join(" -> "), p.display()),
            )
            .at(line, col));
        }
        seen.push(canon);
        if let Some(from) = chain.last().filter(|_| chain.len() > MAX_EXTENDS) {
            let (l, c) = from.index.locate("extends").unzip();
            return Err(InputError::new(
                &from.path,
                "extends",
                format!("more than {MAX_EXTENDS} files extend one another; at most {MAX_EXTENDS} bases are followed"),
            )
            .at(l, c));
        }
        let read = match root_text.filter(|_| chain.is_empty()) {
            Some(text) => YamlFile::parse(&p, text),
            None => YamlFile::read(&p),
        };
        let file = match read {
            Ok(f) => f,
            Err(e) if chain.is_empty() => return Err(e),
            Err(mut e) => {
                let from = chain.last().expect("checked above");
                // A base that cannot be read or is not a scenario is the `extends:` line's
                // problem; its content is not quoted (it may be any file on the machine).
                if e.field.is_empty() && (e.reason.starts_with(CANNOT_READ) || e.reason.starts_with(NOT_A_MAPPING)) {
                    let (l, c) = from.index.locate("extends").unzip();
                    e = InputError::new(
                        &from.path,
                        "extends",
                        format!("base file `{}`: {}", p.display(), e.reason),
                    )
                    .at(l, c);
                }
                return Err(e);
            }
        };
        if let Some(from) = chain.last() {
            check_base(from, &file, fields)?;
        }
        next = extends_of(&file)?;
        chain.push(file);
    }
    let sources = Sources {
        files: chain.iter().map(|f| (f.path.clone(), f.index.clone())).collect(),
    };
    let mut merged = Value::Mapping(Default::default());
    for file in chain.into_iter().rev() {
        merged = merge(merged, file.value);
    }
    if let Value::Mapping(m) = &mut merged {
        m.remove("extends");
    }
    Ok((merged, sources))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_finds_nested_fields_and_sequence_items() {
        let text = "a:\n  b:\n    plan: pro\nlist:\n  - name: x\n  - name: y\n    share: 5%\n";
        let idx = PathIndex::build(text).unwrap();
        assert_eq!(idx.locate("a.b.plan"), Some((3, 5)));
        assert_eq!(idx.locate("list[1].share"), Some((7, 5)));
        assert_eq!(idx.locate("list[1].missing").map(|p| p.0), Some(6));
    }

    #[test]
    fn merge_is_deep_and_child_wins() {
        let base: Value = serde_yaml::from_str("a: {x: 1, y: 2}\nb: [1, 2]").unwrap();
        let child: Value = serde_yaml::from_str("a: {y: 3}\nb: [9]").unwrap();
        let m = merge(base, child);
        assert_eq!(m["a"]["x"], Value::from(1));
        assert_eq!(m["a"]["y"], Value::from(3));
        assert_eq!(m["b"], serde_yaml::from_str::<Value>("[9]").unwrap());
    }
}
