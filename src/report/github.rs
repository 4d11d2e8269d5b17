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
#[derive(Debug, Default)]
pub struct Annotations {
    written: [usize; 3],
    left: [usize; 3],
    /// The last annotation a severity has room for, written at the end only if nothing of its
    /// severity came after it (else its place goes to the count of the rest).
    held: [Option<String>; 3],
}

fn slot(s: Severity) -> usize {
    match s {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Info => 2,
    }
}

/// Writes one finding's annotation, on any thread; [`Annotations`] decides, in order, whether it
/// is within the limit for its severity.
struct Annotate;

impl super::Prepare for Annotate {
    /// The annotation of an active finding; nothing for any other (waived and known findings fail
    /// nothing: they are not annotated).
    fn prepare(&self, f: &Finding) -> String {
        if f.standing != crate::findings::Standing::Active {
            return String::new();
        }
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
}

impl Annotations {
    /// The annotation for one finding, or nothing past the limit for its severity.
    pub fn finding(&mut self, f: &Finding) -> String {
        let text = super::Prepare::prepare(&Annotate, f);
        self.prepared(f, text)
    }

    /// `text`, `f`'s annotation from [`Annotate`], if `f` is active and within the limit for its
    /// severity (else counted).
    fn prepared(&mut self, f: &Finding, text: String) -> String {
        if f.standing != crate::findings::Standing::Active {
            return String::new();
        }
        let text = if text.is_empty() { super::Prepare::prepare(&Annotate, f) } else { text };
        self.admit(slot(f.severity()), text)
    }

    /// `text`, an annotation of the severity at `i`, if there is room for it now; else nothing
    /// (held back, or counted).
    fn admit(&mut self, i: usize, text: String) -> String {
        let (Some(written), Some(left), Some(held)) =
            (self.written.get_mut(i), self.left.get_mut(i), self.held.get_mut(i))
        else {
            return String::new();
        };
        if *written + 1 < MAX_PER_SEVERITY {
            *written += 1;
            return text;
        }
        // The last place: held until the end shows whether the count of the rest needs it.
        match held.take() {
            None if *left == 0 => *held = Some(text),
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
        let mut props = String::new();
        if let Some((file, line, column)) = d.location() {
            props = format!("file={},line={line},col={column},", escape_property(file));
        }
        props.push_str(&format!("title={}", escape_property(&d.code)));
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str(&format!("\nhelp: {help}"));
        }
        let text = format!("::{} {props}::{}\n", command(severity), escape_data(&message));
        self.admit(slot(severity), text)
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
        Some(Box::new(Annotate))
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
}
