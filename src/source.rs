//! Source files and byte spans: the one way every later step refers to a place in the user's text.
//!
//! Spans are byte offsets into a [`SourceFile`]; they become lines and columns only at the edges
//! (JSON reports, terminal rendering), so every step in between stays cheap and exact.

use std::sync::Arc;

/// A half-open byte range `start..end` in one source file.
///
/// ```
/// use precept::{SourceFile, Span};
/// let file = SourceFile::new("tickets.csv", "id,waited\nT-2,3h\n");
/// let span = Span { start: 14, end: 16 };
/// assert_eq!(file.slice(span), "3h");
/// assert_eq!(file.line_col(span.start), (2, 5));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end`; reversed bounds are put in order so a span is never negative.
    ///
    /// ```
    /// use precept::Span;
    /// assert_eq!(Span::new(2, 5), Span { start: 2, end: 5 });
    /// assert_eq!(Span::new(5, 2), Span { start: 2, end: 5 });
    /// ```
    pub fn new(start: usize, end: usize) -> Span {
        if start <= end {
            Span { start, end }
        } else {
            Span { start: end, end: start }
        }
    }

    /// The smallest span covering both.
    ///
    /// ```
    /// use precept::Span;
    /// assert_eq!(Span::new(2, 5).to(Span::new(8, 9)), Span::new(2, 9));
    /// assert_eq!(Span::new(8, 9).to(Span::new(2, 5)), Span::new(2, 9));
    /// assert_eq!(Span::new(2, 9).to(Span::new(3, 4)), Span::new(2, 9));
    /// ```
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// Length in bytes.
    ///
    /// ```
    /// use precept::{SourceFile, Span};
    /// assert_eq!(Span::new(2, 5).len(), 3);
    /// // Bytes, not characters: `é` is two.
    /// let file = SourceFile::new("names.csv", "Zoë");
    /// assert_eq!(Span::new(0, file.text.len()).len(), 4);
    /// ```
    pub fn len(self) -> usize {
        self.end.saturating_sub(self.start)
    }

    /// True for a zero-width span (a point between two bytes).
    ///
    /// ```
    /// use precept::Span;
    /// assert!(Span::new(4, 4).is_empty());
    /// assert!(!Span::new(4, 5).is_empty());
    /// ```
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// This span limited to a text of `len` bytes, so a label can never point past the end of a file.
    ///
    /// ```
    /// use precept::Span;
    /// assert_eq!(Span::new(5, 50).clamp(10), Span::new(5, 10));
    /// assert_eq!(Span::new(20, 50).clamp(10), Span::new(10, 10));
    /// assert_eq!(Span::new(2, 4).clamp(10), Span::new(2, 4));
    /// ```
    pub fn clamp(self, len: usize) -> Span {
        Span::new(self.start.min(len), self.end.min(len))
    }
}

/// One file of user text (a policy, a record file, a calendar), shared cheaply between diagnostics.
///
/// ```
/// use precept::{SourceFile, Span};
/// let file = SourceFile::new("tickets.csv", "id,waited\nT-2,3h\n");
/// assert_eq!((file.name.as_ref(), file.first_line), ("tickets.csv", 1));
/// assert_eq!(file.slice(Span::new(10, 13)), "T-2");
/// // Clones share the text rather than copy it.
/// let copy = file.clone();
/// assert!(std::sync::Arc::ptr_eq(&copy.text, &file.text));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The name shown to the user: the path as it was given or found.
    pub name: Arc<str>,
    /// The whole text, or for an excerpt the lines it holds. Invalid UTF-8 has been replaced (and
    /// reported) before a `SourceFile` is made.
    pub text: Arc<str>,
    /// The 1-based line of the file where `text` starts: 1 for a whole file. A streamed record file
    /// is never held whole, so a diagnostic on it carries only the lines it points at, and line
    /// numbers stay those of the file.
    pub first_line: usize,
}

impl SourceFile {
    /// A source file from a display name and its whole text.
    ///
    /// ```
    /// use precept::SourceFile;
    /// let file = SourceFile::new("house.precept", String::from("schema ticket {}\n"));
    /// assert_eq!(file.text.as_ref(), "schema ticket {}\n");
    /// assert_eq!(file.first_line, 1);
    /// ```
    pub fn new(name: impl Into<Arc<str>>, text: impl Into<Arc<str>>) -> SourceFile {
        SourceFile { name: name.into(), text: text.into(), first_line: 1 }
    }

    /// Some lines of a file, starting at the start of 1-based line `first_line`.
    ///
    /// ```
    /// use precept::SourceFile;
    /// // Lines 40,000 and 40,001 of a large JSON Lines file.
    /// let file = SourceFile::excerpt("big.jsonl", "{\"id\": 1}\n{\"id\": 2}\n", 40_000);
    /// assert_eq!(file.line_col(0), (40_000, 1));
    /// assert_eq!(file.line_col(10), (40_001, 1));
    /// // There is no line 0.
    /// assert_eq!(SourceFile::excerpt("big.jsonl", "", 0).first_line, 1);
    /// ```
    pub fn excerpt(name: impl Into<Arc<str>>, text: impl Into<Arc<str>>, first_line: usize) -> SourceFile {
        SourceFile { name: name.into(), text: text.into(), first_line: first_line.max(1) }
    }

    /// The same place in a new text (a redacted copy): name and first line are kept.
    ///
    /// ```
    /// use precept::SourceFile;
    /// let file = SourceFile::excerpt("tickets.csv", "T-2,Zoë Smith,3h\n", 12);
    /// let redacted = file.with_text("T-2,,3h\n");
    /// assert_eq!((redacted.name.as_ref(), redacted.first_line), ("tickets.csv", 12));
    /// assert_eq!(redacted.text.as_ref(), "T-2,,3h\n");
    /// ```
    pub fn with_text(&self, text: impl Into<Arc<str>>) -> SourceFile {
        SourceFile { name: self.name.clone(), text: text.into(), first_line: self.first_line }
    }

    /// The 1-based line (of the file, not of an excerpt) and column (in characters) of a byte
    /// offset, clamped to the text. For a large text the place comes from a cached sparse index
    /// of its lines, so placing every finding of a whole-file record format (50,000 `[[record]]`
    /// tables in one TOML file, or 100,000 findings on a one-line JSON file) stays linear.
    ///
    /// ```
    /// use precept::SourceFile;
    /// let file = SourceFile::new("names.csv", "id,name\n1,Zoë Smith\n");
    /// // `Smith` starts at byte 15 but at the 7th character of line 2.
    /// assert_eq!(file.line_col(15), (2, 7));
    /// // Past the end is the end.
    /// assert_eq!(file.line_col(1_000), (3, 1));
    /// ```
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let (line, column) = if self.text.len() < INDEXED_TEXT {
            line_col(&self.text, offset)
        } else {
            let (newlines, column) = position(&self.text, offset);
            (newlines + 1, column + 1)
        };
        (line + self.first_line - 1, column)
    }

    /// The slice a span covers, clamped to the text and to character boundaries.
    ///
    /// ```
    /// use precept::{SourceFile, Span};
    /// let file = SourceFile::new("names.csv", "Zoë");
    /// assert_eq!(file.slice(Span::new(0, 2)), "Zo");
    /// // A span ending inside `ë` (bytes 2 and 3) takes the whole character.
    /// assert_eq!(file.slice(Span::new(0, 3)), "Zoë");
    /// assert_eq!(file.slice(Span::new(2, 99)), "ë");
    /// ```
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

/// Texts shorter than this are scanned from their start; longer ones get a cached index.
const INDEXED_TEXT: usize = 64 * 1024;

/// How many line breaks (`\n`) come before byte `offset` of `text`. For a large text this comes
/// from a cached index, so many diagnostics or findings on one large file (20,000 lint warnings on
/// one role file) cost a search and a short scan each rather than a scan from the start.
pub fn newlines_before(text: &std::sync::Arc<str>, offset: usize) -> usize {
    if text.len() < INDEXED_TEXT {
        return text.get(..offset).map_or(0, |t| t.bytes().filter(|&b| b == b'\n').count());
    }
    position(text, offset).0
}

/// A point of the index: at byte `at` (a character boundary), `newlines` line breaks lie before
/// it and `column` characters since the last of them.
#[derive(Debug, Clone, Copy)]
struct Mark {
    at: usize,
    newlines: usize,
    column: usize,
}

/// A mark is set after at most this many lines or bytes, whichever comes first: the index takes
/// at most 24 bytes per 256 lines or per 64 KiB (so a file of nothing but line breaks needs a
/// tenth of its size, not eight times it), and a lookup scans at most that much text.
const MARK_LINES: usize = 256;
const MARK_BYTES: usize = 64 * 1024;

/// Line breaks before byte `offset` of `text` (moved back to a character boundary) and characters
/// since the last of them, from the nearest mark.
fn position(text: &std::sync::Arc<str>, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let marks = marks(text);
    let k = marks.partition_point(|m| m.at <= offset).saturating_sub(1);
    let mark = marks.get(k).copied().unwrap_or(Mark { at: 0, newlines: 0, column: 0 });
    let (mut newlines, mut column) = (mark.newlines, mark.column);
    for &b in text.as_bytes().get(mark.at..offset).unwrap_or(&[]) {
        if b == b'\n' {
            newlines += 1;
            column = 0;
        } else if b & 0xC0 != 0x80 {
            column += 1;
        }
    }
    (newlines, column)
}

/// The index of the few large texts last placed into (kept by the text's identity: the cache
/// holds the text, so its address cannot be reused while it is cached).
fn marks(text: &std::sync::Arc<str>) -> std::sync::Arc<[Mark]> {
    use std::sync::{Arc, Mutex};
    type Indexed = Vec<(Arc<str>, Arc<[Mark]>)>;
    static CACHE: Mutex<Indexed> = Mutex::new(Vec::new());
    const KEEP: usize = 4;
    let build = || -> Arc<[Mark]> {
        let mut marks = vec![Mark { at: 0, newlines: 0, column: 0 }];
        let (mut newlines, mut column, mut last) = (0, 0, Mark { at: 0, newlines: 0, column: 0 });
        for (i, &b) in text.as_bytes().iter().enumerate() {
            let boundary = b & 0xC0 != 0x80;
            if boundary && (newlines - last.newlines >= MARK_LINES || i - last.at >= MARK_BYTES) {
                last = Mark { at: i, newlines, column };
                marks.push(last);
            }
            if b == b'\n' {
                newlines += 1;
                column = 0;
            } else if boundary {
                column += 1;
            }
        }
        marks.into()
    };
    let Ok(mut cache) = CACHE.lock() else { return build() };
    if let Some(k) = cache.iter().position(|(t, _)| Arc::ptr_eq(t, text)) {
        let hit = cache.remove(k);
        let marks = hit.1.clone();
        cache.insert(0, hit);
        return marks;
    }
    let marks = build();
    cache.insert(0, (text.clone(), marks.clone()));
    cache.truncate(KEEP);
    marks
}

/// The 1-based line and column (in characters) of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = text.get(..offset).unwrap_or("");
    // Most texts placed into are one record's line: when no line break comes before the offset
    // there is nothing to count but the column, and an ASCII line's column is its length.
    match memchr::memrchr(b'\n', before.as_bytes()) {
        None => (1, columns(before) + 1),
        Some(i) => {
            let earlier = before.get(..i).map_or(0, |t| memchr::memchr_iter(b'\n', t.as_bytes()).count());
            (earlier + 2, before.get(i + 1..).map_or(0, columns) + 1)
        }
    }
}

/// The characters in `s`, one line's worth; counted only when it is not all ASCII.
fn columns(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Line and column at every offset of texts with and without line breaks and non-ASCII
    /// characters (in the line placed into, and only before it), against a walk over the
    /// characters: the count that skips work on lines without breaks or non-ASCII text agrees.
    #[test]
    fn line_col_agrees_with_a_walk_over_the_characters() {
        // An offset inside a character counts as that character's start.
        fn walk(text: &str, offset: usize) -> (usize, usize) {
            let offset = (0..=offset.min(text.len())).rev().find(|&o| text.is_char_boundary(o)).unwrap_or(0);
            let (mut line, mut column) = (1, 1);
            for (at, c) in text.char_indices() {
                if at >= offset {
                    break;
                }
                if c == '\n' {
                    (line, column) = (line + 1, 1);
                } else {
                    column += 1;
                }
            }
            (line, column)
        }
        let mut rng = fastrand::Rng::with_seed(11);
        let pieces = ["a", "bc", "\n", "é", "日本", "\r\n", " ", "{\"k\":1}", "😀"];
        for _ in 0..300 {
            let text: String = (0..rng.usize(0..24)).map(|_| pieces[rng.usize(..pieces.len())]).collect();
            for offset in 0..=text.len() + 2 {
                assert_eq!(line_col(&text, offset), walk(&text, offset), "{text:?} at {offset}");
            }
        }
    }

    #[test]
    fn line_col_counts_from_one() {
        let text = "ab\ncd\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 3), (2, 1));
        assert_eq!(line_col(text, 4), (2, 2));
        assert_eq!(line_col(text, 999), (3, 1));
    }

    /// The cached line index counts the same line breaks as a scan from the start, at every
    /// offset of a text large enough to be indexed, whatever its line ends.
    #[test]
    fn the_line_index_counts_as_a_scan_does() {
        let mut rng = fastrand::Rng::with_seed(3);
        let mut text = String::new();
        let ends = ["\n", "\r\n", "\r", "\n\n"];
        while text.len() < 3 * INDEXED_TEXT {
            let n = rng.usize(..40);
            text.extend(std::iter::repeat_n('x', n));
            text.push_str(ends[rng.usize(..ends.len())]);
        }
        let text: std::sync::Arc<str> = text.into();
        for _ in 0..600 {
            let at = rng.usize(..=text.len());
            let want = text[..at].bytes().filter(|&b| b == b'\n').count();
            assert_eq!(newlines_before(&text, at), want, "{at}");
        }
        assert_eq!(newlines_before(&text, text.len() + 5), text.bytes().filter(|&b| b == b'\n').count());
    }

    /// A large file's indexed line and column agree with the plain scan.
    #[test]
    fn indexed_line_col_agrees_with_the_scan() {
        let mut rng = fastrand::Rng::with_seed(5);
        let mut text = String::new();
        while text.len() < 2 * INDEXED_TEXT {
            text.extend(std::iter::repeat_n('é', rng.usize(..30)));
            text.push_str(["\n", "\r\n", "x"][rng.usize(..3)]);
        }
        let file = SourceFile::new("big", text.clone());
        for _ in 0..500 {
            let at = rng.usize(..=text.len() + 2);
            assert_eq!(file.line_col(at), line_col(&text, at), "{at}");
        }
    }

    /// One long line (a one-line JSON file): columns come from the index too, and agree.
    #[test]
    fn a_long_single_line_is_placed_by_the_index() {
        let mut rng = fastrand::Rng::with_seed(9);
        let mut text = String::new();
        while text.len() < 5 * MARK_BYTES {
            text.push(['a', 'é', '€', '𝄞'][rng.usize(..4)]);
        }
        text.push_str("\nend");
        let file = SourceFile::new("one-line", text.clone());
        for _ in 0..500 {
            let at = rng.usize(..=text.len() + 2);
            assert_eq!(file.line_col(at), line_col(&text, at), "{at}");
        }
    }

    /// An excerpt counts lines of the file it comes from.
    #[test]
    fn an_excerpt_keeps_the_file_s_line_numbers() {
        let file = SourceFile::excerpt("a.jsonl", "{\"x\":1}\n", 40_000);
        assert_eq!(file.line_col(5), (40_000, 6));
        assert_eq!(file.with_text("{\"x\":2}").line_col(0), (40_000, 1));
    }

    #[test]
    fn clamp_keeps_spans_inside() {
        assert_eq!(Span::new(5, 50).clamp(10), Span::new(5, 10));
        assert_eq!(Span::new(20, 50).clamp(10), Span::new(10, 10));
        assert_eq!(Span::new(4, 2), Span::new(2, 4));
    }
}
