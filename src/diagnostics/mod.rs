//! Diagnostics: problems with a policy, an input file or an invocation, as data.
//!
//! One plain type, [`Diag`], carries every problem so that the same value can be rendered for people
//! (through miette) and for machines (JSON today, SARIF later) without a second description of it.
//! Each diagnostic has a stable code listed in [`registry`]; constructors for each problem live beside
//! the step that finds it.

pub mod examples;
pub mod registry;
pub mod render;
pub mod suggest;
pub mod toml_read;

use std::borrow::Cow;
use std::fmt;

use crate::source::{SourceFile, Span};
use crate::text::bound;

/// How bad a diagnostic is. Errors make the run exit 2; warnings and advice never change the exit status.
///
/// ```
/// use precept::{Diagnostic, DiagnosticLevel};
/// let d = Diagnostic::warning("precept::input::empty-file", "`a.csv` is empty");
/// assert_eq!(d.level, DiagnosticLevel::Warning);
/// assert!(!d.is_error());
/// // Ordered from the worst.
/// assert!(DiagnosticLevel::Error < DiagnosticLevel::Warning && DiagnosticLevel::Warning < DiagnosticLevel::Advice);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// The tool could not do all of its job.
    Error,
    /// Worth fixing, but the run is still complete.
    Warning,
    /// A note attached to another diagnostic.
    Advice,
}

/// A labelled place in the diagnostic's file.
///
/// ```
/// use precept::{Diagnostic, DiagnosticLabel, SourceFile, Span};
/// let file = SourceFile::new("tickets.csv", "id,waited\nT-3,soon\n");
/// let d = Diagnostic::error("precept::input::invalid-value", "`soon` is not a duration")
///     .at(&file, Span::new(14, 18), "here")
///     .label(Span::new(3, 9), "the column");
/// assert_eq!(d.labels[0], DiagnosticLabel { span: Span::new(14, 18), text: "here".into(), primary: true });
/// assert_eq!(file.slice(d.labels[1].span), "waited");
/// assert!(!d.labels[1].primary);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What to say there (may be empty for a bare underline).
    pub text: String,
    /// The main place of the problem (rendered first, used for the reported line and column).
    pub primary: bool,
}

/// One problem, with where it is and what to do about it. Its texts are bounded when set (see
/// `crate::text::bound`), so no input can make a diagnostic, or any report of it, huge.
///
/// ```
/// use precept::{Diagnostic, DiagnosticLevel};
/// // A policy that reads a field its schema does not declare.
/// let policy = r#"
/// schema ticket { identified by id  id: text }
/// code "House rules" { level organisational
///   rule answered-quickly { title "Tickets are answered within an hour" for ticket
///     require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
/// "#;
/// let Err(problems) = precept::Engine::from_sources([("house.precept", policy)]) else {
///     panic!("the policy does not compile");
/// };
/// let d: &Diagnostic = &problems[0];
/// assert_eq!(d.code, "precept::type::unknown-field");
/// assert_eq!(d.level, DiagnosticLevel::Error);
/// assert_eq!(d.message, "unknown field `waited` on `record`");
/// assert_eq!(d.help.as_deref(), Some("the fields here are `id`"));
/// assert_eq!(d.location().map(|(file, line, _)| (file, line)), Some(("house.precept", 5)));
/// // Its `Display` is the message.
/// assert_eq!(d.to_string(), d.message);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diag {
    /// Stable, namespaced code such as `precept::type::unknown-field` (see
    /// `diagnostics::registry::CODES`, which `precept explain CODE` reads).
    pub code: Cow<'static, str>,
    /// How bad it is.
    pub level: Level,
    /// One lowercase line, user text in backticks.
    pub message: String,
    /// The file the labels point into, if the problem has a place.
    pub file: Option<SourceFile>,
    /// Places in `file`.
    pub labels: Vec<Label>,
    /// What to do about it.
    pub help: Option<String>,
    /// Notes about other places, possibly in other files (such as the first of two duplicate ids).
    pub related: Vec<Diag>,
}

impl Diag {
    /// A diagnostic without a place yet; add one with [`Diag::at`].
    ///
    /// ```
    /// use precept::{Diagnostic, DiagnosticLevel};
    /// // The code may be made at run time, or be a literal.
    /// let code = format!("precept::input::{}", "empty-file");
    /// let d = Diagnostic::new(code, DiagnosticLevel::Warning, "`a.csv` is empty");
    /// assert_eq!((d.code.as_ref(), d.level), ("precept::input::empty-file", DiagnosticLevel::Warning));
    /// assert_eq!(d.location(), None);
    /// // The message is bounded: no input makes a diagnostic huge.
    /// let long = Diagnostic::new("precept::input::invalid-value", DiagnosticLevel::Error, "x".repeat(1_000_000));
    /// assert!(long.message.len() < 10_000);
    /// ```
    pub fn new(code: impl Into<Cow<'static, str>>, level: Level, message: impl Into<String>) -> Diag {
        Diag {
            code: code.into(),
            level,
            message: crate::text::bound(message.into()),
            file: None,
            labels: Vec::new(),
            help: None,
            related: Vec::new(),
        }
    }

    /// An error.
    ///
    /// ```
    /// use precept::{Diagnostic, DiagnosticLevel};
    /// let d = Diagnostic::error("precept::input::no-records", "no record files were given");
    /// assert_eq!(d.level, DiagnosticLevel::Error);
    /// assert!(d.is_error());
    /// ```
    pub fn error(code: &'static str, message: impl Into<String>) -> Diag {
        Diag::new(code, Level::Error, message)
    }

    /// A warning.
    ///
    /// ```
    /// use precept::{Diagnostic, DiagnosticLevel};
    /// let d = Diagnostic::warning("precept::input::empty-file", "`a.csv` is empty");
    /// assert_eq!(d.level, DiagnosticLevel::Warning);
    /// assert!(!d.is_error());
    /// ```
    pub fn warning(code: &'static str, message: impl Into<String>) -> Diag {
        Diag::new(code, Level::Warning, message)
    }

    /// Attach the file and the primary label.
    ///
    /// ```
    /// use precept::{Diagnostic, SourceFile, Span};
    /// let file = SourceFile::new("tickets.csv", "id,waited\nT-3,soon\n");
    /// let d = Diagnostic::error("precept::input::invalid-value", "`soon` is not a duration")
    ///     .at(&file, Span::new(14, 18), "here");
    /// assert_eq!(d.file.as_ref().map(|f| f.name.as_ref()), Some("tickets.csv"));
    /// assert!(d.labels[0].primary);
    /// assert_eq!(d.location(), Some(("tickets.csv", 2, 5)));
    /// // A span past the end of the file is cut to it.
    /// let past = Diagnostic::error("precept::input::invalid-value", "too far").at(&file, Span::new(15, 500), "");
    /// assert_eq!(past.labels[0].span, Span::new(15, 19));
    /// ```
    pub fn at(mut self, file: &SourceFile, span: Span, text: impl Into<String>) -> Diag {
        self.file = Some(file.clone());
        self.labels.push(Label { span: span.clamp(file.text.len()), text: bound(text.into()), primary: true });
        self
    }

    /// Add a secondary label in the same file.
    ///
    /// ```
    /// use precept::{Diagnostic, SourceFile, Span};
    /// let file = SourceFile::new("tickets.csv", "id,waited\nT-3,soon\n");
    /// let d = Diagnostic::error("precept::input::invalid-value", "`soon` is not a duration")
    ///     .at(&file, Span::new(14, 18), "here")
    ///     .label(Span::new(3, 9), "in this column");
    /// assert_eq!((d.labels[1].text.as_str(), d.labels[1].primary), ("in this column", false));
    /// // The reported place stays the primary label's.
    /// assert_eq!(d.location(), Some(("tickets.csv", 2, 5)));
    /// ```
    pub fn label(mut self, span: Span, text: impl Into<String>) -> Diag {
        let len = self.file.as_ref().map_or(0, |f| f.text.len());
        self.labels.push(Label { span: span.clamp(len), text: bound(text.into()), primary: false });
        self
    }

    /// Add help text.
    ///
    /// ```
    /// use precept::Diagnostic;
    /// let d = Diagnostic::error("precept::input::invalid-value", "`soon` is not a duration")
    ///     .help("write a duration such as `90m`");
    /// assert_eq!(d.help.as_deref(), Some("write a duration such as `90m`"));
    /// ```
    pub fn help(mut self, help: impl Into<String>) -> Diag {
        self.help = Some(bound(help.into()));
        self
    }

    /// Set the help text in place (for diagnostics already pushed onto a list).
    ///
    /// ```
    /// use precept::Diagnostic;
    /// let mut problems = vec![Diagnostic::error("precept::input::no-records", "no record files were given")];
    /// problems[0].with_help("name a record file or folder");
    /// assert_eq!(problems[0].help.as_deref(), Some("name a record file or folder"));
    /// ```
    pub fn with_help(&mut self, help: impl Into<String>) -> &mut Diag {
        self.help = Some(bound(help.into()));
        self
    }

    /// Add a secondary label in place.
    ///
    /// ```
    /// use precept::{Diagnostic, SourceFile, Span};
    /// let file = SourceFile::new("tickets.csv", "id,waited\nT-3,soon\n");
    /// let invalid = Diagnostic::error("precept::input::invalid-value", "`soon` is not a duration");
    /// let mut problems = vec![invalid.at(&file, Span::new(14, 18), "here")];
    /// problems[0].with_label(Span::new(3, 9), "in this column").with_help("write a duration such as `90m`");
    /// assert_eq!(file.slice(problems[0].labels[1].span), "waited");
    /// assert!(!problems[0].labels[1].primary);
    /// assert!(problems[0].help.is_some());
    /// ```
    pub fn with_label(&mut self, span: Span, text: impl Into<String>) -> &mut Diag {
        let len = self.file.as_ref().map_or(0, |f| f.text.len());
        self.labels.push(Label { span: span.clamp(len), text: bound(text.into()), primary: false });
        self
    }

    /// Add a note about a place in another (or the same) file.
    ///
    /// ```
    /// use precept::{Diagnostic, DiagnosticLevel, SourceFile, Span};
    /// let first = SourceFile::new("roles/support.toml", "[[role]]\nid = \"agent\"\n");
    /// let second = SourceFile::new("roles/sales.toml", "[[role]]\nid = \"agent\"\n");
    /// let d = Diagnostic::error("precept::role::duplicate-id", "role `agent` is defined twice")
    ///     .at(&second, Span::new(14, 21), "defined again here")
    ///     .note(&first, Span::new(14, 21), "first defined here");
    /// let note = &d.related[0];
    /// assert_eq!((note.code.as_ref(), note.level), ("precept::role::duplicate-id", DiagnosticLevel::Advice));
    /// assert_eq!(note.location(), Some(("roles/support.toml", 2, 6)));
    /// assert_eq!(note.message, "first defined here");
    /// ```
    pub fn note(mut self, file: &SourceFile, span: Span, text: impl Into<String>) -> Diag {
        let message: String = bound(text.into());
        let related = Diag::new(self.code.clone(), Level::Advice, message.clone()).at(file, span, message);
        self.related.push(related);
        self
    }

    /// True if this diagnostic stops the run from being complete (exit status 2).
    ///
    /// ```
    /// use precept::Diagnostic;
    /// assert!(Diagnostic::error("precept::input::no-records", "no record files were given").is_error());
    /// assert!(!Diagnostic::warning("precept::input::empty-file", "`a.csv` is empty").is_error());
    /// ```
    pub fn is_error(&self) -> bool {
        self.level == Level::Error
    }

    /// The primary place as (file name, 1-based line, 1-based column), for machine reports.
    ///
    /// ```
    /// use precept::{Diagnostic, SourceFile, Span};
    /// let d = Diagnostic::error("precept::input::invalid-value", "`soon` is not a duration");
    /// assert_eq!(d.location(), None);
    /// // Columns count characters; an excerpt of a file counts the file's lines.
    /// let file = SourceFile::excerpt("tickets.csv", "Zoë,soon\n", 40);
    /// let d = d.at(&file, Span::new(5, 9), "here");
    /// assert_eq!(d.location(), Some(("tickets.csv", 40, 5)));
    /// ```
    pub fn location(&self) -> Option<(&str, usize, usize)> {
        let file = self.file.as_ref()?;
        let label = self.labels.iter().find(|l| l.primary).or_else(|| self.labels.first())?;
        let (line, column) = file.line_col(label.span.start);
        Some((&file.name, line, column))
    }
}

impl fmt::Display for Diag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diag {}

/// The diagnostic for a TOML file (a role file, the waivers, the settings) that is not valid TOML;
/// `base` is where the text parsed starts in `file`.
pub fn toml_syntax(file: &SourceFile, e: &toml::de::Error, base: usize) -> Diag {
    let span = e.span().map_or(Span::new(base, base), |r| Span::new(r.start + base, r.end + base));
    let message = e.message().lines().next().unwrap_or("").trim_end_matches('.').to_string();
    Diag::error("precept::input::toml", format!("invalid TOML: {message}"))
        .at(file, span, "here")
        .help("fix the TOML syntax; see https://toml.io")
}

/// Sort diagnostics into a stable order (file, place, code) so reports do not depend on discovery order.
pub fn sort(diags: &mut [Diag]) {
    diags.sort_by(|a, b| {
        let ka = (a.file.as_ref().map(|f| f.name.clone()), a.labels.first().map(|l| l.span), &a.code, &a.message);
        let kb = (b.file.as_ref().map(|f| f.name.clone()), b.labels.first().map(|l| l.span), &b.code, &b.message);
        ka.cmp(&kb)
    });
}
