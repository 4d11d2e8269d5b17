//! The document: the run, the charts, the clause traceability matrix, the findings table, the
//! waivers given, the relaxations the policies state, and the run's problems, in one file
//! with its style and script inline and a Content-Security-Policy that allows nothing else (no
//! request of any kind, and no script or style but the page's own, by hash).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::chart::{self, Order};
use super::escape::{self, count};
use super::tally::{RuleOutcomes, Tally};
use crate::diagnostics::Diag;
use crate::report::End;

const STYLE: &str = include_str!("style.css");
const SCRIPT: &str = include_str!("script.js");

/// Problems of the run listed; the rest are counted.
const MAX_PROBLEMS: usize = 200;
/// Test names listed per clause.
const MAX_TESTS: usize = 5;
/// Waivers listed; the rest are counted.
const MAX_WAIVERS: usize = 500;

/// What the document is made from.
pub struct Page<'a> {
    /// The end of the run.
    pub end: &'a End<'a>,
    /// Every finding, counted.
    pub tally: &'a Tally,
    /// The rows of the first [`super::MAX_ROWS`] findings.
    pub rows: &'a [String],
    /// The run stopped before checking anything.
    pub failed: bool,
}

impl Page<'_> {
    /// The whole document.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(64 * 1024 + self.rows.iter().map(String::len).sum::<usize>());
        out.push_str(&head());
        out.push_str("<body>\n<header>\n<h1>Precept report</h1>\n");
        out.push_str(&self.verdict());
        out.push_str("</header>\n<main>\n");
        out.push_str(&self.run());
        if !self.failed {
            out.push_str(&self.charts());
            out.push_str(&self.matrix());
            out.push_str(&self.table());
            out.push_str(&self.waivers());
            out.push_str(&self.relaxations());
        }
        out.push_str(&problems(self.end.diagnostics));
        let _ = write!(out, "</main>\n<script>{SCRIPT}</script>\n</body>\n</html>\n");
        out
    }

    /// Whether the run fails, and why, in one line.
    fn verdict(&self) -> String {
        let end = self.end;
        let errors = end.diagnostics.iter().filter(|d| d.is_error()).count();
        let tally = &end.summary.tally;
        let (class, text) = if self.failed {
            ("fail", "The records were not checked: see the problems below.".to_string())
        } else if errors > 0 {
            ("fail", format!("The run failed: {} problems with the policies or records.", count(errors)))
        } else if tally.fails_at(end.fail_on) {
            let active: usize = tally.active.iter().sum();
            ("fail", format!("Fails: {} active findings, failing at {}.", count(active), end.fail_on.as_str()))
        } else {
            ("pass", format!("Passes: no active finding at {} or above.", end.fail_on.as_str()))
        };
        format!("<p class=\"verdict {class}\">{text}</p>\n")
    }

    /// The run: what was read and checked, when, against which versions.
    fn run(&self) -> String {
        let s = self.end.summary;
        let mut out = String::from("<section id=\"run\">\n<h2>The run</h2>\n<dl class=\"run\">\n");
        let mut item = |name: &str, value: String| {
            let _ = writeln!(out, "<dt>{name}</dt><dd>{value}</dd>");
        };
        item("Checked at", escape::text(self.end.timestamp) + " UTC");
        item(
            "Evaluation time",
            s.evaluation.as_ref().map_or_else(
                || "none given: open obligations judged at the end of the data".to_string(),
                |e| escape::text(&e.to_string()),
            ),
        );
        item("Record files", count(s.files));
        item("Records", count(s.records));
        item("Records with no finding", count(s.clean_records()));
        item("Rules", count(s.rules));
        item("Codes of practice", count(s.codes));
        let listed = s.catalogue.listed_clauses();
        if listed > 0 {
            let gaps = s.catalogue.uncited_clauses().len();
            item("Clauses listed", format!("{} ({} with no rule)", count(listed), count(gaps)));
        }
        item("Findings", count(s.findings()));
        item("Cannot determine", count(s.tally.undetermined));
        item("Fails at", self.end.fail_on.as_str().to_string());
        item("Precept", escape::text(env!("CARGO_PKG_VERSION")));
        out.push_str("</dl>\n");
        let codes = &s.catalogue.codes;
        if !codes.is_empty() {
            out.push_str("<table id=\"codes\">\n<caption>The codes of practice</caption>\n<thead><tr><th scope=\"col\">Code</th><th scope=\"col\">Level</th><th scope=\"col\">Version</th></tr></thead>\n<tbody>\n");
            for c in codes.iter() {
                let _ = writeln!(
                    out,
                    "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                    escape::text(&c.name),
                    c.level.as_str(),
                    c.version.as_deref().map_or_else(|| "none stated".to_string(), escape::text)
                );
            }
            out.push_str("</tbody>\n</table>\n");
        }
        out.push_str("</section>\n");
        out
    }

    /// The charts, every finding counted (cannot-determine outcomes are not findings).
    fn charts(&self) -> String {
        let t = self.tally;
        let mut out = String::from(
            "<section id=\"charts\">\n<h2>Findings</h2>\n<p class=\"note\">Every finding of the run is counted: active ones dark, waived or baselined ones pale.</p>\n<div class=\"charts\">\n",
        );
        let none = "No findings.";
        out.push_str(&chart::figure(
            "by-severity",
            "By severity",
            &t.severity,
            Order::Given(&["error", "warning", "info"]),
            none,
        ));
        out.push_str(&chart::figure(
            "by-level",
            "By code level",
            &t.level,
            Order::Given(&["industry", "professional", "ethical", "organisational"]),
            none,
        ));
        out.push_str(&chart::figure("by-code", "By code of practice", &t.code, Order::Count, none));
        out.push_str(&chart::figure("by-rule", "By rule", &t.rule, Order::Count, none));
        out.push_str(&chart::figure(
            "by-team",
            "By team",
            &t.team,
            Order::Count,
            "No finding names a team: a schema names its team field with <code>team by</code>.",
        ));
        out.push_str(&chart::figure(
            "by-staff",
            "By member of staff",
            &t.staff,
            Order::Count,
            "No finding names a member of staff: a schema names its staff field with <code>staff by</code>.",
        ));
        out.push_str(&chart::figure(
            "by-month",
            "By month of the record",
            &t.month,
            Order::Value,
            "No finding is dated: a schema names its date field with <code>dated by</code> (groups and cases have no one date).",
        ));
        out.push_str("</div>\n</section>\n");
        out
    }

    /// For every clause the rules cite or the codes list: its rules, their outcomes and the tests
    /// that cover them; a listed clause no rule cites is a gap row.
    fn matrix(&self) -> String {
        let s = self.end.summary;
        let catalogue = &s.catalogue;
        // Clauses by code (in the policies' order) and clause, each with its rules once. A rule
        // citing a clause that a code it extends lists is traced to that code's clause.
        let mut clauses: BTreeMap<(usize, Option<&str>), Vec<crate::findings::Traced>> = BTreeMap::new();
        for t in catalogue.traced() {
            let rules = clauses.entry((t.code, t.clause)).or_default();
            if !rules.iter().any(|k| k.rule.id == t.rule.id && k.rule.code_index == t.rule.code_index) {
                rules.push(t);
            }
        }
        let listed = catalogue.listed_clauses();
        let gaps = catalogue.uncited_clauses().len();
        // The rows in order: per code, its rules with no clause (when it lists none), the clauses
        // it lists in its own order (gaps included), then the clauses cited but not listed.
        let mut rows: Vec<(usize, u8, usize, Option<&str>)> = Vec::new();
        for &(code, clause) in clauses.keys() {
            let own = catalogue.codes.get(code).map(|c| c.clauses.as_slice()).unwrap_or_default();
            let row = match clause {
                None if own.is_empty() => (code, 0, 0, None),
                None => (code, 3, 0, None),
                Some(c) => match own.iter().position(|k| k.id == c) {
                    Some(at) => (code, 1, at, Some(c)),
                    None => (code, 2, 0, Some(c)),
                },
            };
            rows.push(row);
        }
        for (code, c) in catalogue.uncited_clauses() {
            let at = catalogue.codes.get(code).and_then(|k| k.clauses.iter().position(|x| x.id == c.id)).unwrap_or(0);
            rows.push((code, 1, at, Some(c.id.as_str())));
        }
        rows.sort_unstable();
        let pending: BTreeMap<&str, usize> = s.pending.iter().map(|(id, n)| (id.as_str(), *n)).collect();
        let mut out = String::from(
            "<section id=\"clauses\">\n<h2>Clause traceability</h2>\n<p class=\"note\">Each clause a rule cites (<code>cite</code>) and each clause a code lists (<code>clause</code>), the rules that implement it, what they found (obligations pending are counted under a rule's first clause), and the policy tests (<code>*.test.toml</code>) that expect their findings.</p>\n",
        );
        if listed > 0 {
            let _ = writeln!(
                out,
                "<p id=\"clause-gaps\" class=\"{}\">{} of {} clause{} the codes list {} no rule.</p>",
                if gaps > 0 { "gaps" } else { "no-gaps" },
                count(gaps),
                count(listed),
                if listed == 1 { "" } else { "s" },
                if gaps == 1 { "has" } else { "have" },
            );
        }
        if rows.is_empty() {
            out.push_str("<p class=\"empty\">No rules ran.</p>\n</section>\n");
            return out;
        }
        let mut counted_pending = std::collections::HashSet::new();
        out.push_str("<table id=\"matrix\">\n<thead><tr><th scope=\"col\">Code</th><th scope=\"col\">Clause</th><th scope=\"col\">Rules</th><th scope=\"col\">Findings</th><th scope=\"col\">Waived</th><th scope=\"col\">Baselined</th><th scope=\"col\">Pending</th><th scope=\"col\">Cannot determine</th><th scope=\"col\">Tests</th></tr></thead>\n<tbody>\n");
        for (code, group, _, clause) in rows {
            let entry = catalogue.codes.get(code);
            let code_name = entry.map(|c| escape::text(&c.name)).unwrap_or_default();
            let title = clause
                .and_then(|c| entry.and_then(|e| e.clauses.iter().find(|k| k.id == c)))
                .and_then(|k| k.title.as_deref());
            let clause_cell = match (clause, title) {
                (None, _) => "<em>no clause cited</em>".to_string(),
                (Some(c), Some(t)) => {
                    format!("{} <span class=\"clause-title\">{}</span>", escape::text(c), escape::text(t))
                }
                (Some(c), None) if group == 2 => {
                    format!("{} <em class=\"unlisted\">(not listed by the code)</em>", escape::text(c))
                }
                (Some(c), None) => escape::text(c),
            };
            let Some(rules) = clauses.get(&(code, clause)) else {
                // A clause the code lists and no running rule cites: the gap the matrix is for.
                let _ = writeln!(
                    out,
                    "<tr class=\"gap\"><td>{code_name}</td><td>{clause_cell}</td><td class=\"gap\" colspan=\"7\">no rule cites this clause</td></tr>"
                );
                continue;
            };
            let mut sum = RuleOutcomes::default();
            let mut waiting = 0;
            let mut tests: Vec<&str> = Vec::new();
            let mut names = Vec::new();
            for t in rules {
                let r = t.rule;
                if let Some(o) = self.tally.rules.get(&(Some(r.code_index), r.id.clone(), r.cite.clone())) {
                    sum.active += o.active;
                    sum.waived += o.waived;
                    sum.baselined += o.baselined;
                    sum.undetermined += o.undetermined;
                }
                // Pending obligations are counted by rule, not by version: under the rule's
                // first clause.
                if counted_pending.insert(r.id.as_str()) {
                    waiting += pending.get(r.id.as_str()).copied().unwrap_or(0);
                }
                if let Some(by_rule) = &catalogue.tests {
                    for t in by_rule.get(&r.id).into_iter().flatten() {
                        if !tests.contains(&t.as_str()) {
                            tests.push(t);
                        }
                    }
                }
                let skipped = if catalogue.skipped.contains(&r.id) { " (not run: no role files)" } else { "" };
                // A rule of an extending code, tracing to this code's clause, says whose it is.
                let whose = match (r.code_index == code, t.in_place) {
                    (true, _) => String::new(),
                    (false, false) => format!(" (of {})", escape::text(&r.code)),
                    (false, true) => format!(" (of {}, in place of this code's rule)", escape::text(&r.code)),
                };
                names.push(format!(
                    "<span title=\"{}\">{}</span>{whose}{skipped}",
                    escape::text(&r.title),
                    escape::text(&r.id)
                ));
            }
            let tests_cell = match &catalogue.tests {
                None => "<td>not read</td>".to_string(),
                Some(_) if tests.is_empty() => "<td class=\"gap\">none</td>".to_string(),
                Some(_) => {
                    let listed: Vec<String> = tests.iter().take(MAX_TESTS).map(|t| escape::text(t)).collect();
                    let more = tests.len().saturating_sub(MAX_TESTS);
                    let more = if more > 0 { format!("; and {more} more") } else { String::new() };
                    format!("<td>{}{more}</td>", listed.join("; "))
                }
            };
            let _ = writeln!(
                out,
                "<tr><td>{code_name}</td><td>{clause_cell}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>{tests_cell}</tr>",
                names.join(", "),
                count(sum.active),
                count(sum.waived),
                count(sum.baselined),
                count(waiting),
                count(sum.undetermined),
            );
        }
        out.push_str("</tbody>\n</table>\n</section>\n");
        out
    }

    /// The findings table, its filters (shown by the script) and the note on findings not listed.
    fn table(&self) -> String {
        let t = self.tally;
        let listed = self.rows.len();
        let mut out = String::from("<section id=\"table\">\n<h2>The findings</h2>\n");
        if t.seen == 0 {
            out.push_str("<p class=\"empty\">No findings and no cannot-determine outcomes.</p>\n</section>\n");
            return out;
        }
        if t.seen > listed {
            let _ = writeln!(
                out,
                "<p class=\"note\" id=\"not-listed\">The first {} of {} findings and cannot-determine outcomes are listed; {} are not listed (the charts and counts above include them all; the JSON report lists every one).</p>",
                count(listed),
                count(t.seen),
                count(t.seen - listed)
            );
        }
        out.push_str("<form id=\"filters\" hidden>\n");
        let filters = [
            ("level", "Code level", &t.level),
            ("code", "Code", &t.code),
            ("rule", "Rule", &t.rule),
            ("team", "Team", &t.team),
            ("severity", "Severity", &t.severity),
            ("standing", "Standing", &t.standing),
        ];
        for (name, label, counts) in filters {
            let _ = write!(out, "<label>{label} <select name=\"{name}\"><option value=\"\">all</option>");
            for v in counts.values() {
                let v = escape::text(v);
                let _ = write!(out, "<option value=\"{v}\">{v}</option>");
            }
            out.push_str("</select></label>\n");
        }
        out.push_str(
            "<button type=\"reset\">Show all</button>\n<output id=\"shown\" for=\"findings\"></output>\n</form>\n",
        );
        out.push_str("<table id=\"findings\">\n<thead><tr>");
        for h in ["Severity", "Standing", "Code", "Rule", "Team", "Staff", "Where", "About", "Message"] {
            let _ = write!(out, "<th scope=\"col\"><button type=\"button\">{h}</button></th>");
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        for row in self.rows {
            out.push_str(row);
        }
        out.push_str("</tbody>\n</table>\n</section>\n");
        out
    }

    /// Every waiver loaded for the run, at most [`MAX_WAIVERS`]: what it covers, who approved it,
    /// until when, and how many findings it covered here (none: unused; expired: waives nothing).
    fn waivers(&self) -> String {
        let all = &self.end.summary.waivers;
        let mut out = String::from("<section id=\"waivers\">\n<h2>Waivers in force</h2>\n");
        if all.is_empty() {
            out.push_str("<p class=\"empty\">No waivers were given.</p>\n</section>\n");
            return out;
        }
        let expired = all.iter().filter(|w| w.expired).count();
        let unused = all.iter().filter(|w| !w.expired && w.findings == 0).count();
        let given =
            if all.len() == 1 { "1 waiver given".to_string() } else { format!("{} waivers given", count(all.len())) };
        let _ = writeln!(
            out,
            "<p class=\"note\">{given}: {} in force, {} of them unused (covering no finding in this run); {} expired (an expired waiver waives nothing and is itself a finding).</p>",
            count(all.len() - expired),
            count(unused),
            count(expired)
        );
        out.push_str("<table id=\"waiver-list\">\n<thead><tr><th scope=\"col\">Rule</th><th scope=\"col\">Covers</th><th scope=\"col\">Approver</th><th scope=\"col\">Expires</th><th scope=\"col\">Justification</th><th scope=\"col\">Where</th><th scope=\"col\">Findings covered</th></tr></thead>\n<tbody>\n");
        for w in all.iter().take(MAX_WAIVERS) {
            let (class, expires) = if w.expired {
                (" class=\"expired\"", format!("{} <strong>expired</strong>", escape::text(&w.expires)))
            } else {
                ("", escape::text(&w.expires))
            };
            let covered = match (w.findings, w.expired) {
                (n, true) => format!("{} (would cover; waives nothing)", count(n)),
                (0, false) => "0 <strong>unused</strong>".to_string(),
                (n, false) => count(n),
            };
            let _ = writeln!(
                out,
                "<tr{class}><td>{}</td><td>{}</td><td>{}</td><td>{expires}</td><td>{}</td><td>{}</td><td class=\"num\">{covered}</td></tr>",
                escape::text(&w.rule),
                escape::text(&w.scope()),
                escape::text(&w.approver),
                escape::text(&w.justification),
                escape::text(&w.place),
            );
        }
        out.push_str("</tbody>\n</table>\n");
        if all.len() > MAX_WAIVERS {
            let _ = writeln!(
                out,
                "<p class=\"note\" id=\"waivers-not-listed\">The first {} of {} waivers are listed; {} are not listed (the counts above include them all).</p>",
                count(MAX_WAIVERS),
                count(all.len()),
                count(all.len() - MAX_WAIVERS)
            );
        }
        out.push_str("</section>\n");
        out
    }

    /// The overrides that relax an inherited rule, with the reason each gives.
    fn relaxations(&self) -> String {
        let mut out = String::from("<section id=\"relaxations\">\n<h2>Relaxations</h2>\n");
        let all: Vec<_> = self.end.summary.catalogue.relaxations().collect();
        if all.is_empty() {
            out.push_str("<p class=\"empty\">No policy relaxes a rule it inherits.</p>\n</section>\n");
            return out;
        }
        out.push_str("<table>\n<thead><tr><th scope=\"col\">Rule</th><th scope=\"col\">Code</th><th scope=\"col\">Relaxes the rule of</th><th scope=\"col\">Because</th><th scope=\"col\">Where</th></tr></thead>\n<tbody>\n");
        for (rule, parent, reason) in all {
            let _ = writeln!(
                out,
                "<tr><td><span title=\"{}\">{}</span></td><td>{}</td><td>{}</td><td>{}</td><td>{}:{}</td></tr>",
                escape::text(&rule.title),
                escape::text(&rule.id),
                escape::text(&rule.code),
                escape::text(parent),
                escape::text(reason),
                escape::text(&rule.file.name),
                rule.line
            );
        }
        out.push_str("</tbody>\n</table>\n</section>\n");
        out
    }
}

/// The document's head: its metadata, the policy that allows no request, and its style.
///
/// The policy names the page's style and script by hash (CSP level 2), so a `<script>` or
/// `<style>` that ever got past the escaping would not run.
fn head() -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src '{}'; script-src '{}'; base-uri 'none'; form-action 'none'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"Precept {}\">\n<title>Precept report</title>\n<style>{STYLE}</style>\n</head>\n",
        super::csp::hash(STYLE),
        super::csp::hash(SCRIPT),
        env!("CARGO_PKG_VERSION")
    )
}

/// The run's problems, at most [`MAX_PROBLEMS`].
fn problems(diagnostics: &[Diag]) -> String {
    let mut out = String::from("<section id=\"problems\">\n<h2>Problems</h2>\n");
    if diagnostics.is_empty() {
        out.push_str("<p class=\"empty\">None with the policies or the records.</p>\n</section>\n");
        return out;
    }
    out.push_str("<table>\n<thead><tr><th scope=\"col\">Severity</th><th scope=\"col\">Code</th><th scope=\"col\">Where</th><th scope=\"col\">Problem</th></tr></thead>\n<tbody>\n");
    for d in diagnostics.iter().take(MAX_PROBLEMS) {
        let place = d.location().map(|(file, line, _)| format!("{}:{line}", escape::text(file))).unwrap_or_default();
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{place}</td><td>{}</td></tr>",
            if d.is_error() { "error" } else { "warning" },
            escape::text(&d.code),
            escape::text(&d.message)
        );
    }
    out.push_str("</tbody>\n</table>\n");
    if diagnostics.len() > MAX_PROBLEMS {
        let _ = writeln!(
            out,
            "<p class=\"note\">{} more problems are not listed.</p>",
            count(diagnostics.len() - MAX_PROBLEMS)
        );
    }
    out.push_str("</section>\n");
    out
}
