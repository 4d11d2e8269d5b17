//! The documents open in the editor: their text as the editor has it, kept up to date from the
//! changes it sends (whole texts or ranges).

use lsp_types::{TextDocumentContentChangeEvent, Uri};

use super::position::{Encoding, Lines};

/// One open document.
#[derive(Debug, Clone)]
pub struct Doc {
    /// The URI the editor knows it by (used to publish its diagnostics).
    pub uri: Uri,
    /// Its text now.
    pub text: String,
    /// Where its lines start.
    pub lines: Lines,
}

impl Doc {
    /// A document opened with `text`.
    pub fn new(uri: Uri, text: String) -> Doc {
        let lines = Lines::new(&text);
        Doc { uri, text, lines }
    }

    /// Apply the editor's changes, in order: a change with a range replaces that range, one
    /// without replaces the whole text.
    pub fn apply(&mut self, changes: Vec<TextDocumentContentChangeEvent>, enc: Encoding) {
        for change in changes {
            match change.range {
                None => self.text = change.text,
                Some(range) => {
                    let start = self.lines.offset(&self.text, range.start, enc);
                    let end = self.lines.offset(&self.text, range.end, enc).max(start);
                    self.text.replace_range(start..end, &change.text);
                }
            }
            self.lines = Lines::new(&self.text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::{Position, Range};

    #[test]
    fn ranged_changes_apply_in_order() {
        let uri: Uri = "file:///p.precept".parse().unwrap();
        let mut doc = Doc::new(uri, "héllo\nworld\n".to_string());
        let at = |line, character| Position { line, character };
        doc.apply(
            vec![
                TextDocumentContentChangeEvent {
                    range: Some(Range { start: at(0, 1), end: at(0, 2) }),
                    range_length: None,
                    text: "e".to_string(),
                },
                TextDocumentContentChangeEvent {
                    range: Some(Range { start: at(1, 5), end: at(1, 5) }),
                    range_length: None,
                    text: "!".to_string(),
                },
            ],
            Encoding::Utf16,
        );
        assert_eq!(doc.text, "hello\nworld!\n");
        doc.apply(
            vec![TextDocumentContentChangeEvent { range: None, range_length: None, text: "x".into() }],
            Encoding::Utf16,
        );
        assert_eq!(doc.text, "x");
    }
}
