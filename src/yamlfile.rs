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
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
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
}

fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

impl Indexer {
    /// Path of the node that starts now, and advances the parent's state.
    fn next_node_path(&mut self, mark: Marker, scalar: Option<&str>) -> Option<String> {
        match self.stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Map { path, key }) => match key.take() {
                None => {
                    // This node is a key.
                    let k = scalar.unwrap_or("?").to_string();
                    let full = join(path, &k);
                    self.index
                        .positions
                        .entry(full)
                        .or_insert((mark.line(), mark.col() + 1));
                    *key = Some(k);
                    None
                }
                Some(k) => Some(join(path, &k)),
            },
            Some(Frame::Seq { path, index }) => {
                let p = format!("{path}[{index}]");
                *index += 1;
                self.index
                    .positions
                    .entry(p.clone())
                    .or_insert((mark.line(), mark.col() + 1));
                Some(p)
            }
        }
    }
}

impl MarkedEventReceiver for Indexer {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        match ev {
            Event::Scalar(ref s, ..) => {
                let _ = self.next_node_path(mark, Some(s));
            }
            Event::Alias(_) => {
                let _ = self.next_node_path(mark, None);
            }
            Event::MappingStart(..) => {
                let path = self.next_node_path(mark, None).unwrap_or_default();
                self.stack.push(Frame::Map { path, key: None });
            }
            Event::SequenceStart(..) => {
                let path = self.next_node_path(mark, None).unwrap_or_default();
                self.stack.push(Frame::Seq { path, index: 0 });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

impl PathIndex {
    pub fn build(text: &str) -> PathIndex {
        let mut indexer = Indexer {
            stack: Vec::new(),
            index: PathIndex::default(),
        };
        let mut parser = Parser::new_from_str(text);
        // Syntax errors are reported by serde_yaml; the index is best-effort.
        let _ = parser.load(&mut indexer, false);
        indexer.index
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

impl YamlFile {
    pub fn read(path: &Path) -> Result<YamlFile, InputError> {
        let text =
            std::fs::read_to_string(path).map_err(|e| InputError::new(path, "", format!("cannot read file: {e}")))?;
        Self::parse(path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<YamlFile, InputError> {
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
        let value = if value.is_null() {
            Value::Mapping(Default::default())
        } else {
            value
        };
        Ok(YamlFile {
            path: path.to_path_buf(),
            value,
            index: PathIndex::build(text),
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
        serde_path_to_error::deserialize(value).map_err(|e| {
            let mut path = e.path().to_string();
            if path == "." {
                path.clear();
            }
            let inner = e.into_inner().to_string();
            let inner = match inner.find(" at line ") {
                Some(i) => inner[..i].to_string(),
                None => inner,
            };
            explain_serde(self, &path, &inner)
        })
    }
}

/// Rewrites serde's messages into the project's wording and splits out the allowed values.
fn explain_serde(sources: &Sources, path: &str, msg: &str) -> InputError {
    if let Some(rest) = msg.strip_prefix("unknown field `") {
        if let Some((name, tail)) = rest.split_once('`') {
            let field = join(path, name);
            let allowed = tail
                .split_once("expected ")
                .map(|(_, list)| parse_expected_list(list))
                .unwrap_or_default();
            let field = if sources.files.iter().any(|(_, i)| i.contains(&field)) {
                field
            } else {
                path.to_string()
            };
            return sources
                .error(
                    &field,
                    format!("unknown field `{name}` (fields are not ignored: fix or remove it)"),
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
            return sources.error(path, format!("unknown value `{name}`")).allowed(allowed);
        }
    }
    if let Some(rest) = msg.strip_prefix("missing field `") {
        if let Some((name, _)) = rest.split_once('`') {
            return sources.error(path, format!("missing required field `{name}`"));
        }
    }
    sources.error(path, msg.to_string())
}

fn parse_expected_list(list: &str) -> Vec<String> {
    list.replace("one of ", "")
        .split(',')
        .map(|s| s.trim().trim_matches('`').to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Merges `child` over `base`: mappings merge key by key, anything else in the child replaces.
pub fn merge(base: Value, child: Value) -> Value {
    match (base, child) {
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

/// Reads `path` and the chain of files it `extends:`, merged child over base.
/// Cycles and missing bases are input errors that point at the `extends` line.
pub fn load_with_extends(path: &Path) -> Result<(Value, Sources), InputError> {
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
        let file = match YamlFile::read(&p) {
            Ok(f) => f,
            Err(e) if chain.is_empty() => return Err(e),
            Err(mut e) => {
                let from = chain.last().expect("checked above");
                if e.reason.starts_with("cannot read file") {
                    let (l, c) = from.index.locate("extends").unzip();
                    e = InputError::new(
                        &from.path,
                        "extends",
                        format!("base file `{}` {}", p.display(), e.reason),
                    )
                    .at(l, c);
                }
                return Err(e);
            }
        };
        if let Some(ext) = file.value.get("extends") {
            match ext.as_str() {
                Some(rel) => {
                    let base_dir = file.path.parent().unwrap_or(Path::new("."));
                    next = Some(base_dir.join(rel));
                }
                None => {
                    let (l, c) = file.index.locate("extends").unzip();
                    return Err(InputError::new(
                        &file.path,
                        "extends",
                        "expected the path of a base file, relative to this file",
                    )
                    .at(l, c));
                }
            }
        }
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
        let idx = PathIndex::build(text);
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
