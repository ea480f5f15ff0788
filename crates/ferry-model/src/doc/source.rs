//! A file's text with a line index, to turn byte offsets into `line:col`.

use std::path::{Path, PathBuf};

/// A 1-based line and column (the column counts characters, not bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column in characters.
    pub col: usize,
}

/// The text of one input file and where it came from.
#[derive(Debug, Clone)]
pub struct SourceFile {
    path: PathBuf,
    text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// Wraps a file's text; `path` is only used in messages.
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        let text = text.into();
        let mut line_starts = vec![0];
        for (index, byte) in text.bytes().enumerate() {
            if byte == b'\n' {
                line_starts.push(index + 1);
            }
        }
        Self {
            path: path.into(),
            text,
            line_starts,
        }
    }

    /// The path as given.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The whole text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The line and column of a byte offset (clamped to the text).
    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line_index = match self.line_starts.binary_search(&offset) {
            Ok(index) => index,
            Err(index) => index - 1,
        };
        let line_start = self.line_starts[line_index];
        let mut boundary = offset;
        while !self.text.is_char_boundary(boundary) {
            boundary -= 1;
        }
        let col = self.text[line_start..boundary].chars().count() + 1;
        Position {
            line: line_index + 1,
            col,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_not_bytes() {
        let file = SourceFile::new("x.json", "{\n  \"标签\": 1\n}");
        assert_eq!(file.position(0), Position { line: 1, col: 1 });
        assert_eq!(file.position(2), Position { line: 2, col: 1 });
        // the `:` after "标签" (two 3-byte characters)
        let colon = file.text().find(':').unwrap();
        assert_eq!(file.position(colon), Position { line: 2, col: 7 });
        assert_eq!(file.position(10_000), Position { line: 3, col: 2 });
    }
}
