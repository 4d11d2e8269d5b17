//! A place in an open document, with what the analysis knows there: what every request about a
//! position (hover, definition, references, completion) starts from.

use super::project::Analysis;

/// A cursor in a document.
pub struct Spot<'a> {
    /// The analysis of the project the document belongs to.
    pub analysis: &'a Analysis,
    /// The document's number in the analysis's index, if it is indexed.
    pub file: Option<usize>,
    /// Whether the index holds the document's current text (it does not while it fails to parse).
    pub fresh: bool,
    /// The document's current text.
    pub text: &'a str,
    /// The cursor, as a byte offset into `text`.
    pub offset: usize,
}

impl Spot<'_> {
    /// The index's number for the document, when the index holds its current text (so byte
    /// offsets into it mean the same in both).
    pub fn fresh_file(&self) -> Option<usize> {
        self.file.filter(|_| self.fresh)
    }

    /// The word (letters, digits, `_`) around the cursor, and where it starts.
    pub fn word(&self) -> Option<(&str, usize)> {
        let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
        let mut offset = self.offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let (before, after) = self.text.split_at(offset);
        let start = before.rfind(|c: char| !is_word(c)).map_or(0, |i| i + 1);
        let end = offset + after.find(|c: char| !is_word(c)).unwrap_or(after.len());
        let word = self.text.get(start..end)?;
        (!word.is_empty()).then_some((word, start))
    }
}
