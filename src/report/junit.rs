//! Findings as JUnit XML, for CI test dashboards: one test suite per code of practice, one test case
//! per rule (named by its id), failed when the rule has findings at or above the run's fail level,
//! with the findings listed in the failure. Findings below the fail level are listed in the suite's
//! `system-out`, so a passing rule still shows what it noticed.
//!
//! The document is valid against both common JUnit schemas (Jenkins', and the stricter Ant one by
//! Windy Road, which wants `properties`, `system-out`, `system-err`, a timestamp without a zone and
//! a hostname on every suite). Precept does not time rules: times are `0`. The hostname is always
//! `localhost`, so reports do not name the machine. Characters XML 1.0 does not allow are replaced.

use std::fmt::Write as _;

use crate::ast::Severity;
use crate::diagnostics::Diag;
use crate::findings::{Finding, Standing, Summary};

/// Escape text for XML 1.0 content and attributes, replacing characters it cannot carry at all.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// A name as an XML Schema token: no line breaks or tabs, no leading, trailing or double spaces.
pub fn token(s: &str) -> String {
    escape(&s.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn line(f: &Finding) -> String {
    let what = match &f.record_id {
        Some(id) => format!("{} {id}", f.subject),
        None => format!("{} {}", f.subject, f.record_index + 1),
    };
    let standing = match &f.standing {
        Standing::Active => String::new(),
        Standing::Waived(w) => format!(" [waived until {}: {}]", w.expires, w.justification),
        Standing::Baselined => " [known from the baseline]".to_string(),
        Standing::Undetermined(_) => " [cannot be determined: not a finding]".to_string(),
    };
    format!("{}:{}:{}: {} {what}: {}{standing}", f.file.name, f.line, f.column, f.severity().as_str(), f.message)
}

/// The JUnit document. `fail_on` is the least severe finding that fails a rule's test case;
/// `timestamp` is when the run happened (`YYYY-MM-DDTHH:MM:SS`, UTC); `skipped` names rules that
/// were not run (they need role files).
pub fn document(
    summary: &Summary,
    findings: &[Finding],
    diagnostics: &[Diag],
    fail_on: Severity,
    timestamp: &str,
) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
    let catalogue = &summary.catalogue;
    let skipped = &catalogue.skipped;
    let mut suite_id = 0usize;
    for (ci, code) in catalogue.codes.iter().enumerate() {
        // The rule ids of this code that run, each once (versions share an id), in policy order.
        let mut ids: Vec<&str> = Vec::new();
        for r in catalogue.running() {
            if r.code_index == ci && !ids.contains(&r.id.as_str()) {
                ids.push(&r.id);
            }
        }
        if ids.is_empty() {
            continue;
        }
        let mut cases = String::new();
        let mut below = String::new();
        let (mut failures, mut skips) = (0usize, 0usize);
        for id in &ids {
            let mine: Vec<&Finding> = findings
                .iter()
                .filter(|f| f.rule.as_ref().is_some_and(|r| r.id == *id && r.code_index == ci))
                .collect();
            let counts = |f: &&&Finding| f.standing == Standing::Active && f.severity() <= fail_on;
            let failing: Vec<&&Finding> = mine.iter().filter(counts).collect();
            let open = mine.iter().filter(|f| f.standing.is_undetermined()).count();
            let _ =
                write!(cases, "    <testcase name=\"{}\" classname=\"{}\" time=\"0\"", token(id), token(&code.name));
            if skipped.iter().any(|s| s == id) {
                skips += 1;
                cases.push_str(">\n      <skipped message=\"not run: this rule asks about staff and roles, and no role files were given\"/>\n    </testcase>\n");
            } else if failing.is_empty() && open > 0 {
                // Not a pass: for some records the rule could not be determined (the input suite
                // has the problems with their values).
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
            } else if failing.is_empty() {
                cases.push_str("/>\n");
            } else {
                failures += 1;
                let worst = failing.iter().map(|f| f.severity()).min().unwrap_or(Severity::Error);
                let body: Vec<String> = failing.iter().map(|f| escape(&line(f))).collect();
                let _ = write!(
                    cases,
                    ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>\n",
                    escape(&format!("{} finding{}", failing.len(), if failing.len() == 1 { "" } else { "s" })),
                    worst.as_str(),
                    body.join("\n")
                );
            }
            for f in mine.iter().filter(|f| !counts(f)) {
                below.push_str(&escape(&line(f)));
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
        let _ = write!(out, "    <system-out>{below}</system-out>\n    <system-err></system-err>\n  </testsuite>\n");
        suite_id += 1;
    }
    // Expired waivers are failures of a suite of their own, one test case per waived rule.
    let expired: Vec<&Finding> = findings.iter().filter(|f| f.rule.is_none()).collect();
    if !expired.is_empty() {
        let _ = writeln!(
            out,
            "  <testsuite name=\"waivers\" package=\"precept\" id=\"{suite_id}\" timestamp=\"{timestamp}\" hostname=\"localhost\" tests=\"{n}\" failures=\"{n}\" errors=\"0\" skipped=\"0\" time=\"0\">\n    <properties>\n      <property name=\"kind\" value=\"expired waivers\"/>\n    </properties>",
            n = expired.len()
        );
        for (i, f) in expired.iter().enumerate() {
            let _ = write!(
                out,
                "    <testcase name=\"{}\" classname=\"waivers\" time=\"0\">\n      <failure message=\"expired\" type=\"error\">{}</failure>\n    </testcase>\n",
                token(&format!("{} {}", i + 1, f.record_id.as_deref().unwrap_or_default())),
                escape(&line(f))
            );
        }
        out.push_str("    <system-out></system-out>\n    <system-err></system-err>\n  </testsuite>\n");
        suite_id += 1;
    }
    // Problems with the input are errors of a suite of their own, one test case per code.
    let errors: Vec<&Diag> = diagnostics.iter().filter(|d| d.is_error()).collect();
    if !errors.is_empty() {
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
    out.push_str("</testsuites>\n");
    out
}

/// The JUnit report: each suite's counts come before its cases, so findings are kept until the end.
#[derive(Default)]
struct Whole {
    kept: Vec<Finding>,
}

/// Make the JUnit report.
pub fn make(_: &super::Options) -> Box<dyn super::Report> {
    Box::new(Whole::default())
}

impl super::Report for Whole {
    fn finding(&mut self, f: &Finding) -> String {
        self.kept.push(f.clone());
        String::new()
    }

    fn finish(&mut self, end: &super::End<'_>) -> String {
        document(end.summary, &self.kept, end.diagnostics, end.fail_on, end.timestamp)
    }

    fn failed(&mut self, end: &super::End<'_>) -> String {
        document(&Summary::default(), &[], end.diagnostics, end.fail_on, end.timestamp)
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
