//! The impact of a policy change: the findings of the same records under two sets of policies
//! (a base, say the main branch's, and a change, say a pull request's), matched one to one, and
//! shown by rule as those that appear, disappear or change (message, severity, standing).
//!
//! A finding is matched by its fingerprint (the identity baselines use: rule id, subject, record
//! id or place, field, and a presence rule's missing period), so a finding whose message, severity
//! or standing differs between the two runs is one finding that changed, not one gone and one new.
//! Fingerprints shared by several findings of one run are matched in order.
//!
//! Rendered as text for a person ([`human`]), a JSON document ([`json`]) and a Markdown summary
//! for a pull request ([`markdown`], bounded like the `markdown` report). Pure: the command line
//! runs the checks.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use serde::Serialize;

use super::markdown::{code, escape, MAX_TEXT};
use crate::ast::Severity;
use crate::diagnostics::Diag;
use crate::findings::{Finding, Standing};
use crate::text::guard;

/// The format version of the JSON document.
pub const VERSION: u32 = 1;

/// Entries (appearing, disappearing or changing findings) listed in the Markdown form.
pub const MAX_MARKDOWN_ENTRIES: usize = 60;

/// What a diff keeps of one finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Seen {
    /// Its identity across runs ([`Finding::fingerprint`]).
    pub fingerprint: String,
    /// The rule's id.
    pub rule: String,
    /// The rule's title on this side.
    #[serde(skip)]
    pub title: String,
    /// `error`, `warning` or `info`.
    pub severity: &'static str,
    /// `active`, `waived`, `baselined` or `cannot_determine`, as in the JSON report.
    pub standing: &'static str,
    /// The record file (or policy file, for a group's finding).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// `record`, `group`, `case`, `role`, `staff member` or `waiver`.
    pub subject: &'static str,
    /// The record's (or group's) id, if it has one.
    pub record: Option<String>,
    /// The message, with the record's values.
    pub message: String,
}

fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

impl Seen {
    /// What a diff keeps of `f`.
    pub fn of(f: &Finding) -> Seen {
        Seen {
            fingerprint: f.fingerprint(),
            rule: f.rule_id().to_string(),
            title: f.rule.as_ref().map_or_else(|| "A waiver has expired".to_string(), |r| r.title.clone()),
            severity: severity_name(f.severity()),
            standing: match &f.standing {
                Standing::Active => "active",
                Standing::Waived(_) => "waived",
                Standing::Baselined => "baselined",
                Standing::Undetermined(_) => "cannot_determine",
            },
            file: f.file.name.to_string(),
            line: f.line,
            column: f.column,
            subject: f.subject.as_str(),
            record: f.record_id.clone(),
            message: f.message.clone(),
        }
    }

    /// Whether it is an active error: what `--fail-on-new-errors` looks for.
    fn active_error(&self) -> bool {
        self.severity == "error" && self.standing == "active"
    }
}

/// One finding in both runs whose message, severity or standing differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Changed {
    /// What differs: `message`, `severity` and/or `standing`, in that order.
    pub changes: Vec<&'static str>,
    /// As the base policies found it.
    pub before: Seen,
    /// As the changed policies find it.
    pub after: Seen,
}

/// What a change does to one rule's findings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RuleDiff {
    /// The rule's id.
    pub rule: String,
    /// Its title (the changed policies', when both have it).
    pub title: String,
    /// Findings only the changed policies make.
    pub appeared: Vec<Seen>,
    /// Findings only the base policies make.
    pub disappeared: Vec<Seen>,
    /// Findings both make, differently.
    pub changed: Vec<Changed>,
}

/// Counts of one side's run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SideCounts {
    /// The policy folders or files of this side, as given.
    pub policies: Vec<String>,
    /// Findings at any standing.
    pub findings: usize,
    /// Findings by severity.
    pub by_severity: BySeverity,
    /// Active findings (neither waived nor baselined) by severity.
    pub active: BySeverity,
    /// Rule outcomes that cannot be determined.
    pub cannot_determine: usize,
}

/// Counts by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct BySeverity {
    /// Errors.
    pub error: usize,
    /// Warnings.
    pub warning: usize,
    /// Infos.
    pub info: usize,
}

impl SideCounts {
    /// The counts of `seen`, found with `policies`.
    pub fn of(policies: Vec<String>, seen: &[Seen]) -> SideCounts {
        let mut c = SideCounts { policies, ..SideCounts::default() };
        for s in seen {
            if s.standing == "cannot_determine" {
                c.cannot_determine += 1;
                continue;
            }
            c.findings += 1;
            let bump = |b: &mut BySeverity| match s.severity {
                "error" => b.error += 1,
                "warning" => b.warning += 1,
                _ => b.info += 1,
            };
            bump(&mut c.by_severity);
            if s.standing == "active" {
                bump(&mut c.active);
            }
        }
        c
    }
}

/// The whole comparison.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diff {
    /// The base run's counts.
    pub base: SideCounts,
    /// The changed run's counts.
    pub change: SideCounts,
    /// Rules with any difference, by rule id.
    pub rules: Vec<RuleDiff>,
    /// Findings both runs make alike.
    pub unchanged: usize,
    /// Records checked (by the changed policies).
    pub records: usize,
    /// Record files read (by the changed policies).
    pub files: usize,
}

/// The totals of a diff.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Findings that appear.
    pub appeared: usize,
    /// Findings that disappear.
    pub disappeared: usize,
    /// Findings that change.
    pub changed: usize,
    /// Findings alike in both.
    pub unchanged: usize,
    /// Active error findings the change adds: those that appear, and those that become active
    /// errors (from another severity or standing).
    pub new_errors: usize,
}

impl Diff {
    /// Compare the findings of the base policies with those of the changed ones (each in report
    /// order).
    ///
    /// ```
    /// use precept::report::diff::{Diff, Seen, SideCounts};
    /// let seen = |fp: &str, message: &str| Seen {
    ///     fingerprint: fp.into(), rule: "r".into(), title: "R".into(), severity: "error",
    ///     standing: "active", file: "f.csv".into(), line: 2, column: 1, subject: "record",
    ///     record: None, message: message.into(),
    /// };
    /// let diff = Diff::compare(vec![seen("a", "x"), seen("b", "y")], vec![seen("b", "z"), seen("c", "w")]);
    /// let t = diff.totals();
    /// assert_eq!((t.appeared, t.disappeared, t.changed, t.unchanged, t.new_errors), (1, 1, 1, 0, 1));
    /// ```
    pub fn compare(base: Vec<Seen>, change: Vec<Seen>) -> Diff {
        let base_counts = SideCounts::of(Vec::new(), &base);
        let change_counts = SideCounts::of(Vec::new(), &change);
        // The n-th finding with a fingerprint in one run is matched with the n-th in the other.
        let mut before: HashMap<(String, usize), Seen> = HashMap::with_capacity(base.len());
        let mut nth: HashMap<String, usize> = HashMap::new();
        let mut order: Vec<(String, usize)> = Vec::with_capacity(base.len());
        for s in base {
            let n = nth.entry(s.fingerprint.clone()).or_default();
            let key = (s.fingerprint.clone(), *n);
            *n += 1;
            order.push(key.clone());
            before.insert(key, s);
        }
        nth.clear();
        let mut rules: BTreeMap<String, RuleDiff> = BTreeMap::new();
        let mut unchanged = 0;
        for s in change {
            let n = nth.entry(s.fingerprint.clone()).or_default();
            let key = (s.fingerprint.clone(), *n);
            *n += 1;
            match before.remove(&key) {
                None => rule_of(&mut rules, &s, true).appeared.push(s),
                Some(b) => {
                    let mut changes = Vec::new();
                    if b.message != s.message {
                        changes.push("message");
                    }
                    if b.severity != s.severity {
                        changes.push("severity");
                    }
                    if b.standing != s.standing {
                        changes.push("standing");
                    }
                    if changes.is_empty() {
                        unchanged += 1;
                    } else {
                        rule_of(&mut rules, &s, true).changed.push(Changed { changes, before: b, after: s });
                    }
                }
            }
        }
        for key in order {
            if let Some(b) = before.remove(&key) {
                rule_of(&mut rules, &b, false).disappeared.push(b);
            }
        }
        Diff {
            base: base_counts,
            change: change_counts,
            rules: rules.into_values().collect(),
            unchanged,
            records: 0,
            files: 0,
        }
    }

    /// How many findings appear, disappear, change and stay alike, and the new active errors.
    pub fn totals(&self) -> Totals {
        let mut t = Totals { unchanged: self.unchanged, ..Totals::default() };
        for r in &self.rules {
            t.appeared += r.appeared.len();
            t.disappeared += r.disappeared.len();
            t.changed += r.changed.len();
            t.new_errors += r.appeared.iter().filter(|s| s.active_error()).count();
            t.new_errors += r.changed.iter().filter(|c| c.after.active_error() && !c.before.active_error()).count();
        }
        t
    }
}

/// The rule's entry, made from `s` if new; the changed side's title wins over the base's.
fn rule_of<'a>(rules: &'a mut BTreeMap<String, RuleDiff>, s: &Seen, changed_side: bool) -> &'a mut RuleDiff {
    let r = rules.entry(s.rule.clone()).or_insert_with(|| RuleDiff {
        rule: s.rule.clone(),
        title: s.title.clone(),
        ..RuleDiff::default()
    });
    if changed_side && r.title != s.title && r.appeared.is_empty() && r.changed.is_empty() {
        r.title = s.title.clone();
    }
    r
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The one-line headline: `2 findings appear (1 error), 1 disappears, 1 changes, 4 unchanged`.
fn headline(t: &Totals) -> String {
    if t.appeared + t.disappeared + t.changed == 0 {
        return format!("no finding appears, disappears or changes ({} unchanged)", t.unchanged);
    }
    let verb = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut out = format!(
        "{}, {}, {}, {} unchanged",
        verb(t.appeared, "finding appears", "findings appear"),
        verb(t.disappeared, "disappears", "disappear"),
        verb(t.changed, "changes", "change"),
        t.unchanged
    );
    if t.new_errors > 0 {
        let _ = write!(out, "; the change adds {}", plural(t.new_errors, "active error", "active errors"));
    }
    out
}

fn counts_line(c: &SideCounts) -> String {
    let mut out = format!(
        "{} ({} error, {} warning, {} info; {} active)",
        plural(c.findings, "finding", "findings"),
        c.by_severity.error,
        c.by_severity.warning,
        c.by_severity.info,
        c.active.error + c.active.warning + c.active.info
    );
    if c.cannot_determine > 0 {
        let _ = write!(out, ", {} cannot be determined", plural(c.cannot_determine, "rule outcome", "rule outcomes"));
    }
    out
}

/// Where a finding is and what it is about: `tickets.csv:3 record T-2`.
fn place(s: &Seen) -> String {
    let mut out = format!("{}:{}", s.file, s.line);
    if let Some(id) = &s.record {
        let _ = write!(out, " {} {id}", s.subject);
    }
    out
}

/// How a changed finding differs, in words: `severity warning -> error; standing waived -> active`.
fn what_changed(c: &Changed) -> String {
    let mut parts = Vec::new();
    for what in &c.changes {
        match *what {
            "severity" => parts.push(format!("severity {} -> {}", c.before.severity, c.after.severity)),
            "standing" => parts.push(format!("standing {} -> {}", c.before.standing, c.after.standing)),
            _ => parts.push("message changed".to_string()),
        }
    }
    parts.join("; ")
}

/// The diff for a person: per rule, `+` for a finding that appears, `-` for one that disappears,
/// `~` for one that changes (with its message before and after when that changed); then the
/// headline and each side's counts. Every text from records and policies is escaped.
pub fn human(diff: &Diff) -> String {
    let mut out = String::new();
    let line = |out: &mut String, text: String| {
        out.push_str(&guard(&crate::text::escape(&text), false));
        out.push('\n');
    };
    for r in &diff.rules {
        let n = r.appeared.len() + r.disappeared.len() + r.changed.len();
        line(&mut out, format!("rule `{}` ({}): {}", r.rule, r.title, plural(n, "difference", "differences")));
        for s in &r.appeared {
            line(&mut out, format!("  + {} {}: {}", s.severity, place(s), s.message));
        }
        for s in &r.disappeared {
            line(&mut out, format!("  - {} {}: {}", s.severity, place(s), s.message));
        }
        for c in &r.changed {
            line(&mut out, format!("  ~ {} {}: {}", c.after.severity, place(&c.after), what_changed(c)));
            if c.changes.contains(&"message") {
                line(&mut out, format!("      before: {}", c.before.message));
                line(&mut out, format!("      after:  {}", c.after.message));
            } else {
                line(&mut out, format!("      {}", c.after.message));
            }
        }
        out.push('\n');
    }
    let t = diff.totals();
    line(
        &mut out,
        format!(
            "compared {} in {} under the base policies ({}) and the changed policies ({}): {}",
            plural(diff.records, "record", "records"),
            plural(diff.files, "file", "files"),
            diff.base.policies.join(", "),
            diff.change.policies.join(", "),
            headline(&t)
        ),
    );
    line(&mut out, format!("base: {}", counts_line(&diff.base)));
    line(&mut out, format!("change: {}", counts_line(&diff.change)));
    out
}

#[derive(Serialize)]
struct DocumentOut<'a> {
    version: u32,
    base: &'a SideCounts,
    change: &'a SideCounts,
    records: usize,
    files: usize,
    summary: Totals,
    rules: &'a [RuleDiff],
    diagnostics: Vec<super::json::DiagOut<'a>>,
}

/// The diff as a JSON document (see `docs/diff.md`): both sides' counts, the totals, and per rule
/// the findings that appear, disappear and change; then the problems of either side.
pub fn json(diff: &Diff, diagnostics: &[Diag]) -> String {
    let doc = DocumentOut {
        version: VERSION,
        base: &diff.base,
        change: &diff.change,
        records: diff.records,
        files: diff.files,
        summary: diff.totals(),
        rules: &diff.rules,
        diagnostics: diagnostics.iter().map(super::json::diag_out).collect(),
    };
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".to_string());
    out.push('\n');
    out
}

/// The diff as a Markdown summary for a pull request: the headline, both sides' counts in a
/// table, then per rule the first [`MAX_MARKDOWN_ENTRIES`] differences in all (saying how many
/// more there are). Bounded like the `markdown` report.
pub fn markdown(diff: &Diff, diagnostics: &[Diag]) -> String {
    let t = diff.totals();
    let mut out = format!("## Precept diff: {}\n\n", headline(&t));
    let names = |p: &[String]| p.iter().map(|s| code(s)).collect::<Vec<_>>().join(", ");
    let _ = writeln!(
        out,
        "The same {} in {} checked with the base policies ({}) and the changed policies ({}).\n",
        plural(diff.records, "record", "records"),
        plural(diff.files, "file", "files"),
        names(&diff.base.policies),
        names(&diff.change.policies)
    );
    out.push_str("| Findings | Base | Change |\n| --- | ---: | ---: |\n");
    let rows: [(&str, usize, usize); 5] = [
        ("error", diff.base.by_severity.error, diff.change.by_severity.error),
        ("warning", diff.base.by_severity.warning, diff.change.by_severity.warning),
        ("info", diff.base.by_severity.info, diff.change.by_severity.info),
        (
            "active",
            diff.base.active.error + diff.base.active.warning + diff.base.active.info,
            diff.change.active.error + diff.change.active.warning + diff.change.active.info,
        ),
        ("cannot be determined", diff.base.cannot_determine, diff.change.cannot_determine),
    ];
    for (name, b, c) in rows {
        let _ = writeln!(out, "| {name} | {b} | {c} |");
    }
    out.push('\n');
    let mut shown = 0;
    let mut left = 0;
    for r in &diff.rules {
        let _ = writeln!(out, "### {}: {}\n", code(&r.rule), escape(&r.title, MAX_TEXT));
        let mut entry = |out: &mut String, text: String| {
            if shown < MAX_MARKDOWN_ENTRIES {
                shown += 1;
                out.push_str(&text);
                out.push('\n');
            } else {
                left += 1;
            }
        };
        let at = |s: &Seen| {
            let mut at = format!("at {}", code(&format!("{}:{}", crate::text::clip_to(&s.file, MAX_TEXT), s.line)));
            if let Some(id) = &s.record {
                let _ = write!(at, ", {} {}", s.subject, code(id));
            }
            at
        };
        for s in &r.appeared {
            entry(&mut out, format!("- **appears**: {} {}: {}", s.severity, at(s), escape(&s.message, MAX_TEXT)));
        }
        for s in &r.disappeared {
            entry(&mut out, format!("- **disappears**: {} {}: {}", s.severity, at(s), escape(&s.message, MAX_TEXT)));
        }
        for c in &r.changed {
            let message = if c.changes.contains(&"message") {
                format!("{} → {}", escape(&c.before.message, MAX_TEXT), escape(&c.after.message, MAX_TEXT))
            } else {
                escape(&c.after.message, MAX_TEXT)
            };
            let what = what_changed(c).replace(" -> ", " → ");
            entry(&mut out, format!("- **changes** ({what}): {} {}: {message}", c.after.severity, at(&c.after)));
        }
        out.push('\n');
    }
    if left > 0 {
        let _ = writeln!(
            out,
            "{} not shown: `precept diff --format json` lists them all.\n",
            plural(left, "more difference", "more differences")
        );
    }
    if !diagnostics.is_empty() {
        let _ = writeln!(
            out,
            "**{}** with the policies or records (shown on standard error).\n",
            plural(diagnostics.len(), "problem", "problems")
        );
    }
    let _ = writeln!(out, "<sub>Precept {}</sub>", env!("CARGO_PKG_VERSION"));
    super::markdown::bounded(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(fp: &str, rule: &str, severity: &'static str, standing: &'static str, message: &str) -> Seen {
        Seen {
            fingerprint: fp.into(),
            rule: rule.into(),
            title: format!("{rule} title"),
            severity,
            standing,
            file: "f.csv".into(),
            line: 2,
            column: 1,
            subject: "record",
            record: Some(fp.into()),
            message: message.into(),
        }
    }

    #[test]
    fn matched_by_fingerprint_and_grouped_by_rule() {
        let base = vec![
            seen("a", "r1", "error", "active", "m"),
            seen("b", "r1", "warning", "active", "m"),
            seen("c", "r2", "error", "waived", "m"),
            seen("d", "r2", "error", "active", "m"),
        ];
        let change = vec![
            seen("a", "r1", "error", "active", "m"),
            seen("b", "r1", "error", "active", "m"),
            seen("c", "r2", "error", "active", "m2"),
            seen("e", "r3", "info", "active", "m"),
        ];
        let d = Diff::compare(base, change);
        let ids: Vec<&str> = d.rules.iter().map(|r| r.rule.as_str()).collect();
        assert_eq!(ids, ["r1", "r2", "r3"]);
        assert_eq!(d.rules[0].changed[0].changes, ["severity"]);
        assert_eq!(d.rules[1].changed[0].changes, ["message", "standing"]);
        assert_eq!(d.rules[1].disappeared[0].fingerprint, "d");
        assert_eq!(d.rules[2].appeared[0].fingerprint, "e");
        let t = d.totals();
        assert_eq!((t.appeared, t.disappeared, t.changed, t.unchanged), (1, 1, 2, 1));
        // b became an error, c became active: both are new active errors; e is only info.
        assert_eq!(t.new_errors, 2);
    }

    #[test]
    fn repeated_fingerprints_match_in_order() {
        let base = vec![seen("a", "r", "error", "active", "1"), seen("a", "r", "error", "active", "2")];
        let change = vec![seen("a", "r", "error", "active", "1")];
        let d = Diff::compare(base, change);
        assert_eq!(d.totals().unchanged, 1);
        assert_eq!(d.rules[0].disappeared[0].message, "2");
    }

    #[test]
    fn hostile_text_is_escaped_in_every_form() {
        let evil = "x\n::error::pwned <script>|[a](javascript:b)";
        let d = Diff::compare(Vec::new(), vec![seen("a", "r", "error", "active", evil)]);
        let h = human(&d);
        assert!(!h.lines().any(|l| l.starts_with("::")), "{h}");
        let m = markdown(&d, &[]);
        let unescaped = |bad: &str| super::super::markdown::has_unescaped(&m, bad);
        assert!(!unescaped("<script") && !unescaped("](") && !m.contains("\n::"), "{m}");
        let j: serde_json::Value = serde_json::from_str(&json(&d, &[])).expect("JSON");
        assert_eq!(j["rules"][0]["appeared"][0]["message"], evil);
    }
}
