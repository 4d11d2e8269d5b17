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
///
/// ```
/// use precept::report::{format, End, Options, Report, Style};
/// # let engine = precept::Engine::from_sources([("house.precept", r#"
/// #   schema ticket { identified by id  id: text  waited: duration }
/// #   code "House rules" { level organisational
/// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
/// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
/// # "#)]).unwrap();
/// let run = engine.check([precept::Records::bytes("tickets.csv", "id,waited\nT-2,3h\n")]);
/// let end = End {
///     summary: &run.summary,
///     diagnostics: &run.diagnostics,
///     fail_on: run.fail_on,
///     timestamp: "2026-01-01T00:00:00",
///     baseline: false,
/// };
/// let human = |style: Style| {
///     let mut report = (format("human").expect("built in").make)(&Options { style, to_stdout: false, baseline: false });
///     report.start() + &report.finding(&run.findings[0]) + &report.finish(&end)
/// };
/// // Colour is drawn with ANSI escapes, for a terminal.
/// assert!(human(Style { color: true, width: 100 }).contains("\u{1b}["));
/// assert!(!human(Style { color: false, width: 100 }).contains("\u{1b}["));
/// assert!(human(Style { color: false, width: 100 }).contains("ticket T-2 waited 3h"));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Use ANSI colours.
    pub color: bool,
    /// Wrap at this many columns.
    pub width: usize,
}

impl Style {
    /// No colour, 80 columns: the form used in tests and snapshots.
    ///
    /// ```
    /// use precept::report::Style;
    /// let style = Style::plain();
    /// assert_eq!((style.color, style.width), (false, 80));
    /// ```
    pub fn plain() -> Style {
        Style { color: false, width: 80 }
    }
}

/// Source text for miette: a few lines of a file around the labelled places, escaped and with long
/// lines cut (see [`crate::text::snippet`]), shown with the file's real line numbers and with
/// columns counted in characters of the original text (as the JSON report and editors count them,
/// where miette would count bytes of the text it was given).
pub struct Source {
    name: String,
    text: String,
    /// 0-based line of the file where `text` starts.
    line0: usize,
    /// (byte offset in `text`, 0-based column in the original line) for each label's start.
    columns: Vec<(usize, usize)>,
}

impl Source {
    /// The lines of `text` around `spans` (byte ranges of `text`), where `text` starts at 1-based
    /// line `first_line` of the file `name`. Returns the source and each span as (offset, length)
    /// in the text shown.
    pub fn around(
        name: &str,
        text: &std::sync::Arc<str>,
        first_line: usize,
        spans: &[crate::source::Span],
    ) -> (Source, Vec<(usize, usize)>) {
        let ranges: Vec<(usize, usize)> = spans.iter().map(|s| (s.start, s.end)).collect();
        let shown = crate::text::snippet_with(text, &ranges, &|start| crate::source::newlines_before(text, start));
        let columns = shown.spans.iter().zip(&shown.columns).map(|(s, c)| (s.0, *c)).collect();
        let moved = shown.spans.iter().map(|&(s, e)| (s, e.saturating_sub(s))).collect();
        let source = Source {
            name: crate::text::escape(name).into_owned(),
            text: shown.text,
            line0: first_line.saturating_sub(1) + shown.line0,
            columns,
        };
        (source, moved)
    }
}

impl SourceCode for Source {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self.text.as_str().read_span(span, before, after)?;
        let column = self.column(inner.span().offset());
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.line0,
            column,
            inner.line_count(),
        )))
    }
}

/// What the human report's own drawing of a finding (`report::human`'s fast path) reads of a
/// source, to write exactly what miette would write from it.
impl Source {
    /// The file's name, escaped.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// The text shown.
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// The 0-based line of the file where the text shown starts.
    pub(crate) fn line0(&self) -> usize {
        self.line0
    }

    /// The 0-based column, in characters of the original line, of the byte offset `start` of the
    /// text shown: a label's own column when `start` is where a label starts, else counted in the
    /// text shown.
    pub(crate) fn column(&self, start: usize) -> usize {
        let start = start.min(self.text.len());
        match self.columns.iter().find(|c| c.0 == start) {
            Some(&(_, column)) => column,
            None => {
                let line_start =
                    self.text.get(..start).and_then(|t| memchr::memrchr(b'\n', t.as_bytes())).map_or(0, |i| i + 1);
                self.text.get(line_start..start).map_or(0, |t| t.chars().count())
            }
        }
    }
}

/// A miette view of a [`Diag`].
pub struct Report<'a> {
    diag: &'a Diag,
    /// The message, escaped.
    message: String,
    /// The help, escaped.
    help: Option<String>,
    source: Option<Source>,
    /// The labels, escaped and moved into `source`'s text.
    labels: Vec<(Option<String>, (usize, usize), bool)>,
    related: Vec<Report<'a>>,
}

impl<'a> Report<'a> {
    /// Wrap a diagnostic for miette: every text from the user escaped before miette lays it out.
    pub fn new(diag: &'a Diag) -> Report<'a> {
        let message = crate::text::escape(&diag.message).into_owned();
        let help = diag.help.as_deref().map(|h| crate::text::escape(h).into_owned());
        let (source, labels) = match &diag.file {
            Some(f) if !diag.labels.is_empty() => {
                let spans: Vec<crate::source::Span> = diag.labels.iter().map(|l| l.span).collect();
                let (source, moved) = Source::around(&f.name, &f.text, f.first_line, &spans);
                let labels = diag
                    .labels
                    .iter()
                    .zip(moved)
                    .map(|(l, span)| {
                        let text = (!l.text.is_empty()).then(|| crate::text::escape(&l.text).into_owned());
                        (text, span, l.primary)
                    })
                    .collect();
                (Some(source), labels)
            }
            _ => (None, Vec::new()),
        };
        Report { diag, message, help, source, labels, related: diag.related.iter().map(Report::new).collect() }
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
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.source.is_none() || self.labels.is_empty() {
            return None;
        }
        Some(Box::new(self.labels.iter().map(|(text, span, primary)| {
            if *primary {
                LabeledSpan::new_primary_with_span(text.clone(), *span)
            } else {
                LabeledSpan::new_with_span(text.clone(), *span)
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

impl Diag {
    /// The diagnostic as the command line shows it: a miette report with its source excerpt,
    /// labels and help, user text escaped.
    ///
    /// ```
    /// let problems = precept::Engine::from_sources([("p.precept", "code \"C\" {")]).unwrap_err();
    /// let text = problems[0].rendered(precept::report::Style::plain());
    /// assert!(text.contains("precept::parse::") && text.contains("p.precept"));
    /// ```
    pub fn rendered(&self, style: Style) -> String {
        render(self, style)
    }
}

/// The miette handler that draws every diagnostic and finding for people, at `style`'s width.
pub(crate) fn handler(style: Style) -> GraphicalReportHandler {
    let theme = if style.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false)
        .with_word_separator(textwrap::WordSeparator::Custom(words))
}

/// Where a line of a message or help may wrap. A line of ASCII text (nearly every message) is
/// split at its spaces; other text by Unicode's line-breaking rules, which also break between CJK
/// characters. Why not Unicode's rules everywhere: finding them was a quarter of the time a human
/// report of many findings took (9 us a finding), and on ASCII text they differ from splitting
/// at spaces only around punctuation set apart by spaces (`[ foo ]`). Hyphenated words break at
/// their hyphens either way (textwrap's word splitter).
pub(crate) fn words(line: &str) -> Box<dyn Iterator<Item = textwrap::core::Word<'_>> + '_> {
    if line.is_ascii() {
        textwrap::WordSeparator::AsciiSpace.find_words(line)
    } else {
        textwrap::WordSeparator::UnicodeBreakProperties.find_words(line)
    }
}

/// Render one diagnostic to text, ready to write: user text escaped, and no line able to start a
/// CI workflow command (see [`crate::text::guard`]).
pub fn render(diag: &Diag, style: Style) -> String {
    let handler = handler(style);
    let mut out = String::new();
    let report = Report::new(diag);
    if handler.render_report(&mut out, &report).is_err() {
        out = format!("{}: {}\n", diag.code, crate::text::escape(&diag.message));
    }
    match crate::text::guard(&out, style.color) {
        std::borrow::Cow::Borrowed(_) => out,
        std::borrow::Cow::Owned(guarded) => guarded,
    }
}
