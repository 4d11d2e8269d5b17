//! Findings as a Markdown summary, for a pull-request comment or a GitHub Actions job summary
//! (`$GITHUB_STEP_SUMMARY`): the outcome in a heading, counts by severity and code level (new
//! against baselined and waived), counts by rule, the first active findings at `file:line`, the
//! rule outcomes that cannot be determined, and the run's problems.
//!
//! A comment holds at most 65,536 characters and a step summary 1 MiB, so the summary is bounded
//! whatever the run: at most [`MAX_LISTED`] findings, [`MAX_RULES`] rules and [`MAX_PROBLEMS`]
//! problems are shown (each list says how many it leaves out), every quoted text is cut to
//! [`MAX_TEXT`] characters, and the whole never exceeds [`MAX_CHARS`]. It keeps one row per rule
//! and the first findings' lines, never the findings themselves.
//!
//! Every text from records and policies goes through [`escape`]: no record can add a link, an
//! image, HTML, a table cell or a heading to the summary. Redacted fields are already hashed in
//! the findings' messages and ids; the summary shows no record excerpt.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::ast::Severity;
use crate::diagnostics::{Diag, Level};
use crate::findings::{Finding, Standing, Summary};

/// Active findings listed, in report order.
pub const MAX_LISTED: usize = 50;
/// Rules shown in the table of counts by rule (those with the most active findings first).
pub const MAX_RULES: usize = 50;
/// Problems with the policies or the input listed.
pub const MAX_PROBLEMS: usize = 10;
/// Characters kept of any one quoted text (a message, a title, a record id, a file name).
pub const MAX_TEXT: usize = 300;
/// The most characters the whole summary holds: well under a GitHub comment's 65,536, so a
/// workflow can add a line of its own.
pub const MAX_CHARS: usize = 60_000;

/// `s` as inline Markdown text that shows as it is: cut to `max` characters, control and
/// invisible characters in their visible form (`\n`), and every character Markdown or HTML could
/// read as markup backslash-escaped (CommonMark lets any ASCII punctuation be escaped so), so
/// `<script>` stays text, `[x](javascript:…)`, `https://…` and `www.…` are no links and `|` ends
/// no table cell.
///
/// ```
/// use precept::report::markdown::escape;
/// assert_eq!(escape("a|b <script>", 100), r"a\|b \<script\>");
/// assert_eq!(escape("[x](javascript:alert(1))", 100), r"\[x\](javascript:alert(1))");
/// assert_eq!(escape("see www.example.com or https://example.com", 100), r"see www\.example.com or https\://example.com");
/// assert_eq!(escape("line\nbreak", 100), r"line\\nbreak");
/// assert_eq!(escape("abcdef", 3), "abc…");
/// ```
pub fn escape(s: &str, max: usize) -> String {
    let clipped = crate::text::clip_to(s, max);
    let visible = crate::text::escape(&clipped);
    let mut out = String::with_capacity(visible.len() + 8);
    let chars: Vec<char> = visible.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        // GitHub makes a link of a bare `https://…` or `www.…` (its autolink extension): the `:`
        // of `://` and the `.` of `www.` are escaped, and an escaped one starts no link.
        let scheme = c == ':' && chars.get(i + 1..i + 3) == Some(&['/', '/'][..]);
        let www = c == '.' && i >= 3 && chars.get(i - 3..i).is_some_and(|w| w.iter().all(|c| matches!(c, 'w' | 'W')));
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '|' | '~' | '$' | '@' | '#' | '!' | '"' => {
                out.push('\\');
                out.push(c);
            }
            _ if scheme || www => {
                out.push('\\');
                out.push(c);
            }
            '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// `s` as a code span when it is plain (letters, digits, `-_./:` and spaces: rule ids, diagnostic
/// codes and most file names), else as [`escape`]d text; a code span cannot be escaped inside.
pub fn code(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars().count() <= MAX_TEXT
        && s.chars().all(|c| c.is_alphanumeric() || "-_./: ".contains(c))
        && !s.starts_with(' ')
        && !s.ends_with(' ');
    if plain {
        format!("`{s}`")
    } else {
        escape(s, MAX_TEXT)
    }
}

fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// One rule's counts.
#[derive(Debug, Default)]
struct RuleRow {
    title: String,
    severity: Option<Severity>,
    active: usize,
    waived: usize,
    baselined: usize,
}

/// The Markdown summary, written whole at the end (its counts come first).
#[derive(Debug, Default)]
pub struct MarkdownReport {
    /// A baseline was given: active findings are new ones.
    baseline: bool,
    rules: BTreeMap<String, RuleRow>,
    /// The first [`MAX_LISTED`] active findings, as list items.
    listed: Vec<String>,
    /// Active findings not listed.
    unlisted: usize,
}

/// One finding as a list item: severity, rule, `file:line`, record and message.
fn item(f: &Finding) -> String {
    let mut out =
        format!("- **{}** {} at {}", severity_name(f.severity()), code(f.rule_id()), place(&f.file.name, f.line));
    if let Some(id) = &f.record_id {
        let _ = write!(out, ", {} {}", f.subject.as_str(), code(id));
    }
    let _ = write!(out, ": {}", escape(&f.message, MAX_TEXT));
    out
}

/// `file:line`, as a code span when the name is plain.
fn place(file: &str, line: usize) -> String {
    code(&format!("{}:{line}", crate::text::clip_to(file, MAX_TEXT)))
}

impl MarkdownReport {
    /// A summary; `baseline` says whether active findings are to be called new.
    pub fn new(baseline: bool) -> MarkdownReport {
        MarkdownReport { baseline, ..MarkdownReport::default() }
    }

    fn finding(&mut self, f: &Finding) {
        if f.standing.is_undetermined() {
            return; // counted in the summary's tally
        }
        let row = self.rules.entry(f.rule_id().to_string()).or_default();
        if row.severity.is_none() {
            row.severity = Some(f.severity());
            row.title = match &f.rule {
                Some(r) => r.title.clone(),
                None => "A waiver has expired".to_string(),
            };
        }
        match &f.standing {
            Standing::Active => {
                row.active += 1;
                if self.listed.len() < MAX_LISTED {
                    self.listed.push(item(f));
                } else {
                    self.unlisted += 1;
                }
            }
            Standing::Waived(_) => row.waived += 1,
            Standing::Baselined => row.baselined += 1,
            Standing::Undetermined(_) => {}
        }
    }

    fn active_word(&self) -> &'static str {
        if self.baseline {
            "new"
        } else {
            "active"
        }
    }

    /// The heading: what the run means for whoever reads the summary.
    fn heading(&self, end: &super::End<'_>) -> String {
        let s = end.summary;
        let errors = end.diagnostics.iter().filter(|d| d.is_error()).count();
        let failing: usize = s
            .tally
            .active
            .iter()
            .zip([Severity::Error, Severity::Warning, Severity::Info])
            .filter(|(_, sev)| *sev <= end.fail_on)
            .map(|(n, _)| n)
            .sum();
        let verdict = if errors > 0 {
            format!("could not check everything ({})", plural(errors, "problem", "problems"))
        } else if failing > 0 {
            format!(
                "{} {} the run",
                plural(
                    failing,
                    &format!("{} finding", self.active_word()),
                    &format!("{} findings", self.active_word())
                ),
                if failing == 1 { "fails" } else { "fail" }
            )
        } else if s.findings() > 0 {
            format!("passed ({}, none failing the run)", plural(s.findings(), "finding", "findings"))
        } else {
            "passed, no findings".to_string()
        };
        format!("## Precept: {verdict}\n\n")
    }

    fn counts(&self, s: &Summary) -> String {
        let mut out = format!(
            "Checked {} in {} against {} from {}.",
            plural(s.records, "record", "records"),
            plural(s.files, "file", "files"),
            plural(s.rules, "rule", "rules"),
            plural(s.codes, "code", "codes"),
        );
        if let Some(e) = &s.evaluation {
            let _ = write!(out, " Evaluated at {}.", escape(&e.described(), MAX_TEXT));
        }
        // Clauses the codes list that no rule implements: said only when there are some.
        let gaps = s.catalogue.uncited_clauses().len();
        if gaps > 0 {
            let listed = s.catalogue.listed_clauses();
            let _ = write!(
                out,
                " {gaps} of {} the codes list {} no rule.",
                plural(listed, "clause", "clauses"),
                if gaps == 1 { "has" } else { "have" }
            );
        }
        out.push_str("\n\n");
        if s.findings() == 0 {
            out.push_str("No findings.\n\n");
        } else {
            let mut by_severity: BTreeMap<Severity, [usize; 3]> = BTreeMap::new();
            for row in self.rules.values() {
                if let Some(sev) = row.severity {
                    let c = by_severity.entry(sev).or_default();
                    c[0] += row.active;
                    c[1] += row.baselined;
                    c[2] += row.waived;
                }
            }
            let active = if self.baseline { "New" } else { "Active" };
            let _ = writeln!(out, "| Severity | Findings | {active} | Baselined | Waived |");
            out.push_str("| --- | ---: | ---: | ---: | ---: |\n");
            let mut total = [0usize; 4];
            for (i, sev) in [Severity::Error, Severity::Warning, Severity::Info].into_iter().enumerate() {
                let n = s.tally.by_severity.get(i).copied().unwrap_or(0);
                let [a, b, w] = by_severity.get(&sev).copied().unwrap_or_default();
                let _ = writeln!(out, "| {} | {n} | {a} | {b} | {w} |", severity_name(sev));
                for (t, v) in total.iter_mut().zip([n, a, b, w]) {
                    *t += v;
                }
            }
            let [n, a, b, w] = total;
            let _ = writeln!(out, "| **total** | **{n}** | **{a}** | **{b}** | **{w}** |\n");
            let levels: Vec<String> = s.tally.by_level.iter().map(|(l, n)| format!("{} {n}", l.as_str())).collect();
            let _ = writeln!(out, "By code level: {}.\n", levels.join(", "));
        }
        let open = s.tally.undetermined;
        if open > 0 {
            let _ = writeln!(
                out,
                "**{} cannot be determined**: {} could not be read (see the problems below); {} with no finding but such an outcome.\n",
                plural(open, "rule outcome", "rule outcomes"),
                if open == 1 { "a value it needs" } else { "values they need" },
                plural(s.tally.records_undetermined, "record", "records"),
            );
        }
        let pending: usize = s.pending.iter().map(|(_, n)| n).sum();
        if pending > 0 {
            let _ = writeln!(out, "{} open, not yet due.\n", plural(pending, "obligation", "obligations"));
        }
        out
    }

    fn by_rule(&self) -> String {
        if self.rules.is_empty() {
            return String::new();
        }
        let mut rows: Vec<(&String, &RuleRow)> = self.rules.iter().collect();
        rows.sort_by(|a, b| {
            let total = |r: &RuleRow| r.active + r.waived + r.baselined;
            b.1.active.cmp(&a.1.active).then(total(b.1).cmp(&total(a.1))).then(a.0.cmp(b.0))
        });
        let active = if self.baseline { "New" } else { "Active" };
        let mut out = String::from("### Findings by rule\n\n");
        let _ = writeln!(out, "| Rule | Title | Severity | {active} | Baselined | Waived |");
        out.push_str("| --- | --- | --- | ---: | ---: | ---: |\n");
        for (id, r) in rows.iter().take(MAX_RULES) {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                code(id),
                escape(&r.title, MAX_TEXT),
                r.severity.map_or("", severity_name),
                r.active,
                r.baselined,
                r.waived
            );
        }
        if rows.len() > MAX_RULES {
            let _ = writeln!(
                out,
                "\n{} with fewer findings not shown.",
                plural(rows.len() - MAX_RULES, "more rule", "more rules")
            );
        }
        out.push('\n');
        out
    }

    fn listing(&self) -> String {
        if self.listed.is_empty() {
            return String::new();
        }
        let word = if self.baseline { "new" } else { "active" };
        let mut out = format!("### First {word} findings\n\n");
        for line in &self.listed {
            out.push_str(line);
            out.push('\n');
        }
        if self.unlisted > 0 {
            let _ = writeln!(
                out,
                "\n{} not shown: the JSON or SARIF report (`--output json=PATH`) lists every finding.",
                plural(self.unlisted, &format!("{word} finding"), &format!("{word} findings"))
            );
        }
        out.push('\n');
        out
    }

    fn relaxations(s: &Summary) -> String {
        let mut out = String::new();
        for (i, (rule, parent, why)) in s.catalogue.relaxations().enumerate() {
            if i == 0 {
                out.push_str("### Relaxations\n\n");
            }
            if i == MAX_RULES {
                out.push_str("- and more (see the human report)\n");
                break;
            }
            let _ = writeln!(
                out,
                "- {} relaxes rule {} of {} ({}): {}",
                escape(&rule.code, MAX_TEXT),
                code(&rule.id),
                escape(parent, MAX_TEXT),
                place(&rule.file.name, rule.line),
                escape(why, MAX_TEXT)
            );
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out
    }
}

/// The problems with the policies and the input, the first [`MAX_PROBLEMS`] of them.
fn problems(diagnostics: &[Diag]) -> String {
    if diagnostics.is_empty() {
        return String::new();
    }
    let mut out = String::from("### Problems\n\n");
    for d in diagnostics.iter().take(MAX_PROBLEMS) {
        let level = match d.level {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Advice => "advice",
        };
        let _ = write!(out, "- **{level}** {}", code(&d.code));
        if let Some((file, line, _)) = d.location() {
            let _ = write!(out, " at {}", place(file, line));
        }
        let _ = writeln!(out, ": {}", escape(&d.message, MAX_TEXT));
    }
    if diagnostics.len() > MAX_PROBLEMS {
        let _ = writeln!(
            out,
            "\n{} not shown (all are on standard error and in the JSON report).",
            plural(diagnostics.len() - MAX_PROBLEMS, "more problem", "more problems")
        );
    }
    out.push('\n');
    out
}

/// `text` cut, at a line break, to at most [`MAX_CHARS`] characters with a closing note: a last
/// bound, should the bounded parts together still be too long.
pub fn bounded(text: String) -> String {
    if text.chars().count() <= MAX_CHARS {
        return text;
    }
    let note = "\n_The summary was cut to stay within the length a pull-request comment allows; the JSON report has everything._\n";
    let room = MAX_CHARS - note.chars().count();
    let cut = text.char_indices().nth(room).map_or(text.len(), |(i, _)| i);
    let head = text.get(..cut).unwrap_or("");
    let at = head.rfind('\n').map_or(0, |i| i + 1);
    format!("{}{note}", head.get(..at).unwrap_or(""))
}

impl super::Report for MarkdownReport {
    fn finding(&mut self, f: &Finding) -> String {
        MarkdownReport::finding(self, f);
        String::new()
    }

    fn finish(&mut self, end: &super::End<'_>) -> String {
        let mut out = self.heading(end);
        out.push_str(&self.counts(end.summary));
        out.push_str(&self.by_rule());
        out.push_str(&self.listing());
        out.push_str(&Self::relaxations(end.summary));
        out.push_str(&problems(end.diagnostics));
        let _ = writeln!(out, "<sub>Precept {}</sub>", env!("CARGO_PKG_VERSION"));
        bounded(out)
    }

    fn failed(&mut self, end: &super::End<'_>) -> String {
        let mut out = String::from("## Precept: could not check the records\n\n");
        out.push_str(&problems(end.diagnostics));
        let _ = writeln!(out, "<sub>Precept {}</sub>", env!("CARGO_PKG_VERSION"));
        bounded(out)
    }
}

/// Make the Markdown summary.
pub fn make(options: &super::Options) -> Box<dyn super::Report> {
    Box::new(MarkdownReport::new(options.baseline))
}

/// The Markdown summary, as `--output markdown`.
pub const FORMAT: super::Format = super::Format { name: "markdown", holds: super::Holds::Text, make };

/// Whether `bad` occurs in `text` with no backslash escaping its first character: markup that
/// would take effect.
#[cfg(test)]
pub(crate) fn has_unescaped(text: &str, bad: &str) -> bool {
    text.match_indices(bad).any(|(i, _)| i == 0 || text.as_bytes().get(i - 1) != Some(&b'\\'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_stays_text() {
        let evil = "|`x`| <script>alert(1)</script> [x](javascript:alert(1)) ![i](http://e/x.png) **b** # h\n- item $x$ @team &amp;";
        let e = escape(evil, 1000);
        assert!(!e.contains('\n'));
        for bad in ["<script", "](", "![", "**b", "`x", "|`", "&amp;", "$x$", "@team"] {
            assert!(!has_unescaped(&e, bad), "{bad} in {e}");
        }
    }

    #[test]
    fn code_spans_only_for_plain_text() {
        assert_eq!(code("answered-quickly"), "`answered-quickly`");
        assert_eq!(code("a`b"), r"a\`b");
        assert_eq!(code("a|b"), r"a\|b");
    }

    #[test]
    fn the_bound_cuts_at_a_line() {
        let long: String = (0..20_000).map(|i| format!("line {i}\n")).collect();
        let cut = bounded(long);
        assert!(cut.chars().count() <= MAX_CHARS);
        assert!(cut.ends_with("has everything._\n"));
        assert!(cut.lines().rev().nth(2).is_some_and(|l| l.starts_with("line ")));
    }
}
