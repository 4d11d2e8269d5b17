//! Positions: the protocol's line and character (UTF-16 code units by default, or UTF-8 bytes when
//! the client accepts them) to and from the byte offsets every [`crate::source::Span`] is in, and
//! `file://` URIs to and from paths.
//!
//! Editors count characters in UTF-16 code units, Precept in bytes: `é` is one unit and two bytes,
//! `😀` two units and four bytes. Every conversion goes through [`Lines`], so no other module
//! counts either.

use std::path::{Path, PathBuf};

use lsp_types::{Position, Range, Uri};

use crate::source::Span;

/// How the client counts characters in a line (`positionEncoding`, LSP 3.17).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-16 code units: the default, and what every client understands.
    Utf16,
    /// Bytes of UTF-8, when the client offers it: no conversion at all.
    Utf8,
}

/// Where each line of a text starts, to turn offsets into positions and back.
#[derive(Debug, Clone)]
pub struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    /// The line starts of `text`.
    pub fn new(text: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(text.bytes().enumerate().filter(|&(_, b)| b == b'\n').map(|(i, _)| i + 1));
        Lines { starts }
    }

    /// The position of byte `offset` (clamped to the text, moved back to a character boundary).
    pub fn position(&self, text: &str, offset: usize, enc: Encoding) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset).saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0);
        let before = text.get(start..offset).unwrap_or("");
        let character = match enc {
            Encoding::Utf8 => before.len(),
            Encoding::Utf16 => before.encode_utf16().count(),
        };
        Position { line: clamp_u32(line), character: clamp_u32(character) }
    }

    /// The range of `span`.
    pub fn range(&self, text: &str, span: Span, enc: Encoding) -> Range {
        Range { start: self.position(text, span.start, enc), end: self.position(text, span.end, enc) }
    }

    /// The byte offset of `pos`: a line past the end is the end of the text, a character past the
    /// end of its line is the line's end, and one inside a character is that character's start.
    pub fn offset(&self, text: &str, pos: Position, enc: Encoding) -> usize {
        let Some(&start) = self.starts.get(pos.line as usize) else { return text.len() };
        let end = self.starts.get(pos.line as usize + 1).map_or(text.len(), |&next| next - 1);
        let line = text.get(start..end).unwrap_or("");
        let wanted = pos.character as usize;
        let mut units = 0;
        for (i, c) in line.char_indices() {
            let next = units
                + match enc {
                    Encoding::Utf8 => c.len_utf8(),
                    Encoding::Utf16 => c.len_utf16(),
                };
            if next > wanted {
                return start + i;
            }
            units = next;
        }
        start + line.len()
    }
}

fn clamp_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The local path a `file://` URI names; `None` for any other scheme or a malformed escape.
pub fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    let text = uri.as_str();
    let rest = text.strip_prefix("file://")?;
    // `file:///home/x` (empty authority) or `file://localhost/home/x`.
    let path = rest.strip_prefix("localhost").unwrap_or(rest);
    let path = path.split(['?', '#']).next().unwrap_or("");
    let decoded = percent_decode(path)?;
    // Windows: `/C:/Users/...` is the drive path `C:/Users/...`.
    let bytes = decoded.as_bytes();
    let decoded = if cfg!(windows) && bytes.len() > 2 && bytes[0] == b'/' && bytes[2] == b':' {
        decoded[1..].to_string()
    } else {
        decoded
    };
    if decoded.is_empty() {
        return None;
    }
    Some(PathBuf::from(decoded))
}

fn percent_decode(s: &str) -> Option<String> {
    let mut out = Vec::with_capacity(s.len());
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The `file://` URI of an absolute path, every byte outside the unreserved set escaped.
pub fn path_to_uri(path: &Path) -> Option<Uri> {
    let text = crate::text::name(path);
    let mut out = String::from("file://");
    if !text.starts_with('/') {
        out.push('/');
    }
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) || (b == b':' && cfg!(windows)) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_and_positions_round_trip_in_both_encodings() {
        let text = "ab\né😀x\n\nlast";
        let lines = Lines::new(text);
        for enc in [Encoding::Utf16, Encoding::Utf8] {
            for (offset, _) in text.char_indices().chain([(text.len(), ' ')]) {
                let pos = lines.position(text, offset, enc);
                assert_eq!(lines.offset(text, pos, enc), offset, "{enc:?} {offset}");
            }
        }
        // `x` after `é😀`: 3 UTF-16 units, 6 bytes.
        let x = text.find('x').unwrap_or(0);
        assert_eq!(lines.position(text, x, Encoding::Utf16), Position { line: 1, character: 3 });
        assert_eq!(lines.position(text, x, Encoding::Utf8), Position { line: 1, character: 6 });
        // Past the end of a line or of the text.
        assert_eq!(lines.offset(text, Position { line: 0, character: 99 }, Encoding::Utf16), 2);
        assert_eq!(lines.offset(text, Position { line: 99, character: 0 }, Encoding::Utf16), text.len());
        // Inside the surrogate pair of 😀: its start.
        let smile = text.find('😀').unwrap_or(0);
        assert_eq!(lines.offset(text, Position { line: 1, character: 2 }, Encoding::Utf16), smile);
    }

    #[test]
    fn file_uris_round_trip() {
        let path = PathBuf::from("/tmp/policies dir/ré.precept");
        let uri = path_to_uri(&path).unwrap();
        assert_eq!(uri.as_str(), "file:///tmp/policies%20dir/r%C3%A9.precept");
        assert_eq!(uri_to_path(&uri), Some(path));
        let other: Uri = "untitled:Untitled-1".parse().unwrap();
        assert_eq!(uri_to_path(&other), None);
    }
}
