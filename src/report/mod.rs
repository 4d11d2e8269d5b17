//! Findings and diagnostics to output: [`human`] (miette reports and a summary line), [`json`],
//! [`sarif`] (for code scanning), [`junit`] (for test dashboards) and [`github`] (workflow
//! annotations).
//!
//! Reports are pure functions of the outcome: no clocks (JUnit's required timestamp comes from the
//! caller), no paths of this machine beyond those the user gave, no thread-dependent order.

pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;

use crate::engine::Program;
use crate::pipeline::Outcome;

/// Counts for the summary line and the JSON summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Record files read.
    pub files: usize,
    /// Records checked.
    pub records: usize,
    /// Rules applied.
    pub rules: usize,
    /// Codes of practice loaded.
    pub codes: usize,
    /// The findings, counted.
    pub tally: crate::pipeline::Tally,
    /// Obligations open at the end of the data but not yet due, by rule id.
    pub pending: Vec<(String, usize)>,
    /// Records left out of group and case rules (a value they needed could not be read), by rule id.
    pub left_out: Vec<(String, usize)>,
}

impl Summary {
    /// The counts of an outcome.
    pub fn of(program: &Program, outcome: &Outcome) -> Summary {
        Summary {
            files: outcome.files,
            records: outcome.records,
            rules: program.rules_in_run(),
            codes: program.codes.len(),
            tally: outcome.tally.clone(),
            pending: outcome.pending.clone(),
            left_out: outcome.left_out.clone(),
        }
    }

    /// Total findings.
    pub fn findings(&self) -> usize {
        self.tally.findings()
    }

    /// Records with no finding and no rule that cannot be determined.
    pub fn clean_records(&self) -> usize {
        self.records.saturating_sub(self.tally.records_with_findings + self.tally.records_undetermined)
    }
}

/// A finding's fingerprint (see [`crate::pipeline::Finding::fingerprint`]).
pub fn fingerprint(f: &crate::pipeline::Finding) -> String {
    f.fingerprint()
}

/// The 1-based line and column (in characters) where a finding's span ends.
pub fn end_of(f: &crate::pipeline::Finding) -> (usize, usize) {
    let (l, c) = f.file.line_col(f.span.end);
    (f.first_line + l - 1, c)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Counts for `precept lint`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintSummary {
    /// Role files read.
    pub files: usize,
    /// Roles defined.
    pub roles: usize,
    /// Staff defined.
    pub staff: usize,
    /// Problems at error level.
    pub errors: usize,
    /// Problems at warning level.
    pub warnings: usize,
}

impl LintSummary {
    /// Count a lint run.
    pub fn of(org: &crate::roles::Org, files: usize, problems: &[crate::diagnostics::Diag]) -> LintSummary {
        let errors = problems.iter().filter(|d| d.is_error()).count();
        LintSummary { files, roles: org.roles.len(), staff: org.staff.len(), errors, warnings: problems.len() - errors }
    }

    /// The one-line summary.
    pub fn line(&self) -> String {
        let head = format!(
            "linted {} and {} in {}",
            plural(self.roles, "role", "roles"),
            plural(self.staff, "staff member", "staff"),
            plural(self.files, "file", "files")
        );
        if self.errors + self.warnings == 0 {
            format!("{head}: no problems")
        } else {
            format!(
                "{head}: {}, {}",
                plural(self.errors, "error", "errors"),
                plural(self.warnings, "warning", "warnings")
            )
        }
    }
}
