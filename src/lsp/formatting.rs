//! Formatting through the formatter of `precept fmt` (`crate::formatter`): the whole document is
//! replaced by its canonical layout.
//!
//! One edit over the whole text rather than minimal edits: the formatter works on whole files, and
//! editors keep the cursor and undo history across such an edit. A text that does not parse is not
//! formatted (its diagnostics are shown already, and `precept fmt` never rewrites such a file):
//! the answer is then `null`, which tells the editor to change nothing.

use lsp_types::{Position, Range, TextEdit};

use super::position::{Encoding, Lines};
use crate::source::SourceFile;

/// The edits that lay out `text` (the document `name`): none when it is laid out already; `None`
/// when it does not parse.
pub fn edits(name: &str, text: &str, lines: &Lines, enc: Encoding) -> Option<Vec<TextEdit>> {
    let formatted = crate::formatter::format_text(&SourceFile::new(name, text)).ok()?;
    if formatted == text {
        return Some(Vec::new());
    }
    let end = lines.position(text, text.len(), enc);
    Some(vec![TextEdit { range: Range { start: Position::default(), end }, new_text: formatted }])
}
