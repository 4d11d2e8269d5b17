//! Diagnostics: problems with a policy, an input file or an invocation, as data.
//!
//! One plain type, [`Diag`], carries every problem so that the same value can be rendered for people
//! (through miette) and for machines (JSON today, SARIF later) without a second description of it.
//! Each diagnostic has a stable code listed in [`registry`]; constructors for each problem live beside
//! the step that finds it.

pub mod registry;
pub mod render;
pub mod suggest;
pub mod toml_read;

use std::borrow::Cow;
use std::fmt;

use crate::source::{SourceFile, Span};
use crate::text::bound;

/// How bad a diagnostic is. Errors make the run exit 2; warnings and advice never change the exit status.
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
    pub fn error(code: &'static str, message: impl Into<String>) -> Diag {
        Diag::new(code, Level::Error, message)
    }

    /// A warning.
    pub fn warning(code: &'static str, message: impl Into<String>) -> Diag {
        Diag::new(code, Level::Warning, message)
    }

    /// Attach the file and the primary label.
    pub fn at(mut self, file: &SourceFile, span: Span, text: impl Into<String>) -> Diag {
        self.file = Some(file.clone());
        self.labels.push(Label { span: span.clamp(file.text.len()), text: bound(text.into()), primary: true });
        self
    }

    /// Add a secondary label in the same file.
    pub fn label(mut self, span: Span, text: impl Into<String>) -> Diag {
        let len = self.file.as_ref().map_or(0, |f| f.text.len());
        self.labels.push(Label { span: span.clamp(len), text: bound(text.into()), primary: false });
        self
    }

    /// Add help text.
    pub fn help(mut self, help: impl Into<String>) -> Diag {
        self.help = Some(bound(help.into()));
        self
    }

    /// Set the help text in place (for diagnostics already pushed onto a list).
    pub fn with_help(&mut self, help: impl Into<String>) -> &mut Diag {
        self.help = Some(bound(help.into()));
        self
    }

    /// Add a secondary label in place.
    pub fn with_label(&mut self, span: Span, text: impl Into<String>) -> &mut Diag {
        let len = self.file.as_ref().map_or(0, |f| f.text.len());
        self.labels.push(Label { span: span.clamp(len), text: bound(text.into()), primary: false });
        self
    }

    /// Add a note about a place in another (or the same) file.
    pub fn note(mut self, file: &SourceFile, span: Span, text: impl Into<String>) -> Diag {
        let message: String = bound(text.into());
        let related = Diag::new(self.code.clone(), Level::Advice, message.clone()).at(file, span, message);
        self.related.push(related);
        self
    }

    /// True if this diagnostic stops the run from being complete (exit status 2).
    pub fn is_error(&self) -> bool {
        self.level == Level::Error
    }

    /// The primary place as (file name, 1-based line, 1-based column), for machine reports.
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
