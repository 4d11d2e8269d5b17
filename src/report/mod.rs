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

use crate::ast::Severity;
use crate::diagnostics::render::Style;
use crate::diagnostics::Diag;
use crate::findings::Finding;

/// One report of a run, written a piece at a time: [`Report::start`], then [`Report::finding`] for
/// each finding as it is found, then [`Report::finish`]; or [`Report::failed`] alone when the run
/// stopped before checking anything. Each call returns the text to append to the output.
///
/// A format that needs every finding before it writes (SARIF, JUnit) keeps them itself.
pub trait Report: Send {
    /// The opening of the report.
    fn start(&mut self) -> String {
        String::new()
    }

    /// One finding, in file, record and rule order (at any standing).
    fn finding(&mut self, f: &Finding) -> String;

    /// The end of the report: the run's problems and summary.
    fn finish(&mut self, end: &End<'_>) -> String;

    /// The whole report of a run that stopped before checking (unusable settings, a broken policy,
    /// bad usage): no findings, only `diagnostics`.
    fn failed(&mut self, end: &End<'_>) -> String;
}

/// What the end of a report needs.
#[derive(Debug, Clone, Copy)]
pub struct End<'a> {
    /// The run's counts and its policies' rules.
    pub summary: &'a Summary,
    /// Problems with the policies, then with the input.
    pub diagnostics: &'a [Diag],
    /// The least severe finding that fails the run.
    pub fail_on: Severity,
    /// When the run happened (`YYYY-MM-DDTHH:MM:SS`, UTC), for formats that must say.
    pub timestamp: &'a str,
    /// A baseline was given: formats that can say which findings are new do.
    pub baseline: bool,
}

/// How a report is to be made.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Colours and width, for text reports.
    pub style: Style,
    /// It goes to standard output, where the problems are already shown (on standard error).
    pub to_stdout: bool,
}

/// What a report file holds once written, so a report an earlier run left among the records is
/// known for what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holds {
    /// The JSON report, or a baseline (they open the same way).
    JsonDocument,
    /// A SARIF report.
    Sarif,
    /// A JUnit report.
    Junit,
    /// Human text or annotations: never taken for an earlier report.
    Text,
}

impl Holds {
    /// Whether `start` (a file's first bytes) is how this output begins.
    pub fn begins(self, start: &[u8]) -> bool {
        let start = String::from_utf8_lossy(start);
        match self {
            Holds::JsonDocument => start
                .strip_prefix("{\n  \"version\": ")
                .map(|rest| rest.trim_start_matches(|c: char| c.is_ascii_digit()))
                .is_some_and(|rest| rest.starts_with(",\n  \"findings\": [")),
            Holds::Sarif => start.starts_with("{\n  \"$schema\": \"https://docs.oasis-open.org/sarif/"),
            Holds::Junit => start.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites"),
            Holds::Text => false,
        }
    }
}

/// A report format: its name on the command line, what its files hold, and how to make one.
#[derive(Debug, Clone, Copy)]
pub struct Format {
    /// The name after `--output`.
    pub name: &'static str,
    /// What a file of it holds.
    pub holds: Holds,
    /// Make one.
    pub make: fn(&Options) -> Box<dyn Report>,
}

/// Every report format. Adding one is a new file with its [`Report`] and one line here.
pub const FORMATS: &[Format] = &[human::FORMAT, json::FORMAT, sarif::FORMAT, junit::FORMAT, github::FORMAT];

/// The format named `name` (case-insensitive).
///
/// ```
/// assert_eq!(precept::report::format("SARIF").map(|f| f.name), Some("sarif"));
/// assert!(precept::report::format("pdf").is_none());
/// ```
pub fn format(name: &str) -> Option<&'static Format> {
    FORMATS.iter().find(|f| f.name.eq_ignore_ascii_case(name))
}

pub use crate::findings::Summary;

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
