//! Findings for people: one miette report per finding, labelled in the record file at the offending
//! field, with a related label on the rule in the policy, then a one-line summary.

use std::fmt;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode};

use super::{plural, Summary};
use crate::ast::Severity;
use crate::diagnostics::render::{Source, Style};
use crate::engine::Program;
use crate::pipeline::Finding;
use crate::text::{clip, escape, guard};

struct FindingReport {
    code: String,
    severity: miette::Severity,
    message: String,
    label: String,
    help: Option<String>,
    source: Source,
    span: (usize, usize),
    related: Vec<RuleNote>,
    evidence: Vec<EvidenceNote>,
}

struct RuleNote {
    message: String,
    source: Source,
    span: (usize, usize),
}

/// The facts about staff and roles a finding was judged on: a note with no source of its own.
struct EvidenceNote {
    message: String,
}

macro_rules! debug_display {
    ($t:ty) => {
        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.message)
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.message)
            }
        }
        impl std::error::Error for $t {}
    };
}
debug_display!(FindingReport);
debug_display!(RuleNote);
debug_display!(EvidenceNote);

impl Diagnostic for EvidenceNote {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }
}

impl Diagnostic for FindingReport {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(LabeledSpan::new_primary_with_span(Some(self.label.clone()), self.span))))
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        let evidence = self.evidence.iter().map(|r| r as &dyn Diagnostic);
        Some(Box::new(self.related.iter().map(|r| r as &dyn Diagnostic).chain(evidence)))
    }
}

impl Diagnostic for RuleNote {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(LabeledSpan::new_primary_with_span(Some("the rule".to_string()), self.span))))
    }
}

/// Render one finding as a miette report, ready to write: every text from a record or a policy is
/// escaped before miette lays it out and colours it (see [`crate::text`]).
pub fn finding(program: &Program, f: &Finding, style: Style) -> String {
    let rule = program.rules.get(f.rule);
    let code = program.codes.get(rule.map_or(0, |r| r.code));
    let cite = rule.and_then(|r| r.cite.as_deref()).map(|c| format!(" {c}")).unwrap_or_default();
    let open = f.standing.is_undetermined();
    let verb = if open { "cannot determine" } else { "breaks" };
    let label = format!("{verb} `{}` ({}: {}{cite})", f.rule_id, f.level.as_str(), f.code_name);
    // A rule that cannot be determined is not a finding: shown as advice, whatever its severity.
    let severity = match f.severity {
        _ if open => miette::Severity::Advice,
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    };
    let record = match &f.record_id {
        Some(id) => format!("{} `{}`", f.subject, clip(id)),
        None => format!("{} {}", f.subject, f.record_index + 1),
    };
    let related = match (rule, code) {
        (Some(r), Some(_)) => vec![{
            let message = match r.in_force {
                Some(range) => {
                    format!(
                        "rule `{}`: {} (the version in force {})",
                        r.id,
                        r.title,
                        crate::engine::format::in_force(range)
                    )
                }
                None => format!("rule `{}`: {}", r.id, r.title),
            };
            let (source, spans) = Source::around(&r.file.name, &r.file.text, 1, &[r.id_span]);
            RuleNote { message: escape(&message).into_owned(), source, span: spans.first().copied().unwrap_or((0, 0)) }
        }],
        _ => Vec::new(),
    };
    let record = match f.standing {
        crate::pipeline::Standing::Waived(_) => format!("{record} (waived)"),
        _ => record,
    };
    // With fields redacted, a record's text shows only the offending value (its redacted values
    // masked too): the rest of the record may hold what was redacted, in forms a mask would miss.
    // Only the lines of the offending value are kept, so blanking the rest moves nothing shown.
    let record_text = f.group.is_none() && f.subject == "record";
    let (text, first_line, span) = if program.redacting && record_text {
        let all = &f.file.text;
        let span = f.span.clamp(all.len());
        let start = all.get(..span.start).and_then(|t| t.rfind('\n')).map_or(0, |i| i + 1);
        let end = all.get(span.end..).and_then(|t| t.find('\n')).map_or(all.len(), |i| span.end + i);
        let lines = all.get(start..end).unwrap_or("");
        let skipped = all.get(..start).map_or(0, |t| t.matches('\n').count());
        let local = crate::source::Span::new(span.start - start, span.end - start);
        let shown = crate::engine::redact::only_span(lines, local, &f.masks);
        (std::sync::Arc::from(shown), f.first_line + skipped, local)
    } else {
        (f.file.text.clone(), f.first_line, f.span)
    };
    let message = escape(&format!("{record}: {}", f.message)).into_owned();
    let (source, spans) = Source::around(&f.file.name, &text, first_line, &[span]);
    let report = FindingReport {
        code: escape(&format!("precept::rule::{}", f.rule_id)).into_owned(),
        severity,
        message,
        label: escape(&label).into_owned(),
        help: rule.and_then(|r| r.help.as_deref()).map(|h| escape(h).into_owned()),
        source,
        span: spans.first().copied().unwrap_or((0, 0)),
        related,
        evidence: f
            .evidence
            .iter()
            .map(|e| EvidenceNote { message: format!("evidence: {}", e.summary) })
            .chain(match &f.standing {
                crate::pipeline::Standing::Waived(w) => Some(EvidenceNote {
                    message: format!("waived until {} by {}: {} ({})", w.expires, w.approver, w.justification, w.place),
                }),
                crate::pipeline::Standing::Undetermined(n) => Some(EvidenceNote {
                    message: format!(
                        "not a finding: the rule depends on a value that could not be read ({} at {}:{}:{})",
                        n.code, f.file.name, f.line, f.column
                    ),
                }),
                _ => None,
            })
            .chain(rule.and_then(|r| r.overrides.as_ref()).and_then(|o| {
                let parent = program.codes.get(o.code)?;
                let why = o.relaxes.as_deref()?;
                Some(EvidenceNote { message: format!("relaxes `{}`'s rule: {why}", parent.name) })
            }))
            .chain(f.group.iter().flat_map(|g| g.samples.iter()).map(|s| EvidenceNote {
                message: match &s.record {
                    Some(id) => format!("e.g. record `{id}` at {}:{}", s.file, s.line),
                    None => format!("e.g. the record at {}:{}", s.file, s.line),
                },
            }))
            .map(|note| EvidenceNote { message: escape(&note.message).into_owned() })
            .collect(),
    };
    let theme = if style.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    // For JSON Lines and CSV the excerpt is the record's own line, so no other record shows as context.
    let handler = GraphicalReportHandler::new_themed(theme).with_width(style.width).with_links(false);
    let mut out = String::new();
    if handler.render_report(&mut out, &report).is_err() {
        out = format!("{}: {}\n", report.code, report.message);
    }
    guard(&out, style.color).into_owned()
}

/// One line per override that relaxes an inherited rule, with its stated reason: shown in every
/// report, findings or not, so a relaxed code never passes unnoticed.
pub fn relaxations(program: &Program) -> String {
    let mut out = String::new();
    for (rule, parent, why) in program.relaxations() {
        let code = program.codes.get(rule.code).map_or("", |c| c.name.as_str());
        let (line, _) = rule.file.line_col(rule.id_span.start);
        let note = format!(
            "note: `{code}` relaxes rule `{}` of `{}` ({}:{line}): {why}",
            rule.id, parent.name, rule.file.name
        );
        out.push_str(&guard(&escape(&note), false));
        out.push('\n');
    }
    out
}

/// The one-line summary (rule ids escaped, like all text from inputs).
pub fn summary_line(s: &Summary) -> String {
    guard(&escape(&summary_text(s)), false).into_owned()
}

fn summary_text(s: &Summary) -> String {
    let head = format!(
        "checked {} in {} against {} from {}",
        plural(s.records, "record", "records"),
        plural(s.files, "file", "files"),
        plural(s.rules, "rule", "rules"),
        plural(s.codes, "code", "codes"),
    );
    let pending: usize = s.pending.iter().map(|(_, n)| n).sum();
    let pending = if pending == 0 {
        String::new()
    } else {
        let rules: Vec<String> = s.pending.iter().map(|(r, n)| format!("{r} {n}")).collect();
        format!("; {} open, not yet due ({})", plural(pending, "obligation", "obligations"), rules.join(", "))
    };
    let mut set_aside = Vec::new();
    if s.tally.waived > 0 {
        set_aside.push(format!("{} waived", s.tally.waived));
    }
    if s.tally.baselined > 0 {
        set_aside.push(format!("{} known from the baseline", s.tally.baselined));
    }
    let pending = if set_aside.is_empty() {
        pending
    } else {
        format!("{pending}; {} (counted above, failing nothing)", set_aside.join(", "))
    };
    let left: usize = s.left_out.iter().map(|(_, n)| n).sum();
    let pending = if left == 0 {
        pending
    } else {
        let rules: Vec<String> = s.left_out.iter().map(|(r, n)| format!("{r} {n}")).collect();
        format!(
            "{pending}; {} left out of group rules, a value they needed could not be read ({})",
            plural(left, "record", "records"),
            rules.join(", ")
        )
    };
    // Rules that cannot be determined are counted apart from findings, with the clean records.
    let open = s.tally.undetermined;
    let pending = if open == 0 {
        pending
    } else {
        format!(
            "; {} cannot be determined; records: {} with findings, {} with no finding but an outcome that cannot be determined, {} clean{pending}",
            plural(open, "rule outcome", "rule outcomes"),
            s.tally.records_with_findings,
            s.tally.records_undetermined,
            s.clean_records(),
        )
    };
    let n = s.findings();
    if n == 0 {
        return format!("{head}: no findings{pending}");
    }
    let [e, w, i] = s.tally.by_severity;
    let levels: Vec<String> = s.tally.by_level.iter().map(|(l, n)| format!("{} {n}", l.as_str())).collect();
    format!(
        "{head}: {} ({e} error, {w} warning, {i} info); by level: {}{pending}",
        plural(n, "finding", "findings"),
        levels.join(", ")
    )
}
