//! Source files and byte spans: the one way every later step refers to a place in the user's text.
//!
//! Spans are byte offsets into a [`SourceFile`]; they become lines and columns only at the edges
//! (JSON reports, terminal rendering), so every step in between stays cheap and exact.

use std::sync::Arc;

/// A half-open byte range `start..end` in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end`; reversed bounds are put in order so a span is never negative.
    pub fn new(start: usize, end: usize) -> Span {
        if start <= end {
            Span { start, end }
        } else {
            Span { start: end, end: start }
        }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// Length in bytes.
    pub fn len(self) -> usize {
        self.end.saturating_sub(self.start)
    }

    /// True for a zero-width span (a point between two bytes).
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// This span limited to a text of `len` bytes, so a label can never point past the end of a file.
    pub fn clamp(self, len: usize) -> Span {
        Span::new(self.start.min(len), self.end.min(len))
    }
}

/// One file of user text (a policy, a record file, a calendar), shared cheaply between diagnostics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The name shown to the user: the path as it was given or found.
    pub name: Arc<str>,
    /// The whole text. Invalid UTF-8 has been replaced (and reported) before a `SourceFile` is made.
    pub text: Arc<str>,
}

impl SourceFile {
    /// A source file from a display name and its text.
    pub fn new(name: impl Into<Arc<str>>, text: impl Into<Arc<str>>) -> SourceFile {
        SourceFile { name: name.into(), text: text.into() }
    }

    /// The 1-based line and column (in characters) of a byte offset, clamped to the text.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        line_col(&self.text, offset)
    }

    /// The slice a span covers, clamped to the text and to character boundaries.
    pub fn slice(&self, span: Span) -> &str {
        let span = span.clamp(self.text.len());
        let mut start = span.start;
        while !self.text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = span.end;
        while !self.text.is_char_boundary(end) {
            end += 1;
        }
        self.text.get(start..end).unwrap_or("")
    }
}

/// The 1-based line and column (in characters) of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = text.get(..offset).unwrap_or("");
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one() {
        let text = "ab\ncd\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 3), (2, 1));
        assert_eq!(line_col(text, 4), (2, 2));
        assert_eq!(line_col(text, 999), (3, 1));
    }

    #[test]
    fn clamp_keeps_spans_inside() {
        assert_eq!(Span::new(5, 50).clamp(10), Span::new(5, 10));
        assert_eq!(Span::new(20, 50).clamp(10), Span::new(10, 10));
        assert_eq!(Span::new(4, 2), Span::new(2, 4));
    }
}
