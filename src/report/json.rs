//! Findings for machines: a documented, stable JSON document (see `docs/json-report.md`).
//!
//! Field order is fixed by the structs below; version 1 only ever gains fields.

// foldhash: a finding looks its rule up by address, and SipHash cost more than the look-up.
use foldhash::HashMap;
use std::sync::{Arc, RwLock};

use serde::Serialize;

use super::Summary;
use crate::diagnostics::{Diag, Level};
use crate::findings::{Finding, Standing};

/// The format version of the document.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct FindingOut<'a> {
    rule: &'a str,
    title: &'a str,
    code_of_practice: &'a str,
    level: &'a str,
    severity: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
    record: Option<&'a str>,
    record_index: usize,
    message: &'a str,
    help: Option<&'a str>,
    cite: Option<&'a str>,
    policy: Place<'a>,
    in_force: Option<InForce>,
    evidence: Vec<EvidenceOut<'a>>,
    group: Option<GroupOut<'a>>,
    overrides: Option<OverrideOut<'a>>,
    standing: &'static str,
    waiver: Option<WaiverOut<'a>>,
    cannot_determine: Option<CannotDetermineOut<'a>>,
}

/// Why an outcome of standing `cannot_determine` is not a verdict: the input diagnostic about the
/// value the rule depends on, at its place (the outcome's own `file`, `line` and `column`).
#[derive(Serialize)]
struct CannotDetermineOut<'a> {
    code: &'a str,
    message: &'a str,
    field: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
}

/// The waiver that covers a waived finding.
#[derive(Serialize)]
struct WaiverOut<'a> {
    justification: &'a str,
    approver: &'a str,
    expires: &'a str,
    place: &'a str,
}

/// The inherited rule a finding's rule overrides: the code it comes from, and the stated reason
/// when the override is more lenient.
#[derive(Serialize)]
struct OverrideOut<'a> {
    code_of_practice: &'a str,
    relaxes: Option<&'a str>,
}

/// An override that relaxes an inherited rule, listed whatever was found.
#[derive(Serialize)]
struct RelaxationOut<'a> {
    rule: &'a str,
    code_of_practice: &'a str,
    relaxes: &'a str,
    justification: &'a str,
    policy: Place<'a>,
}

/// The group a group rule's finding is about: its key by part, and a few of its records.
#[derive(Serialize)]
struct GroupOut<'a> {
    #[serde(serialize_with = "ordered_owned")]
    key: &'a [(String, String)],
    samples: Vec<SampleOut<'a>>,
}

#[derive(Serialize)]
struct SampleOut<'a> {
    file: &'a str,
    line: usize,
    record: Option<&'a str>,
}

fn ordered_owned<S: serde::Serializer>(key: &&[(String, String)], s: S) -> Result<S::Ok, S::Error> {
    s.collect_map(key.iter().map(|(k, v)| (k, v)))
}

/// The days the version of the rule that judged the record is in force (both included).
#[derive(Serialize)]
struct InForce {
    from: Option<String>,
    until: Option<String>,
}

/// The facts behind a finding: a sentence, and the facts by name in the order they were found.
#[derive(Serialize)]
struct EvidenceOut<'a> {
    summary: &'a str,
    #[serde(serialize_with = "ordered")]
    facts: &'a [(&'static str, String)],
}

fn ordered<S: serde::Serializer>(facts: &&[(&'static str, String)], s: S) -> Result<S::Ok, S::Error> {
    s.collect_map(facts.iter().map(|(k, v)| (*k, v)))
}

fn evidence_out(e: &crate::engine::authority::Evidence) -> EvidenceOut<'_> {
    EvidenceOut { summary: &e.summary, facts: &e.facts }
}

#[derive(Serialize)]
struct Place<'a> {
    file: &'a str,
    line: usize,
    column: usize,
}

#[derive(Serialize)]
pub(crate) struct DiagOut<'a> {
    code: &'a str,
    severity: &'a str,
    message: &'a str,
    file: Option<&'a str>,
    line: Option<usize>,
    column: Option<usize>,
    help: Option<&'a str>,
    /// Other places the problem involves (the first of two duplicates, a definition it conflicts with).
    related: Vec<Related<'a>>,
}

/// A place related to a diagnostic, with what it is.
#[derive(Serialize)]
pub(crate) struct Related<'a> {
    pub file: &'a str,
    pub line: usize,
    pub column: usize,
    pub message: &'a str,
}

/// The places a diagnostic relates to besides its primary one, in order: its secondary labels, then
/// the places of its related notes (and theirs). Shared with SARIF, so both machine reports carry what
/// the human report shows.
pub(crate) fn related(d: &Diag) -> Vec<Related<'_>> {
    let mut out = Vec::new();
    let mut todo: Vec<(&Diag, bool)> = vec![(d, true)];
    while let Some((d, top)) = todo.pop() {
        if let Some(file) = &d.file {
            for label in &d.labels {
                if top && label.primary {
                    continue;
                }
                let (line, column) = file.line_col(label.span.start);
                let message = if label.text.is_empty() { d.message.as_str() } else { label.text.as_str() };
                out.push(Related { file: &file.name, line, column, message });
            }
        }
        todo.extend(d.related.iter().rev().map(|r| (r, false)));
    }
    out
}

#[derive(Serialize)]
struct SummaryOut<'a> {
    files: usize,
    records: usize,
    rules: usize,
    codes: usize,
    findings: usize,
    by_severity: Counts3,
    by_level: Levels,
    active: Counts3,
    waived: usize,
    baselined: usize,
    pending: Pending<'a>,
    cannot_determine: usize,
    records_outcome: RecordsOut,
    left_out: Pending<'a>,
    evaluation: EvaluationOut,
    clauses: ClausesOut<'a>,
}

/// The clauses the codes list (`clause "..."`), and those no running rule cites: the gaps of the
/// clause traceability matrix, for a pipeline that tracks them.
#[derive(Serialize)]
struct ClausesOut<'a> {
    listed: usize,
    without_rule: Vec<GapOut<'a>>,
}

/// One listed clause no running rule cites.
#[derive(Serialize)]
struct GapOut<'a> {
    code_of_practice: &'a str,
    clause: &'a str,
    title: Option<&'a str>,
}

/// The evaluation time the data was judged at: what was given (`--as-of`), the instant, the zone a
/// day or a wall-clock time was read in, and what open case obligations were judged at.
#[derive(Serialize)]
pub(crate) struct EvaluationOut {
    as_of: Option<String>,
    time: Option<String>,
    zone: Option<String>,
    open_obligations_judged_at: &'static str,
}

/// The evaluation of a run's summary, as JSON writes it (and SARIF, in its run's properties).
pub(crate) fn evaluation(s: &Summary) -> EvaluationOut {
    match &s.evaluation {
        Some(e) => EvaluationOut {
            as_of: Some(e.as_of.to_string()),
            time: Some(e.to_string()),
            zone: e.zone.clone(),
            open_obligations_judged_at: "evaluation time",
        },
        None => EvaluationOut { as_of: None, time: None, zone: None, open_obligations_judged_at: "end of data" },
    }
}

/// Records by outcome: with a finding, with no finding but a rule that cannot be determined, and
/// clean (every rule determined, none broken). The three add up to `records`.
#[derive(Serialize)]
struct RecordsOut {
    with_findings: usize,
    cannot_determine: usize,
    clean: usize,
}

/// Obligations open at the end of the data but not yet due: not findings, counted by rule.
#[derive(Serialize)]
struct Pending<'a> {
    total: usize,
    #[serde(serialize_with = "ordered_counts")]
    by_rule: &'a [(String, usize)],
}

fn ordered_counts<S: serde::Serializer>(counts: &&[(String, usize)], s: S) -> Result<S::Ok, S::Error> {
    s.collect_map(counts.iter().map(|(k, v)| (k, v)))
}

#[derive(Serialize)]
struct Counts3 {
    error: usize,
    warning: usize,
    info: usize,
}

#[derive(Serialize)]
struct Levels {
    industry: usize,
    organisational: usize,
    professional: usize,
    ethical: usize,
}

fn counts([error, warning, info]: [usize; 3]) -> Counts3 {
    Counts3 { error, warning, info }
}

pub(crate) fn diag_out(d: &Diag) -> DiagOut<'_> {
    let loc = d.location();
    DiagOut {
        code: &d.code,
        severity: match d.level {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Advice => "advice",
        },
        message: &d.message,
        file: loc.map(|l| l.0),
        line: loc.map(|l| l.1),
        column: loc.map(|l| l.2),
        help: d.help.as_deref(),
        related: related(d),
    }
}

fn finding_out(f: &Finding) -> FindingOut<'_> {
    let rule = f.rule.as_deref();
    let (pl, pc) = rule.map_or((0, 0), |r| (r.line, r.column));
    FindingOut {
        rule: f.rule_id(),
        title: rule.map_or("", |r| r.title.as_str()),
        code_of_practice: f.code_name(),
        level: f.level().as_str(),
        severity: f.severity().as_str(),
        file: &f.file.name,
        line: f.line,
        column: f.column,
        record: f.record_id.as_deref(),
        record_index: f.record_index,
        message: &f.message,
        help: f.help(),
        cite: rule.and_then(|r| r.cite.as_deref()),
        policy: Place { file: rule.map_or("", |r| &r.file.name), line: pl, column: pc },
        in_force: rule
            .and_then(|r| r.in_force)
            .map(|(from, until)| InForce { from: from.map(|d| d.to_string()), until: until.map(|d| d.to_string()) }),
        evidence: f.evidence.iter().map(evidence_out).collect(),
        group: group_out(f),
        overrides: rule
            .and_then(|r| r.overrides.as_ref())
            .map(|o| OverrideOut { code_of_practice: &o.code, relaxes: o.relaxes.as_deref() }),
        standing: standing(f),
        waiver: waiver_out(f),
        cannot_determine: cannot_determine_out(f),
    }
}

fn group_out(f: &Finding) -> Option<GroupOut<'_>> {
    f.group.as_ref().map(|g| GroupOut {
        key: &g.key,
        samples: g
            .samples
            .iter()
            .map(|x| SampleOut { file: &x.file, line: x.line, record: x.record.as_deref() })
            .collect(),
    })
}

fn standing(f: &Finding) -> &'static str {
    match f.standing {
        Standing::Active => "active",
        Standing::Waived(_) => "waived",
        Standing::Baselined => "baselined",
        Standing::Undetermined(_) => "cannot_determine",
    }
}

fn waiver_out(f: &Finding) -> Option<WaiverOut<'_>> {
    match &f.standing {
        Standing::Waived(w) => Some(WaiverOut {
            justification: &w.justification,
            approver: &w.approver,
            expires: &w.expires,
            place: &w.place,
        }),
        _ => None,
    }
}

fn cannot_determine_out(f: &Finding) -> Option<CannotDetermineOut<'_>> {
    match &f.standing {
        Standing::Undetermined(n) => Some(CannotDetermineOut {
            code: n.code,
            message: &n.message,
            field: &n.field,
            file: &f.file.name,
            line: f.line,
            column: f.column,
        }),
        _ => None,
    }
}

/// Writes the JSON report a piece at a time, so findings are never all held in memory: the start,
/// then one line per finding, then the diagnostics and summary once the run is over. It keeps only
/// a count (for the separator between findings).
#[derive(Debug, Default)]
pub struct Stream {
    findings: usize,
}

/// Serialises one finding, on any thread: the line of the `findings` array with a leading `,`
/// that [`Stream::prepared`] drops for the first finding.
///
/// A rule's own members (id, title, code, level, severity, help as written, cite, policy place,
/// dates in force, override) are the same in each of its findings and are most of a finding's
/// bytes, so each rule's are serialised once ([`RuleText`]) and copied; the finding's own members
/// are serialised around them, in [`FindingOut`]'s order, so the line is byte for byte what
/// serialising a [`FindingOut`] gives (a unit test holds it to that).
#[derive(Default)]
struct Lines {
    /// Each rule's text, by the address of its [`RuleInfo`](crate::findings::RuleInfo); the entry
    /// holds the rule, so the address is never reused for another during the run.
    rules: RwLock<HashMap<usize, Arc<RuleText>>>,
}

/// A rule's members of [`FindingOut`], serialised: each a run of `"name":value` pairs joined by
/// commas, without braces.
struct RuleText {
    /// Keeps the rule alive while its address is a key of [`Lines::rules`].
    _rule: Arc<crate::findings::RuleInfo>,
    /// `rule` to `severity`.
    head: String,
    /// `help` as the rule writes it (a finding with its help filled in has its own).
    help: String,
    /// `cite` to `in_force`.
    place: String,
    /// `overrides`.
    overrides: String,
}

/// The members of a finding between the rule's `in_force` and `overrides`.
#[derive(Serialize)]
struct FactsOut<'a> {
    evidence: Vec<EvidenceOut<'a>>,
    group: Option<GroupOut<'a>>,
}

/// The members of a finding after the rule's `overrides`.
#[derive(Serialize)]
struct StandingOut<'a> {
    standing: &'static str,
    waiver: Option<WaiverOut<'a>>,
    cannot_determine: Option<CannotDetermineOut<'a>>,
}

/// `s` as a JSON string, byte for byte as serde_json writes it: most texts need no escape (no
/// control character, quote or backslash) and are copied whole, the rest are serde_json's to write.
pub(super) fn string(out: &mut String, s: &str) -> serde_json::Result<()> {
    if !needs_escape(s.as_bytes()) {
        out.push('"');
        out.push_str(s);
        out.push('"');
    } else {
        out.push_str(&serde_json::to_string(s)?);
    }
    Ok(())
}

/// [`string`], appended to bytes (the SARIF report writes bytes).
pub(super) fn string_bytes(out: &mut Vec<u8>, s: &str) -> serde_json::Result<()> {
    if needs_escape(s.as_bytes()) {
        return serde_json::to_writer(&mut *out, s);
    }
    out.push(b'"');
    out.extend_from_slice(s.as_bytes());
    out.push(b'"');
    Ok(())
}

/// Whether `bytes` hold a control character, a quote or a backslash. Tested a block at a time
/// without stopping at each byte, which the compiler turns into vector instructions: a finding's
/// texts are hundreds of bytes, nearly always with nothing to escape. The bytes after the last
/// whole block are tested as a block too (the last 32 bytes again, or a short text padded with
/// spaces), since a byte at a time the remainder cost more than all the blocks before it.
fn needs_escape(bytes: &[u8]) -> bool {
    const BLOCK: usize = 32;
    let escaped = |b: &u8| (*b < 0x20) | (*b == b'"') | (*b == b'\\');
    let block_escaped = |block: &[u8; BLOCK]| block.iter().fold(false, |any, b| any | escaped(b));
    let (blocks, rest) = bytes.as_chunks::<BLOCK>();
    if blocks.iter().any(block_escaped) {
        return true;
    }
    if rest.is_empty() {
        return false;
    }
    match bytes.last_chunk::<BLOCK>() {
        Some(last) => block_escaped(last),
        None => {
            let mut padded = [b' '; BLOCK];
            match padded.get_mut(..rest.len()) {
                Some(head) => head.copy_from_slice(rest),
                // Never (fewer bytes than a block are left); serde_json's writing is always right.
                None => return true,
            }
            block_escaped(&padded)
        }
    }
}

/// `"name":value` members of serialisable struct `value`, appended to `out` without its braces.
fn members<T: Serialize>(out: &mut String, value: &T) -> serde_json::Result<()> {
    let whole = serde_json::to_string(value)?;
    // `{...}`: the braces are the first and the last byte.
    out.push_str(whole.get(1..whole.len().saturating_sub(1)).unwrap_or_default());
    Ok(())
}

/// The `"name":value` members of `value`, without its braces, as text.
fn member_text<T: Serialize>(value: &T) -> serde_json::Result<String> {
    let mut out = String::new();
    members(&mut out, value)?;
    Ok(out)
}

impl RuleText {
    /// The text of `rule`'s members, from the [`FindingOut`] of one of its findings.
    fn new(rule: &Arc<crate::findings::RuleInfo>, f: &FindingOut<'_>) -> serde_json::Result<RuleText> {
        #[derive(Serialize)]
        struct Head<'a> {
            rule: &'a str,
            title: &'a str,
            code_of_practice: &'a str,
            level: &'a str,
            severity: &'a str,
        }
        #[derive(Serialize)]
        struct Help<'a> {
            help: Option<&'a str>,
        }
        #[derive(Serialize)]
        struct PlaceOut<'a> {
            cite: Option<&'a str>,
            policy: &'a Place<'a>,
            in_force: &'a Option<InForce>,
        }
        #[derive(Serialize)]
        struct Overrides<'a> {
            overrides: &'a Option<OverrideOut<'a>>,
        }
        Ok(RuleText {
            _rule: Arc::clone(rule),
            head: member_text(&Head {
                rule: f.rule,
                title: f.title,
                code_of_practice: f.code_of_practice,
                level: f.level,
                severity: f.severity,
            })?,
            help: member_text(&Help { help: rule.help.as_deref() })?,
            place: member_text(&PlaceOut { cite: f.cite, policy: &f.policy, in_force: &f.in_force })?,
            overrides: member_text(&Overrides { overrides: &f.overrides })?,
        })
    }
}

impl Lines {
    /// The text of `f`'s rule, made on its first finding.
    fn rule_text(&self, rule: &Arc<crate::findings::RuleInfo>, f: &Finding) -> Option<Arc<RuleText>> {
        let key = Arc::as_ptr(rule) as usize;
        if let Some(text) = self.rules.read().ok()?.get(&key) {
            return Some(Arc::clone(text));
        }
        let text = Arc::new(RuleText::new(rule, &finding_out(f)).ok()?);
        let mut rules = self.rules.write().ok()?;
        Some(Arc::clone(rules.entry(key).or_insert(text)))
    }

    /// `f`'s object, its rule's members copied from `rule`.
    fn write(out: &mut String, rule: &RuleText, f: &Finding) -> serde_json::Result<()> {
        out.push('{');
        out.push_str(&rule.head);
        // The members from `file` to `message`, written as serde_json writes them (a unit test holds it to
        // that): this part is most of what each finding costs the report.
        out.push_str(",\"file\":");
        string(out, &f.file.name)?;
        out.push_str(",\"line\":");
        out.push_str(itoa::Buffer::new().format(f.line));
        out.push_str(",\"column\":");
        out.push_str(itoa::Buffer::new().format(f.column));
        out.push_str(",\"record\":");
        match f.record_id.as_deref() {
            Some(id) => string(out, id)?,
            None => out.push_str("null"),
        }
        out.push_str(",\"record_index\":");
        out.push_str(itoa::Buffer::new().format(f.record_index));
        out.push_str(",\"message\":");
        string(out, &f.message)?;
        out.push(',');
        match f.help.as_deref() {
            Some(own) => {
                out.push_str("\"help\":");
                string(out, own)?;
            }
            None => out.push_str(&rule.help),
        }
        out.push(',');
        out.push_str(&rule.place);
        out.push(',');
        if f.group.is_none() {
            out.push_str("\"evidence\":[");
            for (i, e) in f.evidence.iter().enumerate() {
                evidence(out, e, i == 0)?;
            }
            out.push_str("],\"group\":null");
        } else {
            members(out, &FactsOut { evidence: f.evidence.iter().map(evidence_out).collect(), group: group_out(f) })?;
        }
        out.push(',');
        out.push_str(&rule.overrides);
        out.push(',');
        match f.standing {
            Standing::Active => out.push_str("\"standing\":\"active\",\"waiver\":null,\"cannot_determine\":null"),
            _ => members(
                out,
                &StandingOut {
                    standing: standing(f),
                    waiver: waiver_out(f),
                    cannot_determine: cannot_determine_out(f),
                },
            )?,
        }
        out.push('}');
        Ok(())
    }
}

/// One item of a finding's `evidence`, written as serde_json writes its [`EvidenceOut`]: a
/// finding about someone's authority carries one or two, and serialising them through serde_json
/// cost a tenth of what a finding costs the report.
fn evidence(out: &mut String, e: &crate::engine::authority::Evidence, first: bool) -> serde_json::Result<()> {
    out.push_str(if first { "{\"summary\":" } else { ",{\"summary\":" });
    string(out, &e.summary)?;
    out.push_str(",\"facts\":{");
    for (i, (name, value)) in e.facts.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        string(out, name)?;
        out.push(':');
        string(out, value)?;
    }
    out.push_str("}}");
    Ok(())
}

/// What comes before every finding but the first; the first has it without the comma.
const SEPARATOR: &str = ",\n    ";

impl super::Prepare for Lines {
    fn prepare(&self, f: &Finding) -> String {
        // One buffer, written in place as text (no second pass to check it is UTF-8): the
        // separator, then the finding. Most lines are 600 to 1,000 bytes.
        let mut out = String::with_capacity(1024);
        out.push_str(SEPARATOR);
        let written = match f.rule.as_ref().and_then(|r| self.rule_text(r, f)) {
            Some(rule) => Lines::write(&mut out, &rule, f),
            // An expired waiver has no rule: serialised whole.
            None => serde_json::to_string(&finding_out(f)).map(|whole| out.push_str(&whole)),
        };
        if written.is_err() {
            out.truncate(SEPARATOR.len());
            out.push_str("{}");
        }
        out
    }
}

impl Stream {
    /// The opening of the document.
    pub fn start(&self) -> String {
        format!("{{\n  \"version\": {VERSION},\n  \"findings\": [")
    }

    /// One finding, as one line of the `findings` array.
    pub fn finding(&mut self, f: &Finding) -> String {
        let text = super::Prepare::prepare(&Lines::default(), f);
        self.prepared(text)
    }

    /// One finding's line made by [`Lines`], in order: the first finding's loses its comma.
    fn prepared(&mut self, mut text: String) -> String {
        if self.findings == 0 && text.starts_with(',') {
            text.remove(0);
        }
        self.findings += 1;
        text
    }

    /// The end of the document: diagnostics (policy ones first) and the summary.
    pub fn finish(&self, s: &Summary, diagnostics: &[Diag]) -> String {
        let level = |l: crate::ast::CodeLevel| s.tally.by_level.get(&l).copied().unwrap_or(0);
        let mut out = String::from(if self.findings == 0 { "],\n" } else { "\n  ],\n" });
        out.push_str("  \"diagnostics\": [");
        for (i, d) in diagnostics.iter().enumerate() {
            out.push_str(if i == 0 { "\n    " } else { ",\n    " });
            out.push_str(&serde_json::to_string(&diag_out(d)).unwrap_or_else(|_| "{}".to_string()));
        }
        out.push_str(if diagnostics.is_empty() { "],\n" } else { "\n  ],\n" });
        let relaxations: Vec<RelaxationOut<'_>> = s
            .catalogue
            .relaxations()
            .map(|(r, parent, why)| RelaxationOut {
                rule: &r.id,
                code_of_practice: &r.code,
                relaxes: parent,
                justification: why,
                policy: Place { file: &r.file.name, line: r.line, column: r.column },
            })
            .collect();
        out.push_str("  \"relaxations\": [");
        for (i, r) in relaxations.iter().enumerate() {
            out.push_str(if i == 0 { "\n    " } else { ",\n    " });
            out.push_str(&serde_json::to_string(r).unwrap_or_else(|_| "{}".to_string()));
        }
        out.push_str(if relaxations.is_empty() { "],\n" } else { "\n  ],\n" });
        let summary = SummaryOut {
            files: s.files,
            records: s.records,
            rules: s.rules,
            codes: s.codes,
            findings: s.findings(),
            by_severity: counts(s.tally.by_severity),
            by_level: Levels {
                industry: level(crate::ast::CodeLevel::Industry),
                organisational: level(crate::ast::CodeLevel::Organisational),
                professional: level(crate::ast::CodeLevel::Professional),
                ethical: level(crate::ast::CodeLevel::Ethical),
            },
            active: counts(s.tally.active),
            waived: s.tally.waived,
            baselined: s.tally.baselined,
            pending: Pending { total: s.pending.iter().map(|(_, n)| n).sum(), by_rule: &s.pending },
            cannot_determine: s.tally.undetermined,
            records_outcome: RecordsOut {
                with_findings: s.tally.records_with_findings,
                cannot_determine: s.tally.records_undetermined,
                clean: s.clean_records(),
            },
            left_out: Pending { total: s.left_out.iter().map(|(_, n)| n).sum(), by_rule: &s.left_out },
            evaluation: evaluation(s),
            clauses: ClausesOut {
                listed: s.catalogue.listed_clauses(),
                without_rule: s
                    .catalogue
                    .uncited_clauses()
                    .into_iter()
                    .map(|(code, c)| GapOut {
                        code_of_practice: s.catalogue.codes.get(code).map_or("", |k| k.name.as_str()),
                        clause: &c.id,
                        title: c.title.as_deref(),
                    })
                    .collect(),
            },
        };
        let summary = serde_json::to_string_pretty(&summary).unwrap_or_else(|_| "{}".to_string());
        out.push_str("  \"summary\": ");
        out.push_str(&summary.replace('\n', "\n  "));
        out.push_str("\n}\n");
        out
    }
}

/// The JSON document for a run that could not load its policies: no findings, only diagnostics.
pub fn failure(diags: &[Diag]) -> String {
    #[derive(Serialize)]
    struct Failed<'a> {
        version: u32,
        findings: [(); 0],
        diagnostics: Vec<DiagOut<'a>>,
        summary: Option<()>,
    }
    let doc =
        Failed { version: VERSION, findings: [], diagnostics: diags.iter().map(diag_out).collect(), summary: None };
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".to_string());
    out.push('\n');
    out
}

#[derive(Serialize)]
struct LintFinding<'a> {
    rule: &'a str,
    code_of_practice: Option<&'a str>,
    level: Option<&'a str>,
    severity: &'a str,
    file: Option<&'a str>,
    line: Option<usize>,
    column: Option<usize>,
    record: Option<&'a str>,
    message: &'a str,
    help: Option<&'a str>,
}

#[derive(Serialize)]
struct LintSummaryOut {
    files: usize,
    roles: usize,
    staff: usize,
    findings: usize,
    by_severity: Counts3,
}

#[derive(Serialize)]
struct LintDocument<'a> {
    version: u32,
    findings: Vec<LintFinding<'a>>,
    diagnostics: Vec<DiagOut<'a>>,
    summary: LintSummaryOut,
}

/// The JSON report of `precept lint`: each problem in the same shape as a `check` finding, with the
/// diagnostic code as its `rule`.
pub fn lint(problems: &[Diag], input: &[Diag], s: &super::LintSummary) -> String {
    let findings = problems
        .iter()
        .map(|d| {
            let loc = d.location();
            LintFinding {
                rule: &d.code,
                code_of_practice: None,
                level: None,
                severity: if d.is_error() { "error" } else { "warning" },
                file: loc.map(|l| l.0),
                line: loc.map(|l| l.1),
                column: loc.map(|l| l.2),
                record: None,
                message: &d.message,
                help: d.help.as_deref(),
            }
        })
        .collect();
    let doc = LintDocument {
        version: VERSION,
        findings,
        diagnostics: input.iter().map(diag_out).collect(),
        summary: LintSummaryOut {
            files: s.files,
            roles: s.roles,
            staff: s.staff,
            findings: problems.len(),
            by_severity: Counts3 { error: s.errors, warning: s.warnings, info: 0 },
        },
    };
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".to_string());
    out.push('\n');
    out
}

impl super::Report for Stream {
    fn start(&mut self) -> String {
        Stream::start(self)
    }

    fn finding(&mut self, f: &Finding) -> String {
        Stream::finding(self, f)
    }

    fn preparer(&self) -> Option<Box<dyn super::Prepare>> {
        Some(Box::new(Lines::default()))
    }

    fn prepared(&mut self, f: &Finding, text: String) -> String {
        if text.is_empty() {
            return Stream::finding(self, f);
        }
        Stream::prepared(self, text)
    }

    fn finish(&mut self, end: &super::End<'_>) -> String {
        Stream::finish(self, end.summary, end.diagnostics)
    }

    fn failed(&mut self, end: &super::End<'_>) -> String {
        failure(end.diagnostics)
    }
}

/// Make the JSON report.
pub fn make(_: &super::Options) -> Box<dyn super::Report> {
    Box::new(Stream::default())
}

/// The JSON report, as `--output json`.
pub const FORMAT: super::Format = super::Format { name: "json", holds: super::Holds::JsonDocument, make };

/// For the library's test that a finding's line made from its rule's text is byte for byte the
/// finding serialised whole (`api`'s tests, which can make findings through the engine).
#[cfg(test)]
#[derive(Default)]
pub(crate) struct LineCheck {
    lines: Lines,
}

#[cfg(test)]
impl LineCheck {
    /// `f`'s line, as the report makes it and as serialising its [`FindingOut`] whole gives it.
    pub(crate) fn both(&self, f: &Finding) -> (String, String) {
        use super::Prepare;
        let whole = serde_json::to_string(&finding_out(f)).map(|w| format!("{SEPARATOR}{w}")).unwrap_or_default();
        (self.lines.prepare(f), whole)
    }

    /// How many rules' texts were made.
    pub(crate) fn rules(&self) -> usize {
        self.lines.rules.read().map_or(0, |r| r.len())
    }
}

#[cfg(test)]
mod tests {
    /// `string` writes what serde_json writes, wherever in a text a character to escape falls
    /// (inside a block, on a block's edge, in the remainder after the blocks).
    #[test]
    fn strings_are_written_as_serde_json_writes_them() {
        for len in [0, 1, 31, 32, 33, 63, 64, 65, 100] {
            for special in ["\"", "\\", "\n", "\u{1f}", "\u{7f}", "é", " "] {
                for at in 0..=len {
                    let mut text = "a".repeat(len);
                    text.insert_str(at, special);
                    let mut out = String::new();
                    assert!(super::string(&mut out, &text).is_ok());
                    let expected = serde_json::to_string(&text).unwrap_or_default();
                    assert_eq!(out, expected, "{text:?}");
                }
            }
        }
    }
}
