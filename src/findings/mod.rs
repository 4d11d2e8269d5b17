//! Findings as values: what a run found, each carrying everything a report shows about it.
//!
//! This sits between evaluation and the reports: the pipeline makes [`Finding`]s (located in their
//! files), `suppress` marks their [`Standing`], and every report reads only findings and the run's
//! [`Summary`]. A finding carries its rule's metadata ([`RuleInfo`]), so no report needs the
//! compiled program.

mod rule;
mod summary;

use std::sync::Arc;

pub use rule::{Catalogue, CodeEntry, Overrides, RuleInfo};
pub use summary::{Outcome, Summary, Tally};

use crate::ast::{CodeLevel, Severity};
use crate::engine::authority::Evidence;
use crate::source::{SourceFile, Span};

/// The id, code, level and severity of the finding an expired waiver is (it has no rule).
pub mod expired_waiver {
    use crate::ast::{CodeLevel, Severity};
    /// Its id, as reports show it.
    pub const ID: &str = "expired-waiver";
    /// The code it is reported under.
    pub const CODE: &str = "Precept waivers";
    /// Its level.
    pub const LEVEL: CodeLevel = CodeLevel::Organisational;
    /// Its severity: an expired waiver fails the run until it is renewed or removed.
    pub const SEVERITY: Severity = Severity::Error;
}

/// What a finding is about.
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
/// waiver that has expired.
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
    /// The message with the record's values.
    pub message: String,
    /// The offending field's path in the record (`actions[2].amount`), empty for the record as a
    /// whole or for a group or case.
    pub field: String,
    /// The member of staff the record (or group) is about, where the schema says.
    pub staff: Option<String>,
    /// The team the record (or group) is about, where the schema says.
    pub team: Option<String>,
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
    pub fn rule_id(&self) -> &str {
        self.rule.as_ref().map_or(expired_waiver::ID, |r| r.id.as_str())
    }

    /// The name of the code of practice of the rule.
    pub fn code_name(&self) -> &str {
        self.rule.as_ref().map_or(expired_waiver::CODE, |r| r.code.as_str())
    }

    /// The level of that code.
    pub fn level(&self) -> CodeLevel {
        self.rule.as_ref().map_or(expired_waiver::LEVEL, |r| r.level)
    }

    /// The finding's severity: its rule's.
    pub fn severity(&self) -> Severity {
        self.rule.as_ref().map_or(expired_waiver::SEVERITY, |r| r.severity)
    }

    /// A finding's fingerprint: the same finding gets the same one in every run, wherever its record
    /// has moved in the file. It hashes the rule id, the record's id (for a record without one, its
    /// file and position; for a group or case, its key) and the offending field; 32 hex digits.
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
        h.finalize().iter().take(16).map(|b| format!("{b:02x}")).collect()
    }
}

/// Whether a finding counts towards failing the run.
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
    pub fn is_undetermined(&self) -> bool {
        matches!(self, Standing::Undetermined(_))
    }
}

/// The input diagnostic behind a cannot-determine outcome.
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
#[derive(Debug, Clone)]
pub struct GroupFinding {
    /// Each part of the key, by name, as shown.
    pub key: Vec<(String, String)>,
    /// A few records of the group, where they are.
    pub samples: Vec<SampleRef>,
}

/// A record shown with a group finding.
#[derive(Debug, Clone)]
pub struct SampleRef {
    /// The record file's name.
    pub file: String,
    /// The 1-based line where the record starts.
    pub line: usize,
    /// The record's id, where the schema names one.
    pub record: Option<String>,
}
