//! What a check returns: the [`Run`] (findings, diagnostics and summary as values, which any report
//! format can render) and the [`Status`] it ends with. Apart from the engine, so the engine's file
//! holds how a check is made and this one what it gives back.

use super::Diagnostic;
use crate::ast::Severity;
use crate::diagnostics::Diag;
use crate::findings::{Finding, Standing, Summary};

/// How a run ends, as the command line's exit status says it (the discriminant is that status).
///
/// ```
/// use precept::{Records, Status};
/// # let engine = precept::Engine::from_sources([("house.precept", r#"
/// #   schema ticket { identified by id  id: text  waited: duration }
/// #   code "House rules" { level organisational
/// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
/// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
/// # "#)]).unwrap();
/// let check = |csv: &str| engine.check([Records::bytes("tickets.csv", csv)]).status();
/// assert_eq!(check("id,waited\nT-1,20m\n"), Status::Clean);
/// assert_eq!(check("id,waited\nT-2,3h\n"), Status::Findings);
/// // `soon` is not a duration: the input could not be used.
/// assert_eq!(check("id,waited\nT-3,soon\n"), Status::Failed);
/// assert_eq!(Status::Failed as i32, 2);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// No active finding at the fail level or above, and every input was usable.
    Clean = 0,
    /// At least one active finding at the fail level or above.
    Findings = 1,
    /// An input could not be used (a policy, record, role, waiver or baseline problem at error
    /// level): the run did not see everything.
    Failed = 2,
}

/// What a check found: the findings, the problems with the policies and the input, and the
/// summary, all as values.
///
/// ```
/// # use precept::Records;
/// # let engine = precept::Engine::from_sources([("house.precept", r#"
/// #   schema ticket { identified by id  id: text  waited: duration }
/// #   code "House rules" { level organisational
/// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
/// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
/// # "#)]).unwrap();
/// let run = engine.check([Records::bytes("tickets.csv", "id,waited\nT-1,20m\nT-2,3h\n")]);
/// assert_eq!(run.findings.len(), 1);
/// assert!(run.diagnostics.is_empty());
/// assert_eq!((run.summary.records, run.summary.findings()), (2, 1));
/// assert_eq!(run.fail_on, precept::Severity::Error);
/// ```
#[derive(Debug, Clone)]
pub struct Run {
    /// Findings and cannot-determine outcomes ([`Standing::Undetermined`]), in file, record and
    /// rule order, then group and case findings, then expired waivers.
    pub findings: Vec<Finding>,
    /// The policies' warnings, then the problems with the input, in a stable order.
    pub diagnostics: Vec<Diagnostic>,
    /// The counts, and the rules and codes that ran.
    pub summary: Summary,
    /// The fail level the run was judged at.
    pub fail_on: Severity,
    /// A baseline was given: reports that can say which findings are new (SARIF) do.
    pub baseline: bool,
}

impl Run {
    /// How the run ends: [`Status::Failed`] if any diagnostic is an error, else
    /// [`Status::Findings`] if an active finding is at the fail level or above, else clean.
    ///
    /// ```
    /// # use precept::{Records, Status};
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// // T-2 breaks a rule of error severity, the default fail level.
    /// let run = engine.check([Records::bytes("tickets.csv", "id,waited\nT-2,3h\n")]);
    /// assert_eq!(run.status(), Status::Findings);
    /// ```
    pub fn status(&self) -> Status {
        if self.diagnostics.iter().any(Diag::is_error) {
            Status::Failed
        } else if self.summary.tally.fails_at(self.fail_on) {
            Status::Findings
        } else {
            Status::Clean
        }
    }

    /// The run's active findings as a baseline, the JSON document `precept baseline` writes: give
    /// it to [`super::Engine::with_baseline`] later and these findings are known, not new. Waived
    /// findings, expired waivers and cannot-determine outcomes are left out, as the command does.
    ///
    /// ```
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// let records = || [precept::Records::bytes("tickets.csv", "id,waited\nT-2,3h\n")];
    /// let before = engine.check(records());
    /// let engine = engine.with_baseline("baseline.json", before.baseline());
    /// let after = engine.check(records());
    /// assert_eq!(after.findings[0].standing, precept::Standing::Baselined);
    /// assert_eq!(after.status(), precept::Status::Clean);
    /// ```
    pub fn baseline(&self) -> String {
        let active: Vec<Finding> =
            self.findings.iter().filter(|f| f.standing == Standing::Active && f.rule.is_some()).cloned().collect();
        crate::suppress::baseline::write(&active)
    }

    /// The run as a report in `format` (one of [`crate::report::FORMATS`]: `human`, `json`,
    /// `sarif`, `junit`, `github`), or `None` for an unknown format. `timestamp` is when the run
    /// happened, for formats that must say (JUnit).
    ///
    /// ```
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// let run = engine.check([precept::Records::bytes("tickets.csv", "id,waited\nT-1,20m\nT-2,3h\n")]);
    /// let json = run.report("json", "2026-01-01T00:00:00").expect("a known format");
    /// assert!(json.contains("\"rule\":\"answered-quickly\""));
    /// let junit = run.report("junit", "2026-01-01T00:00:00").expect("a known format");
    /// assert!(junit.contains("timestamp=\"2026-01-01T00:00:00\""));
    /// assert!(run.report("pdf", "2026-01-01T00:00:00").is_none());
    /// ```
    pub fn report(&self, format: &str, timestamp: &str) -> Option<String> {
        let format = crate::report::format(format)?;
        let options = crate::report::Options {
            style: crate::diagnostics::render::Style::plain(),
            to_stdout: false,
            baseline: self.baseline,
        };
        let mut report = (format.make)(&options);
        let mut out = report.start();
        for f in &self.findings {
            out.push_str(&report.finding(f));
        }
        let end = crate::report::End {
            summary: &self.summary,
            diagnostics: &self.diagnostics,
            fail_on: self.fail_on,
            timestamp,
            baseline: self.baseline,
        };
        out.push_str(&report.finish(&end));
        Some(out)
    }
}
