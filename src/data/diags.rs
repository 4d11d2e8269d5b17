//! Diagnostics for one record file: problems found while reading become [`Diag`]s with a place.
//!
//! Streamed formats never hold the whole file, so a diagnostic on one points into an excerpt of the
//! lines it is about (see [`super::excerpt`]); a file read whole is pointed into as it is.

use std::fmt::Write as _;

use super::codes;
use super::convert::Bad;
use super::RecordFile;
use crate::diagnostics::Diag;
use crate::engine::blame::Step;
use crate::engine::types::Ty;
use crate::engine::Program;
use crate::source::{SourceFile, Span};

/// A problem with one record, found while converting it.
#[derive(Debug, Clone)]
pub(crate) struct Problem {
    /// Where in the record (field slots and list indices from the top-level shape).
    pub path: Vec<Step>,
    /// What is wrong.
    pub kind: ProblemKind,
}

/// What is wrong with a record.
#[derive(Debug, Clone)]
pub(crate) enum ProblemKind {
    /// A required field is absent or null.
    Missing,
    /// A value of the wrong form.
    Invalid(Bad),
    /// The record itself is not an object (`found` says what it is).
    NotObject(&'static str),
    /// One object of the record has key `name` twice; the spans are the two keys (with quotes),
    /// relative to the record's own text.
    DuplicateKey { name: String, first: Span, second: Span },
    /// The record would take more than this many bytes once decoded.
    TooLarge(usize),
}

impl ProblemKind {
    /// A value that could not be read: it costs the verdicts that depend on it, not the record.
    /// Every other problem makes the record unusable.
    pub(crate) fn is_bad_value(&self) -> bool {
        matches!(self, ProblemKind::Invalid(_))
    }
}

/// The notes for a kept record's problems, in order, so [`crate::engine::value::Value::Unreadable`]`(i)`
/// is `problems[i]` (see [`super::Unreadable`]).
pub(crate) fn unreadable_notes<'a>(
    program: &Program,
    shape: usize,
    problems: impl Iterator<Item = &'a Problem>,
) -> Vec<super::Unreadable> {
    problems.map(|p| super::Unreadable { path: p.path.clone(), message: p.message(program, shape) }).collect()
}

impl Problem {
    /// The message of this problem's diagnostic.
    pub(crate) fn message(&self, program: &Program, shape: usize) -> String {
        let name = field_path(program, shape, &self.path);
        match &self.kind {
            ProblemKind::Invalid(bad) => format!("`{name}` {}", bad.what),
            _ => format!("`{name}` could not be read"),
        }
    }

    /// The diagnostic for this problem at `span` in `source`.
    pub(crate) fn diag(
        &self,
        program: &Program,
        shape: usize,
        source: &SourceFile,
        span: Span,
        format_help: &str,
    ) -> Diag {
        let name = field_path(program, shape, &self.path);
        match &self.kind {
            ProblemKind::Missing => {
                let leaf = name.rsplit('.').next().unwrap_or(&name).to_string();
                Diag::error(codes::MISSING_FIELD, format!("record is missing required field `{name}`"))
                    .at(source, span, format!("no `{leaf}` here"))
                    .help(format!("add `{leaf}` to the record, or declare the field optional with `?` in the schema"))
            }
            ProblemKind::Invalid(bad) => Diag::error(codes::INVALID_VALUE, format!("`{name}` {}", bad.what))
                .at(source, span, bad.label.clone())
                .help(format!("{}; rules that depend on this value cannot be determined for the record", bad.help)),
            ProblemKind::DuplicateKey { name, first, second } => {
                // `span` is `second` moved to its place in the file; `first` moves by as much.
                let shift = span.start.saturating_sub(second.start);
                let first = Span::new(first.start + shift, first.end + shift);
                let name = super::convert::clip(name);
                Diag::error(codes::DUPLICATE_KEY, format!("key `{name}` appears twice in one object of a record"))
                    .at(source, span, format!("second `{name}`"))
                    .label(first, format!("first `{name}` here"))
                    .help(format!(
                        "a JSON object names each key once; which of two values counts is not guessed: remove one `{name}`; the record was skipped"
                    ))
            }
            ProblemKind::TooLarge(budget) => {
                let max = crate::input::show_size(u64::try_from(*budget).unwrap_or(u64::MAX));
                Diag::error(crate::input::TOO_LARGE, format!("record would take more than {max} in memory"))
                    .at(source, span, "this record")
                    .help("a record may take eight times the `record-line` limit once read; the record was skipped; raise the limit with `--limit record-line=SIZE` or `record-line = \"SIZE\"` under `[limits]` in `precept.toml`")
            }
            ProblemKind::NotObject(found) => {
                Diag::error(codes::INVALID_VALUE, format!("record is not an object: found {found}"))
                    .at(source, span, "expected an object")
                    .help(format_help.to_string())
            }
        }
    }
}

/// A field path for messages: `customer.kind`, `items[2].amount`.
pub(crate) fn field_path(program: &Program, shape: usize, path: &[Step]) -> String {
    let mut out = String::new();
    let mut ty = Ty::Object(shape);
    for step in path {
        match (step, &ty) {
            (Step::Field(i), Ty::Object(s)) => {
                let Some(field) = program.shapes.get(*s).and_then(|sh| sh.fields.get(usize::from(*i))) else { break };
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&field.name);
                ty = field.ty.clone();
            }
            (Step::Index(i), Ty::List(inner)) => {
                let _ = write!(out, "[{i}]");
                ty = (**inner).clone();
            }
            _ => break,
        }
    }
    out
}

/// Diagnostics for one file. A file read whole keeps its text; a streamed file (JSON Lines, CSV)
/// gives each diagnostic an excerpt of the lines it points at, read back from the file, so a bad line
/// near the end of a 200 MB file costs that line, not the file.
pub(crate) struct FileDiags<'f> {
    file: &'f RecordFile,
    /// The whole text, for a file read whole.
    whole: Option<SourceFile>,
    /// Where excerpts of a streamed file come from, opened on first need.
    excerpts: Option<super::excerpt::Excerpts<'f>>,
    /// The last excerpt, since several diagnostics on one line are usual.
    last: Option<SourceFile>,
    /// The diagnostics kept, at most [`super::MAX_DIAGNOSTICS_PER_FILE`].
    pub diags: Vec<Diag>,
    /// Problems found past that, counted only.
    more: usize,
    /// Whether any of those is an error.
    more_errors: bool,
}

impl<'f> FileDiags<'f> {
    /// Read a whole file that must be UTF-8, its byte-order mark dropped; `None` after reporting
    /// why it cannot be used. Records in memory are borrowed, not copied.
    pub(crate) fn read_utf8(&mut self) -> Option<std::borrow::Cow<'f, [u8]>> {
        let file: &'f RecordFile = self.file;
        // Through the file layer: a regular file only, no larger than the `record-file` limit.
        let bytes = match file.bytes() {
            Ok(b) => b,
            Err(d) => {
                self.push(d);
                return None;
            }
        };
        // Every reader drops a byte-order mark, so spans are into the text without it.
        let bytes = super::origin::without_bom(bytes);
        if let Err(e) = std::str::from_utf8(&bytes) {
            self.set_text(&String::from_utf8_lossy(&bytes));
            self.invalid_utf8(e.valid_up_to());
            return None;
        }
        Some(bytes)
    }

    /// Diagnostics for `file`; a streamed file's lines are read back when a diagnostic needs them.
    pub(crate) fn new(file: &'f RecordFile) -> FileDiags<'f> {
        FileDiags { file, whole: None, excerpts: None, last: None, diags: Vec::new(), more: 0, more_errors: false }
    }

    /// The text a diagnostic on a file read whole points into.
    pub(crate) fn source(&mut self) -> SourceFile {
        match &self.whole {
            Some(s) => s.clone(),
            None => self.at_line(1).0,
        }
    }

    /// For a file already read whole: `text` is its (lossy) text.
    pub(crate) fn set_text(&mut self, text: &str) {
        if self.whole.is_none() {
            self.whole = Some(SourceFile::new(self.file.name.as_str(), text));
        }
    }

    /// The text to point into for a diagnostic on 1-based `line`, and the byte offset of the start
    /// of that line in it: the whole text of a file read whole, else an excerpt starting at the line.
    pub(crate) fn at_line(&mut self, line: usize) -> (SourceFile, usize) {
        if let Some(whole) = &self.whole {
            return (whole.clone(), super::scan::line_start(&whole.text, line));
        }
        let line = line.max(1);
        if let Some(last) = self.last.as_ref().filter(|s| s.first_line == line) {
            return (last.clone(), 0);
        }
        let file = self.file;
        let excerpts = self.excerpts.get_or_insert_with(|| super::excerpt::Excerpts::new(file));
        let source = SourceFile::excerpt(self.file.name.as_str(), excerpts.read(line), line);
        self.last = Some(source.clone());
        (source, 0)
    }

    /// The text around 1-based `line` ([`FileDiags::at_line`]) and the span of that line in it,
    /// without its line ending.
    pub(crate) fn line_span(&mut self, line: usize) -> (SourceFile, Span) {
        let (source, start) = self.at_line(line);
        let rest = source.text.get(start..).unwrap_or("");
        let len = rest.find('\n').unwrap_or(rest.len());
        let len = if rest.get(..len).is_some_and(|l| l.ends_with('\r')) { len - 1 } else { len };
        (source, Span::new(start, start + len))
    }

    /// Add a diagnostic; past the number shown per file it is only counted.
    pub(crate) fn push(&mut self, diag: Diag) {
        if self.diags.len() < super::MAX_DIAGNOSTICS_PER_FILE {
            self.diags.push(diag);
        } else {
            self.more += 1;
            self.more_errors |= diag.is_error();
        }
    }

    /// How many more diagnostics will be shown: a reader locates no more problems than that.
    pub(crate) fn room(&self) -> usize {
        super::MAX_DIAGNOSTICS_PER_FILE.saturating_sub(self.diags.len())
    }

    /// Count `n` input errors that are not located (past [`FileDiags::room`], or past the problems
    /// a record keeps).
    pub(crate) fn skip(&mut self, n: usize) {
        self.more += n;
        self.more_errors |= n > 0;
    }

    /// Add an error at `span` of `source`.
    pub(crate) fn error(
        &mut self,
        source: &SourceFile,
        code: &'static str,
        message: String,
        span: Span,
        label: &str,
        help: String,
    ) {
        self.push(Diag::error(code, message).at(source, span, label).help(help));
    }

    /// An I/O error while opening or reading the file.
    pub(crate) fn unreadable(&mut self, err: &std::io::Error) {
        self.push(unreadable(&self.file.name, err));
    }

    /// Invalid UTF-8 at 1-based `line`, `column` bytes into the line.
    pub(crate) fn invalid_utf8_at_line(&mut self, line: usize, column: usize) {
        let (source, start) = self.at_line(line);
        self.invalid_utf8_in(&source, start + column);
    }

    /// Invalid UTF-8 at byte `offset` of a file read whole.
    pub(crate) fn invalid_utf8(&mut self, offset: usize) {
        let source = self.source();
        self.invalid_utf8_in(&source, offset);
    }

    /// Invalid UTF-8 at byte `offset` of `source` (which is the same in the lossy text, since
    /// everything before it is valid).
    pub(crate) fn invalid_utf8_in(&mut self, source: &SourceFile, offset: usize) {
        let name = self.file.name.clone();
        // The replacement character is three bytes in the lossy text.
        let span = Span::new(offset, offset + 3);
        self.push(
            Diag::error(codes::INVALID_UTF8, format!("`{name}` is not valid UTF-8"))
                .at(source, span, "invalid UTF-8 here")
                .help("save the file as UTF-8; the line with invalid bytes was skipped"),
        );
    }

    /// The warning for an empty or whitespace-only file.
    pub(crate) fn empty(&mut self) {
        let source = self.source();
        let name = self.file.name.clone();
        self.push(
            Diag::warning(codes::EMPTY_FILE, format!("record file `{name}` is empty"))
                .at(&source, Span::new(0, 0), "no records")
                .help("add records to the file, or leave it out of the paths given"),
        );
    }

    /// Finish, returning the diagnostics, with one more that counts those not shown.
    pub(crate) fn finish(mut self) -> Vec<Diag> {
        if self.more > 0 {
            let errors = self.more_errors || self.diags.iter().any(Diag::is_error);
            let level = if errors { crate::diagnostics::Level::Error } else { crate::diagnostics::Level::Warning };
            let (more, name) = (self.more, &self.file.name);
            let (s, are) = if more == 1 { ("", "is") } else { ("s", "are") };
            self.diags.push(
                Diag::new(codes::MORE_PROBLEMS, level, format!("{more} more problem{s} in `{name}` {are} not shown"))
                    .help("fix the problems shown first; a file with this many usually has the wrong schema or format"),
            );
        }
        self.diags
    }
}

/// The diagnostic for an I/O error on `name`.
pub(crate) fn unreadable(name: &str, err: &std::io::Error) -> Diag {
    Diag::error(codes::UNREADABLE, format!("cannot read `{name}`: {err}"))
        .help("check that the file exists and that you have permission to read it")
}

/// True if `file` is empty or whitespace only; reads only up to the first other byte.
pub(crate) fn is_blank(file: &RecordFile) -> std::io::Result<bool> {
    use std::io::Read;
    let mut file = file.stream("").map_err(|d| std::io::Error::other(d.message))?;
    let mut buf = [0u8; 8192];
    loop {
        let n = match file.read(&mut buf) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if n == 0 {
            return Ok(true);
        }
        if !buf.get(..n).unwrap_or(&[]).iter().all(|b| b.is_ascii_whitespace()) {
            return Ok(false);
        }
    }
}
