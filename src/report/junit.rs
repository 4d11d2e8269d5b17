//! Findings as JUnit XML, for CI test dashboards: one test suite per code of practice, one test case
//! per rule (named by its id), failed when the rule has findings at or above the run's fail level,
//! with the findings listed in the failure. Findings below the fail level are listed in the suite's
//! `system-out`, so a passing rule still shows what it noticed.
//!
//! The document is valid against both common JUnit schemas (Jenkins', and the stricter Ant one by
//! Windy Road, which wants `properties`, `system-out`, `system-err`, a timestamp without a zone and
//! a hostname on every suite). Precept does not time rules: times are `0`. The hostname is always
//! `localhost`, so reports do not name the machine. Characters XML 1.0 does not allow are replaced.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use crate::ast::Severity;
use crate::diagnostics::Diag;
use crate::findings::{Finding, Standing, Summary};

/// Findings listed per rule, in its failure and in its suite's `system-out` each: the first ones
/// found, then a line saying how many more there were (the counts are exact), so the report's
/// memory and size do not grow with the number of findings.
pub const MAX_LISTED: usize = 100;

/// Escape text for XML 1.0 content and attributes, replacing characters it cannot carry at all.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(&mut out, s);
    out
}

/// [`escape`], onto `out`: runs of characters that need nothing are copied at once.
fn escape_into(out: &mut String, s: &str) {
    let mut plain = 0;
    for (i, c) in s.char_indices() {
        let replaced = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '"' => "&quot;",
            '\'' => "&apos;",
            '\t' | '\n' | '\r' => continue,
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => "\u{FFFD}",
            _ => continue,
        };
        out.push_str(&s[plain..i]);
        out.push_str(replaced);
        plain = i + c.len_utf8();
    }
    out.push_str(&s[plain..]);
}

/// A name as an XML Schema token: no line breaks or tabs, no leading, trailing or double spaces.
pub fn token(s: &str) -> String {
    escape(&s.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// The line that lists `f`, escaped: `file:line:column: severity record id: message [standing]`.
fn line(f: &Finding) -> String {
    let mut out = String::with_capacity(f.file.name.len() + f.message.len() + 64);
    escape_into(&mut out, &f.file.name);
    let _ = write!(out, ":{}:{}: {} {} ", f.line, f.column, f.severity().as_str(), f.subject);
    match &f.record_id {
        Some(id) => escape_into(&mut out, id),
        None => {
            let _ = write!(out, "{}", f.record_index + 1);
        }
    }
    out.push_str(": ");
    escape_into(&mut out, &f.message);
    match &f.standing {
        Standing::Active => {}
        Standing::Waived(w) => {
            out.push_str(" [waived until ");
            escape_into(&mut out, &w.expires);
            out.push_str(": ");
            escape_into(&mut out, &w.justification);
            out.push(']');
        }
        Standing::Baselined => out.push_str(" [known from the baseline]"),
        Standing::Undetermined(_) => out.push_str(" [cannot be determined: not a finding]"),
    }
    out
}

/// Makes the escaped line of one finding, on any thread.
struct Lines;

impl super::Prepare for Lines {
    fn prepare(&self, f: &Finding) -> String {
        line(f)
    }
}

/// Some of a rule's findings: how many, and the lines of the first [`MAX_LISTED`] with their place
/// in the run (to list them in the order found when kinds are merged).
#[derive(Debug, Default)]
struct Listed {
    count: usize,
    first: Vec<(usize, String)>,
}

impl Listed {
    fn add(&mut self, seen: usize, text: String) {
        self.count += 1;
        if self.first.len() < MAX_LISTED {
            self.first.push((seen, text));
        }
    }
}

/// What the document needs of one rule's findings. Which fail the rule depends on the fail level,
/// known only at the end, so active findings are kept apart by severity.
#[derive(Debug, Default)]
struct RuleFindings {
    /// Active findings, by severity (error, warning, info).
    active: [Listed; 3],
    /// Waived, known and cannot-determine findings: they fail nothing.
    other: Listed,
    /// How many of `other` cannot be determined.
    open: usize,
}

const SEVERITIES: [Severity; 3] = [Severity::Error, Severity::Warning, Severity::Info];

impl RuleFindings {
    /// The active findings at or above `fail_on` (failing), and the rest (`None` for `other`).
    fn split(&self, fail_on: Severity) -> (Vec<&Listed>, Vec<&Listed>) {
        let (mut failing, mut below) = (Vec::new(), vec![&self.other]);
        for (listed, severity) in self.active.iter().zip(SEVERITIES) {
            if severity <= fail_on {
                failing.push(listed);
            } else {
                below.push(listed);
            }
        }
        (failing, below)
    }
}

/// The first [`MAX_LISTED`] lines of `parts` in the order found, and how many more there are.
fn merged<'a>(parts: &[&'a Listed]) -> (Vec<&'a str>, usize) {
    let mut all: Vec<&(usize, String)> = parts.iter().flat_map(|l| l.first.iter()).collect();
    all.sort_unstable_by_key(|(seen, _)| *seen);
    all.truncate(MAX_LISTED);
    let total: usize = parts.iter().map(|l| l.count).sum();
    let more = total - all.len();
    (all.into_iter().map(|(_, text)| text.as_str()).collect(), more)
}

/// The line after the listed ones, when some were not listed.
fn more_line(more: usize) -> String {
    escape(&format!("... and {more} more (at most {MAX_LISTED} are listed per rule; the JSON report has them all)"))
}

/// The JUnit report, written at the end (each suite's counts come before its cases), keeping only
/// what its document needs of each rule's findings: counts, and the first [`MAX_LISTED`] lines.
#[derive(Debug, Default)]
struct Whole {
    /// By code (its index) and rule id.
    rules: HashMap<usize, HashMap<String, RuleFindings>>,
    /// Expired waivers, each its own test case: what it waived, and its line. As many as there
    /// are waivers in the waivers file, whatever the number of records.
    expired: Vec<(String, String)>,
    /// Findings seen.
    seen: usize,
}

impl Whole {
    /// `f`, with `text`, its line from [`Lines`].
    fn add(&mut self, f: &Finding, text: String) {
        let seen = self.seen;
        self.seen += 1;
        let Some(rule) = &f.rule else {
            self.expired.push((f.record_id.clone().unwrap_or_default(), text));
            return;
        };
        let code = self.rules.entry(rule.code_index).or_default();
        let mine = match code.get_mut(rule.id.as_str()) {
            Some(mine) => mine,
            None => code.entry(rule.id.clone()).or_default(),
        };
        match f.standing {
            Standing::Active => {
                let slot = SEVERITIES.iter().position(|s| *s == f.severity()).unwrap_or(0);
                mine.active[slot].add(seen, text);
            }
            _ => {
                mine.open += usize::from(f.standing.is_undetermined());
                mine.other.add(seen, text);
            }
        }
    }

    /// The document, with the findings seen.
    fn document(&self, summary: &Summary, diagnostics: &[Diag], fail_on: Severity, timestamp: &str) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
        let catalogue = &summary.catalogue;
        let skipped = &catalogue.skipped;
        // The rule ids of each code that run, each once (versions share an id), in policy order.
        let mut ids: Vec<Vec<&str>> = vec![Vec::new(); catalogue.codes.len()];
        let mut known: HashSet<(usize, &str)> = HashSet::new();
        for r in catalogue.running() {
            if let Some(code) = ids.get_mut(r.code_index) {
                if known.insert((r.code_index, &r.id)) {
                    code.push(&r.id);
                }
            }
        }
        let none = RuleFindings::default();
        let mut suite_id = 0usize;
        for (ci, code) in catalogue.codes.iter().enumerate() {
            let ids = &ids[ci];
            if ids.is_empty() {
                continue;
            }
            let mut cases = String::new();
            let mut below = String::new();
            let (mut failures, mut skips) = (0usize, 0usize);
            for id in ids {
                let mine = self.rules.get(&ci).and_then(|c| c.get(*id)).unwrap_or(&none);
                let (failing, noticed) = mine.split(fail_on);
                let failing_count: usize = failing.iter().map(|l| l.count).sum();
                let open = mine.open;
                let _ = write!(
                    cases,
                    "    <testcase name=\"{}\" classname=\"{}\" time=\"0\"",
                    token(id),
                    token(&code.name)
                );
                if skipped.iter().any(|s| s == id) {
                    skips += 1;
                    cases.push_str(">\n      <skipped message=\"not run: this rule asks about staff and roles, and no role files were given\"/>\n    </testcase>\n");
                } else if failing_count == 0 && open > 0 {
                    // Not a pass: for some records the rule could not be determined (the input
                    // suite has the problems with their values).
                    skips += 1;
                    let _ = write!(
                        cases,
                        ">\n      <skipped message=\"{}\"/>\n    </testcase>\n",
                        escape(&format!(
                            "cannot be determined for {} record{}: a value it depends on could not be read",
                            open,
                            if open == 1 { "" } else { "s" }
                        ))
                    );
                } else if failing_count == 0 {
                    cases.push_str("/>\n");
                } else {
                    failures += 1;
                    let worst = mine
                        .active
                        .iter()
                        .zip(SEVERITIES)
                        .find(|(l, s)| l.count > 0 && *s <= fail_on)
                        .map_or(Severity::Error, |(_, s)| s);
                    let (lines, more) = merged(&failing);
                    let _ = write!(
                        cases,
                        ">\n      <failure message=\"{}\" type=\"{}\">{}",
                        escape(&format!("{} finding{}", failing_count, if failing_count == 1 { "" } else { "s" })),
                        worst.as_str(),
                        lines.join("\n")
                    );
                    if more > 0 {
                        cases.push('\n');
                        cases.push_str(&more_line(more));
                    }
                    cases.push_str("</failure>\n    </testcase>\n");
                }
                let (lines, more) = merged(&noticed);
                for l in lines {
                    below.push_str(l);
                    below.push('\n');
                }
                if more > 0 {
                    below.push_str(&more_line(more));
                    below.push('\n');
                }
            }
            let _ = writeln!(
                out,
                "  <testsuite name=\"{}\" package=\"precept\" id=\"{suite_id}\" timestamp=\"{timestamp}\" hostname=\"localhost\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skips}\" time=\"0\">",
                token(&code.name),
                ids.len()
            );
            // The evaluation time the code's rules judged the data at (`--as-of`), or `end of data`.
            let evaluated = summary.evaluation.as_ref().map_or_else(|| "end of data".to_string(), |e| e.to_string());
            let _ = write!(
                out,
                "    <properties>\n      <property name=\"level\" value=\"{}\"/>\n{}      <property name=\"evaluation_time\" value=\"{}\"/>\n    </properties>\n",
                code.level.as_str(),
                code.version
                    .as_ref()
                    .map(|v| format!("      <property name=\"version\" value=\"{}\"/>\n", escape(v)))
                    .unwrap_or_default(),
                escape(&evaluated)
            );
            out.push_str(&cases);
            let _ =
                write!(out, "    <system-out>{below}</system-out>\n    <system-err></system-err>\n  </testsuite>\n");
            suite_id += 1;
        }
        // Expired waivers are failures of a suite of their own, one test case per waived rule.
        if !self.expired.is_empty() {
            let _ = writeln!(
                out,
                "  <testsuite name=\"waivers\" package=\"precept\" id=\"{suite_id}\" timestamp=\"{timestamp}\" hostname=\"localhost\" tests=\"{n}\" failures=\"{n}\" errors=\"0\" skipped=\"0\" time=\"0\">\n    <properties>\n      <property name=\"kind\" value=\"expired waivers\"/>\n    </properties>",
                n = self.expired.len()
            );
            for (i, (record, text)) in self.expired.iter().enumerate() {
                let _ = write!(
                    out,
                    "    <testcase name=\"{}\" classname=\"waivers\" time=\"0\">\n      <failure message=\"expired\" type=\"error\">{text}</failure>\n    </testcase>\n",
                    token(&format!("{} {record}", i + 1)),
                );
            }
            out.push_str("    <system-out></system-out>\n    <system-err></system-err>\n  </testsuite>\n");
            suite_id += 1;
        }
        input_suite(&mut out, diagnostics, suite_id, timestamp);
        out.push_str("</testsuites>\n");
        out
    }
}

/// Problems with the input are errors of a suite of their own, one test case per code.
fn input_suite(out: &mut String, diagnostics: &[Diag], suite_id: usize, timestamp: &str) {
    let errors: Vec<&Diag> = diagnostics.iter().filter(|d| d.is_error()).collect();
    if errors.is_empty() {
        return;
    }
    let mut codes: Vec<&str> = errors.iter().map(|d| &*d.code).collect();
    codes.sort_unstable();
    codes.dedup();
    let _ = write!(
        out,
        "  <testsuite name=\"input\" package=\"precept\" id=\"{suite_id}\" timestamp=\"{timestamp}\" hostname=\"localhost\" tests=\"{}\" failures=\"0\" errors=\"{}\" skipped=\"0\" time=\"0\">\n    <properties>\n      <property name=\"kind\" value=\"input problems\"/>\n    </properties>\n",
        codes.len(),
        codes.len()
    );
    for code in codes {
        let mine: Vec<String> = errors
            .iter()
            .filter(|d| &*d.code == code)
            .map(|d| match d.location() {
                Some((file, l, c)) => escape(&format!("{file}:{l}:{c}: {}", d.message)),
                None => escape(&d.message),
            })
            .collect();
        let _ = write!(
            out,
            "    <testcase name=\"{}\" classname=\"input\" time=\"0\">\n      <error message=\"{}\" type=\"{}\">{}</error>\n    </testcase>\n",
            token(code),
            escape(&format!("{} problem{}", mine.len(), if mine.len() == 1 { "" } else { "s" })),
            token(code),
            mine.join("\n")
        );
    }
    out.push_str("    <system-out></system-out>\n    <system-err></system-err>\n  </testsuite>\n");
}

/// The JUnit document. `fail_on` is the least severe finding that fails a rule's test case;
/// `timestamp` is when the run happened (`YYYY-MM-DDTHH:MM:SS`, UTC); the summary's catalogue
/// names rules that were not run (they need role files).
pub fn document(
    summary: &Summary,
    findings: &[Finding],
    diagnostics: &[Diag],
    fail_on: Severity,
    timestamp: &str,
) -> String {
    let mut whole = Whole::default();
    for f in findings {
        whole.add(f, line(f));
    }
    whole.document(summary, diagnostics, fail_on, timestamp)
}

/// Make the JUnit report.
pub fn make(_: &super::Options) -> Box<dyn super::Report> {
    Box::new(Whole::default())
}

impl super::Report for Whole {
    fn finding(&mut self, f: &Finding) -> String {
        self.add(f, line(f));
        String::new()
    }

    fn preparer(&self) -> Option<Box<dyn super::Prepare>> {
        Some(Box::new(Lines))
    }

    fn prepared(&mut self, f: &Finding, text: String) -> String {
        let text = if text.is_empty() { line(f) } else { text };
        self.add(f, text);
        String::new()
    }

    fn finish(&mut self, end: &super::End<'_>) -> String {
        self.document(end.summary, end.diagnostics, end.fail_on, end.timestamp)
    }

    fn failed(&mut self, end: &super::End<'_>) -> String {
        Whole::default().document(&Summary::default(), end.diagnostics, end.fail_on, end.timestamp)
    }
}

/// The JUnit report, as `--output junit`.
pub const FORMAT: super::Format = super::Format { name: "junit", holds: super::Holds::Junit, make };

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_xml_cannot_carry_is_replaced_and_markup_escaped() {
        assert_eq!(escape("a<b & \"c\"\u{0}\u{1b}\u{FFFF}\t"), "a&lt;b &amp; &quot;c&quot;\u{FFFD}\u{FFFD}\u{FFFD}\t");
        assert_eq!(token("  two\n words  "), "two words");
    }
}
