//! Findings as GitHub Actions workflow commands (`::error file=...,line=...::message`), which show
//! as annotations on a pull request's changed files.
//!
//! Every value is escaped as the runner expects (`%`, CR and LF in messages; also `:` and `,` in
//! properties), so no text from a record can end the command early or start another one. GitHub
//! shows only the first few annotations of each kind, so at most [`MAX_PER_SEVERITY`] are written
//! per severity, then one annotation says how many more there are.

use crate::ast::Severity;
use crate::diagnostics::{Diag, Level};
use crate::findings::Finding;

/// Annotations written per severity before the rest are counted.
pub const MAX_PER_SEVERITY: usize = 10;

/// Escape a command's message.
pub fn escape_data(s: &str) -> String {
    // Line breaks and `%` in GitHub's own encoding; any other control or invisible format character
    // (ESC, bidi overrides) in Precept's visible form, so no input can restyle or reorder the log.
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c if crate::text::is_unsafe(c) => out.push_str(&crate::text::escape(c.encode_utf8(&mut [0; 4]))),
            c => out.push(c),
        }
    }
    out
}

/// Escape a command's property value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
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
}

fn slot(s: Severity) -> usize {
    match s {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Info => 2,
    }
}

impl Annotations {
    /// The annotation for one finding, or nothing past the limit for its severity.
    pub fn finding(&mut self, f: &Finding) -> String {
        // Waived and known findings fail nothing: they are not annotated.
        if f.standing != crate::findings::Standing::Active {
            return String::new();
        }
        let i = slot(f.severity());
        if self.written[i] >= MAX_PER_SEVERITY {
            self.left[i] += 1;
            return String::new();
        }
        self.written[i] += 1;
        let (end_line, end_column) = f.end;
        let what = match &f.record_id {
            Some(id) => format!("{} {id}: ", f.subject),
            None => String::new(),
        };
        let mut props = format!("file={},line={},col={}", escape_property(&f.file.name), f.line, f.column);
        if end_line == f.line {
            props.push_str(&format!(",endColumn={end_column}"));
        } else {
            props.push_str(&format!(",endLine={end_line}"));
        }
        props.push_str(&format!(",title={}", escape_property(&format!("precept: {}", f.rule_id()))));
        format!("::{} {props}::{}\n", command(f.severity()), escape_data(&format!("{what}{}", f.message)))
    }

    /// One annotation per problem with the policies or the input (counted with the findings).
    pub fn diagnostic(&mut self, d: &Diag) -> String {
        let severity = match d.level {
            Level::Error => Severity::Error,
            Level::Warning => Severity::Warning,
            Level::Advice => Severity::Info,
        };
        let i = slot(severity);
        if self.written[i] >= MAX_PER_SEVERITY {
            self.left[i] += 1;
            return String::new();
        }
        self.written[i] += 1;
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
    }

    /// The closing annotations: how many of each severity were not written.
    pub fn finish(&self) -> String {
        let mut out = String::new();
        for (i, severity) in [Severity::Error, Severity::Warning, Severity::Info].into_iter().enumerate() {
            let n = self.left.get(i).copied().unwrap_or(0);
            if n > 0 {
                out.push_str(&format!(
                    "::{} title=precept::{}\n",
                    command(severity),
                    escape_data(&format!(
                        "{n} more {} not shown as annotations (at most {MAX_PER_SEVERITY} of each kind are); see the full report",
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
