//! Located errors: the lowest layer, which every other module may use.
//!
//! Errors in scenario and case files ([`ScenarioError`]) and in a draw's values ([`DrawError`])
//! both carry the place in the file they concern ([`Loc`], [`Located`]).
//!
//! Every mistake in a scenario is reported with the file, line and column it concerns, what is
//! wrong and what would be right, in the form editors and terminals understand:
//! `models/x.toml:14:9: beta distribution: mean 0.95 with sd 0.3 is impossible (sd must be below 0.218)`.

use std::fmt;
use std::ops::Range;

/// One problem in a scenario file, with its location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    /// The file as the user named it.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
    /// What is wrong and what was expected.
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

impl std::error::Error for ScenarioError {}

/// All problems found in one scenario file (at least one), in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioErrors(pub Vec<ScenarioError>);

impl ScenarioErrors {
    /// The first problem, which is the one worth reading first.
    pub fn first(&self) -> &ScenarioError {
        &self.0[0]
    }
}

impl fmt::Display for ScenarioErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioErrors {}

impl From<ScenarioError> for ScenarioErrors {
    fn from(e: ScenarioError) -> Self {
        ScenarioErrors(vec![e])
    }
}

/// The text of a source file with a way to turn byte offsets into lines and columns.
#[derive(Debug, Clone)]
pub struct SourceText<'a> {
    /// The file name used in messages.
    pub file: &'a str,
    /// The whole text.
    pub text: &'a str,
}

impl<'a> SourceText<'a> {
    /// Creates a source text.
    pub fn new(file: &'a str, text: &'a str) -> Self {
        SourceText { file, text }
    }

    /// The 1-based line and column of a byte offset (clamped to the text).
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        (line, column)
    }

    /// An error at a byte offset.
    pub fn error_at(&self, offset: usize, message: impl Into<String>) -> ScenarioError {
        let (line, column) = self.line_col(offset);
        ScenarioError {
            file: self.file.to_string(),
            line,
            column,
            message: message.into(),
        }
    }

    /// An error at the start of a span.
    pub fn error(&self, span: &Range<usize>, message: impl Into<String>) -> ScenarioError {
        self.error_at(span.start, message)
    }
}

/// A line and column in the scenario file, kept for errors found while running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Loc {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// A value (usually a compiled expression) with the place it was written.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// Where it was written.
    pub loc: Loc,
}

/// A draw whose parameter values the model cannot use (a probability above one, a negative
/// scale, initial shares that do not sum to one).
#[derive(Debug, Clone, PartialEq)]
pub struct DrawError {
    /// What is wrong, with the offending value.
    pub message: String,
    /// Where the offending expression is written.
    pub loc: Loc,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters_not_bytes() {
        let src = SourceText::new("x.toml", "a = 1\n# 日本語\nb = 2\n");
        assert_eq!(src.line_col(0), (1, 1));
        assert_eq!(src.line_col(4), (1, 5));
        assert_eq!(src.line_col(6), (2, 1));
        // "# 日本語\n" is 2 + 9 + 1 bytes; `b` starts line 3.
        assert_eq!(src.line_col(18), (3, 1));
        // An offset inside a multi-byte character maps to that character.
        assert_eq!(src.line_col(9), (2, 3));
        assert_eq!(src.error_at(20, "bad").to_string(), "x.toml:3:3: bad");
    }
}
