//! Typed errors of the library.
//!
//! Every mistake in a user's file becomes an [`InputError`] that names the file, the field's
//! path (`stages.beta.database.plan`), its line and column when known, what was expected
//! and, where there is a closed set, what is allowed. The CLI maps input errors to exit
//! code 2 and never panics on bad input.

use std::fmt;
use std::path::PathBuf;

/// A problem in a scenario or pricing file, found before anything runs.
#[derive(Debug, Clone, PartialEq)]
pub struct InputError {
    /// The file the problem is in (as the user gave it).
    pub file: PathBuf,
    /// Dotted path of the offending field, e.g. `stages.beta.database.plan` (empty for the document).
    pub field: String,
    /// 1-based line and column of the field in `file`, when it could be located.
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// What is wrong, in plain words (what was found and what was expected).
    pub reason: String,
    /// What is allowed instead (known plans, metrics, units…), when the set is closed.
    pub allowed: Vec<String>,
}

impl InputError {
    pub fn new(file: impl Into<PathBuf>, field: impl Into<String>, reason: impl Into<String>) -> Self {
        InputError {
            file: file.into(),
            field: field.into(),
            line: None,
            column: None,
            reason: reason.into(),
            allowed: Vec::new(),
        }
    }

    pub fn at(mut self, line: Option<usize>, column: Option<usize>) -> Self {
        self.line = line;
        self.column = column;
        self
    }

    pub fn allowed<I, S>(mut self, allowed: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.allowed = allowed.into_iter().map(Into::into).collect();
        self
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        if !self.field.is_empty() {
            write!(f, ": field `{}`", self.field)?;
        }
        write!(f, ": {}", self.reason)?;
        if !self.allowed.is_empty() {
            write!(f, "\n  allowed: {}", self.allowed.join(", "))?;
        }
        Ok(())
    }
}

impl std::error::Error for InputError {}

/// Several input errors found in one pass (validation reports all it can, not just the first).
#[derive(Debug, Clone, PartialEq)]
pub struct InputErrors(pub Vec<InputError>);

impl fmt::Display for InputErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "error: {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for InputErrors {}

impl From<InputError> for InputErrors {
    fn from(e: InputError) -> Self {
        InputErrors(vec![e])
    }
}
