//! Findings as values: what a run found, each carrying everything a report shows about it.
//!
//! This sits between evaluation and the reports: the pipeline makes [`Finding`]s (located in their
//! files), `suppress` marks their [`Standing`], and every report reads only findings and the run's
//! [`Summary`]. A finding carries its rule's metadata ([`RuleInfo`]), so no report needs the
//! compiled program.

mod rule;
mod summary;
mod waivers;

use std::sync::Arc;

pub use rule::{Catalogue, ClauseEntry, CodeEntry, Overrides, RuleInfo, Traced};
pub use summary::{Outcome, Summary, Tally};
pub use waivers::WaiverEntry;

use crate::ast::{CodeLevel, Severity};
use crate::engine::authority::Evidence;
use crate::source::{SourceFile, Span};

/// The id, code, level and severity of the finding an expired waiver is (it has no rule, so
/// [`Finding`]'s accessors answer with these).
pub mod expired_waiver {
    use crate::ast::{CodeLevel, Severity};
    /// Its id, as reports show it ([`Finding::rule_id`](super::Finding::rule_id)).
    ///
    /// ```
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// # let engine = engine
    /// #     .with_options(precept::Options { as_of: Some(jiff::civil::date(2026, 7, 1).into()), ..Default::default() })
    /// #     .with_waivers(
    /// #         "waivers.toml",
    /// #         "[[waiver]]\nrule = \"answered-quickly\"\njustification = \"OPS-118\"\n\
    /// #          approver = \"Head of Compliance\"\nexpires = 2026-06-30\n",
    /// #     );
    /// # let run = engine.check([precept::Records::bytes("tickets.csv", "id,waited\nT-2,3h\n")]);
    /// let expired = run.findings.iter().find(|f| f.rule.is_none()).expect("the waiver expired on 30 June");
    /// assert_eq!(expired.rule_id(), precept::findings::expired_waiver::ID);
    /// assert_eq!(expired.subject, precept::Subject::ExpiredWaiver);
    /// ```
    pub const ID: &str = "expired-waiver";
    /// The code it is reported under ([`Finding::code_name`](super::Finding::code_name)).
    ///
    /// ```
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// # let engine = engine
    /// #     .with_options(precept::Options { as_of: Some(jiff::civil::date(2026, 7, 1).into()), ..Default::default() })
    /// #     .with_waivers(
    /// #         "waivers.toml",
    /// #         "[[waiver]]\nrule = \"answered-quickly\"\njustification = \"OPS-118\"\n\
    /// #          approver = \"Head of Compliance\"\nexpires = 2026-06-30\n",
    /// #     );
    /// # let run = engine.check([precept::Records::bytes("tickets.csv", "id,waited\nT-2,3h\n")]);
    /// let expired = run.findings.iter().find(|f| f.rule.is_none()).expect("the waiver expired on 30 June");
    /// assert_eq!(expired.code_name(), precept::findings::expired_waiver::CODE);
    /// assert_eq!(expired.code_name(), "Precept waivers");
    /// ```
    pub const CODE: &str = "Precept waivers";
    /// Its level ([`Finding::level`](super::Finding::level)).
    ///
    /// ```
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// # let engine = engine
    /// #     .with_options(precept::Options { as_of: Some(jiff::civil::date(2026, 7, 1).into()), ..Default::default() })
    /// #     .with_waivers(
    /// #         "waivers.toml",
    /// #         "[[waiver]]\nrule = \"answered-quickly\"\njustification = \"OPS-118\"\n\
    /// #          approver = \"Head of Compliance\"\nexpires = 2026-06-30\n",
    /// #     );
    /// # let run = engine.check([precept::Records::bytes("tickets.csv", "id,waited\nT-2,3h\n")]);
    /// let expired = run.findings.iter().find(|f| f.rule.is_none()).expect("the waiver expired on 30 June");
    /// assert_eq!(expired.level(), precept::findings::expired_waiver::LEVEL);
    /// ```
    pub const LEVEL: CodeLevel = CodeLevel::Organisational;
    /// Its severity: an expired waiver fails the run until it is renewed or removed.
    ///
    /// ```
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// # let engine = engine
    /// #     .with_options(precept::Options { as_of: Some(jiff::civil::date(2026, 7, 1).into()), ..Default::default() })
    /// #     .with_waivers(
    /// #         "waivers.toml",
    /// #         "[[waiver]]\nrule = \"answered-quickly\"\njustification = \"OPS-118\"\n\
    /// #          approver = \"Head of Compliance\"\nexpires = 2026-06-30\n",
    /// #     );
    /// # let run = engine.check([precept::Records::bytes("tickets.csv", "id,waited\nT-2,3h\n")]);
    /// let expired = run.findings.iter().find(|f| f.rule.is_none()).expect("the waiver expired on 30 June");
    /// assert_eq!(expired.severity(), precept::findings::expired_waiver::SEVERITY);
    /// assert_eq!(run.status(), precept::Status::Findings);
    /// ```
    pub const SEVERITY: Severity = Severity::Error;
}

/// What a finding is about.
///
/// ```
/// use precept::Subject;
/// # let engine = precept::Engine::from_sources([("house.precept", r#"
/// #   schema ticket { identified by id  id: text  team: text  waited: duration }
/// #   code "Industry code" { level industry  version "2024"
/// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
/// #       cite "s.4.1"  help "Answer every ticket within the hour."
/// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
/// #   code "House rules" { level organisational  extends "Industry code"
/// #     rule answered-quickly { title "Tickets are answered within two hours" for ticket
/// #       relaxes "the night shift is one person"
/// #       require record.waited <= 2h  message "ticket {record.id} waited {record.waited}" }
/// #     rule few-long-waits { title "At most one long wait per team" severity warning for ticket
/// #       group by record.team  require count(record.waited > 30m) <= 1
/// #       message "team {group.team} had {count(record.waited > 30m)} long waits" } }
/// # "#)]).unwrap();
/// # let tickets = precept::Records::bytes(
/// #     "tickets.csv",
/// #     "id,team,waited\nT-1,Returns,20m\nT-2,Returns,3h\nT-3,Returns,90m\n",
/// # );
/// let run = engine.check([tickets]);
/// let subjects: Vec<Subject> = run.findings.iter().map(|f| f.subject).collect();
/// assert_eq!(subjects, [Subject::Record, Subject::Group]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Subject {
    /// One record of a record file.
    Record,
    /// A group of records (a rule over groups).
    Group,
    /// A case: the records of one obligation (a rule that follows cases).
    Case,
    /// A role in the role files.
    Role,
    /// A member of staff in the role files.
    StaffMember,
    /// A waiver past its expiry date.
    ExpiredWaiver,
}

impl Subject {
    /// How reports name it: `record`, `group`, `case`, `role`, `staff member`, `waiver`.
    ///
    /// ```
    /// assert_eq!(precept::findings::Subject::StaffMember.as_str(), "staff member");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Subject::Record => "record",
            Subject::Group => "group",
            Subject::Case => "case",
            Subject::Role => "role",
            Subject::StaffMember => "staff member",
            Subject::ExpiredWaiver => "waiver",
        }
    }
}

impl std::fmt::Display for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One rule broken by one record (or group, case, role, member of staff), located in its file; or a
/// waiver that has expired. A cannot-determine outcome is a `Finding` too, told apart by its
/// [`Standing::Undetermined`].
///
/// ```
/// # let engine = precept::Engine::from_sources([("house.precept", r#"
/// #   schema ticket { identified by id  id: text  waited: duration }
/// #   code "House rules" { level organisational
/// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
/// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
/// # "#)]).unwrap();
/// let run = engine.check([precept::Records::bytes("tickets.csv", "id,waited\nT-1,20m\nT-2,3h\n")]);
/// let f = &run.findings[0];
/// assert_eq!(f.rule.as_ref().map(|r| r.title.as_str()), Some("Tickets are answered within an hour"));
/// assert_eq!((f.file.name.as_ref(), f.line, f.column, f.end), ("tickets.csv", 3, 5, (3, 7)));
/// assert_eq!(f.file.slice(f.span), "3h");
/// assert_eq!((f.record_index, f.record_id.as_deref(), f.field.as_str()), (1, Some("T-2"), "waited"));
/// assert_eq!(f.standing, precept::Standing::Active);
/// ```
#[derive(Debug, Clone)]
pub struct Finding {
    /// The rule broken, with what reports show of it; `None` for an expired waiver.
    pub rule: Option<Arc<RuleInfo>>,
    /// What was checked.
    pub subject: Subject,
    /// The text around the finding, named as the file it is in: the whole file for JSON and TOML,
    /// the record's own line(s) for JSON Lines and CSV (`file.first_line` says where it starts).
    /// With fields redacted, a record's text holds only the offending value.
    pub file: SourceFile,
    /// The offending field's place in `file.text`.
    pub span: Span,
    /// 1-based line of the offending field in the file.
    pub line: usize,
    /// 1-based column (in characters) of the offending field.
    pub column: usize,
    /// 1-based line and column where the offending field ends (kept apart from `file`, whose text
    /// a redacted record blanks and trims).
    pub end: (usize, usize),
    /// 0-based position of the record in its file.
    pub record_index: usize,
    /// The record's id, where the schema names one; a group's or case's key; a role's or staff
    /// member's id; for an expired waiver, what it waived.
    pub record_id: Option<String>,
    /// The rule's help with the record's (or group's, or case's) values filled in, when it has
    /// holes; `None` when it has none, and the finding shows its rule's one text (see
    /// [`Finding::help`]).
    pub help: Option<String>,
    /// The message with the record's values.
    pub message: String,
    /// The offending field's path in the record (`actions[2].amount`), empty for the record as a
    /// whole or for a group or case.
    pub field: String,
    /// The member of staff the record (or group) is about, where the schema says.
    pub staff: Option<String>,
    /// The team the record (or group) is about, where the schema says.
    pub team: Option<String>,
    /// The record's day (its `dated by` field, at the offset it was written with), where the
    /// schema names one and it is not redacted: for reports that count findings by month. `None`
    /// for groups, cases, role files and expired waivers.
    pub day: Option<jiff::civil::Date>,
    /// Whether it counts: active, or waived or in the baseline (reported, but failing nothing), or
    /// not a finding at all but a rule that cannot be determined.
    pub standing: Standing,
    /// The facts behind it: about staff and roles, or a group's figures or missing period.
    pub evidence: Vec<Evidence>,
    /// For a rule over groups of records: which group, and a few of its records. The finding is
    /// then placed at the rule's clause in the policy file.
    pub group: Option<GroupFinding>,
}

impl Finding {
    /// The rule's id, or `expired-waiver`.
    ///
    /// ```
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// let run = engine.check([precept::Records::bytes("tickets.csv", "id,waited\nT-2,3h\n")]);
    /// assert_eq!(run.findings[0].rule_id(), "answered-quickly");
    /// ```
    pub fn rule_id(&self) -> &str {
        self.rule.as_ref().map_or(expired_waiver::ID, |r| r.id.as_str())
    }

    /// What to do about this finding: the rule's help, its holes filled in with the finding's
    /// values; `None` when the rule has no help (and for an expired waiver).
    ///
    /// ```
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}"
    /// #       help "apologise for the {record.waited - 1h} over the hour on ticket {record.id}" } }
    /// # "#)]).unwrap();
    /// let run = engine.check([precept::Records::bytes("tickets.csv", "id,waited\nT-2,3h\n")]);
    /// assert_eq!(run.findings[0].help(), Some("apologise for the 2h over the hour on ticket T-2"));
    /// // The rule's own help is the template as written.
    /// let rule = run.findings[0].rule.as_ref().expect("a rule's finding");
    /// assert_eq!(rule.help.as_deref(), Some("apologise for the {record.waited - 1h} over the hour on ticket {record.id}"));
    /// ```
    pub fn help(&self) -> Option<&str> {
        self.help.as_deref().or_else(|| self.rule.as_ref()?.help.as_deref())
    }

    /// The name of the code of practice of the rule (for an override, the overriding code), or
    /// `Precept waivers` for an expired waiver.
    ///
    /// ```
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  team: text  waited: duration }
    /// #   code "Industry code" { level industry  version "2024"
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       cite "s.4.1"  help "Answer every ticket within the hour."
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// #   code "House rules" { level organisational  extends "Industry code"
    /// #     rule answered-quickly { title "Tickets are answered within two hours" for ticket
    /// #       relaxes "the night shift is one person"
    /// #       require record.waited <= 2h  message "ticket {record.id} waited {record.waited}" }
    /// #     rule few-long-waits { title "At most one long wait per team" severity warning for ticket
    /// #       group by record.team  require count(record.waited > 30m) <= 1
    /// #       message "team {group.team} had {count(record.waited > 30m)} long waits" } }
    /// # "#)]).unwrap();
    /// # let tickets = precept::Records::bytes(
    /// #     "tickets.csv",
    /// #     "id,team,waited\nT-1,Returns,20m\nT-2,Returns,3h\nT-3,Returns,90m\n",
    /// # );
    /// let run = engine.check([tickets]);
    /// // `House rules` overrides the industry code's rule.
    /// assert_eq!(run.findings[0].code_name(), "House rules");
    /// ```
    pub fn code_name(&self) -> &str {
        self.rule.as_ref().map_or(expired_waiver::CODE, |r| r.code.as_str())
    }

    /// The level of that code.
    ///
    /// ```
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// let run = engine.check([precept::Records::bytes("tickets.csv", "id,waited\nT-2,3h\n")]);
    /// assert_eq!(run.findings[0].level(), precept::CodeLevel::Organisational);
    /// ```
    pub fn level(&self) -> CodeLevel {
        self.rule.as_ref().map_or(expired_waiver::LEVEL, |r| r.level)
    }

    /// The finding's severity: its rule's.
    ///
    /// ```
    /// use precept::Severity;
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  team: text  waited: duration }
    /// #   code "Industry code" { level industry  version "2024"
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       cite "s.4.1"  help "Answer every ticket within the hour."
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// #   code "House rules" { level organisational  extends "Industry code"
    /// #     rule answered-quickly { title "Tickets are answered within two hours" for ticket
    /// #       relaxes "the night shift is one person"
    /// #       require record.waited <= 2h  message "ticket {record.id} waited {record.waited}" }
    /// #     rule few-long-waits { title "At most one long wait per team" severity warning for ticket
    /// #       group by record.team  require count(record.waited > 30m) <= 1
    /// #       message "team {group.team} had {count(record.waited > 30m)} long waits" } }
    /// # "#)]).unwrap();
    /// # let tickets = precept::Records::bytes(
    /// #     "tickets.csv",
    /// #     "id,team,waited\nT-1,Returns,20m\nT-2,Returns,3h\nT-3,Returns,90m\n",
    /// # );
    /// let run = engine.check([tickets]);
    /// let severities: Vec<Severity> = run.findings.iter().map(|f| f.severity()).collect();
    /// assert_eq!(severities, [Severity::Error, Severity::Warning]);
    /// ```
    pub fn severity(&self) -> Severity {
        self.rule.as_ref().map_or(expired_waiver::SEVERITY, |r| r.severity)
    }

    /// A finding's fingerprint: the same finding gets the same one in every run, wherever its record
    /// has moved in the file. It hashes the rule id, the record's id (for a record without one, its
    /// file and position; for a group or case, its key), the offending field, and for a presence
    /// rule's finding the period missing; 32 hex digits.
    ///
    /// ```
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// let first = engine.check([precept::Records::bytes("tickets.csv", "id,waited\nT-2,3h\n")]);
    /// let moved = engine.check([precept::Records::bytes("tickets.csv", "id,waited\nT-1,20m\nT-2,3h\n")]);
    /// assert_eq!(first.findings[0].fingerprint(), moved.findings[0].fingerprint());
    /// assert_eq!(first.findings[0].fingerprint().len(), 32);
    /// ```
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        let mut part = |s: &str| {
            h.update((s.len() as u64).to_le_bytes());
            h.update(s.as_bytes());
        };
        part(self.rule_id());
        part(self.subject.as_str());
        match &self.record_id {
            Some(id) => part(id),
            None => {
                part(&self.file.name);
                part(&self.record_index.to_string());
            }
        }
        part(&self.field);
        // A presence rule's findings on one group differ by the period missing: each is its own
        // finding (baselining one missed week must not hide the next). Other fingerprints are
        // unchanged by this.
        if let Some((_, missing)) = self.evidence.iter().flat_map(|e| e.facts.iter()).find(|(k, _)| *k == "missing") {
            part("missing");
            part(missing);
        }
        let mut hex = String::with_capacity(32);
        for b in h.finalize().iter().take(16) {
            let _ = std::fmt::Write::write_fmt(&mut hex, format_args!("{b:02x}"));
        }
        hex
    }
}

/// Whether a finding counts towards failing the run.
///
/// ```
/// use precept::Standing;
/// # let engine = precept::Engine::from_sources([("house.precept", r#"
/// #   schema ticket { identified by id  id: text  waited: duration }
/// #   code "House rules" { level organisational
/// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
/// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
/// # "#)]).unwrap();
/// // `soon` is not a duration: whether T-3 waited too long cannot be determined.
/// let run = engine.check([precept::Records::bytes("tickets.csv", "id,waited\nT-2,3h\nT-3,soon\n")]);
/// assert_eq!(run.findings[0].standing, Standing::Active);
/// assert!(matches!(&run.findings[1].standing, Standing::Undetermined(note) if note.field == "waited"));
/// assert_eq!((run.summary.findings(), run.summary.tally.undetermined), (1, 1));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Standing {
    /// It counts.
    #[default]
    Active,
    /// A waiver covers it.
    Waived(WaiverNote),
    /// It was in the baseline given: known before, not new.
    Baselined,
    /// Not a finding: the rule *cannot be determined* for the record, because its outcome depends
    /// on a value that could not be read. The input diagnostic about that value is reported too (and
    /// makes the run's exit status 2); this outcome is placed where that diagnostic is. It counts
    /// towards no `--fail-on`, no waiver or baseline covers it, and it is never written to a baseline.
    Undetermined(UnreadableNote),
}

impl Standing {
    /// Whether this is a cannot-determine outcome rather than a finding.
    ///
    /// ```
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// let run = engine.check([precept::Records::bytes("tickets.csv", "id,waited\nT-2,3h\nT-3,soon\n")]);
    /// let undetermined: Vec<bool> = run.findings.iter().map(|f| f.standing.is_undetermined()).collect();
    /// assert_eq!(undetermined, [false, true]);
    /// ```
    pub fn is_undetermined(&self) -> bool {
        matches!(self, Standing::Undetermined(_))
    }
}

/// The input diagnostic behind a cannot-determine outcome.
///
/// ```
/// # let engine = precept::Engine::from_sources([("house.precept", r#"
/// #   schema ticket { identified by id  id: text  waited: duration }
/// #   code "House rules" { level organisational
/// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
/// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
/// # "#)]).unwrap();
/// let run = engine.check([precept::Records::bytes("tickets.csv", "id,waited\nT-3,soon\n")]);
/// let precept::Standing::Undetermined(note) = &run.findings[0].standing else { panic!("undetermined") };
/// assert_eq!((note.code, note.field.as_str()), ("precept::input::invalid-value", "waited"));
/// // The diagnostic itself is in the run.
/// assert!(run.diagnostics.iter().any(|d| d.code == note.code && d.message == note.message));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnreadableNote {
    /// The diagnostic's code (`precept::input::invalid-value`).
    pub code: &'static str,
    /// The diagnostic's message (``` `opened_at` has no offset: `2024-03-01T09:00:00` ```).
    pub message: String,
    /// The field that could not be read (`opened_at`, `items[2].qty`), empty if not known.
    pub field: String,
}

/// The waiver that covers a finding, as reports show it.
///
/// ```
/// # let engine = precept::Engine::from_sources([("house.precept", r#"
/// #   schema ticket { identified by id  id: text  waited: duration }
/// #   code "House rules" { level organisational
/// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
/// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
/// # "#)]).unwrap();
/// let engine = engine.with_waivers("waivers.toml", r#"
///     [[waiver]]
///     rule = "answered-quickly"
///     justification = "the queue clock ran an hour fast (OPS-118)"
///     approver = "Head of Compliance"
///     expires = 2099-12-31
/// "#);
/// let run = engine.check([precept::Records::bytes("tickets.csv", "id,waited\nT-2,3h\n")]);
/// let precept::Standing::Waived(note) = &run.findings[0].standing else { panic!("waived") };
/// assert_eq!(note.justification, "the queue clock ran an hour fast (OPS-118)");
/// assert_eq!(note.place, "waivers.toml:2");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaiverNote {
    /// Why it is waived.
    pub justification: String,
    /// Who approved the waiver.
    pub approver: String,
    /// The last day it waives.
    pub expires: String,
    /// Where the waiver is (`waivers.toml:12`).
    pub place: String,
}

/// The group a group rule's finding is about.
///
/// ```
/// # let engine = precept::Engine::from_sources([("house.precept", r#"
/// #   schema ticket { identified by id  id: text  team: text  waited: duration }
/// #   code "Industry code" { level industry  version "2024"
/// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
/// #       cite "s.4.1"  help "Answer every ticket within the hour."
/// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
/// #   code "House rules" { level organisational  extends "Industry code"
/// #     rule answered-quickly { title "Tickets are answered within two hours" for ticket
/// #       relaxes "the night shift is one person"
/// #       require record.waited <= 2h  message "ticket {record.id} waited {record.waited}" }
/// #     rule few-long-waits { title "At most one long wait per team" severity warning for ticket
/// #       group by record.team  require count(record.waited > 30m) <= 1
/// #       message "team {group.team} had {count(record.waited > 30m)} long waits" } }
/// # "#)]).unwrap();
/// # let tickets = precept::Records::bytes(
/// #     "tickets.csv",
/// #     "id,team,waited\nT-1,Returns,20m\nT-2,Returns,3h\nT-3,Returns,90m\n",
/// # );
/// let run = engine.check([tickets]);
/// let group = run.findings[1].group.as_ref().expect("a group rule's finding");
/// assert_eq!(group.key, [("team".to_string(), "Returns".to_string())]);
/// assert_eq!(group.samples.len(), 2);
/// ```
#[derive(Debug, Clone)]
pub struct GroupFinding {
    /// Each part of the key, by name, as shown.
    pub key: Vec<(String, String)>,
    /// A few records of the group, where they are.
    pub samples: Vec<SampleRef>,
}

/// A record shown with a group finding.
///
/// ```
/// # let engine = precept::Engine::from_sources([("house.precept", r#"
/// #   schema ticket { identified by id  id: text  team: text  waited: duration }
/// #   code "Industry code" { level industry  version "2024"
/// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
/// #       cite "s.4.1"  help "Answer every ticket within the hour."
/// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
/// #   code "House rules" { level organisational  extends "Industry code"
/// #     rule answered-quickly { title "Tickets are answered within two hours" for ticket
/// #       relaxes "the night shift is one person"
/// #       require record.waited <= 2h  message "ticket {record.id} waited {record.waited}" }
/// #     rule few-long-waits { title "At most one long wait per team" severity warning for ticket
/// #       group by record.team  require count(record.waited > 30m) <= 1
/// #       message "team {group.team} had {count(record.waited > 30m)} long waits" } }
/// # "#)]).unwrap();
/// # let tickets = precept::Records::bytes(
/// #     "tickets.csv",
/// #     "id,team,waited\nT-1,Returns,20m\nT-2,Returns,3h\nT-3,Returns,90m\n",
/// # );
/// let run = engine.check([tickets]);
/// let samples = &run.findings[1].group.as_ref().expect("a group rule's finding").samples;
/// let shown: Vec<_> = samples.iter().map(|s| (s.file.as_str(), s.line, s.record.as_deref())).collect();
/// assert_eq!(shown, [("tickets.csv", 3, Some("T-2")), ("tickets.csv", 4, Some("T-3"))]);
/// ```
#[derive(Debug, Clone)]
pub struct SampleRef {
    /// The record file's name.
    pub file: String,
    /// The 1-based line where the record starts.
    pub line: usize,
    /// The record's id, where the schema names one.
    pub record: Option<String>,
}
