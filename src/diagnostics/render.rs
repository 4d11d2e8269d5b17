//! Rendering diagnostics for people through miette's graphical handler.
//!
//! [`Diag`] is adapted to `miette::Diagnostic` here rather than by derive, because one data type
//! carries every problem and its source file is only known at run time.

use std::fmt;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents, SourceCode,
    SourceSpan, SpanContents,
};

use super::{Diag, Level};

/// How to draw reports.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Use ANSI colours.
    pub color: bool,
    /// Wrap at this many columns.
    pub width: usize,
}

impl Style {
    /// No colour, 80 columns: the form used in tests and snapshots.
    pub fn plain() -> Style {
        Style { color: false, width: 80 }
    }
}

/// Longest source line drawn as a snippet; longer lines (minified JSON, a generated policy) are
/// reported by line and column alone, since a snippet of them helps no one and miette cannot draw
/// lines wider than 65,535 columns.
pub const MAX_SNIPPET_LINE: usize = 4096;

/// True when every line that `span` touches is short enough to draw.
pub fn drawable(text: &str, span: crate::source::Span) -> bool {
    let span = span.clamp(text.len());
    let start = text.get(..span.start).and_then(|t| t.rfind('\n')).map_or(0, |i| i + 1);
    let end = text.get(span.end..).and_then(|t| t.find('\n')).map_or(text.len(), |i| span.end + i);
    text.get(start..end).is_some_and(|lines| lines.split('\n').all(|l| l.len() <= MAX_SNIPPET_LINE))
}

/// Source text for miette that reports columns in characters (as the JSON report and editors do,
/// where miette counts bytes) and may start part-way into a file: the record's own line of a JSON
/// Lines or CSV file, shown with the file's real line numbers.
pub struct Source {
    name: String,
    text: std::sync::Arc<str>,
    /// 0-based line of the file where `text` starts.
    line0: usize,
}

impl Source {
    /// A whole file.
    pub fn whole(name: &str, text: std::sync::Arc<str>) -> Source {
        Source { name: name.to_string(), text, line0: 0 }
    }

    /// Text that starts at 1-based line `first_line` of the file `name`.
    pub fn excerpt(name: &str, text: std::sync::Arc<str>, first_line: usize) -> Source {
        Source { name: name.to_string(), text, line0: first_line.saturating_sub(1) }
    }
}

impl SourceCode for Source {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        // miette finds the span by scanning from the start of the text, which for many reports
        // on one large file is quadratic (20,000 warnings on one role file took minutes): start
        // it a few lines before the span instead, and add back the lines skipped.
        let (skip_lines, skip) = window_start(&self.text, span.offset(), before);
        let window = self.text.get(skip..).unwrap_or("");
        let shifted = SourceSpan::new(span.offset().saturating_sub(skip).into(), span.len());
        let inner = window.read_span(&shifted, before, after)?;
        let found = SourceSpan::new((inner.span().offset() + skip).into(), inner.span().len());
        let start = found.offset().min(self.text.len());
        let line_start = self.text.get(..start).and_then(|t| t.rfind('\n')).map_or(0, |i| i + 1);
        let column = self.text.get(line_start..start).map_or(0, |t| t.chars().count());
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            found,
            inner.line() + skip_lines + self.line0,
            column,
            inner.line_count() + skip_lines,
        )))
    }
}

/// Texts shorter than this are scanned from their start; longer ones get a cached line index.
const INDEXED_TEXT: usize = 64 * 1024;

/// Where to start miette's scan for a span at `offset` with `before` lines of context: the start
/// of a line (as miette counts lines: ended by `\n`, `\r\n` or `\r`) at least one more line
/// back, and how many lines come before it. The same result as scanning the whole text, since
/// miette forgets lines further back than the context.
fn window_start(text: &std::sync::Arc<str>, offset: usize, before: usize) -> (usize, usize) {
    if text.len() < INDEXED_TEXT {
        return (0, 0);
    }
    let starts = line_starts(text);
    // The line holding `offset`: the last line start at or before it.
    let line = starts.partition_point(|&s| s <= offset).saturating_sub(1);
    let first = line.saturating_sub(before + 1);
    (first, starts.get(first).copied().unwrap_or(0))
}

/// The byte offsets where lines start, for the few large texts last rendered (kept by the text's
/// identity: the cache holds the text, so its address cannot be reused while it is cached).
fn line_starts(text: &std::sync::Arc<str>) -> std::sync::Arc<[usize]> {
    use std::sync::{Arc, Mutex};
    type Indexed = Vec<(Arc<str>, Arc<[usize]>)>;
    static CACHE: Mutex<Indexed> = Mutex::new(Vec::new());
    const KEEP: usize = 4;
    let build = || -> Arc<[usize]> {
        let b = text.as_bytes();
        let mut starts = vec![0];
        let mut i = 0;
        while let Some(&c) = b.get(i) {
            i += 1;
            if c == b'\r' && b.get(i) == Some(&b'\n') {
                i += 1;
            }
            if c == b'\r' || c == b'\n' {
                starts.push(i);
            }
        }
        starts.into()
    };
    let Ok(mut cache) = CACHE.lock() else { return build() };
    if let Some(k) = cache.iter().position(|(t, _)| Arc::ptr_eq(t, text)) {
        let hit = cache.remove(k);
        let starts = hit.1.clone();
        cache.insert(0, hit);
        return starts;
    }
    let starts = build();
    cache.insert(0, (text.clone(), starts.clone()));
    cache.truncate(KEEP);
    starts
}

/// A miette view of a [`Diag`].
pub struct Report<'a> {
    diag: &'a Diag,
    message: String,
    source: Option<Source>,
    related: Vec<Report<'a>>,
}

impl<'a> Report<'a> {
    /// Wrap a diagnostic for miette.
    pub fn new(diag: &'a Diag) -> Report<'a> {
        let mut message = diag.message.clone();
        let mut source = diag.file.as_ref().map(|f| Source::whole(&f.name, f.text.clone()));
        if let Some(f) = &diag.file {
            if !diag.labels.iter().all(|l| drawable(&f.text, l.span)) {
                source = None;
                if let Some((name, line, col)) = diag.location() {
                    message = format!("{message} (at {name}:{line}:{col})");
                }
            }
        }
        Report { diag, message, source, related: diag.related.iter().map(Report::new).collect() }
    }
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.diag, f)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report<'_> {}

impl Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        if self.diag.level == Level::Advice {
            return None;
        }
        Some(Box::new(&self.diag.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diag.level {
            Level::Error => miette::Severity::Error,
            Level::Warning => miette::Severity::Warning,
            Level::Advice => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.diag.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.source.is_none() || self.diag.labels.is_empty() {
            return None;
        }
        Some(Box::new(self.diag.labels.iter().map(|l| {
            let text = if l.text.is_empty() { None } else { Some(l.text.clone()) };
            let span = (l.span.start, l.span.len());
            if l.primary {
                LabeledSpan::new_primary_with_span(text, span)
            } else {
                LabeledSpan::new_with_span(text, span)
            }
        })))
    }

    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn Diagnostic> + 'b>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|r| r as &dyn Diagnostic)))
    }
}

/// Render one diagnostic to text.
pub fn render(diag: &Diag, style: Style) -> String {
    let theme = if style.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(style.width).with_links(false);
    let mut out = String::new();
    let report = Report::new(diag);
    if handler.render_report(&mut out, &report).is_err() {
        out = format!("{}: {}\n", diag.code, diag.message);
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    /// Starting miette's scan a few lines back gives what scanning the whole text gives, in a text
    /// large enough to be indexed, with every kind of line end miette knows, for many spans and
    /// amounts of context.
    #[test]
    fn a_window_reads_the_same_span_as_the_whole_text() {
        let mut rng = fastrand::Rng::with_seed(3);
        let mut text = String::new();
        let ends = ["\n", "\r\n", "\r", "\n\n"];
        while text.len() < 3 * INDEXED_TEXT {
            let n = rng.usize(..40);
            text.extend(std::iter::repeat_n('x', n));
            text.push_str(ends[rng.usize(..ends.len())]);
        }
        let text: std::sync::Arc<str> = text.into();
        let source = Source::whole("big.txt", text.clone());
        for _ in 0..600 {
            let start = rng.usize(..text.len());
            let len = rng.usize(..200).min(text.len() - start);
            let (before, after) = (rng.usize(..4), rng.usize(..4));
            let span = SourceSpan::new(start.into(), len);
            let want = text.read_span(&span, before, after).unwrap();
            let got = source.read_span(&span, before, after).unwrap();
            let at = format!("{start}+{len} ({before}, {after})");
            assert_eq!(got.data(), want.data(), "{at}");
            assert_eq!(got.span(), want.span(), "{at}");
            assert_eq!(got.line(), want.line(), "{at}");
            assert_eq!(got.line_count(), want.line_count(), "{at}");
        }
        // Past the end is out of bounds either way.
        let past = SourceSpan::new((text.len() + 5).into(), 1);
        assert!(source.read_span(&past, 1, 1).is_err() && text.read_span(&past, 1, 1).is_err());
    }
}
