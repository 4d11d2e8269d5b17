//! Findings for people: one miette report per finding, labelled in the record file at the offending
//! field, with a related note on the rule in the policy, then a one-line summary.
//!
//! Drawing a finding is the costly part of a check with many findings, so it is made ready to run
//! on any thread ([`super::Prepare`]), and the note on a rule, the same for each of its findings, is
//! drawn once per rule.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, RwLock};

use miette::{Diagnostic, GraphicalReportHandler, LabeledSpan, SourceCode};

use super::{plural, Summary};
use crate::ast::Severity;
use crate::diagnostics::render::{Source, Style};
use crate::findings::{Finding, RuleInfo};
use crate::text::{clip, escape, guard};

mod fast;

/// A finding's own report: its message, the excerpt of its record, and its help. The notes that
/// follow it (the rule, the evidence) are drawn apart, as miette draws related diagnostics.
struct FindingReport {
    code: Arc<str>,
    severity: miette::Severity,
    message: String,
    label: Arc<str>,
    help: Option<Arc<str>>,
    /// `help` as the fast drawing writes it, wrapped: the rule's own help, drawn once per rule.
    help_drawn: Option<Arc<str>>,
    source: Source,
    span: (usize, usize),
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
        Some(Box::new(std::iter::once(LabeledSpan::new_primary_with_span(Some(self.label.to_string()), self.span))))
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
pub fn finding(f: &Finding, style: Style) -> String {
    Layout::new(style).render(f)
}

/// Rules whose texts a [`Layout`] keeps drawn; past this many (never, for policies people write)
/// they are drawn each time, so memory stays bounded whatever the input.
const NOTES_KEPT: usize = 100_000;

/// Lays out findings as miette reports, on any thread: the handler is set up once, not per
/// finding, and each rule's note is drawn once. The common finding is drawn without miette, in
/// the same bytes (see [`fast`]).
struct Layout {
    style: Style,
    handler: GraphicalReportHandler,
    draw: fast::Draw,
    /// Each rule's texts as drawn, by the address of the rule's information (held, so the address
    /// is not reused while kept). As many as the rules that have findings, whatever the findings.
    notes: RwLock<HashMap<usize, Arc<RuleText>>>,
}

/// What each finding of a rule shows of the rule, the same in all of them: made once per rule,
/// not escaped, formatted and wrapped again for each finding.
struct RuleText {
    /// Held, so its address (the key) is not reused while this is kept.
    _rule: Arc<RuleInfo>,
    /// The note on the rule, drawn and guarded.
    note: Arc<str>,
    /// The finding's code, `precept::rule::<id>`, escaped.
    code: Arc<str>,
    /// The label at the offending field: for a finding, then for an outcome that cannot be
    /// determined; escaped.
    labels: [Arc<str>; 2],
    /// The rule's help, escaped, and as the fast drawing writes it.
    help: Option<(Arc<str>, Arc<str>)>,
}

impl Layout {
    fn new(style: Style) -> Layout {
        // For JSON Lines and CSV the excerpt is the record's own line, so no other record shows as
        // context.
        let handler = crate::diagnostics::render::handler(style);
        Layout { style, handler, draw: fast::Draw::new(style), notes: RwLock::new(HashMap::new()) }
    }

    /// One finding's report: its own, then the note on its rule and the evidence, as miette draws
    /// related notes after a report, guarded. The report and the evidence are drawn by
    /// [`fast::Draw`] when the finding has the common shape, else by miette. Each part is whole
    /// lines, and [`guard`] treats each line alone, so the parts are guarded apart and the rule's
    /// note, the same for all its findings, is kept guarded.
    fn render(&self, f: &Finding) -> String {
        let rule = f.rule.as_ref().map(|r| self.rule_text(r));
        let report = report_of(f, rule.as_deref());
        let mut out = String::with_capacity(2048);
        if !self.draw.report(&mut out, &report) && self.handler.render_report(&mut out, &report).is_err() {
            return self.guarded(format!("{}: {}\n", report.code, report.message));
        }
        let mut out = self.guarded(out);
        if let Some(rule) = &rule {
            out.push_str(&rule.note);
        }
        let evidence = evidence_of(f);
        if !evidence.is_empty() {
            let mut notes = String::new();
            for note in evidence {
                self.draw.advice(&mut notes, &note.message);
            }
            out.push_str(&guard(&notes, self.style.color));
        }
        out
    }

    /// `out` guarded: already safe (nearly always), the text itself, not a copy.
    fn guarded(&self, out: String) -> String {
        match guard(&out, self.style.color) {
            std::borrow::Cow::Borrowed(_) => out,
            std::borrow::Cow::Owned(guarded) => guarded,
        }
    }

    /// A note as miette draws a related diagnostic of a report: a blank line, its severity, and
    /// the note drawn as a report of its own (a note has no code, so no header line).
    fn related(&self, out: &mut String, note: &dyn Diagnostic) {
        out.push_str("\nAdvice: \n");
        let mark = out.len();
        if self.handler.render_report(out, note).is_err() {
            out.truncate(mark);
            out.push_str(&note.to_string());
            out.push('\n');
        }
    }

    /// What the findings of `rule` show of it, made on its first finding.
    fn rule_text(&self, rule: &Arc<RuleInfo>) -> Arc<RuleText> {
        let key = Arc::as_ptr(rule) as usize;
        if let Some(text) = self.notes.read().ok().as_ref().and_then(|n| n.get(&key)) {
            return text.clone();
        }
        let mut note = String::new();
        self.related(&mut note, &rule_note_of(rule));
        let help = rule.help.as_deref().map(|h| {
            let help: Arc<str> = escape(h).into();
            let mut drawn = String::new();
            self.draw.help(&mut drawn, &help);
            (help, drawn.into())
        });
        let text = Arc::new(RuleText {
            _rule: rule.clone(),
            note: self.guarded(note).into(),
            code: code_of(&rule.id),
            labels: [label_of(rule, false), label_of(rule, true)],
            help,
        });
        if let Ok(mut notes) = self.notes.write() {
            if notes.len() < NOTES_KEPT {
                notes.insert(key, text.clone());
            }
        }
        text
    }
}

/// The layout a human report uses itself and shares with its preparer, so the two keep one set
/// of rule notes.
impl super::Prepare for Arc<Layout> {
    fn prepare(&self, f: &Finding) -> String {
        Layout::prepare(self, f)
    }
}

impl super::Prepare for Layout {
    /// The finding's report and a blank line; nothing for a known finding.
    fn prepare(&self, f: &Finding) -> String {
        if f.standing == crate::findings::Standing::Baselined {
            return String::new();
        }
        let mut out = self.render(f);
        out.push('\n');
        out
    }
}

/// The miette report of one finding, its texts escaped.
fn report_of(f: &Finding, rule: Option<&RuleText>) -> FindingReport {
    let open = f.standing.is_undetermined();
    // A rule that cannot be determined is not a finding: shown as advice, whatever its severity.
    let severity = match f.severity() {
        _ if open => miette::Severity::Advice,
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    };
    let record = match &f.record_id {
        Some(id) => format!("{} `{}`", f.subject, clip(id)),
        None => format!("{} {}", f.subject, f.record_index + 1),
    };
    let record = match f.standing {
        crate::findings::Standing::Waived(_) => format!("{record} (waived)"),
        _ => record,
    };
    // A redacted record's text already holds only the offending value (see the pipeline).
    let (text, first_line, span) = (&f.file.text, f.file.first_line, f.span);
    let message = escape(&format!("{record}: {}", f.message)).into_owned();
    let (source, spans) = Source::around(&f.file.name, text, first_line, &[span]);
    // The rule's own texts, made once per rule; an expired waiver (no rule) makes its own.
    let (code, label) = match rule {
        Some(r) => (r.code.clone(), r.labels[usize::from(open)].clone()),
        None => (code_of(f.rule_id()), escape(&label_text(f.rule_id(), f.level(), f.code_name(), None, open)).into()),
    };
    // A finding's own help (its holes filled in), else its rule's (an expired waiver has none).
    let (help, help_drawn) = match (&f.help, rule.and_then(|r| r.help.as_ref())) {
        (Some(own), _) => (Some(escape(own).into()), None),
        (None, Some((help, drawn))) => (Some(help.clone()), Some(drawn.clone())),
        (None, None) => (None, None),
    };
    FindingReport {
        code,
        severity,
        message,
        label,
        help,
        help_drawn,
        source,
        span: spans.first().copied().unwrap_or((0, 0)),
    }
}

/// A finding's code: `precept::rule::<id>`, escaped.
fn code_of(id: &str) -> Arc<str> {
    escape(&format!("precept::rule::{id}")).into()
}

/// The label of `rule`'s findings (or of its outcomes that cannot be determined), escaped.
fn label_of(rule: &RuleInfo, open: bool) -> Arc<str> {
    escape(&label_text(&rule.id, rule.level, &rule.code, rule.cite.as_deref(), open)).into()
}

/// The label text: ``breaks `ID` (LEVEL: CODE CITE)``, or ``cannot determine `ID` ...``.
fn label_text(id: &str, level: crate::ast::CodeLevel, code: &str, cite: Option<&str>, open: bool) -> String {
    let cite = cite.map(|c| format!(" {c}")).unwrap_or_default();
    let verb = if open { "cannot determine" } else { "breaks" };
    format!("{verb} `{id}` ({}: {code}{cite})", level.as_str())
}

/// The note on a finding's rule: its id and title, at its id in the policy.
fn rule_note_of(r: &RuleInfo) -> RuleNote {
    let message = match r.in_force {
        Some(range) => {
            format!("rule `{}`: {} (the version in force {})", r.id, r.title, crate::engine::format::in_force(range))
        }
        None => format!("rule `{}`: {}", r.id, r.title),
    };
    let (source, spans) = Source::around(&r.file.name, &r.file.text, 1, &[r.id_span]);
    RuleNote { message: escape(&message).into_owned(), source, span: spans.first().copied().unwrap_or((0, 0)) }
}

/// The notes after a finding's rule: its evidence, its waiver or why it cannot be determined, the
/// relaxed rule it overrides, and a group's sample records; escaped.
fn evidence_of(f: &Finding) -> Vec<EvidenceNote> {
    let rule = f.rule.as_deref();
    f.evidence
        .iter()
        .map(|e| EvidenceNote { message: format!("evidence: {}", e.summary) })
        .chain(match &f.standing {
            crate::findings::Standing::Waived(w) => Some(EvidenceNote {
                message: format!("waived until {} by {}: {} ({})", w.expires, w.approver, w.justification, w.place),
            }),
            crate::findings::Standing::Undetermined(n) => Some(EvidenceNote {
                message: format!(
                    "not a finding: the rule depends on a value that could not be read ({} at {}:{}:{})",
                    n.code, f.file.name, f.line, f.column
                ),
            }),
            _ => None,
        })
        .chain(rule.and_then(|r| r.overrides.as_ref()).and_then(|o| {
            let why = o.relaxes.as_deref()?;
            Some(EvidenceNote { message: format!("relaxes `{}`'s rule: {why}", o.code) })
        }))
        .chain(f.group.iter().flat_map(|g| g.samples.iter()).map(|s| EvidenceNote {
            message: match &s.record {
                Some(id) => format!("e.g. record `{id}` at {}:{}", s.file, s.line),
                None => format!("e.g. the record at {}:{}", s.file, s.line),
            },
        }))
        .map(|note| EvidenceNote { message: escape(&note.message).into_owned() })
        .collect()
}

/// One line per override that relaxes an inherited rule, with its stated reason: shown in every
/// report, findings or not, so a relaxed code never passes unnoticed.
pub fn relaxations(summary: &Summary) -> String {
    let mut out = String::new();
    for (rule, parent, why) in summary.catalogue.relaxations() {
        let note = format!(
            "note: `{}` relaxes rule `{}` of `{parent}` ({}:{}): {why}",
            rule.code, rule.id, rule.file.name, rule.line
        );
        out.push_str(&guard(&escape(&note), false));
        out.push('\n');
    }
    out
}

/// The evaluation time the run judged the data at, or that none was given: a line after the
/// summary, so a report read later says which moment its open obligations were judged at.
pub fn evaluation_line(s: &Summary) -> String {
    let text = match &s.evaluation {
        Some(e) => format!("evaluated at {}", e.described()),
        None => "no evaluation time given (--as-of): open obligations are judged at the end of the data".to_string(),
    };
    guard(&escape(&text), false).into_owned()
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

/// The human report: one miette report per finding (known findings left out: they are the wall of
/// old findings a baseline is there to hide), then the relaxations and the summary line.
struct Human {
    options: super::Options,
    layout: Arc<Layout>,
}

/// Make the human report.
pub fn make(options: &super::Options) -> Box<dyn super::Report> {
    Box::new(Human { options: *options, layout: Arc::new(Layout::new(options.style)) })
}

impl Human {
    /// On standard output the problems are on standard error beside it; a file holds them itself.
    fn problems(&self, diagnostics: &[crate::diagnostics::Diag]) -> String {
        if self.options.to_stdout {
            return String::new();
        }
        diagnostics.iter().map(|d| crate::diagnostics::render::render(d, Style::plain())).collect()
    }
}

impl super::Report for Human {
    fn finding(&mut self, f: &Finding) -> String {
        super::Prepare::prepare(&*self.layout, f)
    }

    fn preparer(&self) -> Option<Box<dyn super::Prepare>> {
        Some(Box::new(self.layout.clone()))
    }

    /// The text is the whole of it: the human report keeps no state between findings.
    fn prepared(&mut self, _: &Finding, text: String) -> String {
        text
    }

    fn finish(&mut self, end: &super::End<'_>) -> String {
        format!(
            "{}{}{}\n{}\n",
            self.problems(end.diagnostics),
            relaxations(end.summary),
            summary_line(end.summary),
            evaluation_line(end.summary)
        )
    }

    fn failed(&mut self, end: &super::End<'_>) -> String {
        self.problems(end.diagnostics)
    }
}

/// The human report, as `--output human`.
pub const FORMAT: super::Format = super::Format { name: "human", holds: super::Holds::Text, make };
