//! Placing findings: for each finding, the text to show and the span of the offending value in it.
//!
//! This is the readers' knowledge, so it lives with them: the rest of the pipeline hands a
//! [`Locator`] a record (its position, its line and the path that the rule blames) and gets a
//! [`Located`] back, without knowing the file's format or where its bytes are.
//!
//! The cost is that of the old two locators it replaces: a JSON Lines or CSV file is read forward
//! once more, alongside the findings, through the same excerpt reader that diagnostics use (the one
//! reader of lines that knows CSV quoting, [`super::excerpt`]); a JSON or TOML file's text is read
//! once, on the first finding in it, and where its records are is found once (see [`Index`]).

use std::sync::Arc;

use super::excerpt::Excerpts;
use super::locate::{self, Index};
use super::{scan, Format, RecordFile};
use crate::engine::blame::Step;
use crate::engine::Program;
use crate::source::{SourceFile, Span};

/// Where a finding is: the text to show around it and the span of the offending value in that text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The record file's name and the text shown: the whole file for JSON and TOML, the record's own
    /// line (or lines, for a CSV record with a quoted line break) for JSON Lines and CSV. Its
    /// [`SourceFile::first_line`] is the line of the record file where that text starts, so its
    /// [`SourceFile::line_col`] gives lines of the record file.
    pub file: SourceFile,
    /// The offending value's place in `file.text`.
    pub span: Span,
}

impl Located {
    /// The 1-based line of the record file where [`Located::file`]'s text starts (1 for a file
    /// shown whole). Kept in the text's [`SourceFile`] alone, so the two cannot disagree.
    pub fn first_line(&self) -> usize {
        self.file.first_line
    }
}

/// Locates the findings of one record file, in record order.
///
/// ```no_run
/// # fn demo(program: &precept::engine::Program, file: &precept::data::RecordFile) {
/// let mut locator = precept::data::Locator::new(file);
/// // Record 0, which starts on line 1, broke a rule about the record as a whole.
/// let at = locator.locate(program, 0, 1, &[]);
/// println!("{}:{}", at.file.name, at.file.line_col(at.span.start).0);
/// # }
/// ```
pub struct Locator<'f> {
    file: &'f RecordFile,
    /// Shared by every text shown.
    name: Arc<str>,
    how: How<'f>,
}

/// How a file's findings are located.
enum How<'f> {
    /// JSON Lines, CSV: the record's own lines, read forward as findings come.
    Lines {
        excerpts: Excerpts<'f>,
        /// A CSV file's header, read before the first record's lines.
        header: Option<String>,
        /// The last record's line and text, since a record often has several findings.
        current: Option<(usize, SourceFile)>,
    },
    /// JSON, TOML: the whole text, read on the first finding.
    Whole { text: Option<SourceFile>, index: Index },
}

impl<'f> Locator<'f> {
    /// A locator for `file`; nothing is read until a finding is located.
    pub fn new(file: &'f RecordFile) -> Locator<'f> {
        let how = match file.format {
            Format::Jsonl | Format::Csv => How::Lines { excerpts: Excerpts::new(file), header: None, current: None },
            Format::Json | Format::Toml => How::Whole { text: None, index: Index::default() },
        };
        Locator { file, name: file.name.as_str().into(), how }
    }

    /// Whether findings are best located as their records are read (a streamed file: JSON Lines,
    /// CSV, so that memory does not grow with the file) or once the file has been read (a file read
    /// whole: JSON, TOML, so that its text is not held twice at once, by the reader and here).
    pub fn streams(&self) -> bool {
        matches!(self.how, How::Lines { .. })
    }

    /// Where the value at `path` of record `ordinal`, which starts at 1-based `line`, is: the text
    /// to show and the span in it. When the value is absent, the span is that of the key of the
    /// nearest enclosing object present, or of the record itself (for CSV, of the field's cell, or
    /// the record's line). Never fails: when the file no longer matches, it falls back to the
    /// record's line.
    ///
    /// Findings of a streamed file (JSON Lines, CSV) must come in record order: its lines are read
    /// forward only, once in all (asking for an earlier record reads the file again from a
    /// checkpoint).
    pub fn locate(&mut self, program: &Program, ordinal: usize, line: usize, path: &[Step]) -> Located {
        let file = self.file;
        match &mut self.how {
            How::Whole { text, index } => {
                let text = text.get_or_insert_with(|| SourceFile::new(self.name.clone(), file.text()));
                let span = locate::locate(file, &text.text, program, ordinal, line, path, index);
                Located { file: text.clone(), span }
            }
            How::Lines { excerpts, header, current } => {
                if file.format == Format::Csv && header.is_none() {
                    // Line 1, before any record's lines: the reader still only moves forward.
                    *header = Some(record_text(&excerpts.read(1)));
                }
                let source = match current {
                    Some((at, source)) if *at == line => source.clone(),
                    _ => {
                        let source = SourceFile::excerpt(self.name.clone(), record_text(&excerpts.read(line)), line);
                        *current = Some((line, source.clone()));
                        source
                    }
                };
                let span =
                    span_in_record(program, file, (header.as_deref(), &[]), &source, path, &mut Default::default());
                Located { file: source, span }
            }
        }
    }
}

/// Where the value at `path` is in a streamed record's own text `source` (from [`record_source`]):
/// for CSV the cell of its column, named in the file's `header` line, else the record's first
/// line; for JSON Lines the value, or the key of the nearest enclosing object present, found from
/// `keys_at` (where the parse found its top-level keys, [`super::RawText::keys_at`]) where known.
pub(crate) fn span_in_record<'t>(
    program: &Program,
    file: &RecordFile,
    (header, keys_at): (Option<&str>, &[u32]),
    source: &'t SourceFile,
    path: &[Step],
    scanned: &mut locate::Scanned<'t>,
) -> Span {
    let text = &*source.text;
    let found = match (file.format, program.schemas.get(file.schema).map(|s| s.shape)) {
        (Format::Csv, Some(shape)) => {
            // A record on line 1 is read against itself as the header.
            let header = header.filter(|_| source.first_line > 1).unwrap_or(text);
            locate::csv_span(header, text, 0, program, shape, path)
        }
        (_, Some(shape)) => Some(locate::jsonl_span(text, 0, program, shape, path, keys_at, scanned)),
        (_, None) => None,
    };
    found.unwrap_or_else(|| scan::line_span(text, 1)).clamp(text.len())
}

/// A streamed record's text as shown with its findings, from the bytes kept while it was read:
/// the same text its excerpt would give, without reading the file again.
pub(crate) fn record_source(name: Arc<str>, line: usize, raw: &super::RawText) -> SourceFile {
    let text = raw.text();
    let trimmed = text.trim_end_matches(['\n', '\r']);
    // Most records have no `\r` inside them: their text is copied once, straight into place (the
    // look for one by the memchr crate's vector search: `str::contains` took about a thousand
    // instructions a record, half of what making its text took).
    let carriage = memchr::memchr(b'\r', trimmed.as_bytes()).is_some();
    let shown: Arc<str> = if carriage { record_text(text).into() } else { trimmed.into() };
    SourceFile::excerpt(name, shown, line)
}

/// A record's text as shown with its findings, from its excerpt: each of its lines without its line
/// ending, so the text ends with the record and a CSV record's lines are joined by `\n` alone.
pub(crate) fn record_text(excerpt: &str) -> String {
    let trimmed = excerpt.trim_end_matches(['\n', '\r']);
    if !trimmed.contains('\r') {
        return trimmed.to_string();
    }
    trimmed.split('\n').map(|l| l.trim_end_matches('\r')).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A locator can be handed to another thread with its file.
    #[test]
    fn a_locator_can_move_between_threads() {
        fn send<T: Send>(_: &T) {}
        let file = RecordFile::from_bytes("a.csv", Format::Csv, 0, b"id\n1\n".to_vec());
        send(&Locator::new(&file));
    }

    #[test]
    fn a_record_s_lines_lose_their_endings() {
        assert_eq!(record_text("a,b\r\n"), "a,b");
        assert_eq!(record_text("1,\"x\r\ny\"\r\n"), "1,\"x\ny\"");
        assert_eq!(record_text("{\"a\": \"\r\"}\r\r\n"), "{\"a\": \"\r\"}");
        assert_eq!(record_text(""), "");
    }
}
