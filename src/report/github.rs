//! Findings as GitHub Actions workflow commands (`::error file=...,line=...::message`), which show
//! as annotations on a pull request's changed files.
//!
//! Every value is escaped as the runner expects (`%`, CR and LF in messages; also `:` and `,` in
//! properties), so no text from a record can end the command early or start another one. GitHub
//! shows at most ten annotations of each kind per step, so at most [`MAX_PER_SEVERITY`] are
//! written per severity, counting the one that says how many more there are: the tenth of a
//! severity is held back until the end, and written only if no other of its kind came after it.
//!
//! An annotation on one line names its columns (`col`, `endColumn`); one over several lines names
//! only its lines (`line`, `endLine`), since GitHub reads the columns of a multi-line annotation
//! as the columns of its first and last lines and rejects them when they are out of order.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::ast::Severity;
use crate::diagnostics::{Diag, Level};
use crate::findings::Finding;

/// Annotations written per severity, the one counting the rest included.
pub const MAX_PER_SEVERITY: usize = 10;

/// Escape a command's message.
pub fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_data(&mut out, s);
    out
}

/// Escape a command's property value.
pub fn escape_property(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_property(&mut out, s);
    out
}

/// `s` escaped as a command's message, onto `out`.
fn push_data(out: &mut String, s: &str) {
    push_escaped(out, s, false);
}

/// `s` escaped as a command's property value, onto `out`.
fn push_property(out: &mut String, s: &str) {
    push_escaped(out, s, true);
}

fn push_escaped(out: &mut String, s: &str, property: bool) {
    // Line breaks and `%` in GitHub's own encoding; any other control or invisible format character
    // (ESC, bidi overrides) in Precept's visible form, so no input can restyle or reorder the log.
    // A property also ends at `:` or `,`. A run of plain characters is copied at once.
    let mut plain = 0;
    for (i, c) in s.char_indices() {
        let escaped = match c {
            '%' => "%25",
            '\r' => "%0D",
            '\n' => "%0A",
            ':' if property => "%3A",
            ',' if property => "%2C",
            c if crate::text::is_unsafe(c) => "",
            _ => continue,
        };
        out.push_str(&s[plain..i]);
        if escaped.is_empty() {
            out.push_str(&crate::text::escape(&s[i..i + c.len_utf8()]));
        } else {
            out.push_str(escaped);
        }
        plain = i + c.len_utf8();
    }
    out.push_str(&s[plain..]);
}

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// Writes annotations as findings arrive, counting what it leaves out.
///
/// Only the annotations written are formatted: a run of a million active findings formats about
/// [`MAX_PER_SEVERITY`] of each severity here and about as many on the worker threads (`Annotate`),
/// and counts the rest.
#[derive(Debug, Default)]
pub struct Annotations {
    written: [usize; 3],
    left: [usize; 3],
    /// The last annotation a severity has room for, written at the end only if nothing of its
    /// severity came after it (else its place goes to the count of the rest).
    held: [Option<String>; 3],
    /// Annotations of findings formatted here (not handed over by the preparer): at most
    /// [`MAX_PER_SEVERITY`] per severity, whatever the number of findings.
    formatted: usize,
}

fn slot(s: Severity) -> usize {
    match s {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Info => 2,
    }
}

/// Writes findings' annotations on any thread, but only about as many of each severity as can be
/// written: findings arrive here in any order, so the ones it formats may not be the ones written,
/// and [`Annotations`] formats any written one it was not handed.
#[derive(Default)]
struct Annotate {
    /// Active findings seen, by severity.
    seen: [AtomicUsize; 3],
}

impl super::Prepare for Annotate {
    /// The annotation of an active finding among the first of its severity to arrive; nothing for
    /// any other (waived and known findings fail nothing: they are not annotated).
    fn prepare(&self, f: &Finding) -> String {
        if f.standing != crate::findings::Standing::Active {
            return String::new();
        }
        match self.seen.get(slot(f.severity())) {
            Some(seen) if seen.fetch_add(1, Ordering::Relaxed) < MAX_PER_SEVERITY => annotation(f),
            _ => String::new(),
        }
    }
}

/// The annotation of `f`.
fn annotation(f: &Finding) -> String {
    let (end_line, end_column) = f.end;
    let mut out = String::with_capacity(128 + f.message.len());
    let _ = write!(out, "::{} file=", command(f.severity()));
    push_property(&mut out, &f.file.name);
    if end_line == f.line {
        let _ = write!(out, ",line={},col={},endColumn={end_column}", f.line, f.column);
    } else {
        let _ = write!(out, ",line={},endLine={end_line}", f.line);
    }
    out.push_str(",title=");
    push_property(&mut out, "precept: ");
    push_property(&mut out, f.rule_id());
    out.push_str("::");
    if let Some(id) = &f.record_id {
        push_data(&mut out, f.subject.as_str());
        out.push(' ');
        push_data(&mut out, id);
        out.push_str(": ");
    }
    push_data(&mut out, &f.message);
    out.push('\n');
    out
}

impl Annotations {
    /// The annotation for one finding, or nothing past the limit for its severity.
    pub fn finding(&mut self, f: &Finding) -> String {
        self.prepared(f, String::new())
    }

    /// `text`, `f`'s annotation from [`Annotate`] (empty if it made none), if `f` is active and
    /// within the limit for its severity (else counted, and not formatted).
    fn prepared(&mut self, f: &Finding, text: String) -> String {
        if f.standing != crate::findings::Standing::Active {
            return String::new();
        }
        let formatted = &mut self.formatted;
        let make = || {
            if text.is_empty() {
                *formatted += 1;
                annotation(f)
            } else {
                text
            }
        };
        Self::admit(&mut self.written, &mut self.left, &mut self.held, slot(f.severity()), make)
    }

    /// The annotation `make` makes, of the severity at `i`, if there is room for it now; else
    /// nothing (held back, or counted), and `make` is not called.
    fn admit(
        written: &mut [usize; 3],
        left: &mut [usize; 3],
        held: &mut [Option<String>; 3],
        i: usize,
        make: impl FnOnce() -> String,
    ) -> String {
        let (Some(written), Some(left), Some(held)) = (written.get_mut(i), left.get_mut(i), held.get_mut(i)) else {
            return String::new();
        };
        if *written + 1 < MAX_PER_SEVERITY {
            *written += 1;
            return make();
        }
        // The last place: held until the end shows whether the count of the rest needs it.
        match held.take() {
            None if *left == 0 => *held = Some(make()),
            Some(_) => *left += 2,
            None => *left += 1,
        }
        String::new()
    }

    /// One annotation per problem with the policies or the input (counted with the findings).
    pub fn diagnostic(&mut self, d: &Diag) -> String {
        let severity = match d.level {
            Level::Error => Severity::Error,
            Level::Warning => Severity::Warning,
            Level::Advice => Severity::Info,
        };
        let make = || {
            let mut props = String::new();
            if let Some((file, line, column)) = d.location() {
                props = format!("file={},line={line},col={column},", escape_property(file));
            }
            props.push_str(&format!("title={}", escape_property(&d.code)));
            let mut message = d.message.clone();
            if let Some(help) = &d.help {
                message.push_str(&format!("\nhelp: {help}"));
            }
            format!("::{} {props}::{}\n", command(severity), escape_data(&message))
        };
        Self::admit(&mut self.written, &mut self.left, &mut self.held, slot(severity), make)
    }

    /// The closing annotations: for each severity, the one held back, or how many were not
    /// written.
    pub fn finish(&mut self) -> String {
        let mut out = String::new();
        for (i, severity) in [Severity::Error, Severity::Warning, Severity::Info].into_iter().enumerate() {
            let n = self.left.get(i).copied().unwrap_or(0);
            if n == 0 {
                out.extend(self.held.get_mut(i).and_then(Option::take));
            } else {
                out.push_str(&format!(
                    "::{} title=precept::{}\n",
                    command(severity),
                    escape_data(&format!(
                        "{n} more {} not shown as annotations (at most {MAX_PER_SEVERITY} of each kind are, this one included); see the full report",
                        match severity {
                            Severity::Error => "errors",
                            Severity::Warning => "warnings",
                            Severity::Info => "notices",
                        }
                    ))
                ));
            }
        }
        out
    }
}

impl super::Report for Annotations {
    fn finding(&mut self, f: &Finding) -> String {
        Annotations::finding(self, f)
    }

    fn preparer(&self) -> Option<Box<dyn super::Prepare>> {
        Some(Box::new(Annotate::default()))
    }

    fn prepared(&mut self, f: &Finding, text: String) -> String {
        Annotations::prepared(self, f, text)
    }

    fn finish(&mut self, end: &super::End<'_>) -> String {
        let mut s: String = end.diagnostics.iter().map(|d| self.diagnostic(d)).collect();
        s.push_str(&Annotations::finish(self));
        s
    }

    fn failed(&mut self, end: &super::End<'_>) -> String {
        super::Report::finish(self, end)
    }
}

/// Make the GitHub annotations report.
pub fn make(_: &super::Options) -> Box<dyn super::Report> {
    Box::new(Annotations::default())
}

/// GitHub workflow annotations, as `--output github`.
pub const FORMAT: super::Format = super::Format { name: "github", holds: super::Holds::Text, make };

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_text_cannot_inject_a_command() {
        let evil = "done\n::error file=x::pwned %0A 100%";
        let escaped = escape_data(evil);
        assert!(!escaped.contains('\n'));
        assert_eq!(escaped, "done%0A::error file=x::pwned %250A 100%25");
        assert_eq!(escape_property("a:b,c\r"), "a%3Ab%2Cc%0D");
        assert_eq!(escape_data("a\u{1b}[31mb\u{202e}c"), "a\\u{1b}[31mb\\u{202e}c");
    }

    /// The findings of a run.
    struct Run {
        findings: Vec<Finding>,
    }

    /// Before, every active finding's annotation was formatted, though at most ten of a
    /// severity are written.
    #[test]
    fn only_the_annotations_written_are_formatted() {
        // Findings of expired waivers (errors, with no rule), one a line of a waivers file.
        let file = crate::source::SourceFile::new("waivers.toml", "[[waiver]]\n".repeat(5_000));
        let findings: Vec<Finding> = (0..5_000)
            .map(|i| Finding {
                rule: None,
                subject: crate::findings::Subject::ExpiredWaiver,
                file: file.clone(),
                span: crate::source::Span::new(11 * i, 11 * i + 10),
                line: i + 1,
                column: 1,
                end: (i + 1, 11),
                record_index: 0,
                record_id: Some(format!("answered-quickly for T-{i}")),
                help: None,
                message: format!("the waiver {i} expired"),
                field: String::new(),
                staff: None,
                team: None,
                day: None,
                standing: crate::findings::Standing::Active,
                evidence: Vec::new(),
                group: None,
            })
            .collect();
        let run = Run { findings };
        // In order, without a preparer.
        let mut one = Annotations::default();
        let plain: String = run.findings.iter().map(|f| one.finding(f)).collect::<String>() + &one.finish();
        assert_eq!(one.formatted, MAX_PER_SEVERITY);
        // With the preparer, handed the findings in reverse: it formats ten, none of them written.
        let preparer = Annotate::default();
        let texts: Vec<String> =
            run.findings.iter().rev().map(|f| super::super::Prepare::prepare(&preparer, f)).collect();
        assert_eq!(texts.iter().filter(|t| !t.is_empty()).count(), MAX_PER_SEVERITY);
        let mut other = Annotations::default();
        let prepared: String =
            run.findings.iter().zip(texts.into_iter().rev()).map(|(f, t)| other.prepared(f, t)).collect::<String>()
                + &other.finish();
        assert_eq!(prepared, plain, "the same annotations either way");
        assert_eq!(other.formatted, MAX_PER_SEVERITY);
        assert_eq!(plain.lines().count(), MAX_PER_SEVERITY);
        assert!(plain.ends_with("4991 more errors not shown as annotations (at most 10 of each kind are, this one included); see the full report\n"), "{plain}");
    }
}
